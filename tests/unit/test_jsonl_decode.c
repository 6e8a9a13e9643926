/*
 * jsonl_decode_string (16 bytes stored before they are looked at) against
 * cJSON on strings of every length around the 16-byte steps, with escapes
 * at every position, broken escapes and strings that never end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "parsers/jsonl.h"

static const char *const pieces[] = {
    "a",     "bc",	"0123456789abcdef", "\\\"",    "\\\\",	   "\\/", "\\n",
    "\\t",   "\\u00e9", "\\ud83d\\ude00",   "\\u0000", "\xc3\xa9", " ",	  "\\x",
    "\\u1z", "\\ud800", "\\ud800\\u0041",
};

/* what cJSON decodes of the string literal s (NULL when it refuses it) */
static char *reference(const char *s, size_t *n)
{
	cJSON *j = cJSON_Parse(s);
	char *r = NULL;

	if (cJSON_IsString(j)) {
		*n = strlen(j->valuestring);
		r = strdup(j->valuestring);
	}
	cJSON_Delete(j);
	return r;
}

static void test_against_cjson(void **state)
{
	unsigned seed = 10;
	int agreed = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
		int k = (int)(rand_r(&seed) % 12);
		const char *end;
		char *want;
		size_t wn = 0;
		bool open = rand_r(&seed) % 16 == 0;

		strbuf_addch(&in, '"');
		for (int j = 0; j < k; j++)
			strbuf_addstr(&in,
				      pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(*pieces))]);
		if (!open)
			strbuf_addch(&in, '"');
		strbuf_addstr(&out, "prefix"); /* decoded text is appended */
		end = jsonl_decode_string(in.buf, in.buf + in.len, &out);
		want = reference(in.buf, &wn);
		/* a \u with fewer than 4 hex digits: cJSON reads it anyway, Go does not */
		if (strstr(in.buf, "\\u1z"))
			assert_null(end);
		/* both refuse, or both read the same text (cJSON stops at a \u0000) */
		if (!want || strstr(in.buf, "\\u1z") || strstr(in.buf, "\\u0000") ||
		    strstr(in.buf, "\\ud800")) {
			if (!want && !strstr(in.buf, "\\u0000") && !strstr(in.buf, "\\ud800"))
				assert_null(end);
			strbuf_release(&in);
			strbuf_release(&out);
			free(want);
			continue;
		}
		assert_non_null(end);
		assert_ptr_equal(end, in.buf + in.len);
		assert_int_equal(out.len, 6 + wn);
		assert_memory_equal(out.buf, "prefix", 6);
		assert_memory_equal(out.buf + 6, want, wn);
		assert_int_equal(out.buf[out.len], '\0');
		agreed++;
		strbuf_release(&in);
		strbuf_release(&out);
		free(want);
	}
	assert_true(agreed > 5000);
}

/* a refused string leaves the buffer as it was */
static void test_refused_restores(void **state)
{
	struct strbuf out = STRBUF_INIT;
	const char *s = "\"0123456789abcdef0123456789abcdef\\q\"";

	(void)state;
	strbuf_addstr(&out, "keep");
	assert_null(jsonl_decode_string(s, s + strlen(s), &out));
	assert_int_equal(out.len, 4);
	assert_string_equal(out.buf, "keep");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_cjson),
	    cmocka_unit_test(test_refused_restores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
