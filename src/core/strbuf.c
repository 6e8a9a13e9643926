#include "core/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

void strbuf_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = st_add3(sb->len, extra, 1);

	if (need <= sb->alloc)
		return;
	ALLOC_GROW(sb->buf, need, sb->alloc);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	unsigned c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0; /* a continuation byte, or a lead byte no valid sequence uses */
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Would this character act on a terminal or reorder what it shows: C0,
 * DEL, C1, the bidi embeddings, overrides, isolates and marks, and the
 * Unicode line and paragraph separators.
 */
static int is_unsafe(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The length of the leading printable ASCII that needs no escape (the common case). */
static size_t plain_run(const unsigned char *p, size_t n, bool json)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] < 0x7f && (!json || (p[i] != '"' && p[i] != '\\')))
		i++;
	return i;
}

/*
 * C0 80 is never valid UTF-8; the parsers store a decoded NUL (\u0000 in
 * JSON, \0 in YAML) as this pair so that C strings keep it (parsers/node.h).
 * Output shows it as the NUL it stands for.
 */
static bool is_nul_pair(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0xc0 && p[1] == 0x80;
}

/* One character of a JSON string (n: its UTF-8 length, 0 when invalid); returns bytes used. */
static size_t json_char(struct strbuf *sb, const unsigned char *p, size_t n, unsigned cp)
{
	if (!n) {
		strbuf_addstr(sb, "\xef\xbf\xbd"); /* U+FFFD */
		return 1;
	}
	switch (cp) {
	case '"':
		strbuf_addstr(sb, "\\\"");
		break;
	case '\\':
		strbuf_addstr(sb, "\\\\");
		break;
	case '\n':
		strbuf_addstr(sb, "\\n");
		break;
	case '\r':
		strbuf_addstr(sb, "\\r");
		break;
	case '\t':
		strbuf_addstr(sb, "\\t");
		break;
	case '\b':
		strbuf_addstr(sb, "\\b");
		break;
	case '\f':
		strbuf_addstr(sb, "\\f");
		break;
	default:
		if (is_unsafe(cp))
			strbuf_addf(sb, "\\u%04x", cp);
		else
			strbuf_add(sb, p, n);
	}
	return n;
}

/* One character for a terminal: controls and invalid bytes as \xNN, C1 and bidi as \uNNNN. */
static size_t clean_char(struct strbuf *sb, const unsigned char *p, size_t n, unsigned cp)
{
	if (!n || cp < 0x20 || cp == 0x7f) {
		strbuf_addf(sb, "\\x%02x", p[0]);
		return 1;
	}
	if (is_unsafe(cp))
		strbuf_addf(sb, "\\u%04x", cp);
	else
		strbuf_add(sb, p, n);
	return n;
}

/* The one escaping loop: runs of plain bytes copied, the rest through one_char. */
static void add_escaped(struct strbuf *sb, const unsigned char *p, size_t len, bool json,
			size_t (*one_char)(struct strbuf *, const unsigned char *, size_t,
					   unsigned))
{
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t n, run = plain_run(p + i, len - i, json);

		if (run) {
			strbuf_add(sb, p + i, run);
			i += run;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (!n && is_nul_pair(p + i, len - i)) {
			strbuf_addstr(sb, "\\u0000");
			i += 2;
			continue;
		}
		i += one_char(sb, p + i, n, cp);
	}
}

void strbuf_add_json_strn(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_grow(sb, len + 2);
	strbuf_addch(sb, '"');
	add_escaped(sb, (const unsigned char *)s, len, true, json_char);
	strbuf_addch(sb, '"');
}

void strbuf_add_json_str(struct strbuf *sb, const char *s)
{
	strbuf_add_json_strn(sb, s, strlen(s));
}

void strbuf_add_clean(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_grow(sb, len);
	add_escaped(sb, (const unsigned char *)s, len, false, clean_char);
}

void strbuf_add_cleanstr(struct strbuf *sb, const char *s)
{
	strbuf_add_clean(sb, s, strlen(s));
}

void strbuf_splice(struct strbuf *sb, size_t at, size_t del, const char *ins, size_t inslen)
{
	struct strbuf out = STRBUF_INIT;

	strbuf_add(&out, sb->buf, at);
	strbuf_add(&out, ins, inslen);
	strbuf_add(&out, sb->buf + at + del, sb->len - at - del);
	strbuf_release(sb);
	*sb = out;
}

void strbuf_add_markup(struct strbuf *sb, const char *s)
{
	struct strbuf c = STRBUF_INIT;

	strbuf_add_cleanstr(&c, s ? s : "");
	for (size_t i = 0; i < c.len; i++) {
		switch (c.buf[i]) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			strbuf_addstr(sb, "&quot;");
			break;
		case '\'':
			strbuf_addstr(sb, "&#39;");
			break;
		default:
			strbuf_addch(sb, c.buf[i]);
		}
	}
	strbuf_release(&c);
}

char *strbuf_detach(struct strbuf *sb)
{
	char *r = sb->buf ? sb->buf : xstrdup("");
	strbuf_init(sb);
	return r;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
