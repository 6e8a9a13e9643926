/*
 * The strict walk of an AKSAudit row's Event known without walking it
 * (src/parsers/aks.c, struct aks_walk): aks_compact() takes only what the
 * strict walk (jsonl_walk_strict()) takes as a member's value, with that
 * value's span, and what jsonl_valid_value() takes; an Event aks_event()
 * says is proven is walked here and must give the same spans, and a
 * backslash flag that is set whenever the walk's is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "parsers/aks.h"
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"
#include "xorshift.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned next(unsigned n)
{
	return (unsigned)(xorshift64(&rng) % n);
}

/* Does the strict walk take {"user":V} with V as the span of "user"? Its backslash flag. */
static bool walk_takes(const char *v, size_t n, bool *bs)
{
	struct strbuf ev = STRBUF_INIT;
	struct span f[JK__COUNT];
	const char *at;
	bool ok;

	strbuf_addstr(&ev, "{\"user\":");
	strbuf_add(&ev, v, n);
	strbuf_addch(&ev, '}');
	ok = jsonl_walk_strict(ev.buf, ev.buf + ev.len, f, &at) == 0 &&
	     f[JK_USER].p == ev.buf + 8 && f[JK_USER].n == n;
	*bs = at != NULL;
	strbuf_release(&ev);
	return ok;
}

static bool compact(const char *v, size_t n, bool *bs)
{
	*bs = false;
	return aks_compact(v, v + n, bs) == v + n;
}

static void test_cases(void **state)
{
	static const char *const yes[] = {
	    "{}",
	    "[]",
	    "{\"a\":1}",
	    "[[],{},[{}]]",
	    "{\"a\":\"x\\n\\u00e9\\\"\\\\\\/\\b\\f\\r\\t\"}",
	    "[-0.5e+3,0,1E9,-0,true,false,null,\"\"]",
	    "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"\"}",
	    "\"s\"",
	    "-1.5",
	};
	static const char *const no[] = {
	    "{\"a\": 1}",
	    "{\"a\":1} ",
	    "{\"a\":1}x",
	    "{\"a\":\"\\ud800\"}",
	    "[\"\\ud83d\\ude00\"]",
	    "[\"\\u0000\"]",
	    "[\"x\x01\"]",
	    "[\"a\x01"
	    "b\"]",
	    "[\"\tn\"]",
	    "[\"x\n\"]",
	    "[01]",
	    "[1.]",
	    "[1e]",
	    "[-]",
	    "[tru]",
	    "[truex]",
	    "[1,]",
	    "{\"a\":1,}",
	    "{\"a\"}",
	    "{,}",
	    "{1:2}",
	    "[1}",
	    "{\"a\":1]",
	    "[\"a\"\"b\"]",
	    "[\"\\x\"]",
	    "[\"\\u12\"]",
	    "[\"abc",
	    "[",
	    "{\"a\":",
	    "[]]",
	    "{\"a\":1}{}",
	    "[1 ]",
	    "[ 1]",
	    "1 ",
	};
	char deep[2 * 49 + 1];
	bool bs;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_true(compact(yes[i], strlen(yes[i]), &bs));
		assert_true(walk_takes(yes[i], strlen(yes[i]), &bs));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (compact(no[i], strlen(no[i]), &bs))
			fail_msg("aks_compact() took %s", no[i]);
	/* 48 levels are taken, 49 are not */
	memset(deep, '[', 49);
	memset(deep + 49, ']', 49);
	assert_false(compact(deep, 98, &bs));
	assert_true(compact(deep + 1, 96, &bs));
	assert_true(walk_takes(deep + 1, 96, &bs));
	/* a backslash is told */
	assert_true(compact("[\"\\n\"]", 6, &bs));
	assert_true(bs);
	assert_true(compact("[\"n\"]", 5, &bs));
	assert_false(bs);
}

/*
 * Values around the 512 bytes whose string ends are found at once (and past
 * them), strings ending on each side of the 64-byte words: the valid ones
 * taken, each with a control byte or an unpaired quote put anywhere refused.
 */
static void test_long(void **state)
{
	struct strbuf v = STRBUF_INIT;
	bool bs;

	(void)state;
	for (size_t total = 440; total <= 600; total++) {
		for (size_t first = 1; first <= 70; first += 3) {
			/* ["x...x","y...y"] of `total` bytes, the first string `first` long */
			size_t second;

			if (total < first + 8)
				continue;
			second = total - first - 7;
			strbuf_reset(&v);
			strbuf_addstr(&v, "[\"");
			for (size_t i = 0; i < first; i++)
				strbuf_addch(&v, 'x');
			strbuf_addstr(&v, "\",\"");
			for (size_t i = 0; i < second; i++)
				strbuf_addch(&v, 'y');
			strbuf_addstr(&v, "\"]");
			assert_int_equal(v.len, total);
			if (!compact(v.buf, v.len, &bs) || bs)
				fail_msg("refused %zu/%zu", total, first);
			for (size_t at = 2; at + 2 < v.len; at += 7) {
				char was = v.buf[at];

				if (was == '"' || was == ',')
					continue;
				v.buf[at] = '\x01';
				if (compact(v.buf, v.len, &bs))
					fail_msg("a control byte at %zu of %zu taken", at, total);
				v.buf[at] = '"';
				if (compact(v.buf, v.len, &bs))
					fail_msg("a quote at %zu of %zu taken", at, total);
				v.buf[at] = was;
			}
		}
	}
	strbuf_release(&v);
}

