#include "parsers/jsonl.h"
#include "parsers/json.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "core/util.h"
#include "core/banned.h"

/*
 * The hot loops. Audit lines are ~1 KB of mostly short strings, so the
 * cost is in finding the closing quote of each string and the closing
 * bracket of each nested value; SSE2 checks 16 bytes at a time.
 */
static inline __attribute__((always_inline)) const char *skip_str(const char *p, const char *end)
{
	p++;
	for (;;) {
#ifdef __SSE2__
		const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			int m = _mm_movemask_epi8(
			    _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
			if (m) {
				p += __builtin_ctz((unsigned)m);
				goto found;
			}
			p += 16;
		}
#endif
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return NULL;
#ifdef __SSE2__
	found:
#endif
		if (*p == '"')
			return p + 1;
		p += 2; /* a backslash escapes exactly one character ('\uXXXX' is plain text) */
		if (p > end)
			return NULL;
	}
}

const char *jsonl_skip_string(const char *p, const char *end)
{
	return skip_str(p, end);
}

/* Next '"', '{', '}', '[' or ']' at or after p, or end. */
static inline __attribute__((always_inline)) const char *next_struct(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), lb = _mm_set1_epi8('{'), rb = _mm_set1_epi8('}'),
		      bit = _mm_set1_epi8(0x20);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i f = _mm_or_si128(v, bit); /* '[' | 0x20 == '{', ']' | 0x20 == '}' */
		int m = _mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, q),
				 _mm_or_si128(_mm_cmpeq_epi8(f, lb), _mm_cmpeq_epi8(f, rb))));
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end) {
		char c = *p;
		if (c == '"' || c == '{' || c == '}' || c == '[' || c == ']')
			return p;
		p++;
	}
	return end;
}

static inline __attribute__((always_inline)) const char *skip_val(const char *p, const char *end)
{
	int depth;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_str(p, end);
	if (*p != '{' && *p != '[') {
		/* a number, true, false or null: ends at the next delimiter */
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
		       *p != '\r' && *p != '\n' && *p != '"' && *p != '{' && *p != '[' && *p != ':')
			p++;
		return p;
	}
	depth = 0;
	while (p < end) {
		p = next_struct(p, end);
		if (p >= end)
			return NULL;
		switch (*p) {
		case '"':
			p = skip_str(p, end);
			if (!p)
				return NULL;
			continue;
		case '{':
		case '[':
			if (++depth > 512)
				return NULL;
			break;
		default:
			if (--depth == 0)
				return p + 1;
			break;
		}
		p++;
	}
	return NULL;
}

const char *jsonl_skip_value(const char *p, const char *end)
{
	return skip_val(p, end);
}

static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Keys are short: a loop is cheaper than a call to memchr. */
static inline bool has_backslash(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '\\')
			return true;
	return false;
}

#ifdef __SSE2__
/* The 16 candidates at p (16 + kl + 1 bytes readable): a quote, the key, a quote. */
static inline bool quoted16(const char *p, const char *key, size_t kl)
{
	const __m128i q = _mm_set1_epi8('"'), f = _mm_set1_epi8(key[0]);
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
	__m128i e = _mm_loadu_si128((const __m128i *)(const void *)(p + kl + 1));
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
	    _mm_and_si128(_mm_cmpeq_epi8(a, q), _mm_cmpeq_epi8(b, f)), _mm_cmpeq_epi8(e, q)));

	for (; m; m &= m - 1) {
		const char *c = p + __builtin_ctz(m);
		if (c[kl] == key[kl - 1] && !memcmp(c + 1, key, kl))
			return true;
	}
	return false;
}
#endif

/*
 * The candidates are a quote followed by the key's first byte and, a key's
 * length further, by a quote, 16 positions at a time (much cheaper than
 * memmem on the short spans of an event, where most strings start alike:
 * "system:..."); the last 16 overlap the ones before.
 */
bool jsonl_has_quoted(const char *p, const char *end, const char *key, size_t kl)
{
	if (!kl)
		return false;
#ifdef __SSE2__
	if (end - p >= (ptrdiff_t)(kl + 17)) {
		for (; end - p >= (ptrdiff_t)(kl + 17); p += 16)
			if (quoted16(p, key, kl))
				return true;
		return end - p > (ptrdiff_t)(kl + 1) && quoted16(end - kl - 17, key, kl);
	}
#endif
	for (; end - p >= (ptrdiff_t)(kl + 2); p++)
		if (p[0] == '"' && p[1] == key[0] && !memcmp(p + 1, key, kl) && p[kl + 1] == '"')
			return true;
	return false;
}

static inline bool quoted_at(const char *c, const char *s, size_t n)
{
	return c[n + 1] == '"' && !memcmp(c + 1, s, n);
}

#ifdef __SSE2__
/* quoted16 for two strings of one first byte (16 + max(an, bn) + 1 bytes readable) */
static inline bool quoted16_2(const char *p, const char *a, size_t an, const char *b, size_t bn)
{
	const __m128i q = _mm_set1_epi8('"'), f = _mm_set1_epi8(a[0]);
	__m128i c0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i c1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
	__m128i ea = _mm_loadu_si128((const __m128i *)(const void *)(p + an + 1));
	__m128i eb = _mm_loadu_si128((const __m128i *)(const void *)(p + bn + 1));
	__m128i e = _mm_or_si128(_mm_cmpeq_epi8(ea, q), _mm_cmpeq_epi8(eb, q));
	unsigned m = (unsigned)_mm_movemask_epi8(
	    _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(c0, q), _mm_cmpeq_epi8(c1, f)), e));

	for (; m; m &= m - 1) {
		const char *c = p + __builtin_ctz(m);
		if (quoted_at(c, a, an) || quoted_at(c, b, bn))
			return true;
	}
	return false;
}
#endif

#define KEY_IS(lit) (kn == sizeof(lit) - 1 && !memcmp(k, lit, sizeof(lit) - 1))

static int key_id(const char *k, size_t kn)
{
	switch (kn) {
	case 4:
		if (KEY_IS("kind"))
			return JK_KIND;
		if (KEY_IS("verb"))
			return JK_VERB;
		if (KEY_IS("user"))
			return JK_USER;
		break;
	case 5:
		if (KEY_IS("stage"))
			return JK_STAGE;
		break;
	case 7:
		if (KEY_IS("auditID"))
			return JK_AUDITID;
		break;
	case 9:
		if (KEY_IS("sourceIPs"))
			return JK_SOURCEIPS;
		if (KEY_IS("userAgent"))
			return JK_USERAGENT;
		if (KEY_IS("objectRef"))
			return JK_OBJECTREF;
		if (KEY_IS("timestamp"))
			return JK_TIMESTAMP;
		break;
	case 10:
		if (KEY_IS("requestURI"))
			return JK_REQUESTURI;
		break;
	case 11:
		if (KEY_IS("annotations"))
			return JK_ANNOTATIONS;
		break;
	case 13:
		if (KEY_IS("requestObject"))
			return JK_REQOBJ;
		break;
	case 14:
		if (KEY_IS("responseStatus"))
			return JK_RESPSTATUS;
		if (KEY_IS("responseObject"))
			return JK_RESPOBJ;
		if (KEY_IS("stageTimestamp"))
			return JK_STAGETS;
		break;
	case 16:
		if (KEY_IS("impersonatedUser"))
			return JK_IMPUSER;
		break;
	case 24:
		if (KEY_IS("requestReceivedTimestamp"))
			return JK_RRTS;
		break;
	}
	return -1;
}

