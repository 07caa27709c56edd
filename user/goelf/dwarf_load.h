/* Internal to the DWARF reader: an in-memory ELF of just the DWARF sections it reads. */
#ifndef GOTRACE_GOELF_DWARF_LOAD_H
#define GOTRACE_GOELF_DWARF_LOAD_H
#include <stddef.h>
#include <libelf.h>

/* libdw inflates every compressed debug section in dwarf_begin_elf, .debug_line and
 * .debug_frame included, one after the other. This image holds only the sections for
 * DIEs, types, locations and ranges (.debug_abbrev, .debug_info, .debug_loc,
 * .debug_ranges, and .debug_str and the DWARF 5 ones when present), inflated with
 * libdeflate on two threads. */
struct dwarf_image {
	Elf *elf;               /* elf_memory() over buf; NULL when no section was compressed */
	void *buf;
	size_t size;
};

/* 0 with img->elf set; 0 with img->elf NULL when nothing needs inflating (read the
 * original Elf directly); -ENOENT (no .debug_info), -EIO (corrupt), -ENOMEM, or -EFBIG
 * when the image would take more than max_bytes (checked before anything is allocated). */
int dwarf_image_build(Elf *elf, size_t max_bytes, struct dwarf_image *img);
void dwarf_image_free(struct dwarf_image *img);
#endif
