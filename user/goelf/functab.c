/* A module's function table: sorted by entry for address lookups, with a lazy by-name index. */
#include <errno.h>
#include <stdlib.h>
#include "goelf/internal.h"

static int cmp_entry(const void *a, const void *b)
{
	const struct gofunc *x = a, *y = b;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	/* among aliases the sized one first, so lookups land on it */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

int functab_init(struct functab *t, struct gofunc *v, size_t n)
{
	memset(t, 0, sizeof(*t));
	if (n > UINT32_MAX) {
		free(v);
		return -E2BIG;
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	/* A zero-size symbol (asm, C) is taken to run up to the next function. */
	for (size_t i = 0; i < n; i++) {
		if (v[i].end > v[i].entry)
			continue;
		size_t j = i + 1;
		while (j < n && v[j].entry == v[i].entry)
			j++;
		v[i].end = j < n ? v[j].entry : v[i].entry;
	}
	t->v = v;
	t->n = n;
	return 0;
}

const struct gofunc *functab_by_addr(const struct functab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {  /* first entry > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].entry <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/* Aliases share an entry; any of them that spans addr will do. */
	uint64_t entry = t->v[lo - 1].entry;
	for (size_t i = lo; i > 0 && t->v[i - 1].entry == entry; i--)
		if (addr < t->v[i - 1].end)
			return &t->v[i - 1];
	return NULL;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct gofunc *v = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(v[x].name, v[y].name);
	return c ? c : (x > y) - (x < y);
}

const struct gofunc *functab_by_name(struct functab *t, const char *name)
{
	if (!t->n)
		return NULL;
	if (!t->by_name) {
		uint32_t *idx = malloc(t->n * sizeof(*idx));
		if (!idx)
			return NULL;
		for (size_t i = 0; i < t->n; i++)
			idx[i] = (uint32_t)i;
		qsort_r(idx, t->n, sizeof(*idx), cmp_name, t->v);
		t->by_name = idx;
	}
	size_t lo = 0, hi = t->n;
	while (lo < hi) {  /* first name >= name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->v[t->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && !strcmp(t->v[t->by_name[lo]].name, name))
		return &t->v[t->by_name[lo]];
	return NULL;
}

void functab_free(struct functab *t)
{
	free(t->v);
	free(t->by_name);
	memset(t, 0, sizeof(*t));
}
