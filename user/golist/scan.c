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
#include <pthread.h>
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

/* What the scan threads share: the executable cache is the only mutable part. */
struct scan_shared {
	int procfd;
	struct exe_cache *cache;
	pthread_mutex_t lock;
	const int *pids;
	size_t npids;
};

/* Copies the cached facts of the process's executable; the cache may move once unlocked. */
static int exe_facts(struct scan_shared *sh, int pid, const struct stat *st, struct golist_proc *p,
		     bool *file_go)
{
	const struct exe_info *info;
	int err;

	pthread_mutex_lock(&sh->lock);
	err = exe_cache_get(sh->cache, sh->procfd, pid, st, &info);
	if (!err && info->err && info->err != -ENOEXEC)
		err = info->err;
	*file_go = !err && info->is_go;
	if (*file_go) {
		p->version = strdup(info->version);
		p->main_module = info->main_module ? strdup(info->main_module) : NULL;
		p->flags = info->flags;
		if (!p->version || (info->main_module && !p->main_module))
			err = -ENOMEM;
	}
	pthread_mutex_unlock(&sh->lock);
	return err;
}

/* Decides whether pid is a Go process; 0 and *is_go, or -errno. */
static int inspect(struct scan_shared *sh, const struct proc_stat *ps, struct golist_proc *p, bool *is_go)
{
	struct stat st;
	bool file_go;
	int err;

	*is_go = false;
	memset(p, 0, sizeof(*p));
	p->pid = ps->pid;
	p->ppid = ps->ppid;
	p->nspid = -1;
	snprintf(p->name, sizeof(p->name), "%s", ps->comm);
	err = proc_stat_exe(sh->procfd, ps->pid, &st);
	if (!err)
		err = exe_facts(sh, ps->pid, &st, p, &file_go);
	if (!err && !file_go) {
		struct gobuildinfo bi;
		bool found;
		err = proc_memscan_go(sh->procfd, ps->pid, (unsigned long)st.st_ino, &bi, &found);
		if (err || !found)
			return err;
		p->packed = true;
		p->version = strdup(bi.go_version);
		p->main_module = bi.main.path ? strdup(bi.main.path) : NULL;
		buildinfo_free(&bi);
		if (!p->version)
			err = -ENOMEM;
	}
	if (!err)
		err = fill_go(sh->procfd, p);
	if (err) {
		free(p->version);
		free(p->main_module);
		return err < 0 ? err : -ESRCH;
	}
	*is_go = true;
	return 0;
}

/* One scan thread's share of the PIDs (every step-th from first) and what it found. */
struct scan_part {
	struct scan_shared *sh;
	size_t first, step;
	struct golist_scan res;
	size_t capgo, capall;
	int err;
};

static void *scan_part_run(void *arg)
{
	struct scan_part *w = arg;
	struct scan_shared *sh = w->sh;
	struct golist_scan *out = &w->res;

	for (size_t i = w->first; i < sh->npids && !w->err; i += w->step) {
		int pid = sh->pids[i], err;
		struct proc_stat ps;
		struct golist_proc p;
		bool is_go;

		/* One read of stat gives ppid, comm and the kernel-thread flag; failure = exited. */
		if (proc_read_stat(sh->procfd, pid, &ps))
			continue;
		if ((w->err = push((void **)&out->all, &out->nall, &w->capall, sizeof(*out->all))))
			break;
		out->all[out->nall - 1] = (struct golist_pair){ pid, ps.ppid };
		if ((ps.flags & PF_KTHREAD_FLAG) || ps.state == 'Z' || ps.state == 'X')
			continue;
		err = inspect(sh, &ps, &p, &is_go);
		if (err == -ENOMEM) {
			w->err = err;
			break;
		}
		if (denied_err(err))
			out->denied++;
		if (!is_go)
			continue;
		if ((w->err = push((void **)&out->go, &out->ngo, &w->capgo, sizeof(*out->go)))) {
			free(p.path);
			free(p.version);
			free(p.main_module);
			break;
		}
		out->go[out->ngo - 1] = p;
	}
	return NULL;
}

static int cmp_proc(const void *a, const void *b)
{
	return ((const struct golist_proc *)a)->pid - ((const struct golist_proc *)b)->pid;
}

static int cmp_pair(const void *a, const void *b)
{
	return ((const struct golist_pair *)a)->pid - ((const struct golist_pair *)b)->pid;
}

