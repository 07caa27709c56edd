/* libFuzzer target: arbitrary bytes as an executable file through goelf_open_fd and every query, the moduledata scan and type names included. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "goelf/goelf.h"
#include "goelf/moduledata.h"
#include "goelf/typesym.h"

static int visit(const struct gofuncinfo *fi, void *ctx)
{
	size_t *n = ctx;
	/* touch what the callback gets; stop after a bounded number */
	*n += fi->name[0] + (fi->end >= fi->entry);
	return ++n[1] > 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct goelf *g;
	struct gofuncinfo fi = { 0 };
	struct pclntab_hdr h;
	size_t acc[2] = { 0, 0 };
	uint8_t buf[64];
	int fd = memfd_create("fuzz-goelf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	if (goelf_open_fd(fd, &g))
		return 0;
	(void)goelf_is_go(g);
	(void)goelf_go_version(g);
	(void)goelf_flags(g);
	const struct gobuildinfo *bi = goelf_buildinfo(g);
	if (bi) {
		char *text;
		if (!buildinfo_format(bi, &text))
			free(text);
	}
	if (!goelf_func_by_name(g, "main.main", &fi)) {
		(void)goelf_func_by_addr(g, fi.entry + 1, &fi);
		(void)goelf_read_vaddr(g, fi.entry, buf, sizeof(buf));
	}
	(void)goelf_func_by_name(g, "runtime.x", &fi);
	(void)goelf_func_by_addr(g, 0x400200, &fi);
	(void)goelf_funcs_foreach(g, visit, acc);
	(void)goelf_pclntab_hdr(g, &h);
	struct gomoduledata md = { 0 };
	struct typesym *ts;
	char name[64];
	if (!goelf_moduledata(g, &md))
		(void)typesym_name(NULL, md.types, false, name, sizeof(name));
	if (!typesym_open(g, &ts)) {
		/* descriptors and itabs at a few places the file itself points to */
		(void)typesym_name(ts, md.types, false, name, sizeof(name));
		(void)typesym_name(ts, md.types + 64, true, name, sizeof(name));
		(void)typesym_name(ts, fi.entry, false, name, sizeof(name));
		typesym_close(ts);
	}
	goelf_close(g);
	return 0;
}
