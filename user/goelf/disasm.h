/* Disassembly of Go functions (capstone): the entry probe point and every RET. */
#ifndef GOTRACE_GOELF_DISASM_H
#define GOTRACE_GOELF_DISASM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "goelf/goelf.h"

/* Probe points of one function; offsets are bytes from the function's entry. */
struct probe_points {
	/* Offset of the conditional jump (JBE/JLS, rel8 or rel32) right after the stack-check
	 * CMP against g.stackguard0 ([R14+0x10], or [reg+0x10] with g loaded from TLS before
	 * Go 1.17): the BPF program tests CF|ZF there and skips the pass that goes to
	 * morestack. 0 when there is no stack check (NOSPLIT, small leaves). */
	uint32_t entry_off;
	bool has_stack_check;
	/* Offsets of every RET instruction (linear sweep of [entry, end)). */
	uint32_t *ret_offs;     /* malloc'd; free with probe_points_free */
	int nrets;
};

/* Analyses code (n bytes starting at link-time address vaddr). 0, -EINVAL (n == 0),
 * -ENOMEM, or -EIO (capstone failed to initialise). */
int disasm_probe_points(const uint8_t *code, size_t n, uint64_t vaddr, struct probe_points *out);
/* Reads fi's code with goelf_read_vaddr and analyses it. */
int disasm_func(struct goelf *g, const struct gofuncinfo *fi, struct probe_points *out);
void probe_points_free(struct probe_points *pp);
#endif
