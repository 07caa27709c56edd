/* Internal to the DWARF reader: type conversion and location decoding shared by its files. */
#ifndef GOTRACE_GOELF_DWARF_INTERNAL_H
#define GOTRACE_GOELF_DWARF_INTERNAL_H
#include <elfutils/libdw.h>
#include "goabi/goabi.h"
#include "goelf/dwarf.h"

/* Go's DWARF extensions (cmd/internal/dwarf). */
#define DW_AT_go_kind 0x2900
#define DW_AT_go_key  0x2901
#define DW_AT_go_elem 0x2902

/* reflect.Kind values carried by DW_AT_go_kind. */
enum {
	GOKIND_UINTPTR = 12, GOKIND_ARRAY = 17, GOKIND_CHAN = 18, GOKIND_FUNC = 19,
	GOKIND_INTERFACE = 20, GOKIND_MAP = 21, GOKIND_PTR = 22, GOKIND_SLICE = 23,
	GOKIND_STRING = 24, GOKIND_STRUCT = 25, GOKIND_UNSAFEPTR = 26,
};

/* One conversion session: memoises DIE offset -> gotype so shared and recursive types
 * are converted once. */
struct dwtype_conv;

int dwtype_conv_new(struct gotype_pool *pool, struct dwtype_conv **out);
void dwtype_conv_free(struct dwtype_conv *cv);
/* The gotype of the type DIE; NULL on ENOMEM or an unusable DIE. Pointees are converted
 * only shallowly (kind, name, size) past a small depth: values behind pointers print as
 * addresses, and a full walk of e.g. *runtime.g would pull in much of the runtime. */
struct gotype *dwtype_convert(struct dwtype_conv *cv, Dwarf_Die *die);

/* Where parameter DIE param (of type_size bytes) is at address entry (the function's
 * low_pc), from its DW_AT_location; gl->known false when DWARF does not say. */
void dwloc_param_entry(Dwarf_Die *param, uint64_t entry, uint32_t type_size, struct godwarf_loc *gl);

/* godwarf_func_params, also saying whether the DIE is a compiler-generated wrapper
 * (DW_AT_trampoline), whose receiver has no DIE. */
int dw_func_params(struct godwarf *d, const struct gofuncinfo *fi, struct gotype_pool *pool,
		   struct gosig *sig, struct godwarf_loc **locs, bool *trampoline);
#endif
