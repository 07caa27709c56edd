/* Unit tests of the Go ABI planner: table of signatures -> register/stack assignments. */
#include <errno.h>
#include <stdlib.h>
#include "unit.h"
#include "goabi/goabi.h"
#include "goabi/sigparse.h"

static const char *const iregs[] = { "AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11" };

/* Renders a plan as "name:AX,BX name:SP+8 ..." (stack values by their start offset). */
static void render(const struct gosig *sig, const struct abi_plan *plan, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < plan->nvalues && len < n; i++) {
		const struct value_plan *vp = &plan->values[i];
		const char *name = sig->params[vp->param].name;

		len += snprintf(buf + len, n - len, "%s%s:", i ? " " : "", *name ? name : "?");
		if (vp->on_stack) {
			if (vp->npieces)
				len += snprintf(buf + len, n - len, "SP+%d", vp->pieces[0].stack_off);
			else
				len += snprintf(buf + len, n - len, "-");
			continue;
		}
		if (!vp->npieces)
			len += snprintf(buf + len, n - len, "-");
		for (int k = 0; k < vp->npieces && len < n; k++) {
			const struct loc *l = &vp->pieces[k];

			if (l->kind == LOC_IREG)
				len += snprintf(buf + len, n - len, "%s%s", k ? "," : "", iregs[l->reg]);
			else
				len += snprintf(buf + len, n - len, "%sX%d", k ? "," : "", l->reg);
		}
	}
}

struct plan_case {
	const char *sig;
	int go_minor;
	const char *want;
	int arg_stack_size;
};

static const struct plan_case cases[] = {
	/* The contract case (cross-checked against go1.19 DWARF locations of argsfix main.mix). */
	{ "main.mix(s string, b []byte, p struct{X, Y int32; Z float64}, arr [2]int, f32 float32, i any, ok bool) (n int, err error)",
	  19, "s:AX,BX b:CX,DI,SI p:R8,R9,X0 arr:SP+8 f32:X1 i:R10,R11 ok:SP+24 n:AX err:BX,CX", 24 },
	/* 12 ints: nine registers, then the stack. */
	{ "main.sum12(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 int) int", 19,
	  "a1:AX a2:BX a3:CX a4:DI a5:SI a6:R8 a7:R9 a8:R10 a9:R11 a10:SP+8 a11:SP+16 a12:SP+24 ~r0:AX", 24 },
	/* Floats and ints count separately. */
	{ "main.f(a float64, b int, c float32, d int8) (float64, bool)", 19, "a:X0 b:AX c:X1 d:BX ~r0:X0 ~r1:AX", 0 },
	{ "main.scale(f float64, neg bool) float64", 19, "f:X0 neg:AX ~r0:X0", 0 },
	{ "main.mixStruct(m struct{F float64; N int}) struct{F float64; N int}", 19, "m:X0,AX ~r0:X0,AX", 0 },
	{ "main.c(z complex128, w complex64) complex128", 19, "z:X0,X1 w:X2,X3 ~r0:X0,X1", 0 },
	/* A value that does not fit goes to the stack whole; a later small one still takes a register. */
	{ "main.g(a, b, c, d, e, f, g int, s []int, h int)", 19, "a:AX b:BX c:CX d:DI e:SI f:R8 g:R9 s:SP+8 h:R10", 24 },
	{ "main.h(a, b, c, d, e, f, g, h int, s string, i int8)", 19, "a:AX b:BX c:CX d:DI e:SI f:R8 g:R9 h:R10 s:SP+8 i:R11", 16 },
	/* Arrays: length 0 takes nothing, length 1 is its element, longer go to the stack. */
	{ "main.arr(a [0]int, b [1]string, c [1][1]int, d [3]byte, e int)", 19, "a:- b:AX,BX c:CX d:SP+8 e:DI", 8 },
	/* Nested structs flatten field by field. */
	{ "main.nest(p struct{A struct{X int8; Y string}; B [1]float32; C *int}, q uint16)", 19,
	  "p:AX,BX,CX,X0,DI q:SI", 0 },
	{ "main.empty(e struct{}, a int) struct{}", 19, "e:- a:AX ~r0:-", 0 },
	/* Results restart at register 0; results that do not fit go after the arguments. */
	{ "main.res(a [2]int) (x [2]int, y int, s string)", 19, "a:SP+8 x:SP+24 y:AX s:BX,CX", 16 },
	/* Stack alignment of stack-assigned values. */
	{ "main.al(a, b, c, d, e, f, g, h, i int, x bool, y int32, z int64, w uint16)", 19,
	  "a:AX b:BX c:CX d:DI e:SI f:R8 g:R9 h:R10 i:R11 x:SP+8 y:SP+12 z:SP+16 w:SP+24", 24 },
	/* Methods: the receiver is the first argument. */
	{ "main.(*counter).Add(c *struct{total int}, n int) int", 19, "c:AX n:BX ~r0:AX", 0 },
	/* 15 float registers, then the stack. */
	{ "main.fl(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o float64, p float64, q float32)", 19,
	  "a:X0 b:X1 c:X2 d:X3 e:X4 f:X5 g:X6 h:X7 i:X8 j:X9 k:X10 l:X11 m:X12 n:X13 o:X14 p:SP+8 q:SP+16", 16 },
	/* Stack ABI: Go < 1.17 and .abi0 functions; results follow the pointer-aligned args. */
	{ "main.old(a int8, s string, b bool) (n int32, err error)", 16, "a:SP+8 s:SP+16 b:SP+32 n:SP+40 err:SP+48", 32 },
	{ "runtime.memhash.abi0(p unsafe.Pointer, h, s uintptr) uintptr", 19, "p:SP+8 h:SP+16 s:SP+24 ~r0:SP+32", 24 },
	/* Unknown version: assume the register ABI. */
	{ "main.u(a int)", 0, "a:AX", 0 },
};

