/* The Go calling-convention planner: where each argument and result lives (pure, no I/O). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "goabi/goabi.h"

/* amd64 register ABI (cmd/compile/abi-internal.md): RAX RBX RCX RDI RSI R8 R9 R10 R11
 * carry integers, X0-X14 floats; the return address sits at 0(SP) at entry. */
#define AMD64_NIREG 9
#define AMD64_NFREG 15
#define PTRSIZE 8

struct asg_state {
	int ireg, freg;
	int32_t stack;          /* bytes used of the stack argument area */
};

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static int add_piece(struct value_plan *vp, enum loc_kind kind, int reg, uint32_t size,
		     int32_t stack_off, uint32_t val_off)
{
	if (vp->npieces >= GOABI_MAX_PIECES)
		return -1;
	vp->pieces[vp->npieces++] = (struct loc){
		.kind = kind, .reg = (uint8_t)reg, .size = (uint8_t)size,
		.stack_off = stack_off, .val_off = val_off,
	};
	return 0;
}

/* Register-assigns t at val_off; -1 when it does not fit (caller rolls back). */
static int reg_assign(const struct gotype *t, uint32_t off, struct asg_state *st, struct value_plan *vp)
{
	if (!t)
		return -1;
	switch (t->kind) {
	case GK_BOOL: case GK_INT: case GK_UINT: case GK_UINTPTR:
	case GK_PTR: case GK_UNSAFEPTR: case GK_MAP: case GK_CHAN: case GK_FUNC:
		if (t->size == 0 || t->size > PTRSIZE || st->ireg >= AMD64_NIREG)
			return -1;
		return add_piece(vp, LOC_IREG, st->ireg++, t->size, 0, off);
	case GK_FLOAT:
		if ((t->size != 4 && t->size != 8) || st->freg >= AMD64_NFREG)
			return -1;
		return add_piece(vp, LOC_FREG, st->freg++, t->size, 0, off);
	case GK_COMPLEX:
		if ((t->size != 8 && t->size != 16) || st->freg + 2 > AMD64_NFREG)
			return -1;
		if (add_piece(vp, LOC_FREG, st->freg++, t->size / 2, 0, off))
			return -1;
		return add_piece(vp, LOC_FREG, st->freg++, t->size / 2, 0, off + t->size / 2);
	case GK_STRING: case GK_SLICE: case GK_IFACE: case GK_EFACE: {
		int words = t->kind == GK_SLICE ? 3 : 2;

		if (st->ireg + words > AMD64_NIREG)
			return -1;
		for (int i = 0; i < words; i++)
			if (add_piece(vp, LOC_IREG, st->ireg++, PTRSIZE, 0, off + i * PTRSIZE))
				return -1;
		return 0;
	}
	case GK_STRUCT:
		for (int i = 0; i < t->nfields; i++)
			if (reg_assign(t->fields[i].type, off + t->fields[i].offset, st, vp))
				return -1;
		return 0;
	case GK_ARRAY:
		if (t->len == 0)
			return 0;
		if (t->len == 1)
			return reg_assign(t->elem, off, st, vp);
		return -1;
	case GK_INVALID:
		break;
	}
	return -1;
}

