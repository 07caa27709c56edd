/* Reads /proc for one process: small files with one read, stat, exe, cmdline, environ, user. */
#include "proc/proc.h"
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_read_buf(int procfd, const char *rel, char *buf, size_t cap, size_t *n)
{
	size_t got = 0;
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got + 1 < cap) {
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		if (r < 0) {
			int err = -errno;
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		/* Single-record files (stat, status) come whole in the first read: a short read is EOF. */
		if ((size_t)r < cap - 1 - (got - (size_t)r))
			break;
	}
	close(fd);
	buf[got] = '\0';
	*n = got;
	return 0;
}

/* oneshot: the file is produced whole per read (stat, environ, cmdline), so a short read is
 * EOF and the closing read returning 0 can be skipped; seq_file tables (maps, net) are not. */
static int read_alloc(int procfd, const char *rel, bool oneshot, char **out, size_t *n)
{
	/* Tables (maps, net tables) come in one read when the buffer holds them: start big. */
	size_t cap = oneshot ? 4096 : 65536, got = 0;
	char *buf = malloc(cap);
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (got + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (oneshot && got + 1 < cap)
			break;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	*n = got;
	return 0;
}

int proc_read_alloc(int procfd, const char *rel, char **out, size_t *n)
{
	return read_alloc(procfd, rel, false, out, n);
}

int proc_read_stat(int procfd, int pid, struct proc_stat *st)
{
	char rel[32], buf[1024];
	size_t n = 0;
	int err;

	snprintf(rel, sizeof(rel), "%d/stat", pid);
	err = proc_read_buf(procfd, rel, buf, sizeof(buf), &n);
	if (err)
		return err;
	return proc_parse_stat(buf, n, st);
}

int proc_read_status(int procfd, int pid, struct proc_status *st)
{
	char rel[32], buf[4096];
	size_t n = 0;
	int err;

	snprintf(rel, sizeof(rel), "%d/status", pid);
	err = proc_read_buf(procfd, rel, buf, sizeof(buf), &n);
	if (err)
		return err;
	return proc_parse_status(buf, n, st);
}

int proc_stat_exe(int procfd, int pid, struct stat *st)
{
	char rel[32];

	snprintf(rel, sizeof(rel), "%d/exe", pid);
	return fstatat(procfd, rel, st, 0) ? -errno : 0;
}

int proc_exe_path(int procfd, int pid, struct proc_exe_path *out)
{
	static const char suffix[] = " (deleted)";
	const size_t slen = sizeof(suffix) - 1;
	char rel[32];
	ssize_t n;

	snprintf(rel, sizeof(rel), "%d/exe", pid);
	n = readlinkat(procfd, rel, out->path, sizeof(out->path) - 1);
	if (n < 0)
		return -errno;
	out->path[n] = '\0';
	out->deleted = (size_t)n > slen && !strcmp(out->path + n - slen, suffix);
	if (out->deleted)
		out->path[n - (ssize_t)slen] = '\0';
	out->memfd = !strncmp(out->path, "/memfd:", 7);
	/* A memfd is never linked anywhere: "deleted" says nothing more about it. */
	if (out->memfd)
		out->deleted = false;
	return 0;
}

int proc_read_cmdline(int procfd, int pid, char **buf, size_t *n, int *argc)
{
	char rel[32];
	int err;

	snprintf(rel, sizeof(rel), "%d/cmdline", pid);
	err = read_alloc(procfd, rel, true, buf, n);
	if (err)
		return err;
	*argc = 0;
	for (size_t i = 0; i < *n; i++)
		if ((*buf)[i] == '\0')
			(*argc)++;
	if (*n && (*buf)[*n - 1] != '\0')
		(*argc)++;  /* the process rewrote its argv without a final NUL */
	return 0;
}

int proc_read_environ(int procfd, int pid, char **buf, size_t *n)
{
	char rel[32];

	snprintf(rel, sizeof(rel), "%d/environ", pid);
	return read_alloc(procfd, rel, true, buf, n);
}

void proc_user_name(long uid, char *buf, size_t cap)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (uid >= 0 && !getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) && res)
		snprintf(buf, cap, "%s", res->pw_name);
	else
		snprintf(buf, cap, "%ld", uid);
}

int proc_mem_total(int procfd, unsigned long long *bytes)
{
	char buf[256];
	size_t n;
	unsigned long long kb;
	int err = proc_read_buf(procfd, "meminfo", buf, sizeof(buf), &n);

	if (err)
		return err;
	if (sscanf(buf, "MemTotal: %llu kB", &kb) != 1)
		return -EINVAL;
	*bytes = kb * 1024;
	return 0;
}

int proc_uptime(int procfd, double *secs)
{
	char buf[128];
	size_t n;
	int err = proc_read_buf(procfd, "uptime", buf, sizeof(buf), &n);

	if (err)
		return err;
	return sscanf(buf, "%lf", secs) == 1 ? 0 : -EINVAL;
}

int proc_maps_foreach(int pid, int (*fn)(const struct proc_map *m, void *ctx), void *ctx)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!r && (len = getline(&line, &cap, f)) > 0) {
		struct proc_map m;

		if (!proc_parse_maps_line(line, (size_t)len, &m))
			r = fn(&m, ctx);
	}
	free(line);
	fclose(f);
	return r;
}
