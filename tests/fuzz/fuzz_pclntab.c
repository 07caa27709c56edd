/* libFuzzer target: arbitrary bytes as a pclntab, through the header probe and the function table decoder. */
#include <stdint.h>
#include <stdlib.h>
#include "goelf/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pclntab_hdr h;
	struct gofunc *v;
	size_t n;
	if (pclntab_probe(data, size, &h))
		return 0;
	if (!pclntab_funcs(data, size, 0, &v, &n)) {
		struct functab t;
		if (!functab_init(&t, v, n)) {
			(void)functab_by_addr(&t, v[0].entry);
			(void)functab_by_name(&t, "main.a");
			functab_free(&t);
		}
	}
	return 0;
}
