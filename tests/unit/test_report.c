/* The report layer: the terminal escape, the JSON writer, sections. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/finding.h"
#include "core/jsonw.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "report/report.h"

static void clean_is(const char *in, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_clean(&sb, in, len);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

#define CLEAN(in, want) clean_is(in, sizeof(in) - 1, want)

static void test_clean(void **state)
{
	(void)state;
	CLEAN("plain text / ok", "plain text / ok");
	CLEAN("caf\xc3\xa9 \xf0\x9f\x94\x91", "caf\xc3\xa9 \xf0\x9f\x94\x91"); /* é and a key */
	CLEAN("\x1b[2J\x1b]0;t\x07", "\\x1b[2J\\x1b]0;t\\x07");
	CLEAN("a\nPASS", "a\\x0aPASS");
	CLEAN("\t\r\x7f", "\\x09\\x0d\\x7f");
	CLEAN("nul\0x", "nul\\x00x");
	/* C1 controls as UTF-8, and as raw bytes (not valid UTF-8) */
	CLEAN("\xc2\x9b"
	      "31m \xc2\x85",
	      "\\u009b31m \\u0085");
	CLEAN("\x9b"
	      "31m",
	      "\\x9b31m");
	/* bidi overrides, isolates and marks */
	CLEAN("\xe2\x80\xae"
	      "txt\xe2\x81\xa6"
	      "x\xe2\x81\xa9\xe2\x80\x8f",
	      "\\u202etxt\\u2066x\\u2069\\u200f");
	/* not UTF-8: overlong, surrogate, past U+10FFFF, truncated */
	CLEAN("\xc0\xaf", "\\xc0\\xaf");
	CLEAN("\xed\xa0\x80", "\\xed\\xa0\\x80");
	CLEAN("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CLEAN("\xe2\x80", "\\xe2\\x80");
	/* a valid character right after a bad byte is kept */
	CLEAN("\xff\xc3\xa9", "\\xff\xc3\xa9");
	/* C0 80 is how the parsers keep a decoded NUL: shown as that NUL */
	CLEAN("evil\xc0\x80x", "evil\\u0000x");
	CLEAN("\xc0\x80", "\\u0000");
	CLEAN("\xc0", "\\xc0");
}

static void json_is(const char *in, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_json_strn(&sb, in, len);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

#define JSON(in, want) json_is(in, sizeof(in) - 1, want)

static void test_json_string(void **state)
{
	(void)state;
	JSON("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	JSON("\n\r\t\b\f\x01", "\"\\n\\r\\t\\b\\f\\u0001\"");
	JSON("n\0x", "\"n\\u0000x\"");
	JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	/* invalid UTF-8 becomes U+FFFD, one per bad byte */
	JSON("a\x9b"
	     "b\xff",
	     "\"a\xef\xbf\xbd"
	     "b\xef\xbf\xbd\"");
	JSON("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	/* C0 80, a NUL kept by the parsers, is written as the NUL it stands for */
	JSON("evil\xc0\x80x", "\"evil\\u0000x\"");
	/* the same strings, but harmless when the file is shown in a terminal */
	JSON("\x1b\x7f\xc2\x9b\xe2\x80\xae", "\"\\u001b\\u007f\\u009b\\u202e\"");
}

static void test_jsonw(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_int(&w, -1);
	jsonw_break(&w, 2);
	jsonw_uint(&w, 18446744073709551615ULL);
	jsonw_int(&w, INT64_MIN);
	jsonw_int(&w, INT64_MAX);
	jsonw_int(&w, 0);
	jsonw_uint(&w, 10);
	jsonw_array_end(&w);
	jsonw_break(&w, 1);
	jsonw_key(&w, "b");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "c");
	jsonw_string_or_null(&w, NULL);
	jsonw_key(&w, "d");
	jsonw_double(&w, 0.5);
	jsonw_key(&w, "e");
	jsonw_fixed(&w, 1.25, 3);
	jsonw_key(&w, "f");
	jsonw_double(&w, INFINITY);
	jsonw_key(&w, "g");
	jsonw_bool(&w, true);
	jsonw_object_end(&w);
	assert_string_equal(sb.buf, "{\"a\":[-1,\n  18446744073709551615,-9223372036854775808,"
				    "9223372036854775807,0,10],\n \"b\":{},\"c\":null,"
				    "\"d\":0.5,\"e\":1.250,\"f\":null,\"g\":true}");
	strbuf_release(&sb);
}

static struct section *sample(void)
{
	struct section *s = section_create(SEC_GROUP, "demo", "Demo");
	struct section *l, *row;

	sec_uint(s, "n", 3);
	sec_str(s, "who", "x\x1b]52;c;AA==\x07\xc2\x9b");
	l = sec_brk(sec_list(s, "rows", NULL), 1);
	row = sec_group(l, NULL, NULL);
	sec_str(row, "name", "a");
	sec_int(row, "count", 2);
	sec_time(row, "at", SEC_TIME_NONE);
	sec_flag(sec_uint(s, "hidden", 0), SEC_HIDE_ZERO);
	return s;
}

static void test_section_json(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct report_opts o = {false, 0};
	struct result r;
	const char *p;

	(void)state;
	result_init(&r);
	result_add_section(&r, sample());
	assert_int_equal(sec_find_uint(r.sec[0], "n"), 3);
	assert_null(sec_find(r.sec[0], "rows.name"));
	report_json(&sb, &r, &o);
	p = strstr(sb.buf, "\"demo\":");
	assert_non_null(p);
	assert_string_equal(
	    p, "\"demo\":{\"n\":3,\"who\":\"x\\u001b]52;c;AA==\\u0007\\u009b\","
	       "\n \"rows\":[{\"name\":\"a\",\"count\":2,\"at\":null}],\"hidden\":0}}\n");
	strbuf_release(&sb);
	result_release(&r);
}

static void test_section_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct report_opts o = {true, 0};
	struct result r;

	(void)state;
	result_init(&r);
	result_add_section(&r, sample());
	report_text(&sb, &r, &o);
	assert_non_null(strstr(sb.buf, "  who: x\\x1b]52;c;AA==\\x07\\u009b\n"));
	assert_non_null(strstr(sb.buf, "  rows:\n    name  count  at\n    a         2  -\n"));
	assert_null(strstr(sb.buf, "hidden"));
	/* the only ESC are the reporter's own colors */
	for (const char *e = strchr(sb.buf, '\x1b'); e; e = strchr(e + 1, '\x1b'))
		assert_true(e[1] == '[' && (e[2] == '0' || e[2] == '1') && e[3] == 'm');
	strbuf_release(&sb);
	result_release(&r);
}

