/* Unit tests of goelf_open and friends on the fixtures, patched copies of them, and bad files. */
#include "unit.h"
#include <gelf.h>
#include "goelf_fixture.h"

#define F_ALL (GOELF_STRIPPED | GOELF_PIE | GOELF_CGO | GOELF_STATIC | GOELF_DWARF)

static void check_flags(const char *name, unsigned want)
{
	struct goelf *g = NULL;
	CHECK_INT(goelf_open(fixture(name), &g), 0);
	if (!g)
		return;
	CHECK(goelf_is_go(g));
	if ((goelf_flags(g) & F_ALL) != want)
		UNIT_FAIL("%s: flags %#x, want %#x", name, goelf_flags(g), want);
	goelf_close(g);
}

static void test_flags(void)
{
	check_flags("server", GOELF_CGO | GOELF_DWARF);
	check_flags("server-sw", GOELF_CGO | GOELF_STRIPPED);
	check_flags("server-strip", GOELF_CGO | GOELF_STRIPPED);
	check_flags("server-pie", GOELF_CGO | GOELF_DWARF | GOELF_PIE);
	check_flags("server-static", GOELF_STATIC | GOELF_DWARF);
}

static void test_version_all_variants(void)
{
	static const char *names[] = { "server", "server-sw", "server-strip", "server-pie", "server-static" };
	char *want = run_output("go env GOVERSION");
	CHECK(want != NULL);
	if (!want)
		return;
	want[strcspn(want, "\n")] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct goelf *g = NULL;
		CHECK_INT(goelf_open(fixture(names[i]), &g), 0);
		if (!g)
			continue;
		CHECK_STR(goelf_go_version(g), want);
		CHECK(goelf_buildinfo(g) != NULL);
		if (goelf_buildinfo(g))
			CHECK_STR(goelf_buildinfo(g)->main.path, "gotrace.test/fixtures");
		goelf_close(g);
	}
	free(want);
}

static void test_bad_files(void)
{
	struct goelf *g = NULL;
	static const char text[] = "#!/bin/sh\necho not an ELF\n";
	CHECK_INT(goelf_open("/nonexistent/goelf", &g), -ENOENT);
	CHECK_INT(goelf_open("/dev/null", &g), -ENOEXEC);
	CHECK_INT(open_bytes(text, sizeof(text) - 1, &g), -ENOEXEC);
	CHECK_INT(open_bytes("", 0, &g), -ENOEXEC);
	CHECK_INT(open_bytes("\x7f" "ELF", 4, &g), -ENOEXEC);
	CHECK_INT(goelf_open("/", &g), -ENOEXEC);
}

static void test_not_go(void)
{
	struct goelf *g = NULL;
	struct gofuncinfo fi;
	char self[64];
	/* this test binary itself: an ELF with .symtab but no Go in it */
	snprintf(self, sizeof(self), "/proc/%d/exe", (int)getpid());
	CHECK_INT(goelf_open(self, &g), 0);
	if (!g)
		return;
	CHECK(!goelf_is_go(g));
	CHECK(goelf_go_version(g) == NULL);
	CHECK(goelf_buildinfo(g) == NULL);
	CHECK(!(goelf_flags(g) & GOELF_STRIPPED));
	/* function lookups still work on its .symtab */
	CHECK_INT(goelf_func_by_name(g, "main", &fi), 0);
	CHECK_INT(fi.entry, nm_addr(self, "main"));
	goelf_close(g);
}

