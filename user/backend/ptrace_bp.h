/* Software breakpoints for the ptrace backend: int3 in the target's text, hits reported with registers. */
#ifndef GOTRACE_PTRACE_BP_H
#define GOTRACE_PTRACE_BP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backend/ptrace_attach.h"
#include "backend/ptrace_regs.h"

struct pt_bp {
	uint64_t addr;
	uint64_t cookie;
	uint8_t orig[PTR_BP_LEN];
	struct ptr_insn insn;     /* the instruction under the breakpoint */
	bool armed;
};

/* One hit, with the registers as they were before the instruction at addr ran. */
struct pt_hit {
	struct pt_task *task;
	uint64_t addr;
	uint64_t cookie;
	struct pt_cpu *cpu;       /* ptr_load_fp(task->tid, cpu) fetches the X registers */
	bool branch_taken;        /* the instruction is a jump that will be taken */
};

/* Called at every hit, thread stopped; 0 or -errno (ends the trace). */
typedef int (*pt_hit_fn)(void *ctx, const struct pt_hit *h);

struct pt_bpset {
	pid_t pid;
	int memfd;                /* /proc/PID/mem, for writing text */
	struct pt_bp *bps;
	size_t n, cap;
	pt_hit_fn fn;
	void *ctx;
	uint64_t hits;
	uint64_t steps;           /* hits stepped with every other thread stopped (not emulated) */
};

int pt_bp_init(struct pt_bpset *b, pid_t pid, pt_hit_fn fn, void *ctx);
/* Writes a breakpoint at addr (every thread must be stopped: right after pt_attach, or in
 * the exec hook). -EEXIST when one is there already, -EFAULT when addr is not mapped. */
int pt_bp_add(struct pt_bpset *b, uint64_t addr, uint64_t cookie);
/* The engine's trap hook (ctx = the pt_bpset): 1 when the SIGTRAP was one of ours. The hit
 * is reported, then the instruction is emulated (jumps, RET) or single-stepped while every
 * other thread is held, so no thread runs past a missing breakpoint meanwhile. */
int pt_bp_trap(struct pt_session *s, struct pt_task *t, void *bpset);
/* The engine's detach hook (ctx = the pt_bpset): settles hits still pending as signals and
 * puts every original byte back; the text is byte-identical afterwards. */
void pt_bp_detach(struct pt_session *s, void *bpset);
/* After an exec the old text is gone: drop the breakpoints without writing anything. */
void pt_bp_forget(struct pt_bpset *b);
void pt_bp_free(struct pt_bpset *b);
#endif
