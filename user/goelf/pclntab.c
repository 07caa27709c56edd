/* Decodes the Go pclntab (runtime.pclntab): header probe and the function table of Go 1.2 to 1.20+. */
#include <errno.h>
#include <stdlib.h>
#include "goelf/internal.h"

#define MAGIC_12  0xfffffffbu
#define MAGIC_116 0xfffffffau
#define MAGIC_118 0xfffffff0u
#define MAGIC_120 0xfffffff1u
/* No real module has this many functions; bounds allocations on hostile input. */
#define MAX_FUNCS (1u << 24)

int pclntab_probe(const uint8_t *buf, size_t n, struct pclntab_hdr *out)
{
	struct pclntab_hdr h = {0};
	if (!buf || n < 8 || buf[4] || buf[5])
		return -ENOEXEC;
	h.quantum = buf[6];
	h.ptrsize = buf[7];
	if ((h.quantum != 1 && h.quantum != 2 && h.quantum != 4) || (h.ptrsize != 4 && h.ptrsize != 8))
		return -ENOEXEC;
	uint32_t le = ge_u32(buf, false), be = ge_u32(buf, true), m;
	if (le == MAGIC_12 || le == MAGIC_116 || le == MAGIC_118 || le == MAGIC_120) {
		m = le;
	} else if (be == MAGIC_12 || be == MAGIC_116 || be == MAGIC_118 || be == MAGIC_120) {
		m = be;
		h.big_endian = true;
	} else {
		return -ENOEXEC;
	}
	h.magic = m;
	unsigned ps = h.ptrsize;
	/* words: 1.2 nfunc; 1.16 nfunc nfiles + 5 offsets; 1.18+ nfunc nfiles textStart + 5 offsets */
	unsigned words = m == MAGIC_12 ? 1 : m == MAGIC_116 ? 7 : 8;
	h.go_version = m == MAGIC_12 ? 102 : m == MAGIC_116 ? 116 : m == MAGIC_118 ? 118 : 120;
	h.hdr_size = 8 + (size_t)words * ps;
	if (n < h.hdr_size)
		return -ENOEXEC;
	const uint8_t *w = buf + 8;
	h.nfunc = ge_uptr(w, ps, h.big_endian);
	if (!h.nfunc || h.nfunc > MAX_FUNCS)
		return -ENOEXEC;
	if (m != MAGIC_12) {
		unsigned first = m == MAGIC_116 ? 2 : 3;
		uint64_t prev = h.hdr_size;
		if (m != MAGIC_116)
			h.text_start = ge_uptr(w + 2 * ps, ps, h.big_endian);
		/* funcname, cu, filetab, pctab, pcln tables follow the header in this order */
		for (unsigned i = first; i < words; i++) {
			uint64_t off = ge_uptr(w + i * ps, ps, h.big_endian);
			if (off < prev || off > UINT32_MAX)
				return -ENOEXEC;
			prev = off;
		}
	}
	if (out)
		*out = h;
	return 0;
}

/* A NUL-terminated name at off within buf[0..n); NULL when it runs off the end or is empty. */
static const char *name_at(const uint8_t *buf, size_t n, uint64_t off)
{
	if (off >= n || !buf[off] || !memchr(buf + off, 0, n - off))
		return NULL;
	return (const char *)buf + off;
}

int pclntab_funcs(const uint8_t *buf, size_t n, uint64_t text_start, struct gofunc **out, size_t *nout)
{
	struct pclntab_hdr h;
	int err = pclntab_probe(buf, n, &h);
	if (err)
		return err;
	unsigned ps = h.ptrsize;
	bool big = h.big_endian;
	const uint8_t *w = buf + 8;
	uint64_t functab, funcdata, names;
	size_t field;           /* bytes per functab field */
	if (h.magic == MAGIC_12) {
		functab = 8 + ps;
		funcdata = names = 0;
		field = ps;
	} else if (h.magic == MAGIC_116) {
		names = ge_uptr(w + 2 * ps, ps, big);
		functab = funcdata = ge_uptr(w + 6 * ps, ps, big);
		field = ps;
	} else {
		names = ge_uptr(w + 3 * ps, ps, big);
		functab = funcdata = ge_uptr(w + 7 * ps, ps, big);
		field = 4;
		if (!text_start)
			text_start = h.text_start;
	}
	/* nfunc pairs plus the end-PC sentinel */
	if (functab > n || (n - functab) / field < 2 * h.nfunc + 1)
		return -ENOEXEC;
	if (names > n || funcdata > n)
		return -ENOEXEC;
	struct gofunc *v = calloc(h.nfunc, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	const uint8_t *ft = buf + functab;
	for (uint64_t i = 0; i < h.nfunc; i++) {
		uint64_t pc = field == 4 ? ge_u32(ft + 2 * i * field, big) + text_start : ge_uptr(ft + 2 * i * field, ps, big);
		uint64_t next = field == 4 ? ge_u32(ft + (2 * i + 2) * field, big) + text_start
					   : ge_uptr(ft + (2 * i + 2) * field, ps, big);
		uint64_t foff = field == 4 ? ge_u32(ft + (2 * i + 1) * field, big) : ge_uptr(ft + (2 * i + 1) * field, ps, big);
		/* _func: entry (uintptr, or uint32 offset from 1.18), then int32 nameoff */
		size_t entsz = field == 4 ? 4 : ps;
		if (foff > n - funcdata || n - funcdata - foff < entsz + 4)
			continue;
		const uint8_t *fn = buf + funcdata + foff;
		int32_t nameoff = (int32_t)ge_u32(fn + entsz, big);
		if (nameoff < 0)
			continue;
		const char *name = name_at(buf, n, names + (uint64_t)nameoff);
		if (!name)
			continue;
		v[k].name = name;
		v[k].entry = pc;
		v[k].end = next > pc ? next : pc;
		k++;
	}
	if (!k) {
		free(v);
		return -ENOEXEC;
	}
	*out = v;
	*nout = k;
	return 0;
}
