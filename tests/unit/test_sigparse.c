/* Unit tests of the user signature parser: accepted syntax, layouts, and error messages. */
#include <errno.h>
#include "unit.h"
#include "goabi/sigparse.h"

static void test_basic_sig(void)
{
	struct gotype_pool *pool;
	struct gosig sig;
	char err[256];

	gotype_pool_new(&pool);
	CHECK_INT(sigparse("main.add(a int64, b string) (int, error)", pool, &sig, err, sizeof(err)), 0);
	CHECK_STR(sig.func, "main.add");
	CHECK_INT(sig.nparams, 4);
	CHECK_STR(sig.params[0].name, "a");
	CHECK_STR(sig.params[0].type->name, "int64");
	CHECK_INT(sig.params[0].type->kind, GK_INT);
	CHECK_INT(sig.params[0].type->size, 8);
	CHECK_STR(sig.params[1].name, "b");
	CHECK_INT(sig.params[1].type->kind, GK_STRING);
	CHECK_INT(sig.params[1].type->size, 16);
	CHECK(sig.params[2].is_result && sig.params[3].is_result && !sig.params[1].is_result);
	CHECK_STR(sig.params[2].name, "~r0");
	CHECK_STR(sig.params[3].name, "~r1");
	CHECK_INT(sig.params[3].type->kind, GK_IFACE);
	CHECK(!sig.abi0);
	gotype_pool_free(pool);
}

