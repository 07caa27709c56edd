/* golist's tree view: Go processes nested under their nearest Go ancestor. */
#include "golist/golist.h"
#include "golist/scan.h"
#include "output/json.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node {
	int parent;       /* index into scan.go, -1 for a root */
	int first_child;  /* index of the first child, -1 when none */
	int next;         /* next sibling */
};

static int cmp_pid_pair(const void *key, const void *elem)
{
	return *(const int *)key - ((const struct golist_pair *)elem)->pid;
}

static int cmp_pid_proc(const void *key, const void *elem)
{
	return *(const int *)key - ((const struct golist_proc *)elem)->pid;
}

/* Index of the nearest Go ancestor of go[i], following ppid through every process. */
static int go_ancestor(const struct golist_scan *s, size_t i)
{
	int pid = s->go[i].ppid;

	for (int hops = 0; pid > 0 && hops < 4096; hops++) {
		const struct golist_proc *g = bsearch(&pid, s->go, s->ngo, sizeof(*s->go), cmp_pid_proc);
		if (g)
			return (int)(g - s->go);
		const struct golist_pair *p = bsearch(&pid, s->all, s->nall, sizeof(*s->all), cmp_pid_pair);
		if (!p)
			break;
		pid = p->ppid;
	}
	return -1;
}

static void print_node(const struct golist_scan *s, const struct node *nodes, int i,
		       char *prefix, size_t plen, bool root, bool last, FILE *out)
{
	const struct golist_proc *p = &s->go[i];

	char name[64];

	fprintf(out, "%s%s%d %s %s%s\n", prefix, root ? "" : last ? "└── " : "├── ", p->pid,
		golist_printable(p->name, name, sizeof(name)), p->version, p->agent ? " *" : "");
	size_t add = root ? 0 : strlen(last ? "    " : "│   ");
	if (plen + add + 1 > 4096)
		return;  /* deeper than any real tree: stop indenting rather than overflow */
	if (!root)
		memcpy(prefix + plen, last ? "    " : "│   ", add + 1);
	for (int c = nodes[i].first_child; c >= 0; c = nodes[c].next)
		print_node(s, nodes, c, prefix, plen + add, false, nodes[c].next < 0, out);
	prefix[plen] = '\0';
}

/* The JSON writer nests 32 levels (two per node): deeper subtrees become top-level objects
 * of their own, still linked by tree_parent. */
#define JSON_TREE_DEPTH 14

static void json_node(struct json *j, const struct golist_scan *s, const struct node *nodes, int i,
		      int depth, bool *deferred)
{
	json_obj_begin(j, NULL);
	golist_json_proc(j, &s->go[i]);
	json_int(j, "tree_parent", nodes[i].parent >= 0 ? s->go[nodes[i].parent].pid : 0);
	json_arr_begin(j, "children");
	for (int c = nodes[i].first_child; c >= 0; c = nodes[c].next) {
		if (depth + 1 < JSON_TREE_DEPTH)
			json_node(j, s, nodes, c, depth + 1, deferred);
		else
			deferred[c] = true;
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_tree(struct json *j, const struct golist_scan *s, const struct node *nodes, bool *deferred)
{
	bool again = true;

	for (size_t i = 0; i < s->ngo; i++)
		if (nodes[i].parent < 0)
			json_node(j, s, nodes, (int)i, 0, deferred);
	while (again) {
		again = false;
		for (size_t i = 0; i < s->ngo; i++)
			if (deferred[i]) {
				deferred[i] = false;
				json_node(j, s, nodes, (int)i, 0, deferred);
				again = true;
			}
	}
}

int golist_tree(const struct golist_opts *o, FILE *out)
{
	struct golist_scan s;
	struct node *nodes;

	if (golist_scan_all(o, &s))
		return 1;
	nodes = calloc(s.ngo ? s.ngo : 1, sizeof(*nodes));
	bool *deferred = calloc(s.ngo ? s.ngo : 1, sizeof(*deferred));
	if (!nodes || !deferred) {
		free(nodes);
		free(deferred);
		golist_scan_free(&s);
		fprintf(stderr, "golist: %s\n", strerror(ENOMEM));
		return 1;
	}
	/* Children are linked in reverse PID order so that pushing to the front keeps them sorted. */
	for (size_t i = 0; i < s.ngo; i++)
		nodes[i] = (struct node){ go_ancestor(&s, i), -1, -1 };
	for (size_t k = s.ngo; k-- > 0;) {
		int par = nodes[k].parent;
		if (par >= 0) {
			nodes[k].next = nodes[par].first_child;
			nodes[par].first_child = (int)k;
		}
	}
	if (o->json) {
		struct json j;
		json_init(&j, out);
		json_tree(&j, &s, nodes, deferred);
	} else {
		char prefix[4096] = "";
		for (size_t i = 0; i < s.ngo; i++)
			if (nodes[i].parent < 0)
				print_node(&s, nodes, (int)i, prefix, 0, true, true, out);
	}
	fflush(out);
	golist_scan_notice(&s);
	free(nodes);
	free(deferred);
	golist_scan_free(&s);
	return 0;
}
