/* The audit input side and the JSON-lines helpers: defects of issue 8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "parsers/jsonl.h"
#include "sources/gzstream.h"

#define LINE(s) (s), (s) + strlen(s)
#define TS(s)	(s), strlen(s)

/* UBSan: no arithmetic on the NULL pointer of an empty span ("{}" has no members). */
static void test_empty_spans(void **state)
{
	struct span none = {NULL, 0}, out, e = {"{}", 2}, a = {"[]", 2};
	size_t it = 0;
	(void)state;
	assert_false(jsonl_obj_get(&none, "code", &out));
	assert_false(jsonl_array_next(&none, &it, &out));
	assert_false(jsonl_obj_get(&e, "code", &out));
	assert_false(jsonl_array_next(&a, &it, &out));
}

static void test_impossible_dates(void **state)
{
	(void)state;
	assert_int_equal(ts_parse(TS("2025-02-31T00:00:00Z")), TS_NONE);
	assert_int_equal(ts_parse(TS("2025-02-29T00:00:00Z")), TS_NONE);
	assert_int_equal(ts_parse(TS("2025-04-31T00:00:00Z")), TS_NONE);
	assert_int_equal(ts_parse(TS("1900-02-29T00:00:00Z")), TS_NONE);
	assert_int_equal(ts_parse(TS("2025-06-30T23:59:60Z")), TS_NONE);
	assert_int_equal(ts_parse(TS("2025-06-30T24:00:00Z")), TS_NONE);
	assert_true(ts_parse(TS("2024-02-29T00:00:00Z")) != TS_NONE);
	assert_true(ts_parse(TS("2000-02-29T00:00:00Z")) != TS_NONE);
	assert_true(ts_parse(TS("2025-12-31T23:59:59Z")) != TS_NONE);
}

/* Last duplicate wins, the same on the fast path and on the cJSON path. */
static void test_duplicate_keys(void **state)
{
	static const char *const ids[] = {"a1", "a\\u0031"}; /* the escape forces cJSON */
	static const char *const users[2][2] = {
	    {"{\"username\":\"system:anonymous\"}", "{\"username\":\"bob\"}"},
	    {"{\"username\":\"bob\"}", "{\"username\":\"system:anonymous\"}"},
	};
	(void)state;
	for (int u = 0; u < 2; u++) {
		for (int k = 0; k < 4; k++) {
			struct block b;
			struct strbuf sb = STRBUF_INIT;
			memset(&b, 0, sizeof(b));
			/* k & 2: the second user comes after stageTimestamp (where the walk stops)
			 */
			if (k & 2)
				strbuf_addf(
				    &sb,
				    "{\"auditID\":\"%s\",\"stage\":\"ResponseComplete\","
				    "\"requestURI\":\"/api\",\"verb\":\"get\",\"user\":%s,"
				    "\"stageTimestamp\":\"2025-06-01T00:00:00Z\",\"user\":%s}",
				    ids[k & 1], users[u][0], users[u][1]);
			else
				strbuf_addf(
				    &sb,
				    "{\"auditID\":\"%s\",\"stage\":\"ResponseComplete\","
				    "\"requestURI\":\"/api\",\"verb\":\"get\",\"user\":%s,"
				    "\"user\":%s,\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}",
				    ids[k & 1], users[u][0], users[u][1]);
			audit_scan_line(&b, sb.buf, sb.buf + sb.len, 1);
			assert_int_equal(b.nrec, 1);
			if ((b.recs[0].flags & R_ANON) != (u == 1 ? R_ANON : 0))
				fail_msg("%s: flags %d", sb.buf, b.recs[0].flags);
			for (size_t i = 0; i < b.nrec; i++)
				adetail_free(b.recs[i].d);
			free(b.recs);
			strbuf_release(&sb);
		}
	}
}

/* An escaped key or value is decoded as Go does: "\u0075ser" is user. */
static void test_escaped_keys(void **state)
{
	static const char *const lines[] = {
	    "{\"auditID\":\"e1\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api\","
	    "\"verb\":\"get\",\"\\u0075ser\":{\"username\":\"system:anonymous\"},"
	    "\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}",
	    "{\"auditID\":\"e2\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api\","
	    "\"verb\":\"get\",\"user\":{\"\\u0075sername\":\"system:anonymous\"},"
	    "\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}",
	    "{\"auditID\":\"e3\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api\","
	    "\"verb\":\"get\",\"user\":{\"username\":\"system:anonym\\u006fus\"},"
	    "\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}",
	};
	(void)state;
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		struct block b;
		memset(&b, 0, sizeof(b));
		audit_scan_line(&b, LINE(lines[k]), 1);
		assert_int_equal(b.nrec, 1);
		if (!(b.recs[0].flags & R_ANON))
			fail_msg("%s: not anonymous", lines[k]);
		adetail_free(b.recs[0].d);
		free(b.recs);
	}
}

