/*
 * The CSV rows of an audit export (src/parsers/csvrows.c): where the reader
 * ends a row of one line (csvrows_line_end(), from the parity of the quotes
 * 64 bytes at a time, SSE2 and AVX-512) against where the decoder itself
 * ends it, on rows of quotes, doubled quotes, commas, CRs, newlines and
 * NULs at every offset around the 64-byte steps; and the header line the
 * reader hands to the scanning threads, read back into the same columns.
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
#include "parsers/csvrows.h"
#include "parsers/jsonl_fast.h"
#include "xorshift.h"

static const char *const pieces[] = {
    "\"",
    "\"\"",
    ",",
    ",\"",
    "\",",
    "\"\",",
    "\n",
    "\r",
    "\r\n",
    "a",
    "x\"y",
    "{\"\"k\"\":1}",
    "0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789a",
    " ",
    "\"\"\"",
    ",,",
    "\"\r",
};

static uint64_t rng = 88172645463325252ull;

static unsigned next(unsigned n)
{
	return (unsigned)(xorshift64(&rng) % n);
}

static void ignore(void *ctx, int kind, const char *text, size_t n, uint64_t line)
{
	(void)ctx;
	(void)kind;
	(void)text;
	(void)n;
	(void)line;
}

/* The row at p (n bytes): where the decoder ends it against csvrows_line_end(). */
static void check_row(const char *p, size_t n)
{
	struct csvrows *c = csvrows_create(ignore, NULL);
	const char *nl;
	size_t k;
	uint64_t lines;
	bool multi, done;

	csvrows_feed(c, "a,b\n", 4, false);
	csvrows_set_line(c, 10);
	k = csvrows_feed(c, p, n, true);
	done = csvrows_at_row_start(c) && k && p[k - 1] == '\n';
	lines = csvrows_line(c) - 10;
	nl = csvrows_line_end(p, p + n, &multi);
	if (done && lines == 1) {
		assert_ptr_equal(nl, p + k - 1);
		assert_false(multi);
	} else if (lines >= 1) {
		assert_null(nl);
		assert_true(multi);
	} else {
		assert_null(nl);
		assert_false(multi);
	}
	csvrows_destroy(c);
}

