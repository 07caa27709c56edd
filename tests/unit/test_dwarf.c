/* Tests of the DWARF reader on the real argsfix fixture: signatures, blanks, plan cross-check, g offsets. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "goelf/dwarf.h"
#include "goelf/goelf.h"

static char fixture[512], fixture_sw[512];

struct fixture_func {
	const char *name;
	const char *sig;        /* gosig_format of the signature the Go source declares */
};

/* Spelled as Go's DWARF spells types: []byte is []uint8, any is interface {}. */
static const struct fixture_func funcs[] = {
	{ "main.addInt64", "main.addInt64(a int64, b int64) int64" },
	{ "main.greet", "main.greet(s string) string" },
	{ "main.scale", "main.scale(f float64, neg bool) float64" },
	{ "main.sumBytes", "main.sumBytes(b []uint8) int" },
	{ "main.sumPoint", "main.sumPoint(p main.point3) int" },
	{ "main.mixStruct", "main.mixStruct(m main.mixed) main.mixed" },
	{ "main.sum12", "main.sum12(a1 int, a2 int, a3 int, a4 int, a5 int, a6 int, a7 int, a8 int, a9 int, "
			"a10 int, a11 int, a12 int) int" },
	{ "main.(*counter).Add", "main.(*counter).Add(c *main.counter, n int) int" },
	{ "main.stringerLen", "main.stringerLen(s fmt.Stringer) int" },
	{ "main.blank", "main.blank(a int, _ uintptr, c int) int" },
	{ "main.mix", "main.mix(s string, b []uint8, p main.pair, arr [2]int, f32 float32, i interface {}, ok bool) "
		      "(n int, err error)" },
	{ "main.depth", "main.depth(n int) int" },
	{ "main.leaf", "main.leaf(x int) int" },
	{ "main.waitStart", "main.waitStart(start string, nowait bool)" },
	/* The compiler's pointer wrapper of a value method: its receiver has no DIE. */
	{ "main.(*name).String", "main.(*name).String(_ *main.name) string" },
};

static struct goelf *open_fixture(struct godwarf **d)
{
	struct goelf *g = NULL;
	int rc = goelf_open(fixture, &g);

	if (rc) {
		UNIT_FAIL("goelf_open(%s) = %d", fixture, rc);
		return NULL;
	}
	rc = godwarf_open(g, d);
	if (rc) {
		UNIT_FAIL("godwarf_open(%s) = %d", fixture, rc);
		goelf_close(g);
		return NULL;
	}
	return g;
}

static void test_fixture_signatures(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);

	if (!g)
		return;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		struct gofuncinfo fi;
		struct gotype_pool *pool;
		struct gosig sig;
		char err[256], buf[512];
		int rc;

		if (goelf_func_by_name(g, funcs[i].name, &fi)) {
			UNIT_FAIL("%s not in the symbol table", funcs[i].name);
			continue;
		}
		gotype_pool_new(&pool);
		rc = godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err));
		if (rc)
			UNIT_FAIL("godwarf_func_sig(%s) = %d: %s", funcs[i].name, rc, err);
		gosig_format(&sig, buf, sizeof(buf));
		CHECK_STR(buf, funcs[i].sig);
		gotype_pool_free(pool);
	}
	godwarf_close(d);
	goelf_close(g);
}

