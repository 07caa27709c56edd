/* Function lookups of a goelf: by name, by address and iteration, from .symtab or else the pclntab. */
#include <errno.h>
#include "goelf/internal.h"

/* .symtab when the binary has one (it also covers cgo's C functions), else the pclntab. */
static int active_funcs(struct goelf *g, struct functab **out)
{
	if (!g->funcs_state) {
		struct gofunc *v;
		size_t n;
		int err = symtab_funcs(g, &v, &n);
		if (!err)
			err = functab_init(&g->funcs, v, n);
		g->funcs_state = err ? err : 1;
	}
	if (g->funcs_state == 1) {
		*out = &g->funcs;
		return 0;
	}
	if (g->funcs_state == -ENOMEM)
		return -ENOMEM;
	return goelf_pclntab_funcs(g, out);
}

int goelf_fill_info(const struct goelf *g, const struct gofunc *f, struct gofuncinfo *out)
{
	uint64_t off;
	if (goelf_vaddr_to_offset(g, f->entry, &off))
		return -ENOENT;
	out->name = f->name;
	out->entry = f->entry;
	out->end = f->end;
	out->file_off = off;
	return 0;
}

int goelf_func_by_name(struct goelf *g, const char *name, struct gofuncinfo *out)
{
	struct functab *t;
	const struct gofunc *f;
	int err = active_funcs(g, &t);
	if (err)
		return err == -ENOMEM ? err : -ENOENT;
	f = functab_by_name(t, name);
	/* .symtab spells assembly functions "pkg.fn.abi0" and some type..eq names differently
	 * from the runtime's names, which the pclntab has. */
	if (!f && t == &g->funcs && !goelf_pclntab_funcs(g, &t))
		f = functab_by_name(t, name);
	if (!f)
		return -ENOENT;
	return goelf_fill_info(g, f, out);
}

int goelf_func_by_addr(struct goelf *g, uint64_t vaddr, struct gofuncinfo *out)
{
	struct functab *t;
	const struct gofunc *f;
	int err = active_funcs(g, &t);
	if (err)
		return err == -ENOMEM ? err : -ENOENT;
	if (!(f = functab_by_addr(t, vaddr)))
		return -ENOENT;
	return goelf_fill_info(g, f, out);
}

int goelf_funcs_foreach(struct goelf *g, int (*cb)(const struct gofuncinfo *fi, void *ctx), void *ctx)
{
	struct functab *t;
	int err = active_funcs(g, &t);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < t->n; i++) {
		struct gofuncinfo fi;
		int r;
		if (goelf_fill_info(g, &t->v[i], &fi))
			continue;
		if ((r = cb(&fi, ctx)))
			return r;
	}
	return 0;
}