static void test_plan_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *c = &cases[i];
		struct gotype_pool *pool;
		struct gosig sig;
		struct abi_plan plan;
		char err[256], got[1024];

		CHECK_INT(gotype_pool_new(&pool), 0);
		if (sigparse(c->sig, pool, &sig, err, sizeof(err))) {
			UNIT_FAIL("sigparse(%s): %s", c->sig, err);
			gotype_pool_free(pool);
			continue;
		}
		CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, c->go_minor, &plan), 0);
		render(&sig, &plan, got, sizeof(got));
		if (strcmp(got, c->want))
			UNIT_FAIL("%s\n#     got  %s\n#     want %s", c->sig, got, c->want);
		CHECK_INT(plan.arg_stack_size, c->arg_stack_size);
		abi_plan_free(&plan);
		gotype_pool_free(pool);
	}
}

/* Piece details of the contract case: sizes, value offsets, float flags. */
static void test_mix_pieces(void)
{
	struct gotype_pool *pool;
	struct gosig sig;
	struct abi_plan plan;
	char err[256];

	gotype_pool_new(&pool);
	CHECK_INT(sigparse("main.mix(s string, b []byte, p struct{X, Y int32; Z float64}, arr [2]int, f32 float32, "
			   "i any, ok bool) (n int, err error)", pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	CHECK_INT(plan.nvalues, 9);
	const struct value_plan *p = &plan.values[2], *arr = &plan.values[3], *f32 = &plan.values[4],
				*ok = &plan.values[6], *s = &plan.values[0];

	CHECK_INT(s->pieces[1].val_off, 8);
	CHECK_INT(p->npieces, 3);
	CHECK_INT(p->pieces[0].size, 4);
	CHECK_INT(p->pieces[1].size, 4);
	CHECK_INT(p->pieces[1].val_off, 4);
	CHECK_INT(p->pieces[2].kind, LOC_FREG);
	CHECK_INT(p->pieces[2].val_off, 8);
	CHECK(p->in_freg);
	CHECK(!p->on_stack);
	CHECK(f32->in_freg);
	CHECK_INT(f32->pieces[0].size, 4);
	CHECK(arr->on_stack && !arr->in_freg);
	CHECK_INT(arr->npieces, 2);
	CHECK_INT(arr->pieces[1].stack_off, 16);
	CHECK_INT(arr->pieces[1].val_off, 8);
	CHECK(ok->on_stack);
	CHECK_INT(ok->pieces[0].size, 1);
	CHECK(!plan.values[0].in_freg && !plan.values[8].in_freg);
	abi_plan_free(&plan);
	gotype_pool_free(pool);
}

/* A big stack value is planned as 8-byte words, capped at GOABI_MAX_PIECES. */
static void test_big_stack_value(void)
{
	struct gotype_pool *pool;
	struct gosig sig;
	struct abi_plan plan;
	char err[256];

	gotype_pool_new(&pool);
	CHECK_INT(sigparse("main.big(a [100]byte, b [1000]int, c [3]int16)", pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	CHECK_INT(plan.values[0].npieces, 13);          /* 12 words + a 4-byte tail */
	CHECK_INT(plan.values[0].pieces[12].size, 4);
	CHECK_INT(plan.values[0].pieces[12].val_off, 96);
	CHECK_INT(plan.values[1].npieces, GOABI_MAX_PIECES);
	CHECK_INT(plan.values[1].pieces[0].stack_off, 8 + 104);
	CHECK_INT(plan.values[2].npieces, 3);           /* components: 3 x int16 */
	CHECK_INT(plan.values[2].pieces[2].stack_off, 8 + 104 + 8000 + 4);
	CHECK_INT(plan.arg_stack_size, 104 + 8000 + 8);
	abi_plan_free(&plan);
	gotype_pool_free(pool);
}

static void test_plan_errors(void)
{
	struct gosig sig = { .func = "x", .nparams = 1, .params = (struct goparam[]){ { "a", NULL, false } } };
	struct abi_plan plan;

	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), -EINVAL);
	sig.nparams = 0;
	CHECK_INT(goabi_plan(&sig, GOARCH_AMD64, 19, &plan), 0);
	CHECK_INT(plan.nvalues, 0);
	abi_plan_free(&plan);
}

static void test_go_minor(void)
{
	CHECK_INT(goabi_go_minor("go1.19.8"), 19);
	CHECK_INT(goabi_go_minor("go1.17"), 17);
	CHECK_INT(goabi_go_minor("go1.22rc1"), 22);
	CHECK_INT(goabi_go_minor("devel go1.23-abc"), 23);
	CHECK_INT(goabi_go_minor("unknown"), 0);
	CHECK_INT(goabi_go_minor(NULL), 0);
}

static void test_g_offsets_table(void)
{
	struct g_offsets o;

	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, 19, &o), 0);
	CHECK_INT(o.goid, 152);
	CHECK_INT(o.stack_hi, 8);
	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, 17, &o), 0);
	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, 22, &o), 0);
	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, 0, &o), -ENOENT);
	CHECK_INT(goabi_g_offsets(GOARCH_AMD64, 99, &o), -ENOENT);
}