int jsonl_walk_until_scalar(const char *p, const char *end, struct span out[JK__COUNT], int stop)
{
	memset(out, 0, sizeof(struct span) * JK__COUNT);
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		const char *k, *v, *ve;
		int id;

		if (p >= end || *p != '"')
			return -1;
		k = p + 1;
		v = skip_str(p, end);
		if (!v)
			return -1;
		id = key_id(k, (size_t)(v - 1 - k));
		/* an escaped key ("\u0075ser") is decoded by Go: leave it to a full parser */
		if (id < 0 && has_backslash(k, v - 1))
			return -1;
		v = skip_ws(v, end);
		if (v >= end || *v != ':')
			return -1;
		v = skip_ws(v + 1, end);
		ve = skip_val(v, end);
		if (!ve || ve == v)
			return -1;
		if (id >= 0) {
			out[id].p = v;
			out[id].n = (size_t)(ve - v);
		}
		p = skip_ws(ve, end);
		/* v1beta1 writers put user and verb late: stop only past them */
		if (id >= 0 && id == stop && out[JK_USER].n && out[JK_VERB].n && p < end &&
		    (*p == ',' || *p == '}'))
			return 1;
		if (p >= end)
			return -1;
		if (*p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		if (*p != ',')
			return -1;
		p = skip_ws(p + 1, end);
	}
}

#ifdef __SSE2__
/*
 * The same walk, 16 bytes at a time: a chunk without backslashes has no
 * escapes, so which bytes are inside strings is the running parity of its
 * quotes (a prefix XOR of the quote bits); what is left are the structural
 * characters, visited bit by bit. A chunk with a backslash, or one that
 * starts in the middle of an escape, is done byte by byte.
 */
struct walkst {
	const char *start, *end, *item; /* item: after the '{' or ',' that began the member */
	const char *vstart;
	const char **last_bs; /* the last backslash seen: chunks with one are walked byte by byte */
	int depth, id, stop;
	struct span *out;
};

/* A key ends at ':' (depth 1): the text since the member began must be one plain string. */
static int on_colon(struct walkst *w, const char *pos)
{
	const char *a = skip_ws(w->item, pos), *b = pos;

	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r' || b[-1] == '\n'))
		b--;
	if (b - a < 2 || *a != '"' || b[-1] != '"' || w->vstart)
		return -1;
	w->id = key_id(a + 1, (size_t)(b - a - 2));
	/* an escaped key ("\u0075ser") is decoded by Go: leave it to a full parser */
	if (w->id < 0 && *w->last_bs > a)
		return -1;
	w->vstart = pos + 1;
	return 0;
}

/* A value ends at ',' (depth 1) or the closing '}': 1 to stop, 0 to go on, -1 bad. */
static int on_value_end(struct walkst *w, const char *pos)
{
	const char *a, *b = pos;

	if (!w->vstart)
		return -1;
	a = skip_ws(w->vstart, pos);
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r' || b[-1] == '\n'))
		b--;
	if (a == b)
		return -1;
	if (w->id >= 0) {
		w->out[w->id].p = a;
		w->out[w->id].n = (size_t)(b - a);
		if (w->id == w->stop && w->out[JK_USER].n && w->out[JK_VERB].n)
			return 1;
	}
	w->vstart = NULL;
	w->item = pos + 1;
	return 0;
}

/* One structural character outside strings: 2 done, 1 stop, 0 go on, -1 bad. */
static inline int on_struct(struct walkst *w, const char *pos)
{
	switch (*pos) {
	case '{':
	case '[':
		if (w->depth == 0)
			return -1; /* only the first '{' opens depth 1 */
		w->depth++;
		return 0;
	case '}':
	case ']':
		if (--w->depth > 0)
			return 0;
		if (w->depth < 0 || *pos != '}')
			return -1;
		if (w->vstart) {
			int r = on_value_end(w, pos);
			if (r)
				return r;
		} else if (skip_ws(w->item, pos) != pos || w->item != w->start + 1) {
			return -1; /* "{}" is fine, "{,}" or "{"a"}" is not */
		}
		return skip_ws(pos + 1, w->end) == w->end ? 2 : -1;
	case ':':
		return w->depth == 1 ? on_colon(w, pos) : 0;
	default: /* ',' */
		return w->depth == 1 ? on_value_end(w, pos) : 0;
	}
}

static int walk_simd(const char *p, const char *end, struct span out[JK__COUNT], int stop,
		     const char **last_bs)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lb = _mm_set1_epi8('{'),
		      rb = _mm_set1_epi8('}'), co = _mm_set1_epi8(':'), cm = _mm_set1_epi8(','),
		      bit = _mm_set1_epi8(0x20);
	struct walkst w;
	const char *c;
	unsigned instr = 0; /* 0xffff while inside a string */
	bool esc = false;
	int r;

	memset(out, 0, sizeof(struct span) * JK__COUNT);
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	w.start = p;
	w.end = end;
	w.item = p + 1;
	w.vstart = NULL;
	w.depth = 1;
	w.id = -1;
	w.stop = stop;
	w.out = out;
	w.last_bs = last_bs;
	*last_bs = NULL;
	c = p + 1;
	while (c < end) {
		size_t n = end - c >= 16 ? 16 : (size_t)(end - c);
		unsigned qm, bm, sm;

		if (n == 16 && !esc) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
			__m128i f = _mm_or_si128(v, bit);
			bm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs));
			if (!bm) {
				unsigned x;
				qm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q));
				x = qm;
				x ^= x << 1;
				x ^= x << 2;
				x ^= x << 4;
				x ^= x << 8;
				x = (x ^ instr) & 0xffff;
				sm = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				    _mm_or_si128(_mm_cmpeq_epi8(f, lb), _mm_cmpeq_epi8(f, rb)),
				    _mm_or_si128(_mm_cmpeq_epi8(v, co), _mm_cmpeq_epi8(v, cm))));
				sm &= ~x & 0xffff;
				while (sm) {
					r = on_struct(&w, c + __builtin_ctz(sm));
					if (r)
						return r == 2 ? 0 : r;
					sm &= sm - 1;
				}
				if (__builtin_popcount(qm) & 1)
					instr ^= 0xffff;
				c += 16;
				continue;
			}
		}
		/* byte by byte: escapes, or the last bytes of the line */
		for (const char *e = c + n; c < e; c++) {
			if (instr) {
				if (esc)
					esc = false;
				else if (*c == '\\')
					esc = true, *last_bs = c;
				else if (*c == '"')
					instr = 0;
				continue;
			}
			if (*c == '"') {
				instr = 0xffff;
			} else if (*c == '{' || *c == '}' || *c == '[' || *c == ']' || *c == ':' ||
				   *c == ',') {
				r = on_struct(&w, c);
				if (r)
					return r == 2 ? 0 : r;
			}
		}
	}
	return -1; /* the object does not end */
}
int jsonl_walk_until(const char *p, const char *end, struct span out[JK__COUNT], int stop)
{
	const char *bs = NULL;
	return walk_simd(p, end, out, stop, &bs);
}

int jsonl_walk_until_bs(const char *p, const char *end, struct span out[JK__COUNT], int stop,
			bool *backslash)
{
	const char *bs = NULL;
	int r = walk_simd(p, end, out, stop, &bs);

	*backslash = bs != NULL;
	return r;
}
#else
int jsonl_walk_until(const char *p, const char *end, struct span out[JK__COUNT], int stop)
{
	return jsonl_walk_until_scalar(p, end, out, stop);
}

