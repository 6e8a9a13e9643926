#ifndef KANON_STRBUF_H
#define KANON_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* A growable, always NUL-terminated byte buffer (git's strbuf, trimmed). */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/*
 * Append the len bytes at s as a JSON string literal, quotes included.
 * Invalid UTF-8 becomes U+FFFD so that strict parsers accept the output;
 * control characters, C1 controls and bidi overrides are written as \u
 * escapes (same string, but a terminal showing the file shows them
 * harmlessly). Use the JSON writer (core/jsonw.h) rather than this.
 */
void strbuf_add_json_strn(struct strbuf *sb, const char *s, size_t len);
void strbuf_add_json_str(struct strbuf *sb, const char *s);
/*
 * Append the len bytes at s for a terminal, every byte that could act on
 * it in a visible form: C0 controls and DEL as "\x1b", C1 controls
 * (U+0080-U+009F) and bidi controls (U+202A-U+202E, U+2066-U+2069, ...)
 * as "\u009b", bytes that are not valid UTF-8 as "\x9b". The one escape
 * of every text output (reports, diagnostics, `kanon rules`), whatever
 * the color setting: audited files and logs choose these strings.
 */
void strbuf_add_clean(struct strbuf *sb, const char *s, size_t len);
void strbuf_add_cleanstr(struct strbuf *sb, const char *s);
/* Replace del bytes at `at` with ins[0..inslen) (ins may point into sb). */
void strbuf_splice(struct strbuf *sb, size_t at, size_t del, const char *ins, size_t inslen);
/*
 * s (NULL: nothing) for HTML or XML text and attribute values: made visible
 * first as strbuf_add_clean() does (no control character, which XML 1.0
 * forbids, no invalid UTF-8, no bidi control), then & < > " ' escaped
 * (' as &#39;, which both HTML and XML read).
 */
void strbuf_add_markup(struct strbuf *sb, const char *s);
/*
 * Decode one UTF-8 character of the n > 0 bytes at s: its length (1-4),
 * or 0 when the bytes are not valid UTF-8 (overlong, surrogate, past
 * U+10FFFF, truncated).
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
/* Returns the buffer (caller frees) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb);
/* Empty string, never NULL. */
const char *strbuf_str(const struct strbuf *sb);

#endif