/* The reducer keeps the audit keys wherever they are, the last duplicate, and cuts long strings. */
static void test_reduce(void **state)
{
	struct jsonl_reduce r;
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	(void)state;
	strbuf_addstr(&in, "{\"auditID\":\"x\",\"requestURI\":\"/api/v1/secrets?q=");
	for (int i = 0; i < 5000; i++)
		strbuf_addstr(&in, "\\u0026");
	strbuf_addstr(&in,
		      "\",\"other\":{\"user\":[1,{\"a\":\"}\"}]},\"user\":{\"username\":\"a\"},"
		      "\"\\u0076erb\":\"list\",\"user\":{\"username\":\"system:anonymous\"}}");
	jsonl_reduce_init(&r, 1000);
	for (size_t i = 0; i < in.len; i += 7)
		jsonl_reduce_feed(&r, in.buf + i, in.len - i < 7 ? in.len - i : 7);
	assert_true(jsonl_reduce_finish(&r, &out, 0));
	assert_true(r.over & (1u << JK_REQUESTURI));
	assert_non_null(strstr(out.buf, "\"user\":{\"username\":\"system:anonymous\"}"));
	assert_non_null(strstr(out.buf, "\"verb\":\"list\""));
	assert_non_null(strstr(out.buf, "\"requestURI\":\"/api/v1/secrets?q=\\u0026"));
	assert_null(strstr(out.buf, "other"));
	{
		struct span f[JK__COUNT];
		assert_int_equal(jsonl_walk(out.buf, out.buf + out.len, f), 0);
		char *uri = jsonl_unescape(&f[JK_REQUESTURI]);
		assert_non_null(uri); /* cut at a whole escape: still a valid string */
		free(uri);
	}
	jsonl_reduce_release(&r);
	/* a cut array keeps its first whole elements and its last one (the peer address) */
	strbuf_reset(&in);
	strbuf_reset(&out);
	strbuf_addstr(&in, "{\"sourceIPs\":[");
	for (int i = 0; i < 3000; i++)
		strbuf_addstr(&in, "\"10.0.0.1\",");
	strbuf_addstr(&in, "\"192.0.2.7\"],\"verb\":\"get\"}");
	jsonl_reduce_init(&r, 1000);
	jsonl_reduce_feed(&r, in.buf, in.len);
	assert_true(jsonl_reduce_finish(&r, &out, 0));
	assert_true(r.kept_last & (1u << JK_SOURCEIPS));
	{
		struct span f[JK__COUNT], ip;
		size_t it = 0, n = 0;
		char *last = NULL;
		assert_int_equal(jsonl_walk(out.buf, out.buf + out.len, f), 0);
		while (jsonl_array_next(&f[JK_SOURCEIPS], &it, &ip)) {
			free(last);
			last = jsonl_unescape(&ip);
			n++;
		}
		assert_true(n > 10 && n < 200);
		assert_string_equal(last, "192.0.2.7");
		free(last);
	}
	jsonl_reduce_release(&r);
	/* not one object */
	strbuf_reset(&out);
	jsonl_reduce_init(&r, 1000);
	jsonl_reduce_feed(&r, "{\"a\":1}{\"b\":2}", 14);
	assert_false(jsonl_reduce_finish(&r, &out, 0));
	jsonl_reduce_release(&r);
	strbuf_release(&in);
	strbuf_release(&out);
}

/* A file that shrinks while read (copytruncate): what was read is kept, the rest reported. */
static void test_shrunk_while_read(void **state)
{
	char path[] = "/tmp/kanon-test-shrink-XXXXXX";
	int fd = mkstemp(path);
	struct instream s;
	struct err e = { 0 };
	char buf[4096];
	ssize_t n;
	size_t total = 0;
	(void)state;
	memset(buf, 'x', sizeof(buf));
	/* 48 KB: all of it in the first read (64 KB), before the file shrinks */
	for (int i = 0; i < 12; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	assert_int_equal(instream_open(&s, path, NULL), 0);
	n = instream_read(&s, buf, sizeof(buf), &e);
	assert_int_equal(n, (ssize_t)sizeof(buf));
	assert_int_equal(truncate(path, 100), 0);
	while ((n = instream_read(&s, buf, sizeof(buf), &e)) > 0)
		total += (size_t)n;
	assert_int_equal(n, -1);
	assert_non_null(strstr(e.msg, "shrank"));
	/* what was read before the file shrank is all kept (none dropped) */
	assert_int_equal(total, 11 * sizeof(buf));
	instream_close(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_spans),	   cmocka_unit_test(test_impossible_dates),
	    cmocka_unit_test(test_duplicate_keys), cmocka_unit_test(test_escaped_keys),
	    cmocka_unit_test(test_reduce),	   cmocka_unit_test(test_shrunk_while_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
