/* DWARF reader (libdw): Go function parameters, their entry locations, runtime.g offsets. */
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdw.h>
#include "goelf/dwarf.h"
#include "goelf/dwarf_load.h"
#include "goelf/dwarf_types.h"

#define MAX_BLANKS 32
/* Lookups answered by walking one CU before an index of every function is built:
 * attaching to a few functions stays cheap, listing thousands stays linear. */
#define LOOKUPS_BEFORE_INDEX 8

struct fn_entry {
	uint64_t lowpc;
	Dwarf_Off off;
};

struct godwarf {
	struct goelf *g;
	Dwarf *dw;
	struct dwarf_image img;
	int lookups;
	bool indexed;
	struct fn_entry *idx;   /* sorted by lowpc */
	size_t nidx;
};

static bool has_debug_info(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

int godwarf_open(struct goelf *g, struct godwarf **out)
{
	Elf *elf = goelf_elf(g);
	struct godwarf *d;
	int rc;

	if (!elf)
		return -EINVAL;
	/* Checked first so a stripped binary costs no libdw set-up. */
	if (!has_debug_info(elf))
		return -ENOENT;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->g = g;
	rc = dwarf_image_build(elf, &d->img);
	if (rc) {
		free(d);
		return rc;
	}
	d->dw = dwarf_begin_elf(d->img.elf ? d->img.elf : elf, DWARF_C_READ, NULL);
	if (!d->dw) {
		dwarf_image_free(&d->img);
		free(d);
		return -EIO;    /* sections present but unreadable */
	}
	*out = d;
	return 0;
}

void godwarf_close(struct godwarf *d)
{
	if (!d)
		return;
	dwarf_end(d->dw);
	dwarf_image_free(&d->img);
	free(d->idx);
	free(d);
}

/* Iterates the CU DIEs; cb returns 1 to stop with success. */
static int foreach_cu(struct godwarf *d, int (*cb)(Dwarf_Die *cu, void *ctx), void *ctx)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(d->dw, off + hsize, &cu)) {
			int rc = cb(&cu, ctx);

			if (rc)
				return rc;
		}
		off = next;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	size_t pkglen;          /* length of the package path prefix of name */
	uint64_t entry;
	Dwarf_Die *out;
};

static bool cu_covers(Dwarf_Die *cu, uint64_t addr)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(cu, off, &base, &start, &end)) > 0)
		if (addr >= start && addr < end)
			return true;
	return false;
}

