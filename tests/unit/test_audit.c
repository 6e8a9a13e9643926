/* kanon audit: the JSON-lines walker, timestamps, durations, the splitter, gzip, classes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "checks/audit.h"
#include "checks/audit_int.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "parsers/jsonl.h"
#include "sources/audit_stream.h"
#include "sources/gzstream.h"
#include "sources/provider.h"

#define LINE(s) s, s + strlen(s)

static void test_walk(void **state)
{
	struct span f[JK__COUNT], v;
	const char *p;
	size_t n;
	long long code;
	const char *ev = "{\"kind\":\"Event\",\"auditID\":\"a-b\",\"stage\":\"ResponseComplete\","
			 "\"requestURI\":\"/x?a=\\\"}\",\"verb\":\"get\",\"user\":{\"username\":"
			 "\"system:anonymous\",\"groups\":[\"system:unauthenticated\"]},"
			 "\"responseStatus\":{\"metadata\":{},\"code\":401},\"requestObject\":"
			 "{\"a\":[1,{\"b\":\"}]\"}]},\"stageTimestamp\":\"2025-06-01T00:00:00.5Z\","
			 "\"annotations\":{\"k\":\"v\"}}";
	(void)state;
	assert_int_equal(jsonl_walk(LINE(ev), f), 0);
	assert_true(jsonl_str_eq(&f[JK_AUDITID], "a-b"));
	assert_true(jsonl_str_eq(&f[JK_STAGE], "ResponseComplete"));
	assert_true(jsonl_str(&f[JK_REQUESTURI], &p, &n));
	assert_int_equal(n, strlen("/x?a=\\\"}"));
	assert_true(jsonl_obj_get(&f[JK_RESPSTATUS], "code", &v));
	assert_true(jsonl_int(&v, &code));
	assert_int_equal(code, 401);
	assert_true(jsonl_obj_get(&f[JK_USER], "username", &v));
	assert_true(jsonl_str_eq(&v, "system:anonymous"));
	assert_int_not_equal(f[JK_ANNOTATIONS].n, 0);
	/* stops after stageTimestamp once user and verb were seen */
	assert_int_equal(jsonl_walk_until(LINE(ev), f, JK_STAGETS), 1);
	assert_int_equal(f[JK_ANNOTATIONS].n, 0);
	/* broken objects */
	assert_int_equal(jsonl_walk(LINE("{\"a\":\"unterminated}"), f), -1);
	assert_int_equal(jsonl_walk(LINE("{\"a\":{\"b\":1}"), f), -1);
	assert_int_equal(jsonl_walk(LINE("{\"a\" 1}"), f), -1);
	assert_int_equal(jsonl_walk(LINE("[1]"), f), -1);
	assert_int_equal(jsonl_walk(LINE(" {} "), f), 0);
	assert_int_equal(jsonl_walk(LINE("{\"a\":1} x"), f), -1);
}


static void same_walk(const char *line, int stop)
{
	struct span a[JK__COUNT], b[JK__COUNT];
	const char *end = line + strlen(line);
	int ra = jsonl_walk_until(line, end, a, stop), rb = jsonl_walk_until_scalar(line, end, b, stop);

	/*
	 * Where the scalar walker accepts the line, the SSE2 one must find the same;
	 * on broken JSON the SSE2 one may be more lenient (it does not check scalars
	 * such as tru{e}), which costs nothing: such a line is counted, not trusted.
	 */
	if (rb < 0)
		return;
	if (ra != rb)
		fail_msg("walk %d, scalar walk %d: %s", ra, rb, line);
	for (int k = 0; ra >= 0 && k < JK__COUNT; k++)
		if (a[k].n != b[k].n || (a[k].n && a[k].p != b[k].p))
			fail_msg("key %d differs: %s", k, line);
}

/* The SSE2 walker and the scalar one agree, escapes and brackets at every offset. */
static void test_walk_same(void **state)
{
	static const char *const inserts[] = { "\\\"", "\\\\", "\\\\\\\"", "{[:,", "}]", "\\u0026",
		"\\\\\"", "\"", "\\", "x\":{\"y", "" };
	char line[1024], uri[64];
	(void)state;
	for (size_t k = 0; k < sizeof(inserts) / sizeof(inserts[0]); k++) {
		for (int pad = 0; pad < 40; pad++) {
			snprintf(uri, sizeof(uri), "%.*s%s", pad, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				 inserts[k]);
			snprintf(line, sizeof(line),
				 "{\"kind\":\"Event\",\"auditID\":\"a\",\"stage\":\"RequestReceived\","
				 "\"requestURI\":\"%s\",\"verb\":\"get\",\"user\":{\"username\":\"u%s\","
				 "\"groups\":[\"g\",\"h\"]},\"objectRef\":{\"resource\":\"r\"},"
				 "\"stageTimestamp\":\"2025-06-01T00:00:00Z\",\"annotations\":{\"k\":\"%s\"}}",
				 uri, inserts[k], uri);
			same_walk(line, -1);
			same_walk(line, JK_STAGETS);
			line[strlen(line) - 1] = '\0'; /* cut short */
			same_walk(line, -1);
		}
	}
	same_walk("{}", -1);
	same_walk(" { } ", -1);
	same_walk("{\"a\":[1,{\"b\":[]}]}", -1);
	/* broken: both refuse */
	for (size_t k = 0; k < 4; k++) {
		static const char *const bad[] = { "{,}", "{\"a\":1,}", "{\"a\":}", "{\"a\":1" };
		struct span sp[JK__COUNT];
		const char *e = bad[k] + strlen(bad[k]);
		assert_int_equal(jsonl_walk_until(bad[k], e, sp, -1), -1);
		assert_int_equal(jsonl_walk_until_scalar(bad[k], e, sp, -1), -1);
	}
	same_walk("{\"a\":[1,{\"b\":[]}],\"c\":\"}\"} x", -1);
	same_walk("{\"a\":[1,{\"b\":[]}],\"c\":\"}\"}  ", -1);
}


/*
 * The strict walk takes exactly the compact JSON it can prove: a line cJSON
 * refuses never becomes an event on the fast path (issue 16: {"a":g""} did),
 * and what it does not take goes to cJSON, which decides.
 */
static void walk_strict_cases(void)
{
	static const char *const ok[] = {
		"{}", "{\"a\":1}", "{\"a\":[]}", "{\"a\":{}}", "{\"a\":[1,-0.5e+3,true,false,null,\"x\"]}",
		"{\"a\":{\"b\":[{\"c\":\"\\\"}\\\\\"}]},\"d\":\"\\u00e9\\n\"}",
		"{\"a\":\"x y\",\"b\":0}",
	};
	static const char *const no[] = {
		"{\"a\":g\"\"}", "{\"a\":{\"b\":tru}}", "{\"a\":[1}]}", "{\"a\":{\"b\" 1}}",
		"{\"a\":\"v\" \"w\"}", "{\"a\":[1,]}", "{\"a\":1,}", "{\"a\"}", "{\"a\":}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":+1}", "{\"a\": 1}", "{\"a\":\"x\x01\"}",
		"{\"a\":\"\\q\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u00zz\"}", "{\"a\":1}x",
		"{\"a\":[\"b\":1]}", "{\"a\":{\"b\":1:2}}", "{\"a\"\"b\":1}", "{\"a\":1", "{\"a\":\"x",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	};
	struct span f[JK__COUNT];
	const char *bs;
	char buf[256];

	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
		if (jsonl_walk_strict(LINE(ok[k]), f, &bs) != 0)
			fail_msg("refused: %s", ok[k]);
	for (size_t k = 0; k < sizeof(no) / sizeof(no[0]); k++)
		if (jsonl_walk_strict(LINE(no[k]), f, &bs) == 0)
			fail_msg("taken: %s", no[k]);
	/* every cut of a valid line at every 64-byte block offset is refused */
	snprintf(buf, sizeof(buf), "{\"auditID\":\"%s\",\"stage\":\"RequestReceived\",\"a\":[1,{\"b\":\"c\\\\\"}]}",
		 "0123456789012345678901234567890123456789012345678901234567");
	assert_int_equal(jsonl_walk_strict(LINE(buf), f, &bs), 0);
	assert_non_null(bs);
	assert_true(jsonl_str_eq(&f[JK_STAGE], "RequestReceived"));
	for (size_t n = 1; n < strlen(buf); n++)
		assert_int_equal(jsonl_walk_strict(buf, buf + n, f, &bs), -1);
	/* on the scanner: an event line that is not JSON is malformed, as cJSON says */
	{
		struct block b;
		const char *line = "{\"auditID\":\"x\",\"stage\":\"ResponseComplete\",\"user\":{\"username\":"
				   "\"system:anonymous\"},\"stageTimestamp\":\"2025-06-01T00:00:00Z\","
				   "\"annotations\":{\"k\":g\"\"}}";
		memset(&b, 0, sizeof(b));
		audit_scan_line(&b, LINE(line), 1);
		assert_int_equal(b.nrec, 1);
		assert_true(b.recs[0].flags & R_MALFORMED);
		free(b.recs);
	}
}

