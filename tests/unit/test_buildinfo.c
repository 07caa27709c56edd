/* Unit tests of the .go.buildinfo parser: both blob formats, module info lines, hostile blobs, the fixture. */
#include "unit.h"
#include "goelf_fixture.h"

/* cmd/go's modinfo sentinels (the end one holds a NUL, which must not cut the text). */
static const char START[16] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char END[16] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

static const char MODTEXT[] =
	"path\texample.com/cmd/app\n"
	"mod\texample.com\t(devel)\t\n"
	"dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
	"dep\texample.com/dep\tv1.2.3\n"
	"=>\t../dep\t(devel)\t\n"
	"\n"
	"build\t-compiler=gc\n"
	"build\t-ldflags=\"-s -w\"\n"
	"build\t\"we=ird\"=x\n"
	"build\tCGO_ENABLED=1\n";

struct blob {
	uint8_t b[4096];
	size_t n;
};

static void put(struct blob *bl, const void *p, size_t n)
{
	memcpy(bl->b + bl->n, p, n);
	bl->n += n;
}

static void put_varint(struct blob *bl, uint64_t v)
{
	while (v >= 0x80) {
		bl->b[bl->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	bl->b[bl->n++] = (uint8_t)v;
}

/* The framed module info: sentinel, text, sentinel. */
static size_t framed(char *out, const char *text)
{
	size_t t = strlen(text);
	memcpy(out, START, 16);
	memcpy(out + 16, text, t);
	memcpy(out + 16 + t, END, 16);
	return t + 32;
}

/* A Go 1.18+ blob: 32-byte header, then varint-prefixed version and module info. */
static void inline_blob(struct blob *bl, const char *vers, const char *text)
{
	char mod[2048];
	size_t ml = framed(mod, text);
	memset(bl, 0, sizeof(*bl));
	put(bl, "\xff Go buildinf:", 14);
	bl->b[bl->n++] = 8;
	bl->b[bl->n++] = 2;
	bl->n = 32;
	put_varint(bl, strlen(vers));
	put(bl, vers, strlen(vers));
	put_varint(bl, ml);
	put(bl, mod, ml);
}

/* Parses a copy of exactly n bytes, so any read past the end is an ASan error. */
static int parse_exact(const uint8_t *src, size_t n, const struct mem_reader *mem, struct gobuildinfo *bi)
{
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, src, n);
	int err = buildinfo_parse(p, n, mem, bi);
	free(p);
	return err;
}

static void check_modtext(const struct gobuildinfo *bi)
{
	CHECK_STR(bi->path, "example.com/cmd/app");
	CHECK_STR(bi->main.path, "example.com");
	CHECK_STR(bi->main.version, "(devel)");
	CHECK_STR(bi->main.sum, "");
	CHECK(bi->main.replace == NULL);
	CHECK_INT(bi->ndeps, 2);
	if (bi->ndeps == 2) {
		CHECK_STR(bi->deps[0].path, "golang.org/x/sys");
		CHECK_STR(bi->deps[0].version, "v0.1.0");
		CHECK_STR(bi->deps[0].sum, "h1:abc=");
		CHECK(bi->deps[0].replace == NULL);
		CHECK_STR(bi->deps[1].path, "example.com/dep");
		CHECK_STR(bi->deps[1].version, "v1.2.3");
		CHECK_STR(bi->deps[1].sum, "");
		CHECK(bi->deps[1].replace != NULL);
		if (bi->deps[1].replace) {
			CHECK_STR(bi->deps[1].replace->path, "../dep");
			CHECK_STR(bi->deps[1].replace->version, "(devel)");
			CHECK_STR(bi->deps[1].replace->sum, "");
		}
	}
	CHECK_INT(bi->nsettings, 4);
	if (bi->nsettings == 4) {
		CHECK_STR(bi->settings[0].key, "-compiler");
		CHECK_STR(bi->settings[0].value, "gc");
		CHECK_STR(bi->settings[1].key, "-ldflags");
		CHECK_STR(bi->settings[1].value, "-s -w");
		CHECK_STR(bi->settings[2].key, "we=ird");
		CHECK_STR(bi->settings[2].value, "x");
		CHECK_STR(bi->settings[3].key, "CGO_ENABLED");
		CHECK_STR(bi->settings[3].value, "1");
	}
}

static void test_inline_format(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	char *text = NULL;
	inline_blob(&bl, "go1.19.8", MODTEXT);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	CHECK_STR(bi.go_version, "go1.19.8");
	check_modtext(&bi);
	/* formatting gives back exactly the text the go command wrote (its String()) */
	CHECK_INT(buildinfo_format(&bi, &text), 0);
	CHECK_STR(text, MODTEXT);
	free(text);
	buildinfo_free(&bi);
}

/* A fake process image: bytes of buf live at addresses base..base+n. */
struct fakemem {
	uint64_t base;
	const uint8_t *buf;
	size_t n;
};

static int fake_read(void *ctx, uint64_t addr, void *out, size_t n)
{
	const struct fakemem *m = ctx;
	if (addr < m->base || addr - m->base > m->n || n > m->n - (addr - m->base))
		return -EFAULT;
	memcpy(out, m->buf + (addr - m->base), n);
	return 0;
}

static void put_ptr(uint8_t *p, uint64_t v, unsigned ps, bool big)
{
	for (unsigned i = 0; i < ps; i++)
		p[big ? ps - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* A pre-1.18 image at 0x10000: blob at +0, string headers at +0x100/+0x110, bytes at +0x200/+0x300. */
static size_t pointer_image(uint8_t *img, unsigned ps, bool big, const char *vers, const char *text)
{
	const uint64_t base = 0x10000;
	char mod[2048];
	size_t ml = framed(mod, text), vl = strlen(vers);
	memset(img, 0, 0x300 + ml);
	memcpy(img, "\xff Go buildinf:", 14);
	img[14] = (uint8_t)ps;
	img[15] = big ? 1 : 0;
	put_ptr(img + 16, base + 0x100, ps, big);
	put_ptr(img + 16 + ps, base + 0x110, ps, big);
	put_ptr(img + 0x100, base + 0x200, ps, big);
	put_ptr(img + 0x100 + ps, vl, ps, big);
	put_ptr(img + 0x110, base + 0x300, ps, big);
	put_ptr(img + 0x110 + ps, ml, ps, big);
	memcpy(img + 0x200, vers, vl);
	memcpy(img + 0x300, mod, ml);
	return 0x300 + ml;
}

static void test_pointer_format(void)
{
	static const struct { unsigned ps; bool big; } cases[] = { { 8, false }, { 4, false }, { 8, true }, { 4, true } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t img[4096];
		size_t n = pointer_image(img, cases[i].ps, cases[i].big, "go1.16.15", MODTEXT);
		struct fakemem fm = { 0x10000, img, n };
		struct mem_reader mem = { fake_read, &fm };
		struct gobuildinfo bi;
		CHECK_INT(parse_exact(img, 32, &mem, &bi), 0);
		CHECK_STR(bi.go_version, "go1.16.15");
		check_modtext(&bi);
		buildinfo_free(&bi);
		/* without a reader the pointers cannot be followed */
		CHECK_INT(buildinfo_parse(img, 32, NULL, &bi), -EINVAL);
	}
}

static void test_pointer_format_lies(void)
{
	uint8_t img[4096];
	size_t n = pointer_image(img, 8, false, "go1.16.15", MODTEXT);
	struct fakemem fm = { 0x10000, img, n };
	struct mem_reader mem = { fake_read, &fm };
	struct gobuildinfo bi;
	uint8_t save[8];

	/* version header pointer outside the image */
	memcpy(save, img + 16, 8);
	put_ptr(img + 16, 0x90000, 8, false);
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -EFAULT);
	memcpy(img + 16, save, 8);
	/* module info pointer outside the image */
	put_ptr(img + 24, 0xffffffffffffff00ull, 8, false);
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -EFAULT);
	put_ptr(img + 24, 0x10110, 8, false);
	/* string data past the image end */
	put_ptr(img + 0x110 + 8, n, 8, false);
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -EFAULT);
	/* an absurd length is refused before any allocation */
	put_ptr(img + 0x110 + 8, 1ull << 40, 8, false);
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -ENOEXEC);
	/* an empty version means not Go */
	pointer_image(img, 8, false, "go1.16.15", MODTEXT);
	put_ptr(img + 0x100 + 8, 0, 8, false);
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -ENOEXEC);
	/* pointer size other than 4 or 8 */
	pointer_image(img, 8, false, "go1.16.15", MODTEXT);
	img[14] = 2;
	CHECK_INT(parse_exact(img, 32, &mem, &bi), -ENOEXEC);
}

