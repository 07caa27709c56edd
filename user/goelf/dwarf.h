/* DWARF reader (libdw): function parameters with Go types and locations, runtime.g offsets. */
#ifndef GOTRACE_GOELF_DWARF_H
#define GOTRACE_GOELF_DWARF_H
#include <stddef.h>
#include <stdint.h>
#include "goabi/goabi.h"
#include "goelf/goelf.h"

struct godwarf;

/* Opens the DWARF of g: plain .debug_*, SHF_COMPRESSED .debug_* or .zdebug_* sections
 * (compressed ones are inflated here, in parallel). g must outlive the handle. 0,
 * -ENOENT when the binary has no DWARF (e.g. built with -ldflags "-s -w"), -EIO, or
 * -ENOMEM. Functions are found per CU at first and through an index built after a few
 * lookups. */
int godwarf_open(struct goelf *g, struct godwarf **out);
/* The same with a bound on the memory the DWARF image takes: -EFBIG above max_bytes
 * (godwarf_open's bound is GODWARF_DEFAULT_MAX). A binary with no compressed section is
 * read in place from the mapped file; otherwise the image holds the sections the reader
 * needs, inflated or copied, and all of them count. */
#define GODWARF_DEFAULT_MAX ((size_t)1 << 30)
int godwarf_open_max(struct goelf *g, size_t max_bytes, struct godwarf **out);
void godwarf_close(struct godwarf *d);

/* Where DWARF says one parameter is at the function's entry PC, in goabi's terms
 * (LOC_IREG reg = index into the ABI integer sequence RAX RBX RCX RDI RSI R8 R9 R10 R11,
 * LOC_FREG reg = X index, LOC_STACK stack_off from SP at entry with the return address
 * at 0). npieces 0: DWARF has no location there (e.g. an unused parameter); known false. */
struct godwarf_loc {
	bool known;
	int npieces;
	struct loc pieces[GOABI_MAX_PIECES];
	/* DWARF pieces come in the order of the value's scalar components, like a plan's,
	 * but go1.19 sizes them without padding, so val_off can be off: comp[k] is the
	 * ordinal of pieces[k] among all ncomps DWARF pieces (optimised-out ones included). */
	uint8_t comp[GOABI_MAX_PIECES];
	int ncomps;
};

/* The parameters of one function exactly as DWARF lists them (no ABI reasoning):
 * names, types, result flags (DW_AT_variable_parameter) and entry locations, in DWARF
 * order (arguments, then results). Strings and types live in pool. sig->params and
 * *locs are pool memory too. 0 or -ENOENT (no DW_TAG_subprogram for it). fi->entry
 * (when non-zero) finds the function by address, else fi->name is searched. */
int godwarf_func_params(struct godwarf *d, const struct gofuncinfo *fi, struct gotype_pool *pool,
			struct gosig *sig, struct godwarf_loc **locs);

/* The signature gotrace args decodes with: the DWARF parameters, plus what Go leaves
 * out of DWARF but still passes in registers: blank `_` parameters and unnamed
 * receivers (restored as "_" from the gaps between the ABI positions and the DWARF
 * locations), the receiver of generated pointer-method wrappers ("_ *T"), and the
 * dictionary of shape-instantiated generics (".dict"); then the whole
 * goabi_plan(go_minor) cross-checked against every known DWARF location. sig->abi0 is
 * set for ".abi0" symbols. 0; -ENOENT (function not in DWARF, or an assembly function,
 * whose DIE lists no parameters); -EPROTO when the locations contradict the ABI rules
 * in a way blanks do not explain (err says which parameter and how). */
int godwarf_func_sig(struct godwarf *d, const struct gofuncinfo *fi, int go_minor,
		     struct gotype_pool *pool, struct gosig *sig, char *err, size_t errlen);

/* Checks plan (of sig) against locs (one per sig param); 0 or -EPROTO with err filled. */
int godwarf_check_plan(const struct gosig *sig, const struct abi_plan *plan,
		       const struct godwarf_loc *locs, char *err, size_t errlen);

/* runtime.g's goid and stack.hi offsets from DWARF; 0 or -ENOENT. */
int godwarf_g_offsets(struct godwarf *d, struct g_offsets *out);
/* The offsets from DWARF when d is non-NULL and has them, else goabi_g_offsets for
 * go_minor. 0 or -ENOENT. */
int godwarf_g_offsets_or_table(struct godwarf *d, int go_minor, struct g_offsets *out);
#endif
