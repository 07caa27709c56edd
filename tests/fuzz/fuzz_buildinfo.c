/* libFuzzer target: arbitrary bytes as a .go.buildinfo blob whose pointers address the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "goelf/goelf.h"

struct image {
	const uint8_t *p;
	size_t n;
};

static int image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	const struct image *im = ctx;
	if (addr > im->n || n > im->n - addr)
		return -EFAULT;
	memcpy(buf, im->p + addr, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im = { data, size };
	struct mem_reader mem = { image_read, &im };
	struct gobuildinfo bi;
	long off = buildinfo_find(data, size);
	(void)off;
	if (!buildinfo_parse(data, size, &mem, &bi)) {
		char *text;
		if (!buildinfo_format(&bi, &text))
			free(text);
		buildinfo_free(&bi);
	}
	return 0;
}