static void test_truncated_inline(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	inline_blob(&bl, "go1.21.0", MODTEXT);
	/* every strict prefix is an error, read within its bounds (ASan checks) */
	for (size_t n = 0; n < bl.n; n++) {
		int err = parse_exact(bl.b, n, NULL, &bi);
		if (err != -ENOEXEC) {
			UNIT_FAIL("prefix of %zu bytes: %d", n, err);
			break;
		}
	}
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	buildinfo_free(&bi);
}

static void test_lying_varints(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	/* version length larger than the buffer */
	memset(&bl, 0, sizeof(bl));
	put(&bl, "\xff Go buildinf:\x08\x02", 16);
	bl.n = 32;
	put_varint(&bl, 1000);
	put(&bl, "go1.20", 6);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
	/* huge length that would overflow a pointer sum */
	bl.n = 32;
	put_varint(&bl, UINT64_MAX);
	put(&bl, "go1.20", 6);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
	/* a varint that never ends */
	bl.n = 32;
	for (int i = 0; i < 12; i++)
		bl.b[bl.n++] = 0x80;
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
	/* an 11-byte varint (overflow) */
	bl.n = 32;
	for (int i = 0; i < 10; i++)
		bl.b[bl.n++] = 0xff;
	bl.b[bl.n++] = 0x01;
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
	/* module info length past the end */
	bl.n = 32;
	put_varint(&bl, 6);
	put(&bl, "go1.20", 6);
	put_varint(&bl, 50);
	put(&bl, "short", 5);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
	/* wrong magic */
	inline_blob(&bl, "go1.20", MODTEXT);
	bl.b[1] = 'X';
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), -ENOEXEC);
}

