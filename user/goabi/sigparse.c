/* Recursive-descent parser for user-given Go signatures and types (amd64 layouts). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "goabi/sigparse.h"

#define MAX_DEPTH 64
#define MAX_LIST 256

struct parser {
	const char *s, *p;
	struct gotype_pool *pool;
	char *err;
	size_t errlen;
	int depth;
	int rc;                 /* first error, sticky */
};

/* One entry of a parameter or field list before names and types are matched up. */
struct entry {
	const char *ident;      /* a lone identifier (name or type name), pool string */
	struct gotype *type;    /* the type after a name, or the entry's type */
	bool named;             /* ident followed by a type */
	bool variadic;
	int col;
};

static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->rc)
		return ps->rc;
	ps->rc = -EINVAL;
	if (!ps->errlen)
		return ps->rc;
	va_start(ap, fmt);
	/* clang-analyzer misreads the va_list initialised just above. */
	n = vsnprintf(ps->err, ps->errlen, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (n >= 0 && (size_t)n < ps->errlen)
		snprintf(ps->err + n, ps->errlen - n, " at column %d", (int)(at - ps->s) + 1);
	return ps->rc;
}

static int nomem(struct parser *ps)
{
	if (!ps->rc) {
		ps->rc = -ENOMEM;
		if (ps->errlen)
			snprintf(ps->err, ps->errlen, "out of memory");
	}
	return ps->rc;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	/* A keyword must not run into a longer identifier ("chanx"). */
	if (ident_char(tok[n - 1]) && ident_char(ps->p[n]))
		return false;
	ps->p += n;
	return true;
}

static int expect(struct parser *ps, const char *tok)
{
	if (accept(ps, tok))
		return 0;
	skip_ws(ps);
	if (!*ps->p)
		return fail(ps, ps->p, "expected '%s' but the signature ends", tok);
	return fail(ps, ps->p, "expected '%s'", tok);
}

/* Reads an identifier at the cursor into a pool string; NULL when none. */
static char *ident(struct parser *ps)
{
	const char *b;
	char *r;

	skip_ws(ps);
	if (!ident_start(*ps->p))
		return NULL;
	b = ps->p;
	while (ident_char(*ps->p))
		ps->p++;
	r = gotype_pool_alloc(ps->pool, ps->p - b + 1);
	if (!r) {
		nomem(ps);
		return NULL;
	}
	memcpy(r, b, ps->p - b);
	return r;
}

static char *concat(struct parser *ps, const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *r = gotype_pool_alloc(ps->pool, n);

	if (!r) {
		nomem(ps);
		return NULL;
	}
	snprintf(r, n, "%s%s%s", a, b, c);
	return r;
}

static struct gotype *new_type(struct parser *ps, enum gokind k, const char *name, uint32_t size, uint32_t align)
{
	struct gotype *t = name ? gotype_new(ps->pool, k, name, size, align) : NULL;

	if (!t)
		nomem(ps);
	return t;
}

static bool is_keyword(const char *id)
{
	static const char *const kw[] = { "func", "map", "chan", "struct", "interface" };

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (!strcmp(id, kw[i]))
			return true;
	return false;
}

static struct gotype *parse_type(struct parser *ps);
static int parse_list(struct parser *ps, const char *close, const char *sep, bool allow_variadic,
		      struct entry **out, int *n);

/* Resolves a (possibly qualified) type name. */
static struct gotype *named_type(struct parser *ps, const char *id, const char *at)
{
	struct gotype *t;
	char *full = (char *)id;

	skip_ws(ps);
	if (*ps->p == '.' && ident_start(ps->p[1])) {
		ps->p++;
		char *sel = ident(ps);

		if (!sel || !(full = concat(ps, id, ".", sel)))
			return NULL;
	}
	t = gotype_basic(ps->pool, full);
	if (!t)
		fail(ps, at, "unknown type '%s' (only predeclared and literal types like struct{...} are known without DWARF)", full);
	return t;
}

