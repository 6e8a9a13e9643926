/*
 * The strings of wrapped audit Events (jsonl_fast.h). jsonl_decode_string()
 * keeps its position and length in the strbuf and returns to its caller at
 * every escape: the stores through a char pointer make the compiler reload
 * both each time, and with an escape every 8 bytes or so that was a fifth of
 * the time of a docker json-file or CloudWatch log. Here they are locals.
 */
#include "parsers/jsonl_fast.h"
#include "parsers/json.h"
#include "parsers/jsonl.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/banned.h"

/* what a two-character escape stands for; 0: not one (none of them is a NUL) */
static const char simple[256] __attribute__((aligned(64))) = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',	 ['r'] = '\r', ['t'] = '\t',
};

/*
 * The \uXXXX escape at p (p[1] is 'u'): its code point into *cp and its
 * length (6, or 12 for a surrogate pair), or 0 when it is refused: short,
 * not hex, \u0000, a lone surrogate (as jsonl_decode_string's strict
 * unescape_run() refuses them).
 */
static int u_escape(const char *p, const char *end, unsigned *cp)
{
	unsigned hi, lo;

	if (end - p < 6 || json_hex4(p + 2, &hi))
		return 0;
	if (hi >= 0xd800 && hi < 0xdc00) {
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || json_hex4(p + 8, &lo) ||
		    lo < 0xdc00 || lo >= 0xe000)
			return 0;
		*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
		return 12;
	}
	if (!hi || (hi >= 0xdc00 && hi < 0xe000))
		return 0;
	*cp = hi;
	return 6;
}

