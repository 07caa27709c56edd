/* One line per traced call, as text or as a JSON Lines event. */
#ifndef GOTRACE_ARGS_PRINT_H
#define GOTRACE_ARGS_PRINT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "goabi/goabi.h"
#include "output/json.h"
#include "output/value.h"

struct args_value {
	const struct goparam *param;
	const struct value_view *view;
};

struct args_call {
	uint64_t ts_ns;             /* wall clock, ns since the epoch */
	uint32_t pid, tid;
	uint64_t goid;
	const char *func;
	const struct args_value *args;
	int nargs;
	bool has_ret;               /* --ret: results and latency below */
	const struct args_value *rets;
	int nrets;
	uint64_t latency_ns;
};

/* "12:00:01.123456 pid=4132 tid=4140 goid=18 main.computeE(iterations=10) = 2.718281 [3.2µs]" */
void args_print_text(FILE *f, const struct args_call *c);
/* {"ts_ns":…,"pid":…,"tid":…,"goid":…,"func":…,"args":[{"name","type","value"}],"ret":[…],"latency_ns":…} */
void args_print_json(struct json *j, const struct args_call *c);
/* "850ns", "3.2µs", "1.25ms", "2.000s" */
void args_format_latency(uint64_t ns, char *buf, size_t n);
#endif
