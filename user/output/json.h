/* JSON Lines writer: one object per line, strings escaped per RFC 8259. */
#ifndef GOTRACE_JSON_H
#define GOTRACE_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writer state: tracks whether a comma is due at each nesting level. */
struct json {
	FILE *f;
	int depth;
	bool need_comma[32];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);  /* key NULL inside arrays / at top */
void json_obj_end(struct json *j);                     /* at depth 0 also writes '\n' */
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const char *s, size_t n);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Writes s (n bytes) as an escaped JSON string body with quotes; invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s, size_t n);
#endif
