/* Stop requests from SIGINT/SIGTERM: a flag set by the handler, and a wait that wakes on it. */
#ifndef GOTRACE_SIGSTOP_H
#define GOTRACE_SIGSTOP_H
#include <poll.h>
#include <signal.h>
#include <stdbool.h>

/* What install changed, for restore; owned by the caller. */
struct sigstop {
	struct sigaction old_int, old_term;
	sigset_t old_mask;
	sigset_t wait_mask;  /* the mask during sigstop_poll: the two signals unblocked */
};

/* Installs the handlers and blocks both signals outside sigstop_poll, so a signal that
 * arrives between checking the flag and sleeping cannot be missed. 0 or -errno. */
int sigstop_install(struct sigstop *s);
/* The signal that asked to stop (SIGINT, SIGTERM), or 0. */
int sigstop_signal(void);
/* ppoll(fds, n, timeout_ms) with the two signals unblocked; a signal makes it return
 * -EINTR (and sets the flag). Otherwise the number of ready fds (0 on timeout) or -errno. */
int sigstop_poll(const struct sigstop *s, struct pollfd *fds, nfds_t n, int timeout_ms);
/* Restores the previous handlers and mask. */
void sigstop_restore(const struct sigstop *s);
#endif
