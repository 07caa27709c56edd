/* Names of Go type descriptors and itabs by address: .symtab, else decoded descriptors (for printing interfaces). */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "goelf/internal.h"
#include "goelf/moduledata.h"
#include "goelf/typesym.h"

/* runtime.itab (amd64, Go 1.7 to 1.22's abi.ITab): inter at 0, _type at 8. */
#define ITAB_TYPE_OFF 8

struct tsym {
	uint64_t addr;
	const char *name;       /* points into the ELF string table (lives as long as the goelf) */
	bool itab;
};

/* Names found through the file image (decoded descriptors, static itabs of a stripped
 * PIE via its RELATIVE relocations): the same every time, so printing each event does
 * not redo the decoding. Run-time itabs are read from the process and not kept. */
#define NAME_CACHE 256
struct tname {
	uint64_t vaddr;
	bool itab, used;
	int rc;
	char name[96];
};

struct typesym {
	struct goelf *g;
	struct tname cache[NAME_CACHE];
	uint64_t types;         /* runtime.types: base of the nameOffs in type descriptors */
	uint64_t etypes;        /* runtime.etypes: descriptors lie in [types, etypes) */
	struct tsym *v;
	size_t n;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct tsym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "type.main.point" -> "main.point"; "go.itab.*main.T,main.I" -> "*main.T" (itab). */
static const char *strip_prefix(const char *s, bool *itab)
{
	static const char *const types[] = { "type.", "type:" };
	static const char *const itabs[] = { "go.itab.", "go:itab." };

	for (size_t i = 0; i < 2; i++) {
		if (!strncmp(s, itabs[i], strlen(itabs[i]))) {
			*itab = true;
			return s + strlen(itabs[i]);
		}
		if (!strncmp(s, types[i], strlen(types[i]))) {
			*itab = false;
			return s + strlen(types[i]);
		}
	}
	return NULL;
}

int typesym_open(struct goelf *g, struct typesym **out)
{
	Elf *e = goelf_elf(g);
	Elf_Scn *scn = NULL;
	struct typesym *t;
	size_t cap = 0;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name, *rest;
			bool itab;

			if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, "runtime.types"))
				t->types = sym.st_value;
			else if (name && !strcmp(name, "runtime.etypes"))
				t->etypes = sym.st_value;
			if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
				continue;
			if (!name || !(rest = strip_prefix(name, &itab)) || !*rest)
				continue;
			/* type..namedata.* and friends are not descriptors */
			if (!itab && (rest[0] == '.' || !strcmp(rest, "*")))
				continue;
			if (t->n == cap) {
				size_t nc = cap ? 2 * cap : 1024;
				struct tsym *nv = realloc(t->v, nc * sizeof(*nv));

				if (!nv) {
					typesym_close(t);
					return -ENOMEM;
				}
				t->v = nv;
				cap = nc;
			}
			t->v[t->n++] = (struct tsym){ sym.st_value, rest, itab };
		}
	}
	t->g = g;
	if (!t->types || t->etypes <= t->types) {
		/* stripped: the moduledata knows the same range */
		struct gomoduledata md;

		if (!goelf_moduledata(g, &md)) {
			t->types = md.types;
			t->etypes = md.etypes;
		} else {
			t->etypes = 0;
		}
	}
	if (!t->n && !t->types) {
		typesym_close(t);
		return -ENOENT;
	}
	if (t->n)       /* t->v is NULL when only the types section was found */
		qsort(t->v, t->n, sizeof(*t->v), cmp_addr);
	*out = t;
	return 0;
}

