/*
 * jsonl_decode_fast() and jsonl_check_string() (64 bytes of a string and
 * all their escapes at once) against jsonl_decode_string(), the decoder
 * they replace for the wrapped audit formats: the same strings taken, the
 * same text, the same end, on strings of escapes at every position around
 * the 16- and 64-byte steps, runs of backslashes across them, \u escapes
 * good and bad, and strings cut short. jsonl_escaping() against counting.
 * Each decoder the CPU has: SSE2, then AVX-512 VBMI2 (jsonl_fast_force()).
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
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"
#include "xorshift.h"

static const char *const pieces[] = {
    "a",
    "bc",
    "0123456789abcdef",
    "\\\"",
    "\\\\",
    "\\/",
    "\\n",
    "\\t",
    "\\b\\f\\r",
    "\\u00e9",
    "\\u0041",
    "\\ud83d\\ude00",
    "\\u0000",
    "\xc3\xa9",
    " ",
    "\\x",
    "\\u1z",
    "\\ud800",
    "\\ud800\\u0041",
    "\\ude00",
    "\\\\\\\"",
    "\\\\\\\\",
    "\x01\x1f",
    "\\u00",
    "\\",
    /* a backslash then a byte of 0x80 or more whose low 7 bits are an escape's letter */
    "\\\xee",
    "\\\xa2",
    "\\\xdc",
    "\\\xf5",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
};

/* the old decoder and the new ones on in: the same answer */
static void same(const char *in, size_t n)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *ea, *eb, *ec;

	strbuf_addstr(&a, "prefix");
	strbuf_addstr(&b, "prefix");
	ea = jsonl_decode_string(in, in + n, &a);
	eb = jsonl_decode_fast(in, in + n, &b);
	ec = jsonl_check_string(in, in + n);
	assert_ptr_equal(ea, eb);
	assert_ptr_equal(ea, ec);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_int_equal(b.buf[b.len], '\0');
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_random_pieces(void **state)
{
	unsigned seed = 10;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		struct strbuf in = STRBUF_INIT;
		int k = (int)(rand_r(&seed) % 40);

		strbuf_addch(&in, '"');
		for (int j = 0; j < k; j++)
			strbuf_addstr(&in,
				      pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(*pieces))]);
		if (rand_r(&seed) % 16)
			strbuf_addch(&in, '"');
		/* text after the string: the decoders must stop at its quote */
		if (rand_r(&seed) % 2)
			strbuf_addstr(&in, ",\"k\":\"0123456789abcdef0123456789abcdef\\\"\"}");
		same(in.buf, in.len);
		/* every cut: a string that ends early must be refused the same way */
		if (i % 50 == 0)
			for (size_t c = 0; c < in.len; c++)
				same(in.buf, c);
		strbuf_release(&in);
	}
}

/* a backslash or a quote at every offset of a long string (the 64-byte steps) */
static void test_every_offset(void **state)
{
	static const char *const esc[] = {"\\\"",	    "\\\\",    "\\\\\\\"", "\\n", "\\u00e9",
					  "\\ud83d\\ude00", "\\u0000", "\\q",	   "\"",  "\\",
					  "\\\xee",	    "\\\xaf"};

	(void)state;
	for (size_t e = 0; e < sizeof(esc) / sizeof(*esc); e++) {
		for (int at = 0; at < 200; at++) {
			struct strbuf in = STRBUF_INIT;

			strbuf_addch(&in, '"');
			for (int j = 0; j < at; j++)
				strbuf_addch(&in, (char)('a' + j % 26));
			strbuf_addstr(&in, esc[e]);
			for (int j = 0; j < 150; j++)
				strbuf_addch(&in, j % 9 ? 'x' : '\\');
			strbuf_addstr(&in, "\"tail0123456789abcdef0123456789abcdef0123456789");
			same(in.buf, in.len);
			strbuf_release(&in);
		}
	}
}

/* runs of n backslashes then a quote: even runs end the string there, odd ones do not */
static void test_backslash_runs(void **state)
{
	(void)state;
	for (int at = 0; at < 140; at++) {
		for (int n = 0; n < 70; n++) {
			struct strbuf in = STRBUF_INIT;

			strbuf_addch(&in, '"');
			for (int j = 0; j < at; j++)
				strbuf_addch(&in, 'a');
			for (int j = 0; j < n; j++)
				strbuf_addch(&in, '\\');
			strbuf_addstr(&in, "\"0123456789abcdef0123456789abcdef0123456789abcdef"
					   "0123456789abcdef0123456789abcdef0123456789abcdef\"");
			same(in.buf, in.len);
			strbuf_release(&in);
		}
	}
}

/* the escaping backslashes, counted one by one */
static uint64_t escaping_slow(uint64_t bs)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++) {
		if (!(bs >> i & 1))
			continue;
		r |= 1ull << i;
		i++; /* the next byte is escaped, whatever it is */
	}
	return r;
}

static void test_escaping(void **state)
{
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (int i = 0; i < 1000000; i++) {
		uint64_t bs;

		xorshift64(&x);
		/* dense and sparse masks, long runs */
		bs = i % 3 == 0 ? x : i % 3 == 1 ? x & (x >> 1) & (x >> 2) : x | (x << 1);
		assert_true(jsonl_escaping(bs) == escaping_slow(bs));
	}
	assert_true(jsonl_escaping(~0ull) == 0x5555555555555555ull);
	assert_true(jsonl_escaping(~0ull << 1) == 0xaaaaaaaaaaaaaaaaull);
}

/*
 * jsonl_decode_fast_nul(): a raw NUL at every offset (the 64-byte steps and
 * the bytes after them) is said to be there; without one, the AVX-512
 * decoder says so (the SSE2 one may say maybe). The decoded text is the
 * same as jsonl_decode_fast()'s.
 */
static int cur_level; /* the decoder being tested */

static void test_nul_flag(void **state)
{
	(void)state;
	for (int at = -1; at < 200; at++) {
		struct strbuf in = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
		const char *ea, *eb;
		bool nul = false;

		strbuf_addch(&in, '"');
		for (int j = 0; j < 200; j++) {
			if (j == at)
				strbuf_addch(&in, '\0');
			else if (j % 7)
				strbuf_addch(&in, (char)('a' + j % 26));
			else
				strbuf_addstr(&in, "\\n"); /* an escape: the 64-byte steps move */
		}
		strbuf_addstr(&in, "\"tail");
		ea = jsonl_decode_fast(in.buf, in.buf + in.len, &a);
		eb = jsonl_decode_fast_nul(in.buf, in.buf + in.len, &b, &nul);
		assert_non_null(ea);
		assert_ptr_equal(ea, eb);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		if (at >= 0)
			assert_true(nul);
		else if (cur_level == 1)
			assert_false(nul);
		strbuf_release(&in);
		strbuf_release(&a);
		strbuf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_pieces),  cmocka_unit_test(test_every_offset),
	    cmocka_unit_test(test_backslash_runs), cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_nul_flag),
	};
	int rc;

	/* each decoder: SSE2 everywhere, AVX-512 VBMI2 where the CPU has it */
	cur_level = jsonl_fast_force(0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if ((cur_level = jsonl_fast_force(1)) == 1)
		rc |= cmocka_run_group_tests(tests, NULL, NULL);
	else
		printf("# no AVX-512 VBMI2 on this CPU: its decoder not tested here\n");
	return rc;
}
