#ifndef KANON_JSONW_H
#define KANON_JSONW_H

/*
 * The one JSON writer: every JSON kanon prints goes through it. It puts
 * the commas and the quotes, escapes strings (invalid UTF-8 becomes
 * U+FFFD, see strbuf_add_json_strn) and keeps track of nesting. Layout is
 * the caller's: jsonw_break() asks for a newline and an indent before the
 * next member or element, so documents keep a stable, diffable shape.
 *
 *	struct jsonw w;
 *	jsonw_init(&w, &out);
 *	jsonw_object_begin(&w);
 *	jsonw_key(&w, "n");
 *	jsonw_int(&w, 1);
 *	jsonw_object_end(&w);
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *out; /* borrowed */
	int depth;
	int brk;		   /* indent of a pending break, -1 none */
	bool after_key;		   /* a member name was written, its value comes next */
	bool has[JSONW_MAX_DEPTH]; /* the container at this depth has an item */
};

void jsonw_init(struct jsonw *w, struct strbuf *out);
/* Start the next member or element on a new line, indented by `indent` spaces. */
void jsonw_break(struct jsonw *w, int indent);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* A member name; the next call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);

void jsonw_string(struct jsonw *w, const char *s);
void jsonw_stringn(struct jsonw *w, const char *s, size_t len);
/* A string, or null when s is NULL. */
void jsonw_string_or_null(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
/* %.6g; null when not finite (JSON has no NaN or infinity). */
void jsonw_double(struct jsonw *w, double v);
/* With `decimals` digits after the point; null when not finite. */
void jsonw_fixed(struct jsonw *w, double v, int decimals);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

#endif
