/* Internal state of a goelf handle and the helpers shared by the goelf/ files (not a public API). */
#ifndef GOTRACE_GOELF_INTERNAL_H
#define GOTRACE_GOELF_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <gelf.h>
#include "goelf/goelf.h"

/* A PT_LOAD, with filesz clamped to what the file really holds. */
struct goelf_seg {
	uint64_t vaddr, memsz, off, filesz;
	uint32_t flags;
};

/* A section we care about; found == false when absent or lying about its extent. */
struct goelf_sec {
	bool found;
	uint64_t addr, off, size;
};

struct gofunc {
	const char *name;       /* points into the file image */
	uint64_t entry, end;
};

/* Functions sorted by entry, plus a lazily built by-name index. */
struct functab {
	struct gofunc *v;
	size_t n;
	uint32_t *by_name;
};

/* Lazily loaded parts: state 0 = not tried, 1 = loaded, < 0 = -errno of the failed try. */
struct goelf {
	int fd;
	Elf *elf;
	const uint8_t *img;     /* whole file (libelf's mmap) */
	size_t size;
	bool is64, big;
	uint16_t type;
	struct goelf_seg *segs;
	size_t nsegs;
	bool has_interp, has_dynamic;
	uint64_t dyn_off, dyn_size;  /* PT_DYNAMIC, clamped to the file */
	bool have_shdrs;        /* a usable section header table */
	bool go_hint;           /* a Go-only section is present */
	struct goelf_sec buildinfo, pclntab, text, noptrdata, data;
	size_t symtab_ndx;      /* 0 when stripped */

	bool is_go;
	char *version;
	struct gobuildinfo *bi;
	unsigned int flags;

	int funcs_state;        /* from .symtab, else the pclntab */
	struct functab funcs;
	int pcln_state;         /* always from the pclntab */
	struct pclntab_hdr pcln_hdr;
	struct functab pcln_funcs;
};

/* Byte-order aware loads from an image already bounds-checked by the caller. */
static inline uint32_t ge_u32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t ge_u64(const uint8_t *p, bool big)
{
	uint64_t hi = ge_u32(p + (big ? 0 : 4), big), lo = ge_u32(p + (big ? 4 : 0), big);
	return hi << 32 | lo;
}

static inline uint64_t ge_uptr(const uint8_t *p, unsigned ptrsize, bool big)
{
	return ptrsize == 8 ? ge_u64(p, big) : ge_u32(p, big);
}

/* Pointer to the file bytes at vaddr and how many follow in the same segment; NULL if not file-backed. */
const uint8_t *goelf_vptr(const struct goelf *g, uint64_t vaddr, size_t *avail);
/* A mem_reader over the file image (ctx is the goelf). */
int goelf_mem_read(void *ctx, uint64_t addr, void *buf, size_t n);

/* dynamic.c */
bool dynamic_needs_libc(const struct goelf *g);
/* Addend of the R_*_RELATIVE relocation of the word at vaddr where; 0 or -ENOENT. */
int dynamic_relative_addend(const struct goelf *g, uint64_t where, uint64_t *addend);

/* symtab.c */
int symtab_funcs(struct goelf *g, struct gofunc **out, size_t *n);
int symtab_lookup(struct goelf *g, const char *name, uint64_t *value, uint64_t *size);

/* pclntab.c: decodes every function of a pclntab image (buf of n bytes). text_start
 * overrides the header's (which may be unrelocated in PIE) for 1.18+; 0 keeps it. */
int pclntab_funcs(const uint8_t *buf, size_t n, uint64_t text_start, struct gofunc **out, size_t *nout);

/* functab.c */
int functab_init(struct functab *t, struct gofunc *v, size_t n);
const struct gofunc *functab_by_addr(const struct functab *t, uint64_t addr);
const struct gofunc *functab_by_name(struct functab *t, const char *name);
void functab_free(struct functab *t);

/* The pclntab-only view, even when .symtab exists (tests compare both paths). */
int goelf_pclntab_funcs(struct goelf *g, struct functab **out);
int goelf_fill_info(const struct goelf *g, const struct gofunc *f, struct gofuncinfo *out);
#endif
