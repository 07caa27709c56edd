/* The BPF syscall-counting backend: loads syscalls.bpf.c, attaches sys_enter/sys_exit, reads the maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend/backend.h"
#include "backend/privhint.h"
#include "backend/ptrace_syscalls.h"
#include "syscalls.skel.h"

/* Distinct (syscall, stack) pairs and stacks kept with --stacks. A stack-trace map
 * refuses a stack whose hash bucket is taken (counted as lost), so it gets far more
 * buckets than a process has distinct syscall stacks: with 100 stacks, a given one
 * collides with probability ~0.15% (36 MB, only with --stacks). */
#define SC_STACK_KEYS 16384
#define SC_STACK_IDS 65536

struct sc_backend {
	struct syscalls_bpf *skel;
	int ncpus;
	bool stacks;
};

/* libbpf chatter would break the one-line error rule; keep it for GOTRACE_DEBUG=1. */
static int quiet_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LIBBPF_DEBUG || !getenv("GOTRACE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* tp_btf by default (measured cheaper, see docs/performance.md); raw_tp with
 * GOTRACE_SYSCALLS_RAWTP=1 for the comparison. */
static bool use_raw_tp(void)
{
	const char *e = getenv("GOTRACE_SYSCALLS_RAWTP");

	return e && *e == '1';
}

static int bpf_open(const struct sc_config *cfg, struct sc_backend **out, char *why, size_t whylen)
{
	struct sc_backend *b;
	bool raw = use_raw_tp();
	int err;

	*out = NULL;
	if (!cfg->npids)
		return -EINVAL;
	libbpf_set_print(quiet_print);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		err = b->ncpus < 0 ? b->ncpus : -EINVAL;
		snprintf(why, whylen, "cannot count CPUs");
		goto fail;
	}
	b->skel = syscalls_bpf__open();
	if (!b->skel) {
		err = -errno;
		snprintf(why, whylen, "opening the BPF object: %s", strerror(-err));
		goto fail;
	}
	b->stacks = cfg->stacks;
	b->skel->rodata->targ_tgid = cfg->npids == 1 ? (__u32)cfg->pids[0] : 0;
	b->skel->rodata->level = cfg->level;
	b->skel->rodata->with_stacks = cfg->stacks;
	if (cfg->stacks) {
		bpf_map__set_max_entries(b->skel->maps.stacks, SC_STACK_IDS);
		bpf_map__set_max_entries(b->skel->maps.stack_counts, SC_STACK_KEYS);
	}
	bpf_program__set_autoload(b->skel->progs.sys_enter_btf, !raw);
	bpf_program__set_autoload(b->skel->progs.sys_exit_btf, !raw);
	bpf_program__set_autoload(b->skel->progs.sys_enter_raw, raw);
	bpf_program__set_autoload(b->skel->progs.sys_exit_raw, raw);
	err = syscalls_bpf__load(b->skel);
	if (err) {
		snprintf(why, whylen, "loading the BPF program: %s%s", strerror(-err), priv_hint(err, PRIV_BPF));
		goto fail;
	}
	if (cfg->npids > 1) {
		__u8 one = 1;

		for (size_t i = 0; i < cfg->npids; i++) {
			__u32 tgid = (__u32)cfg->pids[i];

			if (bpf_map__update_elem(b->skel->maps.tgids, &tgid, sizeof(tgid), &one, sizeof(one), BPF_ANY)) {
				err = -errno;
				snprintf(why, whylen, "filling the PID filter: %s", strerror(-err));
				goto fail;
			}
		}
	}
	*out = b;
	return 0;
fail:
	syscalls_bpf__destroy(b->skel);
	free(b);
	return err;
}

static int bpf_start(struct sc_backend *b, char *why, size_t whylen)
{
	int err = syscalls_bpf__attach(b->skel);

	if (err)
		snprintf(why, whylen, "attaching to sys_enter/sys_exit: %s", strerror(-err));
	return err;
}

/* Sums one per-CPU value array of n counters. */
static int sum_percpu(int fd, __u32 key, int ncpus, struct sc_counts *vals, struct sc_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	for (int c = 0; c < ncpus; c++) {
		out->calls += vals[c].calls;
		out->errors += vals[c].errors;
		out->total_ns += vals[c].total_ns;
	}
	return 0;
}

