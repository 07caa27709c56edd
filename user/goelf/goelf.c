/* Opens an executable once with libelf and answers the cheap questions: is it Go, version, build info, flags. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "goelf/internal.h"

#define BI_ALIGN 16
#define MAX_BUILDVERSION 256
/* Real binaries have one candidate; a crafted file full of magics must not cost
 * a full decode (or a 16 MB copy) per 16 bytes. */
#define MAX_SCAN_TRIES 32

const uint8_t *goelf_vptr(const struct goelf *g, uint64_t vaddr, size_t *avail)
{
	for (size_t i = 0; i < g->nsegs; i++) {
		const struct goelf_seg *s = &g->segs[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*avail = (size_t)(s->filesz - (vaddr - s->vaddr));
			return g->img + s->off + (vaddr - s->vaddr);
		}
	}
	return NULL;
}

int goelf_vaddr_to_offset(const struct goelf *g, uint64_t vaddr, uint64_t *off)
{
	size_t avail;
	const uint8_t *p = goelf_vptr(g, vaddr, &avail);
	if (!p)
		return -ENOENT;
	*off = (uint64_t)(p - g->img);
	return 0;
}

int goelf_read_vaddr(struct goelf *g, uint64_t vaddr, void *buf, size_t n)
{
	size_t avail;
	const uint8_t *p = goelf_vptr(g, vaddr, &avail);
	if (!p || avail < n)
		return -EFAULT;
	memcpy(buf, p, n);
	return 0;
}

int goelf_mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	return goelf_read_vaddr(ctx, addr, buf, n);
}

/* A file range [*off, *off + *size) cut to what the file really has. */
static void clamp_range(const struct goelf *g, uint64_t *off, uint64_t *size)
{
	if (*off > g->size)
		*off = g->size;
	if (*size > g->size - *off)
		*size = g->size - *off;
}

static int load_segments(struct goelf *g)
{
	size_t n;
	if (elf_getphdrnum(g->elf, &n))
		return -ENOEXEC;
	g->segs = calloc(n ? n : 1, sizeof(*g->segs));
	if (!g->segs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(g->elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type == PT_INTERP)
			g->has_interp = true;
		if (ph.p_type == PT_DYNAMIC && !g->has_dynamic) {
			g->has_dynamic = true;
			g->dyn_off = ph.p_offset;
			g->dyn_size = ph.p_filesz;
			clamp_range(g, &g->dyn_off, &g->dyn_size);
		}
		if (ph.p_type != PT_LOAD)
			continue;
		struct goelf_seg *s = &g->segs[g->nsegs];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->flags = ph.p_flags;
		/* a truncated file keeps the part it really has */
		s->off = ph.p_offset;
		s->filesz = ph.p_filesz;
		clamp_range(g, &s->off, &s->filesz);
		if (s->vaddr + s->filesz < s->vaddr)
			continue;
		g->nsegs++;
	}
	return 0;
}

static void set_sec(const struct goelf *g, struct goelf_sec *sec, const GElf_Shdr *sh)
{
	if (sec->found || sh->sh_type == SHT_NOBITS || sh->sh_offset > g->size || sh->sh_size > g->size - sh->sh_offset)
		return;
	sec->found = true;
	sec->addr = sh->sh_addr;
	sec->off = sh->sh_offset;
	sec->size = sh->sh_size;
}