int jsonl_walk_until_bs(const char *p, const char *end, struct span out[JK__COUNT], int stop,
			bool *backslash)
{
	*backslash = true; /* not tracked here: the caller looks */
	return jsonl_walk_until_scalar(p, end, out, stop);
}
#endif

/* ------------------------------------------------------------ strict walk */

/*
 * jsonl_walk_strict(): the walk of one event line that also proves the
 * line is JSON (RFC 8259), 64 bytes at a time. It takes only the compact
 * form the API server writes (no blank outside strings, no raw control
 * byte, no escape other than the JSON ones, no \u escape of a surrogate,
 * numbers as RFC 8259 writes them); anything else returns -1 and the caller
 * reads the line with the full parser, which decides. So the fast path
 * never takes a line the tree parser refuses ({"a":g""} was one).
 *
 * Which bytes are inside strings is the running parity of the unescaped
 * quotes (a prefix XOR); outside strings, every bracket, colon and comma is
 * visited with a bracket stack, and the bytes next to it must be what the
 * grammar allows there. Between two such characters there is then at most
 * one token: two strings, or a string and a scalar, side by side are caught
 * by the masks; each scalar is parsed.
 */
/* Of the rare bytes of a block: the backslashes, and whether a control byte is among them. */
static uint64_t rare_split(const char *c, uint64_t rare, bool *ctl)
{
	uint64_t bs = 0;

	*ctl = false;
	while (rare) {
		int i = __builtin_ctzll(rare);
		rare &= rare - 1;
		if (c[i] == '\\')
			bs |= UINT64_C(1) << i;
		else
			*ctl = true;
	}
	return bs;
}