static struct gotype *struct_type(struct parser *ps, const char *at)
{
	struct entry *e = NULL;
	int n = 0;
	struct gotype *t;
	uint32_t off = 0, align = 1;
	char *name;

	if (expect(ps, "{") || parse_list(ps, "}", ";", false, &e, &n))
		return NULL;
	for (int i = 0; i < n; i++)
		if (!e[i].named && e[i].type)
			return fail(ps, at, "struct field %d has no name (embedded fields are not supported)", i + 1), NULL;
	name = gotype_pool_strdup(ps->pool, n ? "struct {" : "struct {}");
	t = new_type(ps, GK_STRUCT, "", 0, 1);
	if (!t || !name)
		return nomem(ps), NULL;
	t->fields = n ? gotype_pool_alloc(ps->pool, n * sizeof(*t->fields)) : NULL;
	if (n && !t->fields)
		return nomem(ps), NULL;
	for (int i = 0; i < n; i++) {
		struct gotype *ft = e[i].type;
		uint32_t a = ft->align ? ft->align : 1;

		off = (off + a - 1) / a * a;
		t->fields[i] = (struct gofield){ .name = (char *)e[i].ident, .offset = off, .type = ft };
		off += ft->size;
		if (a > align)
			align = a;
		if (!(name = concat(ps, name, i ? "; " : " ", e[i].ident)) ||
		    !(name = concat(ps, name, " ", ft->name)))
			return NULL;
	}
	/* Go pads a struct ending in a zero-size field so &last stays inside the value. */
	if (n && t->fields[n - 1].type->size == 0 && off > 0)
		off++;
	t->nfields = n;
	t->size = (off + align - 1) / align * align;
	t->align = align;
	t->name = n ? concat(ps, name, " }", "") : name;
	return t->name ? t : NULL;
}

/* Skips a balanced {...} or (...) group; used for interface and func bodies we only name. */
static const char *skip_group(struct parser *ps, char open, char close)
{
	int depth = 0;

	skip_ws(ps);
	if (*ps->p != open)
		return fail(ps, ps->p, "expected '%c'", open), NULL;
	for (; *ps->p; ps->p++) {
		if (*ps->p == open)
			depth++;
		else if (*ps->p == close && --depth == 0)
			return ++ps->p;
	}
	return fail(ps, ps->p, "expected '%c' but the signature ends", close), NULL;
}

/* A copy of s[b, e) with whitespace runs collapsed to one space. */
static char *spelling(struct parser *ps, const char *b, const char *e)
{
	char *r = gotype_pool_alloc(ps->pool, e - b + 1), *w = r;

	if (!r)
		return nomem(ps), NULL;
	while (b < e && isspace((unsigned char)e[-1]))
		e--;
	for (bool sp = false; b < e; b++) {
		if (isspace((unsigned char)*b)) {
			sp = true;
			continue;
		}
		if (sp && w > r)
			*w++ = ' ';
		sp = false;
		*w++ = *b;
	}
	*w = '\0';
	return r;
}

static struct gotype *parse_type_inner(struct parser *ps)
{
	const char *at;
	struct gotype *t, *elem;
	char *id;