static void test_no_module_info(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	/* GOPATH-mode binaries: a version and an empty module string */
	memset(&bl, 0, sizeof(bl));
	put(&bl, "\xff Go buildinf:\x08\x02", 16);
	bl.n = 32;
	put_varint(&bl, 8);
	put(&bl, "go1.19.8", 8);
	put_varint(&bl, 0);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	CHECK_STR(bi.go_version, "go1.19.8");
	CHECK(bi.path == NULL);
	CHECK(bi.main.path == NULL);
	CHECK_INT(bi.ndeps, 0);
	CHECK_INT(bi.nsettings, 0);
	char *text = NULL;
	CHECK_INT(buildinfo_format(&bi, &text), 0);
	CHECK_STR(text, "");
	free(text);
	buildinfo_free(&bi);
	/* unframed module text is ignored, like Go does */
	bl.n = 32;
	put_varint(&bl, 8);
	put(&bl, "go1.19.8", 8);
	put_varint(&bl, 14);
	put(&bl, "path\tfoo/bar\n\n", 14);
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	CHECK(bi.path == NULL);
	buildinfo_free(&bi);
}

static void test_malformed_lines_skipped(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	inline_blob(&bl, "go1.20",
		    "=>\torphan\tv1\t\n"         /* replacement with no module before it */
		    "dep\tonlypath\n"             /* one column */
		    "dep\ta\tb\tc\td\n"           /* four columns */
		    "dep\tgood\tv1.0.0\th1:x\n"
		    "=>\ttoo\tfew\n"              /* replacement needs three columns */
		    "build\tnoequals\n"
		    "build\t=v\n"
		    "build\tk=has space\n"
		    "build\t\"unterminated=v\n"
		    "build\tk=\"bad\\q\"\n"
		    "build\tok=1\n");
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	CHECK_INT(bi.ndeps, 1);
	if (bi.ndeps == 1) {
		CHECK_STR(bi.deps[0].path, "good");
		CHECK(bi.deps[0].replace == NULL);
	}
	CHECK_INT(bi.nsettings, 1);
	if (bi.nsettings == 1)
		CHECK_STR(bi.settings[0].key, "ok");
	buildinfo_free(&bi);
}

