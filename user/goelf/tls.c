/* Where Go keeps g in thread-local storage: its offset from the thread pointer (amd64). */
#include <errno.h>
#include <gelf.h>
#include <string.h>
#include "goelf/goelf.h"

/* runtime.tlsg's offset inside the executable's TLS block (0 when there is no symbol: the
 * Go linker puts it first, and a stripped binary has nothing else to go by). */
static uint64_t tlsg_value(Elf *e)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (gelf_getsym(d, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_TLS &&
			    (n = elf_strptr(e, sh.sh_link, s.st_name)) && !strcmp(n, "runtime.tlsg"))
				return s.st_value;
		}
	}
	return 0;
}

int goelf_tls_g_offset(struct goelf *g, int64_t *off)
{
	Elf *e = goelf_elf(g);
	size_t n = 0;

	/* x86-64 TLS variant II: the executable's block sits right below the thread pointer,
	 * its size rounded up to its alignment. Without a PT_TLS segment Go uses -8 itself. */
	*off = -8;
	if (!e || elf_getphdrnum(e, &n))
		return e ? -EIO : -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		uint64_t align, size;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_TLS)
			continue;
		align = ph.p_align ? ph.p_align : 1;
		size = (ph.p_memsz + align - 1) / align * align;
		if (size > (1u << 20))
			return -EIO;
		*off = (int64_t)tlsg_value(e) - (int64_t)size;
		return 0;
	}
	return 0;
}