/* every version of the walk: SSE2, and AVX2, AVX-512BW and its shapes where the CPU has them */
static void test_walk_strict(void **state)
{
	(void)state;
	for (int level = 0; level <= 3; level++) {
		jsonl_simd_force(level);
		walk_strict_cases();
	}
	jsonl_simd_force(-1);
}

/*
 * Below the event's own members the walk checks the colons and commas
 * between two brackets at once (their neighbours by masks, their order by a
 * running parity): every misplaced one is refused wherever it falls in the
 * 64-byte blocks, in every version of the walk (SSE2, AVX2, AVX-512BW).
 */
static void test_walk_strict_nested(void **state)
{
	static const char *const ok[] = {
		"{\"a\":{\"b\":1,\"c\":[1,2,{\"d\":\"e\"}],\"f\":{}},\"g\":[[],{}]}",
		"{\"a\":{\"b\":{\"c\":{\"d\":[\"x:y\",\",\",\"{\"]}}},\"e\":[true,null]}",
		"{\"a\":[{\"b\":1},{\"c\":2,\"d\":3}],\"e\":{\"f\":-1.5e3,\"g\":\"\\\"\"}}",
	};
	static const char *const no[] = {
		"{\"a\":{\"b\":1,\"c\"}}", "{\"a\":{\"b\",\"c\":1}}", "{\"a\":[1:2]}",
		"{\"a\":{\"b\":1,,\"c\":2}}", "{\"a\":{,\"b\":1}}", "{\"a\":{\"b\":1},}",
		"{\"a\":{\"b\":1:2}}", "{\"a\":{\"b\"::1}}", "{\"a\":[1,,2]}", "{\"a\":[,1]}",
		"{\"a\":{\"b\":{\"c\":1}\"d\":2}}", "{\"a\":{\"b\":[1]:2}}", "{\"a\":{1:2}}",
		"{\"a\":{\"b\":1,2:3}}", "{\"a\":[\"b\":1]}", "{\"a\":{\"b\":1,{}}}",
		"{\"a\":{\"b\":{}:1}}", "{\"a\":{\"b\":1,\"c\":}}", "{\"a\":[1,]}",
		"{\"a\":{\"b\":[1,2],\"c\"},\"d\":1}", "{\"a\":{\"b\":\"x\",\"c\":\"y\",}}",
	};
	static const char xs[] =
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	const size_t n_ok = sizeof(ok) / sizeof(ok[0]), n_no = sizeof(no) / sizeof(no[0]);
	struct span f[JK__COUNT];
	const char *bs;
	char buf[512];

	(void)state;
	for (int level = 0; level <= 3; level++) {
		jsonl_simd_force(level);
		for (int pad = 0; pad < 70; pad++) {
			for (size_t k = 0; k < n_ok + n_no; k++) {
				const char *line = k < n_ok ? ok[k] : no[k - n_ok];
				int want = k < n_ok ? 0 : -1;

				snprintf(buf, sizeof(buf), "{\"p\":\"%.*s\",%s", pad, xs, line + 1);
				if (jsonl_walk_strict(LINE(buf), f, &bs) != want)
					fail_msg("%s (simd %d): %s", want ? "taken" : "refused", level, buf);
			}
		}
	}
	jsonl_simd_force(-1);
}

/*
 * One line through the SSE2 walk and twice through the walk with shapes (the
 * second time its shape is kept: the bracket loop is skipped): one answer,
 * the same members, the same first backslash.
 */
static void same_strict(const char *p, const char *end)
{
	struct span f[JK__COUNT], g[JK__COUNT];
	const char *bs, *bs2, *cl = NULL, *cl2 = NULL, *eol = NULL, *eol2 = NULL;
	int r;

	jsonl_simd_force(0);
	r = jsonl_walk_strict_line(p, end, f, &bs, &cl, &eol);
	jsonl_simd_force(3);
	for (int i = 0; i < 2; i++) {
		if (jsonl_walk_strict_line(p, end, g, &bs2, &cl2, &eol2) != r ||
		    (!r && (bs != bs2 || cl != cl2 || eol != eol2 || memcmp(f, g, sizeof(f)))))
			fail_msg("the walk with shapes differs (walk %d): %.*s", i + 1,
				 (int)(end - p), p);
	}
	jsonl_simd_force(-1);
}

/*
 * The walk with shapes (AVX-512 VBMI2) takes a line whose shape, its items by
 * class, is that of a line the bracket loop took. Lines of one shape that
 * differ in their tokens or their keys, lines whose brackets alone match
 * ({} and {"a"}), escaped keys, keys moved, lines too long for a shape,
 * blanks after the event a block long, and more shapes than the cache holds:
 * the same answers as the SSE2 walk.
 */
static void test_walk_shapes(void **state)
{
	static const char *const lines[] = {
	    "{\"user\":1}",
	    "{\"us\\u0065r\":1}",
	    "{\"use\\u0072\":1}",
	    "{\"kind\":\"Event\",\"auditID\":\"x\",\"stage\":\"RequestReceived\"}",
	    "{\"stage\":\"ResponseComplete\",\"kind\":\"E\",\"auditID\":\"yy\"}",
	    "{\"apiVersion\":\"v1\",\"verb\":\"get\"}",
	    "{\"verb\":\"v1\",\"apiVersion\":\"get\"}",
	    "{\"a\":1}",
	    "{\"a\":tru}",
	    "{\"a\":1x}",
	    "{\"a\":-}",
	    "{\"a\":\"\\q\"}",
	    "{\"a\":\"x\x01\"}",
	    "{\"a\":[1,2]}",
	    "{\"a\":[true,null]}",
	    "{\"a\":[\"1\",2]}",
	    "{\"requestReceivedTimestamp\":1,\"b\":2}",
	    "{\"requestReceivedTimestamX\":1,\"b\":2}",
	    "{\"requestReceivedTimestamp1\":1,\"b\":2}",
	    "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	    "{\"user\":1}",
	    "{\"x\":1}",
	    "{\"user\":1}",
	    "{\"\":1}",
	    "{\"user\":1}",
	    "{\"use\":1}",
	    "{\"user\":1}",
	    "{\"users\":1}",
	    "{\"verb\":1,\"user\":2}",
	    "{\"verb\":1,\"use\":2}",
	    "{}",
	    "{\"a\"}",
	    "{\"a\":{}}",
	    "{\"a\":{\"b\"}}",
	    "{\"a\":[]}",
	    "{\"a\":[\"b\"]}",
	    "{\"a\":[1]}",
	    "{\"a\":[[]]}",
	    "{\"a\":[{}]}",
	    "{\"a\":{\"b\":[]}}",
	    "{\"a\":1}x",
	    "{\"a\":1} ",
	    "{\"a\":1}\t\r",
	    "{\"a\":1}{}",
	    "{\"a\":1,\"b\":{}}",
	    "{\"a\":1,\"b\":{\"c\":2}}",
	    "{\"user\":{\"username\":\"system:anonymous\"},\"verb\":1}",
	    "{\"user\":{\"username\":\"system:anonymous\"},\"verb\":1,\"verb\":2}",
	};
	static const char xs[] =
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	struct strbuf l = STRBUF_INIT;

	(void)state;
	jsonl_shapes_forget(); /* the keys each line is compared with are the first line's */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++)
			same_strict(LINE(lines[k]));
	/* more than 32 blocks; more than 512 items; each cut short too */
	for (int big = 0; big < 2; big++) {
		strbuf_reset(&l);
		strbuf_addstr(&l, "{\"auditID\":\"a\",\"x\":[");
		for (int i = 0; i < (big ? 700 : 40); i++)
			strbuf_addf(
			    &l, "%s\"%.*s\"", i ? "," : "", big ? 1 : 60,
			    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		strbuf_addstr(&l, "],\"stage\":\"ResponseComplete\"}");
		same_strict(l.buf, l.buf + l.len);
		same_strict(l.buf, l.buf + l.len - 1);
	}
	/*
	 * Blanks after the event, then the newline or a byte: at each place of
	 * its '}' in a block (the bracket loop stops there; a block of blanks
	 * after it is refused by the masks, and taken once the loop has run).
	 */
	for (int tail = 0; tail < 3; tail++) {
		static const int blanks[] = {0, 1, 2, 62, 63, 64, 65, 127, 128, 129, 200};
		for (int pad = 0; pad < 64; pad++) {
			for (size_t b = 0; b < sizeof(blanks) / sizeof(blanks[0]); b++) {
				strbuf_reset(&l);
				strbuf_addf(&l,
					    "{\"auditID\":\"a\",\"x\":\"%.*s\",\"stage\":\"RC\"}",
					    pad, xs);
				for (int i = 0; i < blanks[b]; i++)
					strbuf_addch(&l, i % 3 ? ' ' : '\t');
				strbuf_addstr(&l, tail == 0   ? "\n{}\n"
						  : tail == 1 ? "x\n"
							      : "\r\n");
				same_strict(l.buf, l.buf + l.len);
			}
		}
	}
	/* 600 shapes, twice: the cache's ways are taken and given back */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 600; i++) {
			strbuf_reset(&l);
			strbuf_addstr(&l, "{\"auditID\":\"a\",\"x\":");
			for (int d = 0; d <= i % 30; d++)
				strbuf_addch(&l, '[');
			strbuf_addch(&l, '1');
			for (int d = 0; d <= i % 30; d++)
				strbuf_addch(&l, ']');
			strbuf_addstr(&l, ",\"stage\":[");
			for (int d = 0; d <= i / 30; d++)
				strbuf_addstr(&l, d ? ",\"s\"" : "\"s\"");
			strbuf_addstr(&l, "]}");
			same_strict(l.buf, l.buf + l.len);
		}
	}
	strbuf_release(&l);
}

