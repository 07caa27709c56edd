/* The capture backends of gotrace args behind one table: BPF uprobes or ptrace breakpoints. */
#ifndef GOTRACE_ARGS_CAPTURE_H
#define GOTRACE_ARGS_CAPTURE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "backend/args_bpf.h"
#include "backend/args_ops.h"

/* Same contracts as the args_bpf_* functions; the ptrace backend adds start. */
struct args_capture_ops {
	const char *name;   /* "bpf" or "ptrace": the JSON "backend" value */
	int (*open)(const struct args_bpf_opts *o, void **out, char *err, size_t errlen);
	int (*add_pid)(void *c, pid_t pid);
	/* Lets the backend fetch more of a plan than fetch_plan_build gave BPF (X registers). */
	int (*prepare)(struct fetch_plan *fp);
	int (*attach)(void *c, const char *path, pid_t pid, uint64_t file_off, const struct args_plan *plan,
		      uint32_t *id);
	/* After every attach, before a launched command is released; err says why it failed. */
	int (*start)(void *c, char *err, size_t errlen);
	void (*close_links)(void *c);
	int (*poll)(void *c, int timeout_ms, args_event_fn fn, void *ctx);
	uint64_t (*lost)(void *c);
	void (*close)(void *c);
};

extern const struct args_capture_ops args_capture_bpf;
extern const struct args_capture_ops args_capture_ptrace;
#endif