/* The escape at e (e[0] == '\\'): one the tree parser decodes as JSON does. */
static bool strict_escape(const char *e, const char *end)
{
	unsigned v = 0;

	if (end - e < 2)
		return false;
	switch (e[1]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return true;
	case 'u':
		if (end - e < 6)
			return false;
		for (int i = 2; i < 6; i++) {
			int h = hex_value(e[i]);
			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		/* surrogates: cJSON and Go part ways on lone ones; the full parser decides */
		return v < 0xd800 || v > 0xdfff;
	default:
		return false;
	}
}

static const char *digits_end(const char *p, const char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* Past the RFC 8259 number or literal at p, or NULL. */
static const char *strict_scalar(const char *p, const char *end)
{
	const char *d;

	if (p < end && (*p == 't' || *p == 'n'))
		return end - p >= 4 && !memcmp(p, *p == 't' ? "true" : "null", 4) ? p + 4 : NULL;
	if (p < end && *p == 'f')
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	p = *p == '0' ? p + 1 : digits_end(p, end);
	if (p < end && *p == '.') {
		d = digits_end(p + 1, end);
		if (d == p + 1)
			return NULL;
		p = d;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		d = digits_end(p, end);
		if (d == p)
			return NULL;
		p = d;
	}
	return p;
}

static inline bool value_start(char c)
{
	return c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
	       c == 'f' || c == 'n';
}

static inline bool value_end(char c)
{
	return c == '"' || c == '}' || c == ']' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

#define STRICT_MAX_DEPTH 63

struct strict {
	const char *end;
	const char *item, *vstart; /* depth 1: after the '{' or ',' of the member, its value */
	const char *close;	   /* past the event's closing '}' */
	struct span *out;
	uint64_t arr; /* bit d: the container at depth d is an array */
	int depth, id;
	bool want_colon; /* the object being read waits for the ':' of a member */
};

/* A member of the event ends at pos (',' or the closing '}'). */
static void strict_member(struct strict *s, const char *pos)
{
	if (s->vstart && s->id >= 0) {
		s->out[s->id].p = s->vstart;
		s->out[s->id].n = (size_t)(pos - s->vstart);
	}
	s->vstart = NULL;
	s->item = pos + 1;
}

static inline int strict_open(struct strict *s, const char *pos)
{
	char prev = pos[-1], next = pos + 1 < s->end ? pos[1] : 0;
	bool in_arr = s->arr >> s->depth & 1;

	if (!(prev == ':' || prev == '[' || (prev == ',' && in_arr)))
		return -1;
	if (++s->depth > STRICT_MAX_DEPTH)
		return -1;
	if (*pos == '{') {
		s->arr &= ~(UINT64_C(1) << s->depth);
		s->want_colon = true;
		return next == '"' || next == '}' ? 0 : -1;
	}
	s->arr |= UINT64_C(1) << s->depth;
	s->want_colon = false;
	return value_start(next) || next == ']' ? 0 : -1;
}

/* 1: the event's closing '}', 0: go on, -1: not JSON the fast path takes */
static inline int strict_close(struct strict *s, const char *pos)
{
	char prev = pos[-1], next = pos + 1 < s->end ? pos[1] : 0;
	bool arr = s->arr >> s->depth & 1;

	if (arr != (*pos == ']'))
		return -1;
	if (prev == (arr ? '[' : '{')) {
		/* empty */
	} else if (!value_end(prev) || (!arr && s->want_colon)) {
		return -1;
	}
	s->want_colon = false;
	if (--s->depth == 0) {
		strict_member(s, pos);
		s->close = pos + 1;
		return 1;
	}
	return next == ',' || next == '}' || next == ']' ? 0 : -1;
}

/*
 * The event's own members between two brackets, the order of their colons
 * and commas already checked (strict_segment): a colon names the member (its
 * key, from the '{' or ',' before it), a comma ends it.
 */
static inline int strict_members(struct strict *s, const char *c, uint64_t co, uint64_t cm)
{
	for (uint64_t all = co | cm; all; all &= all - 1) {
		int i = __builtin_ctzll(all);
		const char *pos = c + i, *k = s->item + 1;

		if (cm >> i & 1) {
			strict_member(s, pos);
			continue;
		}
		s->id = key_id(k, (size_t)(pos - 1 - k));
		/* an escaped key ("\u0075ser") is decoded by Go: leave it to a full parser */
		if (s->id < 0 && has_backslash(k, pos - 1))
			return -1;
		s->vstart = pos + 1;
	}
	return 0;
}

/* A bracket: 1 the event's closing '}', 0 go on, -1 refused. */
static inline __attribute__((always_inline)) int strict_bracket(struct strict *s, const char *pos)
{
	return *pos == '{' || *pos == '[' ? strict_open(s, pos) : strict_close(s, pos);
}

/* The escapes of a block: which bytes they escape (bit 0 may come from the block before). */
static int strict_escapes(const char *c, const char *end, uint64_t bs, uint64_t *escaped,
			  uint64_t *carry)
{
	uint64_t e = *carry;

	*carry = 0;
	while (bs) {
		int i = __builtin_ctzll(bs);
		bs &= bs - 1;
		if (e >> i & 1)
			continue; /* itself escaped: "\\" */
		if (!strict_escape(c + i, end))
			return -1;
		if (i == 63)
			*carry = 1;
		else
			e |= UINT64_C(1) << (i + 1);
	}
	*escaped = e;
	return 0;
}

/* Each scalar (a run of other bytes outside strings) must be one whole RFC 8259 one. */
static int strict_scalars(const char *c, const char *end, uint64_t starts)
{
	while (starts) {
		const char *s = c + __builtin_ctzll(starts), *e = strict_scalar(s, end);
		starts &= starts - 1;
		if (!e || e >= end || (*e != ',' && *e != '}' && *e != ']'))
			return -1;
	}
	return 0;
}

/*
 * The colons and commas between two brackets below the event's own members
 * (depth 2 and more): each one's neighbours were checked by the masks of the
 * block; what is left is their order. An array has no colon; an object
 * alternates colon, comma, colon... starting with a colon after its '{' or a
 * comma (want_colon), with a comma after a nested value: the odd ones of the
 * run (the running parity, a prefix XOR) must be the colons, or the commas.
 */
static inline int strict_segment(struct strict *s, uint64_t co, uint64_t cm, uint64_t px)
{
	uint64_t all = co | cm;

	if (s->arr >> s->depth & 1)
		return co ? -1 : 0;
	if ((all & px) != (s->want_colon ? co : cm))
		return -1;
	s->want_colon = (cm >> (63 - __builtin_clzll(all))) & 1;
	return 0;
}

static void strict_init(struct strict *s, const char *p, const char *end, struct span *out)
{
	memset(s, 0, sizeof(*s));
	s->end = end;
	s->item = p + 1;
	s->out = out;
	s->depth = 1;
	s->id = -1;
	s->want_colon = true;
}

/*
 * One version of the walk per instruction set: SSE2 (every x86-64) and, on
 * CPUs that have them, AVX2 (32 bytes per compare) and AVX-512BW, which
 * classifies the 64 bytes of a block in one compare per character class.
 * The choice is made once, at the first line (simd_detect).
 */
#define STRICT_WALK strict_walk_sse2
#include "parsers/jsonl_strict.inc"
#undef STRICT_WALK

#if defined(__x86_64__) && !defined(__AVX512BW__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_STRICT_SIMD 1
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,bmi,bmi2,popcnt,pclmul"))),               \
			     apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi,bmi2,popcnt,pclmul")
#endif
#define STRICT_AVX2 1
#define STRICT_WALK strict_walk_avx2
#include "parsers/jsonl_strict.inc"
#undef STRICT_WALK
#undef STRICT_AVX2
#ifdef __clang__
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,bmi,bmi2,popcnt,pclmul"))),   \
			     apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,bmi,bmi2,popcnt,pclmul")
#endif
#define STRICT_AVX512 1
#define STRICT_WALK   strict_walk_avx512
#include "parsers/jsonl_strict.inc"
#undef STRICT_WALK
#ifdef __clang__
#pragma clang attribute pop
#pragma clang attribute push(                                                                      \
    __attribute__((                                                                                \
	target("avx512f,avx512bw,avx512vl,avx512vbmi2,bmi,bmi2,popcnt,pclmul,sse4.2"))),           \
    apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vbmi2,bmi,bmi2,popcnt,pclmul,sse4.2")
#endif
/* and with VBMI2's byte compress: the line's shape (see jsonl_strict.inc) */
#define STRICT_SHAPE 1
#define STRICT_WALK  strict_walk_shape
#include "parsers/jsonl_strict.inc"
#undef STRICT_WALK
#undef STRICT_SHAPE
#undef STRICT_AVX512

/* the first n bytes of a block (n may be out of 0..64) */
static inline uint64_t first_bytes(ptrdiff_t n)
{
	return n >= 64 ? ~UINT64_C(0) : n <= 0 ? 0 : (UINT64_C(1) << n) - 1;
}

/*
 * jsonl_has_quoted2()'s candidates at the 64 positions from p (p < end): a
 * node's or a service account's user object is about 100 bytes, 4 SSE2
 * steps and 20 positions one at a time before (the search was 4 % of the CPU
 * time of a native log here), two steps now. The loads are masked to the
 * bytes before end (a masked-off byte never faults), so the last positions
 * are a step too, not a loop of a compare and a branch each.
 */
static bool quoted64_2(const char *p, const char *end, const char *a, size_t an, const char *b,
		       size_t bn)
{
	const ptrdiff_t r = end - p;
	const __m512i q = _mm512_set1_epi8('"'), f = _mm512_set1_epi8(a[0]);
	__m512i c0 = _mm512_maskz_loadu_epi8(first_bytes(r), p);
	__m512i c1 = _mm512_maskz_loadu_epi8(first_bytes(r - 1), p + 1);
	__m512i ea = _mm512_maskz_loadu_epi8(first_bytes(r - (ptrdiff_t)an - 1), p + an + 1);
	__m512i eb = _mm512_maskz_loadu_epi8(first_bytes(r - (ptrdiff_t)bn - 1), p + bn + 1);
	uint64_t m = _mm512_cmpeq_epi8_mask(c0, q) & _mm512_cmpeq_epi8_mask(c1, f) &
		     (_mm512_cmpeq_epi8_mask(ea, q) | _mm512_cmpeq_epi8_mask(eb, q));

	for (; m; m &= m - 1) {
		const char *c = p + __builtin_ctzll(m);
		if ((end - c >= (ptrdiff_t)(an + 2) && quoted_at(c, a, an)) ||
		    (end - c >= (ptrdiff_t)(bn + 2) && quoted_at(c, b, bn)))
			return true;
	}
	return false;
}
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

/* 0: SSE2 (or portable C), 1: AVX2, 2: AVX-512BW, 3: and VBMI2 (shapes); -1: not known yet */
static int simd_level = -1;

/* KANON_SIMD's cap (jsonl.h), read for every SIMD path */
int jsonl_simd_cap(void)
{
	const char *env = getenv("KANON_SIMD");

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
	__builtin_cpu_init();
#endif
	if (!env)
		return 3;
	return !strcmp(env, "sse2") ? 0 : !strcmp(env, "avx2") ? 1 : !strcmp(env, "avx512") ? 2 : 3;
}

/* The best walk the CPU has, or less with KANON_SIMD=sse2 or avx2 (the tests run each). */
static int simd_detect(void)
{
#ifdef HAVE_STRICT_SIMD
	int cap = jsonl_simd_cap();

	/* both use PCLMULQDQ for the prefix XOR (every AVX2 CPU has it, but ask) */
	if (!__builtin_cpu_supports("pclmul"))
		return 0;
	if (cap >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		return cap >= 3 && __builtin_cpu_supports("avx512vl") &&
			       __builtin_cpu_supports("avx512vbmi2") &&
			       __builtin_cpu_supports("sse4.2")
			   ? 3
			   : 2;
	if (cap >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2"))
		return 1;
#endif
	return 0;
}

bool jsonl_has_quoted2(const char *p, const char *end, const char *a, size_t an, const char *b,
		       size_t bn)
{
	size_t kl = an > bn ? an : bn, ks = an < bn ? an : bn;

	if (!an || !bn || a[0] != b[0])
		return jsonl_has_quoted(p, end, a, an) || jsonl_has_quoted(p, end, b, bn);
#ifdef HAVE_STRICT_SIMD
	if (jsonl_simd_once(&simd_level, simd_detect) >= 2) {
		for (; p < end; p += 64)
			if (quoted64_2(p, end, a, an, b, bn))
				return true;
		return false;
	}
#endif
#ifdef __SSE2__
	if (end - p >= (ptrdiff_t)(kl + 17)) {
		for (; end - p >= (ptrdiff_t)(kl + 17); p += 16)
			if (quoted16_2(p, a, an, b, bn))
				return true;
		/* the last positions, one at a time: a short string may end at the very end */
	}
#endif
	for (; end - p >= (ptrdiff_t)(ks + 2); p++) {
		if (p[0] != '"' || p[1] != a[0])
			continue;
		if ((end - p >= (ptrdiff_t)(an + 2) && quoted_at(p, a, an)) ||
		    (end - p >= (ptrdiff_t)(bn + 2) && quoted_at(p, b, bn)))
			return true;
	}
	return false;
}

void jsonl_simd_force(int level)
{
	int have = simd_detect();

	__atomic_store_n(&simd_level, level < 0 || level > have ? have : level, __ATOMIC_RELAXED);
}

void jsonl_shapes_forget(void)
{
#ifdef HAVE_STRICT_SIMD
	if (shapes)
		memset(shapes, 0, sizeof(*shapes));
#endif
}

int jsonl_walk_strict_line(const char *p, const char *end, struct span out[JK__COUNT],
			   const char **bs_at, const char **close, const char **eol)
{
	int level = jsonl_simd_once(&simd_level, simd_detect);

#ifdef HAVE_STRICT_SIMD
	if (level == 3)
		return strict_walk_shape(p, end, out, bs_at, close, eol);
	if (level == 2)
		return strict_walk_avx512(p, end, out, bs_at, close, eol);
	if (level == 1)
		return strict_walk_avx2(p, end, out, bs_at, close, eol);
#endif
	return strict_walk_sse2(p, end, out, bs_at, close, eol);
}

int jsonl_walk_strict(const char *p, const char *end, struct span out[JK__COUNT],
		      const char **bs_at)
{
	const char *close, *eol;

	if (jsonl_walk_strict_line(p, end, out, bs_at, &close, &eol) < 0 || eol != end)
		return -1;
	return 0;
}

int jsonl_walk(const char *p, const char *end, struct span out[JK__COUNT])
{
	return jsonl_walk_until(p, end, out, -1);
}

bool jsonl_str(const struct span *s, const char **p, size_t *n)
{
	if (s->n < 2 || s->p[0] != '"' || s->p[s->n - 1] != '"')
		return false;
	*p = s->p + 1;
	*n = s->n - 2;
	return true;
}

bool jsonl_str_eq(const struct span *s, const char *lit)
{
	size_t l = strlen(lit);
	return s->n == l + 2 && s->p[0] == '"' && !memcmp(s->p + 1, lit, l);
}

bool jsonl_obj_get(const struct span *obj, const char *key, struct span *out)
{
	const char *p, *end;
	size_t kl = strlen(key);
	bool found = false;

	/* no arithmetic on the pointer of an empty span: it may be NULL */
	if (!obj->n || obj->p[0] != '{')
		return false;
	p = obj->p;
	end = obj->p + obj->n;
	p = skip_ws(p + 1, end);
	while (p < end && *p == '"') {
		const char *k = p + 1, *v = jsonl_skip_string(p, end), *ve;
		bool match;

		if (!v)
			return false;
		match = (size_t)(v - 1 - k) == kl && !memcmp(k, key, kl);
		v = skip_ws(v, end);
		if (v >= end || *v != ':')
			return false;
		v = skip_ws(v + 1, end);
		ve = jsonl_skip_value(v, end);
		if (!ve || ve == v)
			return false;
		if (match) {
			/* a duplicate key: the last one wins, as in Go (see jsonl.h) */
			out->p = v;
			out->n = (size_t)(ve - v);
			found = true;
			/* the common case: the key does not come again, no need to walk on */
			if (!jsonl_has_quoted(ve, end, key, kl))
				return true;
		}
		p = skip_ws(ve, end);
		if (p < end && *p == '}')
			return found;
		if (p >= end || *p != ',')
			return false;
		p = skip_ws(p + 1, end);
	}
	return found;
}

bool jsonl_obj_keys_escaped(const struct span *obj)
{
	const char *p, *end;

	if (!obj->n || obj->p[0] != '{')
		return true;
	end = obj->p + obj->n;
	p = skip_ws(obj->p + 1, end);
	while (p < end && *p == '"') {
		const char *v = jsonl_skip_string(p, end);

		if (!v || memchr(p + 1, '\\', (size_t)(v - 1 - (p + 1))))
			return true;
		v = skip_ws(v, end);
		if (v >= end || *v != ':')
			return true;
		v = jsonl_skip_value(skip_ws(v + 1, end), end);
		if (!v)
			return true;
		p = skip_ws(v, end);
		if (p < end && *p == '}')
			return false;
		if (p >= end || *p != ',')
			return true;
		p = skip_ws(p + 1, end);
	}
	return !(p < end && *p == '}');
}

static void put_utf8(char *o, size_t *k, unsigned cp)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | cp >> 6);
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*k)++] = (char)(0xe0 | cp >> 12);
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | cp >> 18);
		o[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	return end - p < 4 ? -1 : json_hex4(p, out);
}

