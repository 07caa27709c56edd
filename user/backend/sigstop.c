/* Stop requests from SIGINT/SIGTERM: a flag set by the handler, and a wait that wakes on it. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "backend/sigstop.h"

/* The one piece of global state: a signal handler has nowhere else to write. */
static volatile sig_atomic_t stop_signo;

static void on_signal(int sig)
{
	stop_signo = sig;
}

int sigstop_install(struct sigstop *s)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, &s->old_mask))
		return -errno;
	s->wait_mask = s->old_mask;
	sigdelset(&s->wait_mask, SIGINT);
	sigdelset(&s->wait_mask, SIGTERM);
	if (sigaction(SIGINT, &sa, &s->old_int) || sigaction(SIGTERM, &sa, &s->old_term))
		return -errno;
	return 0;
}

int sigstop_signal(void)
{
	return stop_signo;
}

int sigstop_poll(const struct sigstop *s, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	int r;

	if (stop_signo)
		return -EINTR;
	r = ppoll(fds, n, timeout_ms < 0 ? NULL : &ts, &s->wait_mask);
	if (r < 0)
		return -errno;
	return r;
}

void sigstop_restore(const struct sigstop *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
}
