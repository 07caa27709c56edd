/* Sockets of one process: /proc/PID/net/{tcp,tcp6,udp,udp6,unix} matched to its /proc/PID/fd inodes. */
#include "proc/sockets.h"
#include "proc/proc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

int proc_socket_inodes(int procfd, int pid, unsigned long **inodes, size_t *n)
{
	char rel[32];
	unsigned long *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(rel, sizeof(rel), "%d/fd", pid);
	fd = openat(procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d))) {
		char link[64];
		unsigned long ino;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(fd, de->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;  /* closed meanwhile */
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			unsigned long *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = ino;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_ulong);
	*inodes = v;
	*n = cnt;
	return 0;
}

static bool has_inode(const unsigned long *v, size_t n, unsigned long ino)
{
	return n && bsearch(&ino, v, n, sizeof(*v), cmp_ulong);
}

/* Appends the sockets of one table that belong to the process (inode in inodes). */
static int scan_table(int procfd, int pid, enum proc_proto proto, const unsigned long *inodes,
		      size_t ninodes, struct proc_sock **out, size_t *n, size_t *cap)
{
	static const char *files[] = { "tcp", "tcp6", "udp", "udp6", "unix" };
	char rel[48], *buf, *line, *save = NULL;
	size_t len;
	int err;

	snprintf(rel, sizeof(rel), "%d/net/%s", pid, files[proto]);
	err = proc_read_alloc(procfd, rel, &buf, &len);
	if (err)
		return err == -ENOENT ? 0 : err;  /* e.g. no IPv6 in this kernel */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct proc_sock s;
		int r = proto == PROTO_UNIX ? proc_parse_unix_line(line, &s)
					    : proc_parse_inet_line(line, proto, &s);
		if (r || !has_inode(inodes, ninodes, s.inode))
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct proc_sock *nv = realloc(*out, nc * sizeof(**out));
			if (!nv) {
				free(buf);
				return -ENOMEM;
			}
			*out = nv;
			*cap = nc;
		}
		(*out)[(*n)++] = s;
	}
	free(buf);
	return 0;
}

static int sockets_of(int procfd, int pid, int first, int last, struct proc_sock **out, size_t *n)
{
	unsigned long *inodes = NULL;
	size_t ninodes = 0, cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	err = proc_socket_inodes(procfd, pid, &inodes, &ninodes);
	if (err)
		return err;
	for (int p = first; p <= last && !err && ninodes; p++)
		err = scan_table(procfd, pid, (enum proc_proto)p, inodes, ninodes, out, n, &cap);
	free(inodes);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

int proc_sockets(int procfd, int pid, struct proc_sock **out, size_t *n)
{
	return sockets_of(procfd, pid, PROTO_TCP, PROTO_UNIX, out, n);
}

int proc_listens_on(int procfd, int pid, unsigned port, bool *yes)
{
	struct proc_sock *s;
	size_t n;
	int err = sockets_of(procfd, pid, PROTO_TCP, PROTO_TCP6, &s, &n);

	*yes = false;
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (s[i].listening && s[i].lport == port)
			*yes = true;
	free(s);
	return 0;
}
