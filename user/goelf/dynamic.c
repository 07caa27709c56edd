/* Reads the PT_DYNAMIC table: needed libraries (cgo detection) and RELATIVE relocations (unrelocated PIE words). */
#include <errno.h>
#include "goelf/internal.h"

#define MAX_NEEDED 64
#define R_X86_64_RELATIVE_ 8
#define R_AARCH64_RELATIVE_ 1027

struct dyninfo {
	uint64_t strtab, rela, relasz;
	uint64_t needed[MAX_NEEDED];
	size_t nneeded;
};

static void read_dynamic(const struct goelf *g, struct dyninfo *di)
{
	size_t esz = g->is64 ? 16 : 8, ws = esz / 2;
	memset(di, 0, sizeof(*di));
	if (!g->has_dynamic)
		return;
	const uint8_t *dyn = g->img + g->dyn_off;
	for (size_t i = 0; i < g->dyn_size / esz; i++) {
		uint64_t tag = ge_uptr(dyn + i * esz, (unsigned)ws, g->big);
		uint64_t val = ge_uptr(dyn + i * esz + ws, (unsigned)ws, g->big);
		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB)
			di->strtab = val;
		else if (tag == DT_RELA)
			di->rela = val;
		else if (tag == DT_RELASZ)
			di->relasz = val;
		else if (tag == DT_NEEDED && di->nneeded < MAX_NEEDED)
			di->needed[di->nneeded++] = val;
	}
}

bool dynamic_needs_libc(const struct goelf *g)
{
	struct dyninfo di;
	size_t avail = 0;
	read_dynamic(g, &di);
	const uint8_t *str = di.strtab ? goelf_vptr(g, di.strtab, &avail) : NULL;
	for (size_t i = 0; str && i < di.nneeded; i++) {
		if (di.needed[i] >= avail || !memchr(str + di.needed[i], 0, avail - di.needed[i]))
			continue;
		const char *lib = (const char *)str + di.needed[i];
		if (!strncmp(lib, "libc.", 5) || strstr(lib, "musl"))
			return true;
	}
	return false;
}

int dynamic_relative_addend(const struct goelf *g, uint64_t where, uint64_t *addend)
{
	struct dyninfo di;
	size_t avail;
	const uint8_t *r;
	if (!g->is64)
		return -ENOENT;
	read_dynamic(g, &di);
	if (!di.rela || !(r = goelf_vptr(g, di.rela, &avail)))
		return -ENOENT;
	size_t n = (size_t)((di.relasz < avail ? di.relasz : avail) / 24);  /* Elf64_Rela */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = r + 24 * i;
		uint32_t type = (uint32_t)ge_u64(e + 8, g->big);
		if (ge_u64(e, g->big) == where && (type == R_X86_64_RELATIVE_ || type == R_AARCH64_RELATIVE_)) {
			*addend = ge_u64(e + 16, g->big);
			return 0;
		}
	}
	return -ENOENT;
}
