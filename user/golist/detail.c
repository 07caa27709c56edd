/* golist PID: everything about one process (Go or not), as aligned text or one JSON object. */
#include "golist/golist.h"
#include "goelf/goelf.h"
#include "output/json.h"
#include "proc/agent.h"
#include "proc/memscan.h"
#include "proc/proc.h"
#include "proc/sockets.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CPU_SAMPLE_NS 150000000L  /* short enough to feel instant, long enough for 15 ticks */

struct detail {
	struct proc_stat st;
	struct proc_status status;
	double cpu_percent, mem_percent, elapsed;
	unsigned long long rss_bytes;
	char user[64];
	char *cmdline;
	size_t cmdline_len;
	int argc;
	bool have_path;
	struct proc_exe_path exe;
	bool is_go, packed;
	const char *version;
	struct goelf *elf;            /* owns the buildinfo when not packed */
	struct gobuildinfo mem_bi;    /* owned when packed */
	const struct gobuildinfo *bi;
	unsigned flags;
	bool agent;
	int nspid;
	struct proc_sock *socks;
	size_t nsocks;
};

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Recognises Go from the file first, then from memory (packed binaries). */
static void detect_go(int procfd, int pid, struct detail *d)
{
	char rel[32];
	int fd;
	bool found;

	snprintf(rel, sizeof(rel), "%d/exe", pid);
	fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !goelf_open_fd(fd, &d->elf)) {
		if (goelf_is_go(d->elf)) {
			d->is_go = true;
			d->version = goelf_go_version(d->elf);
			d->bi = goelf_buildinfo(d->elf);
			d->flags = goelf_flags(d->elf);
			return;
		}
		goelf_close(d->elf);
		d->elf = NULL;
	}
	struct stat st;
	unsigned long ino = proc_stat_exe(procfd, pid, &st) ? 0 : (unsigned long)st.st_ino;
	if (!proc_memscan_go(procfd, pid, ino, &d->mem_bi, &found) && found) {
		d->is_go = d->packed = true;
		d->version = d->mem_bi.go_version;
		d->bi = &d->mem_bi;
	}
}

static int gather(int procfd, int pid, struct detail *d)
{
	struct proc_stat again;
	unsigned long long memtotal = 0;
	double t0, t1, uptime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int err;

	d->nspid = -1;
	err = proc_read_stat(procfd, pid, &d->st);
	if (err)
		return err;
	t0 = now_sec();
	proc_read_status(procfd, pid, &d->status);
	proc_user_name(d->status.uid, d->user, sizeof(d->user));
	proc_read_cmdline(procfd, pid, &d->cmdline, &d->cmdline_len, &d->argc);
	d->have_path = !proc_exe_path(procfd, pid, &d->exe);
	if (d->have_path)
		detect_go(procfd, pid, d);
	if (d->is_go)
		proc_gops_agent(procfd, pid, &d->agent, &d->nspid);
	proc_sockets(procfd, pid, &d->socks, &d->nsocks);
	if (!proc_mem_total(procfd, &memtotal) && memtotal)
		d->mem_percent = 100.0 * (double)d->st.rss_pages * (double)sysconf(_SC_PAGESIZE) / (double)memtotal;
	d->rss_bytes = (unsigned long long)(d->st.rss_pages > 0 ? d->st.rss_pages : 0) *
		       (unsigned long long)sysconf(_SC_PAGESIZE);
	if (!proc_uptime(procfd, &uptime) && hz > 0)
		d->elapsed = uptime - (double)d->st.starttime / (double)hz;
	/* CPU % over the time the reads above took, topped up to a fixed short interval. */
	t1 = now_sec();
	if (t1 - t0 < CPU_SAMPLE_NS / 1e9) {
		double rest = CPU_SAMPLE_NS / 1e9 - (t1 - t0);
		struct timespec ts = { 0, (long)(rest * 1e9) };
		nanosleep(&ts, NULL);
	}
	if (!proc_read_stat(procfd, pid, &again) && hz > 0) {
		double dt = now_sec() - t0;
		unsigned long long ticks = again.utime + again.stime - d->st.utime - d->st.stime;
		d->cpu_percent = dt > 0 ? 100.0 * (double)ticks / (double)hz / dt : 0;
		d->st.num_threads = again.num_threads;
	}
	return 0;
}

