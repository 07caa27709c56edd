/* One pass over /proc: every process's parent, and the facts golist lists for each Go process. */
#include "golist/scan.h"
#include "golist/exe_cache.h"
#include "proc/agent.h"
#include "proc/memscan.h"
#include "proc/proc.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool denied_err(int err)
{
	return err == -EACCES || err == -EPERM;
}

static int push(void **v, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *nv = realloc(*v, nc * elem);
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*n)++;
	return 0;
}

/* Fills p for a Go process: exe path and the agent check. -errno only for -ENOMEM;
 * a process that vanished meanwhile gives 1 (skip it). */
static int fill_go(int procfd, struct golist_proc *p)
{
	struct proc_exe_path *exe = malloc(sizeof(*exe));
	int err;

	if (!exe)
		return -ENOMEM;
	err = proc_exe_path(procfd, p->pid, exe);
	if (err) {
		free(exe);
		return 1;
	}
	p->path = strdup(exe->path);
	p->deleted = exe->deleted;
	p->memfd = exe->memfd;
	free(exe);
	if (!p->path)
		return -ENOMEM;
	/* An agent that cannot be checked is shown as absent; the process is still listed. */
	proc_gops_agent(procfd, p->pid, &p->agent, &p->nspid);
	return 0;
}

/* Decides whether pid is a Go process; 0 and *is_go, or -errno. */
static int inspect(int procfd, struct exe_cache *cache, const struct proc_stat *ps,
		   struct golist_proc *p, bool *is_go)
{
	const struct exe_info *info;
	struct stat st;
	int err;

	*is_go = false;
	memset(p, 0, sizeof(*p));
	p->pid = ps->pid;
	p->ppid = ps->ppid;
	p->nspid = -1;
	snprintf(p->name, sizeof(p->name), "%s", ps->comm);
	err = proc_stat_exe(procfd, ps->pid, &st);
	if (err)
		return err;
	err = exe_cache_get(cache, procfd, ps->pid, &st, &info);
	if (err)
		return err;
	if (info->err && info->err != -ENOEXEC)
		return info->err;
	if (info->is_go) {
		p->version = strdup(info->version);
		p->main_module = info->main_module ? strdup(info->main_module) : NULL;
		p->flags = info->flags;
		if (!p->version || (info->main_module && !p->main_module))
			return -ENOMEM;
	} else {
		struct gobuildinfo bi;
		bool found;
		err = proc_memscan_go(procfd, ps->pid, &bi, &found);
		if (err || !found)
			return err;
		p->packed = true;
		p->version = strdup(bi.go_version);
		p->main_module = bi.main.path ? strdup(bi.main.path) : NULL;
		buildinfo_free(&bi);
		if (!p->version)
			return -ENOMEM;
	}
	err = fill_go(procfd, p);
	if (err) {
		free(p->version);
		free(p->main_module);
		return err < 0 ? err : -ESRCH;
	}
	*is_go = true;
	return 0;
}

static int cmp_proc(const void *a, const void *b)
{
	return ((const struct golist_proc *)a)->pid - ((const struct golist_proc *)b)->pid;
}

static int cmp_pair(const void *a, const void *b)
{
	return ((const struct golist_pair *)a)->pid - ((const struct golist_pair *)b)->pid;
}

int golist_scan(int procfd, struct golist_scan *out)
{
	size_t capgo = 0, capall = 0;
	struct exe_cache *cache;
	struct dirent *de;
	DIR *d;
	int dfd, err;

	memset(out, 0, sizeof(*out));
	dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	err = exe_cache_new(&cache);
	if (err) {
		closedir(d);
		return err;
	}
	while ((de = readdir(d))) {
		struct proc_stat ps;
		struct golist_proc p;
		bool is_go;
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		/* One read of stat gives ppid, comm and the kernel-thread flag; failure = exited. */
		if (proc_read_stat(procfd, pid, &ps))
			continue;
		err = push((void **)&out->all, &out->nall, &capall, sizeof(*out->all));
		if (err)
			break;
		out->all[out->nall - 1] = (struct golist_pair){ pid, ps.ppid };
		if ((ps.flags & PF_KTHREAD_FLAG) || ps.state == 'Z' || ps.state == 'X')
			continue;
		err = inspect(procfd, cache, &ps, &p, &is_go);
		if (err == -ENOMEM)
			break;
		if (denied_err(err))
			out->denied++;
		err = 0;
		if (!is_go)
			continue;
		err = push((void **)&out->go, &out->ngo, &capgo, sizeof(*out->go));
		if (err)
			break;
		out->go[out->ngo - 1] = p;
	}
	out->parsed = exe_cache_parsed(cache);
	exe_cache_free(cache);
	closedir(d);
	if (err) {
		golist_scan_free(out);
		return err;
	}
	if (out->ngo)
		qsort(out->go, out->ngo, sizeof(*out->go), cmp_proc);
	if (out->nall)
		qsort(out->all, out->nall, sizeof(*out->all), cmp_pair);
	return 0;
}

void golist_scan_free(struct golist_scan *s)
{
	for (size_t i = 0; i < s->ngo; i++) {
		free(s->go[i].path);
		free(s->go[i].version);
		free(s->go[i].main_module);
	}
	free(s->go);
	free(s->all);
	memset(s, 0, sizeof(*s));
}

void golist_scan_notice(const struct golist_scan *s)
{
	if (s->denied)
		fprintf(stderr, "golist: %zu process%s not inspected: permission denied (run as root to see them)\n",
			s->denied, s->denied == 1 ? "" : "es");
}
