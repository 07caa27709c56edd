/* The ptrace engine: seizes every thread of a process, runs the stop/restart loop, detaches cleanly. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backend/ptrace_attach.h"
#include "proc/procparse.h"

#define SEIZE_OPTS (PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC)
#define SYSCALL_STOP (SIGTRAP | 0x80)
/* Period of the SIGALRM tick (see install_signals). */
#define PT_TICK_US 20000
/* How long detach waits for threads to reach a stop: an interrupted live thread stops in
 * microseconds; only one stuck in the kernel (D state) takes longer, and we leave it to the
 * kernel's detach at our exit rather than hang. */
#define PT_DETACH_WAIT_NS 2000000000ull
#define PT_DETACH_POLL_NS 1000000

uint64_t pt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int pt_tracer_of(pid_t pid, pid_t *tracer)
{
	char path[64], line[256];
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "TracerPid:", 10)) {
			*tracer = (pid_t)strtol(line + 10, NULL, 10);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

bool pt_is_parked(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return !stat(path, &a) && !stat("/proc/self/exe", &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static struct pt_task *task_find(struct pt_session *s, pid_t tid)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i]->tid == tid && !s->tasks[i]->gone)
			return s->tasks[i];
	return NULL;
}

static int task_add(struct pt_session *s, pid_t tid, struct pt_task **out)
{
	struct pt_task *t;
	size_t live = 0;

	if (s->ntasks == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): one element is a pointer, as meant */
		struct pt_task **n = realloc(s->tasks, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->tasks = n;
		s->cap = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->tid = tid;
	s->tasks[s->ntasks++] = t;
	for (size_t i = 0; i < s->ntasks; i++)
		live += !s->tasks[i]->gone;
	if (live > s->peak_threads)
		s->peak_threads = live;
	*out = t;
	return 0;
}

/* Frees threads that are gone; only called where no hook holds a task pointer. */
static void tasks_reclaim(struct pt_session *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->ntasks; i++) {
		if (s->tasks[i]->gone)
			free(s->tasks[i]);
		else
			s->tasks[j++] = s->tasks[i];
	}
	s->ntasks = j;
}

static size_t tasks_live(const struct pt_session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ntasks; i++)
		n += !s->tasks[i]->gone;
	return n;
}

static void task_gone(struct pt_session *s, struct pt_task *t, int st)
{
	t->gone = true;
	t->stopped = false;
	if (t->tid == s->pid)
		s->exit_status = st;
	if (!tasks_live(s))
		s->ended = true;
}

/* A task reported by wait4 that we do not know: a thread the kernel attached at clone
 * whose first stop came before its creator's clone event. */
static struct pt_task *task_get(struct pt_session *s, pid_t tid)
{
	struct pt_task *t = task_find(s, tid);

	if (!t && task_add(s, tid, &t))
		return NULL;
	return t;
}

static void resume(struct pt_session *s, struct pt_task *t)
{
	int sig = t->inject;

	t->inject = 0;
	t->stopped = false;
	/* ESRCH: it was killed meanwhile (SIGKILL); its exit status follows from wait4. */
	ptrace(s->resume_req, t->tid, NULL, (void *)(long)sig);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Handles one wait status of t. When detaching, the thread is left stopped instead of resumed. */
static int handle(struct pt_session *s, struct pt_task *t, int st, bool detaching)
{
	int sig, ev, r = 0;
	unsigned long msg;
	struct pt_task *child;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		task_gone(s, t, st);
		return 0;
	}
	if (!WIFSTOPPED(st))
		return 0;
	t->stopped = true;
	t->listening = false;
	sig = WSTOPSIG(st);
	ev = (unsigned)st >> 16;
	if (sig == SYSCALL_STOP) {
		if (!detaching && s->hooks.syscall)
			r = s->hooks.syscall(s, t, s->hooks.ctx);
	} else if (ev == PTRACE_EVENT_CLONE) {
		if (!ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) && !task_find(s, (pid_t)msg))
			r = task_add(s, (pid_t)msg, &child);
	} else if (ev == PTRACE_EVENT_EXEC) {
		/* A new image (a launched child's exec): breakpoints go in now. */
		s->await_exec = false;
		if (s->hooks.exec)
			r = s->hooks.exec(s, t, s->hooks.ctx);
	} else if (ev == PTRACE_EVENT_STOP) {
		if (is_stop_signal(sig) && !detaching) {
			/* Group-stop: the process was stopped (SIGSTOP, ^Z); stay stopped without
			 * blocking us, and learn of SIGCONT through another event stop. */
			t->stopped = false;
			t->listening = true;
			ptrace(PTRACE_LISTEN, t->tid, NULL, NULL);
			return 0;
		}
		/* Our PTRACE_INTERRUPT, or the first stop of a new thread. */
	} else if (ev == 0) {
		/* Signal-delivery stop: a breakpoint of ours, or a signal meant for the target. */
		t->inject = sig;
		if (sig == SIGTRAP && s->hooks.trap) {
			/* The hook may set inject itself (a signal that came while it stepped). */
			t->inject = 0;
			r = s->hooks.trap(s, t, s->hooks.ctx);
			if (r == 0)
				t->inject = sig;
			r = r > 0 ? 0 : r;
		}
	}
	/* PTRACE_EVENT_EXIT: the thread is on its way out; resuming lets it go. */
	/* A stop collected by a hook (has_status) is handled on its own, later. */
	if (!detaching && t->stopped && !t->gone && !t->has_status)
		resume(s, t);
	return r;
}