static void rows_at_level(int level)
{
	char *buf = malloc(4096);

	csvrows_simd_force(level);
	for (int t = 0; t < 200000; t++) {
		size_t n = 0, pad = next(70);
		unsigned np = 1 + next(t % 3 ? 12 : 40);

		memset(buf, 'p', pad);
		n = pad;
		for (unsigned i = 0; i < np; i++) {
			const char *s = pieces[next(sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(s);

			memcpy(buf + n, s, l);
			n += l;
		}
		if (next(8) == 0)
			buf[pad + next((unsigned)(n - pad))] = '\0';
		/* most rows end: a newline after them */
		if (next(4))
			buf[n++] = '\n';
		check_row(buf + pad, n - pad);
	}
	free(buf);
	csvrows_simd_force(1);
}

static void test_line_end_sse2(void **state)
{
	(void)state;
	rows_at_level(0);
}

static void test_line_end_best(void **state)
{
	(void)state;
	rows_at_level(1);
}

struct out {
	struct strbuf text;
};

static void keep(void *ctx, int kind, const char *text, size_t n, uint64_t line)
{
	struct out *o = ctx;
	char t[64];

	snprintf(t, sizeof(t), "%d@%llu:", kind, (unsigned long long)line);
	strbuf_addstr(&o->text, t);
	if (text)
		strbuf_add(&o->text, text, n);
	strbuf_addch(&o->text, '\n');
}

/* The header handed on, read back: the rows become the same objects, Events and unread rows. */
static void test_header_line(void **state)
{
	static const char *const heads[] = {
	    "TimeGenerated,AuditId,Stage,RequestUri,Verb,User,SourceIps,ObjectRef\r\n",
	    "\"a\"\"b\",\"c,d\",e f,\"StageReceivedTime [UTC]\",AuditId,Stage\n",
	    "x,y\n",
	};
	static const char rows[] =
	    "2025-06-01T00:00:00Z,id-1,ResponseComplete,/api,get,\"{\"\"username\"\":\"\"u\"\"}\","
	    "\"[\"\"1.2.3.4\"\"]\",\"{\"\"resource\"\":\"\"pods\"\"}\"\r\n"
	    "1,2\n"
	    "\n"
	    "a,\"b\"x,c,d,e,f,g,h\n"
	    "\"q\"\"\",r,s,t,u,v\n";
	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		struct out a = {STRBUF_INIT}, b = {STRBUF_INIT};
		struct csvrows *ca = csvrows_create(keep, &a), *cb = csvrows_create(keep, &b);
		char line[1024];
		size_t n = 0;

		csvrows_feed(ca, heads[i], strlen(heads[i]), false);
		assert_true(csvrows_header_line(ca, line, sizeof(line), &n));
		/* too small a room: not handed on */
		assert_false(csvrows_header_line(ca, line, 4, &(size_t){0}));
		csvrows_feed(cb, line, n, false);
		csvrows_feed(cb, "\n", 1, false);
		csvrows_feed(ca, rows, strlen(rows), false);
		csvrows_feed(cb, rows, strlen(rows), false);
		csvrows_finish(ca);
		csvrows_finish(cb);
		assert_true(a.text.len > 10);
		assert_string_equal(a.text.buf, b.text.buf);
		csvrows_destroy(ca);
		csvrows_destroy(cb);
		strbuf_release(&a.text);
		strbuf_release(&b.text);
	}
}

/*
 * The same rows decoded with SSE2 and with the best the CPU has (the
 * quoted fields' pairs of quotes dropped 64 bytes at a time by a compress):
 * the same Events, objects and unread rows at the same lines.
 */
static void decode_all(int level, const char *p, size_t n, struct strbuf *out, bool pieces_of)
{
	static const char head[] = "AuditId,Stage,User,RequestUri,Other\n";
	struct out o = {STRBUF_INIT};
	struct csvrows *c = csvrows_create(keep, &o);

	csvrows_simd_force(level);
	csvrows_feed(c, head, strlen(head), false);
	/* in pieces, as the reader's reads cut the input (a quote last: decided by the next) */
	while (pieces_of && n) {
		size_t k = 1 + next(n < 200 ? (unsigned)n : 200);

		csvrows_feed(c, p, k, false);
		p += k;
		n -= k;
	}
	csvrows_feed(c, p, n, false);
	csvrows_finish(c);
	csvrows_destroy(c);
	strbuf_reset(out);
	strbuf_add(out, o.text.buf ? o.text.buf : "", o.text.len);
	strbuf_release(&o.text);
	csvrows_simd_force(1);
}

static void test_decode_levels(void **state)
{
	struct strbuf in = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;

	(void)state;
	for (int t = 0; t < 3000; t++) {
		strbuf_reset(&in);
		for (int r = 0; r < 20; r++) {
			strbuf_addstr(&in, "id,ResponseComplete,\"");
			for (unsigned i = 0, np = next(60); i < np; i++)
				strbuf_addstr(&in,
					      pieces[next(sizeof(pieces) / sizeof(pieces[0]))]);
			strbuf_addstr(&in, next(2) ? "\",/x,y\n" : "\"\n");
		}
		decode_all(0, in.buf, in.len, &a, false);
		decode_all(1, in.buf, in.len, &b, t % 2);
		assert_true(a.len > 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
	}
	strbuf_release(&in);
	strbuf_release(&a);
	strbuf_release(&b);
}

/*
 * A row of one line of an AKSAudit table read at once (csvrows_one_line(),
 * the scanning threads' way) against the decoder fed the row and its
 * newline: the same Event, object or unread row, or not taken.
 */
static void test_one_line(void **state)
{
	static const char head[] = "TimeGenerated,AuditId,Stage,User,RequestUri,Other\r\n";
	static const char *const fields[] = {
	    "",
	    "id",
	    "ResponseComplete",
	    "\"{\"\"username\"\":\"\"system:anonymous\"\"}\"",
	    "\"{\"\"a\"\":1} x\"",
	    "/api/v1/pods?a=1",
	    "\"a,b\"",
	    "\"\"",
	    "\"\"\"\"",
	    "x\"y",
	    "\"a\"b",
	    "\"a\"\r",
	    "a\rb",
	    "\"[1,2]\"",
	    "{\"\"x\"\":2}",
	    "\"{\"\"k\"\":\"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\"\"}\"",
	    "\"6/1/2025, 10:00:00 AM\"",
	    " ",
	    "\"\r\"",
	};
	struct strbuf row = STRBUF_INIT;
	struct out a = {STRBUF_INIT}, b = {STRBUF_INIT};
	struct csvrows *ca = csvrows_create(keep, &a), *cb = csvrows_create(keep, &b);
	int taken = 0, events = 0;
	bool multi;

	(void)state;
	csvrows_feed(ca, head, strlen(head), false);
	csvrows_feed(cb, head, strlen(head), false);
	for (int t = 0; t < 100000; t++) {
		unsigned nf = 4 + next(4);

		strbuf_reset(&row);
		for (unsigned i = 0; i < nf; i++) {
			if (i)
				strbuf_addch(&row, ',');
			if (i == 1 || i == 2)
				strbuf_addstr(&row, next(8) ? fields[1 + i - 1] : fields[next(19)]);
			else
				strbuf_addstr(&row,
					      fields[next(sizeof(fields) / sizeof(fields[0]))]);
		}
		if (next(3) == 0)
			strbuf_addch(&row, '\r');
		if (next(16) == 0)
			row.buf[next((unsigned)row.len)] = '\0';
		/* only rows of one line, as the reader hands them on */
		strbuf_addch(&row, '\n');
		if (csvrows_line_end(row.buf, row.buf + row.len, &multi) != row.buf + row.len - 1)
			continue;
		row.len--;
		strbuf_reset(&a.text);
		strbuf_reset(&b.text);
		csvrows_set_line(ca, (uint64_t)t + 2);
		csvrows_set_line(cb, (uint64_t)t + 2);
		csvrows_feed(ca, row.buf, row.len, false);
		csvrows_feed(ca, "\n", 1, false);
		if (csvrows_one_line(cb, row.buf, row.len)) {
			taken++;
			/* made into its Event (the direct path), not an object of strings */
			events += b.text.len && b.text.buf[0] == '0' + CSVROWS_AKS;
		} else {
			csvrows_feed(cb, row.buf, row.len, false);
			csvrows_feed(cb, "\n", 1, false);
		}
		assert_true(csvrows_at_row_start(ca));
		assert_true(csvrows_at_row_start(cb));
		assert_int_equal(csvrows_line(ca), csvrows_line(cb));
		assert_int_equal(a.text.len, b.text.len);
		if (a.text.len)
			assert_memory_equal(a.text.buf, b.text.buf, a.text.len);
	}
	assert_true(taken > 20000);
	assert_true(events > 2000);
	csvrows_destroy(ca);
	csvrows_destroy(cb);
	strbuf_release(&row);
	strbuf_release(&a.text);
	strbuf_release(&b.text);
}

/* aks_json_string() (64 bytes at a time, the last ones by a masked load) against escaping byte by
 * byte */
static void test_json_string(void **state)
{
	static const char special[] = {'"',  '\\', '\n', '\r',	     '\t',	 '\0', 1,
				       0x1f, 0x20, 0x7f, (char)0x80, (char)0xff, 'a',  '/'};
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	char in[300];

	(void)state;
	for (int t = 0; t < 100000; t++) {
		size_t n = next(t % 4 ? 80 : 300);

		for (size_t i = 0; i < n; i++)
			in[i] = next(4) ? 'x' : special[next(sizeof(special))];
		strbuf_reset(&got);
		strbuf_reset(&want);
		strbuf_addstr(&got, "pre");
		strbuf_addstr(&want, "pre\"");
		aks_json_string(&got, in, n);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];
			char e[8];

			if (c == '"' || c == '\\')
				snprintf(e, sizeof(e), "\\%c", c);
			else if (c == '\n' || c == '\r' || c == '\t')
				snprintf(e, sizeof(e), "\\%c",
					 c == '\n'   ? 'n'
					 : c == '\r' ? 'r'
						     : 't');
			else if (c < 0x20)
				snprintf(e, sizeof(e), "\\u%04x", c);
			else
				e[0] = (char)c, e[1] = '\0';
			strbuf_addstr(&want, e);
		}
		strbuf_addch(&want, '"');
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, want.len);
	}
	strbuf_release(&got);
	strbuf_release(&want);
}

