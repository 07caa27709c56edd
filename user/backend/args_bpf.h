/* BPF capture backend of gotrace args: loads the generic probe, installs plans, attaches uprobes, drains events. */
#ifndef GOTRACE_ARGS_BPF_H
#define GOTRACE_ARGS_BPF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../../bpf/args.h"

struct args_bpf_opts {
	size_t ringbuf_bytes;       /* 0: default (16 MiB) */
	bool filter_pids;           /* only events of the PIDs given to args_bpf_add_pid */
	bool pair;                  /* RET probes will be attached: size the in-flight map */
	bool g_tls;                 /* some plan reads g from TLS: find task_struct's fsbase */
};

struct args_capture;

/* Whether the kernel has uprobe_multi links (6.6+): one link per binary instead of a perf
 * event per probe. */
bool args_bpf_uprobe_multi_supported(void);

/* Opens and loads the program. 0 or -errno; on failure err says why (one line). */
int args_bpf_open(const struct args_bpf_opts *o, struct args_capture **out, char *err, size_t errlen);
void args_bpf_close(struct args_capture *b);

int args_bpf_add_pid(struct args_capture *b, pid_t pid);

/* Stores plan under a new probe id (*id) for a uprobe at file_off of the file path (pid -1:
 * every process running it); path must outlive b. The uprobe is attached now on kernels
 * without uprobe_multi links, else by args_bpf_start. 0 or -errno. */
int args_bpf_attach(struct args_capture *b, const char *path, pid_t pid, uint64_t file_off,
		    const struct args_plan *plan, uint32_t *id);
/* Attaches the probes args_bpf_attach recorded: one uprobe_multi link per (file, process),
 * which attaches and detaches hundreds of probes at the cost of one. 0 or -errno (err set). */
int args_bpf_start(struct args_capture *b, char *err, size_t errlen);

/* Detaches every uprobe (the targets run on untouched); records already written stay readable. */
void args_bpf_close_links(struct args_capture *b);

/* One record: header, its words, then the bytes the BYTES ops copied. */
typedef int (*args_event_fn)(void *ctx, const struct args_event *e, const __u64 *words,
			     const uint8_t *bytes, size_t nbytes);

/* Waits up to timeout_ms for records and hands every pending one to fn. A non-zero return
 * of fn stops the drain and is returned. Returns 0 (or fn's value), -EINTR, or -errno. */
int args_bpf_poll(struct args_capture *b, int timeout_ms, args_event_fn fn, void *ctx);
/* Failed ring-buffer reservations so far, summed over CPUs. */
uint64_t args_bpf_lost(struct args_capture *b);
#endif
