/* Syscall call paths (--stacks): user stacks symbolised with the Go pclntab, top paths and folded output. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "goelf/goelf.h"
#include "output/scstacks.h"
#include "proc/proc.h"

/* One traced process's executable and where it is loaded. */
struct scsym_proc {
	pid_t pid;
	struct goelf *g;
	uint64_t bias;  /* runtime address - link-time address (non-zero for PIE) */
};

struct scsym {
	struct scsym_proc *p;
	size_t n;
};

int scsym_new(struct scsym **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

/* vaddr - offset of the executable PT_LOAD: what a mapping's start - file offset equals
 * when the image is loaded where it was linked. */
static int exec_segment_delta(struct goelf *g, uint64_t *delta)
{
	Elf *e = goelf_elf(g);
	size_t n;

	if (!e || elf_getphdrnum(e, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
			*delta = ph.p_vaddr - ph.p_offset;
			return 0;
		}
	}
	return -ENOEXEC;
}

/* Finds the executable mapping of the binary (by inode) in /proc/PID/maps. */
struct bias_find {
	unsigned long ino;
	uint64_t delta, bias;
};

static int exec_mapping_cb(const struct proc_map *m, void *ctx)
{
	struct bias_find *bf = ctx;

	if (!m->x || m->inode != bf->ino)
		return 0;
	bf->bias = m->start - m->offset - bf->delta;
	return 1;
}

static int load_bias(pid_t pid, unsigned long ino, uint64_t delta, uint64_t *bias)
{
	struct bias_find bf = { .ino = ino, .delta = delta };
	int r = proc_maps_foreach((int)pid, exec_mapping_cb, &bf);

	if (r <= 0)
		return r ? r : -ENOENT;
	*bias = bf.bias;
	return 0;
}

int scsym_add(struct scsym *s, pid_t pid)
{
	struct scsym_proc *np, p = { .pid = pid };
	char path[64];
	struct stat st;
	uint64_t delta;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return -errno;
	err = goelf_open(path, &p.g);
	if (err)
		return err;
	err = exec_segment_delta(p.g, &delta);
	if (!err)
		err = load_bias(pid, (unsigned long)st.st_ino, delta, &p.bias);
	if (err) {
		goelf_close(p.g);
		return err;
	}
	np = realloc(s->p, (s->n + 1) * sizeof(*np));
	if (!np) {
		goelf_close(p.g);
		return -ENOMEM;
	}
	s->p = np;
	s->p[s->n++] = p;
	return 0;
}

/* The function containing ip, or NULL when ip is outside pid's executable. */
static const char *sym_lookup(struct scsym *s, pid_t pid, uint64_t ip)
{
	for (size_t i = 0; s && i < s->n; i++) {
		struct gofuncinfo fi;

		if (s->p[i].pid == pid)
			return goelf_func_by_addr(s->p[i].g, ip - s->p[i].bias, &fi) ? NULL : fi.name;
	}
	return NULL;
}

const char *scsym_name(struct scsym *s, pid_t pid, uint64_t ip, char *buf, size_t len)
{
	const char *name = sym_lookup(s, pid, ip);

	if (name)
		return name;
	snprintf(buf, len, "0x%llx", (unsigned long long)ip);
	return buf;
}

void scsym_free(struct scsym *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		goelf_close(s->p[i].g);
	free(s->p);
	free(s);
}

/* A symbolised call path with its counts. */
struct path {
	char *text;
	struct sc_counts c;
};

/* Where Go's own traceback stops: nothing above these is a real caller. */
static bool is_root_frame(const char *name)
{
	static const char *const roots[] = {
		"runtime.goexit", "runtime.goexit.abi0", "runtime.mstart", "runtime.mstart.abi0",
		"runtime.rt0_go", "runtime.rt0_go.abi0",
	};

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(name, roots[i]))
			return true;
	return false;
}

/* The frames of st as lookup addresses, innermost first: the syscall's own pc, the
 * frameless leaf's caller when leaf_ret lands in a function, then the frame-pointer
 * chain. Return addresses point after the call, so they are looked up at ip - 1.
 * Ends at a root frame and drops trailing frames outside the binary (the walk runs
 * past the stack's end). */
static size_t frame_addrs(const struct sc_stack *st, struct scsym *sym, uint64_t *out)
{
	size_t n = 0, keep = 0;

	for (uint32_t i = 0; i < st->depth; i++) {
		const char *name;

		out[n] = i ? st->ips[i] - 1 : st->ips[i];
		name = sym_lookup(sym, st->pid, out[n]);
		n++;
		if (name)
			keep = n;
		if (name && is_root_frame(name))
			break;
		if (i == 0 && st->leaf_ret && sym_lookup(sym, st->pid, st->leaf_ret - 1))
			out[n++] = st->leaf_ret - 1;
	}
	return keep ? keep : n;
}

