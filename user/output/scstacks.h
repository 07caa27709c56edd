/* Syscall call paths (--stacks): user stacks symbolised with the Go pclntab, top paths and folded output. */
#ifndef GOTRACE_SCSTACKS_H
#define GOTRACE_SCSTACKS_H
#include <stdio.h>
#include <sys/types.h>
#include "backend/backend.h"
#include "output/sctable.h"

struct scsym;

int scsym_new(struct scsym **out);
/* Opens pid's executable (via /proc/PID/exe, so deleted binaries work) and its load bias
 * (PIE) from /proc/PID/maps; call while the process runs, after its exec. 0 or -errno. */
int scsym_add(struct scsym *s, pid_t pid);
/* The Go function containing ip of pid, or "[unknown]"/hex text in buf. */
const char *scsym_name(struct scsym *s, pid_t pid, uint64_t ip, char *buf, size_t len);
void scsym_free(struct scsym *s);

/* Prints, for each syscall shown in the table (top as in sctable_print), its `paths` most
 * frequent call paths, innermost frame first. */
void scstacks_print(FILE *f, const struct sc_summary *sum, size_t top, const struct sc_stack *st,
		    size_t n, struct scsym *sym, size_t paths);
/* Writes folded stacks, one "outer;...;inner;syscall count" line per distinct path. */
int scstacks_folded(FILE *f, const struct sc_stack *st, size_t n, struct scsym *sym);
#endif
