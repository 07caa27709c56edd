/* gotrace args / funcs: options, target resolution, attaching, and the event loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "backend/args_bpf.h"
#include "backend/args_capture.h"
#include "backend/launch.h"
#include "backend/privhint.h"
#include "backend/ptrace_mem.h"
#include "cmd/args_pending.h"
#include "cmd/args_resolve.h"
#include "cmd/cliutil.h"
#include "cmd/cmd.h"
#include "goabi/sigparse.h"
#include "output/args_print.h"
#include "output/json.h"

#define DEFAULT_STRSIZE 64
#define MAX_FUNC_ARGS 256
#define POLL_MS 50
#define PENDING_CAP 65536

enum backend_kind { BACKEND_AUTO, BACKEND_BPF, BACKEND_PTRACE };

struct args_opts {
	pid_t pids[CLI_MAX_PIDS];
	size_t npids;
	const char *binary;
	char **cmd;                 /* after "--" */
	const char *funcs[MAX_FUNC_ARGS];
	struct gosig *usigs[MAX_FUNC_ARGS];  /* parsed signature, or NULL */
	int nfuncs;
	bool ret, json;
	double duration;
	unsigned long count;
	unsigned long strsize;
	unsigned long buffer_kib;   /* ring buffer, 0 = default */
	enum backend_kind backend;
};

static const char args_usage[] =
	"Usage: gotrace args -p PID FUNC [FUNC...] [OPTIONS]\n"
	"       gotrace args --binary PATH FUNC [FUNC...] [OPTIONS]\n"
	"       gotrace args [OPTIONS] FUNC [FUNC...] -- CMD [ARGS...]\n"
	"Print the arguments (and with --ret the results and latency) of Go function calls.\n"
	"\n"
	"FUNC is a linker symbol (main.computeE, net/http.(*conn).serve), a glob (main.*),\n"
	"or a signature to decode with when the binary has no DWARF:\n"
	"'main.computeE(iterations int64) float64'.\n"
	"\n"
	"  -p, --pid PID        trace process PID (repeatable, or PID,PID,...)\n"
	"      --binary PATH    trace every process running PATH, also ones started later\n"
	"      --ret            also print results and latency (uprobes on every RET)\n"
	"      --json           JSON Lines: one event per call, a summary object last\n"
	"  -d, --duration SEC   stop after SEC seconds\n"
	"  -n, --count N        stop after N calls\n"
	"      --strsize N      bytes of strings and []byte to show (default 64, max 4096)\n"
	"      --backend B      auto, bpf or ptrace (default auto)\n"
	"      --buffer-size KIB  ring buffer size (default 16384 KiB; rounded up to a power of 2)\n"
	"  -h, --help           show this help\n";

static const char funcs_usage[] =
	"Usage: gotrace funcs -p PID [PATTERN] [--json]\n"
	"       gotrace funcs --binary PATH [PATTERN] [--json]\n"
	"List a Go binary's functions (matching the glob PATTERN) with their signatures\n"
	"(from DWARF when the binary has it).\n"
	"\n"
	"  -p, --pid PID        the executable of process PID\n"
	"      --binary PATH    the executable PATH\n"
	"      --json           one JSON object per function\n"
	"  -h, --help           show this help\n";

/* Set from the SIGINT/SIGTERM handler; the only state a signal may touch. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "gotrace: %s '%s' (try 'gotrace %s --help')\n", msg, arg, cmd);
	else
		fprintf(stderr, "gotrace: %s (try 'gotrace %s --help')\n", msg, cmd);
	return EXIT_USAGE;
}

/* Splits argv at the first "--": returns the count of arguments before it. */
static int split_dashdash(int argc, char **argv, char ***cmd)
{
	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*cmd = i + 1 < argc ? &argv[i + 1] : NULL;
			return i;
		}
	}
	return argc;
}

