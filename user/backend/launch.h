/* Launching a traced command stopped before exec, so probes can attach to its PID first. */
#ifndef GOTRACE_LAUNCH_H
#define GOTRACE_LAUNCH_H
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* A forked child parked before execv(path, argv); stdio is inherited (passed through). */
struct launched {
	pid_t pid;
	char path[PATH_MAX];  /* the executable the child will run (argv[0] resolved via $PATH) */
	int go_fd;            /* write end: one byte releases the child, EOF makes it _exit(127) */
	int err_fd;           /* read end: the child writes its exec errno here; EOF = exec done */
	bool released;
	bool reaped;
};

/* Resolves argv[0] like execvp does (-ENOENT, -EACCES when there is nothing to run:
 * checked before forking so no probe is attached in vain), then forks the parked child.
 * 0 or -errno; on error nothing is left running. */
int launch_stopped(char *const argv[], struct launched *out);

/* Lets the child exec and waits until the exec happened. 0, or the child's exec
 * failure as -errno (the child is then reaped). Print it as
 * "gotrace: cannot run 'CMD': <strerror>" and exit 1. */
int launch_release(struct launched *l);

/* Waits for the child to end (blocking; -EINTR when a signal arrives, so callers can
 * check their stop flag). *status as from waitpid. 0 or -errno. */
int launch_wait(struct launched *l, int *status);

/* Non-blocking: *exited = true and *status set when the child has ended (and is reaped). */
int launch_reap(struct launched *l, bool *exited, int *status);

/* Cleanup on an error before or after release: kills (SIGKILL) and reaps a child that
 * has not ended, closes the pipes. Safe to call twice or after launch_wait. */
void launch_abort(struct launched *l);

/* Closes the pipes of a child that was reaped or left running; safe to call twice. */
void launch_close(struct launched *l);
#endif
