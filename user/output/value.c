/* The one Go value printer: a value's memory image + type -> text or a JSON value. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/value.h"

#define MAX_ELEMS 16   /* array/slice elements shown */
#define MAX_DEPTH 6

/* Where the walk writes: text into buf, or JSON through j. */
struct out {
	const struct value_view *v;
	struct json *j;
	char *buf;
	size_t n, len;
	bool cut;                   /* a string or []byte was read only up to --strsize */
};

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->n ? o->n - o->len : 0;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->buf ? o->buf + (o->len < o->n ? o->len : 0) : NULL, o->buf ? room : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->len += (size_t)k;
}

static uint64_t rd(const struct out *o, uint32_t off, uint32_t size)
{
	uint64_t x = 0;

	memcpy(&x, o->v->mem + off, size > 8 ? 8 : size);
	return x;
}

static bool known(const struct out *o, uint32_t off, uint32_t size)
{
	if (o->v->unavailable)
		return false;
	if (!o->v->known)
		return true;
	for (uint32_t i = 0; i < size; i++)
		if (!o->v->known[off + i])
			return false;
	return true;
}

static const struct value_blob *blob_at(const struct out *o, uint32_t off)
{
	for (int i = 0; i < o->v->nblobs; i++)
		if (o->v->blobs[i].val_off == off)
			return &o->v->blobs[i];
	return NULL;
}