enum { OPT_BINARY = 256, OPT_RET, OPT_JSON, OPT_STRSIZE, OPT_BACKEND, OPT_BUFFER };

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "binary", required_argument, NULL, OPT_BINARY },
	{ "ret", no_argument, NULL, OPT_RET },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'n' },
	{ "strsize", required_argument, NULL, OPT_STRSIZE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses the options of args (funcs: only -p, --binary, --json). Returns -1 to go on,
 * else the exit code. Signatures are parsed into pool. */
static int parse_opts(const char *cmd, int argc, char **argv, struct args_opts *o, struct gotype_pool *pool)
{
	bool funcs = !strcmp(cmd, "funcs");
	char **dd;
	int n = split_dashdash(argc, argv, &dd), c;

	o->strsize = DEFAULT_STRSIZE;
	o->backend = BACKEND_AUTO;
	if (n < argc) {
		if (funcs)
			return usage_error(cmd, "unexpected '--'", NULL);
		if (!dd)
			return usage_error(cmd, "no command after '--'", NULL);
		o->cmd = dd;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(n, argv, ":p:d:n:h", long_opts, NULL)) != -1) {
		unsigned long v;

		if (funcs && c != 'p' && c != OPT_BINARY && c != OPT_JSON && c != 'h' && c != '?' && c != ':')
			return usage_error(cmd, "unknown option", argv[optind - 1]);
		switch (c) {
		case 'p':
			if (cli_parse_pids(optarg, o->pids, &o->npids, CLI_MAX_PIDS))
				return usage_error(cmd, "bad PID", optarg);
			break;
		case OPT_BINARY:
			o->binary = optarg;
			break;
		case OPT_RET:
			o->ret = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'd':
			if (cli_parse_seconds(optarg, &o->duration))
				return usage_error(cmd, "bad duration", optarg);
			break;
		case 'n':
			if (cli_parse_ulong(optarg, 1, (unsigned long)-1 >> 1, &o->count))
				return usage_error(cmd, "bad count", optarg);
			break;
		case OPT_STRSIZE:
			if (cli_parse_ulong(optarg, 1, ARGS_STR_MAX, &v))
				return usage_error(cmd, "bad --strsize (1 to 4096)", optarg);
			o->strsize = v;
			break;
		case OPT_BUFFER:
			if (cli_parse_ulong(optarg, 64, 1024 * 1024, &v))
				return usage_error(cmd, "bad --buffer-size (64 to 1048576 KiB)", optarg);
			o->buffer_kib = v;
			break;
		case OPT_BACKEND:
			if (!strcmp(optarg, "auto"))
				o->backend = BACKEND_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o->backend = BACKEND_BPF;
			else if (!strcmp(optarg, "ptrace"))
				o->backend = BACKEND_PTRACE;
			else
				return usage_error(cmd, "bad --backend (auto, bpf or ptrace)", optarg);
			break;
		case 'h':
			fputs(funcs ? funcs_usage : args_usage, stdout);
			return EXIT_OK;
		case ':':
			return usage_error(cmd, "missing value for", argv[optind - 1]);
		default:
			return usage_error(cmd, "unknown option", argv[optind - 1]);
		}
	}
	for (int i = optind; i < n; i++) {
		char err[256];

		if (o->nfuncs == MAX_FUNC_ARGS)
			return usage_error(cmd, "too many functions", NULL);
		if (!funcs && args_is_signature(argv[i])) {
			struct gosig *s = gotype_pool_alloc(pool, sizeof(*s));

			if (!s || sigparse(argv[i], pool, s, err, sizeof(err))) {
				fprintf(stderr, "gotrace: bad signature '%s': %s\n", argv[i], s ? err : "out of memory");
				return EXIT_USAGE;
			}
			o->usigs[o->nfuncs] = s;
			o->funcs[o->nfuncs++] = s->func;
		} else {
			o->funcs[o->nfuncs++] = argv[i];
		}
	}
	if ((o->npids > 0) + (o->binary != NULL) + (o->cmd != NULL) != 1)
		return usage_error(cmd, funcs ? "give exactly one of -p PID or --binary PATH"
					      : "give exactly one of -p PID, --binary PATH or -- CMD", NULL);
	if (funcs && o->nfuncs > 1)
		return usage_error(cmd, "at most one PATTERN", NULL);
	if (!funcs && !o->nfuncs)
		return usage_error(cmd, "no function given", NULL);
	return -1;
}