/* Decodes [p,end) into o; -1 on a bad escape (or, when strict, \u0000 or a lone surrogate). */
static int unescape_run(const char *p, const char *end, char *o, size_t *kp, bool strict)
{
	size_t k = 0;

	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		size_t run = bs ? (size_t)(bs - p) : (size_t)(end - p);
		unsigned cp, lo;

		memcpy(o + k, p, run);
		k += run;
		p += run;
		if (p >= end)
			break;
		if (p + 1 >= end)
			return -1;
		switch (p[1]) {
		case '"':
			o[k++] = '"';
			break;
		case '\\':
			o[k++] = '\\';
			break;
		case '/':
			o[k++] = '/';
			break;
		case 'b':
			o[k++] = '\b';
			break;
		case 'f':
			o[k++] = '\f';
			break;
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		case 't':
			o[k++] = '\t';
			break;
		case 'u':
			if (hex4(p + 2, end, &cp) < 0)
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 12 && p[6] == '\\' &&
			    p[7] == 'u' && hex4(p + 8, end, &lo) == 0 && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				if (strict)
					return -1;
				cp = 0xfffd; /* a lone surrogate, as Go's decoder does */
			} else if (cp == 0) {
				if (strict)
					return -1;
				/*
				 * U+FFFD, as the cJSON side reads it (audit_scan.c
				 * replaces "\u0000" before parsing): a NUL would end
				 * the C string, "curl/\u00008.5" would show as
				 * "curl/" (found by fuzz_audit_diff)
				 */
				cp = 0xfffd;
			}
			put_utf8(o, &k, cp);
			p += 4;
			break;
		default:
			return -1;
		}
		p += 2;
	}
	*kp = k;
	return 0;
}

char *jsonl_unescape(const struct span *s)
{
	const char *p;
	size_t n, k = 0;
	char *o;

	if (!jsonl_str(s, &p, &n))
		return NULL;
	o = xmalloc(st_add(n, 1)); /* decoding never grows: \uXXXX (6) is at most 4 bytes */
	if (unescape_run(p, p + n, o, &k, false) < 0) {
		free(o);
		return NULL;
	}
	o[k] = '\0';
	return o;
}

bool jsonl_unescape_strict(const struct span *s, struct strbuf *out)
{
	const char *p;
	size_t n, k = 0;

	if (!jsonl_str(s, &p, &n))
		return false;
	strbuf_grow(out, n);
	if (unescape_run(p, p + n, out->buf + out->len, &k, true) < 0) {
		out->buf[out->len] = '\0';
		return false;
	}
	out->len += k;
	out->buf[out->len] = '\0';
	return true;
}

