/* gotrace args --ret: entry records waiting for their RET, keyed like the BPF in-flight map. */
#ifndef GOTRACE_ARGS_PENDING_H
#define GOTRACE_ARGS_PENDING_H
#include <stddef.h>
#include <stdint.h>

struct pending_key {
	uint32_t pid;
	uint64_t g;
	uint64_t depth;             /* g.stack.hi - SP at entry */
};

struct pending;

/* At most cap entries: beyond that the oldest goes (a panic never reaches a RET). */
int pending_new(size_t cap, struct pending **out);
void pending_free(struct pending *p);
/* Stores a copy of rec (size bytes) under k, replacing an older one. 0 or -ENOMEM. */
int pending_put(struct pending *p, const struct pending_key *k, const void *rec, size_t size);
/* Removes the record of k and returns it (caller frees), or NULL. */
void *pending_take(struct pending *p, const struct pending_key *k, size_t *size);
#endif