static void test_quoting(void)
{
	struct blob bl;
	struct gobuildinfo bi;
	char *text = NULL;
	inline_blob(&bl, "go1.20",
		    "build\t-tags=\"a\\tb\\x41\\u00e9\\101\"\n"
		    "build\t`raw key`=`raw value`\n");
	CHECK_INT(parse_exact(bl.b, bl.n, NULL, &bi), 0);
	CHECK_INT(bi.nsettings, 2);
	if (bi.nsettings == 2) {
		CHECK_STR(bi.settings[0].value, "a\tbA\xc3\xa9" "A");
		CHECK_STR(bi.settings[1].key, "raw key");
		CHECK_STR(bi.settings[1].value, "raw value");
	}
	CHECK_INT(buildinfo_format(&bi, &text), 0);
	CHECK_STR(text, "build\t-tags=\"a\\tbA\xc3\xa9" "A\"\nbuild\t\"raw key\"=\"raw value\"\n");
	free(text);
	buildinfo_free(&bi);
}

static void test_find_alignment(void)
{
	uint8_t buf[256] = {0};
	memcpy(buf + 8, "\xff Go buildinf:", 14);   /* not 16-aligned: ignored */
	CHECK_INT(buildinfo_find(buf, sizeof(buf)), -1);
	memcpy(buf + 48, "\xff Go buildinf:", 14);
	CHECK_INT(buildinfo_find(buf, sizeof(buf)), 48);
	memcpy(buf + 32, "\xff Go buildinf:", 14);
	CHECK_INT(buildinfo_find(buf, sizeof(buf)), 32);
	/* a magic cut by the buffer end is not a match */
	CHECK_INT(buildinfo_find(buf, 45), -1);
	CHECK_INT(buildinfo_find(buf, 46), 32);
	CHECK_INT(buildinfo_find(buf, 0), -1);
	CHECK_INT(buildinfo_find(buf, 13), -1);
	memcpy(buf, "\xff Go buildinf:", 14);
	CHECK_INT(buildinfo_find(buf, 14), 0);
}

/* The fixture's version and module lines are what `go version -m` prints. */
static void check_fixture_matches_go(const char *name)
{
	const char *path = fixture(name);
	struct goelf *g = NULL;
	char cmd[4200], *want, *text = NULL;
	snprintf(cmd, sizeof(cmd), "go version -m '%s'", path);
	want = run_output(cmd);
	CHECK(want != NULL);
	CHECK_INT(goelf_open(path, &g), 0);
	if (!want || !g)
		goto out;
	/* first line "PATH: goVERSION", then each module line with a leading tab */
	char *nl = strchr(want, '\n');
	CHECK(nl != NULL);
	if (!nl)
		goto out;
	*nl = 0;
	const char *colon = strrchr(want, ' ');
	CHECK_STR(goelf_go_version(g), colon ? colon + 1 : "");
	const struct gobuildinfo *bi = goelf_buildinfo(g);
	CHECK(bi != NULL);
	if (!bi)
		goto out;
	CHECK_STR(bi->go_version, colon ? colon + 1 : "");
	CHECK_INT(buildinfo_format(bi, &text), 0);
	size_t cap = strlen(text) * 2 + 2, k = 0;
	char *tabbed = malloc(cap);
	for (const char *p = text; *p; p++) {
		if (p == text || p[-1] == '\n')
			tabbed[k++] = '\t';
		tabbed[k++] = *p;
	}
	tabbed[k] = 0;
	CHECK_STR(tabbed, nl + 1);
	free(tabbed);
out:
	free(text);
	free(want);
	goelf_close(g);
}

static void test_fixture_server(void)
{
	check_fixture_matches_go("server");
}

static void test_fixture_variants(void)
{
	check_fixture_matches_go("server-sw");
	check_fixture_matches_go("server-pie");
	check_fixture_matches_go("server-static");
	check_fixture_matches_go("server-strip");
}

int main(void)
{
	RUN(test_inline_format);
	RUN(test_pointer_format);
	RUN(test_pointer_format_lies);
	RUN(test_truncated_inline);
	RUN(test_lying_varints);
	RUN(test_no_module_info);
	RUN(test_malformed_lines_skipped);
	RUN(test_quoting);
	RUN(test_find_alignment);
	RUN(test_fixture_server);
	RUN(test_fixture_variants);
	return UNIT_DONE();
}
