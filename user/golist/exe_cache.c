/* Cache of parsed executables for one golist run, keyed by device + inode + size + mtime. */
#include "golist/exe_cache.h"
#include "goelf/goelf.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exe_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_sec;
	long mtime_nsec;
};

struct exe_slot {
	bool used;
	struct exe_key key;
	struct exe_info info;
};

struct exe_cache {
	struct exe_slot *slots;
	size_t cap, used;
	unsigned parsed;
	struct exe_info transient;  /* result for a process, not its file (it exited, EACCES) */
};

int exe_cache_new(struct exe_cache **out)
{
	struct exe_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->cap = 64;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void exe_cache_free(struct exe_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++) {
		free(c->slots[i].info.version);
		free(c->slots[i].info.main_module);
	}
	free(c->slots);
	free(c);
}

unsigned exe_cache_parsed(const struct exe_cache *c)
{
	return c->parsed;
}

static uint64_t key_hash(const struct exe_key *k)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t parts[] = { (uint64_t)k->dev, (uint64_t)k->ino, (uint64_t)k->size,
			     (uint64_t)k->mtime_sec, (uint64_t)k->mtime_nsec };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		h = (h ^ parts[i]) * 1099511628211ull;
	return h;
}

static bool key_eq(const struct exe_key *a, const struct exe_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

static struct exe_slot *find_slot(struct exe_slot *slots, size_t cap, const struct exe_key *k)
{
	size_t i = key_hash(k) & (cap - 1);

	while (slots[i].used && !key_eq(&slots[i].key, k))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct exe_cache *c)
{
	size_t ncap = c->cap * 2;
	struct exe_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].used)
			*find_slot(ns, ncap, &c->slots[i].key) = c->slots[i];
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
	return 0;
}

/* Opens /proc/PID/exe itself (never the path it names) and copies out the Go facts. */
static int parse_exe(int procfd, int pid, struct exe_info *info)
{
	struct goelf *g;
	char rel[32];
	int fd, err;

	snprintf(rel, sizeof(rel), "%d/exe", pid);
	fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		info->err = -errno;
		return 0;
	}
	err = goelf_open_fd(fd, &g);
	if (err) {
		info->err = err;
		return 0;
	}
	info->is_go = goelf_is_go(g);
	if (info->is_go) {
		const struct gobuildinfo *bi = goelf_buildinfo(g);
		const char *v = goelf_go_version(g);
		info->version = strdup(v ? v : "unknown");
		if (bi && bi->main.path)
			info->main_module = strdup(bi->main.path);
		info->flags = goelf_flags(g);
		if (!info->version || (bi && bi->main.path && !info->main_module)) {
			goelf_close(g);
			return -ENOMEM;
		}
	}
	goelf_close(g);
	return 0;
}

int exe_cache_get(struct exe_cache *c, int procfd, int pid, const struct stat *st,
		  const struct exe_info **out)
{
	struct exe_key k = { st->st_dev, st->st_ino, st->st_size, (long long)st->st_mtim.tv_sec,
			     st->st_mtim.tv_nsec };
	struct exe_slot *s;
	int err;

	s = find_slot(c->slots, c->cap, &k);
	if (s->used) {
		*out = &s->info;
		return 0;
	}
	if ((c->used + 1) * 2 > c->cap) {
		err = grow(c);
		if (err)
			return err;
		s = find_slot(c->slots, c->cap, &k);
	}
	memset(s, 0, sizeof(*s));
	err = parse_exe(procfd, pid, &s->info);
	if (err) {
		free(s->info.version);
		free(s->info.main_module);
		memset(s, 0, sizeof(*s));
		return err;
	}
	/* Access and exit errors belong to the process: another one of the same file may be ours. */
	int e = s->info.err;
	if (e == -EACCES || e == -EPERM || e == -ENOENT || e == -ESRCH) {
		memset(s, 0, sizeof(*s));
		c->transient = (struct exe_info){ .err = e };
		*out = &c->transient;
		return 0;
	}
	s->used = true;
	s->key = k;
	c->used++;
	c->parsed++;
	*out = &s->info;
	return 0;
}
