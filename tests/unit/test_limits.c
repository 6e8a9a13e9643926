/*
 * The bounds of docs/limits.md that live in the core and the parsers: the
 * diagnostics of a result, and kanon's own limits told apart from syntax
 * errors (struct err.limit) so that they become UNKNOWN, never INVALID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/finding.h"
#include "core/strbuf.h"
#include "parsers/json.h"
#include "parsers/yaml.h"

static void diags_capped(void **state)
{
	struct result r;

	(void)state;
	result_init(&r);
	for (int i = 0; i < RESULT_MAX_DIAGS + 5000; i++)
		result_diag(&r, i == RESULT_MAX_DIAGS + 10 ? DIAG_ERROR : DIAG_NOTE, "note %d", i);
	assert_int_equal(r.nd, RESULT_MAX_DIAGS + 1);
	assert_string_equal(r.d[RESULT_MAX_DIAGS - 1].text, "note 999");
	/* the last one counts the rest, at the most severe level among them */
	assert_int_equal(r.d[RESULT_MAX_DIAGS].level, DIAG_ERROR);
	assert_non_null(strstr(r.d[RESULT_MAX_DIAGS].text, "5000 more diagnostics not shown"));
	result_release(&r);
}

static void diags_under_cap(void **state)
{
	struct result r;

	(void)state;
	result_init(&r);
	for (int i = 0; i < RESULT_MAX_DIAGS; i++)
		result_diag(&r, DIAG_WARNING, "w %d", i);
	assert_int_equal(r.nd, RESULT_MAX_DIAGS);
	assert_int_equal(r.ndropped, 0);
	result_release(&r);
}

static void err_limit_flag(void **state)
{
	struct err e = {0};

	(void)state;
	err_set_limit(&e, "f", 1, "too big");
	assert_true(e.limit);
	err_set(&e, "f", 2, "syntax");
	assert_false(e.limit);
	assert_string_equal(e.msg, "syntax");
}

static void yaml_limits_marked(void **state)
{
	struct yaml_docs d = {0};
	struct err e = {0};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	/* too many nodes: kanon's limit */
	strbuf_addstr(&sb, "x:\n");
	for (int i = 0; i < YAML_MAX_NODES; i++)
		strbuf_addstr(&sb, "- 0\n");
	assert_int_equal(yaml_parse(sb.buf, sb.len, "big.yaml", &d, &e), -1);
	assert_true(e.limit);
	yaml_docs_release(&d);
	/* too deep: kanon's limit */
	strbuf_reset(&sb);
	for (int i = 0; i < YAML_MAX_DEPTH + 10; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < YAML_MAX_DEPTH + 10; i++)
		strbuf_addch(&sb, ']');
	memset(&e, 0, sizeof(e));
	assert_int_equal(yaml_parse(sb.buf, sb.len, "deep.yaml", &d, &e), -1);
	assert_true(e.limit);
	yaml_docs_release(&d);
	/* a syntax error is not a limit */
	memset(&e, 0, sizeof(e));
	assert_int_equal(yaml_parse("a: [b\n", 6, "bad.yaml", &d, &e), -1);
	assert_false(e.limit);
	yaml_docs_release(&d);
	strbuf_release(&sb);
}

static int drop(struct node *n, bool is_item, void *ctx)
{
	(void)is_item, (void)ctx;
	node_destroy(n);
	return 0;
}

static void json_limits_marked(void **state)
{
	struct err e = {0};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < JSON_MAX_DEPTH + 10; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < JSON_MAX_DEPTH + 10; i++)
		strbuf_addch(&sb, ']');
	assert_int_equal(json_parse_stream(sb.buf, sb.len, "deep.json", false, drop, NULL, &e), -1);
	assert_true(e.limit);
	memset(&e, 0, sizeof(e));
	assert_int_equal(json_parse_stream("[1,", 3, "bad.json", false, drop, NULL, &e), -1);
	assert_false(e.limit);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(diags_capped),	  cmocka_unit_test(diags_under_cap),
	    cmocka_unit_test(err_limit_flag),	  cmocka_unit_test(yaml_limits_marked),
	    cmocka_unit_test(json_limits_marked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
