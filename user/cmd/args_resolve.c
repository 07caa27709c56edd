/* gotrace args/funcs: one traced executable and its functions, from FUNC patterns to probe-ready plans. */
#include <errno.h>
#include <fnmatch.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/args_resolve.h"
#include "proc/proc.h"

/* Go ABI integer registers of amd64, the names raw-register output uses. */
static const char *const raw_regs[] = { "rax", "rbx", "rcx", "rdi", "rsi", "r8", "r9", "r10", "r11" };

bool args_is_signature(const char *arg)
{
	for (const char *p = strchr(arg, '('); p; p = strchr(p + 1, '('))
		if (p == arg || p[-1] != '.')
			return true;
	return false;
}

/* GOTRACE_G_FROM_TLS=1 reads g from TLS for Go >= 1.17 too, where it is also kept:
 * how the Go < 1.17 path is tested with this machine's Go. */
static bool g_from_tls_forced(void)
{
	const char *e = getenv("GOTRACE_G_FROM_TLS");

	return e && !strcmp(e, "1");
}

/* The memory bound for a binary's inflated DWARF: GOTRACE_DWARF_MAX_MB, default 1 GiB. */
static size_t dwarf_max(void)
{
	const char *e = getenv("GOTRACE_DWARF_MAX_MB");
	char *end;
	unsigned long long mb;

	if (!e || !*e)
		return GODWARF_DEFAULT_MAX;
	mb = strtoull(e, &end, 10);
	if (*end || mb > ((size_t)-1 >> 20))
		return GODWARF_DEFAULT_MAX;
	return (size_t)mb << 20;
}

int tbin_open(const char *path, const char *attach_path, struct tbin **out, char *err, size_t errlen)
{
	struct tbin *b;
	struct stat st;
	ssize_t k;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	snprintf(b->attach_path, sizeof(b->attach_path), "%s", attach_path);
	k = readlink(path, b->display, sizeof(b->display) - 1);
	if (k > 0)
		b->display[k] = '\0';
	else if (!realpath(path, b->display))
		snprintf(b->display, sizeof(b->display), "%s", path);
	r = goelf_open(path, &b->g);
	if (r) {
		snprintf(err, errlen, "cannot read %s: %s", b->display,
			 r == -ENOEXEC ? "not an ELF executable" : strerror(-r));
		goto fail;
	}
	if (!goelf_is_go(b->g)) {
		r = -ENOEXEC;
		snprintf(err, errlen, "%s is not a Go program", b->display);
		goto fail;
	}
	r = gotype_pool_new(&b->pool);
	if (r) {
		snprintf(err, errlen, "%s", strerror(-r));
		goto fail;
	}
	if (!fstat(goelf_fd(b->g), &st)) {
		b->dev = st.st_dev;
		b->ino = st.st_ino;
	}
	b->go_minor = goabi_go_minor(goelf_go_version(b->g));
	r = godwarf_open_max(b->g, dwarf_max(), &b->dw);
	if (r == -EFBIG)
		fprintf(stderr, "gotrace: %s: its DWARF needs more than %zu MiB once inflated "
			"(GOTRACE_DWARF_MAX_MB); decoding without it\n", b->display, dwarf_max() >> 20);
	if (r)
		b->dw = NULL;
	if (typesym_open(b->g, &b->ts))
		b->ts = NULL;
	b->have_goff = !godwarf_g_offsets_or_table(b->dw, b->go_minor, &b->goff);
	b->g_tls = b->go_minor < 17 || g_from_tls_forced();
	if (b->g_tls) {
		int64_t off = -8;

		goelf_tls_g_offset(b->g, &off);
		b->g_tls_off = (int32_t)off;
		if (getenv("GOTRACE_DEBUG"))
			fprintf(stderr, "gotrace: debug: %s: g read from TLS at FS base %+d\n", b->display,
				(int)b->g_tls_off);
	}
	*out = b;
	return 0;
fail:
	tbin_close(b);
	return r;
}

void tbin_close(struct tbin *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nfuncs; i++) {
		struct traced_func *f = &b->funcs[i];

		fetch_plan_free(&f->entry);
		fetch_plan_free(&f->ret);
		if (f->plan_ok)
			abi_plan_free(&f->plan);
		probe_points_free(&f->pp);
	}
	free(b->funcs);
	typesym_close(b->ts);
	if (b->dw)
		godwarf_close(b->dw);
	if (b->pool)
		gotype_pool_free(b->pool);
	if (b->g)
		goelf_close(b->g);
	free(b);
}

