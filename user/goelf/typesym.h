/* Names of Go type descriptors and itabs by address, from .symtab (for printing interfaces). */
#ifndef GOTRACE_GOELF_TYPESYM_H
#define GOTRACE_GOELF_TYPESYM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "goelf/goelf.h"

struct typesym;

/* Indexes the type.* / go.itab.* symbols of g (Go <= 1.19 and the type:/go:itab. spelling
 * of later versions). 0, -ENOENT (stripped: no .symtab), -ENOMEM. */
int typesym_open(struct goelf *g, struct typesym **out);
void typesym_close(struct typesym *t);

/* Dynamic type name for a link-time address: a *_type ("main.point", "*main.T") or, with
 * itab, an *itab (the concrete type of "go.itab.*main.T,main.I"). 0 or -ENOENT. */
int typesym_name(const struct typesym *t, uint64_t vaddr, bool itab, char *buf, size_t n);
#endif
