/* Helpers for the goelf unit tests: fixture paths, patched in-memory copies, and nm/go output. */
#ifndef GOTRACE_GOELF_FIXTURE_H
#define GOTRACE_GOELF_FIXTURE_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "goelf/goelf.h"

/* $BUILD/fixtures/<name>; tests/run.sh exports BUILD and the fixtures are always built first. */
static inline const char *fixture(const char *name)
{
	static char path[4][4096];
	static int slot;
	const char *b = getenv("BUILD");
	char *p = path[slot++ % 4];
	snprintf(p, sizeof(path[0]), "%s/fixtures/%s", b ? b : "build", name);
	return p;
}

/* The whole file in a malloc'd buffer (exactly sized, so ASan sees over-reads). */
static inline uint8_t *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf = NULL;
	if (fd < 0 || fstat(fd, &st) || !(buf = malloc((size_t)st.st_size ? (size_t)st.st_size : 1)) ||
	    pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	} else {
		*n = (size_t)st.st_size;
	}
	if (fd >= 0)
		close(fd);
	return buf;
}

/* A memfd holding buf[0..n) for goelf_open_fd. */
static inline int memfd_of(const void *buf, size_t n)
{
	int fd = memfd_create("goelf-test", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (n && write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static inline int open_bytes(const void *buf, size_t n, struct goelf **g)
{
	int fd = memfd_of(buf, n);
	return fd < 0 ? fd : goelf_open_fd(fd, g);
}

/* Removes the section header table of an ELF64 image, as packers and some strippers do. */
static inline void drop_section_headers(uint8_t *img)
{
	memset(img + 0x28, 0, 8);  /* e_shoff */
	memset(img + 0x3c, 0, 4);  /* e_shnum, e_shstrndx */
}

/* Address of a defined symbol as nm(1) prints it; 0 when absent. */
static inline uint64_t nm_addr(const char *path, const char *sym)
{
	char cmd[4200], line[4096];
	uint64_t addr = 0;
	snprintf(cmd, sizeof(cmd), "nm '%s' 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char type, name[4096];
		unsigned long long a;
		if (sscanf(line, "%llx %c %4095s", &a, &type, name) == 3 && !strcmp(name, sym) && !addr)
			addr = a;
	}
	pclose(f);
	return addr;
}

/* Runs cmd and returns its stdout (malloc'd), or NULL. */
static inline char *run_output(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *out = NULL;
	size_t n = 0, cap = 0, k;
	char buf[4096];
	if (!f)
		return NULL;
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (n + k + 1 > cap) {
			cap = (n + k + 1) * 2;
			out = realloc(out, cap);
			if (!out)
				break;
		}
		memcpy(out + n, buf, k);
		n += k;
	}
	if (out)
		out[n] = 0;
	if (pclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
#endif
