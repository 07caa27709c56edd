/* Decodes Go parameters' DWARF location expressions at a function's entry into goabi locations. */
#include <dwarf.h>
#include <string.h>
#include "goelf/dwarf_internal.h"

/* DWARF amd64 register numbers -> index in the Go ABI integer sequence
 * RAX RBX RCX RDI RSI R8 R9 R10 R11; -1 for registers Go never passes arguments in. */
static int dwreg_to_ireg(unsigned int r)
{
	static const int map[] = { 0, -1, 2, 1, 4, 3, -1, -1, 5, 6, 7, 8 };

	return r < sizeof(map) / sizeof(map[0]) ? map[r] : -1;
}

static void push_loc(struct godwarf_loc *gl, enum loc_kind kind, int reg, int32_t stack_off,
		     uint32_t size, uint32_t val_off)
{
	if (gl->npieces >= GOABI_MAX_PIECES)
		return;
	gl->comp[gl->npieces] = (uint8_t)gl->ncomps;
	gl->pieces[gl->npieces++] = (struct loc){
		.kind = kind, .reg = (uint8_t)reg, .size = (uint8_t)(size > 255 ? 255 : size),
		.stack_off = stack_off, .val_off = val_off,
	};
}

/* Decodes the location expression valid at the function entry. Pieces whose location
 * is empty (optimised out) are skipped; an unknown operation makes the whole location
 * unknown rather than wrong. */
/* A frame offset from the file that a Go frame can have (the CFA is SP + 8). */
static bool stack_off_ok(int64_t mem)
{
	return mem >= -8 && mem <= (1 << 20);
}

static void decode_loc(const Dwarf_Op *ops, size_t n, uint32_t type_size, struct godwarf_loc *gl)
{
	uint32_t val_off = 0;
	enum { NONE, REG, MEM } cur = NONE;
	int reg = 0;
	bool freg = false;
	int64_t mem = 0;

	gl->known = false;
	gl->npieces = 0;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t op = ops[i].atom;

		if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			unsigned int r = op - DW_OP_reg0;

			cur = REG;
			freg = r >= 17 && r <= 32;
			reg = freg ? (int)r - 17 : dwreg_to_ireg(r);
			if (reg < 0)
				return;
		} else if (op == DW_OP_regx) {
			unsigned int r = (unsigned int)ops[i].number;

			cur = REG;
			freg = r >= 17 && r <= 32;
			reg = freg ? (int)r - 17 : dwreg_to_ireg(r);
			if (reg < 0)
				return;
		} else if (op == DW_OP_call_frame_cfa) {
			cur = MEM;
			mem = 0;
		} else if (op == DW_OP_fbreg) {
			/* Go's frame base is DW_OP_call_frame_cfa. */
			cur = MEM;
			mem = (int64_t)ops[i].number;
		} else if (op == DW_OP_consts || op == DW_OP_constu) {
			if (cur != MEM || i + 1 >= n || ops[i + 1].atom != DW_OP_plus)
				return;
			if (__builtin_add_overflow(mem, (int64_t)ops[i].number, &mem))
				return;
			i++;
		} else if (op == DW_OP_plus_uconst) {
			if (cur != MEM || __builtin_add_overflow(mem, (int64_t)ops[i].number, &mem))
				return;
		} else if (op == DW_OP_piece) {
			uint32_t sz = (uint32_t)ops[i].number;

			if (ops[i].number > type_size - val_off)
				return;   /* pieces beyond the type */

			/* The CFA is SP at entry + 8 (the return address). */
			if (cur == REG)
				push_loc(gl, freg ? LOC_FREG : LOC_IREG, reg, 0, sz, val_off);
			else if (cur == MEM && !stack_off_ok(mem))
				return;
			else if (cur == MEM)
				push_loc(gl, LOC_STACK, 0, (int32_t)(mem + 8), sz, val_off);
			val_off += sz;
			gl->ncomps++;
			cur = NONE;
		} else {
			return;
		}
	}
	if (cur == MEM && !stack_off_ok(mem))
		return;
	if (cur != NONE) {
		if (cur == REG)
			push_loc(gl, freg ? LOC_FREG : LOC_IREG, reg, 0, type_size - val_off, val_off);
		else
			push_loc(gl, LOC_STACK, 0, (int32_t)(mem + 8), type_size - val_off, val_off);
		gl->ncomps++;
	}
	gl->known = gl->npieces > 0;
}

static bool uleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

static bool sleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned int shift = 0;
	unsigned char b = 0x80;

	*v = 0;
	while (*p < end && shift < 64 && (b & 0x80)) {
		b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (b & 0x80)
		return false;
	if (shift < 64 && (b & 0x40))
		*v |= ~(uint64_t)0 << shift;
	return true;
}

/* Go writes single location expressions as DW_FORM_block1 even in DWARF 4 CUs, which
 * libdw's dwarf_getlocation refuses (it wants DW_FORM_exprloc there): decode the few
 * operations Go uses for parameters by hand. Returns the number of ops, or 0. */
static size_t block_ops(const Dwarf_Block *b, Dwarf_Op *ops, size_t max)
{
	const unsigned char *p = b->data, *end = b->data + b->length;
	size_t n = 0;

	while (p < end && n < max) {
		Dwarf_Op *op = &ops[n++];
		bool ok = true;

		op->atom = *p++;
		op->number = 0;
		switch (op->atom) {
		case DW_OP_piece: case DW_OP_regx: case DW_OP_plus_uconst: case DW_OP_constu:
			ok = uleb(&p, end, &op->number);
			break;
		case DW_OP_fbreg: case DW_OP_consts:
			ok = sleb(&p, end, &op->number);
			break;
		case DW_OP_call_frame_cfa: case DW_OP_plus:
			break;
		default:
			ok = op->atom >= DW_OP_reg0 && op->atom <= DW_OP_reg31;
		}
		if (!ok)
			return 0;
	}
	return p == end ? n : 0;
}

void dwloc_param_entry(Dwarf_Die *param, uint64_t entry, uint32_t type_size, struct godwarf_loc *gl)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops[4], raw[2 * GOABI_MAX_PIECES + 2];
	size_t lens[4];
	Dwarf_Block blk;
	int n;

	memset(gl, 0, sizeof(*gl));
	if (!dwarf_attr(param, DW_AT_location, &a))
		return;
	switch (dwarf_whatform(&a)) {
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
		if (dwarf_formblock(&a, &blk) == 0)
			decode_loc(raw, block_ops(&blk, raw, sizeof(raw) / sizeof(raw[0])), type_size, gl);
		return;
	default:
		n = dwarf_getlocation_addr(&a, entry, ops, lens, 4);
		if (n >= 1)
			decode_loc(ops[0], lens[0], type_size, gl);
	}
}
