/* Unit tests of the pclntab reader: header probe, hand-built tables of every layout, and the real fixtures. */
#include "unit.h"
#include "goelf_fixture.h"
#include "goelf/internal.h"

static void w32(uint8_t *p, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void hdr(uint8_t *t, uint32_t magic, uint8_t ps, bool big)
{
	w32(t, magic, big);
	t[4] = t[5] = 0;
	t[6] = 1;
	t[7] = ps;
}

/* Go 1.18+ layout, two functions main.a [0x401010,0x401040) and main.b [0x401040,0x401080). */
static size_t table118(uint8_t *t, uint32_t magic)
{
	memset(t, 0, 128);
	hdr(t, magic, 8, false);
	w64(t + 8, 2);           /* nfunc */
	w64(t + 16, 0);          /* nfiles */
	w64(t + 24, 0x401000);   /* textStart */
	w64(t + 32, 72);         /* funcnametab */
	w64(t + 40, 88);         /* cutab */
	w64(t + 48, 88);         /* filetab */
	w64(t + 56, 88);         /* pctab */
	w64(t + 64, 88);         /* pclntab (functab) */
	memcpy(t + 72, "main.a\0main.b\0", 14);
	uint32_t ft[5] = { 0x10, 24, 0x40, 32, 0x80 };
	for (int i = 0; i < 5; i++)
		w32(t + 88 + 4 * i, ft[i], false);
	w32(t + 112, 0x10, false);  /* _func: entryoff, nameoff */
	w32(t + 116, 0, false);
	w32(t + 120, 0x40, false);
	w32(t + 124, 7, false);
	return 128;
}

/* Go 1.16 layout: pointer-sized functab entries, offsets relative to the functab. */
static size_t table116(uint8_t *t)
{
	memset(t, 0, 160);
	hdr(t, 0xfffffffa, 8, false);
	w64(t + 8, 2);
	w64(t + 16, 0);
	w64(t + 24, 64);   /* funcnametab */
	w64(t + 32, 80);
	w64(t + 40, 80);
	w64(t + 48, 80);
	w64(t + 56, 80);   /* pclntab */
	memcpy(t + 64, "main.a\0main.b\0", 14);
	uint64_t ft[5] = { 0x401010, 48, 0x401040, 64, 0x401080 };
	for (int i = 0; i < 5; i++)
		w64(t + 80 + 8 * i, ft[i]);
	w64(t + 128, 0x401010);
	w32(t + 136, 0, false);
	w64(t + 144, 0x401040);
	w32(t + 152, 7, false);
	return 160;
}

/* Go 1.2 layout, 32-bit big-endian: offsets relative to the table start. */
static size_t table12(uint8_t *t)
{
	memset(t, 0, 80);
	hdr(t, 0xfffffffb, 4, true);
	w32(t + 8, 2, true);
	uint32_t ft[5] = { 0x1010, 40, 0x1040, 48, 0x1080 };
	for (int i = 0; i < 5; i++)
		w32(t + 12 + 4 * i, ft[i], true);
	w32(t + 32, 60, true);    /* filetab offset (unused) */
	w32(t + 40, 0x1010, true);
	w32(t + 44, 64, true);
	w32(t + 48, 0x1040, true);
	w32(t + 52, 71, true);
	memcpy(t + 64, "main.a\0main.b\0", 14);
	return 80;
}

static void check_two(const uint8_t *t, size_t n, uint64_t base)
{
	struct gofunc *v = NULL;
	size_t k = 0;
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), 0);
	CHECK_INT(k, 2);
	if (k == 2) {
		CHECK_STR(v[0].name, "main.a");
		CHECK_INT(v[0].entry, base + 0x10);
		CHECK_INT(v[0].end, base + 0x40);
		CHECK_STR(v[1].name, "main.b");
		CHECK_INT(v[1].entry, base + 0x40);
		CHECK_INT(v[1].end, base + 0x80);
	}
	free(v);
}

