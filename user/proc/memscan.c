/* Go detection from a running process's memory (/proc/PID/maps + /proc/PID/mem), for packed binaries. */
#include "proc/memscan.h"
#include "proc/proc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK        (1u << 20)
#define MAP_CAP      (64ull << 20)   /* bytes scanned per mapping: a data segment fits easily */
#define TOTAL_CAP    (256ull << 20)  /* bytes scanned per process */
#define BLOB_MAX     (64u << 10)     /* bytes handed to buildinfo_parse */

struct region {
	uint64_t start, end;
	bool r, w, x, image;  /* image: anonymous or memfd, where an unpacker puts the program */
};

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	int fd = *(int *)ctx;
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(addr + got));
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		got += (size_t)r;
	}
	return 0;
}

static int read_regions(int procfd, int pid, unsigned long exe_ino, struct region **out, size_t *n)
{
	char rel[32], *buf, *p, *end;
	struct region *v = NULL;
	size_t len, cnt = 0, cap = 0;
	int err;

	snprintf(rel, sizeof(rel), "%d/maps", pid);
	err = proc_read_alloc(procfd, rel, &buf, &len);
	if (err)
		return err;
	for (p = buf, end = buf + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct proc_map m;

		if (!proc_parse_maps_line(p, ll, &m)) {
			if (cnt == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct region *nv = realloc(v, nc * sizeof(*v));
				if (!nv) {
					free(v);
					free(buf);
					return -ENOMEM;
				}
				v = nv;
				cap = nc;
			}
			bool special = m.name_len && m.name[0] == '[';
			bool memfd = m.name_len > 7 && !strncmp(m.name, "/memfd:", 7);
			v[cnt++] = (struct region){ m.start, m.end, m.r, m.w, m.x,
						    !special && !m.shared &&
						    (m.inode == 0 || (memfd && m.inode != exe_ino)) };
		}
		p = nl ? nl + 1 : end;
	}
	free(buf);
	*out = v;
	*n = cnt;
	return 0;
}

static bool in_exec(const struct region *v, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].x && addr >= v[i].start && addr < v[i].end)
			return true;
	return false;
}

/* The first function's PC of a pclntab at addr: the header field from Go 1.18, else the
 * first functab entry (1.16-1.17: at pclnOffset; before: right after nfunc). */
static int pclntab_text(int *fd, uint64_t addr, const struct pclntab_hdr *h, uint64_t *text)
{
	uint64_t off, pc = 0;
	size_t ps = h->ptrsize;

	if (h->text_start) {
		*text = h->text_start;
		return 0;
	}
	if (h->big_endian || ps != 8)
		return -ENOTSUP;  /* 64-bit little-endian hosts only read their own kind */
	if (h->magic == 0xfffffffa) {
		if (mem_read(fd, addr + 8 + 6 * ps, &off, ps))
			return -EIO;
	} else {
		off = 8 + ps;
	}
	if (mem_read(fd, addr + off, &pc, ps))
		return -EIO;
	*text = pc;
	return 0;
}

/* Scans the non-writable image mappings for a pclntab whose text lies in executable memory. */
static bool find_pclntab(int *fd, const struct region *v, size_t n, uint8_t *chunk)
{
	uint64_t budget = TOTAL_CAP;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].r || v[i].w || !v[i].image)
			continue;
		uint64_t lim = v[i].end - v[i].start > MAP_CAP ? v[i].start + MAP_CAP : v[i].end;
		for (uint64_t a = v[i].start; a < lim && budget; a += CHUNK) {
			size_t len = lim - a > CHUNK ? CHUNK : (size_t)(lim - a);
			if (mem_read(fd, a, chunk, len))
				break;
			budget = budget > len ? budget - len : 0;
			for (size_t o = 0; o + 64 <= len; o += 8) {
				struct pclntab_hdr h;
				uint64_t text;
				if (chunk[o + 4] || chunk[o + 5] || (chunk[o] & 0xf0) != 0xf0)
					continue;  /* cheap pre-check: magic ends in 0xf?, then two zero bytes */
				if (pclntab_probe(chunk + o, len - o, &h))
					continue;
				if (!pclntab_text(fd, a + o, &h, &text) && in_exec(v, n, text))
					return true;
			}
		}
	}
	return false;
}

/* Scans writable mappings at 16-byte steps for a build-info blob that parses. */
static bool find_buildinfo(int *fd, const struct region *v, size_t n, uint8_t *chunk,
			   struct gobuildinfo *bi)
{
	struct mem_reader mem = { mem_read, fd };
	uint64_t budget = TOTAL_CAP;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].r || !v[i].w || !v[i].image)
			continue;
		uint64_t lim = v[i].end - v[i].start > MAP_CAP ? v[i].start + MAP_CAP : v[i].end;
		for (uint64_t a = v[i].start; a < lim && budget; a += CHUNK) {
			size_t len = lim - a > CHUNK ? CHUNK : (size_t)(lim - a);
			long off;
			if (mem_read(fd, a, chunk, len))
				break;
			budget = budget > len ? budget - len : 0;
			for (size_t base = 0; base < len; base += (size_t)off + 16) {
				off = buildinfo_find(chunk + base, len - base);
				if (off < 0)
					break;
				uint64_t at = a + base + (uint64_t)off;
				size_t blen = v[i].end - at > BLOB_MAX ? BLOB_MAX : (size_t)(v[i].end - at);
				uint8_t *blob = malloc(blen);
				if (!blob)
					return false;
				int err = mem_read(fd, at, blob, blen);
				if (!err)
					err = buildinfo_parse(blob, blen, &mem, bi);
				free(blob);
				if (!err && bi->go_version)
					return true;
				if (!err)
					buildinfo_free(bi);
			}
		}
	}
	return false;
}

int proc_memscan_go(int procfd, int pid, unsigned long exe_ino, struct gobuildinfo *bi, bool *found)
{
	struct region *v;
	size_t n;
	bool image_exec = false;
	uint8_t *chunk;
	char rel[32];
	int fd, err;

	*found = false;
	memset(bi, 0, sizeof(*bi));
	err = read_regions(procfd, pid, exe_ino, &v, &n);
	if (err)
		return err;
	/* Without unpacked executable memory there is nothing a file scan missed: skip the reads. */
	for (size_t i = 0; i < n; i++)
		image_exec |= v[i].x && v[i].image;
	if (!image_exec) {
		free(v);
		return 0;
	}
	snprintf(rel, sizeof(rel), "%d/mem", pid);
	fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(v);
		return err;
	}
	chunk = malloc(CHUNK);
	if (!chunk) {
		err = -ENOMEM;
	} else if (find_buildinfo(&fd, v, n, chunk, bi)) {
		if (find_pclntab(&fd, v, n, chunk))
			*found = true;
		else
			buildinfo_free(bi);
	}
	free(chunk);
	close(fd);
	free(v);
	return err;
}
