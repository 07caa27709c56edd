/* Generic Go function probe: executes the fetch plan of its probe and emits one ring-buffer record. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "args.h"
#include "args_x86.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ARGS_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct args_plan);
} plans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct args_conf);
} conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARGS_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

/* Entry timestamps of calls in flight; LRU because a panic never reaches a RET. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct args_frame);
	__type(value, __u64);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);   /* resized by user space before load */
} events SEC(".maps");

/* Failed ring-buffer reservations; summed by user space at the end. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Words at data[0..8*nwords), the copied bytes right behind them: the record is contiguous.
 * Byte copies start at an offset masked with ARGS_DATA_MASK, which the verifier can bound. */
#define ARGS_DATA_MASK 0x3fff   /* power of two - 1 above ARGS_MAX_WORDS * 8 + ARGS_MAX_BYTES */
struct scratch {
	struct args_event h;
	__u8 data[ARGS_DATA_MASK + 1 + ARGS_STR_MAX];
};

#define WORD(s, i) (*(__u64 *)&(s)->data[((i) & (ARGS_MAX_WORDS - 1)) * 8])

/* The record is built here, then copied with bpf_ringbuf_output: its size varies per call,
 * which bpf_ringbuf_reserve (constant sizes only) cannot express. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++;
}

/* State of one plan run, shared with the bpf_loop callback. */
struct run_ctx {
	const struct args_plan *p;
	struct scratch *s;
	__u64 sp;
	__u64 regs[GO_NUM_IREGS];
	__u32 base;         /* words before the ops' words */
	__u32 nw;           /* all words of the record: the byte area starts at nw * 8 */
	__u32 nbytes;
	__u32 first;        /* index of the op bpf_loop's iteration 0 runs */
};

/* Executes op i (of any kind). A bpf_loop callback is verified once, not once per unrolled op with
 * every combination of copied lengths, which would exceed the verifier's budget. */
static long run_op(__u32 k, void *data)
{
	struct run_ctx *rc = data;
	const struct args_op *op;
	struct scratch *s = rc->s;
	__u32 i = rc->first + k, w = rc->base + i;
	__u64 v = 0;

	if (w >= rc->nw)
		return 1;
	/* bound i where it indexes, or clang checks a copy the verifier cannot relate */
	asm volatile("" : "+r"(i));
	if (i >= ARGS_MAX_OPS)
		return 1;
	op = &rc->p->ops[i];
	switch (op->kind) {
	case ARGS_OP_IREG:
		if (op->reg < GO_NUM_IREGS)
			v = rc->regs[op->reg];
		break;
	case ARGS_OP_STACK:
		if (bpf_probe_read_user(&v, sizeof(v), (void *)(rc->sp + (__s64)op->off)))
			v = 0;
		break;
	case ARGS_OP_BYTES: {
		__u64 ptr = WORD(s, op->a);
		__u64 n = WORD(s, op->b) * op->scale;
		__u32 at = rc->nw * 8 + rc->nbytes;

		if (n > op->max)
			n = op->max;
		if (rc->nbytes >= ARGS_MAX_BYTES - ARGS_STR_MAX)
			break;
		asm volatile("" : "+r"(at), "+r"(n));
		at &= ARGS_DATA_MASK;
		if (n > ARGS_STR_MAX)
			n = ARGS_STR_MAX;
		if (n && bpf_probe_read_user(&s->data[at], n, (void *)ptr)) {
			v = ARGS_BYTES_FAULT;
			break;
		}
		v = n;
		rc->nbytes += n;
		break;
	}
	}
	WORD(s, w) = v;
	return 0;
}

/* Register/stack words done inline; a short bound keeps verification quick (load time
 * counts toward attach time). */
#define PLAIN_OPS 16

/* Fills words w.. from the plan's ops; the byte area starts after all of the record's words.
 * The plan lists register/stack words first: a plain bounded loop does the first of them
 * (cheap); byte copies and any further words go through bpf_loop. */
static __always_inline void run_plan(const struct go_regs *ctx, const struct args_plan *p,
				     struct scratch *s, __u32 w)
{
	struct run_ctx rc = { .p = p, .s = s, .sp = go_sp(ctx), .base = w };
	__u32 nops = p->nops, i;

