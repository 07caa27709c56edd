/* Compiles an ABI plan into the fetch ops the args probe executes, and reads records back into values. */
#ifndef GOTRACE_ARGS_OPS_H
#define GOTRACE_ARGS_OPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../../bpf/args.h"
#include "goabi/goabi.h"
#include "output/value.h"

#define FETCH_MAX_BLOBS 8

/* How one value (argument or result) comes back out of a record. */
struct fetch_value {
	int param;                          /* index into gosig.params */
	bool unavailable;                   /* some piece is in an X register: BPF cannot see it */
	bool dropped;                       /* the probe ran out of ops/words for it */
	int word[GOABI_MAX_PIECES];         /* record word of each plan piece, -1 when none */
	int nblobs;
	struct {
		uint32_t val_off;           /* string/slice header inside the value */
		int word;                   /* the BYTES op's word (bytes copied) */
	} blobs[FETCH_MAX_BLOBS];
};

/* The ops of one probe plus the way back. */
struct fetch_plan {
	int base;                           /* words before the ops' words (pairing, latency) */
	int nops;
	struct args_op ops[ARGS_MAX_OPS];
	int nvalues;
	struct fetch_value *values;         /* points into values_buf */
	const struct value_plan *vplans;    /* the abi plan's values, indexed like values */
};

/* Builds the ops for values [first, first+n) of plan (args or results of sig). base is the
 * number of leading words the probe writes itself; strsize caps string/[]byte bytes.
 * 0, -ENOMEM. Free with fetch_plan_free. */
int fetch_plan_build(const struct gosig *sig, const struct abi_plan *plan, int first, int n,
		     int base, uint32_t strsize, struct fetch_plan *out);
void fetch_plan_free(struct fetch_plan *fp);

/* A value read back from a record: its Go memory image plus the bytes behind its headers. */
struct fetched {
	uint8_t *mem;                       /* type->size bytes (zeroed where not captured) */
	uint8_t *known;                     /* per byte of mem: captured or not */
	struct value_blob blobs[FETCH_MAX_BLOBS];
	struct value_view view;
};

/* Decodes value i of fp from a record's words/bytes into out (mem malloc'd: fetched_free).
 * 0, -EINVAL (record too short), -ENOMEM. */
int fetch_decode(const struct fetch_plan *fp, int i, const struct gosig *sig,
		 const __u64 *words, int nwords, const uint8_t *bytes, size_t nbytes,
		 struct fetched *out);
void fetched_free(struct fetched *f);
#endif