int value_format_float(double d, int bits, char *buf, size_t n)
{
	char digits[40], *e;
	int prec, exp, nd;
	bool neg;

	if (isnan(d))
		return snprintf(buf, n, "NaN");
	if (isinf(d))
		return snprintf(buf, n, d > 0 ? "+Inf" : "-Inf");
	if (d == 0)
		return snprintf(buf, n, signbit(d) ? "-0" : "0");
	/* Shortest digit string that reads back to the same value, as Go's strconv 'g' -1. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (bits == 32 ? strtof(digits, NULL) == (float)d : strtod(digits, NULL) == d)
			break;
	}
	neg = digits[0] == '-';
	e = strchr(digits, 'e');
	exp = atoi(e + 1);
	*e = '\0';
	/* digits without sign and point */
	char m[24];
	nd = 0;
	for (const char *p = digits + neg; *p && nd < 20; p++)
		if (*p != '.')
			m[nd++] = *p;
	m[nd] = '\0';
	/* Go's %v switches to exponent form below 1e-4 and from 1e21 on. */
	if (exp < -4 || exp >= 21) {
		return snprintf(buf, n, "%s%c%s%.*se%c%02d", neg ? "-" : "", m[0], nd > 1 ? "." : "",
				nd - 1, m + 1, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	char fx[64];
	size_t k = 0;

	if (exp < 0) {
		fx[k++] = '0';
		fx[k++] = '.';
		for (int z = 0; z < -exp - 1; z++)
			fx[k++] = '0';
		for (int i = 0; i < nd; i++)
			fx[k++] = m[i];
	} else {
		for (int i = 0; i < nd || i <= exp; i++) {
			if (i == exp + 1)
				fx[k++] = '.';
			fx[k++] = i < nd ? m[i] : '0';
		}
	}
	fx[k] = '\0';
	return snprintf(buf, n, "%s%s", neg ? "-" : "", fx);
}

/* Go-style quoting of target bytes (invalid UTF-8 bytes as \xNN). */
static void put_quoted(struct out *o, const uint8_t *s, size_t len)
{
	putf(o, "\"");
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		switch (c) {
		case '"': putf(o, "\\\""); break;
		case '\\': putf(o, "\\\\"); break;
		case '\n': putf(o, "\\n"); break;
		case '\t': putf(o, "\\t"); break;
		case '\r': putf(o, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				putf(o, "\\x%02x", c);
			else if (c < 0x80)
				putf(o, "%c", c);
			else {
				/* Pass through well-formed UTF-8 sequences, escape stray bytes. */
				int k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
				bool ok = k > 0 && i + (size_t)k < len;

				for (int x = 1; ok && x <= k; x++)
					ok = (s[i + x] & 0xc0) == 0x80;
				if (ok) {
					putf(o, "%.*s", k + 1, (const char *)s + i);
					i += (size_t)k;
				} else {
					putf(o, "\\x%02x", c);
				}
			}
		}
	}
	putf(o, "\"");
}

static void walk(struct out *o, const struct gotype *t, uint32_t off, const char *key, int depth);

static void put_ptr(struct out *o, const char *key, uint64_t p)
{
	char b[24];

	if (o->j) {
		if (!p) {
			json_null(o->j, key);
		} else {
			snprintf(b, sizeof(b), "0x%" PRIx64, p);
			json_str(o->j, key, b);
		}
	} else {
		if (p)
			putf(o, "0x%" PRIx64, p);
		else
			putf(o, "nil");
	}
}

static void put_unknown(struct out *o, const char *key)
{
	if (o->j)
		json_null(o->j, key);
	else
		putf(o, "?");
}

static void put_scalar(struct out *o, const struct gotype *t, uint32_t off, const char *key)
{
	uint32_t sz = t->size;
	uint64_t x = rd(o, off, sz);
	char b[64];

	switch (t->kind) {
	case GK_BOOL:
		if (o->j)
			json_bool(o->j, key, x & 0xff);
		else
			putf(o, "%s", (x & 0xff) ? "true" : "false");
		break;
	case GK_INT: {
		int64_t v = sz == 1 ? (int8_t)x : sz == 2 ? (int16_t)x : sz == 4 ? (int32_t)x : (int64_t)x;

		if (o->j)
			json_int(o->j, key, v);
		else
			putf(o, "%" PRId64, v);
		break;
	}
	case GK_UINT:
		if (o->j)
			json_uint(o->j, key, x);
		else
			putf(o, "%" PRIu64, x);
		break;
	case GK_UINTPTR:
		snprintf(b, sizeof(b), "0x%" PRIx64, x);
		if (o->j)
			json_str(o->j, key, b);
		else
			putf(o, "%s", b);
		break;
	case GK_FLOAT: {
		double d;

		if (sz == 4) {
			float f;

			memcpy(&f, o->v->mem + off, 4);
			d = f;
		} else {
			memcpy(&d, o->v->mem + off, 8);
		}
		if (o->j) {
			json_double(o->j, key, d);
		} else {
			value_format_float(d, sz == 4 ? 32 : 64, b, sizeof(b));
			putf(o, "%s", b);
		}
		break;
	}
	default:
		put_ptr(o, key, x);
	}
}

static void put_complex(struct out *o, const struct gotype *t, uint32_t off, const char *key)
{
	double re, im;
	char a[40], b[40];
	int bits = t->size == 8 ? 32 : 64;

	if (bits == 32) {
		float f[2];

		memcpy(f, o->v->mem + off, 8);
		re = f[0];
		im = f[1];
	} else {
		memcpy(&re, o->v->mem + off, 8);
		memcpy(&im, o->v->mem + off + 8, 8);
	}
	if (o->j) {
		json_arr_begin(o->j, key);
		json_double(o->j, NULL, re);
		json_double(o->j, NULL, im);
		json_arr_end(o->j);
		return;
	}
	value_format_float(re, bits, a, sizeof(a));
	value_format_float(im, bits, b, sizeof(b));
	putf(o, "(%s%s%si)", a, (im >= 0 || isnan(im)) ? "+" : "", b);
}

/* string, or a []byte shown as its content. */
static void put_bytes(struct out *o, uint32_t off, const char *key, bool slice)
{
	uint64_t ptr = rd(o, off, 8), len = rd(o, off + 8, 8);
	const struct value_blob *b = blob_at(o, off);
	size_t have = b && !b->fault ? b->len : 0;
	bool cut = have < len;

	if (b && !b->fault && cut)
		o->cut = true;
	if (o->j) {
		if (b && b->fault)
			json_null(o->j, key);
		else
			json_strn(o->j, key, have ? (const char *)b->data : "", have);
		return;
	}
	if (b && b->fault) {
		putf(o, "<bad address 0x%" PRIx64 ">", ptr);
		return;
	}
	put_quoted(o, have ? b->data : (const uint8_t *)"", have);
	if (cut)
		putf(o, "…");
	if (slice && cut)
		putf(o, " len=%" PRIu64 " cap=%" PRIu64, len, rd(o, off + 16, 8));
}

static void put_slice(struct out *o, const struct gotype *t, uint32_t off, const char *key, int depth)
{
	uint64_t len = rd(o, off + 8, 8), cap = rd(o, off + 16, 8);
	const struct value_blob *b = blob_at(o, off);
	const struct gotype *e = t->elem;
	uint64_t shown = 0;

	if (e && e->size == 1 && (e->kind == GK_UINT || e->kind == GK_INT) && b) {
		put_bytes(o, off, key, true);
		return;
	}
	if (b && !b->fault && e && e->size)
		shown = b->len / e->size;
	if (o->j) {
		json_obj_begin(o->j, key);
		json_uint(o->j, "len", len);
		json_uint(o->j, "cap", cap);
		if (b && !b->fault && e) {
			struct value_view sub = *o->v;
			struct out so = { .v = &sub, .j = o->j };

			sub.mem = b->data;
			sub.known = NULL;
			sub.nblobs = 0;
			json_arr_begin(o->j, "elems");
			for (uint64_t i = 0; i < shown; i++)
				walk(&so, e, (uint32_t)(i * e->size), NULL, depth + 1);
			o->cut |= so.cut;
			json_arr_end(o->j);
		}
		json_obj_end(o->j);
		return;
	}
	putf(o, "len=%" PRIu64 " cap=%" PRIu64, len, cap);
	if (b && b->fault) {
		putf(o, " <bad address 0x%" PRIx64 ">", rd(o, off, 8));
	} else if (b && e) {
		struct value_view sub = *o->v;
		struct out so = { .v = &sub, .buf = o->buf, .n = o->n, .len = o->len };

		sub.mem = b->data;
		sub.known = NULL;
		sub.nblobs = 0;
		putf(&so, " [");
		for (uint64_t i = 0; i < shown; i++) {
			if (i)
				putf(&so, " ");
			walk(&so, e, (uint32_t)(i * e->size), NULL, depth + 1);
		}
		putf(&so, shown < len ? "%s…]" : "]", shown ? " " : "");
		o->len = so.len;
	}
}

static void put_iface(struct out *o, const struct gotype *t, uint32_t off, const char *key)
{
	uint64_t tw = rd(o, off, 8), data = rd(o, off + 8, 8);
	char name[256], dp[24];
	bool itab = t->kind == GK_IFACE;

	if (!tw) {
		if (o->j)
			json_null(o->j, key);
		else
			putf(o, "nil");
		return;
	}
	if (!o->v->type_name || o->v->type_name(o->v->type_name_ctx, tw, itab, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s 0x%" PRIx64, itab ? "itab" : "type", tw);
	snprintf(dp, sizeof(dp), "0x%" PRIx64, data);
	if (o->j) {
		json_obj_begin(o->j, key);
		json_str(o->j, "type", name);
		json_str(o->j, "data", dp);
		json_obj_end(o->j);
	} else {
		putf(o, "%s(%s)", name, dp);
	}
}

static void walk(struct out *o, const struct gotype *t, uint32_t off, const char *key, int depth)
{
	if (!t || depth > MAX_DEPTH) {
		put_unknown(o, key);
		return;
	}
	if (t->kind != GK_STRUCT && t->kind != GK_ARRAY && !known(o, off, t->size)) {
		put_unknown(o, key);
		return;
	}
	switch (t->kind) {
	case GK_STRING:
		put_bytes(o, off, key, false);
		break;
	case GK_SLICE:
		put_slice(o, t, off, key, depth);
		break;
	case GK_COMPLEX:
		put_complex(o, t, off, key);
		break;
	case GK_IFACE:
	case GK_EFACE:
		put_iface(o, t, off, key);
		break;
	case GK_STRUCT:
		if (o->j)
			json_obj_begin(o->j, key);
		else
			putf(o, "{");
		for (int i = 0; i < t->nfields; i++) {
			const struct gofield *f = &t->fields[i];

			if (!o->j)
				putf(o, "%s%s:", i ? " " : "", f->name ? f->name : "_");
			walk(o, f->type, off + f->offset, f->name ? f->name : "_", depth + 1);
		}
		if (o->j)
			json_obj_end(o->j);
		else
			putf(o, "}");
		break;
	case GK_ARRAY: {
		uint64_t n = t->len;

		if (o->j)
			json_arr_begin(o->j, key);
		else
			putf(o, "[");
		for (uint64_t i = 0; t->elem && i < n && i < MAX_ELEMS; i++) {
			if (!o->j && i)
				putf(o, " ");
			walk(o, t->elem, off + (uint32_t)(i * t->elem->size), NULL, depth + 1);
		}
		if (o->j) {
			json_arr_end(o->j);
		} else {
			if (n > MAX_ELEMS)
				putf(o, " …");
			putf(o, "]");
		}
		break;
	}
	case GK_INVALID:
		put_unknown(o, key);
		break;
	default:
		put_scalar(o, t, off, key);
	}
}

int value_format(const struct value_view *v, char *buf, size_t n)
{
	struct out o = { .v = v, .buf = buf, .n = n };

	if (n)
		buf[0] = '\0';
	walk(&o, v->type, 0, NULL, 0);
	return (int)o.len;
}

bool value_json(const struct value_view *v, struct json *j, const char *key)
{
	struct out o = { .v = v, .j = j };

	walk(&o, v->type, 0, key, 0);
	return o.cut;
}
