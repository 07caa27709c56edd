/* Reads the ELF .symtab: all function symbols, and single-symbol lookups for the fallbacks. */
#include <errno.h>
#include <stdlib.h>
#include "goelf/internal.h"

/* The .symtab data and its entry count; -ENOENT when stripped or unreadable. */
static int symtab_data(struct goelf *g, Elf_Data **data, size_t *nsyms, size_t *strndx)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	if (!g->symtab_ndx || !(scn = elf_getscn(g->elf, g->symtab_ndx)) || !gelf_getshdr(scn, &sh))
		return -ENOENT;
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t esz = gelf_fsize(g->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!d || !esz)
		return -ENOENT;
	*data = d;
	*nsyms = d->d_size / esz;
	if (*nsyms > INT32_MAX)  /* gelf_getsym takes an int */
		*nsyms = INT32_MAX;
	*strndx = sh.sh_link;
	return 0;
}

int symtab_funcs(struct goelf *g, struct gofunc **out, size_t *n)
{
	Elf_Data *d;
	size_t nsyms, strndx, k = 0;
	int err = symtab_data(g, &d, &nsyms, &strndx);
	if (err)
		return err;
	struct gofunc *v = calloc(nsyms ? nsyms : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;
		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		if (!(name = elf_strptr(g->elf, strndx, s.st_name)) || !name[0])
			continue;
		v[k].name = name;
		v[k].entry = s.st_value;
		v[k].end = s.st_value + s.st_size >= s.st_value ? s.st_value + s.st_size : s.st_value;
		k++;
	}
	if (!k) {
		free(v);
		return -ENOENT;
	}
	*out = v;
	*n = k;
	return 0;
}

int symtab_lookup(struct goelf *g, const char *name, uint64_t *value, uint64_t *size)
{
	Elf_Data *d;
	size_t nsyms, strndx;
	int err = symtab_data(g, &d, &nsyms, &strndx);
	if (err)
		return err;
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym s;
		const char *sn;
		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF)
			continue;
		if ((sn = elf_strptr(g->elf, strndx, s.st_name)) && !strcmp(sn, name)) {
			*value = s.st_value;
			*size = s.st_size;
			return 0;
		}
	}
	return -ENOENT;
}
