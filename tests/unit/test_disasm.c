/* Tests of the probe-point finder on the real argsfix fixture, checked against objdump -d. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include "unit.h"
#include "goelf/disasm.h"
#include "goelf/goelf.h"

struct insn {
	uint64_t addr;
	char text[128];         /* mnemonic and operands, AT&T syntax */
};

static char fixture[512];

/* Disassembles [fi->entry, fi->end) with objdump: an independent decoder. */
static int objdump_func(const struct gofuncinfo *fi, struct insn **out)
{
	char cmd[1024], line[512];
	FILE *f;
	int n = 0, cap = 0;
	struct insn *v = NULL;

	snprintf(cmd, sizeof(cmd), "objdump -d --no-show-raw-insn --start-address=0x%" PRIx64
		 " --stop-address=0x%" PRIx64 " '%s'", fi->entry, fi->end, fixture);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon, *end;
		uint64_t a = strtoull(line, &end, 16);

		if (end == line || *end != ':' || line[0] != ' ')
			continue;
		colon = end + 1;
		while (*colon == '\t' || *colon == ' ')
			colon++;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n].addr = a;
		snprintf(v[n].text, sizeof(v[n].text), "%s", colon);
		v[n].text[strcspn(v[n].text, "\n")] = '\0';
		n++;
	}
	pclose(f);
	*out = v;
	return n;
}

static bool starts(const char *s, const char *word)
{
	size_t l = strlen(word);

	return !strncmp(s, word, l) && (s[l] == ' ' || s[l] == '\t' || s[l] == '\0');
}

/* Checks fn against objdump: the probe is a JBE right after `cmp 0x10(%r14),REG`, and the
 * RETs are exactly objdump's `ret`s. */
static void check_func(struct goelf *g, const char *name, bool want_check, const char *want_cmp_reg)
{
	struct gofuncinfo fi;
	struct probe_points pp;
	struct insn *ins = NULL;
	int n, nret = 0;

	if (goelf_func_by_name(g, name, &fi)) {
		UNIT_FAIL("%s not found in %s", name, fixture);
		return;
	}
	CHECK_INT(disasm_func(g, &fi, &pp), 0);
	n = objdump_func(&fi, &ins);
	if (n <= 0) {
		UNIT_FAIL("objdump found no code for %s", name);
		return;
	}
	if (pp.has_stack_check != want_check)
		UNIT_FAIL("%s: has_stack_check %d, want %d", name, pp.has_stack_check, want_check);
	if (!want_check)
		CHECK_INT(pp.entry_off, 0);
	for (int i = 0; i < n && want_check; i++) {
		if (ins[i].addr != fi.entry + pp.entry_off)
			continue;
		if (!starts(ins[i].text, "jbe"))
			UNIT_FAIL("%s+%u is '%s', want jbe", name, pp.entry_off, ins[i].text);
		if (i == 0 || !starts(ins[i - 1].text, "cmp") || !strstr(ins[i - 1].text, "0x10(%r14),") ||
		    !strstr(ins[i - 1].text, want_cmp_reg))
			UNIT_FAIL("%s: before the probe: '%s', want cmp 0x10(%%r14),%s", name,
				  i ? ins[i - 1].text : "(nothing)", want_cmp_reg);
		want_check = false;     /* found */
	}
	if (want_check)
		UNIT_FAIL("%s: probe offset %u is not an instruction boundary", name, pp.entry_off);
	for (int i = 0; i < n; i++) {
		if (!starts(ins[i].text, "ret"))
			continue;
		if (nret < pp.nrets && fi.entry + pp.ret_offs[nret] != ins[i].addr)
			UNIT_FAIL("%s: RET %d at +%u, objdump has +%" PRIu64, name, nret, pp.ret_offs[nret],
				  ins[i].addr - fi.entry);
		nret++;
	}
	if (pp.nrets != nret)
		UNIT_FAIL("%s: %d RETs, objdump has %d", name, pp.nrets, nret);
	CHECK(nret > 0);
	free(ins);
	probe_points_free(&pp);
}

static struct goelf *open_fixture(void)
{
	struct goelf *g = NULL;
	int rc = goelf_open(fixture, &g);

	if (rc)
		UNIT_FAIL("goelf_open(%s) = %d", fixture, rc);
	return g;
}

static void test_stack_check_small_frame(void)
{
	struct goelf *g = open_fixture();

	if (!g)
		return;
	check_func(g, "main.mix", true, "%rsp");
	check_func(g, "main.depth", true, "%rsp");
	check_func(g, "main.waitStart", true, "%rsp");
	check_func(g, "main.(*counter).Add", false, "");   /* frameless leaf */
	check_func(g, "main.greet", true, "%rsp");
	goelf_close(g);
}