/*
 * A block of lines is read with the search for each line's end folded into
 * the strict walk (jsonl_walk_strict_line): it must make the records, line
 * numbers included, that audit_scan_line() makes of each line cut at its
 * newline: blank and CRLF lines, blanks around the object, text after it,
 * a newline inside a string, an object that does not end on its line,
 * wrappers, and a last line without a newline.
 */
static void test_block_lines(void **state)
{
	static const char *const lines[] = {
		"{\"auditID\":\"a1\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}",
		"",
		"{\"auditID\":\"a2\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:01Z\"}\r",
		"  {\"auditID\":\"a3\",\"stage\":\"RequestReceived\",\"stageTimestamp\":\"2025-06-01T00:00:02Z\"} \t",
		"{\"auditID\":\"a4\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:03Z\"}x",
		"{\"auditID\":\"a5\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:04Z\"",
		"\"}",
		"{\"auditID\":\"a6\",\"stage\":\"ResponseComplete\",\"user\":{\"username\":\"system:anonymous\"},"
		"\"stageTimestamp\":\"2025-06-01T00:00:05Z\"}",
		"{\"log\":\"{\\\"auditID\\\":\\\"a7\\\",\\\"stage\\\":\\\"ResponseComplete\\\",\\\"stageTimestamp\\\":"
		"\\\"2025-06-01T00:00:06Z\\\"}\\n\",\"stream\":\"stdout\"}",
		"{\"auditID\":\"a8\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:07Z\"} {}",
		"{}",
		"{\"auditID\":\"a9\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2025-06-01T00:00:08Z\"}",
	};
	/* objects whose '}' ends a 64-byte block of the walk, then text or blanks */
	static const char *const after[] = {"x", " \r", "", " x"};
	struct strbuf text = STRBUF_INIT, l = STRBUF_INIT, padded = STRBUF_INIT;
	struct block ref;
	struct audit_block in;
	uint64_t n = 0;

	(void)state;
	memset(&ref, 0, sizeof(ref));
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		if (k)
			strbuf_addch(&text, '\n');
		strbuf_addstr(&text, lines[k]);
		audit_scan_line(&ref, LINE(lines[k]), ++n);
	}
	for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
		strbuf_reset(&l);
		strbuf_addstr(&l, "{\"p\":\"");
		while (l.len < 129 - strlen("\",\"auditID\":\"b\",\"stage\":\"ResponseComplete\","
					    "\"stageTimestamp\":\"2025-06-01T00:00:09Z\"}"))
			strbuf_addch(&l, 'x');
		strbuf_addstr(&l, "\",\"auditID\":\"b\",\"stage\":\"ResponseComplete\","
				  "\"stageTimestamp\":\"2025-06-01T00:00:09Z\"}");
		assert_int_equal(l.len, 129); /* 1 + 2 blocks of 64: '}' ends the second */
		strbuf_reset(&padded);
		strbuf_add(&padded, l.buf, l.len);
		strbuf_addstr(&l, after[k]);
		strbuf_addch(&text, '\n');
		strbuf_addstr(&text, l.buf);
		audit_scan_line(&ref, l.buf, l.buf + l.len, ++n);
	}
	audit_fmt_block_end(&ref);
	for (int level = 0; level <= 3; level++) {
		struct block *b;

		jsonl_simd_force(level);
		memset(&in, 0, sizeof(in));
		in.buf = text.buf;
		in.len = text.len;
		audit_scan_block(&in, AF_AUTO);
		b = in.data;
		assert_int_equal(b->nlines, n);
		assert_int_equal(b->nrec, ref.nrec);
		for (size_t i = 0; i < ref.nrec; i++) {
			assert_int_equal(b->recs[i].line, ref.recs[i].line);
			assert_int_equal(b->recs[i].flags, ref.recs[i].flags);
			assert_int_equal(b->recs[i].hi, ref.recs[i].hi);
			assert_int_equal(b->recs[i].lo, ref.recs[i].lo);
			assert_int_equal(b->recs[i].ts, ref.recs[i].ts);
			assert_int_equal(b->recs[i].stage, ref.recs[i].stage);
			assert_int_equal(b->recs[i].more, ref.recs[i].more);
			assert_true((b->recs[i].d == NULL) == (ref.recs[i].d == NULL));
		}
		audit_block_free(b);
	}
	jsonl_simd_force(-1);
	/*
	 * What the lines are (the object as cJSON reads it, then the text
	 * after it, if any, unread): a1-a4, a6, a7 (in its docker record), a8,
	 * a9 and the four padded ones events; the text after a4, a8 and two of
	 * the padded ones, a5 with its tail (one record of two lines, both not
	 * valid JSON) and "{}" malformed; the blank line nothing.
	 */
	assert_int_equal(ref.nrec, 18);
	for (size_t i = 0; i < ref.nrec; i++) {
		assert_int_equal(ref.recs[i].flags & R_MALFORMED,
				 i == 4 || i == 5 || i == 9 || i == 10 || i == 13 || i == 17);
		assert_int_equal(ref.recs[i].more, i == 5);
	}
	assert_int_equal(ref.recs[5].line, 6);
	/* the walk itself: blanks may follow the object on its line, nothing else */
	for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
		struct span f[JK__COUNT];
		const char *close, *eol;
		const char *bs;
		int rc;

		for (int pad = 0; pad < 2; pad++) {
			const char *obj = pad ? padded.buf : lines[0];

			strbuf_reset(&l);
			strbuf_addstr(&l, obj);
			strbuf_addstr(&l, after[k]);
			strbuf_addstr(&l, "\n{}");
			rc = jsonl_walk_strict_line(l.buf, l.buf + l.len, f, &bs, &close, &eol);
			assert_int_equal(rc, strchr(after[k], 'x') ? -1 : 0);
			if (!rc) {
				assert_ptr_equal(close, l.buf + strlen(obj));
				assert_ptr_equal(eol, l.buf + l.len - 3);
			}
		}
	}
	for (size_t i = 0; i < ref.nrec; i++)
		adetail_free(ref.recs[i].d);
	free(ref.recs);
	strbuf_release(&ref.cri);
	strbuf_release(&ref.scratch);
	strbuf_release(&text);
	strbuf_release(&l);
	strbuf_release(&padded);
}

/*
 * Where the first backslash of a line is (jsonl_walk_strict_line): the
 * values that end before it are not searched for an escape. At every SIMD
 * level, with the backslash in each of the first 64-byte blocks.
 */
static void test_walk_first_backslash(void **state)
{
	struct span f[JK__COUNT];
	struct strbuf l = STRBUF_INIT;
	const char *close, *eol, *at;

	(void)state;
	for (int level = 0; level <= 3; level++) {
		jsonl_simd_force(level);
		strbuf_reset(&l);
		strbuf_addstr(&l, "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\"}\n");
		assert_int_equal(jsonl_walk_strict_line(l.buf, l.buf + l.len, f, &at, &close, &eol),
				 0);
		assert_null(at);
		for (size_t pad = 0; pad < 200; pad += 7) {
			size_t want;
			strbuf_reset(&l);
			strbuf_addstr(&l, "{\"auditID\":\"a\",\"x\":\"");
			for (size_t i = 0; i < pad; i++)
				strbuf_addch(&l, 'y');
			want = l.len;
			strbuf_addstr(&l, "\\\"q\\n\",\"stage\":\"ResponseComplete\"}\n");
			assert_int_equal(
			    jsonl_walk_strict_line(l.buf, l.buf + l.len, f, &at, &close, &eol), 0);
			assert_ptr_equal(at, l.buf + want);
			assert_true(f[JK_AUDITID].p + f[JK_AUDITID].n <= at);
		}
	}
	jsonl_simd_force(-1);
	strbuf_release(&l);
}

