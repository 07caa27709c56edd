/* golist's commands: the list of Go processes, the tree, and one process's details. */
#ifndef GOTRACE_GOLIST_H
#define GOTRACE_GOLIST_H
#include <stdbool.h>
#include <stdio.h>

struct golist_opts {
	bool json;
	bool no_header;
	const char *proc;   /* procfs mount, "/proc" */
};

/* Each returns the exit code and prints its own one-line error. */
int golist_list(const struct golist_opts *o, FILE *out);
int golist_tree(const struct golist_opts *o, FILE *out);
int golist_detail(const struct golist_opts *o, int pid, FILE *out);

struct json;
struct golist_proc;
/* The list keys of one Go process (shared by the list and the tree). */
void golist_json_proc(struct json *j, const struct golist_proc *p);

/* s with control characters shown as '?', as ps does: names and paths are chosen by the
 * (possibly hostile) process and must not drive the terminal. Returns buf. */
const char *golist_printable(const char *s, char *buf, size_t cap);

/* Opens the procfs directory; prints the error. -errno on failure. */
int golist_open_proc(const struct golist_opts *o);

struct golist_scan;
/* Scans every process of o->proc into s; prints the error. 0 or -errno. */
int golist_scan_all(const struct golist_opts *o, struct golist_scan *s);
#endif
