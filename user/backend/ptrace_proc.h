/* Runs a ptrace session in a forked tracer process, so the tracer's waits never race the caller's. */
#ifndef GOTRACE_PTRACE_PROC_H
#define GOTRACE_PTRACE_PROC_H
#include <stddef.h>
#include <sys/types.h>

/* Why a tracer process runs apart from gotrace's main process: a launched command is
 * gotrace's child, and wait() in any thread of the tracer's process would also take the
 * ptrace stops; the main process keeps its own waitpid/launch_* logic unchanged. */
struct pt_proc {
	pid_t pid;       /* the tracer process */
	int data_fd;     /* read end of the tracer's data pipe (records), or -1 */
};

/* What the tracer reports once it is attached (or failed to). */
struct pt_proc_report {
	int err;         /* 0 or -errno of pt_attach */
	pid_t tracer;    /* with -EPERM: the PID already tracing the target, 0 if none */
};

/* The tracer's job: attach, write exactly one report to report_fd, trace until SIGTERM
 * or the target's end, detach. data_fd (write end) carries records, if the job has any.
 * Returns the tracer's exit code. */
typedef int (*pt_proc_body)(void *arg, int report_fd, int data_fd);

/* Forks the tracer running body and waits for its report, returned in *rep.
 * 0 (check rep->err) or -errno when the tracer could not be started. */
int pt_proc_start(struct pt_proc *p, pt_proc_body body, void *arg, struct pt_proc_report *rep);
/* Writes the report from inside body. */
int pt_proc_report(int report_fd, int err, pid_t tracer);
/* How long a tracer asked to stop may take to detach (its own detach gives up after 2 s). */
#define PT_PROC_GRACE_MS 5000
/* Reaps a tracer already asked to stop; one still there after PT_PROC_GRACE_MS is stuck and
 * gets SIGKILL. Idempotent. */
void pt_proc_reap(struct pt_proc *p);
/* Asks the tracer to detach (SIGTERM) and reaps it; the target keeps running. Idempotent. */
void pt_proc_stop(struct pt_proc *p);
/* Formats the attach failure the way SPEC.md words it: "cannot attach to PID N: already
 * traced by PID M" (or the strerror). */
void pt_proc_why(const struct pt_proc_report *rep, pid_t pid, char *why, size_t whylen);
#endif