/* Joins the frame names of st with sep, innermost first or (outer_first) root first. */
static char *path_text(const struct sc_stack *st, struct scsym *sym, const char *sep, bool outer_first)
{
	uint64_t addrs[SC_STACK_DEPTH + 1];
	char *buf = NULL, tmp[32];
	size_t len = 0, n;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	n = st->lost ? 0 : frame_addrs(st, sym, addrs);
	if (!n)
		fputs("[unknown]", f);
	for (size_t k = 0; k < n; k++) {
		if (k)
			fputs(sep, f);
		fputs(scsym_name(sym, st->pid, addrs[outer_first ? n - 1 - k : k], tmp, sizeof(tmp)), f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(((const struct path *)a)->text, ((const struct path *)b)->text);
}

static int cmp_calls(const void *pa, const void *pb)
{
	const struct path *a = pa, *b = pb;

	if (a->c.calls != b->c.calls)
		return a->c.calls > b->c.calls ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* Symbolises the entries of syscall nr (or all when nr < 0) and merges equal paths. */
static int collect(const struct sc_stack *st, size_t n, long nr, struct scsym *sym, const char *sep,
		   bool outer_first, struct path **out, size_t *np)
{
	struct path *v = calloc(n ? n : 1, sizeof(*v));
	size_t m = 0, w = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (nr >= 0 && st[i].nr != (uint32_t)nr)
			continue;
		v[m].text = path_text(&st[i], sym, sep, outer_first);
		if (!v[m].text)
			continue;
		if (nr < 0) {
			/* Folded lines end with the syscall as the leaf frame. */
			char *t = NULL, tmp[32];

			if (asprintf(&t, "%s%s%s", v[m].text, sep, sctable_name(st[i].nr, tmp, sizeof(tmp))) < 0)
				t = NULL;
			free(v[m].text);
			if (!(v[m].text = t))
				continue;
		}
		v[m].c = st[i].c;
		m++;
	}
	qsort(v, m, sizeof(*v), cmp_text);
	for (size_t i = 0; i < m; i++) {
		if (w && !strcmp(v[w - 1].text, v[i].text)) {
			v[w - 1].c.calls += v[i].c.calls;
			v[w - 1].c.errors += v[i].c.errors;
			v[w - 1].c.total_ns += v[i].c.total_ns;
			free(v[i].text);
		} else {
			v[w++] = v[i];
		}
	}
	*out = v;
	*np = w;
	return 0;
}

static void free_paths(struct path *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

void scstacks_print(FILE *f, const struct sc_summary *sum, size_t top, const struct sc_stack *st,
		    size_t n, struct scsym *sym, size_t paths)
{
	size_t shown = top && top < sum->n ? top : sum->n;

	fprintf(f, "\n--- call paths (top %zu per syscall, innermost frame first)\n", paths);
	for (size_t r = 0; r < shown; r++) {
		const struct sc_row *row = &sum->rows[r];
		struct path *v;
		size_t m;
		char tmp[32];

		if (collect(st, n, row->nr, sym, "\n        ", false, &v, &m))
			return;
		qsort(v, m, sizeof(*v), cmp_calls);
		fprintf(f, "%s: %llu calls\n", sctable_name(row->nr, tmp, sizeof(tmp)),
			(unsigned long long)row->c.calls);
		for (size_t i = 0; i < m && i < paths; i++)
			fprintf(f, "  %9llu calls %6.2f%% %11.6f s  errors %llu\n        %s\n",
				(unsigned long long)v[i].c.calls,
				row->c.calls ? 100.0 * (double)v[i].c.calls / (double)row->c.calls : 0.0,
				(double)v[i].c.total_ns / 1e9, (unsigned long long)v[i].c.errors, v[i].text);
		if (m > paths)
			fprintf(f, "  (%zu more paths)\n", m - paths);
		free_paths(v, m);
	}
}

int scstacks_folded(FILE *f, const struct sc_stack *st, size_t n, struct scsym *sym)
{
	struct path *v;
	size_t m;
	int err = collect(st, n, -1, sym, ";", true, &v, &m);

	if (err)
		return err;
	for (size_t i = 0; i < m; i++)
		if (fprintf(f, "%s %llu\n", v[i].text, (unsigned long long)v[i].c.calls) < 0) {
			err = -EIO;
			break;
		}
	free_paths(v, m);
	return err;
}
