/* DWARF reader (libdw): finds Go functions and lists their parameters; runtime.g offsets. */
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdw.h>
#include "goelf/dwarf.h"
#include "goelf/dwarf_load.h"
#include "goelf/dwarf_internal.h"

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
	return godwarf_open_max(g, GODWARF_DEFAULT_MAX, out);
}

int godwarf_open_max(struct goelf *g, size_t max_bytes, struct godwarf **out)
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
	rc = dwarf_image_build(elf, max_bytes, &d->img);
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
		if (fc->name && (!name || strcmp(name, fc->name) != 0))
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
	if (cuname && fc->pkglen && (strlen(cuname) != fc->pkglen || strncmp(cuname, fc->name, fc->pkglen) != 0))
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

	/* on failure, lookups stay per CU: the index is not tried again */
	if (fi->entry && !d->indexed && ++d->lookups == LOOKUPS_BEFORE_INDEX + 1)
		build_index(d);
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

int godwarf_func_params(struct godwarf *d, const struct gofuncinfo *fi, struct gotype_pool *pool,
			struct gosig *sig, struct godwarf_loc **locs)
{
	bool trampoline;

	return dw_func_params(d, fi, pool, sig, locs, &trampoline);
}

int dw_func_params(struct godwarf *d, const struct gofuncinfo *fi, struct gotype_pool *pool,
		   struct gosig *sig, struct godwarf_loc **locs, bool *trampoline)
{
	Dwarf_Die fn, child;
	Dwarf_Addr entry = 0;
	Dwarf_Attribute a;
	struct dwtype_conv *cv;
	int n = 0, rc;

	memset(sig, 0, sizeof(*sig));
	*locs = NULL;
	*trampoline = false;
	rc = find_func(d, fi, &fn);
	if (rc)
		return rc;
	if (dwarf_attr(&fn, DW_AT_trampoline, &a))
		dwarf_formflag(&a, trampoline);
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
		dwloc_param_entry(&child, entry, pm->type->size, &(*locs)[sig->nparams]);
		sig->nparams++;
	} while (dwarf_siblingof(&child, &child) == 0);
	dwtype_conv_free(cv);
	return 0;
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

		if (dwarf_tag(&m) != DW_TAG_member || !mn || strcmp(mn, name) != 0)
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, off))
			return false;
		if (type && !(dwarf_attr(&m, DW_AT_type, &a) && dwarf_formref_die(&a, type)))
			return false;
		return true;
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

/* runtime.g through the first parameter (gp *g) of a runtime function: one CU walk
 * instead of every CU's top-level DIEs. */
static int g_via_param(struct godwarf *d, const char *fn, Dwarf_Die *out)
{
	struct gofuncinfo fi;
	Dwarf_Die die, param;
	Dwarf_Attribute a;
	const char *name;

	if (goelf_func_by_name(d->g, fn, &fi) || find_func(d, &fi, &die) || dwarf_child(&die, &param))
		return -ENOENT;
	if (dwarf_tag(&param) != DW_TAG_formal_parameter ||
	    !(dwarf_attr_integrate(&param, DW_AT_type, &a) && dwarf_formref_die(&a, out)) ||
	    dwarf_tag(out) != DW_TAG_pointer_type ||
	    !(dwarf_attr(out, DW_AT_type, &a) && dwarf_formref_die(&a, out)))
		return -ENOENT;
	name = dwarf_diename(out);
	return name && !strcmp(name, "runtime.g") && dwarf_tag(out) == DW_TAG_structure_type ? 0 : -ENOENT;
}

int godwarf_g_offsets(struct godwarf *d, struct g_offsets *out)
{
	Dwarf_Die g, stack;
	Dwarf_Word goid, st, hi;

	if (g_via_param(d, "runtime.casgstatus", &g) && g_via_param(d, "runtime.ready", &g) &&
	    foreach_cu(d, find_g_cb, &g) != 1)
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