static void test_forms(void)
{
	struct gotype_pool *pool;
	struct gosig sig;
	char err[256];

	gotype_pool_new(&pool);
	/* Grouped names, single result, receiver in the name, leading "func". */
	CHECK_INT(sigparse("func main.(*T).M(a, b int, _ uint8) float64", pool, &sig, err, sizeof(err)), 0);
	CHECK_STR(sig.func, "main.(*T).M");
	CHECK_INT(sig.nparams, 4);
	CHECK_STR(sig.params[1].name, "b");
	CHECK_STR(sig.params[1].type->name, "int");
	CHECK_STR(sig.params[2].name, "_");
	CHECK_INT(sig.params[2].type->size, 1);
	CHECK_INT(sig.params[3].type->kind, GK_FLOAT);
	/* Unnamed parameters, no results, generic name, variadic. */
	CHECK_INT(sigparse("main.F[...](int, ...string)", pool, &sig, err, sizeof(err)), 0);
	CHECK_STR(sig.func, "main.F[...]");
	CHECK_INT(sig.nparams, 2);
	CHECK_STR(sig.params[0].name, "");
	CHECK_INT(sig.params[1].type->kind, GK_SLICE);
	CHECK_STR(sig.params[1].type->name, "[]string");
	CHECK_INT(sigparse("main.none()", pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(sig.nparams, 0);
	CHECK_INT(sigparse("  runtime.memmove.abi0(to, from unsafe.Pointer, n uintptr)  ", pool, &sig, err, sizeof(err)), 0);
	CHECK(sig.abi0);
	CHECK_INT(sig.params[1].type->kind, GK_UNSAFEPTR);
	CHECK_INT(sigparse("main.f(fn func(int) (string, error), m map[string][]int, c <-chan int, d chan<- bool, e chan struct{})",
			   pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(sig.params[0].type->kind, GK_FUNC);
	CHECK_STR(sig.params[0].type->name, "func(int) (string, error)");
	CHECK_INT(sig.params[1].type->kind, GK_MAP);
	CHECK_STR(sig.params[1].type->name, "map[string][]int");
	CHECK_INT(sig.params[2].type->kind, GK_CHAN);
	CHECK_STR(sig.params[2].type->name, "<-chan int");
	CHECK_STR(sig.params[3].type->name, "chan<- bool");
	CHECK_STR(sig.params[4].type->name, "chan struct {}");
	gotype_pool_free(pool);
}

static void test_types(void)
{
	struct gotype_pool *pool;
	struct gotype *t;
	char err[256];

	gotype_pool_new(&pool);
	CHECK_INT(sigparse_type("struct{X, Y int32; Z float64}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->kind, GK_STRUCT);
	CHECK_INT(t->nfields, 3);
	CHECK_STR(t->fields[1].name, "Y");
	CHECK_INT(t->fields[1].offset, 4);
	CHECK_INT(t->fields[2].offset, 8);
	CHECK_INT(t->size, 16);
	CHECK_INT(t->align, 8);
	CHECK_STR(t->name, "struct { X int32; Y int32; Z float64 }");
	CHECK_INT(sigparse_type("struct {\n\tA int8\n\tB, C string\n}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->nfields, 3);
	CHECK_INT(t->fields[2].offset, 24);
	CHECK_STR(t->name, "struct { A int8; B string; C string }");
	CHECK_INT(sigparse_type("struct{a bool; b int64; c byte}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->fields[1].offset, 8);
	CHECK_INT(t->size, 24);
	CHECK_INT(sigparse_type("struct{a int32; z struct{}}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->size, 8);          /* trailing zero-size field gets padding */
	CHECK_INT(sigparse_type("[3]struct{a int16; b byte}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->kind, GK_ARRAY);
	CHECK_INT(t->len, 3);
	CHECK_INT(t->size, 12);
	CHECK_INT(t->align, 2);
	CHECK_INT(sigparse_type("[]*[4]rune", pool, &t, err, sizeof(err)), 0);
	CHECK_STR(t->name, "[]*[4]int32");
	CHECK_INT(t->elem->kind, GK_PTR);
	CHECK_INT(t->elem->elem->size, 16);
	CHECK_INT(sigparse_type("interface{}", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->kind, GK_EFACE);
	CHECK_INT(sigparse_type("interface{ String() string }", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->kind, GK_IFACE);
	CHECK_INT(t->size, 16);
	CHECK_INT(sigparse_type("complex64", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->align, 4);
	CHECK_INT(sigparse_type("(*int)", pool, &t, err, sizeof(err)), 0);
	CHECK_INT(t->kind, GK_PTR);
	gotype_pool_free(pool);
}

struct bad_case {
	const char *text;
	const char *err;
};

static const struct bad_case bad[] = {
	{ "", "expected a function name like 'main.f' at column 1" },
	{ "main.f", "expected '(' but the signature ends at column 7" },
	{ "main.f(a int", "expected ')' but the signature ends at column 13" },
	{ "main.f(a int64, b strng)", "unknown type 'strng' (only predeclared and literal types like struct{...} are known without DWARF) at column 19" },
	{ "main.f(a main.point)", "unknown type 'main.point' (only predeclared and literal types like struct{...} are known without DWARF) at column 10" },
	{ "main.f(a int) (int", "expected ')' but the signature ends at column 19" },
	{ "main.f(a int) int extra", "unexpected 'e' after the signature at column 19" },
	{ "main.f(a, b)", "unknown type 'a' (only predeclared and literal types like struct{...} are known without DWARF) at column 8" },
	{ "main.f(a int, b)", "missing type for 'b' at column 15" },
	{ "main.f(a int, string)", "mixed named and unnamed parameters at column 15" },
	{ "main.f(a [x]int)", "expected an array length at column 11" },
	{ "main.f(a ...int, b int)", "'...' is only allowed on the last parameter at column 8" },
	{ "main.f(a int) (...int)", "'...' is only allowed on the last parameter at column 16" },
	{ "main.f(a map[string)", "expected ']' at column 20" },
	{ "main.f(a int, ])", "expected a type, found ']' at column 15" },
	{ "main.f(s struct{int})", "struct field 1 has no name (embedded fields are not supported) at column 10" },
	{ "main.f(a int;)", "expected ',' or ')' at column 13" },
	{ "main.f(a [99999999999]int)", "array length out of range at column 11" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gotype_pool *pool;
		struct gosig sig;
		char err[256];
		int rc;

		gotype_pool_new(&pool);
		rc = sigparse(bad[i].text, pool, &sig, err, sizeof(err));
		if (rc != -EINVAL)
			UNIT_FAIL("sigparse(\"%s\") = %d, want -EINVAL", bad[i].text, rc);
		else if (strcmp(err, bad[i].err))
			UNIT_FAIL("sigparse(\"%s\"): \"%s\", want \"%s\"", bad[i].text, err, bad[i].err);
		gotype_pool_free(pool);
	}
}

static void test_deep_nesting(void)
{
	struct gotype_pool *pool;
	struct gotype *t;
	char text[512], err[256];

	memset(text, '*', 200);
	strcpy(text + 200, "int");
	gotype_pool_new(&pool);
	CHECK_INT(sigparse_type(text, pool, &t, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "nested too deeply") != NULL);
	/* A tiny error buffer still gets a terminated, truncated message. */
	CHECK_INT(sigparse("main.f(", pool, &(struct gosig){ 0 }, err, 8), -EINVAL);
	CHECK_INT((long)strlen(err), 7);
	gotype_pool_free(pool);
}

int main(void)
{
	RUN(test_basic_sig);
	RUN(test_forms);
	RUN(test_types);
	RUN(test_errors);
	RUN(test_deep_nesting);
	return UNIT_DONE();
}