/* jsonl_has_quoted() against the obvious loop: every length, every position, near misses */
static bool quoted_naive(const char *p, const char *end, const char *key, size_t kl)
{
	for (; end - p >= (ptrdiff_t)(kl + 2); p++)
		if (p[0] == '"' && !memcmp(p + 1, key, kl) && p[kl + 1] == '"')
			return true;
	return false;
}

/*
 * One case of test_has_quoted: the text copied to a buffer of exactly its
 * length (a read past its end is then the sanitizers' and valgrind's to see),
 * asked for key alone and for key or "system:anonymous", in both orders.
 */
static void has_quoted_case(const char *text, size_t len, const char *key, size_t kl,
			    const char *what)
{
	char *buf = malloc(len ? len : 1);
	bool anon, one;

	assert_non_null(buf);
	memcpy(buf, text, len);
	one = quoted_naive(buf, buf + len, key, kl);
	anon = quoted_naive(buf, buf + len, "system:anonymous", 16);
	if (jsonl_has_quoted(buf, buf + len, key, kl) != one)
		fail_msg("%s: one", what);
	/* either of two names: what span_user_anon() asks */
	if (jsonl_has_quoted2(buf, buf + len, "system:anonymous", 16, key, kl) != (anon || one))
		fail_msg("%s: two", what);
	if (jsonl_has_quoted2(buf, buf + len, key, kl, "system:anonymous", 16) != (anon || one))
		fail_msg("%s: two, the other order", what);
	free(buf);
}

static void test_has_quoted(void **state)
{
	static const char *const keys[] = {"system:unauthenticated", "a", "groups", "sys"};
	static const char *const fill[] = {"\"system:authenticated\"", "\"system:unauthenticatedX\"",
					   "\"system:anonymous\"", "\"system:anonymousY\"",
					   "x\"", "\"\"", "\"system:unauthenticate\""};
	char buf[200], what[96];

	(void)state;
	/* every SIMD level the CPU has (jsonl_has_quoted2 takes 64 positions at a time
	 * with AVX-512) */
	for (int level = 0; level <= 3; level++) {
		jsonl_simd_force(level);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			for (size_t len = 0; len < 180; len++)
				for (size_t at = 0; at + kl + 2 <= len + 1; at++)
					for (size_t fi = 0; fi < sizeof(fill) / sizeof(fill[0]);
					     fi++) {
						size_t fl = strlen(fill[fi]);
						for (size_t i = 0; i < len; i++)
							buf[i] = fill[fi][i % fl];
						/* the key quoted at `at`, when it fits; else
						 * only the filling */
						if (at + kl + 2 <= len && fi % 2 == 0) {
							buf[at] = '"';
							memcpy(buf + at + 1, keys[k], kl);
							buf[at + kl + 1] = '"';
						}
						snprintf(what, sizeof(what),
							 "key %s len %zu at %zu fill %zu level %d",
							 keys[k], len, at, fi, level);
						has_quoted_case(buf, len, keys[k], kl, what);
					}
		}
	}
}

/* responseStatus.code: an integral number, as cJSON reads it, on both paths (fuzz_audit_diff) */
/* The record of one event line: auditID id, a final stage, responseStatus rs (or none). */
static struct arec scan_event(const char *id, const char *rs)
{
	char line[512];
	struct block b;
	struct arec r;

	memset(&b, 0, sizeof(b));
	snprintf(line, sizeof(line),
		 "{\"auditID\":\"%s\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":"
		 "\"2025-06-01T00:00:00Z\"%s%s}",
		 id, rs ? ",\"responseStatus\":" : "", rs ? rs : "");
	audit_scan_line(&b, LINE(line), 1);
	assert_int_equal(b.nrec, 1);
	r = b.recs[0];
	free(b.recs);
	return r;
}

static void test_status_code(void **state)
{
	static const struct {
		const char *code;
		int want;
	} cases[] = { { "401", 401 }, { "401.0", 401 }, { "4.01e2", 401 }, { "401.5", 0 },
		      { "-1", 0 }, { "65536", 0 }, { "\"401\"", 0 }, { "1e400", 0 } };
	char rs[64];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct arec r;
		snprintf(rs, sizeof(rs), "{\"code\":%s}", cases[k].code);
		r = scan_event("a", rs);
		if (r.code != cases[k].want)
			fail_msg("code %s: %d, want %d", cases[k].code, r.code, cases[k].want);
	}
}

/*
 * responseStatus with escapes: in its message (a 403's, read by the spans
 * now) or in a key, which may spell "code" (read by cJSON): the same code.
 */
static void test_status_escapes(void **state)
{
	static const struct {
		const char *rs;
		int want;
		bool keys_escaped;
	} cases[] = {
	    {"{\"message\":\"User \\\"system:anonymous\\\" cannot\",\"code\":403}", 403, false},
	    {"{\"\\u0063ode\":401}", 401, true},
	    {"{\"code\":200,\"\\u0063ode\":401}", 401, true},
	    {"{\"\\u0063ode\":401,\"code\":200}", 200, true},
	    {"{\"details\":{\"\\u0063ode\":1},\"code\":403}", 403, false},
	    {"{\"m\":[\"\\\"\",{\"a\\n\":1}],\"code\":404}", 404, false},
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct span sp = {cases[k].rs, strlen(cases[k].rs)};
		struct arec r;

		assert_int_equal(jsonl_obj_keys_escaped(&sp), cases[k].keys_escaped);
		r = scan_event("a", cases[k].rs);
		if (r.code != cases[k].want)
			fail_msg("%s: %d, want %d", cases[k].rs, r.code, cases[k].want);
	}
	/* not an object, or one cut short: as escaped (the full parser decides) */
	{
		struct span a = {"[1]", 3}, c = {"{\"code\":4", 9}, e = {"{}", 2};
		assert_true(jsonl_obj_keys_escaped(&a));
		assert_true(jsonl_obj_keys_escaped(&c));
		assert_false(jsonl_obj_keys_escaped(&e));
	}
}

/* An Event Hub records line cut after "properties": (read past its end before; fuzz_audit_diff) */
static void test_records_cut(void **state)
{
	static const char text[] = "{\"records\":[{\"category\":\"kube-audit\",\"properties\":";
	char *line = calloc(1, sizeof(text) - 1); /* exactly the line: ASan sees a byte past it */
	struct block b;

	(void)state;
	memcpy(line, text, sizeof(text) - 1);
	memset(&b, 0, sizeof(b));
	audit_scan_line(&b, line, line + sizeof(text) - 1, 1);
	assert_int_equal(b.nrec, 1);
	assert_true(b.recs[0].flags & R_MALFORMED);
	free(b.recs);
	strbuf_release(&b.scratch); /* the Azure records' logs, as audit_block_free() */
	free(line);
}

/* Random damage to a real line: both walkers still agree (a small differential fuzz). */
static void test_walk_fuzz(void **state)
{
	static const char base[] =
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
		"\"auditID\":\"2e5b1c1a-2f5c-4d59-9a4f-1b2c3d4e5f60\",\"stage\":\"ResponseComplete\","
		"\"requestURI\":\"/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dx"
		"\\u0026limit=500\\u0026resourceVersion=0\",\"verb\":\"list\",\"user\":{\"username\":"
		"\"system:serviceaccount:kube-system:coredns\",\"uid\":\"5c1e\",\"groups\":["
		"\"system:serviceaccounts\",\"system:serviceaccounts:kube-system\",\"system:authenticated\"],"
		"\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"coredns-5d78c9869d-7xk2p\"]}},"
		"\"sourceIPs\":[\"10.0.1.2\"],\"userAgent\":\"coredns/v1.11.1 (linux/amd64) kubernetes/$Format\","
		"\"objectRef\":{\"resource\":\"configmaps\",\"namespace\":\"kube-system\",\"apiVersion\":\"v1\"},"
		"\"responseStatus\":{\"metadata\":{},\"code\":200},\"requestReceivedTimestamp\":"
		"\"2025-06-01T00:00:00.078800Z\",\"stageTimestamp\":\"2025-06-01T00:00:00.096630Z\","
		"\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":"
		"\"RBAC: allowed by ClusterRoleBinding \\\"system:coredns\\\" of ClusterRole \\\"system:coredns\\\"\"}}";
	static const char alphabet[] = "{}[]\":,\\ u0a";
	char line[sizeof(base)];
	uint32_t seed = 12345;
	(void)state;
	same_walk(base, -1);
	same_walk(base, JK_STAGETS);
	for (int i = 0; i < 20000; i++) {
		int n;
		memcpy(line, base, sizeof(base));
		n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
		while (n--) {
			size_t pos = ((seed = seed * 1103515245u + 12345u) >> 8) % (sizeof(base) - 1);
			line[pos] = alphabet[((seed = seed * 1103515245u + 12345u) >> 16) %
					     (sizeof(alphabet) - 1)];
		}
		same_walk(line, i & 1 ? JK_STAGETS : -1);
		same_strict(LINE(line)); /* most keep the base's shape: its tokens differ */
	}
}

