/* The AKSAudit table of Log Analytics (aks.h). */
#include "parsers/aks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parsers/json.h"
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"
#include "core/util.h"
#include "core/banned.h"

const char *const aks_columns[AKS_NCOLS][2] = {
    {"AuditId", "auditID"},
    {"Stage", "stage"},
    {"RequestUri", "requestURI"},
    {"Verb", "verb"},
    {"User", "user"},
    {"ImpersonatedUser", "impersonatedUser"},
    {"SourceIps", "sourceIPs"},
    {"UserAgent", "userAgent"},
    {"ObjectRef", "objectRef"},
    {"ResponseStatus", "responseStatus"},
    {"RequestObject", "requestObject"},
    {"ResponseObject", "responseObject"},
    {"RequestReceivedTime", "requestReceivedTimestamp"},
    {"StageReceivedTime", "stageTimestamp"},
    {"Annotations", "annotations"},
    {"Level", "level"},
};

const char *const aks_not_row[AKS_NOT_ROW] = {
    "auditID",	"stage",   "protoPayload", "messageType", "events",
    "@message", "message", "records",	   "properties",  "log_s",
};

bool aks_portal_time(const char *s, char *out, size_t n)
{
	unsigned mo, d, y, h, mi, sec;
	char frac[16] = "", ampm[3] = "";
	int used = 0;

	if (sscanf(s, "%2u/%2u/%4u, %2u:%2u:%2u%n", &mo, &d, &y, &h, &mi, &sec, &used) != 6)
		return false;
	s += used;
	if (*s == '.') {
		size_t k = strspn(s + 1, "0123456789");
		if (!k || k >= sizeof(frac))
			return false;
		memcpy(frac, s, k + 1);
		frac[k + 1] = '\0';
		s += k + 1;
	}
	if (*s++ != ' ' || (strcmp(s, "AM") && strcmp(s, "PM")))
		return false;
	memcpy(ampm, s, 2);
	if (!mo || mo > 12 || !d || d > 31 || y < 1970 || !h || h > 12 || mi > 59 || sec > 60)
		return false;
	h = h % 12 + (ampm[0] == 'P' ? 12 : 0);
	return (size_t)snprintf(out, n, "%04u-%02u-%02uT%02u:%02u:%02u%sZ", y, mo, d, h, mi, sec,
				frac) < n;
}

/* How many bytes from i on need no escape: none below 0x20, no '"', no '\\'. */
static size_t plain_run(const char *p, size_t i, size_t n)
{
	size_t j = i;
#ifdef __SSE2__
	const __m128i kq = _mm_set1_epi8('"'), kb = _mm_set1_epi8('\\'), k1f = _mm_set1_epi8(0x1f);

	while (n - j >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
		/* max(v, 0x1f) == 0x1f: v is below 0x20 (unsigned) */
		__m128i bad =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, kq), _mm_cmpeq_epi8(v, kb)),
				 _mm_cmpeq_epi8(_mm_max_epu8(v, k1f), k1f));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);

		if (m)
			return j + (size_t)__builtin_ctz(m) - i;
		j += 16;
	}
#endif
	while (j < n && (unsigned char)p[j] >= 0x20 && p[j] != '"' && p[j] != '\\')
		j++;
	return j - i;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_AKS512 1
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,bmi,bmi2"))),                 \
			     apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,bmi,bmi2")
#endif
#include <immintrin.h>

/* plain_run() 64 bytes at a time, the last ones by a masked load (most strings are short) */
static size_t plain_run512(const char *p, size_t i, size_t n)
{
	size_t j = i;

	while (j < n) {
		size_t left = n - j;
		__mmask64 in = left >= 64 ? ~0ull : _bzhi_u64(~0ull, (unsigned)left);
		const __m512i v = _mm512_maskz_loadu_epi8(in, (const void *)(p + j));
		uint64_t m = (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
			      _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
			      _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1f))) &
			     in;

		if (m)
			return j + (size_t)__builtin_ctzll(m) - i;
		j += left >= 64 ? 64 : left;
	}
	return n - i;
}

