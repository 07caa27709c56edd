/* Unit tests for the syscall summary: sorting, deltas, totals, names, the table text and JSON. */
#include <stdlib.h>
#include "unit.h"
#include "output/sctable.h"

static struct sc_snapshot *snap(void)
{
	struct sc_snapshot *s = calloc(1, sizeof(*s));

	s->nr[0] = (struct sc_counts){ .calls = 10, .errors = 0, .total_ns = 5000 };      /* read */
	s->nr[1] = (struct sc_counts){ .calls = 4, .errors = 1, .total_ns = 15000 };      /* write */
	s->nr[2] = (struct sc_counts){ .calls = 3, .errors = 3, .total_ns = 5000 };       /* open */
	s->nr[600] = (struct sc_counts){ .calls = 1, .errors = 0, .total_ns = 0 };        /* unknown */
	return s;
}

/* Renders with open_memstream so the exact text can be compared. */
static char *render(void (*fn)(FILE *, const struct sc_summary *, size_t), const struct sc_summary *s, size_t top)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, s, top);
	fclose(f);
	return buf;
}

static void sorts_by_time_then_calls(void)
{
	struct sc_snapshot *c = snap();
	struct sc_summary s;

	sctable_build(c, NULL, &s);
	CHECK_INT(s.n, 4);
	CHECK_INT(s.rows[0].nr, 1);   /* most time */
	CHECK_INT(s.rows[1].nr, 0);   /* ties on time: more calls first */
	CHECK_INT(s.rows[2].nr, 2);
	CHECK_INT(s.rows[3].nr, 600);
	CHECK_INT(s.total.calls, 18);
	CHECK_INT(s.total.errors, 4);
	CHECK_INT(s.total.total_ns, 25000);
	free(c);
}

static void delta_against_previous(void)
{
	struct sc_snapshot *c = snap(), *p = snap();
	struct sc_summary s;

	c->nr[1].calls += 6;
	c->nr[1].total_ns += 600;
	sctable_build(c, p, &s);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.rows[0].nr, 1);
	CHECK_INT(s.rows[0].c.calls, 6);
	CHECK_INT(s.rows[0].c.errors, 0);
	CHECK_INT(s.rows[0].c.total_ns, 600);
	free(c);
	free(p);
}

static void names(void)
{
	char buf[32];

	CHECK_STR(sctable_name(0, buf, sizeof(buf)), "read");
	CHECK_STR(sctable_name(110, buf, sizeof(buf)), "getppid");
	CHECK_STR(sctable_name(600, buf, sizeof(buf)), "syscall_600");
	CHECK_STR(sctable_name(SC_NR_OTHER, buf, sizeof(buf)), "syscall_other");
}

static void table_text(void)
{
	struct sc_snapshot *c = snap();
	struct sc_summary s;
	char *out;

	sctable_build(c, NULL, &s);
	out = render(sctable_print, &s, 0);
	CHECK_STR(out,
		"% time     seconds  usecs/call     calls    errors syscall\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		" 60.00    0.000015           3         4         1 write\n"
		" 20.00    0.000005           0        10           read\n"
		" 20.00    0.000005           1         3         3 open\n"
		"  0.00    0.000000           0         1           syscall_600\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		"100.00    0.000025           1        18         4 total\n");
	free(out);
	out = render(sctable_print, &s, 1);
	CHECK(strstr(out, " write\n") && !strstr(out, " read\n"));
	CHECK(strstr(out, "(3 more syscalls not shown)\n"));
	CHECK(strstr(out, "        18         4 total\n"));
	free(out);
	free(c);
}

static void empty_table(void)
{
	struct sc_snapshot *c = calloc(1, sizeof(*c));
	struct sc_summary s;
	char *out;

	sctable_build(c, NULL, &s);
	out = render(sctable_print, &s, 0);
	CHECK(strstr(out, "  0.00    0.000000           0         0           total\n") != NULL);
	free(out);
	free(c);
}

static void json_object(void)
{
	struct sc_snapshot *c = snap();
	struct sc_summary s;
	struct sc_meta m = { .pid = 42, .backend = "bpf", .duration_ns = 1000000000, .lost = 2 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sctable_build(c, NULL, &s);
	sctable_json(f, &m, &s, 2);
	fclose(f);
	CHECK_STR(buf,
		"{\"pid\":42,\"backend\":\"bpf\",\"duration_ns\":1000000000,\"lost\":2,"
		"\"total_calls\":18,\"total_errors\":4,\"syscalls\":["
		"{\"nr\":1,\"name\":\"write\",\"calls\":4,\"errors\":1,\"total_ns\":15000},"
		"{\"nr\":0,\"name\":\"read\",\"calls\":10,\"errors\":0,\"total_ns\":5000}]}\n");
	free(buf);
	free(c);
}

int main(void)
{
	RUN(sorts_by_time_then_calls);
	RUN(delta_against_previous);
	RUN(names);
	RUN(table_text);
	RUN(empty_table);
	RUN(json_object);
	return UNIT_DONE();
}