static void test_unescape(void **state)
{
	struct span s;
	char *u;
	(void)state;
	s.p = "\"a\\u0026b\\\"\\n\\ud83d\\ude00\\u00e9\"";
	s.n = strlen(s.p);
	u = jsonl_unescape(&s);
	assert_non_null(u);
	assert_string_equal(u, "a&b\"\n\xf0\x9f\x98\x80\xc3\xa9");
	free(u);
	s.p = "\"bad\\x\"";
	s.n = strlen(s.p);
	assert_null(jsonl_unescape(&s));
	/* an escaped NUL is U+FFFD, as the cJSON side reads it, never the end of the string */
	s.p = "\"curl/\\u00008.5\"";
	s.n = strlen(s.p);
	u = jsonl_unescape(&s);
	assert_non_null(u);
	assert_string_equal(u, "curl/\xef\xbf\xbd" "8.5");
	free(u);
	s.p = "12";
	s.n = 2;
	assert_null(jsonl_unescape(&s));
}

/* the one-pass decoder of the docker fast path: as jsonl_unescape, refusing what cJSON and Go
 * disagree on */
static void decode_is(const char *in, const char *want, size_t rest)
{
	struct strbuf sb = STRBUF_INIT;
	const char *end = in + strlen(in), *after = jsonl_decode_string(in, end, &sb);

	if (!want) {
		assert_null(after);
	} else {
		assert_non_null(after);
		assert_int_equal((size_t)(end - after), rest);
		assert_int_equal(sb.len, strlen(want));
		assert_memory_equal(sb.buf, want, sb.len);
	}
	strbuf_release(&sb);
}

static void test_decode_string(void **state)
{
	(void)state;
	decode_is("\"a\\u0026b\\\"\\n\\ud83d\\ude00\\u00e9\\/\\\\\\t\\b\\f\\r\",\"x\"",
		  "a&b\"\n\xf0\x9f\x98\x80\xc3\xa9/\\\t\b\f\r", 4);
	decode_is("\"0123456789abcdef0123456789abcdef\\\"0123456789abcdef\"",
		  "0123456789abcdef0123456789abcdef\"0123456789abcdef", 0);
	decode_is("\"\"", "", 0);
	decode_is("\"\\u0041\\u0042\"", "AB", 0);
	decode_is("\"\\u0000\"", NULL, 0); /* cJSON ends its string there */
	decode_is("\"\\ud800\"", NULL, 0); /* a lone surrogate: cJSON refuses it */
	decode_is("\"\\ud800\\u0041\"", NULL, 0);
	decode_is("\"\\udc00x\"", NULL, 0);
	decode_is("\"bad\\x\"", NULL, 0);
	decode_is("\"\\u00\"", NULL, 0);
	decode_is("\"open", NULL, 0);
	decode_is("\"ends in \\", NULL, 0);
	decode_is("12", NULL, 0);
}

static void test_array(void **state)
{
	struct span a = { "[ \"1.2.3.4\" , \"10.0.0.1\"]", 0 }, e;
	size_t it = 0;
	int n = 0;
	(void)state;
	a.n = strlen(a.p);
	while (jsonl_array_next(&a, &it, &e))
		n++;
	assert_int_equal(n, 2);
	assert_true(jsonl_str_eq(&e, "10.0.0.1"));
}

static void test_timestamps(void **state)
{
	char buf[32];
	int64_t t;
	(void)state;
	t = ts_parse("2025-06-01T07:12:00.000001Z", 27);
	assert_int_equal(t, 1748761920000001LL);
	ts_format(t, buf);
	assert_string_equal(buf, "2025-06-01T07:12:00.000001Z");
	/* Panther style, an offset, nanoseconds, no fraction */
	assert_int_equal(ts_parse("2025-06-01 07:12:00.000001000", 29), 1748761920000001LL);
	assert_int_equal(ts_parse("2025-06-01T09:12:00+02:00", 25), 1748761920000000LL);
	assert_int_equal(ts_parse("2025-06-01T07:12:00Z", 20), 1748761920000000LL);
	assert_int_equal(ts_parse("1969-12-31T23:59:59.5Z", 22), -500000LL);
	ts_format(-500000LL, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.500000Z");
	ts_format(TS_NONE, buf);
	assert_string_equal(buf, "-");
	/* the date by arithmetic: leap days, a century that is not leap, the last of 9900 */
	ts_format(951782400000000LL, buf);
	assert_string_equal(buf, "2000-02-29T00:00:00.000000Z");
	ts_format(4107542399999999LL, buf);
	assert_string_equal(buf, "2100-02-28T23:59:59.999999Z");
	ts_format(4107542400000000LL, buf);
	assert_string_equal(buf, "2100-03-01T00:00:00.000000Z");
	ts_format(250246627199000000LL, buf);
	assert_string_equal(buf, "9899-12-31T23:59:59.000000Z");
	ts_format(-62135596800000000LL, buf);
	assert_string_equal(buf, "0001-01-01T00:00:00.000000Z");
	assert_int_equal(ts_parse("0001-01-01T00:00:00Z", 20), -62135596800000000LL);
	assert_int_equal(ts_parse("2025-13-01T07:12:00Z", 20), TS_NONE);
	assert_int_equal(ts_parse("yesterday", 9), TS_NONE);
	assert_int_equal(ts_parse("2025-06-01T07:12:00.Z", 21), TS_NONE);
	/* each count of fraction digits: the first six are the microseconds */
	assert_int_equal(ts_parse("2025-06-01T07:12:00.12Z", 23), 1748761920120000LL);
	assert_int_equal(ts_parse("2025-06-01T07:12:00.123Z", 24), 1748761920123000LL);
	assert_int_equal(ts_parse("2025-06-01T07:12:00.123456Z", 27), 1748761920123456LL);
	assert_int_equal(ts_parse("2025-06-01T07:12:00.1234567Z", 28), 1748761920123456LL);
	assert_int_equal(ts_parse("2025-06-01T07:12:00.123456789123456789Z", 39),
			 1748761920123456LL);
}

static void test_durations(void **state)
{
	(void)state;
	assert_int_equal(go_duration_us("90s"), 90000000LL);
	assert_int_equal(go_duration_us("5m"), 300000000LL);
	assert_int_equal(go_duration_us("1h30m"), 5400000000LL);
	assert_int_equal(go_duration_us("1.5h"), 5400000000LL);
	assert_int_equal(go_duration_us("300ms"), 300000LL);
	assert_int_equal(go_duration_us("5"), -1);
	assert_int_equal(go_duration_us("-5m"), -1);
	assert_int_equal(go_duration_us("0s"), -1);
	assert_int_equal(go_duration_us("m"), -1);
	assert_int_equal(go_duration_us(""), -1);
}

struct collect {
	struct strbuf out;
	int n, bad;
	uint64_t lines[8];
};

static void collect(void *ctx, const char *obj, size_t n, uint64_t line)
{
	struct collect *c = ctx;
	if (!obj) {
		c->bad++;
		return;
	}
	if (c->n < 8)
		c->lines[c->n] = line;
	c->n++;
	strbuf_add(&c->out, obj, n);
	strbuf_addch(&c->out, '|');
}

static void split(const char *doc, size_t chunk, struct collect *c)
{
	struct jsplit s;
	size_t len = strlen(doc);

	memset(c, 0, sizeof(*c));
	jsplit_init(&s, 1 << 20);
	for (size_t i = 0; i < len; i += chunk)
		jsplit_feed(&s, doc + i, len - i < chunk ? len - i : chunk, collect, c);
	if (jsplit_truncated(&s))
		c->bad++;
	jsplit_release(&s);
}

static void test_splitter(void **state)
{
	struct collect c;
	const char *list = "{\"kind\":\"EventList\",\"metadata\":{},\n\"items\":[\n{\"a\":\"x]}\"},\n"
			   "{\"b\":{\"c\":[1,2]}}\n],\"tail\":{\"items\":1}}\n";
	(void)state;
	for (size_t chunk = 1; chunk < 8; chunk += 3) {
		split(list, chunk, &c);
		assert_int_equal(c.n, 2);
		assert_int_equal(c.bad, 0);
		assert_string_equal(c.out.buf, "{\"a\":\"x]}\"}|{\"b\":{\"c\":[1,2]}}|");
		assert_int_equal(c.lines[0], 3);
		assert_int_equal(c.lines[1], 4);
		strbuf_release(&c.out);
	}
	split("[{\"a\":1},\n {\"b\":2}]", 5, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.lines[1], 2);
	strbuf_release(&c.out);
	/* a pretty-printed object, then another one: newlines become spaces */
	split("{\n  \"a\": 1\n}\n{\"b\":2}\n", 3, &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.out.buf, "{   \"a\": 1 }|{\"b\":2}|");
	strbuf_release(&c.out);
	/* array elements that are not objects are reported once each, in arrays and items */
	for (size_t chunk = 1; chunk < 8; chunk += 2) {
		split("[1, \"x,]\", {\"a\":1}, [2,{\"c\":3}] ,null]", chunk, &c);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.bad, 4);
		strbuf_release(&c.out);
		split("{\"items\":[true,{\"a\":1}]}", chunk, &c);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.bad, 1);
		strbuf_release(&c.out);
	}
	split("[]", 1, &c);
	assert_int_equal(c.n + c.bad, 0);
	strbuf_release(&c.out);
	/* stray text and a truncated object */
	split("junk {\"a\":", 4, &c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.bad, 2);
	strbuf_release(&c.out);
}

