/* Go types of function parameters and the ABI plan saying where each value lives at entry/return. */
#ifndef GOTRACE_GOABI_H
#define GOTRACE_GOABI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gokind {
	GK_INVALID, GK_BOOL, GK_INT, GK_UINT, GK_UINTPTR, GK_FLOAT, GK_COMPLEX,
	GK_STRING, GK_SLICE, GK_ARRAY, GK_STRUCT, GK_PTR, GK_UNSAFEPTR,
	GK_IFACE,   /* non-empty interface: itab, data */
	GK_EFACE,   /* any / interface{}: type, data */
	GK_MAP, GK_CHAN, GK_FUNC,
};

struct gotype;

struct gofield {
	char *name;
	uint32_t offset;
	struct gotype *type;
};

/* A Go type as far as printing and ABI assignment need it. Trees are owned by a
 * gotype_pool (DWARF or signature parser); never freed one by one. */
struct gotype {
	enum gokind kind;
	char *name;             /* Go spelling: "int64", "[]uint8", "main.point", "*main.T" */
	uint32_t size;          /* bytes */
	uint32_t align;
	struct gotype *elem;    /* ptr/slice/array/chan element; map value */
	uint64_t len;           /* array length */
	struct gofield *fields; /* struct fields in order */
	int nfields;
};

struct goparam {
	char *name;             /* "" or "_" for blank/unnamed; "~r0" style for results */
	struct gotype *type;
	bool is_result;
};

struct gosig {
	char *func;             /* "main.computeE" */
	struct goparam *params; /* arguments first, then results, in declaration order */
	int nparams;
	bool abi0;              /* assembly (.abi0) function: stack ABI */
};

/* Where one register-sized (or smaller) piece of a value lives. */
enum loc_kind { LOC_IREG, LOC_FREG, LOC_STACK };

struct loc {
	enum loc_kind kind;
	uint8_t reg;            /* LOC_IREG: index into the ABI's integer register sequence
	                         * (amd64: RAX RBX RCX RDI RSI R8 R9 R10 R11); LOC_FREG: X index */
	uint8_t size;           /* bytes of this piece: 1, 2, 4 or 8 */
	int32_t stack_off;      /* LOC_STACK: offset from SP at entry (return address at 0) */
	uint32_t val_off;       /* offset of this piece inside the Go value's memory layout */
};

#define GOABI_MAX_PIECES 32

/* Reading a value back: start from a zeroed buffer of type->size bytes and copy each
 * piece's `size` bytes from its location to buf + val_off; the buffer then holds the
 * value's Go memory layout. Register values have one piece per scalar component (padding
 * stays zero). Stack values are contiguous from pieces[0].stack_off: one piece per
 * component when that fits, else 8-byte words (a value over 256 bytes keeps its first
 * 256 bytes; the rest is not planned). Zero-size values have no pieces. */

/* The assignment of one parameter or result. */
struct value_plan {
	int param;              /* index into gosig.params */
	int npieces;
	struct loc pieces[GOABI_MAX_PIECES];
	bool in_freg;           /* some piece lives in an X register (BPF cannot read it) */
	bool on_stack;          /* the whole value was assigned to the stack */
};

struct abi_plan {
	int nvalues;
	struct value_plan *values;  /* args then results, same order as gosig.params */
	int32_t arg_stack_size;     /* bytes of stack-assigned args (spill area excluded) */
};

enum goarch { GOARCH_AMD64 };

/* Plans sig under the register ABI (go >= 1.17 on amd64, !sig->abi0) or the stack ABI.
 * go_minor is the 1.N minor version (0 when unknown: assume register ABI). Pure: no I/O.
 * 0 or -errno; free with abi_plan_free. */
int goabi_plan(const struct gosig *sig, enum goarch arch, int go_minor, struct abi_plan *out);
void abi_plan_free(struct abi_plan *p);

/* Arena owning every gotype, field array and string made for one signature source
 * (DWARF reader, signature parser); everything is freed at once by gotype_pool_free. */
struct gotype_pool;

int gotype_pool_new(struct gotype_pool **out);
void gotype_pool_free(struct gotype_pool *p);
/* Zeroed memory owned by the pool; NULL when out of memory. */
void *gotype_pool_alloc(struct gotype_pool *p, size_t n);
char *gotype_pool_strdup(struct gotype_pool *p, const char *s);
/* A new type of kind k named name (copied) with the given size/align; NULL on ENOMEM. */
struct gotype *gotype_new(struct gotype_pool *p, enum gokind k, const char *name,
			  uint32_t size, uint32_t align);
/* A predeclared Go type by name for amd64 ("int64", "byte", "string", "any", "error",
 * "unsafe.Pointer", ...), created once per pool; NULL when name is not predeclared. */
struct gotype *gotype_basic(struct gotype_pool *p, const char *name);
/* Signed integer kinds are GK_INT; this tells int from uint for printing. */
bool gotype_is_signed(const struct gotype *t);
/* Formats "main.add(a int64, b string) (int, error)" into buf (always NUL-terminated,
 * truncated to n); returns the length it wanted, like snprintf. */
int gosig_format(const struct gosig *sig, char *buf, size_t n);

/* "go1.19.8" -> 19, "go1.17" -> 17; 0 when unknown (e.g. "unknown", "devel ..."). */
int goabi_go_minor(const char *go_version);

/* Offsets inside runtime.g the capture side needs (g is R14 at a Go function's entry). */
struct g_offsets {
	int32_t goid;           /* g.goid */
	int32_t stack_hi;       /* g.stack.hi */
};
/* Built-in table for stripped binaries (amd64, Go 1.17-1.22; older minors use the
 * oldest known layout); -ENOENT when go_minor is outside what the table knows. */
int goabi_g_offsets(enum goarch arch, int go_minor, struct g_offsets *out);
#endif
