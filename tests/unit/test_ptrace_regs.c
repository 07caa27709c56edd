/* Unit tests of the ptrace arch file: instruction classes, jump conditions, emulation, Go ABI registers. */
#include <errno.h>
#include <unistd.h>
#include "unit.h"
#include "backend/args_ptrace.h"
#include "backend/ptrace_regs.h"

enum { CF = 1 << 0, PF = 1 << 2, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11 };

static void test_classify(void)
{
	/* Go 1.19's prologue: CMPQ 0x10(R14), SP; JBE rel8 — and its rel32 form, RET, JMP. */
	static const uint8_t jbe8[] = { 0x76, 0x39 }, jbe32[] = { 0x0f, 0x86, 0x10, 0x01, 0x00, 0x00 };
	static const uint8_t ret[] = { 0xc3 }, reti[] = { 0xc2, 0x08, 0x00 }, jmp8[] = { 0xeb, 0xfe };
	static const uint8_t cmp[] = { 0x49, 0x3b, 0x66, 0x10 }, jl8[] = { 0x7c, 0xf0 };
	struct ptr_insn in;

	ptr_classify(jbe8, sizeof(jbe8), &in);
	CHECK_INT(in.kind, PTR_INSN_JCC);
	CHECK_INT(in.len, 2);
	CHECK_INT(in.cond, 6);
	CHECK_INT(in.rel, 0x39);
	ptr_classify(jbe32, sizeof(jbe32), &in);
	CHECK_INT(in.kind, PTR_INSN_JCC);
	CHECK_INT(in.len, 6);
	CHECK_INT(in.rel, 0x110);
	ptr_classify(jl8, sizeof(jl8), &in);
	CHECK_INT(in.rel, -16);
	ptr_classify(ret, sizeof(ret), &in);
	CHECK_INT(in.kind, PTR_INSN_RET);
	ptr_classify(reti, sizeof(reti), &in);
	CHECK_INT(in.kind, PTR_INSN_RET);
	CHECK_INT(in.pop, 8);
	ptr_classify(jmp8, sizeof(jmp8), &in);
	CHECK_INT(in.kind, PTR_INSN_JMP);
	ptr_classify(cmp, sizeof(cmp), &in);
	CHECK_INT(in.kind, PTR_INSN_OTHER);
	/* A truncated rel32 jump (end of the readable text) is not emulated. */
	ptr_classify(jbe32, 3, &in);
	CHECK_INT(in.kind, PTR_INSN_OTHER);
}

