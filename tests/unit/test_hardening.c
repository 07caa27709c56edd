/* Regression tests for what static analysis and fuzzing found: each case is one fixed finding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "backend/privhint.h"
#include "goelf/typesym.h"
#include "proc/procparse.h"

/* clang-analyzer: typesym_name accepted a NULL table (no type symbols) for itab lookups
 * but dereferenced it for plain type names. */
static void test_typesym_null_table(void)
{
	char buf[64] = "unchanged";

	CHECK_INT(typesym_name(NULL, 0x401000, false, buf, sizeof(buf)), -ENOENT);
	CHECK_INT(typesym_name(NULL, 0x401000, true, buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "unchanged");
}

/* The /proc parsers take unterminated buffers of exactly n bytes (as fuzz_procparse feeds
 * them): a stat line cut anywhere must never read past n. Run under make SANITIZE=1. */
static void test_stat_cut_anywhere(void)
{
	static const char line[] = "42 (a) b) S 1 42 42 0 -1 4194560 1 0 0 0 7 3 0 0 20 0 4 0 555 1 2 3";
	struct proc_stat st;

	for (size_t n = 0; n <= strlen(line); n++) {
		char *exact = malloc(n ? n : 1);

		memcpy(exact, line, n);
		(void)proc_parse_stat(exact, n, &st);
		free(exact);
	}
	CHECK_INT(proc_parse_stat(line, strlen(line), &st), 0);
	CHECK_STR(st.comm, "a) b");
	CHECK_INT(st.ppid, 1);
	CHECK_INT(st.num_threads, 4);
}

/* Permission errors name the capability; other errors get no hint. */
static void test_priv_hint(void)
{
	CHECK(strstr(priv_hint(-EPERM, PRIV_BPF), "CAP_BPF and CAP_PERFMON") != NULL);
	CHECK(strstr(priv_hint(-EACCES, PRIV_PTRACE), "CAP_SYS_PTRACE") != NULL);
	CHECK_STR(priv_hint(-ENOENT, PRIV_BPF), "");
	CHECK_STR(priv_hint(0, PRIV_PTRACE), "");
}

int main(void)
{
	RUN(test_priv_hint);
	RUN(test_typesym_null_table);
	RUN(test_stat_cut_anywhere);
	return UNIT_DONE();
}
