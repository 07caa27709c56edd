/* Minimal TAP-producing test harness for the C unit tests (one binary per module). */
#ifndef GOTRACE_UNIT_H
#define GOTRACE_UNIT_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int unit_n, unit_failed, unit_case_failed;

#define UNIT_FAIL(fmt, ...) do { \
	unit_case_failed = 1; \
	printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
} while (0)

#define CHECK(cond) do { if (!(cond)) UNIT_FAIL("CHECK(%s)", #cond); } while (0)
#define CHECK_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) UNIT_FAIL("%s == %lld, want %lld", #a, _a, _b); } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) UNIT_FAIL("%s == \"%s\", want \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)

/* Runs one test function and prints its TAP line. */
#define RUN(fn) do { \
	unit_case_failed = 0; fn(); unit_n++; \
	if (unit_case_failed) unit_failed++; \
	printf("%sok %d - %s\n", unit_case_failed ? "not " : "", unit_n, #fn); \
} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_n), unit_failed ? 1 : 0)
#endif
