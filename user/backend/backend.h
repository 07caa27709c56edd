/* The syscall-counting backend interface: BPF today, ptrace later, both fill the same counts table. */
#ifndef GOTRACE_BACKEND_H
#define GOTRACE_BACKEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../../bpf/syscalls.h"

/* What to trace. */
struct sc_config {
	const pid_t *pids;     /* process IDs (tgids); every thread of each, later ones included */
	size_t npids;
	bool stacks;           /* also count per (syscall, user stack) */
	enum sc_level level;   /* SC_LEVEL_FULL except in the cost breakdown of make bench */
};

/* Cumulative counts since start, indexed by syscall number (SC_NR_OTHER: out of range). */
struct sc_snapshot {
	struct sc_counts nr[SC_MAX_NR];
	uint64_t lost_calls;   /* calls that could not be counted */
	uint64_t lost_stacks;  /* calls counted but whose call site could not be recorded */
};

/* Counts of one (syscall, call path) pair; ips[0] is the innermost user frame. */
struct sc_stack {
	uint32_t nr;
	pid_t pid;             /* the process (tgid) the calls came from */
	bool lost;             /* capture failed: no ips, counted under "[unknown]" */
	uint32_t depth;
	uint64_t ips[SC_STACK_DEPTH];
	uint64_t leaf_ret;     /* candidate caller of a frameless ips[0] (see sc_stack_key) */
	struct sc_counts c;
};

struct sc_backend;

/* One backend. Every function returns 0 or -errno; open may explain a failure in why. */
struct sc_backend_ops {
	const char *name;  /* "bpf", "ptrace": the JSON "backend" value */
	/* Prepares (loads) without attaching; -ENOSYS/-EPERM/... mean "not usable here". */
	int (*open)(const struct sc_config *cfg, struct sc_backend **out, char *why, size_t whylen);
	/* Starts counting (attaches); from here on every completed syscall is counted. */
	int (*start)(struct sc_backend *b, char *why, size_t whylen);
	/* Fills out with the totals since start (safe to call while counting). */
	int (*read)(struct sc_backend *b, struct sc_snapshot *out);
	/* Returns the per-call-site counts (*out malloc'ed, caller frees); 0 entries without stacks. */
	int (*read_stacks)(struct sc_backend *b, struct sc_stack **out, size_t *n);
	/* Stops counting and frees everything; the targets keep running. */
	void (*close)(struct sc_backend *b);
};

extern const struct sc_backend_ops sc_backend_bpf;

/* The backend for --backend NAME ("bpf", "ptrace"); NULL when not built in. */
const struct sc_backend_ops *sc_backend_find(const char *name);
#endif