/* Code bytes at file_off are the bytes at the entry's virtual address. */
static void test_file_offsets(void)
{
	static const char *names[] = { "server", "server-pie", "server-sw" };
	for (size_t i = 0; i < 3; i++) {
		struct goelf *g = NULL;
		struct gofuncinfo fi;
		uint8_t a[32], b[32];
		CHECK_INT(goelf_open(fixture(names[i]), &g), 0);
		if (!g)
			continue;
		CHECK_INT(goelf_func_by_name(g, "main.computeE", &fi), 0);
		CHECK_INT(goelf_read_vaddr(g, fi.entry, a, sizeof(a)), 0);
		CHECK_INT(pread(goelf_fd(g), b, sizeof(b), (off_t)fi.file_off), (long)sizeof(b));
		CHECK(!memcmp(a, b, sizeof(a)));
		uint64_t off = 0;
		CHECK_INT(goelf_vaddr_to_offset(g, fi.entry, &off), 0);
		CHECK_INT(off, fi.file_off);
		CHECK_INT(goelf_vaddr_to_offset(g, 0x10, &off), -ENOENT);
		CHECK_INT(goelf_read_vaddr(g, 0x10, a, 1), -EFAULT);
		CHECK(goelf_elf(g) != NULL);
		goelf_close(g);
	}
}

/* What a packer or an aggressive strip leaves: no section header table at all. */
static void check_no_sections(const char *name)
{
	size_t n;
	uint8_t *img = slurp(fixture(name), &n);
	struct goelf *g = NULL, *ref = NULL;
	struct gofuncinfo fi, rfi;
	CHECK(img != NULL);
	if (!img)
		return;
	drop_section_headers(img);
	CHECK_INT(open_bytes(img, n, &g), 0);
	CHECK_INT(goelf_open(fixture(name), &ref), 0);
	if (g && ref) {
		CHECK(goelf_is_go(g));
		CHECK_STR(goelf_go_version(g), goelf_go_version(ref));
		CHECK(goelf_buildinfo(g) != NULL);
		if (goelf_buildinfo(g)) {
			CHECK_STR(goelf_buildinfo(g)->main.path, "gotrace.test/fixtures");
			CHECK_INT(goelf_buildinfo(g)->nsettings, goelf_buildinfo(ref)->nsettings);
		}
		CHECK(goelf_flags(g) & GOELF_STRIPPED);
		CHECK_INT(goelf_func_by_name(g, "main.computeE", &fi), 0);
		CHECK_INT(goelf_func_by_name(ref, "main.computeE", &rfi), 0);
		CHECK_INT(fi.entry, rfi.entry);
		CHECK_INT(fi.file_off, rfi.file_off);
		CHECK_INT(goelf_func_by_addr(g, rfi.entry + 4, &fi), 0);
		CHECK_STR(fi.name, "main.computeE");
	}
	goelf_close(g);
	goelf_close(ref);
	free(img);
}

static void test_no_section_headers(void)
{
	check_no_sections("server");
	check_no_sections("server-sw");
	check_no_sections("server-pie");  /* blob is in the second writable segment */
	check_no_sections("server-static");
}

/* Overwrites every occurrence of the 16-aligned buildinfo magic (so the scan cannot find it either). */
static void kill_buildinfo(uint8_t *img, size_t n)
{
	long o;
	size_t pos = 0;
	while (pos < n && (o = buildinfo_find(img + pos, n - pos)) >= 0) {
		img[pos + (size_t)o + 1] = 'X';
		pos += (size_t)o + 16;
	}
}

static void test_version_fallbacks(void)
{
	size_t n;
	struct goelf *g = NULL;
	uint8_t *img = slurp(fixture("server"), &n);
	char *want = run_output("go env GOVERSION");
	CHECK(img && want);
	if (!img || !want)
		goto out;
	want[strcspn(want, "\n")] = 0;
	/* no blob: runtime.buildVersion from .symtab */
	kill_buildinfo(img, n);
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (g) {
		CHECK(goelf_is_go(g));
		CHECK_STR(goelf_go_version(g), want);
		CHECK(goelf_buildinfo(g) == NULL);
		/* no CGO_ENABLED setting to read: libc.so.6 in DT_NEEDED says cgo */
		CHECK(goelf_flags(g) & GOELF_CGO);
		goelf_close(g);
		g = NULL;
	}
	free(img);
	img = slurp(fixture("server-static"), &n);
	if (!img)
		goto out;
	kill_buildinfo(img, n);
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (g) {
		CHECK_STR(goelf_go_version(g), want);
		CHECK(!(goelf_flags(g) & GOELF_CGO));
		CHECK(goelf_flags(g) & GOELF_STATIC);
		goelf_close(g);
		g = NULL;
	}
	free(img);
	/* no blob, no symbols: the pclntab says Go, version unknown */
	img = slurp(fixture("server-sw"), &n);
	if (!img)
		goto out;
	kill_buildinfo(img, n);
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (g) {
		CHECK(goelf_is_go(g));
		CHECK_STR(goelf_go_version(g), "unknown");
		CHECK(goelf_buildinfo(g) == NULL);
		goelf_close(g);
		g = NULL;
	}
	/* same without section headers: pclntab found by scanning the read-only segment */
	drop_section_headers(img);
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (g) {
		struct gofuncinfo fi;
		CHECK(goelf_is_go(g));
		CHECK_STR(goelf_go_version(g), "unknown");
		CHECK_INT(goelf_func_by_name(g, "main.computeE", &fi), 0);
		CHECK_INT(fi.entry, nm_addr(fixture("server"), "main.computeE"));
		goelf_close(g);
		g = NULL;
	}
out:
	free(img);
	free(want);
}