/* One pass over the section headers (in the mmap, no reads) for everything we may need. */
static void scan_sections(struct goelf *g)
{
	size_t shnum, shstrndx, named = 0;
	if (elf_getshdrnum(g->elf, &shnum) || !shnum || elf_getshdrstrndx(g->elf, &shstrndx))
		return;
	for (Elf_Scn *scn = elf_nextscn(g->elf, NULL); scn; scn = elf_nextscn(g->elf, scn)) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && !g->symtab_ndx)
			g->symtab_ndx = elf_ndxscn(scn);
		if (!(name = elf_strptr(g->elf, shstrndx, sh.sh_name)))
			continue;
		named++;
		if (!strcmp(name, ".go.buildinfo")) {
			set_sec(g, &g->buildinfo, &sh);
			g->go_hint = true;
		} else if (!strcmp(name, ".gopclntab") || !strcmp(name, ".data.rel.ro.gopclntab")) {
			set_sec(g, &g->pclntab, &sh);
			g->go_hint = true;
		} else if (!strcmp(name, ".gosymtab") || !strcmp(name, ".note.go.buildid")) {
			g->go_hint = true;
		} else if (!strcmp(name, ".text")) {
			set_sec(g, &g->text, &sh);
		} else if (!strcmp(name, ".noptrdata")) {
			set_sec(g, &g->noptrdata, &sh);
		} else if (!strcmp(name, ".data")) {
			set_sec(g, &g->data, &sh);
		} else if (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")) {
			g->flags |= GOELF_DWARF;
		}
	}
	/* A table whose names all fail is as good as none: fall back to the segment scans. */
	g->have_shdrs = named > 0;
}

static int try_buildinfo(struct goelf *g, const uint8_t *p, size_t n)
{
	struct mem_reader mem = { goelf_mem_read, g };
	struct gobuildinfo *bi = calloc(1, sizeof(*bi));
	if (!bi)
		return -ENOMEM;
	int err = buildinfo_parse(p, n, &mem, bi);
	if (!err && !(g->version = strdup(bi->go_version))) {
		buildinfo_free(bi);
		err = -ENOMEM;
	}
	if (err) {
		free(bi);
		return err;
	}
	g->bi = bi;
	return 0;
}

static int find_buildinfo(struct goelf *g)
{
	if (g->buildinfo.found)
		return try_buildinfo(g, g->img + g->buildinfo.off, g->buildinfo.size);
	if (g->have_shdrs)
		return -ENOENT;
	/* No sections: the linker puts the blob in a writable, non-executable segment
	 * (in PIE files the first such one is RELRO, so try them all). */
	unsigned tries = MAX_SCAN_TRIES;
	for (size_t i = 0; i < g->nsegs; i++) {
		const struct goelf_seg *s = &g->segs[i];
		if ((s->flags & (PF_W | PF_X)) != PF_W)
			continue;
		size_t pos = (size_t)((BI_ALIGN - s->vaddr % BI_ALIGN) % BI_ALIGN);
		const uint8_t *p = g->img + s->off;
		while (pos < s->filesz && tries) {
			long o = buildinfo_find(p + pos, s->filesz - pos);
			if (o < 0)
				break;
			pos += (size_t)o;
			tries--;
			int err = try_buildinfo(g, p + pos, s->filesz - pos);
			if (err != -ENOEXEC && err != -EFAULT && err != -EINVAL)
				return err;
			pos += BI_ALIGN;
		}
	}
	return -ENOENT;
}

/* runtime.buildVersion is a Go string header {data, len} in .data. */
static int version_from_symbol(struct goelf *g)
{
	uint64_t addr, size;
	unsigned ps = g->is64 ? 8 : 4;
	uint8_t hdr[16];
	size_t avail;
	int err = symtab_lookup(g, "runtime.buildVersion", &addr, &size);
	if (err || (err = goelf_read_vaddr(g, addr, hdr, 2 * ps)))
		return err;
	uint64_t data = ge_uptr(hdr, ps, g->big), len = ge_uptr(hdr + ps, ps, g->big);
	const uint8_t *p = goelf_vptr(g, data, &avail);
	if (!len || len > MAX_BUILDVERSION || !p || avail < len || memchr(p, 0, len))
		return -ENOENT;
	return (g->version = strndup((const char *)p, len)) ? 0 : -ENOMEM;
}

/* runtime.text for a 1.18+ pclntab at vaddr addr; 0 keeps the header's word, which is right
 * whenever it is set. A PIE linked without applying dynamic relocations (lld's default) leaves
 * it 0: then the runtime.text symbol, the addend of the word's RELATIVE relocation, or, last,
 * the .text section (debug/gosym's choice, off when C code precedes Go's text). */