static size_t put_utf8(char *o, size_t k, unsigned cp)
{
	if (cp < 0x80) {
		o[k++] = (char)cp;
	} else if (cp < 0x800) {
		o[k++] = (char)(0xc0 | cp >> 6);
		o[k++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[k++] = (char)(0xe0 | cp >> 12);
		o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[k++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[k++] = (char)(0xf0 | cp >> 18);
		o[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[k++] = (char)(0x80 | (cp & 0x3f));
	}
	return k;
}

/*
 * The first '"' or '\\' in the 16 bytes at p (also stored at o when o is
 * not NULL), or 16. Without SSE2, at most the bytes up to end are looked at.
 */
static inline __attribute__((always_inline)) size_t run16(const char *p, const char *end, char *o)
{
#ifdef __SSE2__
	if (end - p >= 16) {
		const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

		if (o)
			_mm_storeu_si128((__m128i *)(void *)o, v);
		return m ? (size_t)__builtin_ctz(m) : 16;
	}
#endif
	{
		size_t i = 0, n = end - p < 16 ? (size_t)(end - p) : 16;

		while (i < n && p[i] != '"' && p[i] != '\\') {
			if (o)
				o[i] = p[i];
			i++;
		}
		/* the end of the input is no stop: the caller sees p + i == end */
		return i == n && n < 16 ? n : i;
	}
}

#ifdef __SSE2__
/* bits i: byte i of the 64 at p is a backslash (*bs), a quote (*q) */
static inline __attribute__((always_inline)) void masks64(const char *p, uint64_t *bs, uint64_t *q)
{
	const __m128i kb = _mm_set1_epi8('\\'), kq = _mm_set1_epi8('"');
	const __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	const __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	const __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

#define M(v, k, s) ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, k)) << (s))
	*bs = M(v0, kb, 0) | M(v1, kb, 16) | M(v2, kb, 32) | M(v3, kb, 48);
	*q = M(v0, kq, 0) | M(v1, kq, 16) | M(v2, kq, 32) | M(v3, kq, 48);
#undef M
}

/* the n bytes at p to o: 16 at a time, up to 15 more written (the caller has the room) */
static inline __attribute__((always_inline)) void copy16s(char *o, const char *p, int n)
{
	_mm_storeu_si128((__m128i *)(void *)o, _mm_loadu_si128((const __m128i *)(const void *)p));
	for (int j = 16; j < n; j += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + j),
				 _mm_loadu_si128((const __m128i *)(const void *)(p + j)));
}
#endif

/*
 * Of the backslashes bs (bit i: byte i), those that escape the byte after
 * them: the first, third, ... of each run (the run before bit 0 is taken
 * as none). Branch-free: a run that starts on an even bit escapes on its
 * even bits, on an odd one on its odd bits (the carry of an addition ends
 * a run), as simdjson finds escapes (Langdale and Lemire, "Parsing
 * gigabytes of JSON per second", 2019).
 */
uint64_t jsonl_escaping(uint64_t bs)
{
	const uint64_t even = 0x5555555555555555ull;
	uint64_t follows = bs << 1, odd_starts = bs & ~even & ~follows, seq, escaped;

	(void)__builtin_add_overflow(odd_starts, bs, &seq);
	escaped = (even ^ (seq << 1)) & follows;
	return bs & ~escaped;
}

/*
 * The 64 bytes at p of a string, every escape in them but \u decoded at
 * once into o + *k (so that the next escape is found without reading the
 * text again; 16-byte stores, o has 160 bytes of room and p 128 bytes of
 * text). Returns how many bytes were taken: up to the closing quote (then
 * *closed), an escape that ends the 64 bytes or a \u (left to the caller),
 * or -1 for a bad escape. o NULL: only checked.
 */
#ifdef __SSE2__
static inline __attribute__((always_inline)) int chunk64(const char *p, char *o, size_t *k,
							 bool *closed, uint64_t *nul)
{
	uint64_t bs, q, esc, m;
	int lim = 64, seg = 0;
	size_t kk = o ? *k : 0;

	masks64(p, &bs, &q);
	esc = jsonl_escaping(bs);
	/* a quote after an escaping backslash is text; the first other one closes */
	q &= ~(esc << 1);
	if (q) {
		lim = __builtin_ctzll(q);
		*closed = true;
	} else if (esc >> 63) {
		lim = 63; /* the escape is completed by the next 64 bytes */
	}
	m = lim == 64 ? esc : esc & ((1ull << lim) - 1);
	while (m) {
		int i = __builtin_ctzll(m);
		char d = simple[(unsigned char)p[i + 1]];

		m &= m - 1;
		if (__builtin_expect(!d, 0)) {
			if (p[i + 1] != 'u')
				return -1;
			lim = i; /* \u: the caller's */
			*closed = false;
			break;
		}
		if (o) {
			copy16s(o + kk, p + seg, i - seg);
			kk += (size_t)(i - seg);
			o[kk++] = d;
		}
		seg = i + 2;
	}
	if (o && lim > seg) {
		copy16s(o + kk, p + seg, lim - seg);
		kk += (size_t)(lim - seg);
	}
	if (o)
		*k = kk; /* a local meanwhile: the stores through o could alias *k */
	*nul = 1;	 /* not looked for: maybe */
	return lim;
}
#endif

#define DECODE_FAST decode_sse2
#define CHUNK64	    chunk64
#include "parsers/jsonl_fast_decode.inc"
#undef CHUNK64
#undef DECODE_FAST

#if defined(__x86_64__) && defined(__SSE2__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_FAST_VBMI2 1
#ifdef __clang__
#pragma clang attribute push(                                                                      \
    __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt"))),            \
    apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")
#endif
#include <immintrin.h>

/* bytes of v equal to c, a bit each */
#define EQ(v, c) ((uint64_t)_mm512_cmpeq_epi8_mask((v), _mm512_set1_epi8(c)))

/*
 * chunk64() without a loop over the escapes (one every 8 bytes or so of a
 * wrapped Event: each of its quotes is \"): the escaped letters replaced
 * at once by what they stand for (one VPERMI2B, AVX-512 VBMI, looks each
 * byte up in a 128-byte table of the escapes: 0 for a letter that is none;
 * eight compares and five blends before), then the escaping backslashes
 * squeezed out by one VPCOMPRESSB (AVX-512 VBMI2) and the 64 bytes stored.
 * The same bytes taken and refused as chunk64() (tests/unit/test_jsonl_fast.c
 * runs both against jsonl_decode_string()).
 */
static inline __attribute__((always_inline)) int chunk64_vbmi2(const char *p, char *o, size_t *k,
							       bool *closed, uint64_t *nul)
{
	__m512i v = _mm512_loadu_si512((const void *)p);
	/* simple[] as two 64-byte halves: a byte's low 7 bits pick its entry */
	const __m512i lo = _mm512_loadu_si512((const void *)simple),
		      hi = _mm512_loadu_si512((const void *)(simple + 64));
	const __m512i d = _mm512_permutex2var_epi8(lo, v, hi);
	uint64_t esc = jsonl_escaping(EQ(v, '\\')), q = EQ(v, '"'), escd, lm, u, bad;
	int lim = 64;

	/* a quote after an escaping backslash is text; the first other one closes */
	q &= ~(esc << 1);
	if (q) {
		lim = __builtin_ctzll(q);
		*closed = true;
	} else if (esc >> 63) {
		lim = 63; /* the escape is completed by the next 64 bytes */
	}
	lm = lim == 64 ? ~0ull : (1ull << lim) - 1;
	escd = (esc << 1) & lm; /* the escaped bytes before lim */
	u = escd & EQ(v, 'u');
	/* not an escape: no entry, or a byte of 0x80 or more (its low bits alias) */
	bad = escd & ~u &
	      ~((uint64_t)_mm512_test_epi8_mask(d, d) & ~(uint64_t)_mm512_movepi8_mask(v));
	if (u) {
		/* \u at j - 1: the caller's, unless a bad escape comes first */
		int j = __builtin_ctzll(u);

		if (bad & ((1ull << j) - 1))
			return -1;
		lim = j - 1;
		*closed = false;
		lm = (1ull << lim) - 1;
		escd &= lm;
	} else if (bad) {
		return -1;
	}
	v = _mm512_mask_mov_epi8(v, escd, d);
	/* the text up to lim but the escaping backslashes, to the front; 64 bytes stored */
	_mm512_storeu_si512((void *)(o + *k), _mm512_maskz_compress_epi8(lm & ~esc, v));
	*k += (size_t)__builtin_popcountll(lm & ~esc);
	*nul |= _mm512_testn_epi8_mask(v, v) & lm; /* a NUL among the bytes taken */
	return lim;
}
#undef EQ

#define DECODE_FAST decode_vbmi2
#define CHUNK64	    chunk64_vbmi2
#include "parsers/jsonl_fast_decode.inc"
#undef CHUNK64
#undef DECODE_FAST
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

/* 0: SSE2 (or portable C), 1: AVX-512 VBMI2; -1: not known yet */
static int fast_level = -1;

/* The best the CPU has; SSE2 with KANON_SIMD=sse2 or avx2 (as jsonl.c's simd_detect()). */
static int fast_detect(void)
{
#ifdef HAVE_FAST_VBMI2
	if (jsonl_simd_cap() >= 2 && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2"))
		return 1;
#endif
	return 0;
}

int jsonl_fast_force(int level)
{
	int have = fast_detect();

	level = level < 0 || level > have ? have : level;
	__atomic_store_n(&fast_level, level, __ATOMIC_RELAXED);
	return level;
}

const char *jsonl_decode_fast_nul(const char *p, const char *end, struct strbuf *out, bool *nul)
{
	int level = jsonl_simd_once(&fast_level, fast_detect);
	uint64_t z = 1;
	const char *q;

#ifdef HAVE_FAST_VBMI2
	if (level == 1)
		q = decode_vbmi2(p, end, out, &z);
	else
#endif
		q = decode_sse2(p, end, out, &z);
	*nul = z != 0;
	return q;
}

const char *jsonl_decode_fast(const char *p, const char *end, struct strbuf *out)
{
	bool nul;

	return jsonl_decode_fast_nul(p, end, out, &nul);
}

const char *jsonl_check_string(const char *p, const char *end)
{
	if (p >= end || *p != '"')
		return NULL;
	p++;
	for (;;) {
		size_t i;
		unsigned cp;
		int n;

#ifdef __SSE2__
		if (end - p >= 80) {
			bool closed = false;
			uint64_t nul;
			int got = chunk64(p, NULL, NULL, &closed, &nul);

			if (got < 0)
				return NULL;
			p += got;
			if (closed)
				return p + 1;
			if (got)
				continue;
		}
#endif
		i = run16(p, end, NULL);

		p += i;
		if (p >= end)
			return NULL;
		if (i == 16)
			continue;
		if (*p == '"')
			return p + 1;
		if (p + 1 >= end)
			return NULL;
		if (p[1] != 'u') {
			if (!simple[(unsigned char)p[1]])
				return NULL;
			p += 2;
			continue;
		}
		if (!(n = u_escape(p, end, &cp)))
			return NULL;
		p += n;
	}
}

/* ------------------------------------------------------------ values */

/* 64 levels, as audit_formats.c's CloudWatch reader always allowed */
#define VALID_MAX_DEPTH 64

static const char *blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static const char *valid_value(const char *p, const char *end, int depth);

static const char *valid_number(const char *p, const char *end)
{
	const char *q = p;

	if (q < end && *q == '-')
		q++;
	if (q >= end || *q < '0' || *q > '9')
		return NULL;
	if (*q == '0')
		q++;
	else
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	if (q < end && *q == '.') {
		if (++q >= end || *q < '0' || *q > '9')
			return NULL;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || *q < '0' || *q > '9')
			return NULL;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	return q;
}

/* An array or object's members, validated; p is past its opening bracket. */
static const char *valid_members(const char *p, const char *end, int depth, char close)
{
	p = blank(p, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (!(p = jsonl_check_string(p, end)))
				return NULL;
			p = blank(p, end);
			if (p >= end || *p++ != ':')
				return NULL;
		}
		if (!(p = valid_value(blank(p, end), end, depth + 1)))
			return NULL;
		p = blank(p, end);
		if (p < end && *p == ',') {
			p = blank(p + 1, end);
			continue;
		}
		return p < end && *p == close ? p + 1 : NULL;
	}
}

/* Past the JSON value at p, or NULL when it is not valid (or nested too deep). */
static const char *valid_value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > VALID_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '"':
		return jsonl_check_string(p, end);
	case '{':
	case '[':
		return valid_members(p + 1, end, depth, *p == '{' ? '}' : ']');
	case 't':
		return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default:
		return valid_number(p, end);
	}
}

const char *jsonl_valid_value(const char *p, const char *end)
{
	return valid_value(p, end, 1);
}