/* The one piece of global state: a signal handler has nowhere else to write. */
static volatile sig_atomic_t stop_signo;

static void on_stop(int sig) { stop_signo = sig; }
static void on_tick(int sig) { (void)sig; }

/* Stop requests (SIGINT, SIGTERM, SIGHUP) set a flag and interrupt the blocking wait4 (no
 * SA_RESTART); a periodic SIGALRM bounds how long a request that lands between the flag
 * check and the wait4 can go unseen on a quiet target, and serves pt_run's deadline.
 * SIGCHLD stays at its default: discarded at once, one per stop, costing nothing. */
static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct itimerval tick = { { 0, PT_TICK_US }, { 0, PT_TICK_US } };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) || sigaction(SIGHUP, &sa, NULL))
		return -errno;
	sa.sa_handler = on_tick;
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) || setitimer(ITIMER_REAL, &tick, NULL))
		return -errno;
	return 0;
}

/* Collects one stop of a thread just seized and interrupted, keeping it for pt_run. */
static int collect_stop(struct pt_session *s, struct pt_task *t)
{
	int st;

	while (!t->stopped && !t->gone) {
		int r = pt_wait_task(s, t, &st);

		if (r)
			return r;
	}
	return 0;
}

int pt_wait_task(struct pt_session *s, struct pt_task *t, int *st)
{
	pid_t r;

	do
		r = waitpid(t->tid, st, __WALL);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == ECHILD) {
			task_gone(s, t, 0);
			return 0;
		}
		return -errno;
	}
	if (WIFEXITED(*st) || WIFSIGNALED(*st)) {
		task_gone(s, t, *st);
	} else {
		t->stopped = true;
		t->has_status = true;
		t->status = *st;
	}
	return 0;
}

/* One pass over /proc/PID/task seizing threads we do not have yet; *added counts them. */
static int seize_pass(struct pt_session *s, size_t *added, pid_t *tracer)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int r = 0;

	*added = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)s->pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		struct pt_task *t;

		if (tid <= 0 || task_find(s, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)SEIZE_OPTS) < 0) {
			r = -errno;
			if (r == -ESRCH && tid != s->pid) {
				r = 0;  /* a thread that just exited */
				continue;
			}
			if (r == -EPERM && tid != s->pid) {
				pid_t by = 0;

				/* Created by a thread we already hold: the kernel attached it to us. */
				if (!pt_tracer_of(tid, &by) && by == getpid()) {
					r = task_add(s, tid, &t);
					if (r)
						break;
					(*added)++;
					continue;
				}
			}
			if (r == -EPERM && tracer)
				pt_tracer_of(s->pid, tracer);
			break;
		}
		r = task_add(s, tid, &t);
		if (r)
			break;
		(*added)++;
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno != ESRCH) {
			r = -errno;
			break;
		}
		r = collect_stop(s, t);
		if (r)
			break;
	}
	closedir(d);
	return r;
}

int pt_attach(struct pt_session *s, pid_t pid, int resume_req, const struct pt_hooks *h,
	      unsigned flags, pid_t *tracer)
{
	size_t added;
	int r;

	(void)flags;
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->resume_req = resume_req;
	if (h)
		s->hooks = *h;
	if (tracer)
		*tracer = 0;
	r = install_signals();
	if (r)
		return r;
	do
		r = seize_pass(s, &added, tracer);
	while (!r && added);
	if (!r && !task_find(s, pid))
		r = -ESRCH;
	if (r) {
		s->hooks.detach = NULL;  /* nothing of ours is in the target yet */
		pt_detach(s);
		pt_session_free(s);
		return r;
	}
	return 0;
}