static int simple_escape(char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

/*
 * The run of plain bytes at p copied to out up to the next '"' or '\\' (or
 * end), which is returned. 16 bytes are stored before they are looked at:
 * the Event in a CloudWatch message has an escape every few bytes, and a
 * search, then a memcpy() per run cost a third of the time of such a page.
 * out keeps at least 16 bytes of room past what it holds.
 */
static inline const char *copy_run(const char *p, const char *end, struct strbuf *out)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m;

		if (out->alloc - out->len < 32)
			strbuf_grow(out, 4096);
		_mm_storeu_si128((__m128i *)(void *)(out->buf + out->len), v);
		m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
		if (m) {
			out->len += __builtin_ctz(m);
			return p + __builtin_ctz(m);
		}
		out->len += 16;
		p += 16;
	}
#endif
	strbuf_grow(out, (size_t)(end - p) + 16);
	while (p < end && *p != '"' && *p != '\\')
		out->buf[out->len++] = *p++;
	return p;
}

const char *jsonl_decode_string(const char *p, const char *end, struct strbuf *out)
{
	size_t start = out->len;

	if (p >= end || *p != '"')
		return NULL;
	p++;
	for (;;) {
		const char *q = copy_run(p, end, out), *esc_end;
		size_t dk;
		int c;

		/* out has room for one escape (at most 4 bytes decoded) and the NUL */
		if (q >= end)
			goto bad;
		if (*q == '"') {
			p = q + 1;
			break;
		}
		if (q + 1 < end && q[1] != 'u') {
			if ((c = simple_escape(q[1])) < 0)
				goto bad;
			out->buf[out->len++] = (char)c;
			p = q + 2;
			continue;
		}
		/* \uXXXX (a surrogate pair is two): decoded by the common code */
		esc_end = q + 6;
		if (end - q >= 12 && q[6] == '\\' && q[7] == 'u')
			esc_end = q + 12;
		if (esc_end > end)
			esc_end = end;
		/* a pair's second half that is not a low surrogate is decoded on its own */
		if (esc_end - q == 12 &&
		    unescape_run(q, esc_end, out->buf + out->len, &dk, true) < 0)
			esc_end = q + 6;
		if (esc_end - q < 6 || unescape_run(q, esc_end, out->buf + out->len, &dk, true) < 0)
			goto bad;
		out->len += dk;
		p = esc_end;
	}
	out->buf[out->len] = '\0';
	return p;
bad:
	out->len = start;
	if (out->buf)
		out->buf[out->len] = '\0';
	return NULL;
}

bool jsonl_array_next(const struct span *arr, size_t *it, struct span *elem)
{
	const char *p, *end, *ve;

	if (arr->n < 2 || arr->p[0] != '[')
		return false;
	end = arr->p + arr->n;
	p = *it ? arr->p + *it : arr->p + 1;
	p = skip_ws(p, end);
	if (p < end && *p == ',')
		p = skip_ws(p + 1, end);
	if (p >= end || *p == ']')
		return false;
	ve = skip_val(p, end);
	if (!ve || ve == p)
		return false;
	elem->p = p;
	elem->n = (size_t)(ve - p);
	*it = (size_t)(ve - arr->p);
	return true;
}

bool jsonl_int(const struct span *s, long long *out)
{
	long long v = 0;
	size_t i = 0;
	bool neg = false;

	if (!s->n)
		return false;
	if (s->p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i >= s->n || s->n - i > 18)
		return false;
	for (; i < s->n; i++) {
		if (s->p[i] < '0' || s->p[i] > '9')
			return false;
		v = v * 10 + (s->p[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Go's time.Parse refuses a day past the month's end ("day out of range"). */
static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Consecutive events share their minute ("2006-01-02T15:04"): its value is
 * kept per thread, so most timestamps only parse their seconds.
 */
static _Thread_local char ts_key[16];
static _Thread_local int64_t ts_key_us;
static _Thread_local bool ts_key_set;

static int64_t ts_minute(const char *s)
{
	int y, mo, d, h, mi;
	int64_t days;

	if (ts_key_set && !memcmp(s, ts_key, sizeof(ts_key)))
		return ts_key_us;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi))
		return TS_NONE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59)
		return TS_NONE;
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	memcpy(ts_key, s, sizeof(ts_key));
	ts_key_us = ((days * 24 + h) * 60 + mi) * 60 * 1000000LL;
	ts_key_set = true;
	return ts_key_us;
}

int64_t ts_parse(const char *s, size_t n)
{
	int sec, oh, om;
	int64_t us = 0, minute;
	size_t i = 19;

	if (n < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return TS_NONE;
	minute = ts_minute(s);
	/* Go's time.Parse refuses second 60 too (time/format.go: "second out of range") */
	if (minute == TS_NONE || digits(s + 17, 2, &sec) || sec > 59)
		return TS_NONE;
	if (i < n && s[i] == '.') {
		/* 10^(6 - digits read): a table, not a division by ten per digit */
		static const int pow10[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
		int k = 0;

		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return TS_NONE;
		/* microseconds: the digits past the sixth are read and dropped */
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (k < 6) {
				us = us * 10 + (s[i] - '0');
				k++;
			}
		us *= pow10[k];
	}
	us += minute + sec * 1000000LL;
	if (i == n)
		return us; /* no zone: the Panther-style form, taken as UTC */
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		return us;
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && s[i + 3] == ':' &&
	    !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
		int64_t off = ((int64_t)oh * 60 + om) * 60 * 1000000LL;
		return s[i] == '+' ? us - off : us + off;
	}
	return TS_NONE;
}

/* gmtime_r and strftime: dates before year 0 or after 9900 */
static void ts_format_tm(int64_t secs, unsigned frac, char buf[32])
{
	time_t t = (time_t)secs;
	struct tm tm;
	char tmp[24];

	if (!gmtime_r(&t, &tm)) {
		memcpy(buf, "-", 2);
		return;
	}
	if (!strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) || tm.tm_year > 8000) {
		memcpy(buf, "-", 2);
		return;
	}
	snprintf(buf, 32, "%.19s.%06uZ", tmp, frac);
}

/* n decimal digits of v at p */
static void put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * The date by Howard Hinnant's civil_from_days and the digits by hand: the
 * timeline of a report has a row per bucket, and gmtime_r, strftime and
 * snprintf for each were most of the time of writing a JSON report.
 */
void ts_format(int64_t us, char buf[32])
{
	int64_t secs, q, z, era, y;
	unsigned frac, sod, doe, yoe, doy, mp, d, m;

	/* far outside any real log: also keeps the arithmetic below from overflowing */
	if (us < -(INT64_C(1) << 60) || us > (INT64_C(1) << 60)) {
		memcpy(buf, "-", 2);
		return;
	}
	q = us / 1000000;
	secs = us % 1000000 < 0 ? q - 1 : q;
	frac = (unsigned)(us - secs * 1000000);
	q = secs / 86400;
	z = secs % 86400 < 0 ? q - 1 : q;
	sod = (unsigned)(secs - z * 86400);
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = (int64_t)yoe + era * 400 + (m <= 2);
	/*
	 * Four digits by hand, year 1 as 0001 as Go writes it (strftime's %Y
	 * wrote "1-01-01..."); years before 0 and the "-" past 9900 as before
	 */
	if (y < 0 || y > 9900) {
		ts_format_tm(secs, frac, buf);
		return;
	}
	memcpy(buf, "0000-00-00T00:00:00.000000Z", 28);
	put_digits(buf, (unsigned)y, 4);
	put_digits(buf + 5, m, 2);
	put_digits(buf + 8, d, 2);
	put_digits(buf + 11, sod / 3600, 2);
	put_digits(buf + 14, sod / 60 % 60, 2);
	put_digits(buf + 17, sod % 60, 2);
	put_digits(buf + 20, frac, 6);
}

int64_t go_duration_us(const char *s)
{
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		double v = 0, f = 0.1, mul;
		bool any = false;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			any = true;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				v += (*p++ - '0') * f;
				f /= 10;
				any = true;
			}
		}
		if (!any)
			return -1;
		if (!strncmp(p, "ns", 2)) {
			mul = 1e-3;
			p += 2;
		} else if (!strncmp(p, "us", 2)) {
			mul = 1;
			p += 2;
		} else if (!strncmp(p, "\xc2\xb5s", 3)) {
			mul = 1;
			p += 3;
		} else if (!strncmp(p, "ms", 2)) {
			mul = 1e3;
			p += 2;
		} else if (*p == 's') {
			mul = 1e6;
			p++;
		} else if (*p == 'm') {
			mul = 60e6;
			p++;
		} else if (*p == 'h') {
			mul = 3600e6;
			p++;
		} else {
			return -1; /* Go requires a unit except for "0" */
		}
		total += v * mul;
		if (total > 9e18)
			return -1;
	}
	if (total < 1)
		return -1;
	return (int64_t)(total + 0.5);
}

