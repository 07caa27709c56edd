/* Tests of interface type naming on the real fixtures: moduledata without symbols, decoded descriptors, run-time itabs. */
#include <errno.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "goelf/goelf.h"
#include "goelf/moduledata.h"
#include "goelf/typesym.h"

static char dir[512];

static struct goelf *open_fix(const char *name)
{
	char path[600];
	struct goelf *g = NULL;

	snprintf(path, sizeof(path), "%s/fixtures/%s", dir, name);
	if (goelf_open(path, &g)) {
		UNIT_FAIL("goelf_open(%s)", path);
		return NULL;
	}
	return g;
}

/* The value of .symtab symbol name, read straight from libelf (not through goelf). */
static uint64_t sym(struct goelf *g, const char *name)
{
	Elf *e = goelf_elf(g);
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (gelf_getsym(d, (int)i, &s) && (n = elf_strptr(e, sh.sh_link, s.st_name)) && !strcmp(n, name))
				return s.st_value;
		}
	}
	UNIT_FAIL("no symbol %s", name);
	return 0;
}

/* Address of the type descriptor of the Go type DWARF calls name: its DIE's
 * DW_AT_go_runtime_type (0x2904) holds the offset from runtime.types. */
static uint64_t dwarf_type(struct goelf *g, const char *name)
{
	Dwarf *dw = dwarf_begin_elf(goelf_elf(g), DWARF_C_READ, NULL);
	Dwarf_Off off = 0, next;
	size_t hsize;
	uint64_t addr = 0;

	while (dw && !addr && !dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu, die;
		int more;

		if (!dwarf_offdie(dw, off + hsize, &cu) || dwarf_child(&cu, &die)) {
			off = next;
			continue;
		}
		for (more = 0; !more && !addr; more = dwarf_siblingof(&die, &die)) {
			Dwarf_Attribute a;
			Dwarf_Word w;
			Dwarf_Addr da;
			const char *n = dwarf_diename(&die);

			if (!n || strcmp(n, name) || !dwarf_attr(&die, 0x2904, &a))
				continue;
			/* Go writes it as DW_FORM_addr */
			if (!dwarf_formaddr(&a, &da))
				addr = sym(g, "runtime.types") + da;
			else if (!dwarf_formudata(&a, &w))
				addr = sym(g, "runtime.types") + w;
		}
		off = next;
	}
	if (dw)
		dwarf_end(dw);
	if (!addr)
		UNIT_FAIL("no DWARF type %s", name);
	return addr;
}

/* A process image for typesym_name_rt: one itab at a heap address, its _type word given. */
struct fake_proc {
	uint64_t itab;          /* run-time address of the itab */
	uint64_t type;          /* what its _type word holds */
	int reads;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct fake_proc *p = ctx;

	p->reads++;
	if (addr != p->itab + 8 || n != 8)
		return -EFAULT;
	memcpy(buf, &p->type, 8);
	return 0;
}

/* The moduledata found by scanning is the one the symbols name, in both builds. */
static void test_moduledata_matches_symbols(void)
{
	struct goelf *g = open_fix("argsfix"), *sw = open_fix("argsfix-sw");
	struct gomoduledata md, mds;

	if (!g || !sw)
		goto out;
	CHECK(goelf_flags(sw) & GOELF_STRIPPED);
	CHECK_INT(goelf_moduledata(g, &md), 0);
	CHECK_INT(md.addr, sym(g, "runtime.firstmoduledata"));
	CHECK_INT(md.types, sym(g, "runtime.types"));
	CHECK_INT(md.etypes, sym(g, "runtime.etypes"));
	CHECK_INT(md.text, sym(g, "runtime.text"));
	CHECK_INT(md.etext, sym(g, "runtime.etext"));
	/* -s -w drops symbols and DWARF; the types section starts where it did (its end moves a little) */
	CHECK_INT(goelf_moduledata(sw, &mds), 0);
	CHECK_INT(mds.types, sym(g, "runtime.types"));
	CHECK_INT(mds.text, sym(g, "runtime.text"));
	CHECK(mds.etypes > mds.types);
out:
	goelf_close(g);
	goelf_close(sw);
}

/* PIE: the data words are relocated statically too, so the scan works on the file. */
static void test_moduledata_pie(void)
{
	struct goelf *g = open_fix("argsfix-pie");
	struct gomoduledata md;

	if (!g)
		return;
	CHECK(goelf_flags(g) & GOELF_PIE);
	CHECK_INT(goelf_moduledata(g, &md), 0);
	CHECK_INT(md.addr, sym(g, "runtime.firstmoduledata"));
	CHECK_INT(md.types, sym(g, "runtime.types"));
	goelf_close(g);
}

