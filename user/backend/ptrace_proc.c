/* Runs a ptrace session in a forked tracer process, so the tracer's waits never race the caller's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backend/privhint.h"
#include "backend/ptrace_proc.h"

int pt_proc_report(int report_fd, int err, pid_t tracer)
{
	struct pt_proc_report rep = { .err = err, .tracer = tracer };
	ssize_t n;

	do
		n = write(report_fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(rep) ? 0 : -EIO;
}

int pt_proc_start(struct pt_proc *p, pt_proc_body body, void *arg, struct pt_proc_report *rep)
{
	int rp[2], dp[2], r;
	pid_t pid, parent = getpid();
	ssize_t n;

	p->pid = -1;
	p->data_fd = -1;
	memset(rep, 0, sizeof(*rep));
	if (pipe2(rp, O_CLOEXEC))
		return -errno;
	if (pipe2(dp, O_CLOEXEC)) {
		r = -errno;
		close(rp[0]);
		close(rp[1]);
		return r;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(rp[0]);
		close(rp[1]);
		close(dp[0]);
		close(dp[1]);
		return r;
	}
	if (pid == 0) {
		sigset_t set;

		/* Stop signals are taken synchronously by pt_run; never die half-attached. */
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		close(rp[0]);
		close(dp[0]);
		/* If gotrace dies, detach rather than leave the target traced by an orphan. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		_exit(body(arg, rp[1], dp[1]));
	}
	close(rp[1]);
	close(dp[1]);
	p->pid = pid;
	p->data_fd = dp[0];
	do
		n = read(rp[0], rep, sizeof(*rep));
	while (n < 0 && errno == EINTR);
	close(rp[0]);
	if (n != (ssize_t)sizeof(*rep)) {
		pt_proc_stop(p);
		return -EIO;
	}
	if (rep->err)
		pt_proc_stop(p);
	return 0;
}

void pt_proc_reap(struct pt_proc *p)
{
	const struct timespec gap = { 0, 10 * 1000000 };
	int left = PT_PROC_GRACE_MS / 10;

	if (p->pid <= 0)
		return;
	/* Polled, not blocking: a stop request (SIGINT/SIGTERM) must end gotrace promptly, and a
	 * tracer that does not finish in time is stuck, not busy. */
	while (waitpid(p->pid, NULL, WNOHANG) == 0 && left-- > 0)
		nanosleep(&gap, NULL);
	if (left < 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	p->pid = -1;
}

void pt_proc_stop(struct pt_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		pt_proc_reap(p);
	}
	if (p->data_fd >= 0)
		close(p->data_fd);
	p->data_fd = -1;
}

void pt_proc_why(const struct pt_proc_report *rep, pid_t pid, char *why, size_t whylen)
{
	if (rep->err == -EPERM && rep->tracer > 0)
		snprintf(why, whylen, "cannot attach to PID %d: already traced by PID %d", (int)pid, (int)rep->tracer);
	else
		snprintf(why, whylen, "cannot attach to PID %d: %s%s", (int)pid, strerror(-rep->err),
			 priv_hint(rep->err, PRIV_PTRACE));
}
