/* gotrace args --ret: entry records waiting for their RET, keyed like the BPF in-flight map. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/args_pending.h"

#define NBUCKETS 16384

struct pent {
	struct pending_key k;
	struct pent *next;          /* bucket chain */
	struct pent *older, *newer; /* age list, for eviction */
	size_t size;
	unsigned char rec[];
};

struct pending {
	struct pent *b[NBUCKETS];
	struct pent *oldest, *newest;
	size_t n, cap;
};

static size_t bucket(const struct pending_key *k)
{
	uint64_t h = (k->g * 0x9e3779b97f4a7c15ull) ^ (k->depth * 0xc2b2ae3d27d4eb4full) ^ k->pid;

	return (size_t)(h >> 40) % NBUCKETS;
}

static bool key_eq(const struct pending_key *a, const struct pending_key *b)
{
	return a->pid == b->pid && a->g == b->g && a->depth == b->depth;
}

int pending_new(size_t cap, struct pending **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->cap = cap;
	return 0;
}

void pending_free(struct pending *p)
{
	if (!p)
		return;
	for (struct pent *e = p->oldest, *nx; e; e = nx) {
		nx = e->newer;
		free(e);
	}
	free(p);
}

/* Unlinks e from its bucket and the age list (e stays allocated). */
static void unlink_ent(struct pending *p, struct pent *e)
{
	struct pent **pp = &p->b[bucket(&e->k)];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	if (e->older)
		e->older->newer = e->newer;
	else
		p->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		p->newest = e->older;
	p->n--;
}

static struct pent *find(struct pending *p, const struct pending_key *k)
{
	for (struct pent *e = p->b[bucket(k)]; e; e = e->next)
		if (key_eq(&e->k, k))
			return e;
	return NULL;
}

int pending_put(struct pending *p, const struct pending_key *k, const void *rec, size_t size)
{
	struct pent *e = find(p, k);
	size_t b;

	if (e) {
		unlink_ent(p, e);
		free(e);
	}
	if (p->n >= p->cap && p->oldest) {
		e = p->oldest;
		unlink_ent(p, e);
		free(e);
	}
	e = malloc(sizeof(*e) + size);
	if (!e)
		return -ENOMEM;
	e->k = *k;
	e->size = size;
	memcpy(e->rec, rec, size);
	b = bucket(k);
	e->next = p->b[b];
	p->b[b] = e;
	e->newer = NULL;
	e->older = p->newest;
	if (p->newest)
		p->newest->newer = e;
	else
		p->oldest = e;
	p->newest = e;
	p->n++;
	return 0;
}

void *pending_take(struct pending *p, const struct pending_key *k, size_t *size)
{
	struct pent *e = find(p, k);
	void *rec;

	if (!e)
		return NULL;
	unlink_ent(p, e);
	/* hand out the record itself: move it to the start of the block */
	*size = e->size;
	rec = e;
	memmove(rec, e->rec, e->size);
	return rec;
}