static int read_lost(struct sc_backend *b, struct sc_snapshot *out)
{
	int fd = bpf_map__fd(b->skel->maps.lost);
	__u64 *v = calloc((size_t)b->ncpus, sizeof(*v));
	__u64 sum[SC_LOST_NSLOTS] = { 0 };

	if (!v)
		return -ENOMEM;
	for (__u32 k = 0; k < SC_LOST_NSLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, v)) {
			int err = -errno;

			free(v);
			return err;
		}
		for (int c = 0; c < b->ncpus; c++)
			sum[k] += v[c];
	}
	free(v);
	out->lost_calls = sum[SC_LOST_STORAGE];
	out->lost_stacks = sum[SC_LOST_STACK] + sum[SC_LOST_STACKKEY];
	return 0;
}

static int bpf_read(struct sc_backend *b, struct sc_snapshot *out)
{
	int fd = bpf_map__fd(b->skel->maps.counts);
	struct sc_counts *vals = calloc((size_t)b->ncpus * SC_MAX_NR, sizeof(*vals));
	__u32 *keys = calloc(SC_MAX_NR, sizeof(*keys));
	__u32 count = SC_MAX_NR, batch;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	/* One batch syscall reads all CPUs of all numbers; per-key lookups are the fallback. */
	if (!bpf_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, NULL) || errno == ENOENT) {
		for (__u32 i = 0; i < count; i++) {
			struct sc_counts *row = vals + (size_t)i * b->ncpus, *o;

			if (keys[i] >= SC_MAX_NR)
				continue;
			o = &out->nr[keys[i]];
			for (int c = 0; c < b->ncpus; c++) {
				o->calls += row[c].calls;
				o->errors += row[c].errors;
				o->total_ns += row[c].total_ns;
			}
		}
	} else {
		for (__u32 k = 0; k < SC_MAX_NR && !err; k++)
			err = sum_percpu(fd, k, b->ncpus, vals, &out->nr[k]);
	}
	if (!err)
		err = read_lost(b, out);
out:
	free(vals);
	free(keys);
	return err;
}

static int bpf_read_stacks(struct sc_backend *b, struct sc_stack **out, size_t *n)
{
	int kfd, sfd;
	struct sc_stack_key key, next, *prev = NULL;
	struct sc_stack *v = NULL;
	size_t len = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!b->stacks)
		return 0;
	kfd = bpf_map__fd(b->skel->maps.stack_counts);
	sfd = bpf_map__fd(b->skel->maps.stacks);
	while (!bpf_map_get_next_key(kfd, prev, &next)) {
		struct sc_stack *s;

		key = next;
		prev = &key;
		if (len == cap) {
			struct sc_stack *nv;

			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		s = &v[len];
		memset(s, 0, sizeof(*s));
		if (bpf_map_lookup_elem(kfd, &key, &s->c))
			continue;  /* deleted meanwhile: cannot happen, we never delete */
		s->nr = key.nr;
		s->pid = (pid_t)key.tgid;
		s->leaf_ret = key.leaf_ret;
		if (key.stack_id < 0 || bpf_map_lookup_elem(sfd, &key.stack_id, s->ips)) {
			s->lost = true;
		} else {
			while (s->depth < SC_STACK_DEPTH && s->ips[s->depth])
				s->depth++;
		}
		len++;
	}
	*out = v;
	*n = len;
	return 0;
}

static void bpf_close(struct sc_backend *b)
{
	if (!b)
		return;
	syscalls_bpf__destroy(b->skel);
	free(b);
}

const struct sc_backend_ops sc_backend_bpf = {
	.name = "bpf",
	.open = bpf_open,
	.start = bpf_start,
	.read = bpf_read,
	.read_stacks = bpf_read_stacks,
	.close = bpf_close,
};

const struct sc_backend_ops *sc_backend_find(const char *name)
{
	if (!strcmp(name, "bpf"))
		return &sc_backend_bpf;
	if (!strcmp(name, "ptrace"))
		return &sc_backend_ptrace;
	return NULL;
}
