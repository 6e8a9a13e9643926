/* The AKSAudit table of Log Analytics (aks.h). */
#include "parsers/aks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Is v exactly one JSON value (jsonl_valid_value()), column i's text seen before or checked? */
static bool one_value(const struct aks_text *v, size_t i, struct aks_seen *seen)
{
	unsigned k;

	if (seen && v->n <= AKS_SEEN_MAX)
		for (k = 0; k < AKS_SEEN; k++)
			if (seen->len[i][k] == v->n && !memcmp(seen->text[i][k], v->p, v->n))
				return true;
	if (jsonl_valid_value(v->p, v->p + v->n) != v->p + v->n)
		return false;
	if (seen && v->n <= AKS_SEEN_MAX) {
		k = seen->next[i]++ % AKS_SEEN;
		memcpy(seen->text[i][k], v->p, v->n);
		seen->len[i][k] = v->n;
	}
	return true;
}

/* One column's value at o (room for 6 * v->n + 2 bytes); NULL as aks_event() says. */
static char *aks_value(char *o, const struct aks_text *v, size_t i, bool utc, bool clean,
		       struct strbuf *tmp, struct aks_seen *seen)
{
	char t[40];

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
	if (v->p[0] != '{' && v->p[0] != '[')
		return json_string_at(o, v->p, v->n);
	/* cJSON_Parse would also take one value followed by anything: only exactly one */
	if (!one_value(v, i, seen) || (!clean && memchr(v->p, '\n', v->n)))
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

bool aks_event(struct strbuf *ev, const struct aks_text col[AKS_NCOLS][2], bool clean,
	       struct strbuf *tmp, struct aks_seen *seen)
{
	const struct aks_text *val[AKS_NCOLS];
	size_t room = 2;
	char *o;

	pthread_once(&key_once, key_init);
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
		o = aks_value(o, v, i, v == &col[i][1], clean, tmp, seen);
		if (!o) {
			ev->buf[0] = '\0';
			return false;
		}
	}
	*o++ = '}';
	*o = '\0';
	ev->len = (size_t)(o - ev->buf);
	return true;
}