/* bit i of m[i / 64]: byte i of the n at p ends a string's run of plain bytes */
static void stops512(const char *p, size_t n, uint64_t *m)
{
	for (size_t j = 0; j < n; j += 64) {
		size_t left = n - j;
		__mmask64 in = left >= 64 ? ~0ull : _bzhi_u64(~0ull, (unsigned)left);
		const __m512i v = _mm512_maskz_loadu_epi8(in, (const void *)(p + j));

		m[j / 64] = (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
			     _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
			     _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1f))) &
			    in;
	}
}
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

/* 1: plain_run512(); 0: plain_run(); -1: not known yet (KANON_SIMD=sse2 or avx2: 0) */
static int aks_simd = -1;

static int aks_detect(void)
{
#ifdef HAVE_AKS512
	if (jsonl_simd_cap() >= 2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi2"))
		return 1;
#endif
	return 0;
}

static size_t run_of_plain(const char *p, size_t i, size_t n)
{
	int level = jsonl_simd_once(&aks_simd, aks_detect);

#ifdef HAVE_AKS512
	if (level == 1)
		return plain_run512(p, i, n);
#endif
	return plain_run(p, i, n);
}

/*
 * The n bytes at p as a JSON string at o (room for 6 * n + 2 bytes);
 * returns past it. Written in place: a strbuf call per piece was a fifth
 * of making an AKSAudit row's Event.
 */
static char *json_string_at(char *o, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	*o++ = '"';
	while (i < n) {
		/* a run of bytes that need no escape, added at once */
		size_t j = i + run_of_plain(p, i, n);
		unsigned char c;

		memcpy(o, p + i, j - i);
		o += j - i;
		if (j == n)
			break;
		c = (unsigned char)p[j];
		i = j + 1;
		*o++ = '\\';
		if (c == '"' || c == '\\') {
			*o++ = (char)c;
		} else if (c == '\n') {
			*o++ = 'n';
		} else if (c == '\r') {
			*o++ = 'r';
		} else if (c == '\t') {
			*o++ = 't';
		} else {
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	return o;
}

void aks_json_string(struct strbuf *o, const char *p, size_t n)
{
	char *e;

	strbuf_grow(o, st_add(st_mult(n, 6), 2));
	e = json_string_at(o->buf + o->len, p, n);
	o->len = (size_t)(e - o->buf);
	o->buf[o->len] = '\0';
}

/*
 * ------------------------------------------------------------ compact JSON
 *
 * aks_compact(): the grammar of RFC 8259 without blanks, each check one of
 * those the strict walk makes (jsonl_strict.inc: strict_escape(),
 * strict_scalar(), no raw control byte, STRICT_MAX_DEPTH) or stricter, and
 * none that jsonl_valid_value() does not make (it refuses \u0000 and lone
 * surrogates: here every \u escape of a surrogate). What it takes, both
 * take, with the value's span as its text; the rest is left to them.
 */
#define COMPACT_MAX_DEPTH 48

/*
 * Where the strings' runs of plain bytes end in a value of at most
 * COMPACT_STOPS bytes, found for all of it at once (base NULL: not found,
 * each run is looked for): a call per run was most of the check.
 */
#define COMPACT_STOPS 512
struct stops {
	const char *base;
	uint64_t m[COMPACT_STOPS / 64];
};

/* the first byte at or after p that ends a run of plain bytes, or end */
static inline const char *run_end(const struct stops *st, const char *p, const char *end)
{
	size_t i, k;
	uint64_t w;

	if (!st->base)
		return p + run_of_plain(p, 0, (size_t)(end - p));
	if (p >= end)
		return end;
	i = (size_t)(p - st->base);
	k = i / 64;
	w = st->m[k] >> (i % 64);
	if (w)
		return p + __builtin_ctzll(w);
	/* the bits past the value are clear: none found means end */
	for (k++; k * 64 < (size_t)(end - st->base); k++)
		if (st->m[k])
			return st->base + k * 64 + (size_t)__builtin_ctzll(st->m[k]);
	return end;
}

/* Past the escape at p (p[0] == '\\') when the strict walk takes it, or NULL. */
static const char *compact_escape(const char *p, const char *end)
{
	unsigned v;

	if (end - p < 2)
		return NULL;
	if (p[1] && strchr("\"\\/bfnrt", p[1]))
		return p + 2;
	if (p[1] != 'u' || end - p < 6 || json_hex4(p + 2, &v) || !v ||
	    (v >= 0xd800 && v <= 0xdfff))
		return NULL;
	return p + 6;
}

/*
 * Past the string whose opening quote is before p, or NULL. Inline, the
 * escapes apart: saving registers for a call per string was a third of it.
 */
static inline const char *compact_string(const struct stops *st, const char *p, const char *end,
					 bool *bs)
{
	for (;;) {
		p = run_end(st, p, end);
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p != '\\')
			return NULL; /* a raw control byte */
		*bs = true;
		if (!(p = compact_escape(p, end)))
			return NULL;
	}
}

/* Past the number or literal at p (strict_scalar()), or NULL. */
static const char *compact_scalar(const char *p, const char *end)
{
	static const char *const lit[] = {"true", "false", "null"};

	for (size_t i = 0; i < ARRAY_SIZE(lit); i++) {
		size_t n = strlen(lit[i]);

		if (*p == lit[i][0])
			return (size_t)(end - p) >= n && !memcmp(p, lit[i], n) ? p + n : NULL;
	}
	if (*p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		if (++p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

/* An object's key and its colon at p: past them, or NULL. */
static inline const char *compact_key(const struct stops *st, const char *p, const char *end,
				      bool *bs)
{
	if (p >= end || *p != '"' || !(p = compact_string(st, p + 1, end, bs)))
		return NULL;
	return p < end && *p == ':' ? p + 1 : NULL;
}

/*
 * After a value at depth *depth (arr: bit d, the container at depth d is an
 * array): the commas and closing brackets, up to where the next value
 * starts (past its key in an object) or the outermost value ends.
 */
static inline const char *compact_after(const struct stops *st, const char *p, const char *end,
					int *depth, uint64_t arr, bool *bs)
{
	while (*depth) {
		bool in_arr = arr >> *depth & 1;

		if (p >= end)
			return NULL;
		if (*p == ',')
			return in_arr ? p + 1 : compact_key(st, p + 1, end, bs);
		if (*p != (in_arr ? ']' : '}'))
			return NULL;
		p++;
		--*depth;
	}
	return p;
}

const char *aks_compact(const char *p, const char *end, bool *bs)
{
	struct stops st = {NULL, {0}};
	uint64_t arr = 0;
	int depth = 0;

#ifdef HAVE_AKS512
	if (p < end && (size_t)(end - p) <= COMPACT_STOPS &&
	    jsonl_simd_once(&aks_simd, aks_detect) == 1) {
		stops512(p, (size_t)(end - p), st.m);
		st.base = p;
	}
#endif

	for (;;) {
		/* a value starts at p */
		if (p >= end)
			return NULL;
		if (*p == '{' || *p == '[') {
			bool a = *p++ == '[';

			if (++depth > COMPACT_MAX_DEPTH)
				return NULL;
			arr = a ? arr | UINT64_C(1) << depth : arr & ~(UINT64_C(1) << depth);
			if (p < end && *p == (a ? ']' : '}')) {
				depth--;
				p = compact_after(&st, p + 1, end, &depth, arr, bs);
			} else if (!a) {
				p = compact_key(&st, p, end, bs);
			}
		} else {
			p = *p == '"' ? compact_string(&st, p + 1, end, bs)
				      : compact_scalar(p, end);
			if (p)
				p = compact_after(&st, p, end, &depth, arr, bs);
		}
		if (!p || !depth)
			return p;
	}
}

/*
 * Is v exactly one JSON value (jsonl_valid_value())? *flags: AKS_COMPACT
 * when aks_compact() takes it (then jsonl_valid_value() need not be
 * asked), AKS_BS. (The last texts of each column were kept, not checked
 * again: with aks_compact() looking at a value about as fast as comparing
 * it, keeping them cost more than it saved.)
 */
static bool one_value(const struct aks_text *v, unsigned char *flags)
{
	bool bs = false;
	const char *q = aks_compact(v->p, v->p + v->n, &bs);

	*flags = q == v->p + v->n ? AKS_COMPACT : 0;
	if (!*flags)
		return jsonl_valid_value(v->p, v->p + v->n) == v->p + v->n;
	if (bs)
		*flags |= AKS_BS;
	return true;
}

/*
 * One column's value at o (room for 6 * v->n + 2 bytes); NULL as aks_event()
 * says. *flags: AKS_COMPACT when the strict walk takes it as written,
 * AKS_BS when it holds a backslash.
 */
static char *aks_value(char *o, const struct aks_text *v, bool utc, bool clean, struct strbuf *tmp,
		       unsigned char *flags)
{
	char t[40], *e;

	*flags = AKS_COMPACT;
	if (utc) {
		strbuf_reset(tmp);
		strbuf_add(tmp, v->p, v->n);
		if (aks_portal_time(tmp->buf, t, sizeof(t))) {
			size_t tn = strlen(t);

			*o++ = '"';
			memcpy(o, t, tn);
			o += tn;
			*o++ = '"';
			return o;
		}
	}
	if (v->p[0] != '{' && v->p[0] != '[') {
		if (v->safe) {
			*o++ = '"';
			memcpy(o, v->p, v->n);
			o += v->n;
			*o++ = '"';
			return o;
		}
		/* every byte that is escaped makes it longer */
		e = json_string_at(o, v->p, v->n);
		if ((size_t)(e - o) != v->n + 2)
			*flags |= AKS_BS;
		return e;
	}
	/* cJSON_Parse would also take one value followed by anything: only exactly one */
	if (!one_value(v, flags) || (!clean && memchr(v->p, '\n', v->n)))
		return NULL;
	memcpy(o, v->p, v->n);
	return o + v->n;
}

/* the Event's keys as aks_event() writes them ("key":, 32 bytes each), and their lengths */
static char key_text[AKS_NCOLS][32];
static size_t key_len[AKS_NCOLS];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_init(void)
{
	for (size_t i = 0; i < AKS_NCOLS; i++)
		key_len[i] = (size_t)snprintf(key_text[i], sizeof(key_text[i]),
					      "\"%s\":", aks_columns[i][1]);
}

/* the key of the strict walk's spans (jsonl.h) of each of aks_columns; -1: none */
static const int walk_key[AKS_NCOLS] = {
    JK_AUDITID,	    JK_STAGE,	  JK_REQUESTURI, JK_VERB,   JK_USER,	JK_IMPUSER, JK_SOURCEIPS,
    JK_USERAGENT,   JK_OBJECTREF, JK_RESPSTATUS, JK_REQOBJ, JK_RESPOBJ, JK_RRTS,    JK_STAGETS,
    JK_ANNOTATIONS, -1,
};

bool aks_event(struct strbuf *ev, const struct aks_text col[AKS_NCOLS][2], bool clean,
	       struct strbuf *tmp, struct aks_walk *w)
{
	unsigned char flags;
	bool compact = true, bs = false;

	const struct aks_text *val[AKS_NCOLS];
	size_t room = 2;
	char *o, *e;

	pthread_once(&key_once, key_init);
	if (w)
		memset(w, 0, sizeof(*w));
	/* the room it can take at most: then written in place */
	for (size_t i = 0; i < AKS_NCOLS; i++) {
		const struct aks_text *v = col[i][0].n ? &col[i][0] : &col[i][1];

		val[i] = v->n ? v : NULL;
		if (val[i])
			room = st_add3(room, st_mult(v->n, 6), key_len[i] + 40);
	}
	strbuf_reset(ev);
	strbuf_grow(ev, room);
	o = ev->buf;
	*o++ = '{';
	for (size_t i = 0; i < AKS_NCOLS; i++) {
		const struct aks_text *v = val[i];

		if (!v)
			continue;
		/* a NUL: the reader's decoded string would end there */
		if (!clean && memchr(v->p, '\0', v->n))
			return false;
		if (o > ev->buf + 1)
			*o++ = ',';
		/* all 32 bytes at once (the room counts 40 per key) */
		memcpy(o, key_text[i], sizeof(key_text[i]));
		o += key_len[i];
		e = aks_value(o, v, v == &col[i][1], clean, tmp, &flags);
		if (!e) {
			ev->buf[0] = '\0';
			return false;
		}
		compact = compact && (flags & AKS_COMPACT);
		bs = bs || (flags & AKS_BS);
		if (w && walk_key[i] >= 0)
			w->f[walk_key[i]] = (struct span){o, (size_t)(e - o)};
		o = e;
	}
	*o++ = '}';
	*o = '\0';
	ev->len = (size_t)(o - ev->buf);
	if (w) {
		/* clean: no raw NUL, which the walk would refuse as a control byte */
		w->proven = clean && compact;
		w->bs = bs;
	}
	return true;
}
