/* BPF capture backend of gotrace args: loads the generic probe, installs plans, attaches uprobes, drains events. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "backend/args_bpf.h"
#include "backend/privhint.h"
#include "args.skel.h"

#define DEFAULT_RINGBUF (16u << 20)

/* Kernel 6.6 uapi, newer than the headers libbpf 1.1 ships with. */
#define GT_BPF_TRACE_UPROBE_MULTI 48

/* A uprobe waiting for start, which attaches all of one (file, process) in one link. */
struct pending_uprobe {
	const char *path;           /* the caller's string; it outlives the capture */
	pid_t pid;
	uint64_t off;
	uint64_t cookie;
};

struct args_capture {
	struct args_bpf *skel;
	struct ring_buffer *rb;
	bool multi;                 /* go_probe_multi loaded: attach through uprobe_multi links */
	struct pending_uprobe *pend;
	size_t npend, cappend;
	int *mfds;                  /* uprobe_multi link fds */
	size_t nmfds, capmfds;
	struct bpf_link **links;    /* per-probe links (older kernels) */
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

/* uprobe_multi links unless the kernel lacks them or GOTRACE_UPROBE_MULTI=0 asks not to. */
static bool use_multi(void)
{
	const char *e = getenv("GOTRACE_UPROBE_MULTI");

	return (!e || strcmp(e, "0") != 0) && args_bpf_uprobe_multi_supported();
}

/* Opens and loads the skeleton with one of the two programs: go_probe_multi for
 * uprobe_multi links, or go_probe for per-probe links. Loading just one keeps the
 * verifier's time out of the attach twice. */
static int load_skel(struct args_capture *b, const struct args_bpf_opts *o, size_t rbsize, bool multi)
{
	b->skel = args_bpf__open();
	if (!b->skel)
		return -errno;
	bpf_map__set_max_entries(b->skel->maps.events, (__u32)rbsize);
	/* the in-flight map is preallocated: keep it tiny unless --ret uses it */
	if (!o->pair)
		bpf_map__set_max_entries(b->skel->maps.inflight, 256);
	if (multi) {
		bpf_program__set_expected_attach_type(b->skel->progs.go_probe_multi,
						      (enum bpf_attach_type)GT_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_autoload(b->skel->progs.go_probe, false);
	} else {
		bpf_program__set_autoload(b->skel->progs.go_probe_multi, false);
	}
	b->multi = multi;
	return args_bpf__load(b->skel);
}

/* Byte offset of member name in the struct type id of btf, or -ENOENT. */
static long member_off(const struct btf *btf, __u32 id, const char *name, __u32 *type)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = t && btf_is_struct(t) ? btf_members(t) : NULL;

	for (__u16 i = 0; m && i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);

		if (n && !strcmp(n, name)) {
			*type = m->type;
			return (long)(btf_member_bit_offset(t, i) / 8);
		}
	}
	return -ENOENT;
}

/* Where the kernel keeps a task's FS base (task_struct.thread.fsbase, x86-64): from the
 * kernel's BTF, parsed only when a plan needs it (that costs ~80 ms). */
static int fsbase_offset(__u32 *out)
{
	struct btf *btf = btf__load_vmlinux_btf();
	long a, b;
	__s32 id;
	__u32 ty = 0;

	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	a = id > 0 ? member_off(btf, (__u32)id, "thread", &ty) : -ENOENT;
	b = a >= 0 ? member_off(btf, ty, "fsbase", &ty) : -ENOENT;
	btf__free(btf);
	if (b < 0)
		return (int)b;
	*out = (__u32)(a + b);
	return 0;
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
	r = load_skel(b, o, rbsize, use_multi());
	if (!b->skel) {
		snprintf(err, errlen, "cannot open the BPF program: %s", strerror(-r));
		goto fail;
	}
	if (r) {
		snprintf(err, errlen, "cannot load the BPF program: %s%s", strerror(-r), priv_hint(r, PRIV_BPF));
		goto fail;
	}
	conf.wake_bytes = (__u32)(rbsize / 8);
	/* without it goid reads 0 and --ret does not pair; the values still decode */
	if (o->g_tls && fsbase_offset(&conf.fsbase_off))
		fputs("gotrace: no kernel BTF for the thread's FS base: goroutine ids print as 0\n", stderr);
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
	for (size_t i = 0; i < b->nmfds; i++)
		close(b->mfds[i]);
	b->nmfds = 0;
	for (size_t i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	b->nlinks = 0;
}

void args_bpf_close(struct args_capture *b)
{
	if (!b)
		return;
	args_bpf_close_links(b);
	free(b->pend);
	free(b->mfds);
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

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *np;

	if (n < *cap)
		return 0;
	np = realloc(*p, c * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

static int attach_one(struct args_capture *b, const char *path, pid_t pid, uint64_t file_off, uint32_t n)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	struct bpf_link *l;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): one element is a pointer, as meant */
	if (grow((void **)&b->links, &b->caplinks, b->nlinks, sizeof(*b->links)))
		return -ENOMEM;
	uo.bpf_cookie = n;
	l = bpf_program__attach_uprobe_opts(b->skel->progs.go_probe, pid, path, (size_t)file_off, &uo);
	if (!l)
		return errno ? -errno : -EINVAL;
	b->links[b->nlinks++] = l;
	return 0;
}

int args_bpf_attach(struct args_capture *b, const char *path, pid_t pid, uint64_t file_off,
		    const struct args_plan *plan, uint32_t *id)
{
	uint32_t n = b->nprobes;
	int r;

	if (n >= ARGS_MAX_PROBES)
		return -E2BIG;
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.plans), &n, plan, BPF_ANY))
		return -errno;
	if (b->multi) {
		r = grow((void **)&b->pend, &b->cappend, b->npend, sizeof(*b->pend));
		if (r)
			return r;
		b->pend[b->npend++] = (struct pending_uprobe){ .path = path, .pid = pid, .off = file_off, .cookie = n };
	} else {
		r = attach_one(b, path, pid, file_off, n);
		if (r)
			return r;
	}
	b->nprobes++;
	*id = n;
	return 0;
}

