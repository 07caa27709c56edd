/* The syscall summary: strace -c style table and the JSON object, from a counts snapshot. */
#ifndef GOTRACE_SCTABLE_H
#define GOTRACE_SCTABLE_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "backend/backend.h"

/* One syscall's counts in a summary. */
struct sc_row {
	uint32_t nr;
	struct sc_counts c;
};

/* Rows of syscalls called at least once, sorted by time (then calls, then number). */
struct sc_summary {
	struct sc_row rows[SC_MAX_NR];
	size_t n;
	struct sc_counts total;
};

/* The counts of cur minus prev (prev NULL: cur itself), summarised. */
void sctable_build(const struct sc_snapshot *cur, const struct sc_snapshot *prev, struct sc_summary *out);

/* The kernel's name of syscall nr, or "syscall_N" for numbers the table does not know
 * (buf holds that text); "syscall_other" for the out-of-range slot. */
const char *sctable_name(uint32_t nr, char *buf, size_t len);

/* Prints the strace -c table: header, rows (the first top, all when top is 0), total. */
void sctable_print(FILE *f, const struct sc_summary *s, size_t top);

/* What the JSON object says besides the rows. */
struct sc_meta {
	pid_t pid;             /* the (first) traced process */
	const char *backend;   /* "bpf" / "ptrace" */
	uint64_t duration_ns;  /* the window the counts cover */
	uint64_t lost;
};

/* Writes one JSON Lines object with SPEC.md's keys; rows as in sctable_print. */
void sctable_json(FILE *f, const struct sc_meta *m, const struct sc_summary *s, size_t top);
#endif