	skip_ws(ps);
	at = ps->p;
	if (accept(ps, "(")) {
		t = parse_type(ps);
		return t && !expect(ps, ")") ? t : NULL;
	}
	if (accept(ps, "*")) {
		if (!(elem = parse_type(ps)))
			return NULL;
		t = new_type(ps, GK_PTR, concat(ps, "*", elem->name, ""), 8, 8);
		if (t)
			t->elem = elem;
		return t;
	}
	if (accept(ps, "[")) {
		if (accept(ps, "]")) {
			if (!(elem = parse_type(ps)))
				return NULL;
			t = new_type(ps, GK_SLICE, concat(ps, "[]", elem->name, ""), 24, 8);
			if (t)
				t->elem = elem;
			return t;
		}
		skip_ws(ps);
		const char *num = ps->p;
		char *end;
		unsigned long long len;

		if (!isdigit((unsigned char)*num))
			return fail(ps, num, "expected an array length"), NULL;
		errno = 0;
		len = strtoull(num, &end, 10);
		if (errno || len > (1ULL << 31))
			return fail(ps, num, "array length out of range"), NULL;
		ps->p = end;
		if (expect(ps, "]") || !(elem = parse_type(ps)))
			return NULL;
		if (elem->size && len > UINT32_MAX / elem->size)
			return fail(ps, num, "array too large"), NULL;
		char lenbuf[24];

		snprintf(lenbuf, sizeof(lenbuf), "[%llu]", len);
		t = new_type(ps, GK_ARRAY, concat(ps, lenbuf, elem->name, ""), (uint32_t)(len * elem->size),
			     elem->align ? elem->align : 1);
		if (t) {
			t->elem = elem;
			t->len = len;
		}
		return t;
	}
	if (accept(ps, "<-")) {
		if (expect(ps, "chan") || !(elem = parse_type(ps)))
			return NULL;
		t = new_type(ps, GK_CHAN, concat(ps, "<-chan ", elem->name, ""), 8, 8);
		if (t)
			t->elem = elem;
		return t;
	}
	if (accept(ps, "map")) {
		struct gotype *key;

		if (expect(ps, "[") || !(key = parse_type(ps)) || expect(ps, "]") || !(elem = parse_type(ps)))
			return NULL;
		char *name = concat(ps, "map[", key->name, "]");

		t = name ? new_type(ps, GK_MAP, concat(ps, name, elem->name, ""), 8, 8) : NULL;
		if (t)
			t->elem = elem;
		return t;
	}
	if (accept(ps, "chan")) {
		const char *dir = accept(ps, "<-") ? "chan<- " : "chan ";

		if (!(elem = parse_type(ps)))
			return NULL;
		t = new_type(ps, GK_CHAN, concat(ps, dir, elem->name, ""), 8, 8);
		if (t)
			t->elem = elem;
		return t;
	}
	if (accept(ps, "struct"))
		return struct_type(ps, at);
	if (accept(ps, "interface")) {
		const char *b = ps->p;

		if (!skip_group(ps, '{', '}'))
			return NULL;
		for (const char *q = b; q < ps->p; q++)
			if (ident_char(*q))
				return new_type(ps, GK_IFACE, spelling(ps, at, ps->p), 16, 8);
		return gotype_basic(ps->pool, "any");
	}
	if (accept(ps, "func")) {
		/* Only the word matters for the ABI; parse the parameter lists for errors. */
		struct entry *e = NULL;
		int n = 0;

		if (expect(ps, "(") || parse_list(ps, ")", ",", true, &e, &n))
			return NULL;
		skip_ws(ps);
		if (accept(ps, "(")) {
			if (parse_list(ps, ")", ",", false, &e, &n))
				return NULL;
		} else if (*ps->p && !strchr(",;)]}", *ps->p) && !isspace((unsigned char)*ps->p)) {
			if (!parse_type(ps))
				return NULL;
		}
		return new_type(ps, GK_FUNC, spelling(ps, at, ps->p), 8, 8);
	}
	if ((id = ident(ps)))
		return named_type(ps, id, at);
	if (ps->rc)
		return NULL;
	if (!*ps->p)
		return fail(ps, ps->p, "expected a type but the signature ends"), NULL;
	return fail(ps, ps->p, "expected a type, found '%c'", *ps->p), NULL;
}

static struct gotype *parse_type(struct parser *ps)
{
	struct gotype *t;

	if (++ps->depth > MAX_DEPTH) {
		fail(ps, ps->p, "type nested too deeply");
		return NULL;
	}
	t = parse_type_inner(ps);
	ps->depth--;
	if (!t && !ps->rc)
		nomem(ps);      /* only allocation failures return NULL without a message */
	return ps->rc ? NULL : t;
}

/* Parses "a, b int, c string" / "int, string" / fields "X, Y int32; Z float64" up to close,
 * then gives lone identifiers the type of the next named entry (grouped names) or
 * resolves them as type names (unnamed list). */