static uint64_t text_start(struct goelf *g, const uint8_t *p, size_t n, uint64_t addr)
{
	struct pclntab_hdr h;
	uint64_t a, sz;
	if (pclntab_probe(p, n, &h) || h.go_version < 118 || h.text_start)
		return 0;
	if (!symtab_lookup(g, "runtime.text", &a, &sz) && a)
		return a;
	if (!dynamic_relative_addend(g, addr + 8 + 2 * (uint64_t)h.ptrsize, &a))
		return a;
	return g->text.found ? g->text.addr : 0;
}

/* The pclntab must decode fully and its first function must lie in executable code. */
static bool plausible_pclntab(struct goelf *g, const uint8_t *p, size_t n, uint64_t addr)
{
	struct pclntab_hdr h;
	struct gofunc *v;
	size_t k, avail;
	if (pclntab_probe(p, n, &h) || pclntab_funcs(p, n, text_start(g, p, n, addr), &v, &k))
		return false;
	bool ok = k == h.nfunc;
	uint64_t entry = v[0].entry;
	free(v);
	if (!ok || !goelf_vptr(g, entry, &avail))
		return false;
	for (size_t i = 0; i < g->nsegs; i++)
		if ((g->segs[i].flags & PF_X) && entry >= g->segs[i].vaddr && entry - g->segs[i].vaddr < g->segs[i].filesz)
			return true;
	return false;
}

static bool scan_segment_pclntab(struct goelf *g, const struct goelf_seg *s, unsigned *tries)
{
	const uint8_t *p = g->img + s->off;

	if (!g->img)
		return false;
	for (size_t pos = 0; pos + 8 <= s->filesz && *tries; pos += 4) {
		/* cheap pre-checks (magic's high bytes in either byte order, then the header)
		 * before the full decode, which is budgeted */
		if (!((p[pos + 1] == 0xff && p[pos + 2] == 0xff) && (p[pos] == 0xff || p[pos + 3] == 0xff)) ||
		    pclntab_probe(p + pos, s->filesz - pos, NULL))
			continue;
		--*tries;
		if (plausible_pclntab(g, p + pos, s->filesz - pos, s->vaddr + pos)) {
			g->pclntab.found = true;
			g->pclntab.off = s->off + pos;
			g->pclntab.size = s->filesz - pos;
			g->pclntab.addr = s->vaddr + pos;
			return true;
		}
	}
	return false;
}

/* Section, else runtime.pclntab..runtime.epclntab, else (no sections) a scan. */
static int locate_pclntab(struct goelf *g)
{
	uint64_t a, e, sz;
	size_t avail;
	const uint8_t *p;
	if (g->pclntab.found)
		return 0;
	if (!symtab_lookup(g, "runtime.pclntab", &a, &sz) && (p = goelf_vptr(g, a, &avail))) {
		if (!symtab_lookup(g, "runtime.epclntab", &e, &sz) && e > a && e - a < avail)
			avail = (size_t)(e - a);
		g->pclntab = (struct goelf_sec){ true, a, (uint64_t)(p - g->img), avail };
		return 0;
	}
	if (g->have_shdrs)
		return -ENOENT;
	/* read-only data first (where the linker puts it), then RELRO data (PIE), then text (old Go) */
	static const uint32_t order[][2] = { { PF_W | PF_X, 0 }, { PF_W | PF_X, PF_W }, { PF_X, PF_X } };
	unsigned tries = MAX_SCAN_TRIES;
	for (size_t o = 0; o < 3; o++)
		for (size_t i = 0; i < g->nsegs; i++)
			if ((g->segs[i].flags & order[o][0]) == order[o][1] && scan_segment_pclntab(g, &g->segs[i], &tries))
				return 0;
	return -ENOENT;
}

