/* Decodes the .go.buildinfo blob (both formats) and its module info text, and formats it like `go version -m`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "goelf/goelf.h"

#define BI_MAGIC "\xff Go buildinf:"
#define BI_MAGIC_LEN 14
#define BI_HDR 32
#define BI_ALIGN 16
#define BI_FLAG_BIG 0x1
#define BI_FLAG_INLINE 0x2
/* cmd/go frames the module info with 16-byte sentinels on both sides. */
#define MODINFO_SENTINEL 16
/* Caps against lying lengths in the pointer format (the real values are tiny). */
#define MAX_VERSION_LEN 1024
#define MAX_MODINFO_LEN (16u << 20)

long buildinfo_find(const uint8_t *buf, size_t n)
{
	for (size_t off = 0; n >= BI_MAGIC_LEN && off <= n - BI_MAGIC_LEN; off += BI_ALIGN)
		if (!memcmp(buf + off, BI_MAGIC, BI_MAGIC_LEN))
			return (long)off;
	return -1;
}

/* Go's binary.Uvarint; 0 on a varint that is truncated or overflows. */
static size_t uvarint(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		if (i == 9 && p[i] > 1)
			return 0;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

/* Bytes that may hold NULs (the module info sentinels do), NUL-terminated for convenience. */
static char *memdup0(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

/* A varint-length string at *p; advances p and n past it. */
static int inline_string(const uint8_t **p, size_t *n, char **out, size_t *outn)
{
	uint64_t len;
	size_t k = uvarint(*p, *n, &len);
	if (!k || len > *n - k)
		return -ENOEXEC;
	if (!(*out = memdup0(*p + k, len)))
		return -ENOMEM;
	*outn = len;
	*p += k + len;
	*n -= k + len;
	return 0;
}

static uint64_t load_ptr(const uint8_t *p, unsigned ptrsize, bool big)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < ptrsize; i++)
		v |= (uint64_t)p[big ? i : ptrsize - 1 - i] << (8 * (ptrsize - 1 - i));
	return v;
}

