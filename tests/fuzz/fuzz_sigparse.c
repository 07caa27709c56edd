/* libFuzzer target: arbitrary text through the signature parser, then planning and formatting what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "goabi/goabi.h"
#include "goabi/sigparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[128], buf[256];
	struct gotype_pool *pool;
	struct gosig sig;
	struct abi_plan plan;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (gotype_pool_new(&pool)) {
		free(text);
		return 0;
	}
	if (sigparse(text, pool, &sig, err, sizeof(err)) == 0) {
		gosig_format(&sig, buf, sizeof(buf));
		for (int go_minor = 16; go_minor <= 19; go_minor += 3)
			if (goabi_plan(&sig, GOARCH_AMD64, go_minor, &plan) == 0)
				abi_plan_free(&plan);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();        /* the message must always be terminated */
	}
	gotype_pool_free(pool);
	free(text);
	return 0;
}
