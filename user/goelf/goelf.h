/* Go binary reader: opens an executable once and answers Go questions about it. */
#ifndef GOTRACE_GOELF_H
#define GOTRACE_GOELF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libelf.h>

/* One module line of the build info, as `go version -m` prints it. */
struct gomod {
	char *path;
	char *version;          /* "(devel)" for the main module when unversioned */
	char *sum;              /* "" when absent */
	struct gomod *replace;  /* "=>" line, or NULL */
};

struct gosetting {
	char *key;
	char *value;
};

/* Decoded .go.buildinfo blob (both the pre-1.18 pointer format and the 1.18+ inline format). */
struct gobuildinfo {
	char *go_version;       /* "go1.19.8" */
	char *path;             /* main package path ("path" line), or NULL */
	struct gomod main;      /* main module ("mod" line); main.path NULL when absent */
	struct gomod *deps;
	size_t ndeps;
	struct gosetting *settings;  /* "build" lines, in order */
	size_t nsettings;
};

/* Reads n bytes at virtual address addr of the program image; 0 or -errno. Lets the
 * pointer-format buildinfo and pclntab readers work on a file or on /proc/PID/mem alike. */
struct mem_reader {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *ctx;
};

enum goelf_flags {
	GOELF_STRIPPED = 1 << 0,  /* no .symtab */
	GOELF_PIE      = 1 << 1,  /* ET_DYN */
	GOELF_CGO      = 1 << 2,  /* build setting CGO_ENABLED=1, or dynamic with libc */
	GOELF_STATIC   = 1 << 3,  /* no PT_INTERP / PT_DYNAMIC */
	GOELF_DWARF    = 1 << 4,  /* has .debug_info / .zdebug_info */
};

/* A function as resolved from .symtab or, when stripped, from the pclntab. */
struct gofuncinfo {
	const char *name;       /* owned by the goelf; valid until goelf_close */
	uint64_t entry;         /* link-time virtual address */
	uint64_t end;           /* one past the last byte */
	uint64_t file_off;      /* file offset of entry (what a uprobe wants) */
};

struct goelf;

/* Opens path (e.g. "/proc/PID/exe": the open follows the magic link, so deleted,
 * replaced and other-namespace binaries work). 0, -ENOEXEC (not ELF/corrupt), or -errno. */
int goelf_open(const char *path, struct goelf **out);
/* Same on an open fd; takes ownership of fd (closed by goelf_close, also on error). */
int goelf_open_fd(int fd, struct goelf **out);
void goelf_close(struct goelf *g);

bool goelf_is_go(const struct goelf *g);
/* "go1.19.8"; "unknown" when Go is recognised only by its pclntab; NULL when not Go. */
const char *goelf_go_version(const struct goelf *g);
/* NULL when there is no build info blob. */
const struct gobuildinfo *goelf_buildinfo(const struct goelf *g);
unsigned int goelf_flags(const struct goelf *g);

/* Function lookups; 0 or -ENOENT. Names are the linker's ("main.computeE",
 * "net/http.(*conn).serve"). */
int goelf_func_by_name(struct goelf *g, const char *name, struct gofuncinfo *out);
int goelf_func_by_addr(struct goelf *g, uint64_t vaddr, struct gofuncinfo *out);
/* Calls cb for every function (stop early by returning non-zero, which is returned). */
int goelf_funcs_foreach(struct goelf *g, int (*cb)(const struct gofuncinfo *fi, void *ctx), void *ctx);

/* Link-time virtual address -> file offset via the PT_LOAD program headers. */
int goelf_vaddr_to_offset(const struct goelf *g, uint64_t vaddr, uint64_t *off);
/* Reads bytes of the file image at a virtual address (e.g. a function's code). */
int goelf_read_vaddr(struct goelf *g, uint64_t vaddr, void *buf, size_t n);

/* The underlying handles, for libdw (dwarf_begin_elf) and the disassembler. */
Elf *goelf_elf(struct goelf *g);
int goelf_fd(const struct goelf *g);

/* Offset of g from the thread pointer (FS base on amd64), where Go keeps g in TLS (the
 * only place before Go 1.17): from PT_TLS and runtime.tlsg, -8 without them. 0 or -errno. */
int goelf_tls_g_offset(struct goelf *g, int64_t *off);

/* Pure parsers, also used on process memory. */
/* Parses a .go.buildinfo blob starting at its 14-byte magic "\xff Go buildinf:".
 * mem resolves pointers of the pre-1.18 format (may be NULL for 1.18+ blobs). */
int buildinfo_parse(const uint8_t *blob, size_t n, const struct mem_reader *mem, struct gobuildinfo *out);
void buildinfo_free(struct gobuildinfo *bi);
/* Offset of the first buildinfo magic in buf at a 16-byte-aligned offset, or -1. */
long buildinfo_find(const uint8_t *buf, size_t n);
/* The module lines exactly as `go version -m` prints them after its first line, without
 * the leading tab of each line (Go's BuildInfo.String() minus the "go" line). *out is
 * malloc'd, "" when there is no module info. 0 or -ENOMEM. */
int buildinfo_format(const struct gobuildinfo *bi, char **out);

/* pclntab header, as found at runtime.pclntab (file or process memory). */
struct pclntab_hdr {
	uint32_t magic;         /* 0xfffffffb 1.2-1.15, ...fa 1.16-1.17, ...f0 1.18-1.19, ...f1 1.20+ */
	int go_version;         /* 102, 116, 118, 120: the oldest Go using this layout */
	bool big_endian;
	uint8_t quantum;        /* minimum instruction size: 1 on x86 */
	uint8_t ptrsize;        /* 4 or 8 */
	uint64_t nfunc;
	uint64_t text_start;    /* 1.18+: runtime.text (may be unrelocated in PIE files); else 0 */
	size_t hdr_size;        /* bytes of the header proper */
};
/* Pure header check: buf needs only the header's bytes (72 on 64-bit, 40 on 32-bit). Checks magic,
 * padding, quantum, pointer size and that the table offsets are ordered; 0 or -ENOEXEC. */
int pclntab_probe(const uint8_t *buf, size_t n, struct pclntab_hdr *out);
/* The binary's pclntab header; 0 or -ENOENT. Loads the pclntab on first use. */
int goelf_pclntab_hdr(struct goelf *g, struct pclntab_hdr *out);
#endif