/* A Go string header {data, len} at addr in the pointer format. */
static int pointer_string(const struct mem_reader *mem, uint64_t addr, unsigned ptrsize, bool big,
			  size_t max, char **out, size_t *outn)
{
	uint8_t hdr[16];
	int err = mem->read(mem->ctx, addr, hdr, 2 * ptrsize);
	if (err)
		return err < 0 ? err : -EIO;
	uint64_t data = load_ptr(hdr, ptrsize, big), len = load_ptr(hdr + ptrsize, ptrsize, big);
	if (len > max)
		return -ENOEXEC;
	char *s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	if (len && (err = mem->read(mem->ctx, data, s, len))) {
		free(s);
		return err < 0 ? err : -EIO;
	}
	s[len] = 0;
	*out = s;
	*outn = len;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t r)
{
	if (r < 0x80) {
		o[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (char)(0xc0 | r >> 6);
		o[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (char)(0xe0 | r >> 12);
		o[1] = (char)(0x80 | (r >> 6 & 0x3f));
		o[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | r >> 18);
	o[1] = (char)(0x80 | (r >> 12 & 0x3f));
	o[2] = (char)(0x80 | (r >> 6 & 0x3f));
	o[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/* Go's strconv.QuotedPrefix + Unquote: decodes the quoted string at s[0..n), returns the
 * number of input bytes it spans (0 if malformed) and the value in *out (malloc'd). */
static size_t unquote(const char *s, size_t n, char **out)
{
	char q = s[0];
	char *o = malloc(n + 1);  /* every escape decodes to no more bytes than it spans */
	size_t i = 1, k = 0;
	if (!o)
		return 0;
	while (i < n && s[i] != q) {
		if (q == '`' || s[i] != '\\') {
			if (q == '"' && s[i] == '\n')
				goto bad;
			o[k++] = s[i++];
			continue;
		}
		if (++i >= n)
			goto bad;
		char c = s[i++];
		int w = 0;
		switch (c) {
		case 'a': o[k++] = '\a'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'v': o[k++] = '\v'; break;
		case '\\': case '"': o[k++] = c; break;
		case 'x': w = 2; break;
		case 'u': w = 4; break;
		case 'U': w = 8; break;
		default:
			if (c >= '0' && c <= '7' && i + 1 < n && s[i] >= '0' && s[i] <= '7' &&
			    s[i + 1] >= '0' && s[i + 1] <= '7') {
				unsigned v = (unsigned)(c - '0') << 6 | (unsigned)(s[i] - '0') << 3 | (unsigned)(s[i + 1] - '0');
				if (v > 255)
					goto bad;
				o[k++] = (char)v;
				i += 2;
				break;
			}
			goto bad;
		}
		if (w) {
			uint32_t r = 0;
			if (n - i < (size_t)w)
				goto bad;
			for (int j = 0; j < w; j++) {
				int h = hexval((unsigned char)s[i + j]);
				if (h < 0)
					goto bad;
				r = r << 4 | (uint32_t)h;
			}
			i += (size_t)w;
			if (w == 2)
				o[k++] = (char)r;
			else if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
				goto bad;
			else
				k += put_utf8(o + k, r);
		}
	}
	if (i >= n)
		goto bad;
	o[k] = 0;
	if (strlen(o) != k)
		goto bad;
	*out = o;
	return i + 1;
bad:
	free(o);
	return 0;
}

static bool has_any(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, s[i]) && s[i])
			return true;
	return false;
}

/* "build\t" payload: key=value with Go's optional quoting of either side. */
static int parse_setting(const char *kv, size_t n, struct gosetting *st)
{
	char *key = NULL, *val = NULL;
	const char *raw;
	size_t rawn;
	if (!n || kv[0] == '=')
		return -ENOEXEC;
	if (kv[0] == '"' || kv[0] == '`') {
		size_t k = unquote(kv, n, &key);
		if (!k)
			return -ENOEXEC;
		if (k >= n || kv[k] != '=') {
			free(key);
			return -ENOEXEC;
		}
		raw = kv + k + 1;
		rawn = n - k - 1;
	} else {
		const char *eq = memchr(kv, '=', n);
		if (!eq || has_any(kv, (size_t)(eq - kv), " \t\r\n\"`"))
			return -ENOEXEC;
		key = strndup(kv, (size_t)(eq - kv));
		raw = eq + 1;
		rawn = n - (size_t)(eq - kv) - 1;
	}
	if (!key)
		return -ENOMEM;
	if (rawn && (raw[0] == '"' || raw[0] == '`')) {
		if (unquote(raw, rawn, &val) != rawn) {
			free(val);  /* a prefix parsed but trailing junk follows */
			val = NULL;
		}
	} else if (!has_any(raw, rawn, " \t\r\n\"`")) {
		val = strndup(raw, rawn);
	}
	if (!val) {
		free(key);
		return -ENOEXEC;
	}
	st->key = key;
	st->value = val;
	return 0;
}

static void mod_free(struct gomod *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->version);
	free(m->sum);
	if (m->replace) {
		mod_free(m->replace);
		free(m->replace);
	}
	memset(m, 0, sizeof(*m));
}

/* "path\tversion[\tsum]" into m; want3 demands the sum column (replacement lines). */
static int parse_mod(const char *s, size_t n, bool want3, struct gomod *m)
{
	const char *col[3];
	size_t len[3], nc = 0;
	const char *p = s, *end = s + n;
	while (nc < 3) {
		const char *t = memchr(p, '\t', (size_t)(end - p));
		col[nc] = p;
		len[nc] = t ? (size_t)(t - p) : (size_t)(end - p);
		nc++;
		if (!t)
			break;
		p = t + 1;
		if (nc == 3)
			return -ENOEXEC;  /* a fourth column */
	}
	if (nc < 2 || (want3 && nc != 3))
		return -ENOEXEC;
	m->path = strndup(col[0], len[0]);
	m->version = strndup(col[1], len[1]);
	m->sum = nc == 3 ? strndup(col[2], len[2]) : strdup("");
	if (!m->path || !m->version || !m->sum) {
		mod_free(m);
		return -ENOMEM;
	}
	return 0;
}

/* The reverse of Go's BuildInfo.String(); malformed lines are skipped (the version is
 * still worth reporting), only allocation failure is an error. */
static int parse_modinfo(const char *s, size_t n, struct gobuildinfo *bi)
{
	struct gomod *last = NULL;
	size_t cap_deps = 0, cap_set = 0;
	const char *end = s + n;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			break;  /* like Go: an unterminated last line is ignored */
		size_t ln = (size_t)(nl - s);
		int err = 0;
		if (ln >= 5 && !memcmp(s, "path\t", 5)) {
			free(bi->path);
			if (!(bi->path = strndup(s + 5, ln - 5)))
				return -ENOMEM;
		} else if (ln >= 4 && !memcmp(s, "mod\t", 4)) {
			struct gomod m = {0};
			err = parse_mod(s + 4, ln - 4, false, &m);
			if (!err) {
				mod_free(&bi->main);
				bi->main = m;
				last = &bi->main;
			}
		} else if (ln >= 4 && !memcmp(s, "dep\t", 4)) {
			struct gomod m = {0};
			err = parse_mod(s + 4, ln - 4, false, &m);
			if (!err) {
				if (bi->ndeps == cap_deps) {
					size_t nc = cap_deps ? cap_deps * 2 : 16;
					struct gomod *d = realloc(bi->deps, nc * sizeof(*d));
					if (!d) {
						mod_free(&m);
						return -ENOMEM;
					}
					bi->deps = d;
					cap_deps = nc;
				}
				bi->deps[bi->ndeps] = m;
				last = &bi->deps[bi->ndeps++];
			}
		} else if (ln >= 3 && !memcmp(s, "=>\t", 3)) {
			struct gomod *r = calloc(1, sizeof(*r));
			if (!r)
				return -ENOMEM;
			err = last ? parse_mod(s + 3, ln - 3, true, r) : -ENOEXEC;
			if (err) {
				free(r);
			} else {
				last->replace = r;
				last = NULL;
			}
		} else if (ln >= 6 && !memcmp(s, "build\t", 6)) {
			struct gosetting st;
			err = parse_setting(s + 6, ln - 6, &st);
			if (!err) {
				if (bi->nsettings == cap_set) {
					size_t nc = cap_set ? cap_set * 2 : 16;
					struct gosetting *v = realloc(bi->settings, nc * sizeof(*v));
					if (!v) {
						free(st.key);
						free(st.value);
						return -ENOMEM;
					}
					bi->settings = v;
					cap_set = nc;
				}
				bi->settings[bi->nsettings++] = st;
			}
		}
		if (err == -ENOMEM)
			return err;
		s = nl + 1;
	}
	return 0;
}

void buildinfo_free(struct gobuildinfo *bi)
{
	if (!bi)
		return;
	free(bi->go_version);
	free(bi->path);
	mod_free(&bi->main);
	for (size_t i = 0; i < bi->ndeps; i++)
		mod_free(&bi->deps[i]);
	free(bi->deps);
	for (size_t i = 0; i < bi->nsettings; i++) {
		free(bi->settings[i].key);
		free(bi->settings[i].value);
	}
	free(bi->settings);
	memset(bi, 0, sizeof(*bi));
}

int buildinfo_parse(const uint8_t *blob, size_t n, const struct mem_reader *mem, struct gobuildinfo *out)
{
	char *vers = NULL, *mod = NULL;
	size_t vl = 0, ml = 0;
	int err;
	memset(out, 0, sizeof(*out));
	if (!blob || n < BI_HDR || memcmp(blob, BI_MAGIC, BI_MAGIC_LEN))
		return -ENOEXEC;
	unsigned ptrsize = blob[14], flags = blob[15];
	if (flags & BI_FLAG_INLINE) {
		const uint8_t *p = blob + BI_HDR;
		size_t left = n - BI_HDR;
		if ((err = inline_string(&p, &left, &vers, &vl)) || (err = inline_string(&p, &left, &mod, &ml)))
			goto fail;
	} else {
		bool big = flags & BI_FLAG_BIG;
		if (ptrsize != 4 && ptrsize != 8) {
			err = -ENOEXEC;
			goto fail;
		}
		if (!mem) {
			err = -EINVAL;
			goto fail;
		}
		if ((err = pointer_string(mem, load_ptr(blob + 16, ptrsize, big), ptrsize, big, MAX_VERSION_LEN, &vers, &vl)) ||
		    (err = pointer_string(mem, load_ptr(blob + 16 + ptrsize, ptrsize, big), ptrsize, big,
					  MAX_MODINFO_LEN, &mod, &ml)))
			goto fail;
	}
	if (!vl || strlen(vers) != vl) {  /* empty, or an embedded NUL: not a version */
		err = -ENOEXEC;
		goto fail;
	}
	out->go_version = vers;
	vers = NULL;
	/* Only the framed form is module info (Go's rule); anything else means none. */
	if (ml >= 2 * MODINFO_SENTINEL + 1 && mod[ml - MODINFO_SENTINEL - 1] == '\n' &&
	    (err = parse_modinfo(mod + MODINFO_SENTINEL, ml - 2 * MODINFO_SENTINEL, out)))
		goto fail;
	free(mod);
	return 0;
fail:
	free(vers);
	free(mod);
	buildinfo_free(out);
	return err;
}

/* A growable string for buildinfo_format. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t nc = (b->n + n + 1) * 2;
		char *p = realloc(b->s, nc);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s ? s : "", s ? strlen(s) : 0);
}

static void format_mod(struct sbuf *b, const char *word, const struct gomod *m)
{
	sb_str(b, word);
	sb_str(b, "\t");
	sb_str(b, m->path);
	sb_str(b, "\t");
	sb_str(b, m->version);
	if (!m->replace) {
		sb_str(b, "\t");
		sb_str(b, m->sum);
	} else {
		/* Go 1.19's String() emits this blank line after a replacement too; keep it. */
		sb_str(b, "\n");
		format_mod(b, "=>", m->replace);
	}
	sb_str(b, "\n");
}