static void test_stack_check_large_frame(void)
{
	struct goelf *g = open_fixture();

	if (!g)
		return;
	/* main.main's frame exceeds StackSmall: LEA R12, [RSP-n]; CMP R12, [R14+0x10]; JBE. */
	check_func(g, "main.main", true, "%r12");
	goelf_close(g);
}

static void test_no_stack_check(void)
{
	struct goelf *g = open_fixture();

	if (!g)
		return;
	check_func(g, "main.leaf", false, "");          /* //go:nosplit */
	check_func(g, "main.addInt64", false, "");      /* small leaf */
	goelf_close(g);
}

/* Runtime functions with several RETs and assembly (no Go prologue). */
static void test_runtime_funcs(void)
{
	struct goelf *g = open_fixture();

	if (!g)
		return;
	check_func(g, "runtime.mallocgc", true, "%rsp");
	check_func(g, "runtime.memmove", false, "");
	goelf_close(g);
}

static void test_synthetic(void)
{
	/* cmp rsp,[r14+0x10]; jbe +0x10 (rel8); ret; int3 */
	static const uint8_t small[] = { 0x49, 0x3b, 0x66, 0x10, 0x76, 0x10, 0xc3, 0xcc };
	/* lea r12,[rsp-0x110]; cmp r12,[r14+0x10]; jbe rel32; ret */
	static const uint8_t large[] = { 0x4c, 0x8d, 0xa4, 0x24, 0xf0, 0xfe, 0xff, 0xff,
					 0x4d, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0x00, 0x01, 0x00, 0x00, 0xc3 };
	/* go1.16: mov rcx,fs:[-8]; cmp rsp,[rcx+0x10]; jbe rel8; ret */
	static const uint8_t tls[] = { 0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff,
				       0x48, 0x3b, 0x61, 0x10, 0x76, 0x05, 0xc3 };
	/* frames over StackBig guard the subtraction first: mov r12,rsp; sub r12,0x10000;
	 * jb rel32; cmp r12,[r14+0x10]; jbe rel32; ret */
	static const uint8_t huge[] = { 0x49, 0x89, 0xe4, 0x49, 0x81, 0xec, 0x00, 0x00, 0x01, 0x00,
					0x0f, 0x82, 0x10, 0x00, 0x00, 0x00, 0x4d, 0x3b, 0x66, 0x10,
					0x0f, 0x86, 0x04, 0x00, 0x00, 0x00, 0xc3 };
	/* cmp rsp,[rbx+0x10] is not a stack check (no g in rbx); ret */
	static const uint8_t other[] = { 0x48, 0x3b, 0x63, 0x10, 0x76, 0x05, 0xc3, 0xc3 };
	struct probe_points pp;

	CHECK_INT(disasm_probe_points(small, sizeof(small), 0x1000, &pp), 0);
	CHECK(pp.has_stack_check);
	CHECK_INT(pp.entry_off, 4);
	CHECK_INT(pp.nrets, 1);
	CHECK_INT(pp.ret_offs[0], 6);
	probe_points_free(&pp);
	CHECK_INT(disasm_probe_points(large, sizeof(large), 0x1000, &pp), 0);
	CHECK(pp.has_stack_check);
	CHECK_INT(pp.entry_off, 12);
	CHECK_INT(pp.nrets, 1);
	probe_points_free(&pp);
	CHECK_INT(disasm_probe_points(tls, sizeof(tls), 0x1000, &pp), 0);
	CHECK(pp.has_stack_check);
	CHECK_INT(pp.entry_off, 13);
	probe_points_free(&pp);
	CHECK_INT(disasm_probe_points(huge, sizeof(huge), 0x1000, &pp), 0);
	CHECK(pp.has_stack_check);
	CHECK_INT(pp.entry_off, 20);
	CHECK_INT(pp.nrets, 1);
	CHECK_INT(pp.ret_offs[0], 26);
	probe_points_free(&pp);
	CHECK_INT(disasm_probe_points(other, sizeof(other), 0x1000, &pp), 0);
	CHECK(!pp.has_stack_check);
	CHECK_INT(pp.entry_off, 0);
	CHECK_INT(pp.nrets, 2);
	probe_points_free(&pp);
	CHECK_INT(disasm_probe_points(small, 0, 0x1000, &pp), -EINVAL);
}

int main(void)
{
	const char *b = getenv("BUILD");

	snprintf(fixture, sizeof(fixture), "%s/fixtures/argsfix", b && *b ? b : "build");
	RUN(test_synthetic);
	RUN(test_stack_check_small_frame);
	RUN(test_stack_check_large_frame);
	RUN(test_no_stack_check);
	RUN(test_runtime_funcs);
	return UNIT_DONE();
}