static void write_gz(FILE *f, const char *s)
{
	unsigned char out[4096];
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)s;
	z.avail_in = (unsigned)strlen(s);
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	fwrite(out, 1, sizeof(out) - z.avail_out, f);
	deflateEnd(&z);
}

static void test_gzip_multimember(void **state)
{
	char path[] = "/tmp/kanon-test-gz-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");
	struct instream s;
	char buf[7];
	struct strbuf all = STRBUF_INIT;
	ssize_t n;
	(void)state;
	write_gz(f, "first member\n");
	write_gz(f, "second member\n");
	fclose(f);
	assert_int_equal(instream_open(&s, path, NULL), 0);
	assert_true(s.gz);
	while ((n = instream_read(&s, buf, sizeof(buf), NULL)) > 0)
		strbuf_add(&all, buf, (size_t)n);
	assert_int_equal(n, 0);
	assert_int_equal(s.members, 2);
	assert_string_equal(all.buf, "first member\nsecond member\n");
	instream_close(&s);
	/* truncated: an error, not a silent end */
	assert_int_equal(truncate(path, 20), 0);
	assert_int_equal(instream_open(&s, path, NULL), 0);
	while ((n = instream_read(&s, buf, sizeof(buf), NULL)) > 0)
		;
	assert_int_equal(n, -1);
	instream_close(&s);
	unlink(path);
	strbuf_release(&all);
}

static enum audit_class cls(const char *verb, const char *uri, const char *res,
			    const char *sub)
{
	struct adetail d;
	memset(&d, 0, sizeof(d));
	d.verb = (char *)(uintptr_t)verb;
	d.uri = (char *)(uintptr_t)uri;
	d.resource = (char *)(uintptr_t)res;
	d.sub = (char *)(uintptr_t)sub;
	return audit_classify(&d);
}