static int read_pids(int procfd, int **out, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd, err = 0;

	*out = NULL;
	*n = 0;
	dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0])) {
			if ((err = push((void **)out, n, &cap, sizeof(**out))))
				break;
			(*out)[*n - 1] = atoi(de->d_name);
		}
	closedir(d);
	return err;
}

/* Appends src's arrays to dst (dst takes ownership of the entries). */
static int merge(struct golist_scan *dst, struct golist_scan *src)
{
	struct golist_proc *go = realloc(dst->go, (dst->ngo + src->ngo + 1) * sizeof(*go));
	if (go)
		dst->go = go;
	struct golist_pair *all = realloc(dst->all, (dst->nall + src->nall + 1) * sizeof(*all));
	if (all)
		dst->all = all;
	if (!go || !all)
		return -ENOMEM;
	if (src->ngo)
		memcpy(dst->go + dst->ngo, src->go, src->ngo * sizeof(*go));
	if (src->nall)
		memcpy(dst->all + dst->nall, src->all, src->nall * sizeof(*all));
	dst->ngo += src->ngo;
	dst->nall += src->nall;
	dst->denied += src->denied;
	free(src->go);
	free(src->all);
	memset(src, 0, sizeof(*src));
	return 0;
}

/* Reading /proc is all system-call time, independent per process: extra threads split the
 * wall time, but only on CPUs that are idle right now (measured: on a saturated machine a
 * second thread only adds fd-table contention). The runnable count in /proc/loadavg says. */
static size_t scan_threads(int procfd, size_t npids)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[128];
	size_t n;
	int running;

	if (npids < 256 || cpus < 2)
		return 1;
	if (proc_read_buf(procfd, "loadavg", buf, sizeof(buf), &n) ||
	    sscanf(buf, "%*f %*f %*f %d/", &running) != 1)
		return 1;
	long idle = cpus - (running - 1);  /* the runnable count includes this thread */
	if (idle < 1)
		return 1;
	long t = 1 + idle;
	if (t > cpus)
		t = cpus;
	return t > 4 ? 4 : (size_t)t;
}

int golist_scan(int procfd, struct golist_scan *out)
{
	return golist_scan_threads(procfd, 0, out);
}

int golist_scan_threads(int procfd, size_t nthreads, struct golist_scan *out)
{
	struct scan_shared sh = { .procfd = procfd };
	struct scan_part parts[4];
	pthread_t tids[4];
	bool running[4] = { false };
	int *pids, err;

	memset(out, 0, sizeof(*out));
	err = read_pids(procfd, &pids, &sh.npids);
	if (err) {
		free(pids);
		return err;
	}
	sh.pids = pids;
	err = exe_cache_new(&sh.cache);
	if (err) {
		free(pids);
		return err;
	}
	pthread_mutex_init(&sh.lock, NULL);
	if (!nthreads)
		nthreads = scan_threads(procfd, sh.npids);
	if (nthreads > 4)
		nthreads = 4;
	memset(parts, 0, sizeof(parts));
	for (size_t t = 0; t < nthreads; t++) {
		parts[t] = (struct scan_part){ .sh = &sh, .first = t, .step = nthreads };
		running[t] = t && !pthread_create(&tids[t], NULL, scan_part_run, &parts[t]);
	}
	/* Part 0, and the share of any thread that could not start, run on this thread. */
	for (size_t t = 0; t < nthreads; t++)
		if (!running[t])
			scan_part_run(&parts[t]);
	for (size_t t = 1; t < nthreads; t++)
		if (running[t])
			pthread_join(tids[t], NULL);
	for (size_t t = 0; t < nthreads; t++) {
		if (!err)
			err = parts[t].err;
		if (!err)
			err = merge(out, &parts[t].res);
		golist_scan_free(&parts[t].res);
	}
	out->parsed = exe_cache_parsed(sh.cache);
	exe_cache_free(sh.cache);
	pthread_mutex_destroy(&sh.lock);
	free(pids);
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
	/* Root can be denied too (e.g. a sandbox's init); don't tell root to become root. */
	if (s->denied)
		fprintf(stderr, "golist: %zu process%s not inspected: permission denied%s\n",
			s->denied, s->denied == 1 ? "" : "es",
			geteuid() == 0 ? "" : " (run as root to see them)");
}
