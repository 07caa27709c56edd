/* gotrace syscalls: option parsing and the trace loop (attach, wait for a stop, print the summary). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "backend/backend.h"
#include "backend/launch.h"
#include "backend/sigstop.h"
#include "cmd/cliutil.h"
#include "cmd/cmd.h"
#include "output/scstacks.h"
#include "output/sctable.h"

/* Call paths printed per syscall with --stacks. */
#define SC_PATHS_PER_SYSCALL 5

struct sc_opts {
	pid_t pids[CLI_MAX_PIDS];
	size_t npids;
	double duration;      /* seconds, 0 = until stopped */
	double interval;      /* seconds, 0 = one summary at the end */
	bool json;
	bool stacks;
	const char *folded;   /* --folded FILE */
	const char *backend;  /* auto, bpf, ptrace */
	unsigned long top;    /* 0 = all rows */
	enum sc_level level;
	char **cmd;           /* -- CMD ARGS, or NULL */
};

static const char usage[] =
	"Usage: gotrace syscalls -p PID [options]\n"
	"       gotrace syscalls [options] -- CMD [ARGS...]\n"
	"Count the syscalls of every thread of a process (calls, errors, wall time), in the\n"
	"kernel, and print a summary like strace -c -w when the trace ends (Ctrl-C, SIGTERM,\n"
	"-d, or the process's exit).\n"
	"\n"
	"  -p, --pid PID[,PID...]  trace these processes (repeatable)\n"
	"  -d, --duration SEC      stop after SEC seconds\n"
	"  -i, --interval SEC      also print the counts of each SEC-second interval\n"
	"      --top N             show only the N syscalls with the most time\n"
	"      --stacks            count by Go call path and print the top paths per syscall\n"
	"      --folded FILE       write folded stacks for flame graphs (implies --stacks)\n"
	"      --json              one JSON object per summary (JSON Lines)\n"
	"      --backend B         auto (default), bpf or ptrace\n"
	"  -h, --help              show this help\n";

enum { OPT_TOP = 256, OPT_STACKS, OPT_FOLDED, OPT_JSON, OPT_BACKEND, OPT_LEVEL };

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "stacks", no_argument, NULL, OPT_STACKS },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	/* For make bench's cost breakdown only: how much of the BPF program runs. */
	{ "bpf-level", required_argument, NULL, OPT_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("gotrace: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try 'gotrace syscalls --help')\n", stderr);
	return -EINVAL;
}

static int parse_level(const char *s, enum sc_level *out)
{
	static const char *const names[] = {
		[SC_LEVEL_FULL] = "full", [SC_LEVEL_EMPTY] = "empty",
		[SC_LEVEL_FILTER] = "filter", [SC_LEVEL_COUNT] = "count",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum sc_level)i;
			return 0;
		}
	return -EINVAL;
}

/* 0 = run, 1 = help shown, -EINVAL = usage error (already reported). */
static int parse_opts(int argc, char **argv, struct sc_opts *o)
{
	int c, r;

	memset(o, 0, sizeof(*o));
	o->backend = "auto";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:d:i:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			r = cli_parse_pids(optarg, o->pids, &o->npids, CLI_MAX_PIDS);
			if (r == -E2BIG)
				return usage_error("too many PIDs (at most %s)", "64");
			if (r)
				return usage_error("invalid PID '%s'", optarg);
			break;
		case 'd':
			if (cli_parse_seconds(optarg, &o->duration))
				return usage_error("invalid duration '%s': want a positive number of seconds", optarg);
			break;
		case 'i':
			if (cli_parse_seconds(optarg, &o->interval))
				return usage_error("invalid interval '%s': want a positive number of seconds", optarg);
			break;
		case OPT_TOP:
			if (cli_parse_ulong(optarg, 1, SC_MAX_NR, &o->top))
				return usage_error("invalid --top '%s': want a count from 1", optarg);
			break;
		case OPT_STACKS:
			o->stacks = true;
			break;
		case OPT_FOLDED:
			o->folded = optarg;
			o->stacks = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "auto") && strcmp(optarg, "bpf") && strcmp(optarg, "ptrace"))
				return usage_error("unknown backend '%s': want auto, bpf or ptrace", optarg);
			o->backend = optarg;
			break;
		case OPT_LEVEL:
			if (parse_level(optarg, &o->level))
				return usage_error("unknown --bpf-level '%s': want full, count, filter or empty", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	if (o->cmd && o->npids)
		return usage_error("%s", "give either -p PID or -- CMD, not both");
	if (!o->cmd && !o->npids)
		return usage_error("%s", "nothing to trace: give -p PID or -- CMD");
	return 0;
}

