/* One pass over /proc: every process's parent, and the facts golist lists for each Go process. */
#ifndef GOTRACE_GOLIST_SCAN_H
#define GOTRACE_GOLIST_SCAN_H
#include <stdbool.h>
#include <stddef.h>

/* A Go process as the list shows it. */
struct golist_proc {
	int pid, ppid;
	char name[64];
	char *path;          /* /proc/PID/exe link text without " (deleted)" */
	bool deleted, memfd;
	char *version;
	char *main_module;   /* NULL when unknown */
	unsigned flags;      /* enum goelf_flags; meaningless when packed */
	bool packed;         /* recognised from memory only */
	bool agent;
	int nspid;           /* -1 when not read */
};

struct golist_pair {
	int pid, ppid;
};

struct golist_scan {
	struct golist_proc *go;     /* sorted by pid */
	size_t ngo;
	struct golist_pair *all;    /* every process seen, sorted by pid */
	size_t nall;
	size_t denied;              /* processes that could not be inspected (EACCES/EPERM) */
	unsigned parsed;            /* distinct executables parsed */
};

/* Scans every process under procfd (an open "/proc"); 0 or -errno. */
int golist_scan(int procfd, struct golist_scan *out);
/* Same with a fixed number of scan threads (1-4; 0 = decide from idle CPUs), for tests. */
int golist_scan_threads(int procfd, size_t nthreads, struct golist_scan *out);
void golist_scan_free(struct golist_scan *s);
/* Prints the one stderr notice about uninspectable processes, when there are any. */
void golist_scan_notice(const struct golist_scan *s);
#endif