/* Opens /proc/PID/exe of each PID, one tbin per distinct executable. */
static int open_pids(const struct args_opts *o, struct tbin **bins, size_t *nbins)
{
	for (size_t i = 0; i < o->npids; i++) {
		char exe[64], err[PATH_MAX + 128];
		struct stat st;
		pid_t tgid;
		size_t k;

		if (cli_pid_check(o->pids[i], &tgid)) {
			fprintf(stderr, "gotrace: no process with PID %d\n", (int)o->pids[i]);
			return EXIT_RUNTIME;
		}
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)tgid);
		if (stat(exe, &st)) {
			int e = errno;

			fprintf(stderr, "gotrace: cannot read the executable of PID %d: %s%s\n", (int)tgid,
				strerror(e), priv_hint(-e, PRIV_PTRACE));
			return EXIT_RUNTIME;
		}
		for (k = 0; k < *nbins; k++)
			if (bins[k]->dev == st.st_dev && bins[k]->ino == st.st_ino)
				break;
		if (k == *nbins) {
			if (k == CLI_MAX_PIDS)
				return EXIT_RUNTIME;
			if (tbin_open(exe, exe, &bins[k], err, sizeof(err))) {
				if (strstr(err, "not a Go program"))
					fprintf(stderr, "gotrace: process %d: %s\n", (int)tgid, err);
				else
					fprintf(stderr, "gotrace: %s\n", err);
				return EXIT_RUNTIME;
			}
			(*nbins)++;
		}
		if (bins[k]->npids < sizeof(bins[k]->pids) / sizeof(bins[k]->pids[0]))
			bins[k]->pids[bins[k]->npids++] = tgid;
	}
	return -1;
}

/* Which probe is which: the function and whether it is an entry or a RET. */
struct probe_ref {
	struct traced_func *f;
	bool ret;
};

struct run {
	const struct args_opts *o;
	struct probe_ref *probes;
	struct pending *pending;
	struct json j;
	int64_t mono_to_real;
	uint64_t calls;
	uint64_t seen;              /* records handled, for the periodic deadline check */
	double deadline;            /* monotonic seconds, 0 = none */
	bool draining;              /* probes detached: take everything that is left */
	bool out_error;
};

static double now_s(void);

/* Which image and process an interface's type word belongs to. */
struct type_ctx {
	struct tbin *b;
	pid_t pid;
};

/* Itabs the runtime made at run time are only in the process's memory. */
static int type_mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	const struct type_ctx *tc = ctx;

	return pt_mem_read(tc->pid, addr, buf, n);
}

static int type_name_cb(void *ctx, uint64_t word, bool itab, char *buf, size_t n)
{
	const struct type_ctx *tc = ctx;
	struct mem_reader mem = { type_mem_read, ctx };
	uint64_t bias;

	if (!tc->b->ts || tbin_load_bias(tc->b, tc->pid, &bias))
		return -ENOENT;
	return typesym_name_rt(tc->b->ts, word, bias, itab, &mem, buf, n);
}

/* Decodes the values of fp from one record. */
static int decode_all(const struct run *r, const struct traced_func *f, const struct fetch_plan *fp,
		      const struct args_event *e, const uint8_t *bytes, size_t nbytes,
		      struct fetched *fx, struct args_value *av, struct type_ctx *tc)
{
	const __u64 *words = (const __u64 *)(e + 1);

