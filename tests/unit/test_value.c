/* Unit tests of the value printer (text + JSON) and of plan -> fetch ops -> decoded values. */
#include <errno.h>
#include <stdlib.h>
#include "unit.h"
#include "backend/args_ops.h"
#include "goabi/goabi.h"
#include "output/json.h"
#include "output/value.h"

static struct gotype_pool *pool;

static const char *fmt(const struct value_view *v)
{
	static char buf[512];

	value_format(v, buf, sizeof(buf));
	return buf;
}

static const char *as_json(const struct value_view *v)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	value_json(v, &j, "v");
	json_obj_end(&j);
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* value_json's report of a string cut at the bytes read. */
static bool value_json_cut(const struct value_view *v)
{
	char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;
	bool cut;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	cut = value_json(v, &j, "v");
	json_obj_end(&j);
	fclose(f);
	return cut;
}

static void test_floats(void)
{
	char b[64];

	value_format_float(2.718281828459045, 64, b, sizeof(b));
	CHECK_STR(b, "2.718281828459045");
	value_format_float(300, 64, b, sizeof(b));
	CHECK_STR(b, "300");
	value_format_float(1e21, 64, b, sizeof(b));
	CHECK_STR(b, "1e+21");
	value_format_float(1.5e-5, 64, b, sizeof(b));
	CHECK_STR(b, "1.5e-05");
	value_format_float(0.0001, 64, b, sizeof(b));
	CHECK_STR(b, "0.0001");
	value_format_float(-2.5, 64, b, sizeof(b));
	CHECK_STR(b, "-2.5");
	value_format_float((float)0.1, 32, b, sizeof(b));
	CHECK_STR(b, "0.1");
}

static void test_scalars(void)
{
	int64_t i = -42;
	uint8_t t = 1;
	struct value_view v = { .type = gotype_basic(pool, "int64"), .mem = (uint8_t *)&i };

	CHECK_STR(fmt(&v), "-42");
	CHECK_STR(as_json(&v), "{\"v\":-42}");
	v.type = gotype_basic(pool, "bool");
	v.mem = &t;
	CHECK_STR(fmt(&v), "true");
	v.unavailable = true;
	CHECK_STR(fmt(&v), "?");
	CHECK_STR(as_json(&v), "{\"v\":null}");
}

static void test_strings(void)
{
	uint64_t hdr[2] = { 0xc000010000, 11 };
	struct value_blob b = { .val_off = 0, .data = (const uint8_t *)"hello", .len = 5 };
	struct value_view v = { .type = gotype_basic(pool, "string"), .mem = (uint8_t *)hdr,
				.blobs = &b, .nblobs = 1, .strsize = 5 };

	CHECK_STR(fmt(&v), "\"hello\"…");
	CHECK_STR(as_json(&v), "{\"v\":\"hello\"}");
	CHECK(value_json_cut(&v));
	hdr[1] = 5;
	CHECK_STR(fmt(&v), "\"hello\"");
	CHECK(!value_json_cut(&v));
	b.data = (const uint8_t *)"a\"\n\x01";
	b.len = hdr[1] = 4;
	CHECK_STR(fmt(&v), "\"a\\\"\\n\\x01\"");
	b.fault = true;
	CHECK_STR(fmt(&v), "<bad address 0xc000010000>");
}

static void test_slice_struct(void)
{
	struct gotype *i64 = gotype_basic(pool, "int64");
	struct gotype *sl = gotype_new(pool, GK_SLICE, "[]int64", 24, 8);
	struct gotype *st = gotype_new(pool, GK_STRUCT, "main.p", 16, 8);
	uint64_t hdr[3] = { 0xc000020000, 3, 4 };
	int64_t elems[3] = { 1, -2, 3 };
	struct value_blob b = { .data = (const uint8_t *)elems, .len = sizeof(elems) };
	struct value_view v = { .type = sl, .mem = (uint8_t *)hdr, .blobs = &b, .nblobs = 1, .strsize = 64 };
	int64_t pt[2] = { 7, 8 };
	uint8_t known[16] = { 0 };

	sl->elem = i64;
	CHECK_STR(fmt(&v), "len=3 cap=4 [1 -2 3]");
	CHECK_STR(as_json(&v), "{\"v\":{\"len\":3,\"cap\":4,\"elems\":[1,-2,3]}}");
	st->fields = gotype_pool_alloc(pool, 2 * sizeof(*st->fields));
	st->fields[0] = (struct gofield){ "X", 0, i64 };
	st->fields[1] = (struct gofield){ "Y", 8, i64 };
	st->nfields = 2;
	v = (struct value_view){ .type = st, .mem = (uint8_t *)pt };
	CHECK_STR(fmt(&v), "{X:7 Y:8}");
	CHECK_STR(as_json(&v), "{\"v\":{\"X\":7,\"Y\":8}}");
	memset(known, 1, 8);
	v.known = known;
	CHECK_STR(fmt(&v), "{X:7 Y:?}");
}

/* addInt64(a, b int64) int64 under the register ABI: RAX, RBX in; RAX out. */
static void test_fetch_roundtrip(void)
{
	struct gotype *i64 = gotype_basic(pool, "int64"), *str = gotype_basic(pool, "string");
	struct goparam params[3] = { { "a", i64, false }, { "s", str, false }, { "~r0", i64, true } };
	struct gosig sig = { .func = "main.f", .params = params, .nparams = 3 };
	struct abi_plan plan;
	struct fetch_plan fp;
	struct fetched fx;
	__u64 words[8] = { 0 };
	char out[64];

	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	CHECK_INT(fetch_plan_build(&sig, &plan, 0, 2, ARGS_PAIR_WORDS, 64, &fp), 0);
	/* a: RAX; s: RBX (ptr), RCX (len); then the byte copy */
	CHECK_INT(fp.nops, 4);
	CHECK_INT(fp.ops[0].kind, ARGS_OP_IREG);
	CHECK_INT(fp.ops[0].reg, 0);
	CHECK_INT(fp.ops[3].kind, ARGS_OP_BYTES);
	CHECK_INT(fp.ops[3].a, ARGS_PAIR_WORDS + 1);
	CHECK_INT(fp.ops[3].b, ARGS_PAIR_WORDS + 2);
	words[2] = (__u64)-7;
	words[3] = 0xc000001000;
	words[4] = 2;
	words[5] = 2;
	CHECK_INT(fetch_decode(&fp, 0, &sig, words, 6, (const uint8_t *)"hi", 2, &fx), 0);
	value_format(&fx.view, out, sizeof(out));
	CHECK_STR(out, "-7");
	fetched_free(&fx);
	CHECK_INT(fetch_decode(&fp, 1, &sig, words, 6, (const uint8_t *)"hi", 2, &fx), 0);
	fx.view.strsize = 64;
	value_format(&fx.view, out, sizeof(out));
	CHECK_STR(out, "\"hi\"");
	fetched_free(&fx);
	/* a record claiming more bytes than it has is refused */
	CHECK_INT(fetch_decode(&fp, 1, &sig, words, 6, (const uint8_t *)"hi", 1, &fx), -EINVAL);
	fetch_plan_free(&fp);
	abi_plan_free(&plan);
}

int main(void)
{
	if (gotype_pool_new(&pool))
		return 1;
	RUN(test_floats);
	RUN(test_scalars);
	RUN(test_strings);
	RUN(test_slice_struct);
	RUN(test_fetch_roundtrip);
	gotype_pool_free(pool);
	return UNIT_DONE();
}