static void test_moduledata_not_go(void)
{
	struct goelf *g = NULL;
	struct gomoduledata md;

	if (goelf_open("/bin/true", &g)) {
		UNIT_FAIL("goelf_open(/bin/true)");
		return;
	}
	CHECK_INT(goelf_moduledata(g, &md), -ENOENT);
	goelf_close(g);
}

/* Stripped: each main type's descriptor (located through DWARF) decodes to its name,
 * and a static itab names its concrete type through its _type word. */
static void test_stripped_names(void)
{
	static const char *const types[] = { "main.T", "*main.P", "main.R" };
	static const char *const itabs[][2] = {
		{ "go.itab.main.T,fmt.Stringer", "main.T" },
		{ "go.itab.*main.P,fmt.Stringer", "*main.P" },
	};
	struct goelf *g = open_fix("ifacefix"), *sw = open_fix("ifacefix-sw");
	struct typesym *ts = NULL;
	char buf[256];

	if (!g || !sw)
		goto out;
	CHECK_INT(typesym_open(sw, &ts), 0);
	for (size_t i = 0; ts && i < sizeof(types) / sizeof(types[0]); i++) {
		buf[0] = 0;
		CHECK_INT(typesym_name(ts, dwarf_type(g, types[i]), false, buf, sizeof(buf)), 0);
		CHECK_STR(buf, types[i]);
	}
	for (size_t i = 0; ts && i < sizeof(itabs) / sizeof(itabs[0]); i++) {
		buf[0] = 0;
		CHECK_INT(typesym_name(ts, sym(g, itabs[i][0]), true, buf, sizeof(buf)), 0);
		CHECK_STR(buf, itabs[i][1]);
	}
	/* not a descriptor: outside runtime.types..etypes */
	if (ts)
		CHECK_INT(typesym_name(ts, sym(g, "main.takesAny"), false, buf, sizeof(buf)), -ENOENT);
out:
	typesym_close(ts);
	goelf_close(g);
	goelf_close(sw);
}

/* An itab the runtime built lives in the heap: its _type word is read from the process,
 * in run-time addresses (moved by the PIE bias), with symbols and without. */
static void test_runtime_itab(void)
{
	static const char *const fixtures[] = { "ifacefix", "ifacefix-sw" };
	const uint64_t bias = 0x555555554000ull, heap = 0xc000010000ull;
	struct goelf *g = open_fix("ifacefix");
	char buf[256];

	for (size_t f = 0; g && f < 2; f++) {
		struct goelf *x = open_fix(fixtures[f]);
		struct typesym *ts = NULL;
		struct fake_proc p = { heap, dwarf_type(g, "main.R"), 0 };
		struct mem_reader mem = { fake_read, &p };

		if (!x)
			continue;
		CHECK_INT(typesym_open(x, &ts), 0);
		buf[0] = 0;
		CHECK_INT(typesym_name_rt(ts, heap, 0, true, &mem, buf, sizeof(buf)), 0);
		CHECK_STR(buf, "main.R");
		CHECK_INT(p.reads, 1);
		/* the same process loaded at bias: both the itab and its _type word moved */
		p = (struct fake_proc){ heap + bias, dwarf_type(g, "*main.P") + bias, 0 };
		buf[0] = 0;
		CHECK_INT(typesym_name_rt(ts, heap + bias, bias, true, &mem, buf, sizeof(buf)), 0);
		CHECK_STR(buf, "*main.P");
		/* without the process, or when it has gone, there is no name */
		CHECK_INT(typesym_name_rt(ts, heap, 0, true, NULL, buf, sizeof(buf)), -ENOENT);
		CHECK_INT(typesym_name_rt(ts, heap + 64, bias, true, &mem, buf, sizeof(buf)), -ENOENT);
		/* a _type word that is no descriptor */
		p = (struct fake_proc){ heap, sym(g, "main.takesAny"), 0 };
		CHECK_INT(typesym_name_rt(ts, heap, 0, true, &mem, buf, sizeof(buf)), -ENOENT);
		typesym_close(ts);
		goelf_close(x);
	}
	goelf_close(g);
}

int main(void)
{
	const char *b = getenv("BUILD");

	snprintf(dir, sizeof(dir), "%s", b && *b ? b : "build");
	RUN(test_moduledata_matches_symbols);
	RUN(test_moduledata_pie);
	RUN(test_moduledata_not_go);
	RUN(test_stripped_names);
	RUN(test_runtime_itab);
	return UNIT_DONE();
}
