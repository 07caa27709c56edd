/* One line per traced call, as text or as a JSON Lines event. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "output/args_print.h"

/* Long enough for a --strsize 4096 string with every byte escaped. */
#define VALUE_BUF 20000

void args_format_latency(uint64_t ns, char *buf, size_t n)
{
	if (ns < 1000)
		snprintf(buf, n, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.1fµs", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.3fs", (double)ns / 1e9);
}

static bool named(const struct goparam *p)
{
	return p->name && p->name[0] && p->name[0] != '~';
}

static void put_values(FILE *f, const struct args_value *v, int n, char *buf)
{
	for (int i = 0; i < n; i++) {
		value_format(v[i].view, buf, VALUE_BUF);
		if (named(v[i].param))
			fprintf(f, "%s%s=%s", i ? ", " : "", v[i].param->name, buf);
		else
			fprintf(f, "%s%s", i ? ", " : "", buf);
	}
}

void args_print_text(FILE *f, const struct args_call *c)
{
	char buf[VALUE_BUF], lat[32];
	time_t sec = (time_t)(c->ts_ns / 1000000000u);
	struct tm tm;

	localtime_r(&sec, &tm);
	fprintf(f, "%02d:%02d:%02d.%06u pid=%" PRIu32 " tid=%" PRIu32 " goid=%" PRIu64 " %s(",
		tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(c->ts_ns % 1000000000u / 1000u),
		c->pid, c->tid, c->goid, c->func);
	put_values(f, c->args, c->nargs, buf);
	fputc(')', f);
	if (c->has_ret) {
		if (c->nrets == 1) {
			value_format(c->rets[0].view, buf, VALUE_BUF);
			fprintf(f, " = %s", buf);
		} else if (c->nrets > 1) {
			fputs(" = (", f);
			put_values(f, c->rets, c->nrets, buf);
			fputc(')', f);
		}
		args_format_latency(c->latency_ns, lat, sizeof(lat));
		fprintf(f, " [%s]", lat);
	}
	fputc('\n', f);
}

static void json_values(struct json *j, const char *key, const struct args_value *v, int n)
{
	json_arr_begin(j, key);
	for (int i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", v[i].param->name ? v[i].param->name : "");
		json_str(j, "type", v[i].param->type && v[i].param->type->name ? v[i].param->type->name : "");
		if (value_json(v[i].view, j, "value"))
			json_bool(j, "truncated", true);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void args_print_json(struct json *j, const struct args_call *c)
{
	json_obj_begin(j, NULL);
	json_uint(j, "ts_ns", c->ts_ns);
	json_uint(j, "pid", c->pid);
	json_uint(j, "tid", c->tid);
	json_uint(j, "goid", c->goid);
	json_str(j, "func", c->func);
	json_values(j, "args", c->args, c->nargs);
	if (c->has_ret) {
		json_values(j, "ret", c->rets, c->nrets);
		json_uint(j, "latency_ns", c->latency_ns);
	}
	json_obj_end(j);
}