/* ------------------------------------------------------------------ splitter */

void jsplit_init(struct jsplit *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
	s->line = 1;
}

void jsplit_release(struct jsplit *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

bool jsplit_truncated(const struct jsplit *s)
{
	return s->depth > 0 || s->in_str;
}

static void cap_add(struct jsplit *s, char c)
{
	if (s->overflow)
		return;
	if (s->len >= s->max) {
		s->overflow = true;
		return;
	}
	if (s->len + 1 >= s->alloc)
		ALLOC_GROW(s->buf, s->len + 2, s->alloc);
	s->buf[s->len++] = c == '\n' || c == '\r' ? ' ' : c;
}

static void cap_start(struct jsplit *s, char c)
{
	s->capturing = true;
	s->overflow = false;
	s->len = 0;
	s->cap_depth = s->depth; /* depth after the opening brace */
	s->cap_line = s->line;
	cap_add(s, c);
}

/*
 * The record lists whose elements are read one by one, however large the
 * document: an EventList's "items", and the "events" of `aws logs
 * filter-log-events` (the CLI merges all pages into one object) and the
 * "records" of Azure Monitor (docs/audit.md, Formats).
 */
static bool list_key(const char *k, size_t n)
{
	return (n == 7 && !memcmp(k, "\"items\"", 7)) || (n == 8 && !memcmp(k, "\"events\"", 8)) ||
	       (n == 9 && !memcmp(k, "\"records\"", 9));
}

void jsplit_feed(struct jsplit *s, const char *p, size_t n,
		 void (*emit)(void *ctx, const char *obj, size_t n, uint64_t line), void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\n')
			s->line++;
		if (s->in_str) {
			if (s->capturing)
				cap_add(s, c);
			if (s->esc) {
				s->esc = false;
			} else if (c == '\\') {
				s->esc = true;
			} else if (c == '"') {
				s->in_str = false;
				/* a string that just ended at depth 1 of a top-level object */
				if (s->depth == 1 && !s->top_array && s->capturing &&
				    s->cap_depth == 1)
					s->key_is_items =
					    !s->overflow &&
					    list_key(s->buf + s->keystart, s->len - s->keystart);
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (s->capturing)
				cap_add(s, c);
			continue;
		}
		if (s->want_value) {
			s->want_value = false;
			if (c == '[' && s->depth == 1) {
				/* an EventList: its items are the events; drop the wrapper */
				s->capturing = false;
				s->items_mode = true;
				s->depth = 2;
				s->items_depth = 2;
				s->expect_elem = true;
				continue;
			}
		}
		if (s->depth == 0) {
			if (c == '[') {
				s->depth = 1;
				s->top_array = true;
				s->expect_elem = true;
				s->garbage = false;
			} else if (c == '{') {
				s->depth = 1;
				s->top_array = false;
				s->items_mode = false;
				s->key_is_items = false;
				s->garbage = false;
				cap_start(s, c);
			} else if (!s->garbage) {
				s->garbage = true;
				emit(ctx, NULL, 0, s->line);
			}
			continue;
		}
		if (!s->capturing) {
			/* between values of the top array, or of the items array */
			bool in_list = (s->top_array && s->depth == 1) ||
				       (s->items_mode && s->depth == s->items_depth);
			if (in_list && c == '{') {
				s->expect_elem = false;
				s->depth++;
				cap_start(s, c);
				continue;
			}
			/* an element that is not an object ("x", 1, [..]) is reported once */
			if (in_list && s->expect_elem && c != ']' && c != ',') {
				s->expect_elem = false;
				emit(ctx, NULL, 0, s->line);
			}
			if (in_list && c == ',')
				s->expect_elem = true;
			if (c == '"') {
				s->in_str = true;
				continue;
			}
			if (c == '{' || c == '[') {
				s->depth++;
			} else if (c == '}' || c == ']') {
				s->depth--;
				if (s->depth == 0) {
					s->top_array = false;
					s->items_mode = false;
				}
			}
			continue;
		}
		/* capturing */
		if (c == '"') {
			if (s->depth == 1 && s->cap_depth == 1)
				s->keystart = s->len;
			s->in_str = true;
			cap_add(s, c);
			continue;
		}
		cap_add(s, c);
		if (c == ':' && s->depth == 1 && s->cap_depth == 1 && s->key_is_items) {
			s->want_value = true;
			s->key_is_items = false;
		} else if (c == ',') {
			s->key_is_items = false;
		} else if (c == '{' || c == '[') {
			s->depth++;
		} else if (c == '}' || c == ']') {
			s->depth--;
			if (s->depth == s->cap_depth - 1) {
				s->capturing = false;
				if (s->overflow)
					emit(ctx, NULL, 0, s->cap_line);
				else
					emit(ctx, s->buf, s->len, s->cap_line);
				if (s->depth == 0) {
					s->top_array = false;
					s->items_mode = false;
				}
			}
		}
	}
}

/* ------------------------------------------------------------ reducer */

static const char *const jkey_names[JK__COUNT] = {
    [JK_KIND] = "kind",
    [JK_AUDITID] = "auditID",
    [JK_STAGE] = "stage",
    [JK_REQUESTURI] = "requestURI",
    [JK_VERB] = "verb",
    [JK_USER] = "user",
    [JK_IMPUSER] = "impersonatedUser",
    [JK_SOURCEIPS] = "sourceIPs",
    [JK_USERAGENT] = "userAgent",
    [JK_OBJECTREF] = "objectRef",
    [JK_RESPSTATUS] = "responseStatus",
    [JK_REQOBJ] = "requestObject",
    [JK_RESPOBJ] = "responseObject",
    [JK_RRTS] = "requestReceivedTimestamp",
    [JK_STAGETS] = "stageTimestamp",
    [JK_TIMESTAMP] = "timestamp",
    [JK_ANNOTATIONS] = "annotations",
};

enum { RS_START, RS_KEY, RS_INKEY, RS_COLON, RS_VALUE };

void jsonl_reduce_init(struct jsonl_reduce *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->cur = -1;
	r->tail_key = -1;
	for (int i = 0; i < JK__COUNT; i++)
		strbuf_init(&r->val[i]);
	strbuf_init(&r->tail);
}

void jsonl_reduce_release(struct jsonl_reduce *r)
{
	for (int i = 0; i < JK__COUNT; i++)
		strbuf_release(&r->val[i]);
	strbuf_release(&r->tail);
}

/* The member whose value starts now: a kept key resets its value (the last one wins). */
static void reduce_key(struct jsonl_reduce *r)
{
	int id = -1;

	if (!r->keylong && memchr(r->key, '\\', r->keylen)) {
		char q[sizeof(r->key) + 2];
		struct span sp = {q, r->keylen + 2};
		char *k;

		q[0] = '"';
		memcpy(q + 1, r->key, r->keylen);
		q[r->keylen + 1] = '"';
		k = jsonl_unescape(&sp);
		if (k)
			id = key_id(k, strlen(k));
		free(k);
	} else if (!r->keylong) {
		id = key_id(r->key, r->keylen);
	}
	r->cur = id;
	if (id >= 0) {
		strbuf_reset(&r->val[id]);
		r->have |= 1u << id;
		r->over &= ~(1u << id);
		r->kept_last &= ~(1u << id);
		r->safe[id] = 0;
		r->arr_safe[id] = 0;
		if (r->tail_key == id) {
			r->tail_key = -1;
			strbuf_reset(&r->tail);
		}
	}
}

static void reduce_keep(struct jsonl_reduce *r, char c)
{
	struct strbuf *v;

	if (r->cur < 0)
		return;
	v = &r->val[r->cur];
	if (!(r->over & (1u << r->cur)) && v->len < r->cap) {
		strbuf_addch(v, c);
		return;
	}
	r->over |= 1u << r->cur;
	/* a cut array: its current element, for the last one */
	if (r->tail_on && r->tail.len < r->cap)
		strbuf_addch(&r->tail, c);
	else if (r->tail_on)
		r->tail_bad = true;
}

/*
 * A ',' or ']' between the elements of a kept array (depth 2): where a cut
 * array can end, and, once cut, where its last element starts. True when c
 * is taken here.
 */
static bool reduce_array_edge(struct jsonl_reduce *r, char c)
{
	uint32_t bit;

	/* only sourceIPs needs its last element (one tail buffer) */
	if (r->cur != JK_SOURCEIPS || r->depth != 2 || (c != ',' && c != ']') ||
	    !r->val[r->cur].len || r->val[r->cur].buf[0] != '[')
		return false;
	bit = 1u << r->cur;
	if (!(r->over & bit)) {
		if (c == ',')
			r->arr_safe[r->cur] = r->val[r->cur].len;
		return false;
	}
	if (c == ',') {
		strbuf_reset(&r->tail);
		r->tail_on = true;
		r->tail_bad = false;
		return true;
	}
	if (r->tail_on && !r->tail_bad && r->tail.len) {
		r->kept_last |= bit;
		r->tail_key = r->cur;
	}
	r->tail_on = false;
	r->depth--;
	return true;
}

/* One byte inside a string (a key or a value). */
static void reduce_str(struct jsonl_reduce *r, char c)
{
	bool keyc = r->state == RS_INKEY;

	if (r->hex) {
		r->hex--;
	} else if (r->esc) {
		r->esc = false;
		if (c == 'u')
			r->hex = 4;
	} else if (c == '\\') {
		r->esc = true;
	} else if (c == '"') {
		r->in_str = false;
		if (keyc) {
			r->state = RS_COLON;
			return;
		}
	}
	if (keyc) {
		if (r->keylen < sizeof(r->key))
			r->key[r->keylen++] = c;
		else
			r->keylong = true;
		return;
	}
	reduce_keep(r, c);
	if (r->cur >= 0 && !r->esc && !r->hex && !(r->over & (1u << r->cur)))
		r->safe[r->cur] = r->val[r->cur].len;
}

/* One byte outside strings, at depth 1 (between members) or in a value. */
static void reduce_struct(struct jsonl_reduce *r, char c)
{
	if (r->depth == 1 && r->state == RS_KEY) {
		if (c == '"') {
			r->in_str = true;
			r->state = RS_INKEY;
			r->keylen = 0;
			r->keylong = false;
		} else if (c == '}') {
			r->depth = 0;
			r->done = true;
		} else {
			r->bad = true;
		}
		return;
	}
	if (r->depth == 1 && r->state == RS_COLON) {
		if (c != ':')
			r->bad = true;
		r->state = RS_VALUE;
		r->got_value = false;
		reduce_key(r);
		return;
	}
	if (r->depth == 1 && (c == ',' || c == '}')) {
		if (!r->got_value)
			r->bad = true; /* "key": with no value */
		r->cur = -1;
		r->state = RS_KEY;
		if (c == '}') {
			r->depth = 0;
			r->done = true;
		}
		return;
	}
	r->got_value = true;
	if (reduce_array_edge(r, c))
		return;
	reduce_keep(r, c);
	if (c == '"') {
		r->in_str = true;
	} else if (c == '{' || c == '[') {
		r->depth++;
	} else if (c == '}' || c == ']') {
		if (--r->depth < 1)
			r->bad = true;
	}
	if (r->cur >= 0 && !(r->over & (1u << r->cur)))
		r->safe[r->cur] = r->val[r->cur].len;
}

void jsonl_reduce_feed(struct jsonl_reduce *r, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !r->bad; i++) {
		char c = p[i];

		if (r->in_str) {
			reduce_str(r, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (r->done) {
			r->bad = true;
		} else if (r->state == RS_START) {
			if (c != '{')
				r->bad = true;
			r->depth = 1;
			r->state = RS_KEY;
		} else {
			reduce_struct(r, c);
		}
	}
}

bool jsonl_reduce_finish(struct jsonl_reduce *r, struct strbuf *out, uint32_t drop)
{
	bool first = true;

	if (r->bad || !r->done)
		return false;
	strbuf_addch(out, '{');
	for (int i = 0; i < JK__COUNT; i++) {
		struct strbuf *v = &r->val[i];
		bool cut = r->over & (1u << i);

		if (!(r->have & (1u << i)) || (drop & (1u << i)) || !v->len)
			continue;
		if (cut && (r->kept_last & (1u << i)) && r->tail_key == i) {
			/* a cut array: its first elements, then its last one */
			size_t keep = r->arr_safe[i];
			strbuf_addf(out, "%s\"%s\":", first ? "" : ",", jkey_names[i]);
			strbuf_add(out, v->buf, keep ? keep : 1);
			if (keep)
				strbuf_addch(out, ',');
			strbuf_add(out, r->tail.buf, r->tail.len);
			strbuf_addch(out, ']');
			first = false;
			continue;
		}
		/* a cut value: only a string can be closed again, at a character boundary */
		if (cut && (!v->len || v->buf[0] != '"'))
			continue;
		strbuf_addf(out, "%s\"%s\":", first ? "" : ",", jkey_names[i]);
		strbuf_add(out, v->buf, cut ? r->safe[i] : v->len);
		if (cut)
			strbuf_addch(out, '"');
		first = false;
	}
	strbuf_addch(out, '}');
	return true;
}
