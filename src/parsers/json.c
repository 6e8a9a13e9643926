#include "parsers/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

struct jp {
	const char *buf;
	size_t len, pos;
	int line;
	size_t line_start;
	const char *name;
	struct err *e;
	size_t nodes;
	bool split_items;
	json_value_fn fn;
	void *ctx;
	int stop; /* the callback's nonzero return */
};

static int fail(struct jp *p, const char *msg)
{
	if (!p->e->msg[0])
		err_set(p->e, p->name, p->line, "invalid JSON: %s", msg);
	return -1;
}

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len) {
		char c = p->buf[p->pos];
		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

static struct node *new_node(struct jp *p, enum node_kind k)
{
	struct node *n;

	if (++p->nodes > JSON_MAX_NODES) {
		err_set_limit(p->e, p->name, p->line, "value too large (more than %d nodes)",
			      JSON_MAX_NODES);
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->kind = k;
	n->line = p->line;
	n->col = (int)(p->pos - p->line_start) + 1;
	return n;
}

static void push(struct node *parent, struct node *kid)
{
	ALLOC_GROW(parent->kids, parent->n + 1, parent->alloc);
	parent->kids[parent->n++] = kid;
}

int json_hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (char)(0xc0 | (cp >> 6)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (char)(0xe0 | (cp >> 12)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (char)(0xf0 | (cp >> 18)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The length of the valid UTF-8 sequence at s (n bytes left), 0 when it is
 * not one: as Go's utf8.DecodeRune, no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* At the opening quote. Fills n->str/len. */
static int parse_string(struct jp *p, struct node *n)
{
	size_t start = ++p->pos, i = start, len;
	struct strbuf sb = STRBUF_INIT;

	/* fast path: printable ASCII, no escapes */
	while (i < p->len && p->buf[i] != '"' && p->buf[i] != '\\' &&
	       (unsigned char)p->buf[i] >= 0x20 && (unsigned char)p->buf[i] < 0x80)
		i++;
	if (i < p->len && p->buf[i] == '"') {
		n->str = xstrndup(p->buf + start, i - start);
		n->len = i - start;
		p->pos = i + 1;
		return 0;
	}
	strbuf_add(&sb, p->buf + start, i - start);
	p->pos = i;
	for (;;) {
		char c;
		if (p->pos >= p->len) {
			strbuf_release(&sb);
			return fail(p, "unterminated string");
		}
		c = p->buf[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if ((unsigned char)c < 0x20) {
			strbuf_release(&sb);
			return fail(p, "control character in string");
		}
		if ((unsigned char)c >= 0x80) {
			/* Go's decoder (encoding/json, sigs.k8s.io/json)
			 * replaces each byte of invalid UTF-8 with U+FFFD; so
			 * strings hold valid UTF-8 only, which keeps the C0 80
			 * that stands for NUL (see node.h) unambiguous */
			size_t l =
			    utf8_len((const unsigned char *)p->buf + p->pos, p->len - p->pos);
			if (l)
				strbuf_add(&sb, p->buf + p->pos, l);
			else
				put_utf8(&sb, 0xfffd);
			p->pos += l ? l : 1;
			continue;
		}
		if (c != '\\') {
			strbuf_addch(&sb, c);
			p->pos++;
			continue;
		}
		if (p->pos + 1 >= p->len) {
			strbuf_release(&sb);
			return fail(p, "unterminated string");
		}
		c = p->buf[p->pos + 1];
		p->pos += 2;
		switch (c) {
		case '"':
			strbuf_addch(&sb, '"');
			break;
		case '\\':
			strbuf_addch(&sb, '\\');
			break;
		case '/':
			strbuf_addch(&sb, '/');
			break;
		case 'b':
			strbuf_addch(&sb, '\b');
			break;
		case 'f':
			strbuf_addch(&sb, '\f');
			break;
		case 'n':
			strbuf_addch(&sb, '\n');
			break;
		case 'r':
			strbuf_addch(&sb, '\r');
			break;
		case 't':
			strbuf_addch(&sb, '\t');
			break;
		case 'u': {
			unsigned cp, lo;
			if (p->pos + 4 > p->len || json_hex4(p->buf + p->pos, &cp)) {
				strbuf_release(&sb);
				return fail(p, "bad \\u escape");
			}
			p->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 6 <= p->len &&
			    p->buf[p->pos] == '\\' && p->buf[p->pos + 1] == 'u' &&
			    !json_hex4(p->buf + p->pos + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->pos += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd; /* lone surrogate, as Go's decoder does */
			}
			put_utf8(&sb, cp);
			break;
		}
		default:
			strbuf_release(&sb);
			return fail(p, "bad escape in string");
		}
	}
	len = sb.len;
	node_take_str(n, strbuf_detach(&sb), len);
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct jp *p, struct node *n)
{
	size_t s = p->pos, i = s;

	if (i < p->len && p->buf[i] == '-')
		i++;
	if (i < p->len && p->buf[i] == '0') {
		i++;
	} else if (i < p->len && is_digit(p->buf[i])) {
		while (i < p->len && is_digit(p->buf[i]))
			i++;
	} else {
		return fail(p, "unexpected character");
	}
	if (i < p->len && p->buf[i] == '.') {
		i++;
		if (i >= p->len || !is_digit(p->buf[i]))
			return fail(p, "bad number");
		while (i < p->len && is_digit(p->buf[i]))
			i++;
	}
	if (i < p->len && (p->buf[i] == 'e' || p->buf[i] == 'E')) {
		i++;
		if (i < p->len && (p->buf[i] == '+' || p->buf[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->buf[i]))
			return fail(p, "bad number");
		while (i < p->len && is_digit(p->buf[i]))
			i++;
	}
	n->str = xstrndup(p->buf + s, i - s);
	n->len = i - s;
	p->pos = i;
	return 0;
}

static struct node *parse_value(struct jp *p, int depth);

/* The "items" array of a top-level object: deliver each element. */
static int stream_items(struct jp *p)
{
	p->pos++; /* '[' */
	skip_ws(p);
	if (p->pos < p->len && p->buf[p->pos] == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		size_t before = p->nodes;
		struct node *item = parse_value(p, 2);
		int r;

		if (!item)
			return -1;
		r = p->fn(item, true, p->ctx);
		p->nodes = before;
		if (r) {
			p->stop = r;
			return -1;
		}
		skip_ws(p);
		if (p->pos < p->len && p->buf[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			continue;
		}
		if (p->pos < p->len && p->buf[p->pos] == ']') {
			p->pos++;
			return 0;
		}
		return fail(p, "expected ',' or ']' in array");
	}
}

static struct node *parse_container(struct jp *p, int depth, bool map)
{
	struct node *n = new_node(p, map ? NODE_MAP : NODE_SEQ);
	char close = map ? '}' : ']';

	if (!n)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->buf[p->pos] == close) {
		p->pos++;
		return n;
	}
	for (;;) {
		struct node *kid;
		if (map) {
			struct node *key;
			if (p->pos >= p->len || p->buf[p->pos] != '"') {
				fail(p, "expected a string key");
				goto bad;
			}
			key = new_node(p, NODE_SCALAR);
			if (!key)
				goto bad;
			key->quoted = true;
			if (parse_string(p, key) < 0) {
				node_destroy(key);
				goto bad;
			}
			skip_ws(p);
			if (p->pos >= p->len || p->buf[p->pos] != ':') {
				node_destroy(key);
				fail(p, "expected ':' after a key");
				goto bad;
			}
			p->pos++;
			skip_ws(p);
			if (depth == 0 && p->split_items && !strcmp(key->str, "items") &&
			    p->pos < p->len && p->buf[p->pos] == '[') {
				node_destroy(key);
				if (stream_items(p) < 0)
					goto bad;
				goto next;
			}
			push(n, key);
		}
		kid = parse_value(p, depth + 1);
		if (!kid)
			goto bad;
		push(n, kid);
	next:
		skip_ws(p);
		if (p->pos < p->len && p->buf[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			continue;
		}
		if (p->pos < p->len && p->buf[p->pos] == close) {
			p->pos++;
			return n;
		}
		fail(p, map ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
		goto bad;
	}
bad:
	node_destroy(n);
	return NULL;
}

static struct node *parse_literal(struct jp *p, const char *word)
{
	size_t l = strlen(word);
	struct node *n;

	if (p->len - p->pos < l || memcmp(p->buf + p->pos, word, l)) {
		fail(p, "unexpected character");
		return NULL;
	}
	n = new_node(p, NODE_SCALAR);
	if (!n)
		return NULL;
	n->str = xstrdup(word);
	n->len = l;
	p->pos += l;
	return n;
}

static struct node *parse_value(struct jp *p, int depth)
{
	struct node *n;
	char c;

	skip_ws(p);
	if (depth > JSON_MAX_DEPTH) {
		err_set_limit(p->e, p->name, p->line, "nesting deeper than %d levels",
			      JSON_MAX_DEPTH);
		return NULL;
	}
	if (p->pos >= p->len) {
		fail(p, "unexpected end of input");
		return NULL;
	}
	c = p->buf[p->pos];
	switch (c) {
	case '{':
		return parse_container(p, depth, true);
	case '[':
		return parse_container(p, depth, false);
	case '"':
		n = new_node(p, NODE_SCALAR);
		if (!n)
			return NULL;
		n->quoted = true;
		if (parse_string(p, n) < 0) {
			node_destroy(n);
			return NULL;
		}
		return n;
	case 't':
		return parse_literal(p, "true");
	case 'f':
		return parse_literal(p, "false");
	case 'n':
		return parse_literal(p, "null");
	default:
		n = new_node(p, NODE_SCALAR);
		if (!n)
			return NULL;
		if (parse_number(p, n) < 0) {
			node_destroy(n);
			return NULL;
		}
		return n;
	}
}

int json_parse_stream(const char *buf, size_t len, const char *name, bool split_items,
		      json_value_fn fn, void *ctx, struct err *e)
{
	struct err local;
	struct jp p;

	memset(&p, 0, sizeof(p));
	memset(&local, 0, sizeof(local));
	p.buf = buf;
	p.len = len;
	p.line = 1;
	p.name = name;
	p.e = e ? e : &local;
	p.e->msg[0] = '\0';
	p.split_items = split_items;
	p.fn = fn;
	p.ctx = ctx;
	/* a UTF-8 byte order mark, as PowerShell writes it */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	for (;;) {
		struct node *n;
		int r;

		skip_ws(&p);
		if (p.pos >= p.len)
			return 0;
		p.nodes = 0;
		n = parse_value(&p, 0);
		if (!n)
			return p.stop ? p.stop : -1;
		r = fn(n, false, ctx);
		if (r)
			return r;
	}
}

bool json_sniff(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && (buf[i] == '{' || buf[i] == '[');
}

size_t json_value_bound(const char *p, size_t n)
{
	size_t count = 1;
	const char *end;

	if (!n)
		return count; /* p may be NULL (an empty strbuf) */
	end = p + n;
	while (p < end) {
		const char *q = p;
		/* the structural bytes before the next string */
		while (q < end && *q != '"') {
			count += *q == '[' || *q == ',' || *q == ':';
			q++;
		}
		if (q == end)
			break;
		/* skip the string: to the next '"' not escaped */
		for (q++; q < end && *q != '"'; q++)
			if (*q == '\\' && q + 1 < end)
				q++;
		p = q + 1;
	}
	return count;
}
