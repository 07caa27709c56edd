/* Unit tests of the JSON writer: escaping, UTF-8 validation, nesting and commas. */
#include "unit.h"
#include "output/json.h"
#include <stdlib.h>

static char *render(void (*fn)(struct json *))
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static char *escape(const char *s, size_t n)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	json_write_string(f, s, n);
	fclose(f);
	return buf;
}

static void test_escapes(void)
{
	CHECK_STR(escape("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR(escape("\n\t\r\b\f", 5), "\"\\n\\t\\r\\b\\f\"");
	CHECK_STR(escape("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
	CHECK_STR(escape("a\0b", 3), "\"a\\u0000b\"");
}

static void test_utf8(void)
{
	CHECK_STR(escape("h\xc3\xa9llo \xe2\x80\xa6", 10), "\"h\xc3\xa9llo \xe2\x80\xa6\"");
	CHECK_STR(escape("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(escape("\xff", 1), "\"\\ufffd\"");
	CHECK_STR(escape("\xc3", 1), "\"\\ufffd\"");          /* truncated sequence */
	CHECK_STR(escape("\xc0\xaf", 2), "\"\\ufffd\\ufffd\""); /* overlong '/' */
	CHECK_STR(escape("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
}

static void doc(struct json *j)
{
	json_obj_begin(j, NULL);
	json_int(j, "pid", 42);
	json_str(j, "name", "x");
	json_arr_begin(j, "a");
	json_uint(j, NULL, 1);
	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_null(j, "n");
	json_obj_end(j);
	json_arr_end(j);
	json_double(j, "d", 0.5);
	json_obj_end(j);
	json_obj_begin(j, NULL);
	json_str(j, "s", NULL);
	json_obj_end(j);
}

static void test_nesting(void)
{
	CHECK_STR(render(doc), "{\"pid\":42,\"name\":\"x\",\"a\":[1,{\"ok\":true,\"n\":null}],\"d\":0.5}\n{\"s\":null}\n");
}

int main(void)
{
	RUN(test_escapes);
	RUN(test_utf8);
	RUN(test_nesting);
	return UNIT_DONE();
}
