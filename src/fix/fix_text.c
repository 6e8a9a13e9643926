#include <string.h>

#include "core/util.h"
#include "fix/fix_text.h"
#include "core/banned.h"

int fix_line_span(const struct strbuf *buf, int line, size_t *off, size_t *len)
{
	const char *s = strbuf_str(buf), *end = s + buf->len, *p = s;

	if (line < 1)
		return -1;
	for (int i = 1; i < line; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return -1;
		p = nl + 1;
	}
	if (p == end && line > 1)
		return -1;
	*off = (size_t)(p - s);
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		if (e > p && e[-1] == '\r')
			e--;
		*len = (size_t)(e - p);
	}
	return 0;
}

const char *fix_eol(const struct strbuf *buf)
{
	const char *nl = memchr(strbuf_str(buf), '\n', buf->len);

	return nl && nl > buf->buf && nl[-1] == '\r' ? "\r\n" : "\n";
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What may stand right before / after a word. */
static bool left_ok(char c, enum fix_word_style st)
{
	return is_blank(c) || c == '"' || c == '\'' || c == '=' ||
	       (st == FIX_WORDS_YAML && (c == '[' || c == ','));
}

static bool right_ok(char c, enum fix_word_style st)
{
	return is_blank(c) || c == '"' || c == '\'' || c == '\\' ||
	       (st == FIX_WORDS_YAML && (c == ']' || c == ','));
}

/* The word's span on the line: [*ws, *we), with the next word when asked. */
struct hit {
	size_t ws, we; /* the word (and next) */
	size_t qs, qe; /* with its quotes, when quoted alone */
};

static int find_once(const char *l, size_t n, enum fix_word_style st, const char *word,
		     const char *next, struct hit *h)
{
	size_t wl = strlen(word), count = 0;

	for (size_t i = 0; i + wl <= n; i++) {
		size_t j = i + wl;

		if (memcmp(l + i, word, wl) || (i && !left_ok(l[i - 1], st)) ||
		    (j < n && !right_ok(l[j], st)))
			continue;
		if (next) {
			size_t nl = strlen(next);

			while (j < n && is_blank(l[j]))
				j++;
			if (j == i + wl || j + nl > n || memcmp(l + j, next, nl) ||
			    (j + nl < n && !right_ok(l[j + nl], st)))
				continue;
			j += nl;
		}
		h->ws = h->qs = i;
		h->we = h->qe = j;
		count++;
	}
	if (count != 1)
		return -(int)(count ? 2 : 1);
	/* "word" or 'word' standing alone */
	if (h->ws && h->we < n && (l[h->ws - 1] == '"' || l[h->ws - 1] == '\'') &&
	    l[h->we] == l[h->ws - 1]) {
		h->qs = h->ws - 1;
		h->qe = h->we + 1;
	}
	return 0;
}

/* Does the line end in a backslash (a systemd or shell continuation)? */
static bool continues(const struct strbuf *buf, size_t off, size_t len)
{
	while (len && is_blank(buf->buf[off + len - 1]))
		len--;
	return len && buf->buf[off + len - 1] == '\\';
}

/*
 * The word on line, or on the lines that continue it: an ExecStart= with
 * backslash continuations is one logical line, and the model records the
 * first. Exactly one occurrence over all of them.
 */
static int find_logical(const struct strbuf *buf, int line, enum fix_word_style st,
			const char *word, const char *next, size_t *off, size_t *len, struct hit *h)
{
	int found = 0, r = -1;

	for (int l = line; l < line + 1000; l++) {
		size_t o, n;
		struct hit t;
		int x;

		if (fix_line_span(buf, l, &o, &n) < 0)
			break;
		x = find_once(buf->buf + o, n, st, word, next, &t);
		if (x == 0 || x == -2) {
			found += x == 0 ? 1 : 2;
			*off = o;
			*len = n;
			*h = t;
		}
		if (!continues(buf, o, n))
			break;
	}
	if (found == 1)
		r = 0;
	else if (found > 1)
		r = -2;
	return r;
}

static int locate(const struct strbuf *buf, int line, enum fix_word_style st, const char **word,
		  const char *next, size_t *off, size_t *len, struct hit *h, struct err *e)
{
	int r;

	if (fix_line_span(buf, line, off, len) < 0)
		return err_set(e, NULL, line, "no line %d", line);
	r = find_logical(buf, line, st, *word, next, off, len, h);
	if (r == -1 && st == FIX_WORDS_YAML && starts_with(*word, "--")) {
		*word += 2;
		r = find_logical(buf, line, st, *word, next, off, len, h);
	}
	if (r == -1)
		return err_set(e, NULL, line, "'%s' is not written as such on line %d", *word,
			       line);
	if (r < 0)
		return err_set(e, NULL, line,
			       "'%s' is on line %d more than once: not guessing "
			       "which one is meant",
			       *word, line);
	return 0;
}

int fix_word_replace(struct strbuf *buf, int line, enum fix_word_style style, const char *word,
		     const char *next, const char *repl, struct err *e)
{
	const char *w = word;
	size_t off, len;
	struct hit h;

	if (locate(buf, line, style, &w, next, &off, &len, &h, e) < 0)
		return -1;
	if (w != word && starts_with(repl, "--"))
		repl += 2;
	strbuf_splice(buf, off + h.ws, h.we - h.ws, repl, strlen(repl));
	return 0;
}

/* A YAML block item "- word" alone on its line (a comment may follow). */
static bool block_item(const char *l, size_t n, const struct hit *h)
{
	size_t i = 0, j = h->qe;

	while (i < n && is_blank(l[i]))
		i++;
	if (i + 2 > n || l[i] != '-' || !is_blank(l[i + 1]))
		return false;
	i += 2;
	while (i < n && is_blank(l[i]))
		i++;
	while (j < n && is_blank(l[j]))
		j++;
	return i == h->qs && (j == n || l[j] == '#');
}

static int remove_flow_item(struct strbuf *buf, size_t off, size_t len, struct hit *h, int line,
			    struct err *e)
{
	const char *l = buf->buf + off;
	size_t s = h->qs, t = h->qe;

	while (t < len && is_blank(l[t]))
		t++;
	if (t < len && l[t] == ',') {
		t++;
		while (t < len && is_blank(l[t]))
			t++;
	} else {
		/* the last item: take the comma before it */
		while (s && is_blank(l[s - 1]))
			s--;
		if (s && l[s - 1] == ',')
			s--;
		else if (!(s && l[s - 1] == '[' && t < len && l[t] == ']'))
			return err_set(e, NULL, line, "line %d is not a YAML list item", line);
	}
	strbuf_splice(buf, off + s, t - s, "", 0);
	return 0;
}

int fix_word_remove(struct strbuf *buf, int line, enum fix_word_style style, const char *word,
		    const char *next, struct err *e)
{
	const char *w = word;
	size_t off, len, s, t;
	struct hit h;
	const char *l;

	if (locate(buf, line, style, &w, next, &off, &len, &h, e) < 0)
		return -1;
	l = buf->buf + off;
	if (style == FIX_WORDS_YAML) {
		size_t end = off + len;

		if (!block_item(l, len, &h))
			return remove_flow_item(buf, off, len, &h, line, e);
		while (end < buf->len && buf->buf[end] != '\n')
			end++;
		strbuf_splice(buf, off, end + (end < buf->len) - off, "", 0);
		return 0;
	}
	/* a word quoted alone after a blank is its own word: quotes go too */
	s = h.qs != h.ws && (!h.qs || is_blank(l[h.qs - 1])) ? h.qs : h.ws;
	t = s == h.qs ? h.qe : h.we;
	if (s && is_blank(l[s - 1])) {
		while (s && is_blank(l[s - 1]))
			s--;
	} else {
		while (t < len && is_blank(l[t]))
			t++;
	}
	strbuf_splice(buf, off + s, t - s, "", 0);
	return 0;
}

int fix_item_insert_after(struct strbuf *buf, int line, const char *word, struct err *e)
{
	struct strbuf ins = STRBUF_INIT;
	size_t off, len, i = 0, end;
	const char *l;

	if (fix_line_span(buf, line, &off, &len) < 0)
		return err_set(e, NULL, line, "no line %d", line);
	l = buf->buf + off;
	while (i < len && l[i] == ' ')
		i++;
	if (i + 1 >= len || l[i] != '-' || l[i + 1] != ' ')
		return err_set(e, NULL, line, "line %d is not a YAML block list item", line);
	end = off + len;
	while (end < buf->len && buf->buf[end] != '\n')
		end++;
	if (end == buf->len)
		strbuf_addstr(&ins, fix_eol(buf));
	strbuf_add(&ins, l, i + 2);
	strbuf_addstr(&ins, word);
	if (end < buf->len)
		strbuf_addstr(&ins, fix_eol(buf));
	strbuf_splice(buf, end + (end < buf->len), 0, ins.buf, ins.len);
	strbuf_release(&ins);
	return 0;
}