/* Types in detail: kinds, sizes, struct fields, result flags. */
static void test_types(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);
	struct gofuncinfo fi;
	struct gotype_pool *pool;
	struct gosig sig;
	char err[256];

	if (!g)
		return;
	gotype_pool_new(&pool);
	CHECK_INT(goelf_func_by_name(g, "main.mix", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(sig.nparams, 9);
	if (sig.nparams == 9) {
		const struct gotype *p = sig.params[2].type, *arr = sig.params[3].type;

		CHECK_INT(sig.params[0].type->kind, GK_STRING);
		CHECK_INT(sig.params[1].type->kind, GK_SLICE);
		CHECK_INT(sig.params[1].type->elem->kind, GK_UINT);
		CHECK_INT(sig.params[1].type->elem->size, 1);
		CHECK_INT(p->kind, GK_STRUCT);
		CHECK_INT(p->size, 16);
		CHECK_INT(p->align, 8);
		CHECK_INT(p->nfields, 3);
		if (p->nfields == 3) {
			CHECK_STR(p->fields[1].name, "Y");
			CHECK_INT(p->fields[1].offset, 4);
			CHECK_INT(p->fields[1].type->kind, GK_INT);
			CHECK_INT(p->fields[2].offset, 8);
			CHECK_INT(p->fields[2].type->kind, GK_FLOAT);
		}
		CHECK_INT(arr->kind, GK_ARRAY);
		CHECK_INT(arr->len, 2);
		CHECK_INT(arr->size, 16);
		CHECK_INT(sig.params[4].type->kind, GK_FLOAT);
		CHECK_INT(sig.params[4].type->size, 4);
		CHECK_INT(sig.params[5].type->kind, GK_EFACE);
		CHECK_INT(sig.params[6].type->kind, GK_BOOL);
		CHECK(!sig.params[6].is_result);
		CHECK(sig.params[7].is_result && sig.params[8].is_result);
		CHECK_INT(sig.params[8].type->kind, GK_IFACE);
	}
	CHECK_INT(goelf_func_by_name(g, "main.stringerLen", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(sig.params[0].type->kind, GK_IFACE);
	CHECK_INT(goelf_func_by_name(g, "main.(*counter).Add", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(sig.params[0].type->kind, GK_PTR);
	CHECK_STR(sig.params[0].type->elem->name, "main.counter");
	CHECK_INT(sig.params[0].type->elem->kind, GK_STRUCT);
	gotype_pool_free(pool);
	godwarf_close(d);
	goelf_close(g);
}

static const char *const iregs[] = { "AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11" };

static void render(const struct gosig *sig, const struct abi_plan *plan, char *buf, size_t n)
{
	size_t len = 0;

	for (int i = 0; i < plan->nvalues && len < n; i++) {
		const struct value_plan *vp = &plan->values[i];

		len += snprintf(buf + len, n - len, "%s%s:", i ? " " : "", sig->params[vp->param].name);
		for (int k = 0; k < vp->npieces && len < n; k++) {
			const struct loc *l = &vp->pieces[k];

			if (vp->on_stack) {
				len += snprintf(buf + len, n - len, "SP+%d", l->stack_off);
				break;
			}
			if (l->kind == LOC_IREG)
				len += snprintf(buf + len, n - len, "%s%s", k ? "," : "", iregs[l->reg]);
			else
				len += snprintf(buf + len, n - len, "%sX%d", k ? "," : "", l->reg);
		}
	}
}

/* The plan from DWARF types matches the contract and DWARF's own locations. */
static void test_plan_crosscheck(void)
{
	static const struct { const char *fn, *want; } cases[] = {
		{ "main.mix", "s:AX,BX b:CX,DI,SI p:R8,R9,X0 arr:SP+8 f32:X1 i:R10,R11 ok:SP+24 n:AX err:BX,CX" },
		{ "main.blank", "a:AX _:BX c:CX ~r0:AX" },
		{ "main.sum12", "a1:AX a2:BX a3:CX a4:DI a5:SI a6:R8 a7:R9 a8:R10 a9:R11 a10:SP+8 a11:SP+16 a12:SP+24 ~r0:AX" },
		{ "main.mixStruct", "m:X0,AX ~r0:X0,AX" },
		{ "main.(*counter).Add", "c:AX n:BX ~r0:AX" },
	};
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);

	if (!g)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gofuncinfo fi;
		struct gotype_pool *pool;
		struct gosig sig;
		struct godwarf_loc *locs;
		struct abi_plan plan;
		char err[256], buf[512] = "";
		int known = 0;

		gotype_pool_new(&pool);
		CHECK_INT(goelf_func_by_name(g, cases[i].fn, &fi), 0);
		CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
		CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
		render(&sig, &plan, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].want);
		abi_plan_free(&plan);
		/* The raw DWARF list has locations for the arguments it names. */
		CHECK_INT(godwarf_func_params(d, &fi, pool, &sig, &locs), 0);
		for (int k = 0; k < sig.nparams; k++)
			known += locs[k].known;
		CHECK(known > 0);
		gotype_pool_free(pool);
	}
	godwarf_close(d);
	goelf_close(g);
}

/* The planner's harder cases against the compiler's own record of where each argument
 * is: argsfix's abi* functions, planned from DWARF's parameter list as it stands (no
 * blank restoration), must agree with every DWARF location, and most must have one. */
static void test_planner_vs_compiler(void)
{
	static const struct { const char *fn, *want; int min_known; } cases[] = {
		{ "main.abiRollback", "a:AX b:BX c:CX d:DI e:SI f:R8 g:R9 s:SP+8 h:R10", 9 },
		{ "main.abiArrays", "a: b:AX,BX c:CX d:SP+8 e:DI", 3 },
		{ "main.abiNested", "p:AX,BX,CX,X0,DI q:SI", 2 },
		{ "main.abiResults", "a:SP+8 x:SP+24 y:AX s:BX,CX", 1 },
		{ "main.abiAlign", "a:AX b:BX c:CX d:DI e:SI f:R8 g:R9 h:R10 i:R11 x:SP+8 y:SP+12 z:SP+16 w:SP+24", 13 },
		{ "main.abiFloats", "a:X0 b:X1 c:X2 d:X3 e:X4 f:X5 g:X6 h:X7 i:X8 j:X9 k:X10 l:X11 m:X12 n:X13 o:X14 "
				    "p:SP+8 q:SP+16", 17 },
		{ "main.abiComplex", "z:X0,X1 w:X2,X3 n:AX ~r0:X0,X1", 3 },
		{ "main.mix", "s:AX,BX b:CX,DI,SI p:R8,R9,X0 arr:SP+8 f32:X1 i:R10,R11 ok:SP+24 n:AX err:BX,CX", 7 },
		{ "main.sum12", "a1:AX a2:BX a3:CX a4:DI a5:SI a6:R8 a7:R9 a8:R10 a9:R11 a10:SP+8 a11:SP+16 a12:SP+24 ~r0:AX", 12 },
	};
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);

	if (!g)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gofuncinfo fi;
		struct gotype_pool *pool;
		struct gosig sig;
		struct godwarf_loc *locs;
		struct abi_plan plan;
		char err[256] = "", buf[512] = "";
		int known = 0, raw_n;

		if (goelf_func_by_name(g, cases[i].fn, &fi)) {
			UNIT_FAIL("%s not found", cases[i].fn);
			continue;
		}
		gotype_pool_new(&pool);
		CHECK_INT(godwarf_func_params(d, &fi, pool, &sig, &locs), 0);
		raw_n = sig.nparams;
		for (int k = 0; k < sig.nparams; k++)
			known += locs[k].known;
		if (known < cases[i].min_known)
			UNIT_FAIL("%s: %d parameters with a DWARF location, want >= %d", cases[i].fn, known, cases[i].min_known);
		CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
		render(&sig, &plan, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].want);
		if (godwarf_check_plan(&sig, &plan, locs, err, sizeof(err)))
			UNIT_FAIL("%s: %s", cases[i].fn, err);
		abi_plan_free(&plan);
		/* Nothing to restore: the full signature is the DWARF list. */
		CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
		CHECK_INT(sig.nparams, raw_n);
		gotype_pool_free(pool);
	}
	godwarf_close(d);
	goelf_close(g);
}