/* Cut copies of the fixture: an error, or a clean partial answer; never a crash. */
static void test_truncated_copies(void)
{
	size_t n;
	uint8_t *img = slurp(fixture("server"), &n);
	CHECK(img != NULL);
	if (!img)
		return;
	size_t cuts[] = { 1, 16, 63, 64, 100, 0x270, 4096, 0x217000, 0x2f40e0 + 100, 0x419000 + 20, n / 2, n - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct goelf *g = NULL;
		struct gofuncinfo fi;
		if (cuts[i] >= n)
			continue;
		int err = open_bytes(img, cuts[i], &g);
		if (err) {
			CHECK_INT(err, -ENOEXEC);
			continue;
		}
		(void)goelf_go_version(g);
		(void)goelf_func_by_name(g, "main.computeE", &fi);
		(void)goelf_func_by_addr(g, 0x401000, &fi);
		goelf_close(g);
	}
	free(img);
}

/* Header fields pointing outside the file. */
static void test_lying_headers(void)
{
	size_t n;
	uint8_t *img = slurp(fixture("server"), &n);
	struct goelf *g = NULL;
	CHECK(img != NULL);
	if (!img)
		return;
	uint8_t save[64];
	memcpy(save, img, 64);
	memset(img + 0x20, 0xff, 8);          /* e_phoff */
	CHECK_INT(open_bytes(img, n, &g), -ENOEXEC);
	memcpy(img, save, 64);
	memset(img + 0x28, 0x7f, 8);          /* e_shoff: libelf drops the sections, we scan */
	if (!open_bytes(img, n, &g)) {
		CHECK(goelf_is_go(g));
		goelf_close(g);
	}
	memcpy(img, save, 64);
	img[0x3e] = 0xfe;                     /* e_shstrndx out of range */
	if (!open_bytes(img, n, &g)) {
		CHECK(goelf_is_go(g));
		goelf_close(g);
	}
	memcpy(img, save, 64);
	free(img);
}

static int count_cb(const struct gofuncinfo *fi, void *ctx)
{
	size_t *c = ctx;
	if (!fi->name || fi->end < fi->entry)
		return -1;
	(*c)++;
	return 0;
}

static int stop_cb(const struct gofuncinfo *fi, void *ctx)
{
	(void)ctx;
	return strcmp(fi->name, "main.computeE") ? 0 : 42;
}

static void test_foreach(void)
{
	struct goelf *g = NULL;
	size_t c = 0;
	CHECK_INT(goelf_open(fixture("server-sw"), &g), 0);
	if (!g)
		return;
	struct pclntab_hdr h;
	CHECK_INT(goelf_funcs_foreach(g, count_cb, &c), 0);
	CHECK_INT(goelf_pclntab_hdr(g, &h), 0);
	CHECK_INT(c, h.nfunc);
	CHECK_INT(goelf_funcs_foreach(g, stop_cb, NULL), 42);
	goelf_close(g);
}

