#ifndef KANON_JSONL_H
#define KANON_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

/*
 * Fast, allocation-free helpers for JSON-lines audit logs: walk the top
 * level of one object and note where the values of interesting keys are,
 * without building a tree. Used for every line of logs that are many GB;
 * lines that need more are parsed with cJSON.
 */

struct span {
	const char *p; /* value text as written (strings keep their quotes) */
	size_t n;      /* 0: key absent */
};

/* The audit.k8s.io Event keys the walker reports (types.go field names). */
enum jkey {
	JK_KIND,
	JK_AUDITID,
	JK_STAGE,
	JK_REQUESTURI,
	JK_VERB,
	JK_USER,
	JK_IMPUSER,
	JK_SOURCEIPS,
	JK_USERAGENT,
	JK_OBJECTREF,
	JK_RESPSTATUS,
	JK_REQOBJ,
	JK_RESPOBJ,
	JK_RRTS,
	JK_STAGETS,
	JK_TIMESTAMP, /* v1beta1 */
	JK_ANNOTATIONS,
	JK__COUNT
};

/*
 * Walk the object in [p,end) (leading/trailing blanks allowed). Fills
 * out[] (zeroed first) and returns 0, or -1 when the text is not one
 * well-formed object at the levels examined (strings and brackets
 * balanced; scalars are not validated).
 */
int jsonl_walk(const char *p, const char *end, struct span out[JK__COUNT]);
/*
 * The same, but stops after the value of key `stop` (an enum jkey) when
 * "user" and "verb" were seen before it, and then returns 1: the rest of the
 * object is not looked at.
 */
int jsonl_walk_until(const char *p, const char *end, struct span out[JK__COUNT], int stop);
/* The same; *backslash tells whether the part walked has a backslash (an escape) at all. */
int jsonl_walk_until_bs(const char *p, const char *end, struct span out[JK__COUNT], int stop,
			bool *backslash);
/*
 * The whole walk of an event line that also proves it is JSON in the compact
 * form the API server writes (RFC 8259, no blank outside strings, no raw
 * control byte, no surrogate escape): 0 with out[] filled, or -1 and the line
 * is for a full parser (which then decides whether it is JSON at all).
 * *bs_at is the line's first backslash, or NULL: a value that ends before it
 * has no escape.
 */
int jsonl_walk_strict(const char *p, const char *end, struct span out[JK__COUNT],
		      const char **bs_at);
/*
 * The same on the line at p in [p, end): the line ends at the first '\n' or
 * at end. 0 when it is one such object, then maybe blanks (' ', '\t', '\r')
 * before its newline: *close is past the object's '}' and *eol at the '\n'
 * (or end). Folding the search for the newline into the walk saves a pass
 * over the log.
 */
int jsonl_walk_strict_line(const char *p, const char *end, struct span out[JK__COUNT],
			   const char **bs_at, const char **close, const char **eol);
/*
 * Tests: the walk of 0 SSE2, 1 AVX2, 2 AVX-512BW, 3 AVX-512 with shapes (at most what the
 * CPU has), -1 the best.
 */
void jsonl_simd_force(int level);
/* Tests: the calling thread's walk with shapes forgets the shapes it kept. */
void jsonl_shapes_forget(void);
/* The same, one token at a time (the reference for the SSE2 version). */
int jsonl_walk_until_scalar(const char *p, const char *end, struct span out[JK__COUNT], int stop);

/*
 * Duplicate keys: the last one wins everywhere (jsonl_walk, jsonl_obj_get,
 * the reducer below, and the cJSON side of the audit scanner), as in Go.
 * Kubernetes decodes audit Events with sigs.k8s.io/json
 * (k8s.io/apimachinery/pkg/runtime/serializer/json/json.go, Decode ->
 * kjson.UnmarshalCaseSensitivePreserveInts): keys match case-sensitively
 * (unlike plain encoding/json, which also folds case) and a repeated key
 * overwrites the earlier value (strict decoding would report it, the audit
 * readers do not decode strictly). Escaped keys ("\u0075ser") are decoded
 * first: the fast walkers refuse them (-1) so that a full parser reads the line.
 */

