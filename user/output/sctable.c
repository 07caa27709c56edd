/* The syscall summary: strace -c style table and the JSON object, from a counts snapshot. */
#include <stdlib.h>
#include <string.h>
#include "output/json.h"
#include "output/sctable.h"
#include "syscall_table.h"

static void sub_counts(struct sc_counts *d, const struct sc_counts *a, const struct sc_counts *b)
{
	/* Counters only grow; a smaller value would mean a reset, which is taken as is. */
	d->calls = a->calls >= b->calls ? a->calls - b->calls : a->calls;
	d->errors = a->errors >= b->errors ? a->errors - b->errors : a->errors;
	d->total_ns = a->total_ns >= b->total_ns ? a->total_ns - b->total_ns : a->total_ns;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct sc_row *a = pa, *b = pb;

	if (a->c.total_ns != b->c.total_ns)
		return a->c.total_ns > b->c.total_ns ? -1 : 1;
	if (a->c.calls != b->c.calls)
		return a->c.calls > b->c.calls ? -1 : 1;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

void sctable_build(const struct sc_snapshot *cur, const struct sc_snapshot *prev, struct sc_summary *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t nr = 0; nr < SC_MAX_NR; nr++) {
		struct sc_counts d = cur->nr[nr];

		if (prev)
			sub_counts(&d, &cur->nr[nr], &prev->nr[nr]);
		if (!d.calls)
			continue;
		out->rows[out->n].nr = nr;
		out->rows[out->n].c = d;
		out->n++;
		out->total.calls += d.calls;
		out->total.errors += d.errors;
		out->total.total_ns += d.total_ns;
	}
	qsort(out->rows, out->n, sizeof(out->rows[0]), cmp_rows);
}

const char *sctable_name(uint32_t nr, char *buf, size_t len)
{
	if (nr < sizeof(syscall_names) / sizeof(syscall_names[0]) && syscall_names[nr])
		return syscall_names[nr];
	if (nr == SC_NR_OTHER)
		return "syscall_other";
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

static const char dashes[] = "------ ----------- ----------- --------- --------- ----------------\n";

/* One line in strace's layout; errors stay blank when zero, as strace prints them. */
static void print_line(FILE *f, const struct sc_counts *c, uint64_t all_ns, const char *name)
{
	double pct = all_ns ? 100.0 * (double)c->total_ns / (double)all_ns : 0.0;
	unsigned long long usecs = c->calls ? c->total_ns / 1000 / c->calls : 0;

	fprintf(f, "%6.2f %11.6f %11llu %9llu ", pct, (double)c->total_ns / 1e9, usecs,
		(unsigned long long)c->calls);
	if (c->errors)
		fprintf(f, "%9llu", (unsigned long long)c->errors);
	else
		fprintf(f, "%9s", "");
	fprintf(f, " %s\n", name);
}

static size_t shown(const struct sc_summary *s, size_t top)
{
	return top && top < s->n ? top : s->n;
}

void sctable_print(FILE *f, const struct sc_summary *s, size_t top)
{
	size_t n = shown(s, top);
	char buf[32];

	fputs("% time     seconds  usecs/call     calls    errors syscall\n", f);
	fputs(dashes, f);
	for (size_t i = 0; i < n; i++)
		print_line(f, &s->rows[i].c, s->total.total_ns, sctable_name(s->rows[i].nr, buf, sizeof(buf)));
	if (n < s->n)
		fprintf(f, "%52s (%zu more syscalls not shown)\n", "...", s->n - n);
	fputs(dashes, f);
	/* The total line's share is 100% of whatever was counted, as in strace. */
	print_line(f, &s->total, s->total.total_ns ? s->total.total_ns : 0, "total");
}

void sctable_json(FILE *f, const struct sc_meta *m, const struct sc_summary *s, size_t top)
{
	size_t n = shown(s, top);
	struct json j;
	char buf[32];

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_int(&j, "pid", m->pid);
	json_str(&j, "backend", m->backend);
	json_uint(&j, "duration_ns", m->duration_ns);
	json_uint(&j, "lost", m->lost);
	json_uint(&j, "total_calls", s->total.calls);
	json_uint(&j, "total_errors", s->total.errors);
	json_arr_begin(&j, "syscalls");
	for (size_t i = 0; i < n; i++) {
		const struct sc_row *r = &s->rows[i];

		json_obj_begin(&j, NULL);
		json_uint(&j, "nr", r->nr);
		json_str(&j, "name", sctable_name(r->nr, buf, sizeof(buf)));
		json_uint(&j, "calls", r->c.calls);
		json_uint(&j, "errors", r->c.errors);
		json_uint(&j, "total_ns", r->c.total_ns);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	fflush(f);
}
