/* The ptrace backend of gotrace syscalls: PTRACE_SYSCALL stops counted into the shared counts table. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include "backend/ptrace_proc.h"
#include "backend/ptrace_syscalls.h"

struct sc_backend {
	pid_t pid;
	struct sc_counts *counts;   /* MAP_SHARED: the tracer process writes, we read */
	struct pt_proc proc;
};

static void bump(__u64 *v, __u64 by)
{
	/* One writer (the tracer); the reader may run at any time. */
	__atomic_store_n(v, *v + by, __ATOMIC_RELAXED);
}

int pt_sys_stop(struct pt_session *s, struct pt_task *t, void *ctx)
{
	struct sc_counts *counts = ctx, *c;
	struct __ptrace_syscall_info si;
	uint64_t now;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si) <= 0)
		return 0;  /* killed meanwhile */
	now = pt_now_ns();
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		/* A parked launch child: count from its execve on, as strace -c -f CMD does. */
		if (s->await_exec && si.entry.nr != __NR_execve && si.entry.nr != __NR_execveat)
			return 0;
		t->in_syscall = true;
		t->sys_nr = si.entry.nr < SC_MAX_NR ? (int32_t)si.entry.nr : SC_NR_OTHER;
		t->sys_t0 = now;
	} else if (si.op == PTRACE_SYSCALL_INFO_EXIT && t->in_syscall) {
		t->in_syscall = false;
		c = &counts[t->sys_nr];
		bump(&c->calls, 1);
		if (si.exit.rval < 0 && si.exit.rval >= -4095)
			bump(&c->errors, 1);
		bump(&c->total_ns, now - t->sys_t0);
	}
	return 0;
}

/* The tracer process: attach, report, count until told to stop or the target ends. */
static int tracer_body(void *arg, int report_fd, int data_fd)
{
	struct sc_backend *b = arg;
	struct pt_hooks h = { .syscall = pt_sys_stop, .ctx = b->counts };
	struct pt_session s;
	enum pt_stop why = PT_TIMEOUT;
	pid_t tracer = 0;
	int r, sig;

	(void)data_fd;
	r = pt_attach(&s, b->pid, PTRACE_SYSCALL, &h, 0, &tracer);
	if (!r)
		s.await_exec = pt_is_parked(b->pid);
	pt_proc_report(report_fd, r, tracer);
	if (r)
		return 1;
	do
		r = pt_run(&s, 0, &sig, &why);
	while (!r && why == PT_TIMEOUT);
	pt_detach(&s);
	pt_session_free(&s);
	return r ? 1 : 0;
}

static int pt_open(const struct sc_config *cfg, struct sc_backend **out, char *why, size_t whylen)
{
	struct sc_backend *b;

	if (cfg->npids != 1) {
		snprintf(why, whylen, "the ptrace backend traces one process at a time");
		return -ENOTSUP;
	}
	if (cfg->stacks) {
		snprintf(why, whylen, "--stacks needs the BPF backend (ptrace sees no call paths)");
		return -ENOTSUP;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->pid = cfg->pids[0];
	b->proc.pid = -1;
	b->proc.data_fd = -1;
	b->counts = mmap(NULL, SC_MAX_NR * sizeof(*b->counts), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->counts == MAP_FAILED) {
		free(b);
		return -ENOMEM;
	}
	*out = b;
	return 0;
}

static int pt_start(struct sc_backend *b, char *why, size_t whylen)
{
	struct pt_proc_report rep;
	int r = pt_proc_start(&b->proc, tracer_body, b, &rep);

	if (r) {
		snprintf(why, whylen, "cannot start the tracer: %s", strerror(-r));
		return r;
	}
	if (rep.err) {
		pt_proc_why(&rep, b->pid, why, whylen);
		return rep.err;
	}
	return 0;
}

static int pt_read(struct sc_backend *b, struct sc_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < SC_MAX_NR; i++) {
		out->nr[i].calls = __atomic_load_n(&b->counts[i].calls, __ATOMIC_RELAXED);
		out->nr[i].errors = __atomic_load_n(&b->counts[i].errors, __ATOMIC_RELAXED);
		out->nr[i].total_ns = __atomic_load_n(&b->counts[i].total_ns, __ATOMIC_RELAXED);
	}
	return 0;
}

static int pt_read_stacks(struct sc_backend *b, struct sc_stack **out, size_t *n)
{
	(void)b;
	*out = NULL;
	*n = 0;
	return 0;
}

static void pt_close(struct sc_backend *b)
{
	if (!b)
		return;
	pt_proc_stop(&b->proc);
	munmap(b->counts, SC_MAX_NR * sizeof(*b->counts));
	free(b);
}

const struct sc_backend_ops sc_backend_ptrace = {
	.name = "ptrace",
	.open = pt_open,
	.start = pt_start,
	.read = pt_read,
	.read_stacks = pt_read_stacks,
	.close = pt_close,
};