static void test_classes(void **state)
{
	struct adetail d;
	(void)state;
	assert_int_equal(cls("get", "/healthz", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/readyz?verbose", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/readyz/etcd", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/version", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/healthzx", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("post", "/healthz", NULL, NULL), CL_SENSITIVE);
	/* health is GET only (the issue's definition): a HEAD or OPTIONS is reported */
	assert_int_equal(cls("head", "/healthz", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("options", "/livez", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/livez/ping", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/healthz/etcd?verbose", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/version?timeout=32s", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/versions", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/api", NULL, NULL), CL_DISCOVERY);
	assert_int_equal(cls("get", "/api/v1", NULL, NULL), CL_DISCOVERY);
	assert_int_equal(cls("get", "/apis/apps/v1", NULL, NULL), CL_DISCOVERY);
	assert_int_equal(cls("get", "/openapi/v3/apis/apps/v1", NULL, NULL), CL_DISCOVERY);
	assert_int_equal(cls("get", "/.well-known/openid-configuration", NULL, NULL), CL_DISCOVERY);
	assert_int_equal(cls("list", "/api/v1/namespaces/x/secrets", "secrets", NULL), CL_SENSITIVE);
	/* no objectRef: the resource comes from the path */
	assert_int_equal(cls("list", "/api/v1/namespaces/x/secrets", NULL, NULL), CL_SENSITIVE);
	assert_int_equal(cls("get", "/api/v1/nodes/n1/proxy/metrics", NULL, NULL), CL_SENSITIVE);
	/* issue 10: nodes are sensitive whatever the subresource */
	assert_int_equal(cls("get", "/api/v1/nodes/n1", "nodes", NULL), CL_SENSITIVE);
	assert_int_equal(cls("list", "/api/v1/nodes", NULL, NULL), CL_SENSITIVE);
	assert_int_equal(cls("create", "/api/v1/namespaces/x/serviceaccounts/d/token",
			     "serviceaccounts", "token"), CL_SENSITIVE);
	assert_int_equal(cls("list", "/api/v1/serviceaccounts", "serviceaccounts", NULL), CL_OTHER);
	assert_int_equal(cls("get", "/metrics", NULL, NULL), CL_OTHER);
	memset(&d, 0, sizeof(d));
	d.decision = (char *)(uintptr_t)"allow";
	d.sub = (char *)(uintptr_t)"exec";
	assert_true(audit_success(&d, 101));
	assert_true(audit_success(&d, 200));
	assert_false(audit_success(&d, 403));
	d.sub = NULL;
	assert_false(audit_success(&d, 101));
	d.decision = (char *)(uintptr_t)"forbid";
	assert_false(audit_success(&d, 200));
}

/* issue 10: the definitions of docs/audit.md, tightened */
static void test_classes_issue10(void **state)
{
	static const char *const tmpl[] = { "deployments", "daemonsets", "statefulsets",
		"replicasets", "jobs", "cronjobs", NULL };
	char uri[128];
	(void)state;
	/* a trailing slash, a deeper path or "/version/" is no health handler */
	assert_int_equal(cls("get", "/version/", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/readyz/", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/readyz/?verbose", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/healthz/a/b", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/livez/etcd/", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/version/x", NULL, NULL), CL_OTHER);
	assert_int_equal(cls("get", "/readyz?exclude=etcd", NULL, NULL), CL_HEALTH);
	assert_int_equal(cls("get", "/livez/ping?verbose", NULL, NULL), CL_HEALTH);
	/* writes anywhere are sensitive */
	assert_int_equal(cls("put", "/healthz", NULL, NULL), CL_SENSITIVE);
	assert_int_equal(cls("post", "/version", NULL, NULL), CL_SENSITIVE);
	assert_int_equal(cls("delete", "/readyz/etcd", NULL, NULL), CL_SENSITIVE);
	/* pod templates carry secrets in env */
	for (size_t i = 0; tmpl[i]; i++) {
		snprintf(uri, sizeof(uri), "/apis/apps/v1/namespaces/x/%s", tmpl[i]);
		assert_int_equal(cls("list", uri, tmpl[i], NULL), CL_SENSITIVE);
		assert_int_equal(cls("get", uri, NULL, NULL), CL_SENSITIVE);
		assert_int_equal(cls("watch", uri, tmpl[i], NULL), CL_SENSITIVE);
	}
	assert_int_equal(cls("get", "/api/v1/namespaces/x/pods/p", "pods", NULL), CL_SENSITIVE);
	assert_int_equal(cls("get", "/api/v1/namespaces/x/pods/p/log", NULL, NULL), CL_SENSITIVE);
	assert_int_equal(cls("get", "/api/v1/namespaces/x/services", "services", NULL), CL_OTHER);
}

static void test_cidr(void **state)
{
	struct cidr c[2];
	(void)state;
	assert_int_equal(cidr_parse("10.0.0.0/8", &c[0]), 0);
	assert_int_equal(cidr_parse("fd00::/8", &c[1]), 0);
	assert_true(cidr_match(c, 2, "10.200.1.1"));
	assert_true(cidr_match(c, 2, "::ffff:10.1.2.3"));
	assert_true(cidr_match(c, 2, "fd12::1"));
	assert_false(cidr_match(c, 2, "11.0.0.1"));
	assert_false(cidr_match(c, 2, "not-an-ip"));
	assert_int_equal(cidr_parse("10.0.0.0/33", &c[0]), -1);
	assert_int_equal(cidr_parse("1.2.3.4", &c[0]), 0);
	assert_true(cidr_match(c, 1, "1.2.3.4"));
	assert_false(cidr_match(c, 1, "1.2.3.5"));
}

static void test_scan_lines(void **state)
{
	struct block b;
	const char *rc = "{\"kind\":\"Event\",\"auditID\":\"0b1c2d3e-0000-4000-8000-00000000000a\","
			 "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/secrets\",\"verb\":\"list\","
			 "\"user\":{\"username\":\"x\",\"groups\":[\"system:unauthenticated\"]},"
			 "\"sourceIPs\":[\"1.1.1.1\",\"2.2.2.2\"],\"objectRef\":{\"resource\":\"secrets\"},"
			 "\"responseStatus\":{\"code\":200},\"stageTimestamp\":\"2025-06-01T00:00:00Z\","
			 "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"}}";
	const char *u401 = "{\"auditID\":\"z\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
			   "\"user\":{},\"responseStatus\":{\"code\":401},"
			   "\"stageTimestamp\":\"2025-06-01T00:00:01Z\"}";
	(void)state;
	memset(&b, 0, sizeof(b));
	audit_scan_line(&b, LINE(rc), 1);
	audit_scan_line(&b, LINE(u401), 2);
	audit_scan_line(&b, LINE("{\"kind\": 0}"), 3);
	audit_scan_line(&b, LINE("   "), 4);
	audit_scan_line(&b, LINE("[" "{\"auditID\":\"q\",\"stage\":\"Panic\",\"stageTimestamp\":"
				 "\"2025-06-01T00:00:02Z\"}]"), 5);
	assert_int_equal(b.nrec, 4);
	assert_int_equal(b.recs[0].flags, R_ANON);
	assert_int_equal(b.recs[0].hi, 0x0b1c2d3e00004000ULL);
	assert_int_equal(b.recs[0].lo, 0x800000000000000aULL);
	assert_int_equal(b.recs[0].code, 200);
	assert_non_null(b.recs[0].d);
	assert_string_equal(b.recs[0].d->src_last, "2.2.2.2");
	assert_string_equal(b.recs[0].d->decision, "allow");
	assert_int_equal(b.recs[1].code, 401);
	assert_int_equal(b.recs[1].flags, 0);
	assert_int_equal(b.recs[2].flags, R_MALFORMED);
	assert_int_equal(b.recs[3].stage, ST_PANIC);
	assert_int_equal(b.recs[3].line, 5);
	for (size_t i = 0; i < b.nrec; i++)
		adetail_free(b.recs[i].d);
	free(b.recs);
}

/*
 * Anonymous by user name or by an element of user.groups, never because the
 * group name appears elsewhere in the user (extra, or as the user name), on
 * the fast path (spans) and on the cJSON path (an EventList on one line).
 */
static void test_anon_user(void **state)
{
	static const char *const users[] = {
		"{\"username\":\"bob\",\"groups\":[\"system:unauthenticated\"]}",
		"{\"username\":\"system:anonymous\"}",
		"{\"username\":\"alice\",\"groups\":[\"system:authenticated\"],\"extra\":"
		"{\"note\":[\"system:unauthenticated\"]}}",
		"{\"username\":\"system:unauthenticated\",\"groups\":[\"system:authenticated\"]}",
		"{\"username\":\"x\",\"groups\":\"system:unauthenticated\"}",
	};
	static const int want[] = { R_ANON, R_ANON, 0, 0, 0 };
	(void)state;
	for (size_t k = 0; k < sizeof(users) / sizeof(users[0]); k++) {
		for (int list = 0; list < 2; list++) {
			struct block b;
			struct strbuf sb = STRBUF_INIT;
			memset(&b, 0, sizeof(b));
			if (list)
				strbuf_addstr(&sb, "{\"kind\":\"EventList\",\"items\":[");
			strbuf_addf(&sb, "{\"auditID\":\"a%zu\",\"stage\":\"ResponseComplete\","
				    "\"requestURI\":\"/api\",\"verb\":\"get\",\"user\":%s,"
				    "\"stageTimestamp\":\"2025-06-01T00:00:00Z\"}", k, users[k]);
			if (list)
				strbuf_addstr(&sb, "]}");
			audit_scan_line(&b, sb.buf, sb.buf + sb.len, 1);
			assert_int_equal(b.nrec, 1);
			if ((b.recs[0].flags & R_ANON) != want[k])
				fail_msg("user %s (%s path): flags %d", users[k],
					 list ? "cJSON" : "span", b.recs[0].flags);
			for (size_t i = 0; i < b.nrec; i++)
				adetail_free(b.recs[i].d);
			free(b.recs);
			strbuf_release(&sb);
		}
	}
}

#define RQ(id, rrts, t, uri)                                                                  \
	"{\"auditID\":\"" id "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"" uri "\","     \
	"\"verb\":\"get\",\"user\":{\"username\":\"system:anonymous\"},\"responseStatus\":"       \
	"{\"code\":200},\"requestReceivedTimestamp\":\"2025-06-01T00:00:0" rrts "Z\","             \
	"\"stageTimestamp\":\"2025-06-01T00:00:0" t "Z\",\"annotations\":"                          \
	"{\"authorization.k8s.io/decision\":\"allow\"}}\n"

/*
 * A client chooses the auditID with an Audit-ID header: requests that reuse
 * one are still separate requests (they differ in requestReceivedTimestamp),
 * and are not hidden as duplicates of the first; a line repeated verbatim is.
 */
static void test_auditid_reuse(void **state)
{
	char path[] = "/tmp/kanon-test-audit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct audit_opts o;
	struct result res;
	const struct section *r;
	char *files[1] = { path };
	(void)state;
	fputs(RQ("same", "1", "1", "/healthz") RQ("same", "2", "2", "/api/v1/secrets")
	      RQ("same", "3", "3", "/api/v1/configmaps") RQ("same", "3", "3", "/api/v1/configmaps"),
	      f);
	fclose(f);
	audit_opts_init(&o);
	result_init(&res);
	assert_int_equal(audit_run(files, 1, &o, &res), 0);
	r = res.sec[0];
	assert_int_equal(sec_find_uint(r, "requests"), 3);
	assert_int_equal(sec_find_uint(r, "duplicates"), 1);
	assert_int_equal(sec_find_uint(r, "anonymous.requests"), 3);
	assert_int_equal(sec_find_uint(r, "anonymous.allowed_by_class.sensitive"), 2);
	result_release(&res);
	unlink(path);
}

/*
 * A UUID auditID is its 128 bits, as written (first digit highest, either
 * case); anything else is hashed: one digit off a UUID is another key.
 */
/* One line's record, read as a block's line (audit_scan_block: the fast path's own walk). */
static struct arec block_record(const char *line, struct audit_block *in)
{
	memset(in, 0, sizeof(*in));
	in->buf = (char *)line;
	in->len = in->cap = strlen(line);
	audit_scan_block(in, 0);
	assert_int_equal(((struct block *)in->data)->nrec, 1);
	return ((struct block *)in->data)->recs[0];
}

/*
 * What an escape spells is read as Go and cJSON read it, however little of
 * the line the fast path looks at: an escaped stageTimestamp is a time, an
 * escaped annotation key is the decision's (both were read as written).
 */
static void test_escapes_decoded(void **state)
{
	struct audit_block in;
	struct arec r;

	(void)state;
	r = block_record("{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":"
			 "\"2025-06-01T07:12:01\\u002e5Z\"}\n",
			 &in);
	assert_false(r.flags & R_MALFORMED);
	assert_int_equal(r.ts, ts_parse("2025-06-01T07:12:01.5Z", 22));
	audit_block_free(in.data);
	r = block_record(
	    "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
	    "\"user\":{\"username\":\"system:anonymous\"},\"responseStatus\":"
	    "{\"metadata\":{},\"code\":200},\"stageTimestamp\":\"2025-06-01T07:12:01Z\","
	    "\"annotations\":{\"authorization.k8s.io\\/decision\":\"forbid\"}}\n",
	    &in);
	assert_true(r.flags & R_ANON);
	assert_non_null(r.d);
	assert_string_equal(r.d->decision, "forbid");
	audit_block_free(in.data);
	/* a value's escape (the reason's quotes) leaves the fast path its own */
	r = block_record(
	    "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
	    "\"user\":{\"username\":\"system:anonymous\"},\"stageTimestamp\":"
	    "\"2025-06-01T07:12:01Z\",\"annotations\":{\"authorization.k8s.io/decision\":"
	    "\"allow\",\"authorization.k8s.io/reason\":\"\\\"x\\\"\"}}\n",
	    &in);
	assert_non_null(r.d);
	assert_string_equal(r.d->decision, "allow");
	audit_block_free(in.data);
}

static void test_auditid_bits(void **state)
{
	static const struct {
		const char *id;
		uint64_t hi, lo;
	} cases[] = {
	    {"01234567-89ab-cdef-0123-456789ABCDEF", 0x0123456789abcdefULL, 0x0123456789abcdefULL},
	    {"ffffffff-ffff-ffff-ffff-ffffffffffff", ~0ULL, ~0ULL},
	    {"00000000-0000-0000-0000-000000000001", 0, 1},
	    {"daf61a26-146d-4f31-9c37-7a4c4a15544d", 0xdaf61a26146d4f31ULL, 0x9c377a4c4a15544dULL},
	};
	static const char *const not_uuid[] = {
	    "01234567-89ab-cdef-0123-456789ABCDEg",
	    "01234567-89ab-cdef-0123-456789ABCDE:",
	    "01234567-89ab-cdef-0123-456789ABCDE/",
	    "01234567-89ab-cdef-0123-456789ABCDE`",
	    "01234567-89ab-cdef-0123-456789ABCDE@",
	    "01234567-89ab-cdef-0123-456789ABCDEG",
	    "0123456-789ab-cdef-0123-456789ABCDEF",
	    "g1234567-89ab-cdef-0123-456789abcdef",
	    /* a bad digit where each piece of the digits is taken from */
	    "0123456g-89ab-cdef-0123-456789abcdef",
	    "01234567-g9ab-cdef-0123-456789abcdef",
	    "01234567-89ag-cdef-0123-456789abcdef",
	    "01234567-89ab-gdef-0123-456789abcdef",
	    "01234567-89ab-cdeg-0123-456789abcdef",
	    "01234567-89ab-cdef-g123-456789abcdef",
	    "01234567-89ab-cdef-012g-456789abcdef",
	    "01234567-89ab-cdef-0123-g56789abcdef",
	};
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct arec r = scan_event(cases[k].id, NULL);
		if (r.hi != cases[k].hi || r.lo != cases[k].lo)
			fail_msg("%s: %016llx %016llx", cases[k].id, (unsigned long long)r.hi,
				 (unsigned long long)r.lo);
	}
	for (size_t k = 0; k < sizeof(not_uuid) / sizeof(not_uuid[0]); k++) {
		struct arec r = scan_event(not_uuid[k], NULL);
		/* the digits as a UUID would be 0x0123456789abcdef... : a hash is not */
		assert_false(r.hi == 0x0123456789abcdefULL && (r.lo >> 8) == 0x0123456789abcdULL);
	}
}

#define EV(id, stage, t, extra)                                                              \
	"{\"auditID\":\"" id "\",\"stage\":\"" stage "\",\"verb\":\"create\",\"requestURI\":"    \
	"\"/api/v1/namespaces/d/pods/p/exec\",\"user\":{\"username\":\"system:anonymous\"},"     \
	"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"d\",\"name\":\"p\",\"subresource\":" \
	"\"exec\"}" extra ",\"stageTimestamp\":\"2025-06-01T00:00:0" t "Z\"}\n"
#define DONE(code) ",\"responseStatus\":{\"code\":" code "},\"annotations\":{" \
	"\"authorization.k8s.io/decision\":\"allow\"}"

/* Requests are auditIDs judged once, at their final (or latest) stage. */
static void test_requests(void **state)
{
	char path[] = "/tmp/kanon-test-audit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct audit_opts o;
	struct result res;
	const struct section *r;
	char *files[1] = { path };
	(void)state;
	fputs(EV("x", "RequestReceived", "1", "") EV("x", "ResponseComplete", "2", DONE("201"))
	      /* out of order: the final stage first */
	      EV("y", "ResponseComplete", "3", DONE("201")) EV("y", "RequestReceived", "1", "")
	      /* an exec that never completed: judged by its 101 */
	      EV("z", "RequestReceived", "4", "") EV("z", "ResponseStarted", "5", DONE("101"))
	      /* only received: incomplete */
	      EV("w", "RequestReceived", "6", "")
	      /* the same line again (overlapping files) */
	      EV("x", "ResponseComplete", "2", DONE("201")), f);
	fclose(f);
	audit_opts_init(&o);
	result_init(&res);
	assert_int_equal(audit_run(files, 1, &o, &res), 0);
	assert_int_equal(res.nsec, 1);
	r = res.sec[0];
	assert_int_equal(sec_find_uint(r, "lines"), 8);
	assert_int_equal(sec_find_uint(r, "requests"), 4);
	assert_int_equal(sec_find_uint(r, "duplicates"), 1);
	assert_int_equal(sec_find_uint(r, "anonymous.requests"), 4);
	assert_int_equal(sec_find_uint(r, "anonymous.allowed"), 3);
	assert_int_equal(sec_find_uint(r, "anonymous.incomplete"), 1);
	assert_int_equal(sec_find_uint(r, "anonymous.by_class.sensitive"), 4);
	result_release(&res);
	unlink(path);
}

/*
 * Logs a provider holds (a snapshot's audit/, a node root) are opened
 * inside it: a symlink out of the root, relative or absolute, does not
 * make kanon read this machine's file.
 */
static void test_provider_inputs(void **state)
{
	char dir[] = "/tmp/kanon-test-audit-root-XXXXXX";
	struct strbuf p = STRBUF_INIT, q = STRBUF_INIT;
	char *paths[3] = {"in.log", "rel.log", "abs.log"};
	char *names[3] = {"root/in.log", "root/rel.log", "root/abs.log"};
	struct provider *root;
	struct audit_opts o;
	struct result res;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&p, "%s/outside.log", dir);
	f = fopen(p.buf, "w");
	fputs(EV("a", "ResponseComplete", "1", DONE("200")) EV("b", "ResponseComplete", "2", DONE("200")),
	      f);
	fclose(f);
	strbuf_addf(&q, "%s/root", dir);
	assert_int_equal(mkdir(q.buf, 0700), 0);
	strbuf_addstr(&q, "/in.log");
	f = fopen(q.buf, "w");
	fputs(EV("c", "ResponseComplete", "3", DONE("200")), f);
	fclose(f);
	strbuf_reset(&q);
	strbuf_addf(&q, "%s/root/rel.log", dir);
	assert_int_equal(symlink("../outside.log", q.buf), 0);
	strbuf_reset(&q);
	strbuf_addf(&q, "%s/root/abs.log", dir);
	assert_int_equal(symlink(p.buf, q.buf), 0);
	strbuf_reset(&q);
	strbuf_addf(&q, "%s/root", dir);
	root = provider_root_create(provider_fs(), q.buf);

	audit_opts_init(&o);
	result_init(&res);
	assert_int_equal(audit_run_from(root, paths, names, 3, &o, &res), -1);
	assert_int_equal(sec_find_uint(res.sec[0], "requests"), 1);
	assert_int_equal(sec_find_uint(res.sec[0], "inputs_incomplete"), 2);
	result_release(&res);
	provider_destroy(root);

	unlink(p.buf);
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&q);
		strbuf_addf(&q, "%s/root/%s", dir, paths[i]);
		unlink(q.buf);
	}
	strbuf_reset(&q);
	strbuf_addf(&q, "%s/root", dir);
	rmdir(q.buf);
	rmdir(dir);
	strbuf_release(&p);
	strbuf_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk),
	    cmocka_unit_test(test_walk_same),
	    cmocka_unit_test(test_walk_fuzz),
	    cmocka_unit_test(test_walk_strict),
	    cmocka_unit_test(test_walk_first_backslash),
	    cmocka_unit_test(test_escapes_decoded),
	    cmocka_unit_test(test_walk_strict_nested),
	    cmocka_unit_test(test_walk_shapes),
	    cmocka_unit_test(test_block_lines),
	    cmocka_unit_test(test_has_quoted),
	    cmocka_unit_test(test_status_code),
	    cmocka_unit_test(test_status_escapes),
	    cmocka_unit_test(test_auditid_bits),
	    cmocka_unit_test(test_records_cut),
	    cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_decode_string),
	    cmocka_unit_test(test_array),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_splitter),
	    cmocka_unit_test(test_gzip_multimember),
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_classes_issue10),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_scan_lines),
	    cmocka_unit_test(test_requests),
	    cmocka_unit_test(test_anon_user),
	    cmocka_unit_test(test_auditid_reuse),
	    cmocka_unit_test(test_provider_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