static void test_sig_format(void)
{
	struct gotype_pool *pool;
	struct gosig sig;
	char err[128], buf[256];

	gotype_pool_new(&pool);
	CHECK_INT(sigparse("main.add(a, b int64) (int, error)", pool, &sig, err, sizeof(err)), 0);
	gosig_format(&sig, buf, sizeof(buf));
	CHECK_STR(buf, "main.add(a int64, b int64) (int, error)");
	CHECK_INT(sigparse("main.f(int, []byte) (n int, err error)", pool, &sig, err, sizeof(err)), 0);
	gosig_format(&sig, buf, sizeof(buf));
	CHECK_STR(buf, "main.f(int, []uint8) (n int, err error)");
	CHECK_INT(sigparse("main.g() any", pool, &sig, err, sizeof(err)), 0);
	CHECK_INT(gosig_format(&sig, buf, 8), (int)strlen("main.g() interface {}"));
	CHECK_STR(buf, "main.g(");
	gotype_pool_free(pool);
}

int main(void)
{
	RUN(test_plan_table);
	RUN(test_mix_pieces);
	RUN(test_big_stack_value);
	RUN(test_plan_errors);
	RUN(test_go_minor);
	RUN(test_g_offsets_table);
	RUN(test_sig_format);
	return UNIT_DONE();
}