static int parse_list(struct parser *ps, const char *close, const char *sep, bool allow_variadic,
		      struct entry **out, int *n)
{
	struct entry *e = gotype_pool_alloc(ps->pool, MAX_LIST * sizeof(*e));
	int cnt = 0;
	bool any_named = false;

	if (!e)
		return nomem(ps);
	while (!accept(ps, close)) {
		struct entry *en = &e[cnt];

		if (cnt == MAX_LIST)
			return fail(ps, ps->p, "too many parameters");
		skip_ws(ps);
		if (!*ps->p)
			return fail(ps, ps->p, "expected '%s' but the signature ends", close);
		en->col = (int)(ps->p - ps->s);
		const char *save = ps->p;
		char *id = ident(ps);

		if (id && !is_keyword(id)) {
			skip_ws(ps);
			/* "name ...T" or "name T": a type follows the identifier. */
			if ((*ps->p == '.' && strncmp(ps->p, "...", 3) == 0) ||
			    (*ps->p && *ps->p != '.' && !strchr(close, *ps->p) && !strchr(",;", *ps->p)))
				en->named = true;
			if (en->named) {
				en->ident = id;
				any_named = true;
			} else if (*ps->p != '.') {
				en->ident = id;
			} else {
				ps->p = save;   /* qualified type name: parse it as a type */
			}
		} else {
			ps->p = save;
		}
		if (ps->rc)
			return ps->rc;
		if (en->named || !en->ident) {
			if (accept(ps, "...")) {
				if (!allow_variadic)
					return fail(ps, ps->p - 3, "'...' is only allowed on the last parameter");
				en->variadic = true;
			}
			if (!(en->type = parse_type(ps)))
				return ps->rc;
			if (en->variadic) {
				struct gotype *sl = new_type(ps, GK_SLICE, concat(ps, "[]", en->type->name, ""), 24, 8);

				if (!sl)
					return ps->rc;
				sl->elem = en->type;
				en->type = sl;
			}
		}
		cnt++;
		if (accept(ps, close))
			break;
		/* Parameters are separated by ','; struct fields by ';' or a newline, with ','
		 * between grouped names ("X, Y int32"). */
		if (!accept(ps, sep) && !(sep[0] == ';' && ps->p > ps->s && memchr(save, '\n', ps->p - save)) &&
		    !(sep[0] == ';' && accept(ps, ","))) {
			skip_ws(ps);
			if (!*ps->p)
				return fail(ps, ps->p, "expected '%s' but the signature ends", close);
			return fail(ps, ps->p, "expected '%s' or '%s'", sep, close);
		}
		if (en->variadic)
			return fail(ps, ps->s + en->col, "'...' is only allowed on the last parameter");
	}
	if (any_named) {
		/* Grouped names: "a, b int" — a takes the type of the next typed entry. */
		for (int i = cnt - 1; i >= 0; i--) {
			if (e[i].named)
				continue;
			if (!e[i].ident)
				return fail(ps, ps->s + e[i].col, "mixed named and unnamed parameters");
			if (i == cnt - 1 && gotype_basic(ps->pool, e[i].ident))
				return fail(ps, ps->s + e[i].col, "mixed named and unnamed parameters");
			if (i == cnt - 1)
				return fail(ps, ps->s + e[i].col, "missing type for '%s'", e[i].ident);
			e[i].type = e[i + 1].type;
			e[i].named = true;
		}
	} else {
		for (int i = 0; i < cnt; i++) {
			if (!e[i].ident)
				continue;
			if (!(e[i].type = gotype_basic(ps->pool, e[i].ident)))
				return fail(ps, ps->s + e[i].col,
					    "unknown type '%s' (only predeclared and literal types like struct{...} are known without DWARF)",
					    e[i].ident);
			e[i].ident = NULL;
		}
	}
	*out = e;
	*n = cnt;
	return 0;
}

/* The linker name before the parameter list: a '(' right after '.' opens a receiver
 * ("main.(*T).M"), brackets hold type arguments ("main.F[...]"). */
