/* Compiles an ABI plan into the fetch ops the args probe executes, and reads records back into values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backend/args_ops.h"

/* Leading elements copied for slices of basic types (strings and []byte go by --strsize). */
#define SLICE_ELEMS 16

static bool basic_kind(enum gokind k)
{
	return k == GK_BOOL || k == GK_INT || k == GK_UINT || k == GK_UINTPTR || k == GK_FLOAT;
}

static int piece_at(const struct value_plan *vp, uint32_t val_off)
{
	for (int i = 0; i < vp->npieces; i++)
		if (vp->pieces[i].val_off == val_off && vp->pieces[i].kind != LOC_FREG)
			return i;
	return -1;
}

static int add_op(struct fetch_plan *fp, struct args_op op)
{
	if (fp->nops >= ARGS_MAX_OPS || fp->base + fp->nops >= ARGS_MAX_WORDS)
		return -1;
	fp->ops[fp->nops] = op;
	return fp->base + fp->nops++;
}

/* Adds a BYTES op for the string/slice header at off, when both its words were fetched. */
static void add_blob(struct fetch_plan *fp, struct fetch_value *fv, const struct value_plan *vp,
		     const struct gotype *t, uint32_t off, uint32_t strsize)
{
	int pp = piece_at(vp, off), pl = piece_at(vp, off + 8);
	struct args_op op = { .kind = ARGS_OP_BYTES, .scale = 1 };
	int w;

	if (pp < 0 || pl < 0 || fv->word[pp] < 0 || fv->word[pl] < 0 || fv->nblobs >= FETCH_MAX_BLOBS)
		return;
	if (t->kind == GK_STRING) {
		op.max = strsize;
	} else if (t->elem && basic_kind(t->elem->kind) && t->elem->size) {
		op.scale = t->elem->size;
		op.max = t->elem->size == 1 ? strsize : t->elem->size * SLICE_ELEMS;
	} else {
		return;
	}
	if (op.max > ARGS_STR_MAX)
		op.max = ARGS_STR_MAX;
	op.a = fv->word[pp];
	op.b = fv->word[pl];
	w = add_op(fp, op);
	if (w < 0)
		return;
	fv->blobs[fv->nblobs].val_off = off;
	fv->blobs[fv->nblobs].word = w;
	fv->nblobs++;
}

/* Finds the string/slice headers inside t (structs and short arrays included). */
static void add_blobs(struct fetch_plan *fp, struct fetch_value *fv, const struct value_plan *vp,
		      const struct gotype *t, uint32_t off, uint32_t strsize, int depth)
{
	if (!t || depth > 4)
		return;
	switch (t->kind) {
	case GK_STRING:
	case GK_SLICE:
		add_blob(fp, fv, vp, t, off, strsize);
		break;
	case GK_STRUCT:
		for (int i = 0; i < t->nfields; i++)
			add_blobs(fp, fv, vp, t->fields[i].type, off + t->fields[i].offset, strsize, depth + 1);
		break;
	case GK_ARRAY:
		for (uint64_t i = 0; t->elem && i < t->len && i < 4; i++)
			add_blobs(fp, fv, vp, t->elem, off + (uint32_t)(i * t->elem->size), strsize, depth + 1);
		break;
	default:
		break;
	}
}

int fetch_plan_build(const struct gosig *sig, const struct abi_plan *plan, int first, int n,
		     int base, uint32_t strsize, struct fetch_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->base = base;
	out->nvalues = n;
	out->vplans = plan->values + first;
	out->values = calloc(n > 0 ? n : 1, sizeof(*out->values));
	if (!out->values)
		return -ENOMEM;
	/* Scalar words first for every value, so the byte copies of earlier values cannot
	 * starve later values of their words. */
	for (int v = 0; v < n; v++) {
		const struct value_plan *vp = &out->vplans[v];
		struct fetch_value *fv = &out->values[v];

		fv->param = vp->param;
		for (int i = 0; i < vp->npieces; i++) {
			const struct loc *l = &vp->pieces[i];
			struct args_op op = { 0 };

			fv->word[i] = -1;
			if (l->kind == LOC_FREG) {
				fv->unavailable = true;
				continue;
			}
			if (l->kind == LOC_IREG) {
				op.kind = ARGS_OP_IREG;
				op.reg = l->reg;
			} else {
				op.kind = ARGS_OP_STACK;
				op.off = l->stack_off;
			}
			fv->word[i] = add_op(out, op);
			if (fv->word[i] < 0)
				fv->dropped = true;
		}
	}
	for (int v = 0; v < n; v++) {
		const struct fetch_value *fv = &out->values[v];

		if (fv->param >= 0 && fv->param < sig->nparams)
			add_blobs(out, &out->values[v], &out->vplans[v], sig->params[fv->param].type, 0,
				  strsize, 0);
	}
	return 0;
}

void fetch_plan_free(struct fetch_plan *fp)
{
	free(fp->values);
	fp->values = NULL;
}

/* Byte offset of the BYTES op writing word w inside the record's byte area, or -1. */
static long blob_offset(const struct fetch_plan *fp, int w, const __u64 *words, int nwords)
{
	long at = 0;

	for (int i = 0; i < fp->nops; i++) {
		int wi = fp->base + i;

		if (fp->ops[i].kind != ARGS_OP_BYTES)
			continue;
		if (wi >= nwords)
			return -1;
		if (wi == w)
			return at;
		if (words[wi] != ARGS_BYTES_FAULT)
			at += (long)words[wi];
	}
	return -1;
}

int fetch_decode(const struct fetch_plan *fp, int i, const struct gosig *sig,
		 const __u64 *words, int nwords, const uint8_t *bytes, size_t nbytes,
		 struct fetched *out)
{
	const struct fetch_value *fv = &fp->values[i];
	const struct value_plan *vp = &fp->vplans[i];
	const struct gotype *t = sig->params[fv->param].type;
	size_t size = t->size;

	memset(out, 0, sizeof(*out));
	out->mem = calloc(size ? size : 1, 1);
	out->known = calloc(size ? size : 1, 1);
	if (!out->mem || !out->known) {
		fetched_free(out);
		return -ENOMEM;
	}
	for (int p = 0; p < vp->npieces; p++) {
		const struct loc *l = &vp->pieces[p];
		int w = fv->word[p];

		if (w < 0 || w >= nwords || l->val_off + l->size > size || l->size > 8)
			continue;
		memcpy(out->mem + l->val_off, &words[w], l->size);
		memset(out->known + l->val_off, 1, l->size);
	}
	for (int b = 0; b < fv->nblobs; b++) {
		int w = fv->blobs[b].word;
		long at = blob_offset(fp, w, words, nwords);
		struct value_blob *vb = &out->blobs[out->view.nblobs];

		if (at < 0)
			continue;
		vb->val_off = fv->blobs[b].val_off;
		if (words[w] == ARGS_BYTES_FAULT) {
			vb->fault = true;
		} else {
			if ((size_t)at + words[w] > nbytes) {
				fetched_free(out);
				return -EINVAL;
			}
			vb->data = bytes + at;
			vb->len = (uint32_t)words[w];
		}
		out->view.nblobs++;
	}
	out->view.type = t;
	out->view.mem = out->mem;
	out->view.known = out->known;
	out->view.unavailable = fv->dropped;
	out->view.blobs = out->blobs;
	return 0;
}

void fetched_free(struct fetched *f)
{
	free(f->mem);
	free(f->known);
	f->mem = NULL;
	f->known = NULL;
}
