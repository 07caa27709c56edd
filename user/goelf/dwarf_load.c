/* Builds an in-memory ELF of the DWARF sections the reader needs, inflating them in parallel. */
#include <endian.h>
#include <errno.h>
#include <gelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include "goelf/dwarf_load.h"

/* The sections libdw needs for DIEs, types, location lists and CU ranges; index 1
 * (.debug_info) is required. The DWARF 5 ones are taken when present (Go writes
 * DWARF 4 today; .debug_str matters to other producers' CUs in cgo binaries). */
static const char *const wanted[] = {
	".debug_abbrev", ".debug_info", ".debug_loc", ".debug_ranges", ".debug_str",
	".debug_line_str", ".debug_loclists", ".debug_rnglists", ".debug_addr", ".debug_str_offsets",
};
#define NWANT (sizeof(wanted) / sizeof(wanted[0]))

struct part {
	const unsigned char *src;   /* raw section bytes */
	size_t srclen;
	size_t zoff;                /* start of the zlib stream in src */
	size_t size;                /* bytes once inflated */
	unsigned char *dst;         /* where they go in the image */
	enum { RAW, SHF_ZLIB, GNU_ZLIB } how;
	int rc;
};

/* libdeflate inflates whole buffers 2-2.5x faster than zlib here (8.7 vs 20.6 ms for a
 * 2.9 MB .debug_info): the sizes are known up front, so no streaming is needed. */
static int inflate_part(struct part *p)
{
	struct libdeflate_decompressor *dd;
	size_t got = 0;
	enum libdeflate_result r;

	if (p->how == RAW) {
		memcpy(p->dst, p->src, p->size);
		return 0;
	}
	dd = libdeflate_alloc_decompressor();
	if (!dd)
		return -ENOMEM;
	r = libdeflate_zlib_decompress(dd, p->src + p->zoff, p->srclen - p->zoff, p->dst, p->size, &got);
	libdeflate_free_decompressor(dd);
	return r == LIBDEFLATE_SUCCESS && got == p->size ? 0 : -EIO;
}

static void *inflate_thread(void *arg)
{
	struct part *p = arg;

	p->rc = inflate_part(p);
	return NULL;
}

/* Finds the wanted section i, plain (.debug_x) or GNU-compressed (.zdebug_x). */
static int describe(Elf *elf, size_t shstrndx, const char *want, struct part *p)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		bool gnu = name[1] == 'z' && !strcmp(name + 2, want + 1);

		if (strcmp(name, want) != 0 && !gnu)
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf)
			return -EIO;
		p->src = d->d_buf;
		p->srclen = d->d_size;
		p->size = d->d_size;
		p->how = RAW;
		if (sh.sh_flags & SHF_COMPRESSED) {
			GElf_Chdr ch;

			if (gelf_getchdr(scn, &ch) == NULL || ch.ch_type != ELFCOMPRESS_ZLIB)
				return -EIO;
			p->how = SHF_ZLIB;
			p->size = ch.ch_size;
			p->zoff = gelf_getclass(elf) == ELFCLASS32 ? sizeof(Elf32_Chdr) : sizeof(Elf64_Chdr);
		} else if (gnu) {
			uint64_t be;

			if (p->srclen < 12 || memcmp(p->src, "ZLIB", 4) != 0)
				return -EIO;
			memcpy(&be, p->src + 4, 8);
			p->how = GNU_ZLIB;
			p->size = be64toh(be);
			p->zoff = 12;
		}
		if (p->zoff > p->srclen || p->size > ((size_t)1 << 34))
			return -EIO;
		return 0;
	}
	return -ENOENT;
}