/*
 * Is the string "s" (s[0..n) between quotes, as written) somewhere in
 * [p,end)? A cheap prefilter, e.g. whether a key comes again.
 */
bool jsonl_has_quoted(const char *p, const char *end, const char *s, size_t n);
/* Either of two strings (one pass when they start alike, "system:..."). */
bool jsonl_has_quoted2(const char *p, const char *end, const char *a, size_t an, const char *b,
		       size_t bn);

/* Past the closing quote of a string starting at p (p[0] == '"'), or NULL. */
const char *jsonl_skip_string(const char *p, const char *end);
/* Past the value starting at p, or NULL when it does not end before end. */
const char *jsonl_skip_value(const char *p, const char *end);

/* The raw contents of a string span without quotes; false if not a string. */
bool jsonl_str(const struct span *s, const char **p, size_t *n);
bool jsonl_str_eq(const struct span *s, const char *lit);

/*
 * In an object span, the value of `key` (one level deep). Returns false
 * when absent or when sp is not an object.
 */
bool jsonl_obj_get(const struct span *obj, const char *key, struct span *out);
/*
 * Has a key of the object (one level deep) an escape, so that a lookup by
 * its raw bytes could miss it ("\u0063ode")? True also when obj is not an
 * object that ends within its span.
 */
bool jsonl_obj_keys_escaped(const struct span *obj);

/*
 * A string span decoded (escapes, \uXXXX with surrogate pairs, to UTF-8),
 * as a new NUL-terminated string; NULL when s is not a valid string.
 */
char *jsonl_unescape(const struct span *s);
/*
 * The same, appended to out (NUL-terminated); false also for \u0000 and
 * lone surrogates, where decoders disagree (cJSON refuses a lone surrogate,
 * Go makes it U+FFFD): the caller then reads the text with a full parser.
 */
bool jsonl_unescape_strict(const struct span *s, struct strbuf *out);
/*
 * The string at p (p[0] == '"') decoded as jsonl_unescape_strict() does,
 * appended to out, in one pass: returns past its closing quote, or NULL.
 */
const char *jsonl_decode_string(const char *p, const char *end, struct strbuf *out);

/*
 * Iterate an array span: *it starts at 0; each call sets *elem to the
 * next element and returns true, false at the end or on bad input.
 */
bool jsonl_array_next(const struct span *arr, size_t *it, struct span *elem);

/* Integer value of a number span; false when not an integer. */
bool jsonl_int(const struct span *s, long long *out);

#define TS_NONE INT64_MIN

/*
 * Parse an RFC 3339 timestamp (metav1.MicroTime "2006-01-02T15:04:05.000000Z",
 * leniently: space for T, 0-9 fraction digits, Z, +hh:mm or no zone = UTC)
 * to microseconds since the Unix epoch. Returns TS_NONE when unparseable.
 */
int64_t ts_parse(const char *s, size_t n);
/* "2006-01-02T15:04:05.000000Z" (27 chars + NUL) */
void ts_format(int64_t us, char buf[32]);

/*
 * A Go time.Duration string ("90s", "5m", "1h30m", "1.5h", "300ms") in
 * microseconds; -1 when invalid or not positive.
 */
int64_t go_duration_us(const char *s);

/*
 * Streaming splitter for inputs that are not JSON lines: a JSON array of
 * events, an EventList {"items":[...]}, one pretty-printed object or
 * several concatenated objects. Feed it bytes; it calls emit() with each
 * event object's text (newlines inside turned into spaces) and the line
 * where the object starts. Objects larger than max are reported as
 * emit(NULL, 0, line) and skipped.
 */
