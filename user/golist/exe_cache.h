/* Cache of parsed executables for one golist run, keyed by device + inode + size + mtime. */
#ifndef GOTRACE_EXE_CACHE_H
#define GOTRACE_EXE_CACHE_H
#include <stdbool.h>
#include <sys/stat.h>

/* What the listing needs from an executable, copied out so the ELF can be closed. */
struct exe_info {
	int err;             /* 0, or why the file could not be read (-ENOEXEC: not ELF/corrupt) */
	bool is_go;
	char *version;       /* "go1.19.8", "unknown" */
	char *main_module;   /* NULL when absent */
	unsigned flags;      /* enum goelf_flags */
};

struct exe_cache;

int exe_cache_new(struct exe_cache **out);
void exe_cache_free(struct exe_cache *c);
/* The info for the executable st describes; parses /proc/PID/exe (relative to procfd) on
 * the first sight of that file. 0 with *out set, or -ENOMEM. */
int exe_cache_get(struct exe_cache *c, int procfd, int pid, const struct stat *st,
		  const struct exe_info **out);
/* How many distinct executables were parsed (for tests and the benchmark). */
unsigned exe_cache_parsed(const struct exe_cache *c);
#endif
