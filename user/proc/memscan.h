/* Go detection from a running process's memory (/proc/PID/maps + /proc/PID/mem), for packed binaries. */
#ifndef GOTRACE_MEMSCAN_H
#define GOTRACE_MEMSCAN_H
#include <stdbool.h>
#include "goelf/goelf.h"

/* Looks for an unpacked Go image: only when the process has anonymous (or memfd) executable
 * memory, a build-info blob in a writable mapping AND a pclntab in a non-writable mapping
 * whose text start lies in an executable mapping (so a heap copy of a Go binary never
 * counts). On success *found is true and bi is filled (free with buildinfo_free).
 * exe_ino is the inode of /proc/PID/exe (already checked as a file: its own memfd mappings
 * are not unpacked memory), 0 when unknown. 0 or -errno (-EACCES when memory is unreadable). */
int proc_memscan_go(int procfd, int pid, unsigned long exe_ino, struct gobuildinfo *bi, bool *found);
#endif