struct jsplit {
	int depth;
	bool in_str, esc;
	bool top_array;	   /* the document is an array */
	bool items_mode;   /* inside the "items" array of a top-level object */
	int items_depth;   /* depth of the items array */
	bool key_is_items; /* the last depth-1 string was the key "items" */
	bool want_value;   /* after "items": waiting for '[' */
	bool capturing;
	bool overflow;
	int cap_depth; /* depth at which the captured value started */
	uint64_t line, cap_line;
	char *buf;
	size_t len, alloc, max;
	size_t keystart;  /* offset of the current depth-1 string in buf */
	bool expect_elem; /* at the start of an element of the top or items array */
	bool garbage;	  /* bytes outside any value */
	uint64_t garbage_line;
};

void jsplit_init(struct jsplit *s, size_t max);
void jsplit_release(struct jsplit *s);
void jsplit_feed(struct jsplit *s, const char *p, size_t n,
		 void (*emit)(void *ctx, const char *obj, size_t n, uint64_t line), void *ctx);
/* At end of input: true when the input ended inside a value (truncated). */
bool jsplit_truncated(const struct jsplit *s);

/*
 * Streaming reducer for an object too long to hold (a JSON line longer than
 * a block): feed it the line in pieces; it keeps the values of the
 * audit keys above (the last of duplicates) up to cap bytes each, wherever
 * they are in the object, with bounded memory. A longer value is cut:
 * its bit is set in `over` and only its first cap bytes are kept; of a cut
 * array, its first whole elements and its last element (when that one is
 * shorter than cap) are kept.
 */
struct jsonl_reduce {
	size_t cap;
	int depth, state, cur, hex;
	bool in_str, esc, bad, done, keylong, got_value;
	char key[160];
	size_t keylen;
	uint32_t have, over; /* bit per enum jkey */
	uint32_t kept_last;  /* cut arrays whose last element is kept (sourceIPs: the peer) */
	size_t arr_safe[JK__COUNT]; /* of a kept array: where its whole elements end */
	struct strbuf tail;	    /* of the array being cut: its current element */
	int tail_key;
	bool tail_on, tail_bad;
	size_t safe[JK__COUNT]; /* of a cut string: its length at the last whole character */
	struct strbuf val[JK__COUNT];
};

void jsonl_reduce_init(struct jsonl_reduce *r, size_t cap);
void jsonl_reduce_feed(struct jsonl_reduce *r, const char *p, size_t n);
/*
 * The kept members as one compact object, appended to out (keys in the
 * enum order, without those in `drop`; a cut string is closed again, a cut
 * array keeps its first and last elements, a cut object is left out).
 * False when the text was not one object.
 */
bool jsonl_reduce_finish(struct jsonl_reduce *r, struct strbuf *out, uint32_t drop);
void jsonl_reduce_release(struct jsonl_reduce *r);

/*
 * The carry-less prefix XOR of a 64-bit mask: bit i is the XOR of bits 0..i.
 * From the quotes of a block (escaped ones removed), the bytes inside
 * strings: 1 from each quote up to the next, exclusive.
 */
/*
 * The instruction sets the SIMD code may use, as KANON_SIMD caps them (the
 * tests run each): 0 SSE2 only (KANON_SIMD=sse2), 1 up to AVX2
 * (KANON_SIMD=avx2), 2 up to AVX-512BW without the strict walk's shapes
 * (KANON_SIMD=avx512), 3 anything the CPU has. __builtin_cpu_init() is done.
 */
int jsonl_simd_cap(void);

/*
 * A SIMD path's level, detected once: *cache is -1 until detect() is run
 * (threads may race to run it; each finds the same level).
 */
static inline int jsonl_simd_once(int *cache, int (*detect)(void))
{
	int level = __atomic_load_n(cache, __ATOMIC_RELAXED);

	if (level < 0) {
		level = detect();
		__atomic_store_n(cache, level, __ATOMIC_RELAXED);
	}
	return level;
}

static inline uint64_t jsonl_prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

#endif
