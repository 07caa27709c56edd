/* BPF capture backend of gotrace args: loads the generic probe, installs plans, attaches uprobes, drains events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend/args_bpf.h"
#include "backend/privhint.h"
#include "args.skel.h"

#define DEFAULT_RINGBUF (16u << 20)

struct args_capture {
	struct args_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	size_t nlinks, caplinks;
	uint32_t nprobes;
	args_event_fn fn;
	void *fn_ctx;
	int stop;                   /* fn's non-zero return, ends the current drain */
};

/* libbpf's own chatter would break the one-line error rule; keep it for GOTRACE_DEBUG. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("GOTRACE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct args_capture *b = ctx;
	const struct args_event *e = data;
	size_t words_end;

	if (b->stop || size < sizeof(*e))
		return b->stop;
	words_end = sizeof(*e) + (size_t)e->nwords * 8;
	if (words_end > size)
		return 0;
	/* small records are fixed-size slots: the header, not the slot, says how many bytes */
	if (e->nbytes > size - words_end)
		return 0;
	b->stop = b->fn(b->fn_ctx, e, (const __u64 *)(e + 1), (const uint8_t *)data + words_end,
			e->nbytes);
	return b->stop;
}

int args_bpf_open(const struct args_bpf_opts *o, struct args_capture **out, char *err, size_t errlen)
{
	struct args_conf conf = { .filter_pids = o->filter_pids };
	size_t rbsize = o->ringbuf_bytes ? o->ringbuf_bytes : DEFAULT_RINGBUF;
	struct args_capture *b;
	__u32 zero = 0;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	libbpf_set_print(libbpf_quiet);
	b->skel = args_bpf__open();
	if (!b->skel) {
		r = -errno;
		snprintf(err, errlen, "cannot open the BPF program: %s", strerror(-r));
		goto fail;
	}
	bpf_map__set_max_entries(b->skel->maps.events, (__u32)rbsize);
	/* the in-flight map is preallocated: keep it tiny unless --ret uses it */
	if (!o->pair)
		bpf_map__set_max_entries(b->skel->maps.inflight, 256);
	r = args_bpf__load(b->skel);
	if (r) {
		snprintf(err, errlen, "cannot load the BPF program: %s%s", strerror(-r), priv_hint(r, PRIV_BPF));
		goto fail;
	}
	conf.wake_bytes = (__u32)(rbsize / 8);
	r = bpf_map_update_elem(bpf_map__fd(b->skel->maps.conf), &zero, &conf, BPF_ANY);
	if (r) {
		r = -errno;
		snprintf(err, errlen, "cannot configure the BPF program: %s", strerror(-r));
		goto fail;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_record, b, NULL);
	if (!b->rb) {
		r = -errno;
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(-r));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	args_bpf_close(b);
	return r < 0 ? r : -EINVAL;
}

void args_bpf_close_links(struct args_capture *b)
{
	for (size_t i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	b->nlinks = 0;
}

void args_bpf_close(struct args_capture *b)
{
	if (!b)
		return;
	args_bpf_close_links(b);
	free(b->links);
	ring_buffer__free(b->rb);
	args_bpf__destroy(b->skel);
	free(b);
}

int args_bpf_add_pid(struct args_capture *b, pid_t pid)
{
	__u32 k = (__u32)pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.pids), &k, &one, BPF_ANY))
		return -errno;
	return 0;
}

int args_bpf_attach(struct args_capture *b, const char *path, pid_t pid, uint64_t file_off,
		    const struct args_plan *plan, uint32_t *id)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	struct bpf_link *l;
	uint32_t n = b->nprobes;

	if (n >= ARGS_MAX_PROBES)
		return -E2BIG;
	if (b->nlinks == b->caplinks) {
		size_t cap = b->caplinks ? 2 * b->caplinks : 16;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): one element is a pointer, as meant */
		struct bpf_link **nl = realloc(b->links, cap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		b->links = nl;
		b->caplinks = cap;
	}
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.plans), &n, plan, BPF_ANY))
		return -errno;
	uo.bpf_cookie = n;
	l = bpf_program__attach_uprobe_opts(b->skel->progs.go_probe, pid, path, (size_t)file_off, &uo);
	if (!l)
		return errno ? -errno : -EINVAL;
	b->links[b->nlinks++] = l;
	b->nprobes++;
	*id = n;
	return 0;
}

int args_bpf_poll(struct args_capture *b, int timeout_ms, args_event_fn fn, void *ctx)
{
	int r;

	b->fn = fn;
	b->fn_ctx = ctx;
	b->stop = 0;
	r = ring_buffer__poll(b->rb, timeout_ms);
	/* The probe wakes us only in batches: after a quiet timeout, drain what is pending. */
	if (r >= 0 && !b->stop)
		r = ring_buffer__consume(b->rb);
	if (b->stop)
		return b->stop;
	return r < 0 ? r : 0;
}

uint64_t args_bpf_lost(struct args_capture *b)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *v;
	__u32 zero = 0;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.lost), &zero, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}