/* Raw DWARF omits the blank parameter; planning that list disagrees with DWARF's locations. */
static void test_blank_detection(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);
	struct gofuncinfo fi;
	struct gotype_pool *pool;
	struct gosig sig;
	struct godwarf_loc *locs;
	struct abi_plan plan;
	char err[256];

	if (!g)
		return;
	gotype_pool_new(&pool);
	CHECK_INT(goelf_func_by_name(g, "main.blank", &fi), 0);
	CHECK_INT(godwarf_func_params(d, &fi, pool, &sig, &locs), 0);
	CHECK_INT(sig.nparams, 3);              /* a, c, ~r0: no entry for _ */
	CHECK_STR(sig.params[1].name, "c");
	CHECK(locs[1].known);
	CHECK_INT(locs[1].pieces[0].kind, LOC_IREG);
	CHECK_INT(locs[1].pieces[0].reg, 2);    /* CX */
	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	CHECK_INT(godwarf_check_plan(&sig, &plan, locs, err, sizeof(err)), -EPROTO);
	CHECK_STR(err, "parameter 'c' of main.blank: DWARF puts part 0 in CX, the ABI in BX");
	abi_plan_free(&plan);
	/* Stack locations: mix's arr and ok. */
	CHECK_INT(goelf_func_by_name(g, "main.mix", &fi), 0);
	CHECK_INT(godwarf_func_params(d, &fi, pool, &sig, &locs), 0);
	CHECK(locs[3].known && locs[6].known);
	CHECK_INT(locs[3].pieces[0].kind, LOC_STACK);
	CHECK_INT(locs[3].pieces[0].stack_off, 8);
	CHECK_INT(locs[6].pieces[0].stack_off, 24);
	CHECK_INT(locs[2].ncomps, 3);
	CHECK_INT(locs[2].pieces[2].kind, LOC_FREG);
	gotype_pool_free(pool);
	godwarf_close(d);
	goelf_close(g);
}

