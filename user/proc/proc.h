/* Reads /proc for one process: small files with one read, stat, exe, cmdline, environ, user. */
#ifndef GOTRACE_PROC_H
#define GOTRACE_PROC_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include "proc/procparse.h"

/* Reads the whole of /proc/<rel> (relative to the /proc dirfd) into a malloc'd,
 * NUL-terminated buffer; 0 or -errno. One openat + as few reads as the size needs. */
int proc_read_alloc(int procfd, const char *rel, char **buf, size_t *n);
/* Same into a caller buffer (truncates at cap-1); 0 or -errno. */
int proc_read_buf(int procfd, const char *rel, char *buf, size_t cap, size_t *n);

int proc_read_stat(int procfd, int pid, struct proc_stat *st);
int proc_read_status(int procfd, int pid, struct proc_status *st);
/* stat(2) of /proc/PID/exe: the executable itself (dev, inode, size, mtime), even when deleted. */
int proc_stat_exe(int procfd, int pid, struct stat *st);

/* Where /proc/PID/exe points, as the kernel says it (" (deleted)" suffix, "/memfd:..."). */
struct proc_exe_path {
	char path[4096];   /* the link text with any " (deleted)" suffix removed */
	bool deleted;
	bool memfd;
};
int proc_exe_path(int procfd, int pid, struct proc_exe_path *out);

/* NUL-separated argument block; *argc counted. */
int proc_read_cmdline(int procfd, int pid, char **buf, size_t *n, int *argc);
int proc_read_environ(int procfd, int pid, char **buf, size_t *n);

/* Calls fn for each line of /proc/PID/maps that parses, until fn returns non-zero, which
 * is returned; 0 at the end, -errno when the file cannot be opened. */
int proc_maps_foreach(int pid, int (*fn)(const struct proc_map *m, void *ctx), void *ctx);

/* User name of uid, or the number as text when unknown. */
void proc_user_name(long uid, char *buf, size_t cap);
/* Total memory in bytes from /proc/meminfo; 0 or -errno. */
int proc_mem_total(int procfd, unsigned long long *bytes);
/* Seconds since boot from /proc/uptime. */
int proc_uptime(int procfd, double *secs);
#endif
