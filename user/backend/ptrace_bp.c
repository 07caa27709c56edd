/* Software breakpoints for the ptrace backend: int3 in the target's text, hits reported with registers. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend/ptrace_bp.h"
#include "backend/ptrace_mem.h"

/* Longest instruction the classifier looks at (x86's maximum is 15 bytes). */
#define CODE_PEEK 16

int pt_bp_init(struct pt_bpset *b, pid_t pid, pt_hit_fn fn, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->pid = pid;
	b->fn = fn;
	b->ctx = ctx;
	b->memfd = pt_mem_open(pid);
	return b->memfd < 0 ? b->memfd : 0;
}

static struct pt_bp *bp_find(struct pt_bpset *b, uint64_t addr)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->bps[i].addr == addr)
			return &b->bps[i];
	return NULL;
}

int pt_bp_add(struct pt_bpset *b, uint64_t addr, uint64_t cookie)
{
	uint8_t code[CODE_PEEK];
	ssize_t got;
	struct pt_bp *bp;
	int r;

	if (bp_find(b, addr))
		return -EEXIST;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct pt_bp *n = realloc(b->bps, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->bps = n;
		b->cap = cap;
	}
	/* The function may end within 16 bytes of the mapping's end: take what is there. */
	got = pread(b->memfd, code, sizeof(code), (off_t)addr);
	if (got < (ssize_t)PTR_BP_LEN)
		return -EFAULT;
	bp = &b->bps[b->n];
	memset(bp, 0, sizeof(*bp));
	bp->addr = addr;
	bp->cookie = cookie;
	memcpy(bp->orig, code, PTR_BP_LEN);
	ptr_classify(code, (size_t)got, &bp->insn);
	r = pt_mem_write(b->memfd, addr, PTR_BP_INSN, PTR_BP_LEN);
	if (r)
		return r;
	bp->armed = true;
	b->n++;
	return 0;
}

static bool is_group_stop(int st)
{
	int sig = WSTOPSIG(st);

	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Runs the original instruction of bp on thread t alone: every other thread is held, the
 * original bytes go back for one single-step, then the breakpoint is re-armed. */
static int step_over(struct pt_session *s, struct pt_bpset *b, struct pt_task *t, struct pt_bp *bp)
{
	int r, st, rearm;

	r = pt_stop_others(s, t);
	if (r)
		return r;
	r = pt_mem_write(b->memfd, bp->addr, bp->orig, PTR_BP_LEN);
	if (r)
		return r;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, t->tid, NULL, NULL) < 0) {
			r = errno == ESRCH ? 0 : -errno;
			break;
		}
		r = pt_wait_task(s, t, &st);
		if (r || t->gone)
			break;
		if (WIFSTOPPED(st) && (st >> 16) == 0) {
			t->has_status = false;
			if (WSTOPSIG(st) == SIGTRAP)
				break;  /* the step is done */
			/* A signal arrived first: the step did not happen; deliver it later. */
			t->inject = WSTOPSIG(st);
			continue;
		}
		if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_STOP && !is_group_stop(st)) {
			/* A PTRACE_INTERRUPT of ours that was still pending: the step did not happen. */
			t->has_status = false;
			continue;
		}
		break;  /* another event (e.g. exiting): kept for pt_run, which resumes it */
	}
	rearm = pt_mem_write(b->memfd, bp->addr, PTR_BP_INSN, PTR_BP_LEN);
	b->steps++;
	return r ? r : rearm;
}

int pt_bp_trap(struct pt_session *s, struct pt_task *t, void *ctx)
{
	struct pt_bpset *b = ctx;
	struct pt_cpu cpu;
	struct pt_bp *bp;
	struct pt_hit h;
	uint64_t addr;
	int r, fr;

	if (ptr_load(t->tid, &cpu))
		return 0;
	addr = ptr_trap_addr(&cpu);
	bp = bp_find(b, addr);
	if (!bp || !bp->armed)
		return 0;  /* a SIGTRAP meant for the target */
	ptr_set_pc(&cpu, addr);
	b->hits++;
	h = (struct pt_hit){
		.task = t, .addr = addr, .cookie = bp->cookie, .cpu = &cpu,
		.branch_taken = ptr_jcc_taken(&bp->insn, ptr_flags(&cpu)),
	};
	/* Even when the callback fails, the thread must get past the breakpoint: resumed at
	 * addr + 1 it would run the middle of an instruction. */
	fr = b->fn ? b->fn(b->ctx, &h) : 0;
	if (bp->insn.kind != PTR_INSN_OTHER) {
		r = ptr_emulate(b->pid, &bp->insn, addr, &cpu);
		if (r) {
			/* e.g. RET with an unreadable stack: rewind and single-step it instead */
			ptr_set_pc(&cpu, addr);
			r = ptr_store(t->tid, &cpu);
			if (!r)
				r = step_over(s, b, t, bp);
		} else {
			r = ptr_store(t->tid, &cpu);
		}
	} else {
		r = ptr_store(t->tid, &cpu);
		if (!r)
			r = step_over(s, b, t, bp);
	}
	if (r == -ESRCH)
		r = 0;  /* killed meanwhile: its exit status follows */
	if (!r)
		r = fr;
	return r < 0 ? r : 1;
}

/* Whether SIGTRAP is pending for tid (queued but not yet reported to us). */
static bool sigtrap_pending(pid_t tid)
{
	char path[64], line[256];
	unsigned long long mask;
	bool pending = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if ((sscanf(line, "SigPnd: %llx", &mask) == 1 || sscanf(line, "ShdPnd: %llx", &mask) == 1) &&
		    (mask & (1ull << (SIGTRAP - 1))))
			pending = true;
	fclose(f);
	return pending;
}

void pt_bp_detach(struct pt_session *s, void *ctx)
{
	struct pt_bpset *b = ctx;

	/* A thread that executed an int3 may have been stopped (by our PTRACE_INTERRUPT) before
	 * its SIGTRAP was reported. Detached like that, the SIGTRAP would kill the target: let
	 * it report the trap, handle it as a hit, and keep it stopped. */
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];
		struct pt_cpu cpu;
		int st, tries = 0;

		if (t->gone || !t->stopped || ptr_load(t->tid, &cpu))
			continue;
		if (!bp_find(b, ptr_trap_addr(&cpu)) || !sigtrap_pending(t->tid))
			continue;
		while (tries++ < 16 && !t->gone) {
			if (ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0)
				break;
			if (pt_wait_task(s, t, &st) || t->gone)
				break;
			t->has_status = false;
			if (WIFSTOPPED(st) && (st >> 16) == 0 && WSTOPSIG(st) == SIGTRAP) {
				pt_bp_trap(s, t, b);
				break;
			}
			if (WIFSTOPPED(st) && (st >> 16) == 0)
				t->inject = WSTOPSIG(st);
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		if (b->bps[i].armed && !pt_mem_write(b->memfd, b->bps[i].addr, b->bps[i].orig, PTR_BP_LEN))
			b->bps[i].armed = false;
	}
}

void pt_bp_forget(struct pt_bpset *b)
{
	b->n = 0;
}

void pt_bp_free(struct pt_bpset *b)
{
	if (b->memfd >= 0)
		close(b->memfd);
	b->memfd = -1;
	free(b->bps);
	b->bps = NULL;
	b->n = b->cap = 0;
}
