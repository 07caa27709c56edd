/* ptrace capture backend of gotrace args: the same probe plans as BPF, run at int3 breakpoints by a tracer process. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend/args_ptrace.h"
#include "backend/ptrace_bp.h"
#include "backend/ptrace_mem.h"
#include "backend/ptrace_proc.h"
#include "proc/proc.h"

/* Calls in flight (entry seen, RET not yet): a fixed table of 8-way buckets. Only a full
 * bucket loses its oldest entry, like the BPF side's LRU map (a panic never reaches a RET);
 * one slot per hash lost live frames to collisions (deep recursion: ~1 call in 160). */
#define INFLIGHT_SLOTS 16384
#define INFLIGHT_WAYS 8
#define READ_CHUNK (64 * 1024)
#define OUT_BYTES (256 * 1024)
#define OUT_NS (20 * 1000000ull)
/* Frames keep 8-byte alignment in the reader's buffer (the header has 64-bit fields). */
#define FRAME_PAD(n) (((n) + 7) & ~(uint64_t)7)

struct probe {
	char path[PATH_MAX];
	uint64_t file_off;
	struct args_plan plan;
};

struct inflight {
	struct args_frame key;
	uint64_t t0;
	bool used;
};

/* The record as the BPF program lays it out: header, words, then the copied bytes. */
struct record {
	uint64_t size;          /* framing on the pipe: payload bytes; frames are padded to 8 */
	struct args_event h;
	uint8_t data[ARGS_MAX_WORDS * 8 + ARGS_MAX_BYTES];
};

struct args_ptrace {
	pid_t pid;
	size_t npids;
	struct probe *probes;
	uint32_t nprobes, cap;
	struct pt_proc proc;
	/* main process: bytes received and not yet handed out */
	uint8_t *buf;
	size_t len, size;
	/* tracer process only */
	uint8_t *out;               /* records not yet written to the pipe */
	size_t outlen;
	uint64_t out_t0;            /* when the oldest of them was made */
	struct pt_session s;
	struct pt_bpset bps;
	int data_fd;
	struct inflight *inflight;
	struct record *rec;
};

int args_ptrace_open(struct args_ptrace **out, char *err, size_t errlen)
{
	struct args_ptrace *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->proc.pid = -1;
	p->proc.data_fd = -1;
	p->bps.memfd = -1;
	*out = p;
	return 0;
}

int args_ptrace_add_pid(struct args_ptrace *p, pid_t pid)
{
	if (p->npids && p->pid == pid)
		return 0;
	p->npids++;
	if (p->npids > 1)
		return -E2BIG;
	p->pid = pid;
	return 0;
}