	go_iregs(ctx, rc.regs);
	if (nops > ARGS_MAX_OPS)
		nops = ARGS_MAX_OPS;
	rc.nw = w + nops;
	if (rc.nw > ARGS_MAX_WORDS)
		rc.nw = ARGS_MAX_WORDS;
	for (i = 0; i < PLAIN_OPS; i++) {
		const struct args_op *op = &p->ops[i];
		__u64 v = 0;

		if (i >= nops || w + i >= rc.nw || op->kind == ARGS_OP_BYTES)
			break;
		if (op->kind == ARGS_OP_IREG) {
			if (op->reg < GO_NUM_IREGS)
				v = rc.regs[op->reg];
		} else if (bpf_probe_read_user(&v, sizeof(v), (void *)(rc.sp + (__s64)op->off))) {
			v = 0;
		}
		WORD(s, w + i) = v;
	}
	if (i < nops) {
		rc.first = i;
		bpf_loop(nops - i, run_op, &rc, 0);
	}
	s->h.nwords = rc.nw;
	s->h.nbytes = rc.nbytes;
}

/* Waking the consumer per record costs more than the probe itself; wake it in batches
 * (it also polls on a short timeout, so a quiet trickle still shows up promptly). */
static __always_inline __u64 wake_flags(const struct args_conf *c, __u64 size)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= c->wake_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(struct scratch *s, const struct args_conf *c)
{
	__u64 size = sizeof(s->h) + (__u64)s->h.nwords * 8 + s->h.nbytes;

	if (size > sizeof(*s))
		return;
	if (bpf_ringbuf_output(&events, s, size, wake_flags(c, size)))
		count_lost();
}

/* The common case, a few register/stack words and no bytes, is written straight into a
 * reserved ring-buffer slot: no scratch copy, no loop helper. */
#define SMALL_WORDS 8
struct small_rec {
	struct args_event h;
	__u64 words[SMALL_WORDS];
};

static __always_inline bool plan_is_small(const struct args_plan *p, __u32 w)
{
	__u32 n = p->nops;

	if (n + w > SMALL_WORDS)
		return false;
	if (!n)
		return true;
	n--;
	asm volatile("" : "+r"(n));
	if (n >= SMALL_WORDS)
		return false;
	/* byte copies come last in a plan: none when the last op is a word */
	return p->ops[n].kind != ARGS_OP_BYTES;
}

/* A slot of 2, 4 or 8 words, the smallest that holds nw: the ring buffer then holds as many
 * records as it can (a 1-word record takes 48 bytes with the ring's own header). */
static __always_inline struct small_rec *reserve_small(__u32 nw, __u32 *cap)
{
	if (nw <= 2) {
		*cap = 2;
		return bpf_ringbuf_reserve(&events, sizeof(struct args_event) + 2 * 8, 0);
	}
	if (nw <= 4) {
		*cap = 4;
		return bpf_ringbuf_reserve(&events, sizeof(struct args_event) + 4 * 8, 0);
	}
	*cap = SMALL_WORDS;
	return bpf_ringbuf_reserve(&events, sizeof(struct args_event) + SMALL_WORDS * 8, 0);
}

static __always_inline void emit_small(const struct go_regs *ctx, const struct args_plan *p,
				       const struct args_conf *c, const struct args_event *h,
				       const __u64 pre[ARGS_RET_WORDS], __u32 w)
{
	__u64 regs[GO_NUM_IREGS], sp = go_sp(ctx);
	__u32 nops = p->nops, cap = 0;
	struct small_rec *r = reserve_small(w + nops, &cap);

	if (!r) {
		count_lost();
		return;
	}
	r->h = *h;
	go_iregs(ctx, regs);
	for (__u32 i = 0; i < ARGS_RET_WORDS; i++)
		if (i < w && i < cap)
			r->words[i] = pre[i];
	for (__u32 i = 0; i < SMALL_WORDS; i++) {
		const struct args_op *op;
		__u32 j = i, k = w + i;
		__u64 v = 0;

		if (i >= nops || k >= cap)
			break;
		/* re-bound the indexes where they are used (see run_op) */
		asm volatile("" : "+r"(j), "+r"(k));
		if (j >= SMALL_WORDS || k >= cap)
			break;
		op = &p->ops[j];
		if (op->kind == ARGS_OP_IREG) {
			if (op->reg < GO_NUM_IREGS)
				v = regs[op->reg];
		} else if (bpf_probe_read_user(&v, sizeof(v), (void *)(sp + (__s64)op->off))) {
			v = 0;
		}
		r->words[k] = v;
	}
	r->h.nwords = w + nops;
	r->h.nbytes = 0;
	bpf_ringbuf_submit(r, wake_flags(c, sizeof(r->h) + cap * 8));
}

