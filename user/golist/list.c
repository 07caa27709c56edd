/* golist's list view: one aligned line (or JSON object) per Go process, sorted by PID. */
#include "golist/golist.h"
#include "golist/scan.h"
#include "goelf/goelf.h"
#include "output/json.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int golist_open_proc(const struct golist_opts *o)
{
	int fd = open(o->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int err = -errno;
		fprintf(stderr, "golist: cannot open %s: %s\n", o->proc, strerror(errno));
		return err;
	}
	return fd;
}

int golist_scan_all(const struct golist_opts *o, struct golist_scan *s)
{
	int procfd = golist_open_proc(o), err;

	if (procfd < 0)
		return procfd;
	err = golist_scan(procfd, s);
	close(procfd);
	if (err)
		fprintf(stderr, "golist: cannot scan %s: %s\n", o->proc, strerror(-err));
	return err;
}

const char *golist_printable(const char *s, char *buf, size_t cap)
{
	size_t i = 0;

	for (; s[i] && i + 1 < cap; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

void golist_json_proc(struct json *j, const struct golist_proc *p)
{
	json_int(j, "pid", p->pid);
	json_int(j, "ppid", p->ppid);
	json_str(j, "name", p->name);
	json_str(j, "path", p->path);
	json_str(j, "go_version", p->version);
	json_bool(j, "agent", p->agent);
	if (p->main_module)
		json_str(j, "main_module", p->main_module);
	if (p->packed) {
		json_bool(j, "packed", true);
	} else {
		json_bool(j, "stripped", p->flags & GOELF_STRIPPED);
		json_bool(j, "pie", p->flags & GOELF_PIE);
		json_bool(j, "cgo", p->flags & GOELF_CGO);
		json_bool(j, "static", p->flags & GOELF_STATIC);
	}
	json_bool(j, "deleted", p->deleted);
	json_bool(j, "memfd", p->memfd);
	if (p->nspid > 0)
		json_int(j, "nspid", p->nspid);
}

/* The path column: the link text, with the kernel's " (deleted)" marker kept. */
static void path_text(const struct golist_proc *p, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s", p->path, p->deleted ? " (deleted)" : "");
}

static int width(int cur, int len)
{
	return len > cur ? len : cur;
}

static void print_table(const struct golist_scan *s, bool header, FILE *out)
{
	/* Minimum widths reproduce gops' layout; longer values widen their column. */
	int wpid = 5, wppid = 5, wname = 12, wagent = 5, wver = 7;
	char num[24];

	for (size_t i = 0; i < s->ngo; i++) {
		const struct golist_proc *p = &s->go[i];
		wpid = width(wpid, snprintf(num, sizeof(num), "%d", p->pid));
		wppid = width(wppid, snprintf(num, sizeof(num), "%d", p->ppid));
		wname = width(wname, (int)strlen(p->name));
		wver = width(wver, (int)strlen(p->version));
	}
	if (header)
		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", wpid, "PID", wppid, "PPID", wname,
			"NAME", wagent, "AGENT", wver, "VERSION", "PATH");
	for (size_t i = 0; i < s->ngo; i++) {
		const struct golist_proc *p = &s->go[i];
		char path[4200], shown[4200], name[64];
		path_text(p, path, sizeof(path));
		fprintf(out, "%-*d  %-*d  %-*s  %-*s  %-*s  %s\n", wpid, p->pid, wppid, p->ppid, wname,
			golist_printable(p->name, name, sizeof(name)), wagent, p->agent ? "*" : "", wver,
			p->version, golist_printable(path, shown, sizeof(shown)));
	}
}

int golist_list(const struct golist_opts *o, FILE *out)
{
	struct golist_scan s;

	if (golist_scan_all(o, &s))
		return 1;
	if (o->json) {
		struct json j;
		json_init(&j, out);
		for (size_t i = 0; i < s.ngo; i++) {
			json_obj_begin(&j, NULL);
			golist_json_proc(&j, &s.go[i]);
			json_obj_end(&j);
		}
	} else {
		print_table(&s, !o->no_header, out);
	}
	fflush(out);
	golist_scan_notice(&s);
	golist_scan_free(&s);
	return 0;
}
