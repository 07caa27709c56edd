/* Where Go keeps g in thread-local storage: its offset from the thread pointer (amd64). */
#include <errno.h>
#include <gelf.h>
#include "goelf/internal.h"

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
		uint64_t align, size, tlsg, tsz;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_TLS)
			continue;
		/* bounded before rounding, so crafted values cannot wrap */
		if (ph.p_memsz > (1u << 20) || ph.p_align > (1u << 20))
			return -EIO;
		align = ph.p_align ? ph.p_align : 1;
		size = (ph.p_memsz + align - 1) / align * align;
		/* runtime.tlsg's place in the block; a stripped binary has only Go's linker's
		 * habit to go by: it puts tlsg first */
		if (symtab_lookup(g, "runtime.tlsg", &tlsg, &tsz))
			tlsg = 0;
		*off = (int64_t)tlsg - (int64_t)size;
		return 0;
	}
	return 0;
}