/* Every condition code against the flag combinations that decide it. */
static void test_conditions(void)
{
	static const struct { uint8_t cond; uint64_t flags; bool taken; } t[] = {
		{ 0x0, OF, true }, { 0x0, 0, false }, { 0x1, 0, true },
		{ 0x2, CF, true }, { 0x3, CF, false },
		{ 0x4, ZF, true }, { 0x5, ZF, false },
		{ 0x6, CF, true }, { 0x6, ZF, true }, { 0x6, 0, false },   /* JBE: the morestack branch */
		{ 0x7, 0, true }, { 0x7, CF | ZF, false },
		{ 0x8, SF, true }, { 0x9, SF, false }, { 0xa, PF, true }, { 0xb, PF, false },
		{ 0xc, SF, true }, { 0xc, SF | OF, false }, { 0xd, SF | OF, true },
		{ 0xe, ZF, true }, { 0xe, OF, true }, { 0xe, SF | OF, false }, { 0xf, 0, true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ptr_insn in = { .kind = PTR_INSN_JCC, .len = 2, .cond = t[i].cond };

		if (ptr_jcc_taken(&in, t[i].flags) != t[i].taken)
			UNIT_FAIL("cond %#x flags %#llx: taken should be %d", t[i].cond,
				  (unsigned long long)t[i].flags, t[i].taken);
	}
}

static void test_emulate(void)
{
	struct ptr_insn jbe = { .kind = PTR_INSN_JCC, .len = 2, .cond = 6, .rel = 0x39 };
	struct ptr_insn ret = { .kind = PTR_INSN_RET, .len = 1 };
	struct ptr_insn other = { .kind = PTR_INSN_OTHER, .len = 4 };
	uint64_t stack[2] = { 0x401234, 0 };
	struct pt_cpu c = { 0 };

	c.gp.eflags = CF;
	CHECK_INT(ptr_emulate(getpid(), &jbe, 0x498de4, &c), 0);
	CHECK_INT(ptr_pc(&c), 0x498de4 + 2 + 0x39);
	c.gp.eflags = 0;
	CHECK_INT(ptr_emulate(getpid(), &jbe, 0x498de4, &c), 0);
	CHECK_INT(ptr_pc(&c), 0x498de6);
	/* RET pops the return address from the stack (here: our own, through process_vm_readv). */
	c.gp.rsp = (uint64_t)(uintptr_t)stack;
	CHECK_INT(ptr_emulate(getpid(), &ret, 0x498e1e, &c), 0);
	CHECK_INT(ptr_pc(&c), 0x401234);
	CHECK_INT(ptr_sp(&c), (uint64_t)(uintptr_t)stack + 8);
	CHECK_INT(ptr_emulate(getpid(), &other, 0x1000, &c), -ENOTSUP);
}

static void test_registers(void)
{
	struct pt_cpu c = { 0 };
	uint64_t v = 0;

	c.gp.rax = 1, c.gp.rbx = 2, c.gp.rcx = 3, c.gp.rdi = 4, c.gp.rsi = 5;
	c.gp.r8 = 6, c.gp.r9 = 7, c.gp.r10 = 8, c.gp.r11 = 9, c.gp.r14 = 0xc000;
	for (unsigned i = 0; i < 9; i++) {
		CHECK_INT(ptr_ireg(&c, i, &v), 0);
		CHECK_INT(v, i + 1);
	}
	CHECK_INT(ptr_ireg(&c, 9, &v), -EINVAL);
	CHECK_STR(ptr_ireg_name(0), "RAX");
	CHECK_STR(ptr_ireg_name(8), "R11");
	CHECK(ptr_ireg_name(9) == NULL);
	CHECK_INT(ptr_g(&c), 0xc000);
	/* X registers need the FP set; X1's low lane holds the float64 2.5. */
	CHECK_INT(ptr_freg(&c, 1, &v), -ENODATA);
	c.have_fp = true;
	c.fp.xmm_space[4] = 0x00000000;
	c.fp.xmm_space[5] = 0x40040000;
	CHECK_INT(ptr_freg(&c, 1, &v), 0);
	CHECK_INT(v, 0x4004000000000000ull);
	CHECK_INT(ptr_freg(&c, 15, &v), -EINVAL);
	c.gp.rip = 0x498de1;
	CHECK_INT(ptr_trap_addr(&c), 0x498de0);
}

/* X-register pieces get FREG ops appended after what fetch_plan_build gave BPF. */
static void test_add_fregs(void)
{
	struct value_plan vp = { .param = 0, .npieces = 2, .in_freg = true };
	struct fetch_value fv = { .param = 0, .unavailable = true, .word = { -1, 2 } };
	struct fetch_plan fp = { .base = 2, .nops = 1, .nvalues = 1, .values = &fv, .vplans = &vp };

	vp.pieces[0] = (struct loc){ .kind = LOC_FREG, .reg = 3, .size = 8, .val_off = 0 };
	vp.pieces[1] = (struct loc){ .kind = LOC_IREG, .reg = 0, .size = 8, .val_off = 8 };
	CHECK_INT(args_ptrace_add_fregs(&fp), 0);
	CHECK_INT(fp.nops, 2);
	CHECK_INT(fp.ops[1].kind, ARGS_OP_FREG);
	CHECK_INT(fp.ops[1].reg, 3);
	CHECK_INT(fv.word[0], 3);     /* base 2 + op index 1 */
	CHECK_INT(fv.word[1], 2);     /* untouched */
	CHECK(!fv.unavailable);
	/* Idempotent. */
	CHECK_INT(args_ptrace_add_fregs(&fp), 0);
	CHECK_INT(fp.nops, 2);
}

int main(void)
{
	RUN(test_classify);
	RUN(test_conditions);
	RUN(test_emulate);
	RUN(test_registers);
	RUN(test_add_fregs);
	return UNIT_DONE();
}
