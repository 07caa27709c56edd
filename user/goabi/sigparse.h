/* Parser for user-given Go signatures: 'main.add(a int64, b string) (int, error)'. */
#ifndef GOTRACE_GOABI_SIGPARSE_H
#define GOTRACE_GOABI_SIGPARSE_H
#include <stddef.h>
#include "goabi/goabi.h"

/* Parses text into sig (types, names and strings owned by pool). Accepted:
 *   [func ]NAME(PARAMS) [RESULT | (RESULTS)]
 * NAME is a linker name ("main.f", "main.(*T).M", "pkg/path.F[...]"). Parameters are
 * Go syntax: "a, b int", unnamed "int, string", "_ int", variadic "xs ...int" (= []int).
 * Types (amd64 sizes): bool, int*, uint*, uintptr, byte, rune, float32/64,
 * complex64/128, string, unsafe.Pointer, error, any, interface{...}, []T, [N]T, *T,
 * map[K]V, chan T (also chan<- / <-chan), func(...)..., struct{...} (fields "X, Y int32;
 * Z float64", embedded "T" not supported). Unnamed results get names "~r0", "~r1"...
 * A `.abi0` suffix on NAME sets sig->abi0.
 * 0, -EINVAL with a one-line reason in err ("expected ')' at column 17"), or -ENOMEM. */
int sigparse(const char *text, struct gotype_pool *pool, struct gosig *sig, char *err, size_t errlen);
/* Parses just a type ("[]string", "struct{X int}"); same errors. */
int sigparse_type(const char *text, struct gotype_pool *pool, struct gotype **out, char *err, size_t errlen);
#endif