/* strconv.Quote for the ASCII/UTF-8 text found in build settings. */
static void quote(struct sbuf *b, const char *s)
{
	sb_str(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '\a': sb_str(b, "\\a"); break;
		case '\b': sb_str(b, "\\b"); break;
		case '\f': sb_str(b, "\\f"); break;
		case '\n': sb_str(b, "\\n"); break;
		case '\r': sb_str(b, "\\r"); break;
		case '\t': sb_str(b, "\\t"); break;
		case '\v': sb_str(b, "\\v"); break;
		case '\\': sb_str(b, "\\\\"); break;
		case '"': sb_str(b, "\\\""); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
				sb_str(b, esc);
			} else {
				sb_add(b, (const char *)p, 1);
			}
		}
	}
	sb_str(b, "\"");
}

int buildinfo_format(const struct gobuildinfo *bi, char **out)
{
	struct sbuf b = {0};
	sb_add(&b, "", 0);
	if (bi->path && bi->path[0]) {
		sb_str(&b, "path\t");
		sb_str(&b, bi->path);
		sb_str(&b, "\n");
	}
	if (bi->main.path)
		format_mod(&b, "mod", &bi->main);
	for (size_t i = 0; i < bi->ndeps; i++)
		format_mod(&b, "dep", &bi->deps[i]);
	for (size_t i = 0; i < bi->nsettings; i++) {
		const char *k = bi->settings[i].key, *v = bi->settings[i].value;
		sb_str(&b, "build\t");
		if (!k[0] || strpbrk(k, "= \t\r\n\"`"))
			quote(&b, k);
		else
			sb_str(&b, k);
		sb_str(&b, "=");
		if (strpbrk(v, " \t\r\n\"`"))
			quote(&b, v);
		else
			sb_str(&b, v);
		sb_str(&b, "\n");
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*out = b.s;
	return 0;
}
