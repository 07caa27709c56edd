/* Finds runtime.firstmoduledata in a (stripped) Go binary by its pcHeader word, and reads its types range. */
#include <errno.h>
#include "goelf/internal.h"
#include "goelf/moduledata.h"

/* Pointer-sized word indices of runtime.moduledata fields (runtime/symtab.go): pcHeader,
 * six slices (3 words each) and findfunctab come first, so minpc is word 20 from Go 1.16
 * on. Go 1.20 inserted covctrs, ecovctrs before end, moving types by two words. */
enum {
	MD_MINPC = 20, MD_MAXPC, MD_TEXT, MD_ETEXT,
	MD_NOPTRDATA, MD_ENOPTRDATA, MD_DATA, MD_EDATA,
	MD_BSS, MD_EBSS, MD_NOPTRBSS, MD_ENOPTRBSS,
	MD_END_116 = 32, MD_TYPES_116 = 35,
	MD_END_120 = 34, MD_TYPES_120 = 37,
};

struct md_scan {
	struct goelf *g;
	struct pclntab_hdr h;
	uint64_t pcln;          /* the pclntab's vaddr: the pcHeader word we look for */
	unsigned types_w, end_w;
};

static bool in_image(struct goelf *g, uint64_t lo, uint64_t hi)
{
	size_t avail;

	return lo < hi && goelf_vptr(g, lo, &avail) && hi - lo <= avail;
}

/* Does the moduledata candidate at vaddr addr (words p, avail bytes) describe this image? */
static bool plausible(const struct md_scan *s, uint64_t addr, const uint8_t *p, size_t avail,
		      struct gomoduledata *out)
{
	unsigned ps = s->h.ptrsize;
	uint64_t w[MD_TYPES_120 + 2];
	unsigned nw = s->types_w + 2;

	if (avail < (size_t)nw * ps)
		return false;
	for (unsigned i = 0; i < nw; i++)
		w[i] = ge_uptr(p + (size_t)i * ps, ps, s->g->big);
	if (w[MD_TEXT] >= w[MD_ETEXT] || w[MD_MINPC] < w[MD_TEXT] || w[MD_MAXPC] > w[MD_ETEXT] ||
	    w[MD_MINPC] >= w[MD_MAXPC])
		return false;
	/* 1.18+ headers carry runtime.text too (0 when left to a PIE relocation) */
	if (s->h.text_start && s->h.text_start != w[MD_TEXT])
		return false;
	if (s->g->text.found && (w[MD_TEXT] < s->g->text.addr || w[MD_ETEXT] > s->g->text.addr + s->g->text.size))
		return false;
	for (unsigned i = MD_NOPTRDATA; i < MD_ENOPTRBSS; i += 2)
		if (w[i] > w[i + 1])
			return false;
	if (w[MD_ENOPTRBSS] > w[s->end_w])
		return false;
	/* the moduledata is itself a data symbol of the module */
	if (!(addr >= w[MD_NOPTRDATA] && addr < w[MD_ENOPTRDATA]) && !(addr >= w[MD_DATA] && addr < w[MD_EDATA]))
		return false;
	if (!in_image(s->g, w[s->types_w], w[s->types_w + 1]))
		return false;
	*out = (struct gomoduledata){
		.addr = addr, .text = w[MD_TEXT], .etext = w[MD_ETEXT],
		.types = w[s->types_w], .etypes = w[s->types_w + 1],
	};
	return true;
}

/* Scans n file bytes at vaddr, word-aligned, for the moduledata. */
static int scan_range(const struct md_scan *s, uint64_t vaddr, uint64_t n, struct gomoduledata *out)
{
	unsigned ps = s->h.ptrsize;
	size_t avail;
	const uint8_t *p = goelf_vptr(s->g, vaddr, &avail);
	uint64_t skip = (ps - vaddr % ps) % ps;

	if (!p)
		return -ENOENT;
	if (n > avail)
		n = avail;
	for (uint64_t off = skip; off + ps <= n; off += ps)
		if (ge_uptr(p + off, ps, s->g->big) == s->pcln &&
		    plausible(s, vaddr + off, p + off, (size_t)(avail - off), out))
			return 0;
	return -ENOENT;
}

int goelf_moduledata(struct goelf *g, struct gomoduledata *out)
{
	struct md_scan s = { .g = g };
	int err = goelf_pclntab_hdr(g, &s.h);

	if (err)
		return err == -ENOMEM ? err : -ENOENT;
	if (s.h.go_version < 116)
		return -ENOTSUP;
	s.pcln = g->pclntab.addr;       /* located by goelf_pclntab_hdr */
	s.types_w = s.h.go_version >= 120 ? MD_TYPES_120 : MD_TYPES_116;
	s.end_w = s.h.go_version >= 120 ? MD_END_120 : MD_END_116;
	/* the linker puts runtime.firstmoduledata in .noptrdata */
	if (g->noptrdata.found && !scan_range(&s, g->noptrdata.addr, g->noptrdata.size, out))
		return 0;
	if (g->data.found && !scan_range(&s, g->data.addr, g->data.size, out))
		return 0;
	for (size_t i = 0; i < g->nsegs; i++)
		if ((g->segs[i].flags & PF_W) && !scan_range(&s, g->segs[i].vaddr, g->segs[i].filesz, out))
			return 0;
	return -ENOENT;
}