/*
 * A tree larger than the arena's first chunks and than a huge chunk: every
 * node and string is still there, in order, after the chunks changed; a
 * string longer than any chunk; a label set twice; a node under a root is
 * not destroyed alone (under ASan each node is a chunk of its own: it checks them).
 */
static void test_section_big_tree(void **state)
{
	struct section *root = section_create(SEC_GROUP, "big", "Big");
	struct section *l = sec_series(root, "rows", NULL, 60000000);
	static char longstr[3 << 20];
	char key[32];
	size_t i;

	(void)state;
	memset(longstr, 'x', sizeof(longstr) - 1);
	for (i = 0; i < 20000; i++) {
		struct section *row = sec_group(l, NULL, NULL);
		sec_time(row, "start", (int64_t)i * 60000000);
		snprintf(key, sizeof(key), "k%zu", i);
		sec_str(row, key, key);
		sec_uint(row, "n", i);
	}
	sec_label(sec_label(l, "first"), "second");
	sec_str(root, "long", longstr);
	sec_empty(l, "none");
	section_destroy(l); /* not a root: nothing happens */
	assert_int_equal(l->n, 20000);
	for (i = 0; i < 20000; i += 997) {
		const struct section *row = l->kid[i];
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(row->n, 3);
		assert_int_equal(row->kid[0]->v.i, (int64_t)i * 60000000);
		assert_string_equal(row->kid[1]->key, key);
		assert_string_equal(row->kid[1]->v.s, key);
		assert_int_equal(row->kid[2]->v.u, i);
	}
	assert_string_equal(l->label, "second");
	assert_string_equal(l->empty, "none");
	assert_int_equal(strlen(sec_find(root, "long")->v.s), sizeof(longstr) - 1);
	section_destroy(root);
	section_destroy(NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Each fix is printed in full once per rule; a PASS does not count as printed. */
static void test_fix_once(void **state)
{
	static const struct rule a = {"rule-a", "A", SEV_HIGH, {NULL}};
	static const struct rule b = {"rule-b", "B", SEV_HIGH, {NULL}};
	struct strbuf sb = STRBUF_INIT;
	struct report_opts o = {false, 1};
	struct result r;

	(void)state;
	result_init(&r);
	finding_add(&r, &a, STATUS_PASS, SEV_HIGH, "t0", "do X", "pass");
	finding_add(&r, &a, STATUS_FAIL, SEV_HIGH, "t1", "do X", "fail 1");
	finding_add(&r, &a, STATUS_FAIL, SEV_HIGH, "t2", "do X", "fail 2");
	finding_add(&r, &b, STATUS_FAIL, SEV_HIGH, "t3", "do X", "other rule");
	finding_add(&r, &a, STATUS_WARN, SEV_HIGH, "t4", "do Y", "other fix");
	finding_add(&r, &a, STATUS_PASS, SEV_HIGH, "t5", "do Y", "pass after");
	report_text(&sb, &r, &o);
	/* t0 (PASS, printed in full), t1, t3, t4 in full; t2 and t5 refer back */
	assert_int_equal(count(sb.buf, "fix: do X"), 3);
	assert_int_equal(count(sb.buf, "fix: do Y"), 1);
	assert_int_equal(count(sb.buf, "fix: as for the first rule-a finding above"), 2);
	assert_int_equal(count(sb.buf, "fix: as for the first rule-b"), 0);
	strbuf_release(&sb);
	result_release(&r);
}

static void test_reporter_names(void **state)
{
	(void)state;
	assert_string_equal(reporter_names(), "text, json, sarif, junit, prometheus, html");
	assert_non_null(reporter_find("json"));
	assert_non_null(reporter_find("sarif"));
	assert_non_null(reporter_find("html"));
	assert_null(reporter_find("xml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean),	 cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_jsonw),	 cmocka_unit_test(test_section_json),
	    cmocka_unit_test(test_section_text), cmocka_unit_test(test_reporter_names),
	    cmocka_unit_test(test_fix_once),	 cmocka_unit_test(test_section_big_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