/* Only top-level DIEs are visited: Go emits every function as a child of its CU. */
static int find_in_cu(Dwarf_Die *cu, struct find_ctx *fc)
{
	Dwarf_Die die;

	if (dwarf_child(cu, &die) != 0)
		return 0;
	do {
		Dwarf_Addr low;
		const char *name;

		if (dwarf_tag(&die) != DW_TAG_subprogram)
			continue;
		if (fc->entry && (dwarf_lowpc(&die, &low) != 0 || low != fc->entry))
			continue;
		name = dwarf_diename(&die);
		if (fc->name && (!name || strcmp(name, fc->name)))
			continue;
		*fc->out = die;
		return 1;
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static int find_by_addr_cb(Dwarf_Die *cu, void *ctx)
{
	struct find_ctx *fc = ctx;

	if (!cu_covers(cu, fc->entry))
		return 0;
	return find_in_cu(cu, fc) ? 1 : 0;
}

static int find_by_name_cb(Dwarf_Die *cu, void *ctx)
{
	struct find_ctx *fc = ctx;
	const char *cuname = dwarf_diename(cu);

	/* A Go CU is one package, named by its import path: skip the others cheaply. */
	if (cuname && fc->pkglen && (strlen(cuname) != fc->pkglen || strncmp(cuname, fc->name, fc->pkglen)))
		return 0;
	return find_in_cu(cu, fc);
}

/* "net/http.(*conn).serve" -> strlen("net/http"): the first '.' after the last '/'. */
static size_t pkg_prefix_len(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strchr(slash ? slash : name, '.');

	/* Generic instantiations contain '/' inside brackets: stop at the first '['. */
	const char *br = strchr(name, '[');

	if (br && slash && slash > br) {
		slash = NULL;
		for (const char *p = name; p < br; p++)
			if (*p == '/')
				slash = p;
		dot = strchr(slash ? slash : name, '.');
	}
	return dot ? (size_t)(dot - name) : 0;
}

static int index_cu_cb(Dwarf_Die *cu, void *ctx)
{
	struct godwarf *d = ctx;
	Dwarf_Die die;
	static const size_t grow = 1024;

	if (dwarf_child(cu, &die) != 0)
		return 0;
	do {
		Dwarf_Addr low;

		if (dwarf_tag(&die) != DW_TAG_subprogram || dwarf_lowpc(&die, &low) != 0)
			continue;
		if (d->nidx % grow == 0) {
			struct fn_entry *n = realloc(d->idx, (d->nidx + grow) * sizeof(*n));

			if (!n)
				return -ENOMEM;
			d->idx = n;
		}
		d->idx[d->nidx++] = (struct fn_entry){ low, dwarf_dieoffset(&die) };
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct fn_entry *x = a, *y = b;

	return x->lowpc < y->lowpc ? -1 : x->lowpc > y->lowpc;
}

static int build_index(struct godwarf *d)
{
	int rc = foreach_cu(d, index_cu_cb, d);

	if (rc) {
		free(d->idx);
		d->idx = NULL;
		d->nidx = 0;
		return rc;
	}
	qsort(d->idx, d->nidx, sizeof(*d->idx), cmp_entry);
	d->indexed = true;
	return 0;
}

static int find_in_index(struct godwarf *d, uint64_t entry, Dwarf_Die *out)
{
	size_t lo = 0, hi = d->nidx;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->idx[mid].lowpc < entry)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nidx && d->idx[lo].lowpc == entry && dwarf_offdie(d->dw, d->idx[lo].off, out))
		return 0;
	return -ENOENT;
}

static int find_func(struct godwarf *d, const struct gofuncinfo *fi, Dwarf_Die *out)
{
	struct find_ctx fc = { .name = fi->name, .entry = fi->entry, .out = out };

	if (fi->entry && !d->indexed && ++d->lookups > LOOKUPS_BEFORE_INDEX)
		build_index(d);   /* on failure, lookups just stay per CU */
	if (fi->entry && d->indexed && find_in_index(d, fi->entry, out) == 0)
		return 0;
	if (fi->entry && !d->indexed && foreach_cu(d, find_by_addr_cb, &fc) == 1)
		return 0;
	if (!fi->name)
		return -ENOENT;
	/* No address match (ranges missing?): fall back to the name within its package,
	 * then, unless the index already knows every function, anywhere. */
	fc.entry = 0;
	fc.pkglen = pkg_prefix_len(fi->name);
	if (foreach_cu(d, find_by_name_cb, &fc) == 1)
		return 0;
	if (d->indexed)
		return -ENOENT;
	fc.pkglen = 0;
	return foreach_cu(d, find_by_name_cb, &fc) == 1 ? 0 : -ENOENT;
}

/* DWARF amd64 register numbers -> index in the Go ABI integer sequence
 * RAX RBX RCX RDI RSI R8 R9 R10 R11; -1 for registers Go never passes arguments in. */
static int dwreg_to_ireg(unsigned int r)
{
	static const int map[] = { 0, -1, 2, 1, 4, 3, -1, -1, 5, 6, 7, 8 };

	return r < sizeof(map) / sizeof(map[0]) ? map[r] : -1;
}

static void push_loc(struct godwarf_loc *gl, enum loc_kind kind, int reg, int32_t stack_off,
		     uint32_t size, uint32_t val_off)
{
	if (gl->npieces >= GOABI_MAX_PIECES)
		return;
	gl->comp[gl->npieces] = (uint8_t)gl->ncomps;
	gl->pieces[gl->npieces++] = (struct loc){
		.kind = kind, .reg = (uint8_t)reg, .size = (uint8_t)(size > 255 ? 255 : size),
		.stack_off = stack_off, .val_off = val_off,
	};
}

/* Decodes the location expression valid at the function entry. Pieces whose location
 * is empty (optimised out) are skipped; an unknown operation makes the whole location
 * unknown rather than wrong. */
static void decode_loc(const Dwarf_Op *ops, size_t n, uint32_t type_size, struct godwarf_loc *gl)
{
	uint32_t val_off = 0;
	enum { NONE, REG, MEM } cur = NONE;
	int reg = 0;
	bool freg = false;
	int64_t mem = 0;

	gl->known = false;
	gl->npieces = 0;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t op = ops[i].atom;

		if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			unsigned int r = op - DW_OP_reg0;

			cur = REG;
			freg = r >= 17 && r <= 32;
			reg = freg ? (int)r - 17 : dwreg_to_ireg(r);
			if (reg < 0)
				return;
		} else if (op == DW_OP_regx) {
			unsigned int r = (unsigned int)ops[i].number;

			cur = REG;
			freg = r >= 17 && r <= 32;
			reg = freg ? (int)r - 17 : dwreg_to_ireg(r);
			if (reg < 0)
				return;
		} else if (op == DW_OP_call_frame_cfa) {
			cur = MEM;
			mem = 0;
		} else if (op == DW_OP_fbreg) {
			/* Go's frame base is DW_OP_call_frame_cfa. */
			cur = MEM;
			mem = (int64_t)ops[i].number;
		} else if (op == DW_OP_consts || op == DW_OP_constu) {
			if (cur != MEM || i + 1 >= n || ops[i + 1].atom != DW_OP_plus)
				return;
			mem += (int64_t)ops[i].number;
			i++;
		} else if (op == DW_OP_plus_uconst) {
			if (cur != MEM)
				return;
			mem += (int64_t)ops[i].number;
		} else if (op == DW_OP_piece) {
			uint32_t sz = (uint32_t)ops[i].number;

			/* The CFA is SP at entry + 8 (the return address). */
			if (cur == REG)
				push_loc(gl, freg ? LOC_FREG : LOC_IREG, reg, 0, sz, val_off);
			else if (cur == MEM)
				push_loc(gl, LOC_STACK, 0, (int32_t)(mem + 8), sz, val_off);
			val_off += sz;
			gl->ncomps++;
			cur = NONE;
		} else {
			return;
		}
	}
	if (cur != NONE) {
		if (cur == REG)
			push_loc(gl, freg ? LOC_FREG : LOC_IREG, reg, 0, type_size - val_off, val_off);
		else
			push_loc(gl, LOC_STACK, 0, (int32_t)(mem + 8), type_size - val_off, val_off);
		gl->ncomps++;
	}
	gl->known = gl->npieces > 0;
}

