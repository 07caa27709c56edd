/* The x86_64 arch file of the ptrace backend: pt_regs <-> Go ABI registers, int3, Jcc/JMP/RET emulation. */
#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include "backend/ptrace_mem.h"
#include "backend/ptrace_regs.h"

const uint8_t PTR_BP_INSN[PTR_BP_LEN] = { 0xcc };

enum { FL_CF = 1 << 0, FL_PF = 1 << 2, FL_ZF = 1 << 6, FL_SF = 1 << 7, FL_OF = 1 << 11 };

int ptr_load(pid_t tid, struct pt_cpu *c)
{
	c->have_fp = false;
	return ptrace(PTRACE_GETREGS, tid, NULL, &c->gp) < 0 ? -errno : 0;
}

int ptr_load_fp(pid_t tid, struct pt_cpu *c)
{
	if (c->have_fp)
		return 0;
	if (ptrace(PTRACE_GETFPREGS, tid, NULL, &c->fp) < 0)
		return -errno;
	c->have_fp = true;
	return 0;
}

int ptr_store(pid_t tid, const struct pt_cpu *c)
{
	return ptrace(PTRACE_SETREGS, tid, NULL, &c->gp) < 0 ? -errno : 0;
}

uint64_t ptr_pc(const struct pt_cpu *c) { return c->gp.rip; }
void ptr_set_pc(struct pt_cpu *c, uint64_t pc) { c->gp.rip = pc; }
uint64_t ptr_sp(const struct pt_cpu *c) { return c->gp.rsp; }
uint64_t ptr_flags(const struct pt_cpu *c) { return c->gp.eflags; }
uint64_t ptr_g(const struct pt_cpu *c) { return c->gp.r14; }
uint64_t ptr_tls_base(const struct pt_cpu *c) { return c->gp.fs_base; }
uint64_t ptr_trap_addr(const struct pt_cpu *c) { return c->gp.rip - PTR_BP_LEN; }

/* Go's amd64 integer argument registers, in ABI order (cmd/compile/abi-internal.md). */
static const struct {
	const char *name;
	size_t off;
} iregs[] = {
	{ "RAX", offsetof(struct user_regs_struct, rax) },
	{ "RBX", offsetof(struct user_regs_struct, rbx) },
	{ "RCX", offsetof(struct user_regs_struct, rcx) },
	{ "RDI", offsetof(struct user_regs_struct, rdi) },
	{ "RSI", offsetof(struct user_regs_struct, rsi) },
	{ "R8", offsetof(struct user_regs_struct, r8) },
	{ "R9", offsetof(struct user_regs_struct, r9) },
	{ "R10", offsetof(struct user_regs_struct, r10) },
	{ "R11", offsetof(struct user_regs_struct, r11) },
};

#define NIREGS (sizeof(iregs) / sizeof(iregs[0]))
#define NFREGS 15  /* X0..X14 carry arguments; X15 is the zero register */

int ptr_ireg(const struct pt_cpu *c, unsigned idx, uint64_t *out)
{
	if (idx >= NIREGS)
		return -EINVAL;
	*out = *(const unsigned long long *)((const char *)&c->gp + iregs[idx].off);
	return 0;
}

int ptr_freg(const struct pt_cpu *c, unsigned idx, uint64_t *out)
{
	if (idx >= NFREGS)
		return -EINVAL;
	if (!c->have_fp)
		return -ENODATA;
	/* xmm_space holds 16 registers of 16 bytes as 32-bit words; the low lane is the scalar. */
	*out = (uint64_t)c->fp.xmm_space[idx * 4] | (uint64_t)c->fp.xmm_space[idx * 4 + 1] << 32;
	return 0;
}

const char *ptr_ireg_name(unsigned idx)
{
	return idx < NIREGS ? iregs[idx].name : NULL;
}

static int32_t le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

void ptr_classify(const uint8_t *code, size_t n, struct ptr_insn *out)
{
	*out = (struct ptr_insn){ .kind = PTR_INSN_OTHER };
	if (n >= 2 && code[0] >= 0x70 && code[0] <= 0x7f) {
		*out = (struct ptr_insn){ PTR_INSN_JCC, 2, code[0] & 0xf, (int8_t)code[1], 0 };
	} else if (n >= 6 && code[0] == 0x0f && code[1] >= 0x80 && code[1] <= 0x8f) {
		*out = (struct ptr_insn){ PTR_INSN_JCC, 6, code[1] & 0xf, le32(code + 2), 0 };
	} else if (n >= 2 && code[0] == 0xeb) {
		*out = (struct ptr_insn){ PTR_INSN_JMP, 2, 0, (int8_t)code[1], 0 };
	} else if (n >= 5 && code[0] == 0xe9) {
		*out = (struct ptr_insn){ PTR_INSN_JMP, 5, 0, le32(code + 1), 0 };
	} else if (n >= 1 && code[0] == 0xc3) {
		*out = (struct ptr_insn){ PTR_INSN_RET, 1, 0, 0, 0 };
	} else if (n >= 3 && code[0] == 0xc2) {
		*out = (struct ptr_insn){ PTR_INSN_RET, 3, 0, 0, (uint16_t)(code[1] | code[2] << 8) };
	}
}

bool ptr_jcc_taken(const struct ptr_insn *in, uint64_t fl)
{
	bool cf = fl & FL_CF, pf = fl & FL_PF, zf = fl & FL_ZF, sf = fl & FL_SF, of = fl & FL_OF;
	bool t;

	if (in->kind != PTR_INSN_JCC)
		return in->kind == PTR_INSN_JMP;
	/* Pairs of conditions: even codes test a predicate, odd codes its negation. */
	switch (in->cond >> 1) {
	case 0: t = of; break;
	case 1: t = cf; break;
	case 2: t = zf; break;
	case 3: t = cf || zf; break;
	case 4: t = sf; break;
	case 5: t = pf; break;
	case 6: t = sf != of; break;
	default: t = zf || sf != of; break;
	}
	return (in->cond & 1) ? !t : t;
}

int ptr_emulate(pid_t pid, const struct ptr_insn *in, uint64_t addr, struct pt_cpu *c)
{
	uint64_t next = addr + in->len, ret;
	int err;

	switch (in->kind) {
	case PTR_INSN_JCC:
	case PTR_INSN_JMP:
		c->gp.rip = ptr_jcc_taken(in, c->gp.eflags) ? next + (uint64_t)in->rel : next;
		return 0;
	case PTR_INSN_RET:
		err = pt_mem_read(pid, c->gp.rsp, &ret, sizeof(ret));
		if (err)
			return err;
		c->gp.rip = ret;
		c->gp.rsp += 8 + in->pop;
		return 0;
	default:
		return -ENOTSUP;
	}
}