/* Assembly functions are "x.abi0" in .symtab; the runtime name still resolves. */
static void test_abi0_names(void)
{
	struct goelf *g = NULL;
	struct gofuncinfo fi;
	CHECK_INT(goelf_open(fixture("server"), &g), 0);
	if (!g)
		return;
	CHECK_INT(goelf_func_by_name(g, "internal/cpu.cpuid", &fi), 0);
	CHECK_INT(fi.entry, nm_addr(fixture("server"), "internal/cpu.cpuid.abi0"));
	CHECK_INT(goelf_func_by_name(g, "internal/cpu.cpuid.abi0", &fi), 0);
	goelf_close(g);
}

/* A minimal ELF64 x86-64 executable: header, nph program headers, no sections, n bytes in all. */
static void mini_elf(uint8_t *img, size_t n, const Elf64_Phdr *ph, unsigned nph)
{
	Elf64_Ehdr eh = {0};
	memset(img, 0, n);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), ph, nph * sizeof(*ph));
}

/* fuzz_goelf crash 1: a PT_LOAD whose offset is past the end of the file made the
 * section-less pclntab scan form an out-of-range pointer (UBSan). */
static void test_regress_segment_past_eof(void)
{
	uint8_t img[512];
	struct goelf *g = NULL;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x7fff00000000ull, .p_vaddr = 0x400000, .p_filesz = 0x100, .p_memsz = 0x100 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0xfffff8010102464cull, .p_vaddr = 0x500000, .p_filesz = 0x2000, .p_memsz = 0x2000 },
	};
	mini_elf(img, sizeof(img), ph, 2);
	CHECK_INT(open_bytes(img, sizeof(img), &g), 0);
	if (g) {
		struct gofuncinfo fi;
		uint8_t b;
		CHECK(!goelf_is_go(g));
		CHECK_INT(goelf_func_by_addr(g, 0x400010, &fi), -ENOENT);
		CHECK_INT(goelf_read_vaddr(g, 0x400010, &b, 1), -EFAULT);
		goelf_close(g);
	}
}

/* A section-less file whose data segment is nothing but buildinfo blobs (pointer format:
 * empty version, 1 MB module string) and whose read-only segment is nothing but pclntab
 * headers: the scans give up after a few candidates instead of ~10^4 big decodes each. */
static void test_scan_budget(void)
{
	const size_t seg = 1 << 20, n = 4096 + 2 * seg;
	const uint64_t rw = 0x500000, ro = 0x700000;
	uint8_t *img = malloc(n), *ros = img ? img + 4096 + seg : NULL;
	struct goelf *g = NULL;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 4096, .p_vaddr = rw, .p_filesz = seg, .p_memsz = seg },
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 4096 + seg, .p_vaddr = ro, .p_filesz = seg, .p_memsz = seg },
	};
	CHECK(img != NULL);
	if (!img)
		return;
	mini_elf(img, n, ph, 2);
	uint64_t strs[4] = { ro + 0x100, 0, rw, seg - 64 };  /* {data, len} of version, module info */
	memcpy(ros, strs, sizeof(strs));
	for (size_t off = 0; off + 32 <= seg; off += 32) {
		uint64_t ptrs[2] = { ro, ro + 16 };
		memcpy(img + 4096 + off, "\xff Go buildinf:\x08\x00", 16);
		memcpy(img + 4096 + off + 16, ptrs, 16);
	}
	for (size_t off = 64; off + 72 <= seg; off += 72) {
		static const uint8_t h118[8] = { 0xf0, 0xff, 0xff, 0xff, 0, 0, 1, 8 };
		uint64_t w[8] = { (seg - off - 80) / 8, 0, 0x400000, 72, 72, 72, 72, 72 };
		memcpy(ros + off, h118, 8);
		memcpy(ros + off + 8, w, 64);
	}
	CHECK_INT(open_bytes(img, n, &g), 0);
	if (g) {
		CHECK(!goelf_is_go(g));
		goelf_close(g);
	}
	free(img);
}

/* A Go 1.13-1.17 style file: pointer-format blob in the data segment, string headers in
 * the same segment, string bytes in the read-only one; found by the section-less scan. */