/* The current goroutine: R14 under the register ABI; before it (Go < 1.17) Go keeps g
 * only in TLS, at a fixed offset from the thread's FS base, which the kernel saves in
 * task_struct.thread (offset from the kernel's BTF, found by user space). */
static __always_inline __u64 plan_g(const struct go_regs *ctx, const struct args_plan *p,
				    const struct args_conf *c)
{
	__u64 fsbase = 0, g = 0;
	char *task;

	if (!p->g_tls)
		return go_g(ctx);
	task = (char *)bpf_get_current_task();
	if (!c->fsbase_off || bpf_probe_read_kernel(&fsbase, sizeof(fsbase), task + c->fsbase_off))
		return 0;
	bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase + (__s64)p->g_tls_off));
	return g;
}

static __always_inline int probe(void *raw)
{
	const struct go_regs *ctx = raw;
	__u32 zero = 0, id = (__u32)bpf_get_attach_cookie(raw);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	const struct args_plan *p;
	const struct args_conf *c;
	struct args_frame fr = {};
	struct args_event h = {};
	struct scratch *s;
	__u64 now, g, w = 0, pre[ARGS_RET_WORDS];

	p = bpf_map_lookup_elem(&plans, &id);
	c = bpf_map_lookup_elem(&conf, &zero);
	if (!p || !c)
		return 0;
	if (p->kind == ARGS_PROBE_ENTRY_JCC && go_prologue_branches(ctx))
		return 0;
	if (c->filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	now = bpf_ktime_get_ns();
	g = plan_g(ctx, p, c);
	if (p->kind == ARGS_PROBE_RET || p->pair) {
		__u64 hi = 0;

		bpf_probe_read_user(&hi, sizeof(hi), (void *)(g + p->stackhi_off));
		fr.g = g;
		fr.depth = hi - go_sp(ctx);
		fr.tgid = tgid;
		fr.func = p->func;
	}
	if (p->kind == ARGS_PROBE_RET) {
		__u64 *t0 = bpf_map_lookup_elem(&inflight, &fr);

		if (!t0)   /* entered before we attached, or its entry record was skipped */
			return 0;
		w = now - *t0;
		bpf_map_delete_elem(&inflight, &fr);
	} else if (p->pair) {
		bpf_map_update_elem(&inflight, &fr, &now, BPF_ANY);
	}

	h.ts = now;
	h.pid = tgid;
	h.tid = (__u32)pid_tgid;
	h.probe = id;
	if (p->goid_off)
		bpf_probe_read_user(&h.goid, sizeof(h.goid), (void *)(g + p->goid_off));
	pre[0] = fr.g;
	pre[1] = fr.depth;
	pre[2] = w;
	w = p->kind == ARGS_PROBE_RET ? ARGS_RET_WORDS : p->pair ? ARGS_PAIR_WORDS : 0;
	if (plan_is_small(p, (__u32)w)) {
		emit_small(ctx, p, c, &h, pre, (__u32)w);
		return 0;
	}
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	s->h = h;
	for (__u32 i = 0; i < ARGS_RET_WORDS; i++)
		if (i < w)
			WORD(s, i) = pre[i];
	run_plan(ctx, p, s, (__u32)w);
	emit(s, c);
	return 0;
}

/* One body, two attach types: per-probe perf-event uprobes, and (kernel >= 6.6) one
 * uprobe_multi link per binary, which user space selects by setting this program's
 * expected attach type before load. Both find their plan by the attach cookie. */
SEC("uprobe")
int go_probe(void *raw)
{
	return probe(raw);
}

SEC("uprobe")
int go_probe_multi(void *raw)
{
	return probe(raw);
}
