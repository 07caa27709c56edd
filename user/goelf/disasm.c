/* Finds a Go function's probe points with capstone: the stack-check jump and every RET (x86-64). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include "goelf/disasm.h"

/* The stack check is the first thing a Go function does; it is never further in. */
#define PROLOGUE_INSNS 8
/* g.stackguard0 on amd64. */
#define STACKGUARD0_OFF 0x10
/* Code size we read at once for one function (Go functions are rarely larger). */
#define MAX_FUNC_BYTES (16u << 20)

static bool is_stackguard_cmp(const cs_insn *in, x86_reg g_reg)
{
	const cs_x86 *x = &in->detail->x86;

	if (in->id != X86_INS_CMP || x->op_count != 2)
		return false;
	if (x->operands[0].type != X86_OP_REG || x->operands[1].type != X86_OP_MEM)
		return false;
	const x86_op_mem *m = &x->operands[1].mem;

	return m->disp == STACKGUARD0_OFF && m->index == X86_REG_INVALID &&
	       m->segment == X86_REG_INVALID && (m->base == X86_REG_R14 || (g_reg && m->base == g_reg));
}

/* Before Go 1.17 the prologue loads g from TLS first: MOV reg, FS:[-8]. */
static x86_reg tls_g_load(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	if (in->id == X86_INS_MOV && x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	    x->operands[1].type == X86_OP_MEM && x->operands[1].mem.segment == X86_REG_FS)
		return x->operands[0].reg;
	return X86_REG_INVALID;
}

static int add_ret(struct probe_points *pp, int *cap, uint32_t off)
{
	if (pp->nrets == *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		uint32_t *n = realloc(pp->ret_offs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pp->ret_offs = n;
		*cap = ncap;
	}
	pp->ret_offs[pp->nrets++] = off;
	return 0;
}

int disasm_probe_points(const uint8_t *code, size_t n, uint64_t vaddr, struct probe_points *out)
{
	csh cs;
	cs_insn *in;
	const uint8_t *p = code;
	size_t left = n;
	uint64_t addr = vaddr;
	int cap = 0, idx = 0, rc = 0;
	bool after_cmp = false, prologue_done = false;
	x86_reg g_reg = X86_REG_INVALID;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -EINVAL;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -EIO;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	in = cs_malloc(cs);
	if (!in) {
		cs_close(&cs);
		return -ENOMEM;
	}
	while (left) {
		if (!cs_disasm_iter(cs, &p, &left, &addr, in)) {
			/* Undecodable byte (data or padding): step over it. */
			p++, left--, addr++;
			after_cmp = false;
			continue;
		}
		uint32_t off = (uint32_t)(in->address - vaddr);

		if (in->id == X86_INS_RET && (rc = add_ret(out, &cap, off)))
			break;
		if (prologue_done)
			continue;
		if (after_cmp && in->id == X86_INS_JBE) {
			out->entry_off = off;
			out->has_stack_check = true;
			prologue_done = true;
			continue;
		}
		after_cmp = is_stackguard_cmp(in, g_reg);
		if (!g_reg)
			g_reg = tls_g_load(in);
		if (++idx >= PROLOGUE_INSNS)
			prologue_done = true;
	}
	cs_free(in, 1);
	cs_close(&cs);
	if (rc)
		probe_points_free(out);
	return rc;
}

int disasm_func(struct goelf *g, const struct gofuncinfo *fi, struct probe_points *out)
{
	size_t n;
	uint8_t *code;
	int rc;

	memset(out, 0, sizeof(*out));
	if (fi->end <= fi->entry || fi->end - fi->entry > MAX_FUNC_BYTES)
		return -EINVAL;
	n = fi->end - fi->entry;
	code = malloc(n);
	if (!code)
		return -ENOMEM;
	rc = goelf_read_vaddr(g, fi->entry, code, n);
	if (!rc)
		rc = disasm_probe_points(code, n, fi->entry, out);
	free(code);
	return rc;
}

void probe_points_free(struct probe_points *pp)
{
	if (!pp)
		return;
	free(pp->ret_offs);
	pp->ret_offs = NULL;
	pp->nrets = 0;
}