static void test_layouts(void)
{
	uint8_t t[160];
	struct pclntab_hdr h;
	size_t n = table118(t, 0xfffffff0);
	CHECK_INT(pclntab_probe(t, n, &h), 0);
	CHECK_INT(h.magic, 0xfffffff0);
	CHECK_INT(h.go_version, 118);
	CHECK_INT(h.ptrsize, 8);
	CHECK_INT(h.quantum, 1);
	CHECK_INT(h.nfunc, 2);
	CHECK_INT(h.text_start, 0x401000);
	CHECK_INT(h.hdr_size, 72);
	CHECK(!h.big_endian);
	check_two(t, n, 0x401000);
	/* an unrelocated textStart is overridden by the caller's .text address */
	struct gofunc *v = NULL;
	size_t k = 0;
	CHECK_INT(pclntab_funcs(t, n, 0x555000, &v, &k), 0);
	CHECK_INT(k ? v[0].entry : 0, 0x555010);
	free(v);

	n = table118(t, 0xfffffff1);
	CHECK_INT(pclntab_probe(t, n, &h), 0);
	CHECK_INT(h.go_version, 120);
	check_two(t, n, 0x401000);

	n = table116(t);
	CHECK_INT(pclntab_probe(t, n, &h), 0);
	CHECK_INT(h.go_version, 116);
	CHECK_INT(h.text_start, 0);
	CHECK_INT(h.hdr_size, 64);
	check_two(t, n, 0x401000);

	n = table12(t);
	CHECK_INT(pclntab_probe(t, n, &h), 0);
	CHECK_INT(h.go_version, 102);
	CHECK_INT(h.ptrsize, 4);
	CHECK(h.big_endian);
	CHECK_INT(h.hdr_size, 12);
	check_two(t, n, 0x1000);
}

static void test_probe_rejects(void)
{
	uint8_t t[160];
	size_t n = table118(t, 0xfffffff0);
	struct pclntab_hdr h;
	CHECK_INT(pclntab_probe(t, 71, &h), -ENOEXEC);   /* header cut */
	CHECK_INT(pclntab_probe(t, 0, &h), -ENOEXEC);
	CHECK_INT(pclntab_probe(NULL, 100, &h), -ENOEXEC);
	t[4] = 1;                                         /* padding */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	t[4] = 0;
	t[6] = 3;                                         /* quantum */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	t[6] = 1;
	t[7] = 2;                                         /* pointer size */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	t[7] = 8;
	w32(t, 0xfffffff2, false);                        /* unknown magic */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	w32(t, 0xfffffff0, false);
	w64(t + 40, 10);                                  /* cutab before funcnametab */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	w64(t + 40, 88);
	w64(t + 8, 0);                                    /* no functions */
	CHECK_INT(pclntab_probe(t, n, &h), -ENOEXEC);
	w64(t + 8, 2);
	CHECK_INT(pclntab_probe(t, n, NULL), 0);
}

/* Every prefix, in an exactly sized buffer: an error or a subset, never a read past the end. */
static void all_prefixes(const uint8_t *t, size_t n)
{
	for (size_t len = 0; len <= n; len++) {
		uint8_t *p = malloc(len ? len : 1);
		struct gofunc *v = NULL;
		size_t k = 0;
		memcpy(p, t, len);
		int err = pclntab_funcs(p, len, 0, &v, &k);
		if (len == n)
			CHECK_INT(err, 0);
		if (!err && k > 2)
			UNIT_FAIL("prefix %zu gave %zu functions", len, k);
		free(v);
		free(p);
	}
}

static void test_truncated(void)
{
	uint8_t t[160];
	all_prefixes(t, table118(t, 0xfffffff0));
	all_prefixes(t, table116(t));
	all_prefixes(t, table12(t));
}