int dwarf_image_build(Elf *elf, size_t max_bytes, struct dwarf_image *img)
{
	struct part parts[NWANT] = { 0 };
	bool present[NWANT] = { 0 }, compressed = false;
	size_t shstrndx, off, strsz = 1, shoff, nsec = 1;
	GElf_Ehdr eh;
	unsigned char *buf;
	int rc;

	memset(img, 0, sizeof(*img));
	if (elf_getshdrstrndx(elf, &shstrndx) || !gelf_getehdr(elf, &eh))
		return -EIO;
	for (size_t i = 0; i < NWANT; i++) {
		rc = describe(elf, shstrndx, wanted[i], &parts[i]);
		if (rc == -ENOENT && i != 1)
			continue;
		if (rc)
			return rc;
		present[i] = true;
		compressed |= parts[i].how != RAW;
		strsz += strlen(wanted[i]) + 1;
		nsec++;
	}
	if (!compressed)
		return 0;
	strsz += sizeof(".shstrtab");
	nsec++;

	/* Layout: ELF header, section contents, names, then the section header table. */
	off = sizeof(Elf64_Ehdr);
	for (size_t i = 0; i < NWANT; i++)
		if (present[i])
			off += parts[i].size;
	shoff = (off + strsz + 7) & ~(size_t)7;
	img->size = shoff + nsec * sizeof(Elf64_Shdr);
	if (img->size > max_bytes) {
		img->size = 0;
		return -EFBIG;
	}
	buf = img->buf = calloc(1, img->size);
	if (!buf)
		return -ENOMEM;

	Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + shoff);
	char *names = (char *)buf + off;
	size_t name_at = 1, sec = 1;

	memcpy(h->e_ident, ELFMAG, SELFMAG);
	h->e_ident[EI_CLASS] = ELFCLASS64;
	h->e_ident[EI_DATA] = eh.e_ident[EI_DATA];
	h->e_ident[EI_VERSION] = EV_CURRENT;
	h->e_type = ET_EXEC;
	h->e_machine = eh.e_machine;
	h->e_version = EV_CURRENT;
	h->e_ehsize = sizeof(Elf64_Ehdr);
	h->e_shentsize = sizeof(Elf64_Shdr);
	h->e_shoff = shoff;
	h->e_shnum = (Elf64_Half)nsec;
	h->e_shstrndx = (Elf64_Half)(nsec - 1);
	off = sizeof(Elf64_Ehdr);
	for (size_t i = 0; i < NWANT; i++) {
		if (!present[i])
			continue;
		parts[i].dst = buf + off;
		sh[sec] = (Elf64_Shdr){ .sh_name = (Elf64_Word)name_at, .sh_type = SHT_PROGBITS,
					.sh_offset = off, .sh_size = parts[i].size, .sh_addralign = 1 };
		strcpy(names + name_at, wanted[i]);
		name_at += strlen(wanted[i]) + 1;
		off += parts[i].size;
		sec++;
	}
	sh[sec] = (Elf64_Shdr){ .sh_name = (Elf64_Word)name_at, .sh_type = SHT_STRTAB,
				.sh_offset = off, .sh_size = strsz, .sh_addralign = 1 };
	strcpy(names + name_at, ".shstrtab");

	/* .debug_info and .debug_loc dominate: inflate info on a second thread. */
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, inflate_thread, &parts[1]) == 0;

	rc = 0;
	for (size_t i = 0; i < NWANT; i++) {
		if (!present[i] || (i == 1 && threaded))
			continue;
		parts[i].rc = inflate_part(&parts[i]);
	}
	if (threaded)
		pthread_join(th, NULL);
	for (size_t i = 0; i < NWANT; i++)
		if (present[i] && parts[i].rc)
			rc = parts[i].rc;
	if (!rc) {
		img->elf = elf_memory((char *)buf, img->size);
		if (!img->elf)
			rc = -EIO;
	}
	if (rc)
		dwarf_image_free(img);
	return rc;
}

void dwarf_image_free(struct dwarf_image *img)
{
	if (img->elf)
		elf_end(img->elf);
	free(img->buf);
	memset(img, 0, sizeof(*img));
}