/* Handles the stops collected out of order, oldest first is not needed: each is independent. */
static int handle_kept(struct pt_session *s, bool detaching)
{
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];

		if (t->has_status && !t->gone) {
			int r;

			t->has_status = false;
			r = handle(s, t, t->status, detaching);
			if (r)
				return r;
		}
	}
	return 0;
}

static int dispatch(struct pt_session *s, pid_t pid, int st, bool detaching)
{
	struct pt_task *t = task_get(s, pid);

	if (!t)
		return -ENOMEM;
	return handle(s, t, st, detaching);
}

int pt_run(struct pt_session *s, uint64_t deadline_ns, int *sig, enum pt_stop *why)
{
	int r, st;

	*sig = 0;
	for (;;) {
		pid_t pid;

		tasks_reclaim(s);
		r = handle_kept(s, false);
		if (r)
			return r;
		if (s->ended) {
			*why = PT_ENDED;
			return 0;
		}
		if (stop_signo) {
			*sig = stop_signo;
			stop_signo = 0;
			*why = PT_SIGNALLED;
			return 0;
		}
		if (deadline_ns && pt_now_ns() >= deadline_ns) {
			*why = PT_TIMEOUT;
			return 0;
		}
		/* One blocking wait per stop, like strace; signals interrupt it (EINTR). */
		pid = wait4(-1, &st, __WALL, NULL);
		if (pid > 0) {
			r = dispatch(s, pid, st, false);
			if (r)
				return r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ECHILD) {
			s->ended = true;
			*why = PT_ENDED;
			return 0;
		}
		return -errno;
	}
}

int pt_stop_others(struct pt_session *s, struct pt_task *except)
{
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];

		if (t == except || t->gone || t->stopped || t->listening)
			continue;
		if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 && errno != ESRCH)
			return -errno;
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];
		int r;

		if (t == except || t->listening)
			continue;
		r = collect_stop(s, t);
		if (r)
			return r;
	}
	return 0;
}

/* Whether thread tid of pid will never report a stop again: reaped, or a zombie. A zombie
 * leader is not even reported to wait4 while other threads live, and detach holds those
 * stopped (one of them maybe in its exit stop), so waiting for it would wait forever. */
static bool task_dead(pid_t pid, pid_t tid)
{
	char path[64], buf[1024];
	struct proc_stat ps;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	if (proc_parse_stat(buf, (size_t)n, &ps))
		return true;
	return ps.state == 'Z' || ps.state == 'X' || ps.state == 'x';
}

/* Threads not stopped yet that still can stop; the dead ones are marked gone. */
static bool detach_pending(struct pt_session *s, bool check_dead)
{
	bool waiting = false;

	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];

		if (t->gone || t->stopped)
			continue;
		if (check_dead && task_dead(s->pid, t->tid)) {
			t->gone = true;  /* its exit status is its real parent's to take */
			continue;
		}
		waiting = true;
	}
	return waiting;
}

int pt_detach(struct pt_session *s)
{
	const struct timespec poll_gap = { 0, PT_DETACH_POLL_NS };
	uint64_t give_up = pt_now_ns() + PT_DETACH_WAIT_NS;
	bool check_dead = false;
	int r = 0, st;

	if (s->detached)
		return 0;
	s->detached = true;
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];

		if (!t->gone && !t->stopped && ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 && errno == ESRCH)
			check_dead = true;
	}
	/* Never blocks: a thread that can no longer stop must not hold us (nor a stop request). */
	for (;;) {
		pid_t pid;

		handle_kept(s, true);
		if (!detach_pending(s, check_dead))
			break;
		pid = wait4(-1, &st, __WALL | WNOHANG, NULL);
		if (pid > 0) {
			dispatch(s, pid, st, true);
			/* A thread created meanwhile is attached and reports its own first stop. */
			continue;
		}
		if (pid < 0 && errno != EINTR)
			break;  /* ECHILD: nothing left to wait for */
		if (pt_now_ns() >= give_up)
			break;
		/* Nothing to report: whoever has not stopped may be dead; look from now on. */
		check_dead = true;
		nanosleep(&poll_gap, NULL);
	}
	if (s->hooks.detach)
		s->hooks.detach(s, s->hooks.ctx);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pt_task *t = s->tasks[i];

		if (t->gone)
			continue;
		if (ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->inject) < 0 && errno != ESRCH && !r)
			r = -errno;
	}
	return r;
}

void pt_session_free(struct pt_session *s)
{
	for (size_t i = 0; i < s->ntasks; i++)
		free(s->tasks[i]);
	free(s->tasks);
	s->tasks = NULL;
	s->ntasks = s->cap = 0;
}