/* A generic instantiation takes its dictionary in AX before the declared parameters. */
static void test_generic(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);
	struct gofuncinfo fi;
	struct gotype_pool *pool;
	struct gosig sig;
	struct abi_plan plan;
	char err[256], buf[256] = "";

	if (!g)
		return;
	if (goelf_func_by_name(g, "main.maxOf[go.shape.int_0]", &fi) &&
	    goelf_func_by_name(g, "main.maxOf[...]", &fi)) {
		UNIT_FAIL("main.maxOf instantiation not found");
		goto out;
	}
	gotype_pool_new(&pool);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	render(&sig, &plan, buf, sizeof(buf));
	CHECK_STR(buf, ".dict:AX a:BX b:CX ~r0:AX");
	CHECK_INT(sig.params[1].type->kind, GK_INT);
	abi_plan_free(&plan);
	gotype_pool_free(pool);
out:
	godwarf_close(d);
	goelf_close(g);
}

static void test_not_found(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);
	struct gofuncinfo fi = { .name = "main.noSuchFunction" };
	struct gotype_pool *pool;
	struct gosig sig;
	char err[64];

	if (!g)
		return;
	gotype_pool_new(&pool);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), -ENOENT);
	/* Assembly: a DIE without parameter DIEs says nothing about the signature. */
	CHECK_INT(goelf_func_by_name(g, "internal/bytealg.IndexByteString.abi0", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), -ENOENT);
	/* Past the first lookups an index answers; the same function is found the same. */
	for (int i = 0; i < 12; i++) {
		CHECK_INT(goelf_func_by_name(g, "main.greet", &fi), 0);
		CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
		CHECK_INT(sig.nparams, 2);
	}
	CHECK_INT(goelf_func_by_name(g, "internal/bytealg.IndexByteString.abi0", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), -ENOENT);
	gotype_pool_free(pool);
	godwarf_close(d);
	goelf_close(g);
}

static void test_stripped_has_no_dwarf(void)
{
	struct goelf *g;
	struct godwarf *d = NULL;
	struct g_offsets o;

	if (goelf_open(fixture_sw, &g)) {
		UNIT_FAIL("goelf_open(%s)", fixture_sw);
		return;
	}
	CHECK_INT(godwarf_open(g, &d), -ENOENT);
	/* Then the goid offset comes from the per-version table. */
	CHECK_INT(godwarf_g_offsets_or_table(NULL, goabi_go_minor(goelf_go_version(g)), &o), 0);
	CHECK_INT(o.goid, 152);
	goelf_close(g);
}

/* The same fixture with its DWARF uncompressed, and GNU-compressed (.zdebug_*, what
 * Go wrote before 1.20 by default): both read alike. */
