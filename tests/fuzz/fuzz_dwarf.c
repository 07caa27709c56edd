/* libFuzzer target: fuzzed .debug_abbrev + .debug_info wrapped in a tiny ELF, through the DWARF
 * reader (function lookup by name and address, signatures, plan cross-check, runtime.g offsets)
 * and the type converter and location decoder over every DIE. Input: u16 LE abbrev length,
 * abbrev bytes, info bytes (tests/fuzz/gen_dwarf_seeds.py writes well-formed seeds). */
#include <dwarf.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <elfutils/libdw.h>
#include "goelf/dwarf.h"
#include "goelf/dwarf_internal.h"
#include "goelf/goelf.h"

static const char shstr[] = "\0.debug_abbrev\0.debug_info\0.shstrtab";
enum { NAME_ABBREV = 1, NAME_INFO = 15, NAME_SHSTR = 27 };

/* ELF header, abbrev, info, shstrtab, then 4 section headers; NULL when too big. */
static uint8_t *wrap_elf(const uint8_t *ab, size_t nab, const uint8_t *info, size_t ninfo, size_t *size)
{
	size_t off_ab = sizeof(Elf64_Ehdr), off_info = off_ab + nab, off_str = off_info + ninfo;
	size_t off_sh = (off_str + sizeof(shstr) + 7) & ~(size_t)7;
	uint8_t *img = calloc(1, off_sh + 4 * sizeof(Elf64_Shdr));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr sh[4] = { { 0 } };

	if (!img)
		return NULL;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shoff = off_sh;
	eh->e_shnum = 4;
	eh->e_shstrndx = 3;
	memcpy(img + off_ab, ab, nab);
	memcpy(img + off_info, info, ninfo);
	memcpy(img + off_str, shstr, sizeof(shstr));
	sh[1] = (Elf64_Shdr){ .sh_name = NAME_ABBREV, .sh_type = SHT_PROGBITS, .sh_offset = off_ab, .sh_size = nab, .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = NAME_INFO, .sh_type = SHT_PROGBITS, .sh_offset = off_info, .sh_size = ninfo, .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = NAME_SHSTR, .sh_type = SHT_STRTAB, .sh_offset = off_str, .sh_size = sizeof(shstr), .sh_addralign = 1 };
	memcpy(img + off_sh, sh, sizeof(sh));
	*size = off_sh + sizeof(sh);
	return img;
}

/* Every DIE below die: types through the converter, parameters through the location decoder. */
static void walk(struct dwtype_conv *cv, Dwarf_Die *die, uint64_t entry, int depth, int *budget)
{
	Dwarf_Die child;

	if (depth > 16 || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr low = entry;

		if (--*budget < 0)
			return;
		switch (tag) {
		case DW_TAG_base_type: case DW_TAG_pointer_type: case DW_TAG_structure_type:
		case DW_TAG_typedef: case DW_TAG_array_type: case DW_TAG_subroutine_type:
			(void)dwtype_convert(cv, &child);
			break;
		case DW_TAG_formal_parameter: {
			struct godwarf_loc gl;
			struct gotype *t = dwtype_convert(cv, &child);

			dwloc_param_entry(&child, entry, t ? t->size : 8, &gl);
			break;
		}
		case DW_TAG_subprogram:
			if (dwarf_lowpc(&child, &low) != 0)
				low = 0;
			break;
		default:
			break;
		}
		walk(cv, &child, low, depth + 1, budget);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void convert_all(struct goelf *g)
{
	Dwarf *dw = dwarf_begin_elf(goelf_elf(g), DWARF_C_READ, NULL);
	Dwarf_Off off = 0, next;
	size_t hsize;
	struct gotype_pool *pool;
	int budget = 4096;

	if (!dw)
		return;
	if (gotype_pool_new(&pool)) {
		dwarf_end(dw);
		return;
	}
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0 && budget > 0) {
		Dwarf_Die cu;
		struct dwtype_conv *cv;

		if (dwarf_offdie(dw, off + hsize, &cu) && !dwtype_conv_new(pool, &cv)) {
			walk(cv, &cu, 0, 0, &budget);
			dwtype_conv_free(cv);
		}
		off = next;
	}
	gotype_pool_free(pool);
	dwarf_end(dw);
}

/* Named and by-address lookups: more than the reader's lookups-before-index, so both paths run. */
static void signatures(struct goelf *g)
{
	static const char *names[] = { "main.f", "main.g", "main.h", "main.(*T).M", "main.x", "a/b.c",
				       "main.f[go.shape.int]", "x.y[a/b.c].z" };
	/* A lookup by address also matches the name, as goelf's gofuncinfo always has both. */
	static const struct { uint64_t entry; const char *name; } addrs[] = {
		{ 0x401000, "main.f" }, { 0x401040, "main.g" }, { 0x401080, "main.h" },
		{ 0x4010c0, "main.(*T).M" }, { 0x401001, "main.f" }, { 1, "main.g" },
	};
	struct godwarf *d;
	struct g_offsets go;

	if (godwarf_open(g, &d))
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) + sizeof(addrs) / sizeof(addrs[0]); i++) {
		bool by_name = i < sizeof(names) / sizeof(names[0]);
		struct gofuncinfo fi = { .name = by_name ? names[i] : addrs[i - sizeof(names) / sizeof(names[0])].name };
		struct gotype_pool *pool;
		struct gosig sig;
		char err[256], buf[512];

		if (!by_name)
			fi.entry = addrs[i - sizeof(names) / sizeof(names[0])].entry;
		if (gotype_pool_new(&pool))
			break;
		if (!godwarf_func_sig(d, &fi, 19, pool, &sig, err, sizeof(err)))
			gosig_format(&sig, buf, sizeof(buf));
		gotype_pool_free(pool);
	}
	(void)godwarf_g_offsets(d, &go);
	godwarf_close(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nab, n;
	uint8_t *img;
	struct goelf *g;
	int fd;

	if (size < 2)
		return 0;
	nab = data[0] | (size_t)data[1] << 8;
	if (nab > size - 2)
		return 0;
	img = wrap_elf(data + 2, nab, data + 2 + nab, size - 2 - nab, &n);
	if (!img)
		return 0;
	fd = memfd_create("fuzz-dwarf", MFD_CLOEXEC);
	if (fd < 0 || write(fd, img, n) != (ssize_t)n) {
		if (fd >= 0)
			close(fd);
		free(img);
		return 0;
	}
	free(img);
	if (goelf_open_fd(fd, &g))
		return 0;
	convert_all(g);
	signatures(g);
	goelf_close(g);
	return 0;
}