/* Everything one trace holds; released by trace_end. */
struct trace {
	const struct sc_opts *o;
	const struct sc_backend_ops *ops;
	struct sc_backend *b;
	struct launched child;
	bool launched;
	pid_t pids[CLI_MAX_PIDS];
	size_t npids;
	struct pollfd pfds[CLI_MAX_PIDS];
	bool polled[CLI_MAX_PIDS]; /* no pidfd (kernel < 5.3, valgrind): checked every PROC_POLL_MS */
	size_t npolled;
	size_t alive;
	struct sigstop sig;
	bool sig_installed;
	struct scsym *sym;
	struct sc_snapshot *cur, *prev;
	uint64_t t_start, t_prev;  /* CLOCK_MONOTONIC ns */
	FILE *folded;              /* opened before attaching, so a bad path fails first */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How often a target without a pidfd is looked up in /proc. */
#define PROC_POLL_MS 100

/* A pidfd turns readable when the process ends: the loop's way to notice the target's exit. */
static int open_pidfd(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

/* Picks the backend for --backend: auto is BPF, falling back to ptrace (one notice) when BPF cannot load. */
static int pick_backend(struct trace *t, char *why, size_t whylen)
{
	const struct sc_backend_ops *bpf = sc_backend_find("bpf"), *pt = sc_backend_find("ptrace");
	struct sc_config cfg = {
		.pids = t->pids, .npids = t->npids, .stacks = t->o->stacks, .level = t->o->level,
	};
	int err;

	if (!strcmp(t->o->backend, "ptrace")) {
		if (!pt) {
			snprintf(why, whylen, "the ptrace backend is not available in this build (use --backend bpf)");
			return -ENOSYS;
		}
		t->ops = pt;
		return pt->open(&cfg, &t->b, why, whylen);
	}
	t->ops = bpf;
	err = bpf->open(&cfg, &t->b, why, whylen);
	if (err && !strcmp(t->o->backend, "auto") && pt) {
		fprintf(stderr, "gotrace: BPF unavailable (%s); falling back to ptrace\n", why);
		t->ops = pt;
		err = pt->open(&cfg, &t->b, why, whylen);
	}
	return err;
}

/* Resolves -p PIDs to live processes (thread IDs to their process). */
static int check_pids(struct trace *t)
{
	for (size_t i = 0; i < t->o->npids; i++) {
		pid_t tgid;
		size_t j;

		if (cli_pid_check(t->o->pids[i], &tgid)) {
			fprintf(stderr, "gotrace: no process with PID %d\n", (int)t->o->pids[i]);
			return -ESRCH;
		}
		for (j = 0; j < t->npids && t->pids[j] != tgid; j++)
			;
		if (j == t->npids)
			t->pids[t->npids++] = tgid;
	}
	return 0;
}

static void print_summary(struct trace *t, const struct sc_snapshot *prev, uint64_t dur_ns, bool interval)
{
	struct sc_summary *s = malloc(sizeof(*s));

	if (!s)
		return;
	sctable_build(t->cur, prev, s);
	if (t->o->json) {
		struct sc_meta m = {
			.pid = t->pids[0], .backend = t->ops->name, .duration_ns = dur_ns,
			.lost = t->cur->lost_calls + t->cur->lost_stacks -
				(prev ? prev->lost_calls + prev->lost_stacks : 0),
		};

		sctable_json(stdout, &m, s, t->o->top);
	} else {
		if (interval) {
			char stamp[16];
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
			printf("--- %s  interval of %.3f s\n", stamp, (double)dur_ns / 1e9);
		} else if (t->o->interval) {
			printf("--- total over %.3f s\n", (double)dur_ns / 1e9);
		}
		sctable_print(stdout, s, t->o->top);
		if (t->o->stacks && !interval) {
			struct sc_stack *st = NULL;
			size_t n = 0;

			if (!t->ops->read_stacks(t->b, &st, &n))
				scstacks_print(stdout, s, t->o->top, st, n, t->sym, SC_PATHS_PER_SYSCALL);
			free(st);
		}
		if (interval)
			putchar('\n');
		fflush(stdout);
	}
	free(s);
}

static int write_folded(struct trace *t)
{
	struct sc_stack *st = NULL;
	size_t n = 0;
	int err;

	err = t->ops->read_stacks(t->b, &st, &n);
	if (err) {
		fprintf(stderr, "gotrace: cannot read the stack counts: %s\n", strerror(-err));
		return err;
	}
	err = scstacks_folded(t->folded, st, n, t->sym);
	if (fclose(t->folded) && !err)
		err = -errno;
	t->folded = NULL;
	if (err)
		fprintf(stderr, "gotrace: cannot write '%s': %s\n", t->o->folded, strerror(-err));
	free(st);
	return err;
}

/* Sets up the targets, the backend and the attachment; prints its own errors. */
static int trace_begin(struct trace *t)
{
	char why[256] = "";
	int err;

	err = sigstop_install(&t->sig);
	if (err) {
		fprintf(stderr, "gotrace: cannot install signal handlers: %s\n", strerror(-err));
		return err;
	}
	t->sig_installed = true;
	if (t->o->folded && !(t->folded = fopen(t->o->folded, "we"))) {
		err = -errno;
		fprintf(stderr, "gotrace: cannot write '%s': %s\n", t->o->folded, strerror(-err));
		return err;
	}
	if (t->o->cmd) {
		err = launch_stopped(t->o->cmd, &t->child);
		if (err) {
			fprintf(stderr, "gotrace: cannot run '%s': %s\n", t->o->cmd[0], strerror(-err));
			return err;
		}
		t->launched = true;
		t->pids[t->npids++] = t->child.pid;
	} else {
		err = check_pids(t);
		if (err)
			return err;
	}
	t->cur = calloc(1, sizeof(*t->cur));
	t->prev = calloc(1, sizeof(*t->prev));
	if (!t->cur || !t->prev || (t->o->stacks && scsym_new(&t->sym))) {
		fputs("gotrace: out of memory\n", stderr);
		return -ENOMEM;
	}
	err = pick_backend(t, why, sizeof(why));
	if (err) {
		fprintf(stderr, "gotrace: cannot trace syscalls: %s\n", why[0] ? why : strerror(-err));
		return err;
	}
	err = t->ops->start(t->b, why, sizeof(why));
	if (err) {
		fprintf(stderr, "gotrace: cannot trace syscalls: %s\n", why[0] ? why : strerror(-err));
		return err;
	}
	for (size_t i = 0; i < t->npids; i++) {
		t->pfds[i].fd = open_pidfd(t->pids[i]);
		t->pfds[i].events = POLLIN;
		if (t->pfds[i].fd == -ENOSYS) {
			t->pfds[i].fd = -1;
			t->polled[i] = true;
			t->npolled++;
		} else if (t->pfds[i].fd < 0) {
			/* It ended between the check and now: nothing left to count for it. */
			if (t->pfds[i].fd == -ESRCH && !t->launched) {
				fprintf(stderr, "gotrace: no process with PID %d\n", (int)t->pids[i]);
				return -ESRCH;
			}
			fprintf(stderr, "gotrace: cannot watch PID %d: %s\n", (int)t->pids[i], strerror(-t->pfds[i].fd));
			return t->pfds[i].fd;
		}
	}
	t->alive = t->npids;
	t->t_start = t->t_prev = now_ns();
	/* Printed once attached: scripts and tests may wait for this line. */
	if (t->npids == 1)
		fprintf(stderr, "gotrace: counting syscalls of PID %d (%s); Ctrl-C to end\n",
			(int)t->pids[0], t->ops->name);
	else
		fprintf(stderr, "gotrace: counting syscalls of %zu processes (%s); Ctrl-C to end\n",
			t->npids, t->ops->name);
	if (t->launched) {
		err = launch_release(&t->child);
		if (err) {
			fprintf(stderr, "gotrace: cannot run '%s': %s\n", t->o->cmd[0], strerror(-err));
			return err;
		}
	}
	/* Symbols come from the running image: after the exec, before the process may end. */
	for (size_t i = 0; t->sym && i < t->npids; i++) {
		/* The exec's close-on-exec pipe reports success just before the kernel maps the
		 * new image's segments: give a launched command a moment to appear in its maps. */
		for (int tries = 0; (err = scsym_add(t->sym, t->pids[i])) == -ENOENT && t->launched && tries < 100; tries++)
			usleep(1000);
		if (err)
			fprintf(stderr, "gotrace: PID %d: call paths will not be symbolised: %s\n",
				(int)t->pids[i], strerror(-err));
	}
	return 0;
}

/* Waits for a stop (signal, -d, all targets gone), printing -i tables on the way. */
static int trace_loop(struct trace *t)
{
	uint64_t end = t->o->duration ? t->t_start + (uint64_t)(t->o->duration * 1e9) : 0;
	uint64_t step = (uint64_t)(t->o->interval * 1e9), next = step ? t->t_start + step : 0;

	while (t->alive) {
		uint64_t now = now_ns(), wake = end;
		int timeout, r;

		if (next && (!wake || next < wake))
			wake = next;
		if (end && now >= end)
			return 0;
		if (next && now >= next) {
			int err = t->ops->read(t->b, t->cur);

			if (err) {
				fprintf(stderr, "gotrace: cannot read the counts: %s\n", strerror(-err));
				return err;
			}
			print_summary(t, t->prev, now - t->t_prev, true);
			*t->prev = *t->cur;
			t->t_prev = now;
			next += step;
			continue;
		}
		/* Round up so a wake-up never comes a hair early and spins. */
		timeout = wake ? (int)((wake - now + 999999) / 1000000) : -1;
		if (t->npolled && (timeout < 0 || timeout > PROC_POLL_MS))
			timeout = PROC_POLL_MS;
		r = sigstop_poll(&t->sig, t->pfds, t->npids, timeout);
		if (r == -EINTR)
			return 0;
		if (r < 0) {
			fprintf(stderr, "gotrace: waiting: %s\n", strerror(-r));
			return r;
		}
		for (size_t i = 0; i < t->npids; i++)
			if (t->pfds[i].fd >= 0 && (t->pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				close(t->pfds[i].fd);
				t->pfds[i].fd = -1;  /* poll ignores negative fds */
				t->alive--;
			} else if (t->polled[i] && cli_pid_check(t->pids[i], NULL)) {
				t->polled[i] = false;
				t->alive--;
			}
	}
	return 0;
}

static int trace_finish(struct trace *t)
{
	uint64_t now = now_ns();
	int err = t->ops->read(t->b, t->cur);

	if (err) {
		fprintf(stderr, "gotrace: cannot read the counts: %s\n", strerror(-err));
		return err;
	}
	/* With -i, the last partial interval first, then the whole trace. */
	if (t->o->interval && now > t->t_prev)
		print_summary(t, t->prev, now - t->t_prev, true);
	print_summary(t, NULL, now - t->t_start, false);
	if (t->o->folded && (err = write_folded(t)))
		return err;
	if (t->cur->lost_calls + t->cur->lost_stacks)
		fprintf(stderr, "gotrace: %llu events lost\n",
			(unsigned long long)t->cur->lost_calls + t->cur->lost_stacks);
	return 0;
}

static void trace_end(struct trace *t)
{
	if (t->ops && t->b)
		t->ops->close(t->b);
	for (size_t i = 0; i < t->npids; i++)
		if (t->pfds[i].fd >= 0)
			close(t->pfds[i].fd);
	if (t->launched) {
		bool done = false;

		/* Not released (an error before exec): nothing ran, so nothing is harmed. */
		if (!t->child.released)
			launch_abort(&t->child);
		else
			launch_reap(&t->child, &done, NULL);
		launch_close(&t->child);
	}
	if (t->folded)
		fclose(t->folded);
	if (t->sig_installed)
		sigstop_restore(&t->sig);
	scsym_free(t->sym);
	free(t->cur);
	free(t->prev);
}

int cmd_syscalls(int argc, char **argv)
{
	struct sc_opts o;
	struct trace t;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	memset(&t, 0, sizeof(t));
	t.o = &o;
	for (size_t i = 0; i < CLI_MAX_PIDS; i++)
		t.pfds[i].fd = -1;
	r = trace_begin(&t);
	if (!r)
		r = trace_loop(&t);
	if (!r)
		r = trace_finish(&t);
	trace_end(&t);
	return r ? EXIT_RUNTIME : EXIT_OK;
}