static void test_lying_tables(void)
{
	uint8_t t[160];
	struct gofunc *v = NULL;
	size_t k = 0, n = table118(t, 0xfffffff0);
	w32(t + 124, 1000, false);          /* main.b's name outside the table: skipped */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), 0);
	CHECK_INT(k, 1);
	free(v);
	w32(t + 124, 13, false);            /* the empty string at the NUL: skipped */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), 0);
	CHECK_INT(k, 1);
	free(v);
	w32(t + 124, 0x80000000u, false);   /* negative name offset */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), 0);
	CHECK_INT(k, 1);
	free(v);
	n = table118(t, 0xfffffff0);
	w32(t + 92, 0xfffffff0u, false);    /* main.a's _func far away */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), 0);
	CHECK_INT(k, 1);
	free(v);
	n = table118(t, 0xfffffff0);
	w64(t + 8, 1u << 20);               /* more functions than the table holds */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), -ENOEXEC);
	n = table118(t, 0xfffffff0);
	w64(t + 64, 1u << 30);              /* functab past the end */
	CHECK_INT(pclntab_funcs(t, n, 0, &v, &k), -ENOEXEC);
}

/* On the real binary, both function sources must agree on every function both have. */
static void test_symtab_agrees_with_pclntab(void)
{
	struct goelf *g = NULL;
	struct functab *pt;
	CHECK_INT(goelf_open(fixture("server"), &g), 0);
	if (!g)
		return;
	CHECK_INT(goelf_pclntab_funcs(g, &pt), 0);
	size_t checked = 0, mains = 0, bad = 0;
	for (size_t i = 0; pt && i < pt->n && bad < 5; i++) {
		struct gofuncinfo fi;
		const struct gofunc *f = &pt->v[i];
		/* .symtab has every pclntab function at the same entry (names of asm
		 * functions differ: "x.abi0"), and ends no later than the next one */
		if (goelf_func_by_addr(g, f->entry, &fi) || fi.entry != f->entry || fi.end > f->end) {
			UNIT_FAIL("%s: pclntab %#" PRIx64 "-%#" PRIx64 " not matched in .symtab", f->name, f->entry, f->end);
			bad++;
		}
		if (!strncmp(f->name, "main.", 5)) {
			CHECK_INT(goelf_func_by_name(g, f->name, &fi), 0);
			CHECK_STR(fi.name, f->name);
			CHECK_INT(fi.entry, f->entry);
			CHECK_INT(f->entry, nm_addr(fixture("server"), f->name));
			mains++;
		}
		checked++;
	}
	CHECK(checked > 1000);
	CHECK(mains >= 4);
	goelf_close(g);
}

/* Address lookups land on the function containing the address, at both ends. */
static void test_by_addr_every_function(void)
{
	struct goelf *g = NULL;
	struct functab *pt;
	size_t bad = 0;
	CHECK_INT(goelf_open(fixture("server-sw"), &g), 0);
	if (!g)
		return;
	CHECK_INT(goelf_pclntab_funcs(g, &pt), 0);
	for (size_t i = 0; pt && i < pt->n && bad < 5; i++) {
		const struct gofunc *f = &pt->v[i];
		struct gofuncinfo a, b;
		if (f->end == f->entry)
			continue;
		if (goelf_func_by_addr(g, f->entry, &a) || goelf_func_by_addr(g, f->end - 1, &b) ||
		    a.entry != f->entry || b.entry != f->entry) {
			UNIT_FAIL("by_addr misses %s", f->name);
			bad++;
		}
	}
	goelf_close(g);
}

static void check_computeE(const char *variant, const char *nm_of)
{
	struct goelf *g = NULL;
	struct gofuncinfo fi, at;
	uint64_t want = nm_addr(fixture(nm_of), "main.computeE");
	CHECK(want != 0);
	CHECK_INT(goelf_open(fixture(variant), &g), 0);
	if (!g)
		return;
	CHECK_INT(goelf_func_by_name(g, "main.computeE", &fi), 0);
	CHECK_STR(fi.name, "main.computeE");
	CHECK_INT(fi.entry, want);
	CHECK(fi.end > fi.entry);
	CHECK_INT(goelf_func_by_addr(g, fi.entry + 1, &at), 0);
	CHECK_STR(at.name, "main.computeE");
	CHECK_INT(at.entry, want);
	CHECK_INT(goelf_func_by_addr(g, fi.end - 1, &at), 0);
	CHECK_STR(at.name, "main.computeE");
	if (!goelf_func_by_addr(g, fi.entry - 1, &at))
		CHECK(strcmp(at.name, "main.computeE") != 0);
	CHECK_INT(goelf_func_by_name(g, "main.noSuchFunction", &fi), -ENOENT);
	CHECK_INT(goelf_func_by_name(g, "", &fi), -ENOENT);
	goelf_close(g);
}

