/* gotrace args/funcs: one traced executable and its functions, from FUNC patterns to probe-ready plans. */
#ifndef GOTRACE_ARGS_RESOLVE_H
#define GOTRACE_ARGS_RESOLVE_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "backend/args_ops.h"
#include "goabi/goabi.h"
#include "goelf/disasm.h"
#include "goelf/dwarf.h"
#include "goelf/goelf.h"
#include "goelf/typesym.h"

/* Where a function's signature came from. */
enum sig_source { SIG_DWARF, SIG_USER, SIG_RAW };

struct traced_func {
	struct gofuncinfo fi;
	struct gosig sig;
	enum sig_source source;
	struct abi_plan plan;
	bool plan_ok;
	int nargs;                  /* plan values [0, nargs) are arguments, the rest results */
	struct probe_points pp;
	struct fetch_plan entry, ret;
	struct tbin *bin;
	bool needs_freg;            /* some printed value lives in an X register */
};

/* One executable being traced. */
struct tbin {
	struct goelf *g;
	struct godwarf *dw;         /* NULL without DWARF */
	struct gotype_pool *pool;
	struct typesym *ts;         /* NULL when stripped */
	char attach_path[PATH_MAX]; /* what the uprobes name: /proc/PID/exe, --binary PATH, launched path */
	char display[PATH_MAX];     /* for messages: the executable's real path */
	dev_t dev;
	ino_t ino;
	int go_minor;
	struct g_offsets goff;
	bool have_goff;
	bool g_tls;                 /* g from TLS at FS base + g_tls_off (Go < 1.17), not R14 */
	int32_t g_tls_off;
	pid_t pids[64];
	size_t npids;
	struct traced_func *funcs;
	size_t nfuncs;
	/* load bias per process (PIE), filled lazily by tbin_load_bias, as many as -p takes.
	 * A failed lookup is not kept: right after an exec the maps may not show the image yet. */
	pid_t bias_pid[64];
	uint64_t bias[64];
	size_t nbias;
};

/* True when arg is a signature rather than a (possibly glob) function name: a '(' that
 * is not the "(*T)" of a method name. */
bool args_is_signature(const char *arg);

/* Opens path for tracing. 0, or -errno with err filled ("not a Go program", ...). */
int tbin_open(const char *path, const char *attach_path, struct tbin **out, char *err, size_t errlen);
void tbin_close(struct tbin *b);

/* Adds every function matching pattern (exact linker name, else glob) with its signature
 * (usig when given, else DWARF, else raw registers) and plan. ret: plan results too.
 * 0; -ENOENT with err "function 'X' not found in PATH; did you mean 'Y'?"; -errno. */
int tbin_add_funcs(struct tbin *b, const char *pattern, const struct gosig *usig, bool ret,
		   uint32_t strsize, char *err, size_t errlen);

/* Calls cb for the functions matching pattern (NULL: all), sorted by name. */
int tbin_list(struct tbin *b, const char *pattern,
	      int (*cb)(const struct gofuncinfo *fi, void *ctx), void *ctx);
/* Runtime address minus link-time address of b's image in process pid (0 unless PIE),
 * from /proc/PID/maps; cached per process. 0 or -ENOENT. */
int tbin_load_bias(struct tbin *b, pid_t pid, uint64_t *bias);

/* The DWARF signature of fi as text into buf, or -ENOENT. */
int tbin_sig_text(struct tbin *b, const struct gofuncinfo *fi, char *buf, size_t n);
#endif
