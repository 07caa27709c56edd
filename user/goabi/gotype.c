/* Go type values: the arena that owns them, predeclared types, and signature formatting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "goabi/goabi.h"

#define POOL_CHUNK 16384

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

/* The predeclared types, in the order of the cache array in the pool. */
static const struct basic_def {
	const char *spelling;   /* what a user writes */
	const char *name;       /* Go's own spelling (reflect / DWARF) */
	enum gokind kind;
	uint32_t size;
} basic_defs[] = {
	{ "bool", "bool", GK_BOOL, 1 },
	{ "int", "int", GK_INT, 8 },
	{ "int8", "int8", GK_INT, 1 },
	{ "int16", "int16", GK_INT, 2 },
	{ "int32", "int32", GK_INT, 4 },
	{ "int64", "int64", GK_INT, 8 },
	{ "uint", "uint", GK_UINT, 8 },
	{ "uint8", "uint8", GK_UINT, 1 },
	{ "uint16", "uint16", GK_UINT, 2 },
	{ "uint32", "uint32", GK_UINT, 4 },
	{ "uint64", "uint64", GK_UINT, 8 },
	{ "uintptr", "uintptr", GK_UINTPTR, 8 },
	{ "byte", "uint8", GK_UINT, 1 },
	{ "rune", "int32", GK_INT, 4 },
	{ "float32", "float32", GK_FLOAT, 4 },
	{ "float64", "float64", GK_FLOAT, 8 },
	{ "complex64", "complex64", GK_COMPLEX, 8 },
	{ "complex128", "complex128", GK_COMPLEX, 16 },
	{ "string", "string", GK_STRING, 16 },
	{ "unsafe.Pointer", "unsafe.Pointer", GK_UNSAFEPTR, 8 },
	{ "error", "error", GK_IFACE, 16 },
	{ "any", "interface {}", GK_EFACE, 16 },
	{ "interface{}", "interface {}", GK_EFACE, 16 },
	{ "interface {}", "interface {}", GK_EFACE, 16 },
};
#define NBASIC (sizeof(basic_defs) / sizeof(basic_defs[0]))

struct gotype_pool {
	struct pool_chunk *chunks;
	struct gotype *basic[NBASIC];
};

int gotype_pool_new(struct gotype_pool **out)
{
	struct gotype_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*out = p;
	return 0;
}

void gotype_pool_free(struct gotype_pool *p)
{
	if (!p)
		return;
	for (struct pool_chunk *c = p->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p);
}

void *gotype_pool_alloc(struct gotype_pool *p, size_t n)
{
	struct pool_chunk *c = p->chunks;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > POOL_CHUNK ? n : POOL_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = p->chunks;
		p->chunks = c;
	}
	void *r = c->data + c->used;

	c->used += n;
	memset(r, 0, n);
	return r;
}

char *gotype_pool_strdup(struct gotype_pool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = gotype_pool_alloc(p, n);

	if (r)
		memcpy(r, s, n);
	return r;
}

struct gotype *gotype_new(struct gotype_pool *p, enum gokind k, const char *name,
			  uint32_t size, uint32_t align)
{
	struct gotype *t = gotype_pool_alloc(p, sizeof(*t));

	if (!t)
		return NULL;
	t->name = gotype_pool_strdup(p, name ? name : "");
	if (!t->name)
		return NULL;
	t->kind = k;
	t->size = size;
	t->align = align;
	return t;
}

struct gotype *gotype_basic(struct gotype_pool *p, const char *name)
{
	for (size_t i = 0; i < NBASIC; i++) {
		const struct basic_def *d = &basic_defs[i];

		if (strcmp(d->spelling, name) != 0)
			continue;
		if (!p->basic[i]) {
			/* Multi-word predeclared types align to their word; complex to its halves. */
			uint32_t align = d->size > 8 ? 8 : d->size;

			if (d->kind == GK_COMPLEX)
				align = d->size / 2;
			p->basic[i] = gotype_new(p, d->kind, d->name, d->size, align);
		}
		return p->basic[i];
	}
	return NULL;
}

bool gotype_is_signed(const struct gotype *t)
{
	return t && t->kind == GK_INT;
}

/* snprintf that keeps appending after truncation and tracks the wanted length. */
struct sbuf {
	char *buf;
	size_t n, len;
};

static void sb_add(struct sbuf *sb, const char *s)
{
	size_t l = strlen(s);

	if (sb->n && sb->len < sb->n - 1) {
		size_t room = sb->n - 1 - sb->len;

		memcpy(sb->buf + sb->len, s, l < room ? l : room);
		sb->buf[sb->len + (l < room ? l : room)] = '\0';
	}
	sb->len += l;
}

static bool unnamed(const char *name)
{
	return !name || !*name || (name[0] == '~' && name[1] == 'r');
}

int gosig_format(const struct gosig *sig, char *buf, size_t n)
{
	struct sbuf sb = { buf, n, 0 };
	int nres = 0, first_res = -1;
	bool named_res = false;

	if (n)
		buf[0] = '\0';
	sb_add(&sb, sig->func ? sig->func : "?");
	sb_add(&sb, "(");
	for (int i = 0, k = 0; i < sig->nparams; i++) {
		const struct goparam *pm = &sig->params[i];

		if (pm->is_result) {
			if (first_res < 0)
				first_res = i;
			nres++;
			named_res |= !unnamed(pm->name);
			continue;
		}
		if (k++)
			sb_add(&sb, ", ");
		if (pm->name && *pm->name) {
			sb_add(&sb, pm->name);
			sb_add(&sb, " ");
		}
		sb_add(&sb, pm->type && pm->type->name ? pm->type->name : "?");
	}
	sb_add(&sb, ")");
	if (nres) {
		bool paren = nres > 1 || named_res;

		sb_add(&sb, paren ? " (" : " ");
		for (int i = first_res, k = 0; i < sig->nparams; i++) {
			const struct goparam *pm = &sig->params[i];

			if (!pm->is_result)
				continue;
			if (k++)
				sb_add(&sb, ", ");
			if (named_res && !unnamed(pm->name)) {
				sb_add(&sb, pm->name);
				sb_add(&sb, " ");
			}
			sb_add(&sb, pm->type && pm->type->name ? pm->type->name : "?");
		}
		if (paren)
			sb_add(&sb, ")");
	}
	return (int)sb.len;
}

int goabi_go_minor(const char *v)
{
	const char *p = v ? strstr(v, "go1.") : NULL;
	int minor = 0;

	if (!p)
		return 0;
	p += 4;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && minor < 1000)
		minor = minor * 10 + (*p++ - '0');
	return minor;
}

int goabi_g_offsets(enum goarch arch, int go_minor, struct g_offsets *out)
{
	/* runtime.g on amd64 starts stack{lo,hi}, stackguard0/1, _panic, _defer, m,
	 * sched (gobuf: 7 words), syscallsp, syscallpc, stktopsp, param, atomicstatus +
	 * stackLock (2 x uint32), then goid: 152, the same from go1.9 through 1.22
	 * (checked against go1.19's DWARF in test_dwarf). Newer releases stay out of
	 * the table until checked against their DWARF. */
	if (arch != GOARCH_AMD64 || go_minor <= 0 || go_minor > 22)
		return -ENOENT;
	out->goid = 152;
	out->stack_hi = 8;
	return 0;
}
