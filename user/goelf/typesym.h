/* Names of Go type descriptors and itabs by address: .symtab, else decoded descriptors (for printing interfaces). */
#ifndef GOTRACE_GOELF_TYPESYM_H
#define GOTRACE_GOELF_TYPESYM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "goelf/goelf.h"

struct typesym;

/* Indexes the type.* / go.itab.* symbols of g (Go <= 1.19 and the type:/go:itab. spelling
 * of later versions) and finds runtime.types, from its symbol or, stripped, from the
 * runtime's moduledata. 0, -ENOENT (neither symbols nor a moduledata), -ENOMEM. */
int typesym_open(struct goelf *g, struct typesym **out);
void typesym_close(struct typesym *t);

/* Dynamic type name for a type word of a process whose image is g moved by bias
 * (run-time minus link-time address; 0 unless PIE): a *_type ("main.point", "*main.T")
 * or, with itab, an *itab, named by its concrete type ("*main.T" of
 * "go.itab.*main.T,main.I"). Symbols first, else the descriptor's name. An itab the
 * runtime made is not in the file: mem (run-time addresses; may be NULL) reads its
 * _type from the live process. t may be NULL. 0 or -ENOENT. */
int typesym_name_rt(struct typesym *t, uint64_t word, uint64_t bias, bool itab,
		    const struct mem_reader *mem, char *buf, size_t n);
/* The same for a link-time address and no process. */
int typesym_name(struct typesym *t, uint64_t vaddr, bool itab, char *buf, size_t n);
#endif
