/* Cross-checks ABI plans against DWARF locations and restores the blank parameters DWARF omits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "goelf/dwarf.h"
#include "goelf/dwarf_internal.h"

#define MAX_BLANKS 32

static const char *const ireg_names[] = { "AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11" };

static void loc_str(const struct loc *l, char *buf, size_t n)
{
	if (l->kind == LOC_IREG)
		snprintf(buf, n, "%s", l->reg < 9 ? ireg_names[l->reg] : "?");
	else if (l->kind == LOC_FREG)
		snprintf(buf, n, "X%d", l->reg);
	else
		snprintf(buf, n, "SP+%d", l->stack_off);
}

static bool same_place(const struct loc *a, const struct loc *b)
{
	if (!a || !b || a->kind != b->kind)
		return false;
	return a->kind == LOC_STACK ? a->stack_off == b->stack_off : a->reg == b->reg;
}

/* Whether the plan gives place l to a piece before (param i, piece j): go1.19 sometimes
 * names one register for two values at entry (a slice's len and cap, two equal
 * arguments); such a claim is DWARF noise, not a blank parameter, which only ever
 * shifts later values to places nothing before them uses. */
static bool claimed_before(const struct abi_plan *plan, int i, int j, const struct loc *l)
{
	for (int v = 0; v <= i; v++) {
		const struct value_plan *vp = &plan->values[v];
		int end = v == i ? j : vp->npieces;

		for (int k = 0; k < end; k++)
			if (same_place(&vp->pieces[k], l))
				return true;
	}
	return false;
}

/* Whether the plan puts value vp (of size bytes) at DWARF's place dl at all. */
static bool in_value(const struct value_plan *vp, uint32_t size, const struct loc *dl)
{
	if (dl->kind == LOC_STACK) {
		if (!vp->on_stack || !vp->npieces)
			return false;
		return dl->stack_off >= vp->pieces[0].stack_off &&
		       dl->stack_off < vp->pieces[0].stack_off + (int32_t)size;
	}
	for (int k = 0; k < vp->npieces; k++)
		if (same_place(&vp->pieces[k], dl))
			return true;
	return false;
}

/* First DWARF piece of value i that disagrees with the plan, or -1; *want is the plan's
 * piece it was compared with (NULL: none). When DWARF splits the value into as many
 * pieces as the plan, they pair by ordinal. Otherwise go1.19 has dropped dead
 * components without a placeholder (a slice whose ptr is unused: "fbreg 8:8 fbreg
 * 16:8") or listed pieces twice ("rbx:8 rbx:8 rcx:8 rcx:8" for an interface, or
 * "rdi:8 rdi:8 fbreg 8:8 fbreg 8:8" for math/big.nat.expNNMontgomery's x, the tail
 * of which is plain wrong): then only the first piece is trusted, and it need only
 * lie somewhere in the plan's places for the value. */
static int first_mismatch(const struct gosig *sig, const struct abi_plan *plan, int i,
			  const struct godwarf_loc *gl, const struct loc **want)
{
	const struct value_plan *vp = &plan->values[i];
	bool by_ordinal = gl->ncomps == vp->npieces;
	uint32_t size = sig->params[vp->param].type->size;

	*want = NULL;
	for (int k = 0; k < gl->npieces; k++) {
		const struct loc *dl = &gl->pieces[k];
		int j = by_ordinal ? gl->comp[k] : 0;

		if (!by_ordinal && k > 0)
			break;
		*want = vp->npieces ? &vp->pieces[j] : NULL;
		if (by_ordinal ? same_place(*want, dl) : in_value(vp, size, dl))
			continue;
		if (claimed_before(plan, i, j, dl))
			continue;
		return k;
	}
	return -1;
}

int godwarf_check_plan(const struct gosig *sig, const struct abi_plan *plan,
		       const struct godwarf_loc *locs, char *err, size_t errlen)
{
	for (int i = 0; i < plan->nvalues; i++) {
		const struct value_plan *vp = &plan->values[i];
		const struct godwarf_loc *gl = &locs[vp->param];
		const struct loc *want;
		int k;

		if (!gl->known)
			continue;
		k = first_mismatch(sig, plan, i, gl, &want);
		if (k >= 0) {
			char d[16], p[16] = "nothing";

			loc_str(&gl->pieces[k], d, sizeof(d));
			if (want)
				loc_str(want, p, sizeof(p));
			if (errlen)
				snprintf(err, errlen, "parameter '%s' of %s: DWARF puts part %d in %s, the ABI in %s",
					 sig->params[vp->param].name, sig->func, gl->comp[k], d, p);
			return -EPROTO;
		}
	}
	return 0;
}