static void test_section_encodings(void)
{
	static const char *const variants[] = { "--decompress-debug-sections", "--compress-debug-sections=zlib-gnu" };
	char dir[] = "/tmp/test_dwarf.XXXXXX", path[2][700], cmd[4096];

	if (!mkdtemp(dir)) {
		UNIT_FAIL("mkdtemp");
		return;
	}
	snprintf(path[0], sizeof(path[0]), "%s/plain", dir);
	snprintf(path[1], sizeof(path[1]), "%s/zdebug", dir);
	snprintf(cmd, sizeof(cmd), "objcopy %s '%s' '%s' && objcopy %s '%s' '%s'", variants[0], fixture, path[0],
		 variants[1], path[0], path[1]);
	if (system(cmd) != 0) {
		UNIT_FAIL("%s failed", cmd);
		return;
	}
	for (int v = 0; v < 2; v++) {
		struct goelf *g;
		struct godwarf *d;
		struct gofuncinfo fi;
		struct gotype_pool *pool;
		struct gosig sig;
		char err[256], buf[256];

		if (goelf_open(path[v], &g)) {
			UNIT_FAIL("goelf_open(%s)", path[v]);
			continue;
		}
		CHECK_INT(godwarf_open(g, &d), 0);
		gotype_pool_new(&pool);
		CHECK_INT(goelf_func_by_name(g, "main.blank", &fi), 0);
		CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
		gosig_format(&sig, buf, sizeof(buf));
		CHECK_STR(buf, "main.blank(a int, _ uintptr, c int) int");
		gotype_pool_free(pool);
		godwarf_close(d);
		goelf_close(g);
		unlink(path[v]);
	}
	rmdir(dir);
}

/* A cgo binary mixes DWARF 4 Go CUs with gcc's DWARF 5 CUs (strings in .debug_str and
 * .debug_line_str, .debug_loclists): all of it must be readable from the image. */
static void test_cgo_binary(void)
{
	char path[600];
	struct goelf *g;
	struct godwarf *d;
	struct gofuncinfo fi;
	struct gotype_pool *pool;
	struct gosig sig;
	struct g_offsets o;
	char err[256];
	const char *b = getenv("BUILD");

	snprintf(path, sizeof(path), "%s/fixtures/cgo", b && *b ? b : "build");
	if (goelf_open(path, &g)) {
		UNIT_FAIL("goelf_open(%s)", path);
		return;
	}
	CHECK_INT(godwarf_open(g, &d), 0);
	gotype_pool_new(&pool);
	CHECK_INT(goelf_func_by_name(g, "runtime.mallocgc", &fi), 0);
	CHECK_INT(godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)), 0);
	gosig_format(&sig, err, sizeof(err));
	CHECK_STR(err, "runtime.mallocgc(size uintptr, typ *runtime._type, needzero bool) unsafe.Pointer");
	CHECK_INT(godwarf_g_offsets(d, &o), 0);
	CHECK_INT(o.goid, 152);
	gotype_pool_free(pool);
	godwarf_close(d);
	goelf_close(g);
}

static void test_g_offsets(void)
{
	struct godwarf *d;
	struct goelf *g = open_fixture(&d);
	struct g_offsets o = { 0 }, t = { 0 };

	if (!g)
		return;
	CHECK_INT(godwarf_g_offsets(d, &o), 0);
	CHECK_INT(o.stack_hi, 8);
	/* The table for stripped binaries must agree with this Go's DWARF. */
	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, goabi_go_minor(goelf_go_version(g)), &t), 0);
	CHECK_INT(o.goid, t.goid);
	CHECK_INT(o.stack_hi, t.stack_hi);
	godwarf_close(d);
	goelf_close(g);
}

/* The bound on inflated DWARF: argsfix needs ~1.6 MB, so 1 MiB refuses before allocating. */
static void test_memory_bound(void)
{
	struct godwarf *d = NULL;
	struct goelf *g;

	if (goelf_open(fixture, &g)) {
		UNIT_FAIL("goelf_open(%s)", fixture);
		return;
	}
	CHECK_INT(godwarf_open_max(g, (size_t)1 << 20, &d), -EFBIG);
	CHECK(d == NULL);
	CHECK_INT(godwarf_open_max(g, (size_t)4 << 20, &d), 0);
	godwarf_close(d);
	goelf_close(g);
}

int main(void)
{
	const char *b = getenv("BUILD");

	snprintf(fixture, sizeof(fixture), "%s/fixtures/argsfix", b && *b ? b : "build");
	snprintf(fixture_sw, sizeof(fixture_sw), "%s/fixtures/argsfix-sw", b && *b ? b : "build");
	RUN(test_fixture_signatures);
	RUN(test_types);
	RUN(test_plan_crosscheck);
	RUN(test_planner_vs_compiler);
	RUN(test_blank_detection);
	RUN(test_generic);
	RUN(test_not_found);
	RUN(test_stripped_has_no_dwarf);
	RUN(test_g_offsets);
	RUN(test_cgo_binary);
	RUN(test_section_encodings);
	RUN(test_memory_bound);
	return UNIT_DONE();
}
