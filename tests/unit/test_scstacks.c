/* Unit tests for syscall call paths: folded lines, merging, lost stacks, top paths (no symbols). */
#include <stdlib.h>
#include "unit.h"
#include "output/scstacks.h"

/* Without a symbolizer every frame prints as hex, which makes the frame logic visible. */
static struct sc_stack mk(uint32_t nr, uint64_t calls, int depth, const uint64_t *ips)
{
	struct sc_stack s = { .nr = nr, .pid = 1, .c = { .calls = calls, .total_ns = calls * 10 } };

	for (int i = 0; i < depth; i++)
		s.ips[i] = ips[i];
	s.depth = (uint32_t)depth;
	s.lost = depth == 0;
	return s;
}

static char *folded(const struct sc_stack *st, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(scstacks_folded(f, st, n, NULL), 0);
	fclose(f);
	return buf;
}

static void folded_root_first_leaf_is_syscall(void)
{
	/* Return addresses (frames past the first) are looked up at ip - 1. */
	const uint64_t a[] = { 0x1000, 0x2001, 0x3001 };
	struct sc_stack st[] = { mk(110, 5, 3, a) };
	char *out = folded(st, 1);

	CHECK_STR(out, "0x3000;0x2000;0x1000;getppid 5\n");
	free(out);
}

static void equal_paths_merge(void)
{
	/* Two stack ids that symbolise alike (here: identical frames) are one line. */
	const uint64_t a[] = { 0x1000, 0x2001 };
	struct sc_stack st[] = { mk(1, 2, 2, a), mk(1, 3, 2, a), mk(0, 4, 2, a) };
	char *out = folded(st, 3);

	CHECK_STR(out, "0x2000;0x1000;read 4\n0x2000;0x1000;write 5\n");
	free(out);
}

static void lost_stack_is_unknown(void)
{
	struct sc_stack st[] = { mk(1, 7, 0, NULL) };
	char *out = folded(st, 1);

	CHECK_STR(out, "[unknown];write 7\n");
	free(out);
}

static void top_paths_per_syscall(void)
{
	const uint64_t a[] = { 0x1000, 0x2001 }, b[] = { 0x1000, 0x4001 };
	struct sc_stack st[] = { mk(1, 1, 2, a), mk(1, 3, 2, b), mk(0, 9, 2, a) };
	struct sc_snapshot *snap = calloc(1, sizeof(*snap));
	struct sc_summary *sum = malloc(sizeof(*sum));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	snap->nr[1] = (struct sc_counts){ .calls = 4, .total_ns = 400 };
	snap->nr[0] = (struct sc_counts){ .calls = 9, .total_ns = 90 };
	sctable_build(snap, NULL, sum);
	scstacks_print(f, sum, 1, st, 3, NULL, 1);
	fclose(f);
	/* --top 1 shows write only; one path: the most frequent (3 of 4 calls). */
	CHECK(strstr(buf, "write: 4 calls\n") != NULL);
	CHECK(strstr(buf, "read:") == NULL);
	CHECK(strstr(buf, "          3 calls  75.00%") != NULL);
	CHECK(strstr(buf, "        0x1000\n        0x4000\n") != NULL);
	CHECK(strstr(buf, "(1 more paths)") != NULL);
	free(buf);
	free(sum);
	free(snap);
}

int main(void)
{
	RUN(folded_root_first_leaf_is_syscall);
	RUN(equal_paths_merge);
	RUN(lost_stack_is_unknown);
	RUN(top_paths_per_syscall);
	return UNIT_DONE();
}