/* Without DWARF or a user signature: the nine integer argument registers (and RAX back). */
static int raw_sig(struct tbin *b, const char *name, struct gosig *sig)
{
	struct gotype *u = gotype_basic(b->pool, "uintptr");
	int n = (int)(sizeof(raw_regs) / sizeof(raw_regs[0]));

	sig->params = gotype_pool_alloc(b->pool, (size_t)(n + 1) * sizeof(*sig->params));
	sig->func = gotype_pool_strdup(b->pool, name);
	if (!u || !sig->params || !sig->func)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		sig->params[i] = (struct goparam){ .name = (char *)raw_regs[i], .type = u };
	sig->params[n] = (struct goparam){ .name = (char *)raw_regs[0], .type = u, .is_result = true };
	sig->nparams = n + 1;
	return 0;
}

static bool in_freg(const struct abi_plan *p, int first, int n)
{
	for (int i = first; i < first + n; i++)
		if (p->values[i].in_freg)
			return true;
	return false;
}

static int add_func(struct tbin *b, const struct gofuncinfo *fi, const struct gosig *usig, bool ret,
		    uint32_t strsize, char *err, size_t errlen)
{
	struct traced_func *f;
	char why[256] = "";
	int r = 0, nres;

	for (size_t i = 0; i < b->nfuncs; i++)
		if (b->funcs[i].fi.entry == fi->entry)
			return 0;
	f = realloc(b->funcs, (b->nfuncs + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	b->funcs = f;
	f = &b->funcs[b->nfuncs];
	memset(f, 0, sizeof(*f));
	f->fi = *fi;
	f->bin = b;
	if (usig) {
		f->sig = *usig;
		f->source = SIG_USER;
	} else if (b->dw && !(r = godwarf_func_sig(b->dw, fi, b->go_minor, b->pool, &f->sig, why, sizeof(why)))) {
		f->source = SIG_DWARF;
	} else {
		if (b->dw && r == -EPROTO)
			fprintf(stderr, "gotrace: %s: %s; printing raw registers\n", fi->name, why);
		r = raw_sig(b, fi->name, &f->sig);
		if (r)
			return r;
		f->source = SIG_RAW;
	}
	r = goabi_plan(&f->sig, GOARCH_AMD64, b->go_minor, &f->plan);
	if (r) {
		snprintf(err, errlen, "cannot place the arguments of %s: %s", fi->name, strerror(-r));
		return r;
	}
	f->plan_ok = true;
	for (int i = 0; i < f->sig.nparams; i++)
		if (!f->sig.params[i].is_result)
			f->nargs++;
	nres = f->plan.nvalues - f->nargs;
	r = disasm_func(b->g, fi, &f->pp);
	if (r) {
		snprintf(err, errlen, "cannot disassemble %s: %s", fi->name, strerror(-r));
		abi_plan_free(&f->plan);
		return r;
	}
	r = fetch_plan_build(&f->sig, &f->plan, 0, f->nargs, ret ? ARGS_PAIR_WORDS : 0, strsize, &f->entry);
	if (!r && ret)
		r = fetch_plan_build(&f->sig, &f->plan, f->nargs, nres, ARGS_RET_WORDS, strsize, &f->ret);
	if (r) {
		fetch_plan_free(&f->entry);
		abi_plan_free(&f->plan);
		probe_points_free(&f->pp);
		return r;
	}
	f->needs_freg = in_freg(&f->plan, 0, f->nargs) || (ret && in_freg(&f->plan, f->nargs, nres));
	b->nfuncs++;
	return 0;
}

/* Levenshtein distance, capped rows of at most 256 characters. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[257];

	if (la > 256 || lb > 256)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

struct suggest {
	const char *want;
	char best[512];
	size_t dist;
};

static int suggest_cb(const struct gofuncinfo *fi, void *ctx)
{
	struct suggest *s = ctx;
	size_t d = edit_distance(s->want, fi->name);

	if (d < s->dist) {
		s->dist = d;
		snprintf(s->best, sizeof(s->best), "%s", fi->name);
	}
	return 0;
}

struct globber {
	struct tbin *b;
	const char *pattern;
	bool ret;
	uint32_t strsize;
	char *err;
	size_t errlen;
	int matched;
	int r;
};

static int glob_cb(const struct gofuncinfo *fi, void *ctx)
{
	struct globber *gl = ctx;

	if (fnmatch(gl->pattern, fi->name, FNM_NOESCAPE))
		return 0;
	gl->matched++;
	gl->r = add_func(gl->b, fi, NULL, gl->ret, gl->strsize, gl->err, gl->errlen);
	return gl->r ? 1 : 0;
}

int tbin_add_funcs(struct tbin *b, const char *pattern, const struct gosig *usig, bool ret,
		   uint32_t strsize, char *err, size_t errlen)
{
	struct gofuncinfo fi;

	if (!goelf_func_by_name(b->g, pattern, &fi))
		return add_func(b, &fi, usig, ret, strsize, err, errlen);
	if (!usig && strpbrk(pattern, "*?")) {
		struct globber gl = { b, pattern, ret, strsize, err, errlen, 0, 0 };

		goelf_funcs_foreach(b->g, glob_cb, &gl);
		if (gl.r)
			return gl.r;
		if (!gl.matched) {
			snprintf(err, errlen, "no function matches '%s' in %s", pattern, b->display);
			return -ENOENT;
		}
		return 0;
	}
	struct suggest s = { .want = pattern, .dist = (size_t)-1 };

	goelf_funcs_foreach(b->g, suggest_cb, &s);
	if (s.best[0] && s.dist <= strlen(pattern) / 3 + 2)
		snprintf(err, errlen, "function '%s' not found in %s; did you mean '%s'?", pattern,
			 b->display, s.best);
	else
		snprintf(err, errlen, "function '%s' not found in %s", pattern, b->display);
	return -ENOENT;
}

struct lister {
	const char *pattern;
	struct gofuncinfo *v;
	size_t n, cap;
	int r;
};

static int list_cb(const struct gofuncinfo *fi, void *ctx)
{
	struct lister *l = ctx;

	if (l->pattern && fnmatch(l->pattern, fi->name, FNM_NOESCAPE) && strcmp(l->pattern, fi->name))
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 256;
		struct gofuncinfo *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv) {
			l->r = -ENOMEM;
			return 1;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *fi;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct gofuncinfo *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int tbin_list(struct tbin *b, const char *pattern,
	      int (*cb)(const struct gofuncinfo *fi, void *ctx), void *ctx)
{
	struct lister l = { .pattern = pattern };
	int r = 0;

	goelf_funcs_foreach(b->g, list_cb, &l);
	if (l.r) {
		free(l.v);
		return l.r;
	}
	qsort(l.v, l.n, sizeof(*l.v), cmp_name);
	for (size_t i = 0; i < l.n && !r; i++)
		if (i == 0 || strcmp(l.v[i].name, l.v[i - 1].name))
			r = cb(&l.v[i], ctx);
	free(l.v);
	return r;
}

int tbin_sig_text(struct tbin *b, const struct gofuncinfo *fi, char *buf, size_t n)
{
	struct gosig sig;
	char why[256];

	if (!b->dw || godwarf_func_sig(b->dw, fi, b->go_minor, b->pool, &sig, why, sizeof(why)))
		return -ENOENT;
	gosig_format(&sig, buf, n);
	return 0;
}

/* Lowest PT_LOAD address, rounded down to its page: what the mapping at file offset 0 starts at. */
static uint64_t first_load_vaddr(struct tbin *b)
{
	Elf *e = goelf_elf(b->g);
	uint64_t lo = UINT64_MAX;
	size_t n = 0;

	if (!e || elf_getphdrnum(e, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_vaddr < lo)
			lo = ph.p_vaddr;
	}
	return lo == UINT64_MAX ? 0 : lo & ~(uint64_t)0xfff;
}

struct first_map {
	unsigned long ino;
	uint64_t start;
};

/* The image's first mapping: where its offset 0 went. */
static int first_map_cb(const struct proc_map *m, void *ctx)
{
	struct first_map *fm = ctx;

	if (m->offset != 0 || m->inode != fm->ino)
		return 0;
	fm->start = m->start;
	return 1;
}

int tbin_load_bias(struct tbin *b, pid_t pid, uint64_t *bias)
{
	struct first_map fm = { .ino = (unsigned long)b->ino };
	int r;

	if (!(goelf_flags(b->g) & GOELF_PIE)) {
		*bias = 0;
		return 0;
	}
	for (size_t i = 0; i < b->nbias; i++) {
		if (b->bias_pid[i] == pid) {
			*bias = b->bias[i];
			return 0;
		}
	}
	r = proc_maps_foreach((int)pid, first_map_cb, &fm);
	if (r <= 0)
		return -ENOENT;
	*bias = fm.start - first_load_vaddr(b);
	if (b->nbias < sizeof(b->bias) / sizeof(b->bias[0])) {
		b->bias_pid[b->nbias] = pid;
		b->bias[b->nbias++] = *bias;
	}
	return 0;
}