/* Inserts `count` blank arguments of type t before index at (pool memory is not freed
 * one by one, so the arrays are simply reallocated in the pool). */
static int insert_blanks(struct gotype_pool *pool, struct gosig *sig, struct godwarf_loc **locs,
			 int at, int count, struct gotype *t, const char *name)
{
	int n = sig->nparams + count;
	struct goparam *np = gotype_pool_alloc(pool, n * sizeof(*np));
	struct godwarf_loc *nl = gotype_pool_alloc(pool, n * sizeof(*nl));
	char *bname = gotype_pool_strdup(pool, name);

	if (!np || !nl || !bname || !t)
		return -ENOMEM;
	/* A function without parameter DIEs has NULL arrays: nothing to copy. */
	if (sig->nparams) {
		memcpy(np, sig->params, at * sizeof(*np));
		memcpy(nl, *locs, at * sizeof(*nl));
		memcpy(np + at + count, sig->params + at, (sig->nparams - at) * sizeof(*np));
		memcpy(nl + at + count, *locs + at, (sig->nparams - at) * sizeof(*nl));
	}
	for (int i = 0; i < count; i++)
		np[at + i] = (struct goparam){ .name = bname, .type = t, .is_result = false };
	sig->params = np;
	*locs = nl;
	sig->nparams = n;
	return 0;
}

/* Largest register of kind k the plan gives value vp, or -1. */
static int max_reg(const struct value_plan *vp, enum loc_kind k)
{
	int r = -1;

	for (int q = 0; q < vp->npieces; q++)
		if (vp->pieces[q].kind == k && vp->pieces[q].reg > r)
			r = vp->pieces[q].reg;
	return r;
}

/* Explains the first mismatch by blanks in front of the parameter: the gap in
 * integer registers, float registers or stack bytes between the plan and DWARF. */
static int restore_one_gap(struct gotype_pool *pool, struct gosig *sig, struct godwarf_loc **locs,
			   const struct abi_plan *plan, bool *changed)
{
	*changed = false;
	for (int i = 0; i < plan->nvalues; i++) {
		const struct value_plan *vp = &plan->values[i];
		const struct godwarf_loc *gl = &(*locs)[vp->param];
		uint32_t size = sig->params[vp->param].type->size;
		const struct loc *want, *dl;
		bool by_ordinal = gl->ncomps == vp->npieces;
		int k, gap = 0, ref;

		if (!gl->known || sig->params[vp->param].is_result)
			continue;
		k = first_mismatch(sig, plan, i, gl, &want);
		if (k < 0)
			continue;
		dl = &gl->pieces[k];
		/* Paired by ordinal, only the first component can reveal a shift. */
		if (by_ordinal && (gl->comp[k] != 0 || !want))
			return 0;
		if (dl->kind != LOC_STACK) {
			ref = by_ordinal ? (want->kind == dl->kind ? want->reg : -1) : max_reg(vp, dl->kind);
			if (ref < 0 || dl->reg <= ref)
				return 0;
			*changed = true;
			return insert_blanks(pool, sig, locs, vp->param, dl->reg - ref,
					     gotype_basic(pool, dl->kind == LOC_IREG ? "uintptr" : "float64"), "_");
		}
		if (!vp->on_stack) {
			/* DWARF has it on the stack where the plan still had registers: a blank
			 * used them up. Fill the rest of the integer registers. */
			int used = 0;

			if (max_reg(vp, LOC_IREG) < 0)
				return 0;
			for (int j = 0; j < i; j++)
				if (!sig->params[plan->values[j].param].is_result && max_reg(&plan->values[j], LOC_IREG) + 1 > used)
					used = max_reg(&plan->values[j], LOC_IREG) + 1;
			if (used >= 9)
				return 0;
			*changed = true;
			return insert_blanks(pool, sig, locs, vp->param, 9 - used, gotype_basic(pool, "uintptr"), "_");
		}
		if (by_ordinal)
			gap = dl->stack_off - want->stack_off;
		else if (vp->npieces)
			gap = dl->stack_off + dl->size - (vp->pieces[0].stack_off + (int32_t)size);
		if (gap <= 0)
			return 0;
		char name[24];
		struct gotype *arr;

		snprintf(name, sizeof(name), "[%d]uint8", gap);
		arr = gotype_new(pool, GK_ARRAY, name, (uint32_t)gap, 1);
		if (!arr)
			return -ENOMEM;
		arr->elem = gotype_basic(pool, "uint8");
		arr->len = (uint64_t)gap;
		*changed = true;
		return insert_blanks(pool, sig, locs, vp->param, 1, arr, "_");
	}
	return 0;
}

