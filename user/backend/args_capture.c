/* The capture backends of gotrace args behind one table: BPF uprobes or ptrace breakpoints. */
#include "backend/args_capture.h"
#include "backend/args_ptrace.h"

static int bpf_open(const struct args_bpf_opts *o, void **out, char *err, size_t errlen)
{
	struct args_capture *c = NULL;
	int r = args_bpf_open(o, &c, err, errlen);

	*out = c;
	return r;
}

static int bpf_add_pid(void *c, pid_t pid) { return args_bpf_add_pid(c, pid); }
static int bpf_prepare(struct fetch_plan *fp) { (void)fp; return 0; }

static int bpf_attach(void *c, const char *path, pid_t pid, uint64_t file_off, const struct args_plan *plan,
		      uint32_t *id)
{
	return args_bpf_attach(c, path, pid, file_off, plan, id);
}

static int bpf_start(void *c, char *err, size_t errlen) { return args_bpf_start(c, err, errlen); }
static void bpf_close_links(void *c) { args_bpf_close_links(c); }

static int bpf_poll(void *c, int timeout_ms, args_event_fn fn, void *ctx)
{
	return args_bpf_poll(c, timeout_ms, fn, ctx);
}

static uint64_t bpf_lost(void *c) { return args_bpf_lost(c); }
static void bpf_close(void *c) { args_bpf_close(c); }

const struct args_capture_ops args_capture_bpf = {
	.name = "bpf", .open = bpf_open, .add_pid = bpf_add_pid, .prepare = bpf_prepare,
	.attach = bpf_attach, .start = bpf_start, .close_links = bpf_close_links, .poll = bpf_poll,
	.lost = bpf_lost, .close = bpf_close,
};

static int pt_open(const struct args_bpf_opts *o, void **out, char *err, size_t errlen)
{
	struct args_ptrace *p = NULL;
	int r;

	(void)o;  /* no ring buffer; only one process, so no PID filter either */
	r = args_ptrace_open(&p, err, errlen);
	*out = p;
	return r;
}

static int pt_add_pid(void *c, pid_t pid) { return args_ptrace_add_pid(c, pid); }

static int pt_attach(void *c, const char *path, pid_t pid, uint64_t file_off, const struct args_plan *plan,
		     uint32_t *id)
{
	return args_ptrace_attach(c, path, pid, file_off, plan, id);
}

static int pt_start(void *c, char *err, size_t errlen) { return args_ptrace_start(c, err, errlen); }
static void pt_close_links(void *c) { args_ptrace_close_links(c); }

static int pt_poll(void *c, int timeout_ms, args_event_fn fn, void *ctx)
{
	return args_ptrace_poll(c, timeout_ms, fn, ctx);
}

static uint64_t pt_lost(void *c) { return args_ptrace_lost(c); }
static void pt_close(void *c) { args_ptrace_close(c); }

const struct args_capture_ops args_capture_ptrace = {
	.name = "ptrace", .open = pt_open, .add_pid = pt_add_pid, .prepare = args_ptrace_add_fregs,
	.attach = pt_attach, .start = pt_start, .close_links = pt_close_links, .poll = pt_poll,
	.lost = pt_lost, .close = pt_close,
};