static void test_computeE_symtab(void)
{
	check_computeE("server", "server");
	check_computeE("server-pie", "server-pie");
	check_computeE("server-static", "server-static");
}

static void test_computeE_stripped(void)
{
	/* strip(1) and -s -w keep the code where it was: same entry via the pclntab */
	check_computeE("server-strip", "server");
	check_computeE("server-sw", "server");
}

static void test_fixture_header(void)
{
	struct goelf *g = NULL;
	struct pclntab_hdr h;
	CHECK_INT(goelf_open(fixture("server"), &g), 0);
	if (!g)
		return;
	CHECK_INT(goelf_pclntab_hdr(g, &h), 0);
	CHECK_INT(h.magic, 0xfffffff0);  /* Go 1.18-1.19 layout, what Debian's go1.19 writes */
	CHECK_INT(h.ptrsize, 8);
	CHECK_INT(h.quantum, 1);
	CHECK_INT(h.text_start, nm_addr(fixture("server"), "runtime.text"));
	struct functab *pt;
	CHECK_INT(goelf_pclntab_funcs(g, &pt), 0);
	CHECK_INT(pt ? pt->n : 0, h.nfunc);
	goelf_close(g);
}

/* A copy of the fixture whose pclntab textStart word is 0, as a PIE linked without applying
 * dynamic relocations (lld does that) has it, optionally without section headers too. */
static void check_unrelocated_text_start(const char *name, bool drop_sections)
{
	struct goelf *ref = NULL, *g = NULL;
	struct gofuncinfo want, got;
	size_t n;
	uint8_t *img = slurp(fixture(name), &n);
	struct functab *pt;
	CHECK(img != NULL);
	CHECK_INT(goelf_open(fixture(name), &ref), 0);
	if (!img || !ref)
		goto out;
	CHECK_INT(goelf_func_by_name(ref, "main.computeE", &want), 0);
	CHECK_INT(goelf_pclntab_funcs(ref, &pt), 0);
	CHECK(ref->pclntab.found);
	uint64_t word = ref->pclntab.off + 8 + 2 * 8;
	CHECK(word + 8 <= n);
	memset(img + word, 0, 8);
	if (drop_sections)
		drop_section_headers(img);
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (!g)
		goto out;
	CHECK_INT(goelf_pclntab_funcs(g, &pt), 0);
	const struct gofunc *f = pt ? functab_by_name(pt, "main.computeE") : NULL;
	CHECK(f != NULL);
	CHECK_INT(f ? f->entry : 0, want.entry);
	CHECK_INT(goelf_func_by_name(g, "main.computeE", &got), 0);
	CHECK_INT(got.entry, want.entry);
	CHECK_INT(got.file_off, want.file_off);
out:
	goelf_close(g);
	goelf_close(ref);
	free(img);
}

static void test_unrelocated_text_start(void)
{
	check_unrelocated_text_start("server-pie", true);   /* the word's R_X86_64_RELATIVE addend */
	check_unrelocated_text_start("server-pie", false);  /* the runtime.text symbol */
	check_unrelocated_text_start("server-sw", false);   /* the .text section */
}

int main(void)
{
	RUN(test_layouts);
	RUN(test_probe_rejects);
	RUN(test_truncated);
	RUN(test_lying_tables);
	RUN(test_symtab_agrees_with_pclntab);
	RUN(test_by_addr_every_function);
	RUN(test_computeE_symtab);
	RUN(test_computeE_stripped);
	RUN(test_fixture_header);
	RUN(test_unrelocated_text_start);
	return UNIT_DONE();
}