static void test_pointer_format_file(void)
{
	static const char vers[] = "go1.16.15";
	static const char mod[] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"
				  "path\tex.com/old\nmod\tex.com/old\tv1.0.0\th1:y=\n"
				  "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";
	const uint64_t rw = 0x600000, ro = 0x500000;
	uint8_t img[0x3000];
	struct goelf *g = NULL;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x1000, .p_vaddr = ro, .p_filesz = 0x1000, .p_memsz = 0x1000 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2000, .p_vaddr = rw, .p_filesz = 0x1000, .p_memsz = 0x2000 },
	};
	mini_elf(img, sizeof(img), ph, 2);
	uint8_t *d = img + 0x2000;
	uint64_t ptrs[2] = { rw + 0x40, rw + 0x50 };
	uint64_t strs[4] = { ro, sizeof(vers) - 1, ro + 0x100, sizeof(mod) - 1 };
	memcpy(d + 0x20, "\xff Go buildinf:\x08\x00", 16);  /* after 32 bytes of other data */
	memcpy(d + 0x30, ptrs, 16);
	memcpy(d + 0x40, strs, 32);
	memcpy(img + 0x1000, vers, sizeof(vers) - 1);
	memcpy(img + 0x1100, mod, sizeof(mod) - 1);
	CHECK_INT(open_bytes(img, sizeof(img), &g), 0);
	if (!g)
		return;
	CHECK(goelf_is_go(g));
	CHECK_STR(goelf_go_version(g), "go1.16.15");
	const struct gobuildinfo *bi = goelf_buildinfo(g);
	CHECK(bi != NULL);
	if (bi) {
		CHECK_STR(bi->path, "ex.com/old");
		CHECK_STR(bi->main.path, "ex.com/old");
		CHECK_STR(bi->main.version, "v1.0.0");
		CHECK_STR(bi->main.sum, "h1:y=");
	}
	CHECK(goelf_flags(g) & GOELF_STATIC);
	CHECK(!(goelf_flags(g) & GOELF_CGO));
	goelf_close(g);
	/* module info said to be in .bss (past filesz): not in the file, so the blob is rejected */
	strs[2] = rw + 0x1800;
	memcpy(d + 0x40, strs, 32);
	CHECK_INT(open_bytes(img, sizeof(img), &g), 0);
	if (g) {
		CHECK(!goelf_is_go(g));
		goelf_close(g);
	}
}

/* g's TLS offset: -8 for Go's own linker and cgo's (an 8-byte PT_TLS); a bigger block
 * puts it lower, by the block's size rounded up to its alignment. */
static void test_tls_g_offset(void)
{
	static const char *const names[] = { "server", "cgo", "argsfix-pie", "server-sw" };
	Elf64_Phdr ph = { .p_type = PT_TLS, .p_flags = PF_R, .p_memsz = 0x18, .p_align = 0x10 };
	uint8_t img[512];
	struct goelf *g = NULL;
	int64_t off = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_INT(goelf_open(fixture(names[i]), &g), 0);
		if (!g)
			continue;
		CHECK_INT(goelf_tls_g_offset(g, &off), 0);
		CHECK_INT(off, -8);
		goelf_close(g);
	}
	mini_elf(img, sizeof(img), &ph, 1);
	CHECK_INT(open_bytes(img, sizeof(img), &g), 0);
	if (g) {
		CHECK_INT(goelf_tls_g_offset(g, &off), 0);
		CHECK_INT(off, -32);
		goelf_close(g);
	}
}

int main(void)
{
	RUN(test_flags);
	RUN(test_version_all_variants);
	RUN(test_bad_files);
	RUN(test_not_go);
	RUN(test_file_offsets);
	RUN(test_no_section_headers);
	RUN(test_version_fallbacks);
	RUN(test_truncated_copies);
	RUN(test_lying_headers);
	RUN(test_foreach);
	RUN(test_abi0_names);
	RUN(test_regress_segment_past_eof);
	RUN(test_scan_budget);
	RUN(test_pointer_format_file);
	RUN(test_tls_g_offset);
	return UNIT_DONE();
}