int args_ptrace_attach(struct args_ptrace *p, const char *path, pid_t pid, uint64_t file_off,
		       const struct args_plan *plan, uint32_t *id)
{
	struct probe *pr;

	(void)pid;  /* the process comes from add_pid: one tracer follows one process */
	if (p->nprobes >= ARGS_MAX_PROBES)
		return -E2BIG;
	if (p->nprobes == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 16;
		struct probe *n = realloc(p->probes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->probes = n;
		p->cap = cap;
	}
	pr = &p->probes[p->nprobes];
	if ((size_t)snprintf(pr->path, sizeof(pr->path), "%s", path) >= sizeof(pr->path))
		return -ENAMETOOLONG;
	pr->file_off = file_off;
	pr->plan = *plan;
	*id = p->nprobes++;
	return 0;
}

int args_ptrace_add_fregs(struct fetch_plan *fp)
{
	int r = 0;

	for (int v = 0; v < fp->nvalues; v++) {
		struct fetch_value *fv = &fp->values[v];
		const struct value_plan *vp = &fp->vplans[v];
		bool all = true;

		for (int i = 0; i < vp->npieces; i++) {
			const struct loc *l = &vp->pieces[i];

			if (l->kind != LOC_FREG || fv->word[i] >= 0)
				continue;
			if (fp->nops >= ARGS_MAX_OPS || fp->base + fp->nops >= ARGS_MAX_WORDS) {
				all = false;
				fv->dropped = true;
				r = -E2BIG;
				continue;
			}
			fp->ops[fp->nops] = (struct args_op){ .kind = ARGS_OP_FREG, .reg = l->reg };
			fv->word[i] = fp->base + fp->nops++;
		}
		if (all)
			fv->unavailable = false;
	}
	return r;
}

/* ---- the tracer process ---- */

/* The executable mappings of the process, read once for all probes. */
struct xmaps {
	struct proc_map v[256];
	size_t n;
};

static int xmap_cb(const struct proc_map *m, void *ctx)
{
	struct xmaps *x = ctx;

	if (m->x && m->inode && x->n < sizeof(x->v) / sizeof(x->v[0])) {
		x->v[x->n] = *m;
		x->v[x->n++].name = NULL;   /* it pointed into the line just read */
	}
	return 0;
}

/* Where file offset off of the executable path is mapped, among the mappings x. */
static int resolve_addr(const struct xmaps *x, const char *path, uint64_t off, uint64_t *addr)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	for (size_t i = 0; i < x->n; i++) {
		const struct proc_map *m = &x->v[i];

		if (m->inode == st.st_ino && off >= m->offset && off < m->offset + (m->end - m->start)) {
			*addr = m->start + (off - m->offset);
			return 0;
		}
	}
	return -ENOENT;
}

static int plant(struct args_ptrace *p)
{
	struct xmaps *x = calloc(1, sizeof(*x));
	int r = x ? proc_maps_foreach((int)p->pid, xmap_cb, x) : -ENOMEM;

	for (uint32_t i = 0; !r && i < p->nprobes; i++) {
		uint64_t addr = 0;

		r = resolve_addr(x, p->probes[i].path, p->probes[i].file_off, &addr);
		if (!r)
			r = pt_bp_add(&p->bps, addr, i);
	}
	free(x);
	return r;
}

static bool frame_eq(const struct args_frame *a, const struct args_frame *b)
{
	return a->g == b->g && a->depth == b->depth && a->tgid == b->tgid && a->func == b->func;
}

/* k's slot when it is in flight; else NULL, or with insert a free slot of its bucket or,
 * when the bucket is full, its oldest entry. */
static struct inflight *inflight_find(struct args_ptrace *p, const struct args_frame *k, bool insert)
{
	uint64_t h = k->g * 0x9e3779b97f4a7c15ull ^ k->depth * 0xc2b2ae3d27d4eb4full ^ k->func;
	struct inflight *b = &p->inflight[(h >> 17) % (INFLIGHT_SLOTS / INFLIGHT_WAYS) * INFLIGHT_WAYS];
	struct inflight *free_slot = NULL, *oldest = b;

