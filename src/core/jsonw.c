#include "core/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/banned.h"

void jsonw_init(struct jsonw *w, struct strbuf *out)
{
	w->out = out;
	w->depth = 0;
	w->brk = -1;
	w->after_key = false;
	w->has[0] = false;
}

void jsonw_break(struct jsonw *w, int indent)
{
	w->brk = indent;
}

/* Before a member name, or a value that is not a member's. */
static void item(struct jsonw *w)
{
	if (w->after_key) {
		/* a member's value: no comma, and no break between name and value */
		w->after_key = false;
		w->brk = -1;
		return;
	}
	if (w->has[w->depth])
		strbuf_addch(w->out, ',');
	w->has[w->depth] = true;
	if (w->brk >= 0) {
		/* a newline and the indent: no printf for each item of a report */
		size_t n = (size_t)w->brk + 1;
		strbuf_grow(w->out, n);
		w->out->buf[w->out->len] = '\n';
		memset(w->out->buf + w->out->len + 1, ' ', n - 1);
		w->out->len += n;
		w->out->buf[w->out->len] = '\0';
	}
	w->brk = -1;
}

/* A number's decimal digits, written from the end of buf (no printf per number) */
static void add_uint(struct strbuf *out, uint64_t v, bool neg)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		*--p = '-';
	strbuf_add(out, p, (size_t)(buf + sizeof(buf) - p));
}

static void begin(struct jsonw *w, char c)
{
	item(w);
	strbuf_addch(w->out, c);
	/* deeper than any document kanon writes: a bug, not input */
	if (w->depth + 1 >= JSONW_MAX_DEPTH)
		abort();
	w->has[++w->depth] = false;
}

static void end(struct jsonw *w, char c)
{
	if (w->depth <= 0)
		abort();
	w->depth--;
	w->brk = -1;
	strbuf_addch(w->out, c);
}

void jsonw_object_begin(struct jsonw *w)
{
	begin(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	end(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	begin(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	end(w, ']');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	item(w);
	strbuf_add_json_str(w->out, key);
	strbuf_addch(w->out, ':');
	w->after_key = true;
}

void jsonw_stringn(struct jsonw *w, const char *s, size_t len)
{
	item(w);
	strbuf_add_json_strn(w->out, s, len);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	item(w);
	strbuf_add_json_str(w->out, s);
}

void jsonw_string_or_null(struct jsonw *w, const char *s)
{
	if (s)
		jsonw_string(w, s);
	else
		jsonw_null(w);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	item(w);
	/* the magnitude of INT64_MIN as well: negated as unsigned */
	add_uint(w->out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	item(w);
	add_uint(w->out, v, false);
}

void jsonw_double(struct jsonw *w, double v)
{
	item(w);
	if (isfinite(v))
		strbuf_addf(w->out, "%.6g", v);
	else
		strbuf_addstr(w->out, "null");
}

void jsonw_fixed(struct jsonw *w, double v, int decimals)
{
	item(w);
	if (isfinite(v))
		strbuf_addf(w->out, "%.*f", decimals, v);
	else
		strbuf_addstr(w->out, "null");
}

void jsonw_bool(struct jsonw *w, bool v)
{
	item(w);
	strbuf_addstr(w->out, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	item(w);
	strbuf_addstr(w->out, "null");
}