	for (int i = 0; i < fp->nvalues; i++) {
		if (fetch_decode(fp, i, &f->sig, words, e->nwords, bytes, nbytes, &fx[i])) {
			for (int k = 0; k < i; k++)
				fetched_free(&fx[k]);
			return -EINVAL;
		}
		fx[i].view.strsize = (uint32_t)r->o->strsize;
		fx[i].view.type_name = type_name_cb;
		fx[i].view.type_name_ctx = tc;
		av[i].param = &f->sig.params[fp->values[i].param];
		av[i].view = &fx[i].view;
	}
	return 0;
}

static const uint8_t *rec_bytes(const struct args_event *e, size_t size, size_t *nbytes)
{
	size_t off = sizeof(*e) + (size_t)e->nwords * 8;

	*nbytes = size > off ? size - off : 0;
	return (const uint8_t *)e + off;
}

/* Prints one call: entry record e (size esize) and, with --ret, its RET record. */
static int print_call(struct run *r, const struct traced_func *f, const struct args_event *e, size_t esize,
		      const struct args_event *re, size_t rsize)
{
	int na = f->entry.nvalues, nr = re ? f->ret.nvalues : 0;
	struct fetched *fx = calloc((size_t)(na + nr) + 1, sizeof(*fx));
	struct args_value *av = calloc((size_t)(na + nr) + 1, sizeof(*av));
	struct type_ctx tc = { f->bin, (pid_t)e->pid };
	const uint8_t *bytes;
	size_t nbytes;
	int ok = -ENOMEM;

	if (!fx || !av)
		goto out;
	bytes = rec_bytes(e, esize, &nbytes);
	ok = decode_all(r, f, &f->entry, e, bytes, nbytes, fx, av, &tc);
	if (ok)
		goto out;
	if (re) {
		bytes = rec_bytes(re, rsize, &nbytes);
		ok = decode_all(r, f, &f->ret, re, bytes, nbytes, fx + na, av + na, &tc);
		if (ok) {
			for (int i = 0; i < na; i++)
				fetched_free(&fx[i]);
			goto out;
		}
	}
	struct args_call c = {
		.ts_ns = (uint64_t)((int64_t)e->ts + r->mono_to_real),
		.pid = e->pid, .tid = e->tid, .goid = e->goid,
		.func = f->fi.name,
		.args = av, .nargs = na,
		.has_ret = re != NULL, .rets = av + na, .nrets = nr,
		.latency_ns = re ? ((const __u64 *)(re + 1))[2] : 0,
	};
	if (r->o->json)
		args_print_json(&r->j, &c);
	else
		args_print_text(stdout, &c);
	if (ferror(stdout))
		r->out_error = true;
	r->calls++;
	for (int i = 0; i < na + nr; i++)
		fetched_free(&fx[i]);
out:
	free(fx);
	free(av);
	return ok;
}

static int on_event(void *ctx, const struct args_event *e, const __u64 *words, const uint8_t *bytes,
		    size_t nbytes)
{
	struct run *r = ctx;
	const struct probe_ref *p;
	size_t size = sizeof(*e) + (size_t)e->nwords * 8 + nbytes;

	(void)bytes;   /* print_call finds them again from e and size */
	if (e->probe >= ARGS_MAX_PROBES || !r->probes[e->probe].f)
		return 0;
	p = &r->probes[e->probe];
	if (!r->o->ret) {
		print_call(r, p->f, e, size, NULL, 0);
	} else if (e->nwords >= ARGS_PAIR_WORDS) {
		struct pending_key k = { e->pid, words[0], words[1] };

		if (!p->ret) {
			pending_put(r->pending, &k, e, size);
		} else {
			size_t esize;
			void *entry = pending_take(r->pending, &k, &esize);

			/* no entry: it was lost (and counted) or began before we attached */
			if (entry && e->nwords >= ARGS_RET_WORDS)
				print_call(r, p->f, entry, esize, e, size);
			free(entry);
		}
	}
	if (r->out_error || (r->o->count && r->calls >= r->o->count))
		return 1;
	/* A drain can hold a full buffer: stop within it on Ctrl-C or at the deadline, so the
	 * probes come off now and only what they already wrote is drained. */
	if (!r->draining &&
	    (stop_signal || ((++r->seen & 1023) == 0 && r->deadline && now_s() >= r->deadline)))
		return 1;
	return 0;
}