static void detail_free(struct detail *d)
{
	free(d->cmdline);
	free(d->socks);
	if (d->elf)
		goelf_close(d->elf);
	if (d->packed)
		buildinfo_free(&d->mem_bi);
}

static void json_mod(struct json *j, const char *key, const struct gomod *m)
{
	json_obj_begin(j, key);
	json_str(j, "path", m->path);
	json_str(j, "version", m->version ? m->version : "");
	json_str(j, "sum", m->sum ? m->sum : "");
	if (m->replace)
		json_mod(j, "replace", m->replace);
	json_obj_end(j);
}

static void print_json(int pid, const struct detail *d, FILE *out)
{
	const struct gobuildinfo *bi = d->bi;
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j, NULL);
	json_int(&j, "pid", pid);
	json_int(&j, "ppid", d->st.ppid);
	json_str(&j, "name", d->st.comm);
	json_int(&j, "threads", d->st.num_threads);
	json_uint(&j, "rss_bytes", d->rss_bytes);
	json_double(&j, "mem_percent", d->mem_percent);
	json_double(&j, "cpu_percent", d->cpu_percent);
	json_str(&j, "user", d->user);
	json_int(&j, "uid", d->status.uid);
	json_arr_begin(&j, "cmdline");
	for (size_t i = 0; i < d->cmdline_len; i += strlen(d->cmdline + i) + 1)
		json_str(&j, NULL, d->cmdline + i);
	json_arr_end(&j);
	json_double(&j, "elapsed_seconds", d->elapsed);
	if (d->have_path) {
		json_str(&j, "path", d->exe.path);
		json_bool(&j, "deleted", d->exe.deleted);
		json_bool(&j, "memfd", d->exe.memfd);
	} else {
		json_null(&j, "path");
	}
	json_bool(&j, "go", d->is_go);
	if (d->is_go)
		json_str(&j, "go_version", d->version ? d->version : "unknown");
	else
		json_null(&j, "go_version");
	if (bi && bi->main.path)
		json_str(&j, "main_module", bi->main.path);
	else
		json_null(&j, "main_module");
	json_arr_begin(&j, "deps");
	for (size_t i = 0; bi && i < bi->ndeps; i++)
		json_mod(&j, NULL, &bi->deps[i]);
	json_arr_end(&j);
	json_obj_begin(&j, "settings");
	for (size_t i = 0; bi && i < bi->nsettings; i++)
		json_str(&j, bi->settings[i].key, bi->settings[i].value);
	json_obj_end(&j);
	if (d->is_go) {
		json_bool(&j, "agent", d->agent);
		if (d->packed) {
			json_bool(&j, "packed", true);
		} else {
			json_bool(&j, "stripped", d->flags & GOELF_STRIPPED);
			json_bool(&j, "pie", d->flags & GOELF_PIE);
			json_bool(&j, "cgo", d->flags & GOELF_CGO);
			json_bool(&j, "static", d->flags & GOELF_STATIC);
		}
	}
	if (d->status.nspid > 0)
		json_int(&j, "nspid", d->status.nspid);
	json_arr_begin(&j, "connections");
	for (size_t i = 0; i < d->nsocks; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "proto", proc_proto_name(d->socks[i].proto));
		json_str(&j, "local", d->socks[i].local);
		json_str(&j, "remote", d->socks[i].remote);
		json_str(&j, "state", d->socks[i].state_name);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

/* ps(1)'s etime form: [[dd-]hh:]mm:ss. */
static void fmt_elapsed(double secs, char *buf, size_t cap)
{
	unsigned long s = secs > 0 ? (unsigned long)secs : 0;
	unsigned long dd = s / 86400, hh = s / 3600 % 24, mm = s / 60 % 60, ss = s % 60;

	if (dd)
		snprintf(buf, cap, "%lu-%02lu:%02lu:%02lu", dd, hh, mm, ss);
	else if (hh)
		snprintf(buf, cap, "%02lu:%02lu:%02lu", hh, mm, ss);
	else
		snprintf(buf, cap, "%02lu:%02lu", mm, ss);
}