	for (int i = 0; i < INFLIGHT_WAYS; i++) {
		if (b[i].used && frame_eq(&b[i].key, k))
			return &b[i];
		if (!b[i].used && !free_slot)
			free_slot = &b[i];
		else if (b[i].used && b[i].t0 < oldest->t0)
			oldest = &b[i];
	}
	if (!insert)
		return NULL;
	return free_slot ? free_slot : oldest;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *b = buf;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hands the batched records to the reader. A blocking write: a slow reader slows the
 * target down instead of losing calls. */
static int out_flush(struct args_ptrace *p)
{
	int r = p->outlen ? write_all(p->data_fd, p->out, p->outlen) : 0;

	p->outlen = 0;
	return r == -EPIPE ? -EPIPE : 0;
}

/* Records are batched: waking the reader per call would cost more than the call's stops.
 * A batch goes out when OUT_BYTES are pending or its oldest record is OUT_NS old (and
 * whenever the tracer finds the target quiet, see tracer_body). */
static int out_add(struct args_ptrace *p, const void *rec, size_t n, uint64_t now)
{
	if (!p->outlen)
		p->out_t0 = now;
	memcpy(p->out + p->outlen, rec, n);
	p->outlen += n;
	if (p->outlen + sizeof(struct record) > OUT_BYTES || now - p->out_t0 >= OUT_NS)
		return out_flush(p);
	return 0;
}

#define WORD(rec, i) (((uint64_t *)(rec)->data)[(i) & (ARGS_MAX_WORDS - 1)])

/* Executes the plan's ops exactly as bpf/args.bpf.c's run_plan does, plus ARGS_OP_FREG. */
static void run_plan(struct args_ptrace *p, const struct pt_hit *h, const struct args_plan *ap, uint32_t w)
{
	struct record *rec = p->rec;
	uint32_t nw = w + ap->nops, nbytes = 0;
	uint64_t sp = ptr_sp(h->cpu);

	if (nw > ARGS_MAX_WORDS)
		nw = ARGS_MAX_WORDS;
	for (uint32_t i = 0; i < ap->nops && w < nw; i++, w++) {
		const struct args_op *op = &ap->ops[i];
		uint64_t v = 0;

		switch (op->kind) {
		case ARGS_OP_IREG:
			ptr_ireg(h->cpu, op->reg, &v);
			break;
		case ARGS_OP_STACK:
			if (pt_mem_read(p->pid, sp + (uint64_t)(int64_t)op->off, &v, sizeof(v)))
				v = 0;
			break;
		case ARGS_OP_FREG:
			if (ptr_load_fp(h->task->tid, h->cpu) || ptr_freg(h->cpu, op->reg, &v))
				v = 0;
			break;
		case ARGS_OP_BYTES: {
			uint64_t ptr = WORD(rec, op->a), n = WORD(rec, op->b) * op->scale;
			uint32_t at = nw * 8 + nbytes;

			if (n > op->max)
				n = op->max;
			if (n > ARGS_STR_MAX)
				n = ARGS_STR_MAX;
			if (nbytes + n > ARGS_MAX_BYTES)
				break;
			if (n && pt_mem_read(p->pid, ptr, &rec->data[at], n)) {
				v = ARGS_BYTES_FAULT;
				break;
			}
			v = n;
			nbytes += (uint32_t)n;
			break;
		}
		default:
			break;
		}
		WORD(rec, w) = v;
	}
	rec->h.nwords = (uint16_t)nw;
	rec->h.nbytes = (uint16_t)nbytes;
}

/* One breakpoint hit: the logic of bpf/args.bpf.c's go_probe, with ptrace's view of the thread. */
static int on_hit(void *ctx, const struct pt_hit *h)
{
	struct args_ptrace *p = ctx;
	const struct args_plan *ap;
	struct args_frame fr = { 0 };
	struct record *rec = p->rec;
	uint64_t now, g, w = 0;
	bool paired;

	if (h->cookie >= p->nprobes)
		return 0;
	ap = &p->probes[h->cookie].plan;
	if (ap->kind == ARGS_PROBE_ENTRY_JCC && h->branch_taken)
		return 0;  /* to morestack: the call is reported on its final pass */
	now = pt_now_ns();
	g = ptr_g(h->cpu);
	if (ap->g_tls && pt_mem_read(p->pid, ptr_tls_base(h->cpu) + (uint64_t)(int64_t)ap->g_tls_off, &g, sizeof(g)))
		g = 0;
	paired = ap->kind == ARGS_PROBE_RET || ap->pair;
	if (paired) {
		uint64_t hi = 0;

		pt_mem_read(p->pid, g + ap->stackhi_off, &hi, sizeof(hi));
		fr.g = g;
		fr.depth = hi - ptr_sp(h->cpu);
		fr.tgid = (uint32_t)p->pid;
		fr.func = ap->func;
	}
	if (ap->kind == ARGS_PROBE_RET) {
		struct inflight *in = inflight_find(p, &fr, false);

		if (!in)
			return 0;  /* entered before we attached */
		w = now - in->t0;
		in->used = false;
	} else if (ap->pair) {
		*inflight_find(p, &fr, true) = (struct inflight){ .key = fr, .t0 = now, .used = true };
	}
	memset(&rec->h, 0, sizeof(rec->h));
	rec->h.ts = now;
	rec->h.pid = (uint32_t)p->pid;
	rec->h.tid = (uint32_t)h->task->tid;
	rec->h.probe = (uint32_t)h->cookie;
	if (ap->goid_off)
		pt_mem_read(p->pid, g + ap->goid_off, &rec->h.goid, sizeof(rec->h.goid));
	if (paired) {
		WORD(rec, 0) = fr.g;
		WORD(rec, 1) = fr.depth;
		if (ap->kind == ARGS_PROBE_RET) {
			WORD(rec, 2) = w;
			w = ARGS_RET_WORDS;
		} else {
			w = ARGS_PAIR_WORDS;
		}
	}
	run_plan(p, h, ap, (uint32_t)w);
	rec->size = sizeof(rec->h) + rec->h.nwords * 8u + rec->h.nbytes;
	return out_add(p, rec, sizeof(rec->size) + FRAME_PAD(rec->size), now);
}

static int hook_trap(struct pt_session *s, struct pt_task *t, void *ctx)
{
	return pt_bp_trap(s, t, &((struct args_ptrace *)ctx)->bps);
}

static void hook_detach(struct pt_session *s, void *ctx)
{
	pt_bp_detach(s, &((struct args_ptrace *)ctx)->bps);
}

/* A launched command's image is in place: the breakpoints go into it before it runs. */
static int hook_exec(struct pt_session *s, struct pt_task *t, void *ctx)
{
	struct args_ptrace *p = ctx;
	int r;

	(void)s;
	(void)t;
	pt_bp_forget(&p->bps);
	pt_bp_free(&p->bps);
	/* /proc/PID/mem opened before the exec still shows the old image. */
	r = pt_bp_init(&p->bps, p->pid, on_hit, p);
	return r ? r : plant(p);
}

static int tracer_body(void *arg, int report_fd, int data_fd)
{
	struct args_ptrace *p = arg;
	struct pt_hooks h = { .trap = hook_trap, .exec = hook_exec, .detach = hook_detach, .ctx = p };
	enum pt_stop why = PT_TIMEOUT;
	pid_t tracer = 0;
	int r, sig;

	/* Never die of a closed pipe with breakpoints in the target. */
	signal(SIGPIPE, SIG_IGN);
	p->data_fd = data_fd;
	p->inflight = calloc(INFLIGHT_SLOTS, sizeof(*p->inflight));
	p->rec = malloc(sizeof(*p->rec));
	p->out = malloc(OUT_BYTES);
	if (!p->inflight || !p->rec || !p->out) {
		pt_proc_report(report_fd, -ENOMEM, 0);
		return 1;
	}
	r = pt_attach(&p->s, p->pid, PTRACE_CONT, &h, 0, &tracer);
	if (r) {
		pt_proc_report(report_fd, r, tracer);
		return 1;
	}
	r = pt_bp_init(&p->bps, p->pid, on_hit, p);
	if (!r && !pt_is_parked(p->pid))
		r = plant(p);
	pt_proc_report(report_fd, r, 0);
	/* Short runs: a batch never waits longer than OUT_NS for a quiet target. */
	while (!r && why == PT_TIMEOUT) {
		r = pt_run(&p->s, pt_now_ns() + OUT_NS, &sig, &why);
		if (!r)
			r = out_flush(p);
	}
	pt_detach(&p->s);
	out_flush(p);
	pt_bp_free(&p->bps);
	pt_session_free(&p->s);
	return r ? 1 : 0;
}

int args_ptrace_start(struct args_ptrace *p, char *err, size_t errlen)
{
	struct pt_proc_report rep;
	int r;

	if (p->npids != 1) {
		snprintf(err, errlen, "%s", p->npids ? "the ptrace backend traces one process at a time"
			 : "the ptrace backend needs a process (-p PID or -- CMD)");
		return -ENOTSUP;
	}
	r = pt_proc_start(&p->proc, tracer_body, p, &rep);
	if (r) {
		snprintf(err, errlen, "cannot start the tracer: %s", strerror(-r));
		return r;
	}
	if (rep.err) {
		if (rep.err == -EPERM || rep.err == -ESRCH)
			pt_proc_why(&rep, p->pid, err, errlen);
		else
			snprintf(err, errlen, "cannot plant breakpoints in PID %d: %s", (int)p->pid, strerror(-rep.err));
		return rep.err;
	}
	fcntl(p->proc.data_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Appends what the pipe holds now; *eof when the tracer has gone. */
static int slurp(struct args_ptrace *p, bool *eof)
{
	*eof = false;
	for (;;) {
		ssize_t n;

		if (p->size - p->len < READ_CHUNK) {
			size_t size = p->size ? p->size * 2 : 4 * READ_CHUNK;
			uint8_t *b = realloc(p->buf, size);

			if (!b)
				return -ENOMEM;
			p->buf = b;
			p->size = size;
		}
		n = read(p->proc.data_fd, p->buf + p->len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0) {
			*eof = true;
			return 0;
		}
		p->len += (size_t)n;
		if (n < READ_CHUNK)
			return 0;
	}
}

static int deliver(struct args_ptrace *p, args_event_fn fn, void *ctx)
{
	size_t off = 0;
	int r = 0;

	while (!r && p->len - off >= sizeof(uint64_t)) {
		uint64_t size;
		const struct args_event *e;
		const uint8_t *rec;

		memcpy(&size, p->buf + off, sizeof(size));
		if (p->len - off - sizeof(size) < FRAME_PAD(size))
			break;
		rec = p->buf + off + sizeof(size);
		e = (const struct args_event *)rec;
		off += sizeof(size) + FRAME_PAD(size);
		if (size < sizeof(*e) || sizeof(*e) + e->nwords * 8u + e->nbytes > size)
			continue;
		r = fn(ctx, e, (const __u64 *)(rec + sizeof(*e)), rec + sizeof(*e) + e->nwords * 8u, e->nbytes);
	}
	if (off) {
		memmove(p->buf, p->buf + off, p->len - off);
		p->len -= off;
	}
	return r;
}

int args_ptrace_poll(struct args_ptrace *p, int timeout_ms, args_event_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = p->proc.data_fd, .events = POLLIN };
	bool eof;
	int r;

	r = deliver(p, fn, ctx);
	if (r)
		return r;
	if (poll(&pfd, 1, timeout_ms) < 0)
		return errno == EINTR ? -EINTR : -errno;
	if (p->proc.data_fd >= 0 && (pfd.revents & (POLLIN | POLLHUP))) {
		r = slurp(p, &eof);
		if (r)
			return r;
		if (eof) {
			close(p->proc.data_fd);
			p->proc.data_fd = -1;
		}
	}
	return deliver(p, fn, ctx);
}

void args_ptrace_close_links(struct args_ptrace *p)
{
	uint64_t give_up = pt_now_ns() + PT_PROC_GRACE_MS * 1000000ull;
	bool eof = false;

	if (p->proc.pid <= 0)
		return;
	kill(p->proc.pid, SIGTERM);
	/* Keep reading while it detaches: a tracer blocked on a full pipe must get to finish. */
	while (p->proc.data_fd >= 0 && !eof && pt_now_ns() < give_up) {
		struct pollfd pfd = { .fd = p->proc.data_fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			break;
		if (slurp(p, &eof))
			break;
	}
	if (p->proc.data_fd >= 0)
		close(p->proc.data_fd);
	p->proc.data_fd = -1;
	pt_proc_reap(&p->proc);
}

uint64_t args_ptrace_lost(struct args_ptrace *p)
{
	(void)p;
	return 0;
}

void args_ptrace_close(struct args_ptrace *p)
{
	if (!p)
		return;
	args_ptrace_close_links(p);
	pt_proc_stop(&p->proc);
	free(p->probes);
	free(p->buf);
	free(p);
}