static int64_t mono_to_real(void)
{
	struct timespec m, w;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((int64_t)w.tv_sec - m.tv_sec) * 1000000000 + (w.tv_nsec - m.tv_nsec);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The one place that decides the capture backend: --backend as given; auto means BPF, except
 * that a run needing X-register values (invisible to uprobes) of one process uses ptrace. */
static int pick_backend(const struct args_opts *o, bool needs_freg, enum backend_kind *out)
{
	bool one_process = o->npids == 1 || o->cmd;

	*out = o->backend == BACKEND_PTRACE ? BACKEND_PTRACE : BACKEND_BPF;
	if (o->backend == BACKEND_AUTO && needs_freg && one_process) {
		fputs("gotrace: float values in X registers are invisible to BPF; using ptrace\n", stderr);
		*out = BACKEND_PTRACE;
	} else if (*out == BACKEND_BPF && needs_freg) {
		fputs("gotrace: hint: float values passed in X registers print as '?': BPF uprobes see only "
		      "general-purpose registers (--backend ptrace captures them)\n", stderr);
	}
	return -1;
}

static void set_plan(struct args_plan *ap, const struct fetch_plan *fp, const struct tbin *b,
		     enum args_probe_kind kind, uint32_t func, bool pair)
{
	memset(ap, 0, sizeof(*ap));
	ap->kind = kind;
	ap->func = func;
	ap->pair = pair;
	ap->nops = (__u32)fp->nops;
	/* before Go 1.17 R14 is not g: the probe reads g from TLS */
	ap->g_tls = b->g_tls;
	ap->g_tls_off = b->g_tls_off;
	if (b->have_goff) {
		ap->goid_off = (__u32)b->goff.goid;
		ap->stackhi_off = (__u32)b->goff.stack_hi;
	}
	memcpy(ap->ops, fp->ops, sizeof(fp->ops));
}

static int attach_all(const struct args_capture_ops *ops, void *cap, struct tbin **bins, size_t nbins, bool ret, bool launched,
		      struct probe_ref *probes, uint32_t *nprobes)
{
	uint32_t fidx = 0;

	for (size_t bi = 0; bi < nbins; bi++) {
		struct tbin *b = bins[bi];
		/* one process: let the kernel filter (no breakpoints in other processes) */
		pid_t pid = (!launched && b->npids == 1) ? b->pids[0] : -1;

		for (size_t i = 0; i < b->nfuncs; i++, fidx++) {
			struct traced_func *f = &b->funcs[i];
			struct args_plan ap;
			uint32_t id;
			int r;

			set_plan(&ap, &f->entry, b, f->pp.has_stack_check ? ARGS_PROBE_ENTRY_JCC : ARGS_PROBE_ENTRY,
				 fidx, ret);
			r = ops->attach(cap, b->attach_path, pid, f->fi.file_off + f->pp.entry_off, &ap, &id);
			if (!r) {
				probes[id] = (struct probe_ref){ f, false };
				(*nprobes)++;
				/* one plan serves every RET of the function */
				if (ret)
					set_plan(&ap, &f->ret, b, ARGS_PROBE_RET, fidx, false);
				for (int k = 0; ret && !r && k < f->pp.nrets; k++) {
					r = ops->attach(cap, b->attach_path, pid, f->fi.file_off + f->pp.ret_offs[k],
							&ap, &id);
					if (!r) {
						probes[id] = (struct probe_ref){ f, true };
						(*nprobes)++;
					}
				}
			}
			if (r) {
				fprintf(stderr, "gotrace: cannot attach to %s in %s: %s\n", f->fi.name, b->display,
					r == -E2BIG ? "too many probes" : strerror(-r));
				return EXIT_RUNTIME;
			}
		}
	}
	return -1;
}

/* All traced processes have ended (never for --binary). */
static bool targets_gone(struct tbin **bins, size_t nbins, struct launched *l)
{
	if (l) {
		bool exited = false;
		int st;

		return launch_reap(l, &exited, &st) || exited;
	}
	for (size_t i = 0; i < nbins; i++)
		for (size_t k = 0; k < bins[i]->npids; k++)
			if (!cli_pid_check(bins[i]->pids[k], NULL))
				return false;
	return nbins && bins[0]->npids;
}

static int trace(const struct args_opts *o, struct tbin **bins, size_t nbins, struct launched *l)
{
	struct args_bpf_opts bo = { .filter_pids = o->npids || l, .pair = o->ret };
	size_t want = o->buffer_kib * 1024;

	/* the kernel wants a power of two (of pages) */
	for (bo.ringbuf_bytes = 4096; want && bo.ringbuf_bytes < want; bo.ringbuf_bytes *= 2)
		;
	if (!want)
		bo.ringbuf_bytes = 0;
	struct probe_ref *probes = calloc(ARGS_MAX_PROBES, sizeof(*probes));
	struct run r = { .o = o, .probes = probes };
	const struct args_capture_ops *ops = &args_capture_bpf;
	void *cap = NULL;
	enum backend_kind be;
	bool needs_freg = false;
	const char *why = NULL;
	char err[256], whybuf[64];
	double t0, deadline;
	int rc;
	uint64_t lost;
	uint32_t nprobes = 0;
	size_t nfuncs;

	if (!probes)
		return EXIT_RUNTIME;
	for (size_t i = 0; i < nbins; i++) {
		bo.g_tls |= bins[i]->g_tls;
		for (size_t k = 0; k < bins[i]->nfuncs; k++)
			needs_freg |= bins[i]->funcs[k].needs_freg;
	}
	rc = pick_backend(o, needs_freg, &be);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (pending_new(PENDING_CAP, &r.pending))
		goto out;
	if (be == BACKEND_PTRACE)
		ops = &args_capture_ptrace;
	if (ops->open(&bo, &cap, err, sizeof(err))) {
		if (be == BACKEND_PTRACE || o->backend != BACKEND_AUTO) {
			fprintf(stderr, "gotrace: %s%s%s\n", be == BACKEND_PTRACE ? "" : "BPF unavailable (", err,
				be == BACKEND_PTRACE ? "" : ")");
			goto out;
		}
		fprintf(stderr, "gotrace: BPF unavailable (%s); falling back to ptrace\n", err);
		ops = &args_capture_ptrace;
		if (ops->open(&bo, &cap, err, sizeof(err))) {
			fprintf(stderr, "gotrace: %s\n", err);
			goto out;
		}
	}
	for (size_t i = 0; i < nbins; i++)
		for (size_t k = 0; k < bins[i]->nfuncs; k++)
			if (ops->prepare(&bins[i]->funcs[k].entry) || ops->prepare(&bins[i]->funcs[k].ret))
				fprintf(stderr, "gotrace: %s: too many values to capture; some print as '?'\n",
					bins[i]->funcs[k].fi.name);
	for (size_t i = 0; i < nbins; i++)
		for (size_t k = 0; k < bins[i]->npids; k++)
			ops->add_pid(cap, bins[i]->pids[k]);
	rc = attach_all(ops, cap, bins, nbins, o->ret, l != NULL, probes, &nprobes);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (ops->start(cap, err, sizeof(err))) {
		fprintf(stderr, "gotrace: %s\n", err);
		goto out;
	}
	nfuncs = 0;
	for (size_t i = 0; i < nbins; i++)
		nfuncs += bins[i]->nfuncs;
	/* Scripts (and the tests) wait for this line to know the probes are in place. */
	fprintf(stderr, "gotrace: tracing %zu function%s (%u probes)\n", nfuncs, nfuncs == 1 ? "" : "s", nprobes);
	if (l) {
		int e = launch_release(l);

		if (e) {
			fprintf(stderr, "gotrace: cannot run '%s': %s\n", o->cmd[0], strerror(-e));
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	/* PIE load biases (for interface type names) now, while the processes surely exist (after the exec of a launched one) */
	for (size_t i = 0; i < nbins; i++)
		for (size_t k = 0; k < bins[i]->npids; k++) {
			uint64_t bias;

			tbin_load_bias(bins[i], bins[i]->pids[k], &bias);
		}
	json_init(&r.j, stdout);
	r.mono_to_real = mono_to_real();
	t0 = now_s();
	deadline = o->duration > 0 ? t0 + o->duration : 0;
	r.deadline = deadline;
	for (;;) {
		int e = ops->poll(cap, POLL_MS, on_event, &r);

		fflush(stdout);
		if (e > 0 || r.out_error)
			break;
		if (e < 0 && e != -EINTR) {
			fprintf(stderr, "gotrace: reading events failed: %s\n", strerror(-e));
			break;
		}
		if (stop_signal)
			break;
		if (deadline && now_s() >= deadline)
			break;
		if (targets_gone(bins, nbins, l)) {
			if (l) {
				why = "command exited";
			} else {
				snprintf(whybuf, sizeof(whybuf), "process %d exited", (int)bins[0]->pids[0]);
				why = o->npids > 1 ? "processes exited" : whybuf;
			}
			break;
		}
	}
	/* Detach first, then drain what the probes wrote before that. */
	ops->close_links(cap);
	r.draining = true;
	if (!r.out_error && !(o->count && r.calls >= o->count))
		ops->poll(cap, 0, on_event, &r);
	lost = ops->lost(cap);
	if (o->json) {
		json_obj_begin(&r.j, NULL);
		json_bool(&r.j, "summary", true);
		json_str(&r.j, "backend", ops->name);
		json_uint(&r.j, "calls", r.calls);
		json_uint(&r.j, "lost", lost);
		json_uint(&r.j, "duration_ns", (uint64_t)((now_s() - t0) * 1e9));
		json_obj_end(&r.j);
	}
	fflush(stdout);
	fprintf(stderr, "gotrace: %llu calls traced%s%s%s\n", (unsigned long long)r.calls,
		why ? " (" : "", why ? why : "", why ? ")" : "");
	if (lost)
		fprintf(stderr, "gotrace: %llu events lost\n", (unsigned long long)lost);
	rc = EXIT_OK;
out:
	if (cap)
		ops->close(cap);
	pending_free(r.pending);
	free(probes);
	return rc;
}

int cmd_args(int argc, char **argv)
{
	struct args_opts o = { 0 };
	struct tbin *bins[CLI_MAX_PIDS] = { 0 };
	struct gotype_pool *pool = NULL;
	struct launched l = { 0 }, *lp = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	size_t nbins = 0;
	char err[PATH_MAX + 256];
	int rc;

	if (gotype_pool_new(&pool)) {
		fputs("gotrace: out of memory\n", stderr);
		return EXIT_RUNTIME;
	}
	rc = parse_opts("args", argc, argv, &o, pool);
	if (rc >= 0)
		goto out;
	if (o.npids) {
		rc = open_pids(&o, bins, &nbins);
		if (rc >= 0)
			goto out;
	} else if (o.binary) {
		if (tbin_open(o.binary, o.binary, &bins[0], err, sizeof(err))) {
			fprintf(stderr, "gotrace: %s\n", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		nbins = 1;
	} else {
		int e = launch_stopped(o.cmd, &l);

		if (e) {
			fprintf(stderr, "gotrace: cannot run '%s': %s\n", o.cmd[0], strerror(-e));
			rc = EXIT_RUNTIME;
			goto out;
		}
		lp = &l;
		if (tbin_open(l.path, l.path, &bins[0], err, sizeof(err))) {
			fprintf(stderr, "gotrace: %s\n", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		nbins = 1;
		bins[0]->pids[bins[0]->npids++] = l.pid;
	}
	for (size_t i = 0; i < nbins; i++) {
		for (int k = 0; k < o.nfuncs; k++) {
			int e = tbin_add_funcs(bins[i], o.funcs[k], o.usigs[k], o.ret, (uint32_t)o.strsize, err,
					       sizeof(err));

			if (e) {
				fprintf(stderr, "gotrace: %s\n", err);
				rc = EXIT_RUNTIME;
				goto out;
			}
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* One thread writes stdout, flushing after each drain: skip stdio's per-call locking
	 * (half the consumer's time in JSON mode) and use a bigger buffer. */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	rc = trace(&o, bins, nbins, lp);
out:
	if (lp) {
		if (!l.released)
			launch_abort(&l);
		else
			launch_close(&l);
	}
	for (size_t i = 0; i < nbins; i++)
		tbin_close(bins[i]);
	gotype_pool_free(pool);
	return rc;
}

struct funcs_ctx {
	struct tbin *b;
	bool json;
	struct json j;
	size_t n;
};

static int print_func(const struct gofuncinfo *fi, void *ctx)
{
	struct funcs_ctx *c = ctx;
	char sig[4096], entry[24];
	bool have = !tbin_sig_text(c->b, fi, sig, sizeof(sig));

	c->n++;
	if (!c->json) {
		printf("%s\n", have ? sig : fi->name);
		return 0;
	}
	snprintf(entry, sizeof(entry), "0x%llx", (unsigned long long)fi->entry);
	json_obj_begin(&c->j, NULL);
	json_str(&c->j, "name", fi->name);
	json_str(&c->j, "entry", entry);
	json_uint(&c->j, "size", fi->end - fi->entry);
	if (have)
		json_str(&c->j, "signature", sig);
	else
		json_null(&c->j, "signature");
	json_obj_end(&c->j);
	return 0;
}

int cmd_funcs(int argc, char **argv)
{
	struct args_opts o = { 0 };
	struct gotype_pool *pool = NULL;
	struct tbin *bins[CLI_MAX_PIDS] = { 0 };
	struct funcs_ctx c = { 0 };
	size_t nbins = 0;
	char err[PATH_MAX + 256];
	int rc;

	if (gotype_pool_new(&pool))
		return EXIT_RUNTIME;
	rc = parse_opts("funcs", argc, argv, &o, pool);
	if (rc >= 0)
		goto out;
	if (o.npids > 1) {
		rc = usage_error("funcs", "give one PID", NULL);
		goto out;
	}
	if (o.npids) {
		rc = open_pids(&o, bins, &nbins);
		if (rc >= 0)
			goto out;
	} else {
		if (tbin_open(o.binary, o.binary, &bins[0], err, sizeof(err))) {
			fprintf(stderr, "gotrace: %s\n", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		nbins = 1;
	}
	c.b = bins[0];
	c.json = o.json;
	json_init(&c.j, stdout);
	rc = tbin_list(c.b, o.nfuncs ? o.funcs[0] : NULL, print_func, &c);
	if (rc) {
		fprintf(stderr, "gotrace: listing functions failed: %s\n", strerror(-rc));
		rc = EXIT_RUNTIME;
	} else if (!c.n && o.nfuncs) {
		fprintf(stderr, "gotrace: no function matches '%s' in %s\n", o.funcs[0], c.b->display);
		rc = EXIT_RUNTIME;
	} else {
		rc = EXIT_OK;
	}
out:
	for (size_t i = 0; i < nbins; i++)
		tbin_close(bins[i]);
	gotype_pool_free(pool);
	return rc;
}
