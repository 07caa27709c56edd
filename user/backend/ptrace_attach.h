/* The ptrace engine: seizes every thread of a process, runs the stop/restart loop, detaches cleanly. */
#ifndef GOTRACE_PTRACE_ATTACH_H
#define GOTRACE_PTRACE_ATTACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One traced thread. Allocated singly, so pointers stay valid while threads come and go
 * (until the thread is gone and the next pt_run iteration reclaims it). */
struct pt_task {
	pid_t tid;
	bool stopped;       /* in a ptrace-stop: it runs again only when we resume it */
	bool listening;     /* group-stopped (SIGSTOP & co.), parked with PTRACE_LISTEN */
	bool gone;          /* exited; reclaimed at a safe point */
	bool has_status;    /* a stop collected out of order (while stepping another thread) */
	int status;         /* that stop's wait status */
	int inject;         /* signal to deliver when it is resumed (0 = none) */
	/* Syscall accounting (ptrace_syscalls.c): the syscall this thread is in, if we saw it enter. */
	bool in_syscall;
	int32_t sys_nr;
	uint64_t sys_t0;    /* CLOCK_MONOTONIC ns at entry */
};

struct pt_session;

/* What a user of the engine does at the stops it cares about. Any hook may be NULL.
 * Hooks run with the thread stopped and must not resume it. */
struct pt_hooks {
	/* syscall-entry or -exit stop (resume mode PTRACE_SYSCALL); 0 or -errno (ends the run). */
	int (*syscall)(struct pt_session *s, struct pt_task *t, void *ctx);
	/* SIGTRAP signal-delivery stop: 1 = it was ours (not delivered), 0 = a real signal. */
	int (*trap)(struct pt_session *s, struct pt_task *t, void *ctx);
	/* The process executed a new image (after a launch: the command's exec). */
	int (*exec)(struct pt_session *s, struct pt_task *t, void *ctx);
	/* Every thread is stopped and about to be detached: undo changes to the target. */
	void (*detach)(struct pt_session *s, void *ctx);
	void *ctx;
};

struct pt_session {
	pid_t pid;
	struct pt_task **tasks;
	size_t ntasks, cap;
	int resume_req;         /* PTRACE_SYSCALL or PTRACE_CONT */
	struct pt_hooks hooks;
	bool ended;             /* every thread is gone: the process exited */
	int exit_status;        /* the main thread's wait status when ended */
	bool detached;
	bool await_exec;        /* a launched child still parked in gotrace's image (see pt_is_parked) */
	size_t peak_threads;
};

/* Why pt_run returned. */
enum pt_stop { PT_TIMEOUT, PT_ENDED, PT_SIGNALLED };

/* No flags yet; a child parked before exec (launch_stopped) is attached like any process,
 * and hooks.exec runs once its new image is in place. */

/* Seizes every thread of process pid (PTRACE_SEIZE, repeated over /proc/PID/task until no
 * new thread shows up; later threads are attached by the kernel at clone) and leaves them
 * all stopped, so breakpoints can be written before pt_run resumes them. Takes over the
 * caller's SIGINT, SIGTERM and SIGHUP (a stop request for pt_run), SIGALRM (a 20 ms tick)
 * and SIGCHLD (default): meant for a process that only traces (ptrace_proc.c).
 * -EPERM with *tracer > 0 when another tracer holds it ("already traced by PID M"),
 * -ESRCH when it is gone. On error nothing stays attached. */
int pt_attach(struct pt_session *s, pid_t pid, int resume_req, const struct pt_hooks *h,
	      unsigned flags, pid_t *tracer);

/* Runs the target until deadline_ns (CLOCK_MONOTONIC absolute; 0 = none; seen within a
 * tick) passes, a stop signal arrives (*sig says which), or the process ends. -errno on
 * engine failure. */
int pt_run(struct pt_session *s, uint64_t deadline_ns, int *sig, enum pt_stop *why);

/* Stops every thread, lets hooks.detach undo its changes, then detaches each thread,
 * handing back signals that were on their way. The target keeps running. Idempotent. */
int pt_detach(struct pt_session *s);
void pt_session_free(struct pt_session *s);

/* Stops every other running thread (for stepping over an instruction with the original
 * bytes in place). Their stops are kept and handled by pt_run later. 0 or -errno. */
int pt_stop_others(struct pt_session *s, struct pt_task *except);
/* Waits for the next stop of this one thread (after PTRACE_SINGLESTEP); *st as waitpid's. */
int pt_wait_task(struct pt_session *s, struct pt_task *t, int *st);

/* TracerPid of pid from /proc/PID/status (0 = not traced). 0 or -errno. */
int pt_tracer_of(pid_t pid, pid_t *tracer);
uint64_t pt_now_ns(void);
/* Whether pid still runs gotrace's own image: a child forked by launch_stopped, parked
 * before its exec. Its syscalls before the exec are gotrace's, not the command's. */
bool pt_is_parked(pid_t pid);
#endif