static bool uleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

static bool sleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned int shift = 0;
	unsigned char b = 0x80;

	*v = 0;
	while (*p < end && shift < 64 && (b & 0x80)) {
		b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (b & 0x80)
		return false;
	if (shift < 64 && (b & 0x40))
		*v |= ~(uint64_t)0 << shift;
	return true;
}

/* Go writes single location expressions as DW_FORM_block1 even in DWARF 4 CUs, which
 * libdw's dwarf_getlocation refuses (it wants DW_FORM_exprloc there): decode the few
 * operations Go uses for parameters by hand. Returns the number of ops, or 0. */
static size_t block_ops(const Dwarf_Block *b, Dwarf_Op *ops, size_t max)
{
	const unsigned char *p = b->data, *end = b->data + b->length;
	size_t n = 0;

	while (p < end && n < max) {
		Dwarf_Op *op = &ops[n++];
		bool ok = true;

		op->atom = *p++;
		op->number = 0;
		switch (op->atom) {
		case DW_OP_piece: case DW_OP_regx: case DW_OP_plus_uconst: case DW_OP_constu:
			ok = uleb(&p, end, &op->number);
			break;
		case DW_OP_fbreg: case DW_OP_consts:
			ok = sleb(&p, end, &op->number);
			break;
		case DW_OP_call_frame_cfa: case DW_OP_plus:
			break;
		default:
			ok = op->atom >= DW_OP_reg0 && op->atom <= DW_OP_reg31;
		}
		if (!ok)
			return 0;
	}
	return p == end ? n : 0;
}

static void param_loc(Dwarf_Die *param, uint64_t entry, uint32_t type_size, struct godwarf_loc *gl)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops[4], raw[2 * GOABI_MAX_PIECES + 2];
	size_t lens[4];
	Dwarf_Block blk;
	int n;

	memset(gl, 0, sizeof(*gl));
	if (!dwarf_attr(param, DW_AT_location, &a))
		return;
	switch (dwarf_whatform(&a)) {
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
		if (dwarf_formblock(&a, &blk) == 0)
			decode_loc(raw, block_ops(&blk, raw, sizeof(raw) / sizeof(raw[0])), type_size, gl);
		return;
	default:
		n = dwarf_getlocation_addr(&a, entry, ops, lens, 4);
		if (n >= 1)
			decode_loc(ops[0], lens[0], type_size, gl);
	}
}

int godwarf_func_params(struct godwarf *d, const struct gofuncinfo *fi, struct gotype_pool *pool,
			struct gosig *sig, struct godwarf_loc **locs)
{
	Dwarf_Die fn, child;
	Dwarf_Addr entry = 0;
	struct dwtype_conv *cv;
	int n = 0, rc;

	memset(sig, 0, sizeof(*sig));
	*locs = NULL;
	rc = find_func(d, fi, &fn);
	if (rc)
		return rc;
	dwarf_lowpc(&fn, &entry);
	const char *fname = dwarf_diename(&fn);

