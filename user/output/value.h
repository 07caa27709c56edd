/* The one Go value printer: a value's memory image + type -> text or a JSON value. */
#ifndef GOTRACE_VALUE_H
#define GOTRACE_VALUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "goabi/goabi.h"
#include "output/json.h"

/* Bytes read from the target behind a string/slice header at val_off of the value. */
struct value_blob {
	uint32_t val_off;
	const uint8_t *data;
	uint32_t len;               /* bytes captured (the header's len may be larger) */
	bool fault;                 /* reading the target's memory failed */
};

/* Names the dynamic type of an interface: the word is a *_type (eface) or an *itab
 * (iface). Writes the name into buf and returns 0, or -ENOENT. */
typedef int (*value_typename_fn)(void *ctx, uint64_t word, bool itab, char *buf, size_t n);

struct value_view {
	const struct gotype *type;
	const uint8_t *mem;         /* the value in Go's memory layout, type->size bytes */
	bool unavailable;           /* not capturable at all (X register under BPF): printed "?" */
	const uint8_t *known;       /* per byte of mem: 1 captured, 0 not ("?"); NULL = all */
	const struct value_blob *blobs;
	int nblobs;
	uint32_t strsize;           /* string/[]byte bytes shown before "…" */
	value_typename_fn type_name;
	void *type_name_ctx;
};

/* Text form ("42", "\"hello\"…", "len=3 cap=3 [1 2 3]", "{X:1 Y:2}", "0xc000010000").
 * Always NUL-terminates buf; returns the length it wanted, like snprintf. */
int value_format(const struct value_view *v, char *buf, size_t n);
/* The same value as a JSON member (key) or array element (key NULL). True when a string or
 * []byte in it was cut at the bytes read (--strsize): JSON strings carry no "…". */
bool value_json(const struct value_view *v, struct json *j, const char *key);
/* Go's shortest round-trip formatting of a float ("2.718281828459045", "0.5", "1e+21"). */
int value_format_float(double d, int bits, char *buf, size_t n);
#endif