void typesym_close(struct typesym *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

/* Go 1.17+ runtime._type (amd64): tflag at 20, str nameOff at 40; the name is a flag
 * byte, a uvarint length and the bytes; tflagExtraStar means the name has a '*' too many. */
static int decode_type(const struct typesym *t, uint64_t vaddr, char *buf, size_t n)
{
	uint8_t tflag, nb[10 + 256];
	int32_t off;
	uint64_t len = 0;
	int shift = 0, i = 1;

	if (!t->types || vaddr < t->types || (t->etypes && vaddr >= t->etypes) ||
	    goelf_read_vaddr(t->g, vaddr + 20, &tflag, 1) ||
	    goelf_read_vaddr(t->g, vaddr + 40, &off, 4) || off < 0)
		return -ENOENT;
	if (goelf_read_vaddr(t->g, t->types + (uint64_t)off, nb, 11))
		return -ENOENT;
	for (; i < 11; i++) {
		len |= (uint64_t)(nb[i] & 0x7f) << shift;
		shift += 7;
		if (!(nb[i] & 0x80))
			break;
	}
	i++;
	if (len == 0 || len > 256 || goelf_read_vaddr(t->g, t->types + (uint64_t)off + (uint64_t)i, nb, len))
		return -ENOENT;
	nb[len] = 0;
	snprintf(buf, n, "%s", (tflag & 2) && nb[0] == '*' ? (char *)nb + 1 : (char *)nb);
	return 0;
}

/* The name of the type.* or go.itab.* symbol at vaddr; 0 or -ENOENT. */
static int sym_name(const struct typesym *t, uint64_t vaddr, bool itab, char *buf, size_t n)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->n && t->v[lo].addr == vaddr; lo++) {
		const char *s = t->v[lo].name;

		if (t->v[lo].itab != itab)
			continue;
		if (itab) {
			/* the concrete type ends at the last top-level comma (generics have commas in []) */
			const char *comma = NULL;
			int depth = 0;

			for (const char *p = s; *p; p++) {
				if (*p == '[')
					depth++;
				else if (*p == ']')
					depth--;
				else if (*p == ',' && !depth)
					comma = p;
			}
			snprintf(buf, n, "%.*s", comma ? (int)(comma - s) : (int)strlen(s), s);
		} else {
			snprintf(buf, n, "%s", s);
		}
		return 0;
	}
	return -ENOENT;
}

/* Link-time address of the _type of the itab at run-time address word. A static itab
 * is in the file (its word relocated statically, else by a RELATIVE relocation in PIE);
 * one the runtime built (getitab) is persistentalloc'd in the process and never freed,
 * so mem can read it whenever the process still lives. */
static int itab_type(const struct typesym *t, uint64_t word, uint64_t bias, const struct mem_reader *mem,
		     uint64_t *out, bool *in_file)
{
	uint64_t vaddr = word - bias, tw = 0;
	uint8_t b[8];

	*in_file = !goelf_read_vaddr(t->g, vaddr + ITAB_TYPE_OFF, b, sizeof(b));
	if (*in_file) {
		tw = ge_u64(b, t->g->big);
		if (!tw && dynamic_relative_addend(t->g, vaddr + ITAB_TYPE_OFF, &tw))
			return -ENOENT;
	} else {
		if (!mem || mem->read(mem->ctx, word + ITAB_TYPE_OFF, b, sizeof(b)))
			return -ENOENT;
		tw = ge_u64(b, t->g->big);
		if (!tw)
			return -ENOENT;
		tw -= bias;
	}
	*out = tw;
	return tw ? 0 : -ENOENT;
}

static int name_uncached(const struct typesym *t, uint64_t word, uint64_t bias, bool itab,
			 const struct mem_reader *mem, char *buf, size_t n, bool *in_file)
{
	uint64_t type;

	*in_file = true;
	if (!itab)
		return decode_type(t, word - bias, buf, n);
	if (itab_type(t, word, bias, mem, &type, in_file))
		return -ENOENT;
	/* the concrete type's own symbol is as good as its descriptor, and cheaper */
	return sym_name(t, type, false, buf, n) ? decode_type(t, type, buf, n) : 0;
}

int typesym_name_rt(struct typesym *t, uint64_t word, uint64_t bias, bool itab,
		    const struct mem_reader *mem, char *buf, size_t n)
{
	uint64_t vaddr = word - bias;
	struct tname *c;
	bool in_file;
	int rc;

	if (!t)
		return -ENOENT;
	if (!sym_name(t, vaddr, itab, buf, n))
		return 0;
	c = &t->cache[((vaddr * 0x9e3779b97f4a7c15ull + itab) >> 56) % NAME_CACHE];
	if (c->used && c->vaddr == vaddr && c->itab == itab) {
		snprintf(buf, n, "%s", c->name);
		return c->rc;
	}
	rc = name_uncached(t, word, bias, itab, mem, buf, n, &in_file);
	if (in_file) {
		*c = (struct tname){ .vaddr = vaddr, .itab = itab, .used = true, .rc = rc };
		snprintf(c->name, sizeof(c->name), "%s", rc ? "" : buf);
	}
	return rc;
}

int typesym_name(struct typesym *t, uint64_t vaddr, bool itab, char *buf, size_t n)
{
	return typesym_name_rt(t, vaddr, 0, itab, NULL, buf, n);
}
