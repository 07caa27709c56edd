/* The runtime's first moduledata, found without symbols: where type descriptors live. */
#ifndef GOTRACE_GOELF_MODULEDATA_H
#define GOTRACE_GOELF_MODULEDATA_H
#include <stdint.h>
#include "goelf/goelf.h"

/* Link-time addresses read from runtime.firstmoduledata. */
struct gomoduledata {
	uint64_t addr;          /* of the moduledata itself */
	uint64_t text, etext;
	uint64_t types, etypes; /* runtime.types..runtime.etypes: base of a descriptor's nameOffs */
};

/* Finds the moduledata by its first field, pcHeader (Go 1.16+), which points at the
 * pclntab: scans .noptrdata, then .data (without section headers: the writable
 * segments) for that word and keeps the first candidate whose text/etext, minpc/maxpc
 * and types/etypes fit the image. 0; -ENOENT (not found, not Go); -ENOTSUP (the pclntab
 * is older than Go 1.16, whose moduledata does not start with pcHeader). */
int goelf_moduledata(struct goelf *g, struct gomoduledata *out);
#endif