static const char *const toks[] = {
    "{",    "}",       "[",	      "]",	     ",",	    ":",	  "\"k\"",
    "\"\"", "1",       "-0.5",	      "1e+9",	     "true",	    "null",	  "false",
    " ",    "\"\\n\"", "\"\\u00e9\"", "\"\\ud800\"", "\"\\u0000\"", "\"a\\\"b\"", "01",
    "1.",   "tru",     "\"\t\"",      "\"\tn\"",     "\"\\q\"",	    "\"x",
};

/* a value made of tokens, mostly well formed around the bad ones */
static void gen(struct strbuf *o, int depth)
{
	unsigned k = next(10);

	if (next(16) == 0) {
		strbuf_addstr(o, toks[next(sizeof(toks) / sizeof(toks[0]))]);
		return;
	}
	if (depth > 5 || k < 4) {
		strbuf_addstr(o, toks[6 + next(sizeof(toks) / sizeof(toks[0]) - 6)]);
		return;
	}
	if (k < 7) {
		int n = (int)next(4);

		strbuf_addch(o, '[');
		for (int i = 0; i < n; i++) {
			if (i)
				strbuf_addch(o, ',');
			gen(o, depth + 1);
		}
		strbuf_addch(o, ']');
		return;
	}
	strbuf_addch(o, '{');
	for (int i = 0, n = (int)next(4); i < n; i++) {
		if (i)
			strbuf_addch(o, ',');
		strbuf_addstr(o, next(8) ? "\"k\"" : toks[next(sizeof(toks) / sizeof(toks[0]))]);
		strbuf_addch(o, ':');
		gen(o, depth + 1);
	}
	strbuf_addch(o, '}');
}

/* Whatever aks_compact() takes, the strict walk and jsonl_valid_value() take. */
static void test_property(void **state)
{
	struct strbuf v = STRBUF_INIT;
	unsigned taken = 0, refused = 0;

	(void)state;
	for (int t = 0; t < 200000; t++) {
		bool bs, wbs;

		strbuf_reset(&v);
		gen(&v, 0);
		if (!compact(v.buf, v.len, &bs)) {
			refused++;
			continue;
		}
		taken++;
		if (!walk_takes(v.buf, v.len, &wbs) ||
		    jsonl_valid_value(v.buf, v.buf + v.len) != v.buf + v.len)
			fail_msg("aks_compact() took %s", v.buf);
		if (wbs && !bs)
			fail_msg("a backslash not told in %s", v.buf);
	}
	/* both ways often enough for the test to mean something */
	assert_true(taken > 20000);
	assert_true(refused > 20000);
	strbuf_release(&v);
}

/* a string that needs no JSON escape (not a dynamic column's JSON) */
static bool plain(const char *p, size_t n)
{
	if (*p == '{' || *p == '[')
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '"' || p[i] == '\\' || (unsigned char)p[i] < 0x20)
			return false;
	return true;
}

/*
 * aks_event()'s spans of a proven Event are the strict walk's; the strings
 * said to need no escape (struct aks_text's safe) make the same Event.
 */
static void test_event(void **state)
{
	static const char *const str[] = {
	    "id", "a\"b", "x\\y", "t\tn\n", "\x01", "2025-06-01T10:00:00Z", "plain text",
	};
	static const char *const dyn[] = {
	    "{\"username\":\"system:anonymous\"}",
	    "[\"10.0.0.1\"]",
	    "{\"a\": 1}",
	    "{\"code\":200}",
	    "{\"r\":\"say \\\"hi\\\"\"}",
	    "{\"a\":\"\\ud800\"}",
	    "[]",
	};
	struct strbuf ev = STRBUF_INIT, tmp = STRBUF_INIT, safe = STRBUF_INIT;
	unsigned proven = 0, not_proven = 0;

	(void)state;
	for (int t = 0; t < 50000; t++) {
		struct aks_text col[AKS_NCOLS][2];
		struct aks_walk w, ws;
		struct span f[JK__COUNT];
		const char *bs;

		memset(col, 0, sizeof(col));
		for (int c = 0; c < AKS_NCOLS; c++) {
			const char *s = next(3) == 0 ? NULL
					: next(3)    ? str[next(sizeof(str) / sizeof(str[0]))]
						     : dyn[next(sizeof(dyn) / sizeof(dyn[0]))];

			if (s)
				col[c][0] = (struct aks_text){.p = s, .n = strlen(s)};
		}
		col[0][0] = (struct aks_text){.p = "id", .n = 2};
		col[1][0] = (struct aks_text){.p = "ResponseComplete", .n = 16};
		if (!aks_event(&ev, col, true, &tmp, &w))
			continue;
		/* a string the caller says needs no escape is written as it is: the same text */
		for (int c = 0; c < AKS_NCOLS; c++)
			col[c][0].safe = col[c][0].n && plain(col[c][0].p, col[c][0].n);
		assert_true(aks_event(&safe, col, true, &tmp, &ws));
		assert_int_equal(safe.len, ev.len);
		assert_memory_equal(safe.buf, ev.buf, ev.len);
		assert_int_equal(ws.proven, w.proven);
		assert_int_equal(ws.bs, w.bs);
		if (!w.proven) {
			not_proven++;
			continue;
		}
		proven++;
		assert_int_equal(jsonl_walk_strict(ev.buf, ev.buf + ev.len, f, &bs), 0);
		for (int k = 0; k < JK__COUNT; k++) {
			assert_int_equal(f[k].n, w.f[k].n);
			assert_ptr_equal(f[k].n ? f[k].p : NULL, w.f[k].n ? w.f[k].p : NULL);
		}
		assert_true(!bs || w.bs);
	}
	assert_true(proven > 1000);
	assert_true(not_proven > 1000);
	strbuf_release(&ev);
	strbuf_release(&safe);
	strbuf_release(&tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_long),
	    cmocka_unit_test(test_property),
	    cmocka_unit_test(test_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