/* The receiver type of a pointer-method wrapper from its name: "pkg.(*T).M" -> *pkg.T
 * (a pointer: its layout does not matter). NULL for other names, and for method-value
 * closures ("pkg.(*T).M-fm"), which get the receiver from their closure context. */
static struct gotype *wrapper_receiver(struct gotype_pool *pool, const char *func)
{
	const char *open = func ? strstr(func, ".(*") : NULL, *close;
	size_t len = func ? strlen(func) : 0;
	char name[512];
	struct gotype *t;

	if (!open || !(close = strstr(open, ").")) || (len > 3 && !strcmp(func + len - 3, "-fm")))
		return NULL;
	if (snprintf(name, sizeof(name), "*%.*s.%.*s", (int)(open - func), func,
		     (int)(close - open - 3), open + 3) >= (int)sizeof(name))
		return NULL;
	t = gotype_new(pool, GK_PTR, name, 8, 8);
	return t;
}

int godwarf_func_sig(struct godwarf *d, const struct gofuncinfo *fi, int go_minor,
		     struct gotype_pool *pool, struct gosig *sig, char *err, size_t errlen)
{
	struct godwarf_loc *locs;
	struct abi_plan plan;
	bool trampoline;
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = dw_func_params(d, fi, pool, sig, &locs, &trampoline);
	if (rc)
		return rc;
	/* The linker suffixes assembly functions' symbols when a wrapper exists. */
	if (fi->name) {
		size_t nl = strlen(fi->name);

		sig->abi0 = nl > 5 && !strcmp(fi->name + nl - 5, ".abi0");
	}
	/* Assembly functions have a DIE but no parameter DIEs: DWARF does not know their
	 * signature, which is not the same as knowing it is empty. */
	if (sig->abi0 && sig->nparams == 0)
		return -ENOENT;
	/* A generated pointer-receiver wrapper ("main.(*T).M", DW_AT_trampoline) lists no
	 * receiver; with no other argument there is no gap to see it by, so add it here. */
	if (trampoline) {
		struct gotype *recv = wrapper_receiver(pool, sig->func);

		/* Method-value closures without any parameter DIE: nothing is known. */
		if (!recv && sig->nparams == 0)
			return -ENOENT;
		if (recv && (rc = insert_blanks(pool, sig, &locs, 0, 1, recv, "_")))
			return rc;
	}
	/* Shape-instantiated generic functions take their dictionary first; DWARF omits it. */
	if (sig->func && strstr(sig->func, "[go.shape.")) {
		rc = insert_blanks(pool, sig, &locs, 0, 1, gotype_basic(pool, "uintptr"), ".dict");
		if (rc)
			return rc;
	}
	for (int round = 0; round <= MAX_BLANKS; round++) {
		bool changed;

		rc = goabi_plan(sig, GOARCH_AMD64, go_minor, &plan);
		if (rc)
			return rc;
		rc = godwarf_check_plan(sig, &plan, locs, err, errlen);
		if (rc == 0 || round == MAX_BLANKS) {
			abi_plan_free(&plan);
			return rc;
		}
		rc = restore_one_gap(pool, sig, &locs, &plan, &changed);
		abi_plan_free(&plan);
		if (rc)
			return rc;
		if (!changed) {
			/* Report the mismatch found above (err is already filled). */
			return -EPROTO;
		}
		if (errlen)
			err[0] = '\0';
	}
	return -EPROTO;
}