	sig->func = gotype_pool_strdup(pool, fname ? fname : fi->name ? fi->name : "");
	if (!sig->func)
		return -ENOMEM;
	if (dwarf_child(&fn, &child) == 0) {
		do
			n += dwarf_tag(&child) == DW_TAG_formal_parameter;
		while (dwarf_siblingof(&child, &child) == 0);
	}
	if (!n)
		return 0;
	sig->params = gotype_pool_alloc(pool, n * sizeof(*sig->params));
	*locs = gotype_pool_alloc(pool, n * sizeof(**locs));
	if (!sig->params || !*locs)
		return -ENOMEM;
	rc = dwtype_conv_new(pool, &cv);
	if (rc)
		return rc;
	dwarf_child(&fn, &child);
	do {
		struct goparam *pm = &sig->params[sig->nparams];
		Dwarf_Attribute a;
		Dwarf_Die tdie;
		bool flag = false;
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		/* Out-of-line copies of inlinable functions take names/types from the abstract origin. */
		name = dwarf_diename(&child);
		pm->name = gotype_pool_strdup(pool, name ? name : "");
		if (dwarf_attr_integrate(&child, DW_AT_variable_parameter, &a))
			dwarf_formflag(&a, &flag);
		pm->is_result = flag;
		if (dwarf_attr_integrate(&child, DW_AT_type, &a) && dwarf_formref_die(&a, &tdie))
			pm->type = dwtype_convert(cv, &tdie);
		if (!pm->name || !pm->type) {
			dwtype_conv_free(cv);
			return -ENOMEM;
		}
		/* go1.19 sometimes lists each unnamed result twice ("~r0 ~r0 ~r1 ~r1", seen on
		 * crypto/tls.(*Conn).Write); Go names are unique within a signature. */
		bool dup = false;

		for (int k = 0; k < sig->nparams && *pm->name; k++)
			dup |= !strcmp(sig->params[k].name, pm->name);
		if (dup)
			continue;
		param_loc(&child, entry, pm->type->size, &(*locs)[sig->nparams]);
		sig->nparams++;
	} while (dwarf_siblingof(&child, &child) == 0);
	dwtype_conv_free(cv);
	return 0;
}

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
	if (a->kind != b->kind)
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

/* Inserts `count` blank parameters of type t before index at (pool memory is not freed
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
	memcpy(np, sig->params, at * sizeof(*np));
	memcpy(nl, *locs, at * sizeof(*nl));
	for (int i = 0; i < count; i++)
		np[at + i] = (struct goparam){ .name = bname, .type = t, .is_result = sig->params[at].is_result };
	memcpy(np + at + count, sig->params + at, (sig->nparams - at) * sizeof(*np));
	memcpy(nl + at + count, *locs + at, (sig->nparams - at) * sizeof(*nl));
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
		if (by_ordinal && gl->comp[k] != 0)
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

int godwarf_func_sig(struct godwarf *d, const struct gofuncinfo *fi, int go_minor,
		     struct gotype_pool *pool, struct gosig *sig, char *err, size_t errlen)
{
	struct godwarf_loc *locs;
	struct abi_plan plan;
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = godwarf_func_params(d, fi, pool, sig, &locs);
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

/* Finds the struct DIE of runtime.g among the top-level DIEs of every CU. */
static int find_g_cb(Dwarf_Die *cu, void *ctx)
{
	Dwarf_Die die, *out = ctx;

	if (dwarf_child(cu, &die) != 0)
		return 0;
	do {
		const char *name;

		if (dwarf_tag(&die) != DW_TAG_structure_type)
			continue;
		name = dwarf_diename(&die);
		if (name && !strcmp(name, "runtime.g")) {
			*out = die;
			return 1;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static bool member_offset(Dwarf_Die *st, const char *name, Dwarf_Word *off, Dwarf_Die *type)
{
	Dwarf_Die m;

	if (dwarf_child(st, &m) != 0)
		return false;
	do {
		const char *mn = dwarf_diename(&m);
		Dwarf_Attribute a;

		if (dwarf_tag(&m) != DW_TAG_member || !mn || strcmp(mn, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, off))
			return false;
		if (type && !(dwarf_attr(&m, DW_AT_type, &a) && dwarf_formref_die(&a, type)))
			return false;
		return true;
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

int godwarf_g_offsets(struct godwarf *d, struct g_offsets *out)
{
	Dwarf_Die g, stack;
	Dwarf_Word goid, st, hi;

	if (foreach_cu(d, find_g_cb, &g) != 1)
		return -ENOENT;
	if (!member_offset(&g, "goid", &goid, NULL) || !member_offset(&g, "stack", &st, &stack))
		return -ENOENT;
	/* runtime.stack may be reached through a typedef. */
	while (dwarf_tag(&stack) == DW_TAG_typedef) {
		Dwarf_Attribute a;

		if (!(dwarf_attr(&stack, DW_AT_type, &a) && dwarf_formref_die(&a, &stack)))
			return -ENOENT;
	}
	if (!member_offset(&stack, "hi", &hi, NULL))
		return -ENOENT;
	out->goid = (int32_t)goid;
	out->stack_hi = (int32_t)(st + hi);
	return 0;
}

int godwarf_g_offsets_or_table(struct godwarf *d, int go_minor, struct g_offsets *out)
{
	if (d && godwarf_g_offsets(d, out) == 0)
		return 0;
	return goabi_g_offsets(GOARCH_AMD64, go_minor, out);
}