/* Component pieces of a stack-resident value (scalars at their own offsets). */
static int stack_components(const struct gotype *t, int32_t base, uint32_t off, struct value_plan *vp)
{
	if (!t)
		return -1;
	switch (t->kind) {
	case GK_STRING: case GK_SLICE: case GK_IFACE: case GK_EFACE: {
		int words = t->kind == GK_SLICE ? 3 : 2;

		for (int i = 0; i < words; i++)
			if (add_piece(vp, LOC_STACK, 0, PTRSIZE, base + (int32_t)(off + i * PTRSIZE), off + i * PTRSIZE))
				return -1;
		return 0;
	}
	case GK_COMPLEX:
		if (add_piece(vp, LOC_STACK, 0, t->size / 2, base + (int32_t)off, off))
			return -1;
		return add_piece(vp, LOC_STACK, 0, t->size / 2, base + (int32_t)(off + t->size / 2), off + t->size / 2);
	case GK_STRUCT:
		for (int i = 0; i < t->nfields; i++)
			if (stack_components(t->fields[i].type, base, off + t->fields[i].offset, vp))
				return -1;
		return 0;
	case GK_ARRAY:
		for (uint64_t i = 0; i < t->len; i++)
			if (!t->elem || stack_components(t->elem, base, off + (uint32_t)(i * t->elem->size), vp))
				return -1;
		return 0;
	case GK_INVALID:
		return -1;
	default:
		if (t->size == 0)
			return 0;
		if (t->size > PTRSIZE)
			return -1;
		return add_piece(vp, LOC_STACK, 0, t->size, base + (int32_t)off, off);
	}
}

/* Stack pieces for a value at stack-area offset `at`: components, else words. */
static void stack_pieces(const struct gotype *t, int32_t at, struct value_plan *vp)
{
	int32_t base = PTRSIZE + at;

	vp->npieces = 0;
	if (stack_components(t, base, 0, vp) == 0)
		return;
	vp->npieces = 0;
	for (uint32_t off = 0; off < t->size && vp->npieces < GOABI_MAX_PIECES;) {
		uint32_t left = t->size - off;
		uint32_t sz = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;

		add_piece(vp, LOC_STACK, 0, sz, base + (int32_t)off, off);
		off += sz;
	}
}

static void stack_assign(const struct gotype *t, struct asg_state *st, struct value_plan *vp)
{
	st->stack = (int32_t)align_up((uint32_t)st->stack, t->align ? t->align : 1);
	stack_pieces(t, st->stack, vp);
	vp->on_stack = true;
	st->stack += (int32_t)t->size;
}

static void assign(const struct gotype *t, bool regabi, struct asg_state *st, struct value_plan *vp)
{
	if (regabi) {
		struct asg_state saved = *st;

		vp->npieces = 0;
		if (reg_assign(t, 0, st, vp) == 0) {
			for (int i = 0; i < vp->npieces; i++)
				vp->in_freg |= vp->pieces[i].kind == LOC_FREG;
			return;
		}
		/* The whole value goes to memory; later, smaller values may still take registers. */
		*st = saved;
	}
	stack_assign(t, st, vp);
}

int goabi_plan(const struct gosig *sig, enum goarch arch, int go_minor, struct abi_plan *out)
{
	struct asg_state st = { 0 };
	bool regabi = !sig->abi0 && (go_minor == 0 || go_minor >= 17);

	memset(out, 0, sizeof(*out));
	if (arch != GOARCH_AMD64)
		return -ENOTSUP;
	if (sig->nparams < 0 || (sig->nparams && !sig->params))
		return -EINVAL;
	for (int i = 0; i < sig->nparams; i++)
		if (!sig->params[i].type)
			return -EINVAL;
	if (sig->nparams) {
		out->values = calloc(sig->nparams, sizeof(*out->values));
		if (!out->values)
			return -ENOMEM;
	}
	out->nvalues = sig->nparams;
	/* Arguments first; results restart at register 0 and follow the arguments on the
	 * stack after pointer-size alignment (the same for the stack ABI). */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			st.stack = (int32_t)align_up((uint32_t)st.stack, PTRSIZE);
			out->arg_stack_size = st.stack;
			st.ireg = st.freg = 0;
		}
		for (int i = 0; i < sig->nparams; i++) {
			if (sig->params[i].is_result != (pass == 1))
				continue;
			out->values[i].param = i;
			assign(sig->params[i].type, regabi, &st, &out->values[i]);
		}
	}
	return 0;
}

void abi_plan_free(struct abi_plan *p)
{
	if (!p)
		return;
	free(p->values);
	p->values = NULL;
	p->nvalues = 0;
}