#define LABEL "%-14s"

static void print_text(int pid, const struct detail *d, FILE *out)
{
	char buf[64];

	fprintf(out, LABEL "%d\n", "pid:", pid);
	fprintf(out, LABEL "%d\n", "parent PID:", d->st.ppid);
	char shown[4200];

	fprintf(out, LABEL "%s\n", "name:", golist_printable(d->st.comm, shown, sizeof(shown)));
	fprintf(out, LABEL "%s\n", "user:", d->user);
	fprintf(out, LABEL "%ld\n", "threads:", d->st.num_threads);
	fprintf(out, LABEL "%.1f MiB (%llu bytes)\n", "RSS:", (double)d->rss_bytes / 1048576.0, d->rss_bytes);
	fprintf(out, LABEL "%.3f%%\n", "memory usage:", d->mem_percent);
	fprintf(out, LABEL "%.3f%%\n", "cpu usage:", d->cpu_percent);
	fmt_elapsed(d->elapsed, buf, sizeof(buf));
	fprintf(out, LABEL "%s\n", "elapsed time:", buf);
	fprintf(out, LABEL, "cmd+args:");
	/* Kernel threads and zombies have no arguments: ps shows the name in brackets. */
	if (!d->cmdline_len)
		fprintf(out, "[%s]", golist_printable(d->st.comm, shown, sizeof(shown)));
	for (size_t i = 0; i < d->cmdline_len; i += strlen(d->cmdline + i) + 1)
		fprintf(out, "%s%s", i ? " " : "", golist_printable(d->cmdline + i, shown, sizeof(shown)));
	fputc('\n', out);
	if (d->have_path)
		fprintf(out, LABEL "%s%s\n", "path:", golist_printable(d->exe.path, shown, sizeof(shown)),
			d->exe.deleted ? " (deleted)" : "");
	else
		fprintf(out, LABEL "-\n", "path:");
	fprintf(out, LABEL "%s\n", "go version:", d->is_go ? (d->version ? d->version : "unknown") : "- (not a Go program)");
	if (d->is_go) {
		fprintf(out, LABEL "%s\n", "gops agent:", d->agent ? "yes" : "no");
		if (d->packed)
			fprintf(out, LABEL "yes (recognised from memory)\n", "packed:");
	}
	if (d->bi) {
		char *text = NULL;
		if (!buildinfo_format(d->bi, &text) && *text) {
			/* The lines `go version -m` prints under its first line, with its leading tab. */
			fprintf(out, "build info:\n");
			for (char *line = text, *nl; *line; line = nl + 1) {
				nl = strchr(line, '\n');
				if (!nl) {
					fprintf(out, "\t%s\n", line);
					break;
				}
				fprintf(out, "\t%.*s\n", (int)(nl - line), line);
			}
		}
		free(text);
	}
	fprintf(out, "connections:%s\n", d->nsocks ? "" : "   none");
	for (size_t i = 0; i < d->nsocks; i++) {
		const struct proc_sock *s = &d->socks[i];
		fprintf(out, "\t%-5s %s <-> %s (%s)\n", proc_proto_name(s->proto),
			*s->local ? golist_printable(s->local, shown, sizeof(shown)) : "*",
			*s->remote ? s->remote : "*", s->state_name);
	}
}

int golist_detail(const struct golist_opts *o, int pid, FILE *out)
{
	struct detail d;
	int procfd = golist_open_proc(o), err;

	if (procfd < 0)
		return 1;
	memset(&d, 0, sizeof(d));
	err = gather(procfd, pid, &d);
	close(procfd);
	if (err == -ENOENT || err == -ESRCH) {
		fprintf(stderr, "golist: no process with PID %d\n", pid);
		detail_free(&d);
		return 1;
	}
	if (err) {
		fprintf(stderr, "golist: cannot read process %d: %s\n", pid, strerror(-err));
		detail_free(&d);
		return 1;
	}
	if (o->json)
		print_json(pid, &d, out);
	else
		print_text(pid, &d, out);
	fflush(out);
	detail_free(&d);
	return 0;
}
