/* Test driver of the ptrace engine: counts a process's syscalls, or plants breakpoints and counts hits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <time.h>
#include "backend/ptrace_bp.h"
#include "backend/ptrace_syscalls.h"
#include "cmd/cmd.h"

static const char usage[] =
	"Usage: lib-ptdrive syscalls PID     count until SIGINT/SIGTERM or the target ends\n"
	"       lib-ptdrive bp PID ADDR...   breakpoints at hex ADDRs; print hits at the end\n"
	"Prints 'attached' on stdout once attached, the results when done.\n";

/* syscalls: the backend as gotrace uses it (tracer process + shared table). */
static int run_syscalls(pid_t pid)
{
	struct sc_config cfg = { .pids = &pid, .npids = 1 };
	struct sc_backend *b;
	struct sc_snapshot *snap;
	char why[256] = "";
	sigset_t set;
	struct timespec tick = { 0, 50 * 1000000 };
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r = sc_backend_ptrace.open(&cfg, &b, why, sizeof(why));
	if (!r)
		r = sc_backend_ptrace.start(b, why, sizeof(why));
	if (r) {
		fprintf(stderr, "lib-ptdrive: cannot attach to PID %d: %s\n", (int)pid, why[0] ? why : strerror(-r));
		if (b)
			sc_backend_ptrace.close(b);
		return EXIT_RUNTIME;
	}
	printf("attached\n");
	fflush(stdout);
	while (sigtimedwait(&set, NULL, &tick) < 0 && kill(pid, 0) == 0)
		;
	snap = calloc(1, sizeof(*snap));
	if (!snap) {
		sc_backend_ptrace.close(b);
		return EXIT_RUNTIME;
	}
	sc_backend_ptrace.read(b, snap);
	sc_backend_ptrace.close(b);
	for (int i = 0; i < SC_MAX_NR; i++)
		if (snap->nr[i].calls)
			printf("nr=%d calls=%llu errors=%llu\n", i, (unsigned long long)snap->nr[i].calls,
			       (unsigned long long)snap->nr[i].errors);
	free(snap);
	return EXIT_OK;
}

static int count_hit(void *ctx, const struct pt_hit *h)
{
	(void)ctx;
	(void)h;
	return 0;
}

static int run_bp(pid_t pid, int naddr, char **addrs)
{
	struct pt_bpset bps;
	struct pt_hooks h = { .trap = pt_bp_trap, .detach = pt_bp_detach, .ctx = &bps };
	struct pt_session s;
	enum pt_stop why;
	pid_t tracer;
	int r, sig;

	r = pt_attach(&s, pid, PTRACE_CONT, &h, 0, &tracer);
	if (r) {
		if (r == -EPERM && tracer > 0)
			fprintf(stderr, "lib-ptdrive: cannot attach to PID %d: already traced by PID %d\n", (int)pid, (int)tracer);
		else
			fprintf(stderr, "lib-ptdrive: cannot attach to PID %d: %s\n", (int)pid, strerror(-r));
		return EXIT_RUNTIME;
	}
	r = pt_bp_init(&bps, pid, count_hit, NULL);
	for (int i = 0; !r && i < naddr; i++)
		r = pt_bp_add(&bps, strtoull(addrs[i], NULL, 16), (uint64_t)i);
	if (r)
		fprintf(stderr, "lib-ptdrive: breakpoint: %s\n", strerror(-r));
	else
		printf("attached\n");
	fflush(stdout);
	do
		r = r ? r : pt_run(&s, 0, &sig, &why);
	while (!r && why == PT_TIMEOUT);
	pt_detach(&s);
	printf("hits=%llu steps=%llu threads=%zu ended=%d\n", (unsigned long long)bps.hits,
	       (unsigned long long)bps.steps, s.peak_threads, s.ended);
	pt_bp_free(&bps);
	pt_session_free(&s);
	if (r)
		fprintf(stderr, "lib-ptdrive: %s\n", strerror(-r));
	return r ? EXIT_RUNTIME : EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "syscalls"))
		return run_syscalls((pid_t)atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "bp"))
		return run_bp((pid_t)atoi(argv[2]), argc - 3, argv + 3);
	fputs(usage, stderr);
	return EXIT_USAGE;
}
