/* Arch interface of the ptrace backend: registers by Go ABI index, breakpoint bytes, jump/RET emulation. */
#ifndef GOTRACE_PTRACE_REGS_H
#define GOTRACE_PTRACE_REGS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* One thread's registers at a stop. The FP/vector part is fetched only on demand
 * (an extra syscall), see ptr_load_fp. */
struct pt_cpu {
	struct user_regs_struct gp;
	struct user_fpregs_struct fp;
	bool have_fp;
};

/* The breakpoint instruction and how far the PC has moved past it when it traps. */
extern const uint8_t PTR_BP_INSN[];
#define PTR_BP_LEN 1

int ptr_load(pid_t tid, struct pt_cpu *c);      /* general-purpose registers */
int ptr_load_fp(pid_t tid, struct pt_cpu *c);   /* FP/vector registers (no-op when have_fp) */
int ptr_store(pid_t tid, const struct pt_cpu *c);

uint64_t ptr_pc(const struct pt_cpu *c);
void ptr_set_pc(struct pt_cpu *c, uint64_t pc);
uint64_t ptr_sp(const struct pt_cpu *c);
uint64_t ptr_flags(const struct pt_cpu *c);
/* The register Go keeps the current g in (R14 on amd64, register ABI only). */
uint64_t ptr_g(const struct pt_cpu *c);
/* The thread's TLS base (FS base on amd64), where Go < 1.17 keeps g. */
uint64_t ptr_tls_base(const struct pt_cpu *c);
/* Address of the breakpoint that trapped, given the PC at the trap stop. */
uint64_t ptr_trap_addr(const struct pt_cpu *c);

/* Integer register number idx of the Go ABI sequence (amd64: RAX RBX RCX RDI RSI R8 R9 R10 R11). */
int ptr_ireg(const struct pt_cpu *c, unsigned idx, uint64_t *out);
/* Low 8 bytes of float register idx (X0..X14 on amd64); needs ptr_load_fp first. */
int ptr_freg(const struct pt_cpu *c, unsigned idx, uint64_t *out);
/* Names for diagnostics ("RAX", "X0"); NULL when out of range. */
const char *ptr_ireg_name(unsigned idx);

/* An instruction under a breakpoint, classified so a hit can be stepped over without
 * putting the original byte back (other threads would miss hits meanwhile). */
enum ptr_insn_kind {
	PTR_INSN_OTHER,   /* must be single-stepped with the original bytes in place */
	PTR_INSN_JCC,     /* conditional jump: target or fall through, decided by the flags */
	PTR_INSN_JMP,     /* unconditional relative jump */
	PTR_INSN_RET,     /* near return: pop the PC */
};

struct ptr_insn {
	enum ptr_insn_kind kind;
	uint8_t len;
	uint8_t cond;       /* PTR_INSN_JCC: the condition code (low nibble of the opcode) */
	int64_t rel;        /* PTR_INSN_JCC/JMP: displacement from the next instruction */
	uint16_t pop;       /* PTR_INSN_RET: extra bytes released (RET imm16) */
};

/* Classifies the instruction at code[0..n). Always succeeds (unknown = PTR_INSN_OTHER). */
void ptr_classify(const uint8_t *code, size_t n, struct ptr_insn *out);
/* Whether a PTR_INSN_JCC at this stop will branch (for JBE/JLS: CF|ZF set). */
bool ptr_jcc_taken(const struct ptr_insn *in, uint64_t flags);
/* Executes insn (at addr) on c as the CPU would; RET reads the return address from the
 * target's stack through pid. 0, -ENOTSUP for PTR_INSN_OTHER, or -errno. */
int ptr_emulate(pid_t pid, const struct ptr_insn *in, uint64_t addr, struct pt_cpu *c);
#endif