int goelf_pclntab_funcs(struct goelf *g, struct functab **out)
{
	if (!g->pcln_state) {
		struct gofunc *v;
		size_t n;
		int err = locate_pclntab(g);
		const uint8_t *p = g->img + g->pclntab.off;
		if (!err)
			err = pclntab_probe(p, g->pclntab.size, &g->pcln_hdr);
		if (!err)
			err = pclntab_funcs(p, g->pclntab.size, text_start(g, p, g->pclntab.size, g->pclntab.addr), &v, &n);
		if (!err)
			err = functab_init(&g->pcln_funcs, v, n);
		g->pcln_state = err ? (err == -ENOMEM ? err : -ENOENT) : 1;
	}
	if (g->pcln_state < 0)
		return g->pcln_state;
	*out = &g->pcln_funcs;
	return 0;
}

int goelf_pclntab_hdr(struct goelf *g, struct pclntab_hdr *out)
{
	struct functab *t;
	int err = goelf_pclntab_funcs(g, &t);
	if (!err)
		*out = g->pcln_hdr;
	return err;
}

static void compute_flags(struct goelf *g)
{
	int cgo = -1;
	if (!g->symtab_ndx)
		g->flags |= GOELF_STRIPPED;
	if (g->type == ET_DYN)
		g->flags |= GOELF_PIE;
	if (!g->has_interp && !g->has_dynamic)
		g->flags |= GOELF_STATIC;
	for (size_t i = 0; g->bi && i < g->bi->nsettings; i++)
		if (!strcmp(g->bi->settings[i].key, "CGO_ENABLED"))
			cgo = !strcmp(g->bi->settings[i].value, "1");
	if (cgo < 0)
		cgo = dynamic_needs_libc(g);
	if (cgo)
		g->flags |= GOELF_CGO;
}

/* buildinfo blob, else runtime.buildVersion, else a pclntab (Go, version unknown). */
static int identify(struct goelf *g)
{
	int err = find_buildinfo(g);
	if (err == -ENOMEM)
		return err;
	if (err && (g->go_hint || !g->have_shdrs)) {
		err = version_from_symbol(g);
		if (err == -ENOMEM)
			return err;
		if (err && !locate_pclntab(g) && !pclntab_probe(g->img + g->pclntab.off, g->pclntab.size, NULL)) {
			if (!(g->version = strdup("unknown")))
				return -ENOMEM;
			err = 0;
		}
	}
	g->is_go = !err;
	return 0;
}

int goelf_open_fd(int fd, struct goelf **out)
{
	struct goelf *g = calloc(1, sizeof(*g));
	GElf_Ehdr eh;
	int err = -ENOEXEC;
	if (!g) {
		close(fd);
		return -ENOMEM;
	}
	g->fd = fd;
	elf_version(EV_CURRENT);
	g->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!g->elf)
		goto fail;
	if (elf_kind(g->elf) != ELF_K_ELF || !gelf_getehdr(g->elf, &eh) || !(g->img = (const uint8_t *)elf_rawfile(g->elf, &g->size)))
		goto fail;
	g->is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
	g->big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	g->type = eh.e_type;
	if ((err = load_segments(g)))
		goto fail;
	scan_sections(g);
	if ((err = identify(g)))
		goto fail;
	compute_flags(g);
	*out = g;
	return 0;
fail:
	goelf_close(g);
	return err;
}

int goelf_open(const char *path, struct goelf **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return goelf_open_fd(fd, out);
}

void goelf_close(struct goelf *g)
{
	if (!g)
		return;
	functab_free(&g->funcs);
	functab_free(&g->pcln_funcs);
	if (g->bi) {
		buildinfo_free(g->bi);
		free(g->bi);
	}
	free(g->version);
	free(g->segs);
	if (g->elf)
		elf_end(g->elf);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
}

bool goelf_is_go(const struct goelf *g)
{
	return g->is_go;
}

const char *goelf_go_version(const struct goelf *g)
{
	return g->is_go ? g->version : NULL;
}

const struct gobuildinfo *goelf_buildinfo(const struct goelf *g)
{
	return g->bi;
}

unsigned int goelf_flags(const struct goelf *g)
{
	return g->flags;
}

Elf *goelf_elf(struct goelf *g)
{
	return g->elf;
}

int goelf_fd(const struct goelf *g)
{
	return g->fd;
}