/*
 * aks_event() takes a row exactly when each dynamic column's text is one
 * JSON value (jsonl_valid_value()), whether aks_compact() or that check
 * says so: values compact or not, broken in one byte, short and longer
 * than aks_compact()'s masks (512 bytes); the text is the columns'.
 */
static void test_dynamic(void **state)
{
	static const char *const dyn[] = {
	    "{\"a\":1}",
	    "{\"a\":1)",
	    "{\"b\": 1}",
	    "[1,2]",
	    "[1,2}",
	    "{\"a\":1} ",
	    "{\"a\":\"\\u0000\"}",
	    "{\"a\":\"x\"}",
	    "{\"a\":\"x\\\"}",
	    "[]",
	    "[ [] ]",
	    "[[]",
	    "{\"a\":\"\\ud83d\\ude00\"}",
	};
	struct strbuf e1 = STRBUF_INIT, tmp = STRBUF_INIT, big = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&big, "{\"k\":\"");
	for (int i = 0; i < 600; i++)
		strbuf_addch(&big, 'v');
	strbuf_addstr(&big, "\"}");
	for (int t = 0; t < 50000; t++) {
		struct aks_text col[AKS_NCOLS][2];
		bool want = true;

		memset(col, 0, sizeof(col));
		col[0][0] = (struct aks_text){.p = "id", .n = 2};
		col[1][0] = (struct aks_text){.p = "ResponseComplete", .n = 16};
		for (int c = 4; c < 12; c++) {
			unsigned k = next(sizeof(dyn) / sizeof(dyn[0]) + 2);
			const struct aks_text *v = &col[c][0];

			if (k < sizeof(dyn) / sizeof(dyn[0]))
				col[c][0] = (struct aks_text){.p = dyn[k], .n = strlen(dyn[k])};
			else if (k == sizeof(dyn) / sizeof(dyn[0]))
				col[c][0] = (struct aks_text){.p = big.buf, .n = big.len};
			else
				col[c][0] = (struct aks_text){.p = big.buf, .n = big.len - 1};
			want = want && jsonl_valid_value(v->p, v->p + v->n) == v->p + v->n;
		}
		assert_int_equal(aks_event(&e1, col, true, &tmp, NULL), want);
		for (int c = 4; want && c < 12; c++)
			assert_non_null(memmem(e1.buf, e1.len, col[c][0].p, col[c][0].n));
	}
	strbuf_release(&e1);
	strbuf_release(&tmp);
	strbuf_release(&big);
}

/* A header on two lines (a quoted newline in a name) is not handed on. */
static void test_header_two_lines(void **state)
{
	struct csvrows *c = csvrows_create(ignore, NULL);
	char line[256];
	size_t n;

	(void)state;
	csvrows_feed(c, "\"a\nb\",AuditId\n", 14, false);
	assert_false(csvrows_header_line(c, line, sizeof(line), &n));
	csvrows_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_end_sse2), cmocka_unit_test(test_line_end_best),
	    cmocka_unit_test(test_header_line),	  cmocka_unit_test(test_header_two_lines),
	    cmocka_unit_test(test_decode_levels), cmocka_unit_test(test_one_line),
	    cmocka_unit_test(test_json_string),	  cmocka_unit_test(test_dynamic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