static char *func_name(struct parser *ps)
{
	const char *b, *q;
	int sq = 0;
	char *r;

	skip_ws(ps);
	b = q = ps->p;
	for (; *q; q++) {
		if (*q == '[')
			sq++;
		else if (*q == ']')
			sq--;
		else if (*q == '(' && sq == 0) {
			if (q > b && q[-1] == '.') {
				const char *c = strchr(q, ')');

				if (!c)
					break;
				q = c;
				continue;
			}
			break;
		} else if (isspace((unsigned char)*q) && sq == 0)
			break;
	}
	if (q == b)
		return fail(ps, b, "expected a function name like 'main.f'"), NULL;
	r = gotype_pool_alloc(ps->pool, q - b + 1);
	if (!r)
		return nomem(ps), NULL;
	memcpy(r, b, q - b);
	ps->p = q;
	return r;
}

static int build_sig(struct parser *ps, struct gosig *sig, struct entry *args, int nargs,
		     struct entry *res, int nres)
{
	sig->nparams = nargs + nres;
	sig->params = sig->nparams ? gotype_pool_alloc(ps->pool, sig->nparams * sizeof(*sig->params)) : NULL;
	if (sig->nparams && !sig->params)
		return nomem(ps);
	for (int i = 0; i < sig->nparams; i++) {
		bool isres = i >= nargs;
		struct entry *en = isres ? &res[i - nargs] : &args[i];
		struct goparam *pm = &sig->params[i];
		char rname[16];

		pm->type = en->type;
		pm->is_result = isres;
		if (en->named)
			pm->name = (char *)en->ident;
		else if (isres) {
			snprintf(rname, sizeof(rname), "~r%d", i - nargs);
			pm->name = gotype_pool_strdup(ps->pool, rname);
		} else
			pm->name = gotype_pool_strdup(ps->pool, "");
		if (!pm->name)
			return nomem(ps);
	}
	return 0;
}

int sigparse(const char *text, struct gotype_pool *pool, struct gosig *sig, char *err, size_t errlen)
{
	struct parser ps = { .s = text, .p = text, .pool = pool, .err = err, .errlen = errlen };
	struct entry *args = NULL, *res = NULL;
	int nargs = 0, nres = 0;
	size_t nl;

	memset(sig, 0, sizeof(*sig));
	if (errlen)
		err[0] = '\0';
	if (!text)
		return fail(&ps, "", "no signature");
	skip_ws(&ps);
	if (!strncmp(ps.p, "func", 4) && isspace((unsigned char)ps.p[4]))
		ps.p += 4;
	if (!(sig->func = func_name(&ps)))
		return ps.rc;
	nl = strlen(sig->func);
	sig->abi0 = nl > 5 && !strcmp(sig->func + nl - 5, ".abi0");
	if (expect(&ps, "(") || parse_list(&ps, ")", ",", true, &args, &nargs))
		return ps.rc;
	skip_ws(&ps);
	if (accept(&ps, "(")) {
		if (parse_list(&ps, ")", ",", false, &res, &nres))
			return ps.rc;
	} else if (*ps.p) {
		res = gotype_pool_alloc(pool, sizeof(*res));
		if (!res)
			return nomem(&ps);
		if (!(res->type = parse_type(&ps)))
			return ps.rc;
		nres = 1;
	}
	skip_ws(&ps);
	if (*ps.p)
		return fail(&ps, ps.p, "unexpected '%c' after the signature", *ps.p);
	return build_sig(&ps, sig, args, nargs, res, nres);
}

int sigparse_type(const char *text, struct gotype_pool *pool, struct gotype **out, char *err, size_t errlen)
{
	struct parser ps = { .s = text, .p = text, .pool = pool, .err = err, .errlen = errlen };

	if (errlen)
		err[0] = '\0';
	*out = parse_type(&ps);
	if (!*out)
		return ps.rc ? ps.rc : -EINVAL;
	skip_ws(&ps);
	if (*ps.p)
		return fail(&ps, ps.p, "unexpected '%c' after the type", *ps.p);
	return 0;
}