/* BPF_LINK_CREATE of a uprobe_multi link (6.6 uapi, newer than libbpf 1.1's API): the fd
 * or -errno. */
static int uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offs, const uint64_t *cookies,
			     size_t cnt, pid_t pid)
{
	/* link_create.uprobe_multi: path, offsets, ref_ctr_offsets, cookies, cnt, flags, pid */
	struct {
		__u64 path, offsets, ref_ctr_offsets, cookies;
		__u32 cnt, flags, pid;
	} um = {
		.path = (__u64)(uintptr_t)path,
		.offsets = (__u64)(uintptr_t)offs,
		.cookies = (__u64)(uintptr_t)cookies,
		.cnt = (__u32)cnt,
		.pid = pid > 0 ? (__u32)pid : 0,
	};
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (__u32)prog_fd;
	a.link_create.attach_type = GT_BPF_TRACE_UPROBE_MULTI;
	_Static_assert(sizeof(a) >= 16 + sizeof(um), "bpf_attr too small for uprobe_multi");
	memcpy((char *)&a.link_create.flags + sizeof(a.link_create.flags), &um, sizeof(um));
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : (int)fd;
}

bool args_bpf_uprobe_multi_supported(void)
{
	/* The kernel does not check a kprobe program's expected attach type at load, so only
	 * a link tells: one on "/" fails with EBADF where uprobe_multi exists, EINVAL before. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = (enum bpf_attach_type)GT_BPF_TRACE_UPROBE_MULTI);
	uint64_t off = 0;
	int prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "probe_um", "GPL", insns, 2, &po), fd;

	if (prog < 0)
		return false;
	fd = uprobe_multi_link(prog, "/", &off, NULL, 1, 0);
	close(prog);
	if (fd >= 0)
		close(fd);
	return fd == -EBADF;
}

/* One uprobe_multi link for the pending probes [i, j), which share a file and a process. */
static int link_multi(struct args_capture *b, size_t i, size_t j)
{
	size_t cnt = j - i;
	uint64_t *offs = calloc(cnt, sizeof(*offs)), *cookies = calloc(cnt, sizeof(*cookies));
	int fd, r = 0;

	if (!offs || !cookies) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < cnt; k++) {
		offs[k] = b->pend[i + k].off;
		cookies[k] = b->pend[i + k].cookie;
	}
	fd = uprobe_multi_link(bpf_program__fd(b->skel->progs.go_probe_multi), b->pend[i].path, offs, cookies,
			       cnt, b->pend[i].pid);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (grow((void **)&b->mfds, &b->capmfds, b->nmfds, sizeof(*b->mfds))) {
		close(fd);
		r = -ENOMEM;
		goto out;
	}
	b->mfds[b->nmfds++] = fd;
out:
	free(offs);
	free(cookies);
	return r;
}

static bool same_target(const struct pending_uprobe *x, const struct pending_uprobe *y)
{
	return x->pid == y->pid && strcmp(x->path, y->path) == 0;
}

int args_bpf_start(struct args_capture *b, char *err, size_t errlen)
{
	int r = 0;

	/* attach_all adds a binary's probes one after the other: each run is one link */
	for (size_t i = 0, j; i < b->npend && !r; i = j) {
		for (j = i + 1; j < b->npend && same_target(&b->pend[i], &b->pend[j]); j++)
			;
		r = link_multi(b, i, j);
	}
	b->npend = 0;
	if (r)
		snprintf(err, errlen, "cannot attach uprobes: %s%s", strerror(-r), priv_hint(r, PRIV_BPF));
	return r;
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
