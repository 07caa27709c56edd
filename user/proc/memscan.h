/* Go detection from a running process's memory (/proc/PID/maps + /proc/PID/mem), for packed binaries. */
#ifndef GOTRACE_MEMSCAN_H
#define GOTRACE_MEMSCAN_H
#include <stdbool.h>
#include "goelf/goelf.h"

/* Looks for an unpacked Go image: only when the process has anonymous (or memfd) executable
 * memory, a build-info blob in a writable mapping AND a pclntab in a non-writable mapping
 * whose text start lies in an executable mapping (so a heap copy of a Go binary never
 * counts). On success *found is true and bi is filled (free with buildinfo_free).
 * 0 or -errno (-EACCES when the memory cannot be read). */
int proc_memscan_go(int procfd, int pid, struct gobuildinfo *bi, bool *found);
#endif
