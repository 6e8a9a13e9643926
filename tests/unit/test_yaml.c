/* YAML/JSON loading into the node tree, and Kubernetes scalar semantics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"
#include "parsers/json.h"
#include "parsers/yaml.h"

static struct node *load1(const char *text)
{
	struct yaml_docs d = {0};
	struct node *n;

	assert_int_equal(yaml_parse(text, strlen(text), "t", &d, NULL), 0);
	assert_int_equal(d.n, 1);
	n = d.doc[0];
	d.n = 0;
	yaml_docs_release(&d);
	return n;
}

static void test_lines_and_lookup(void **state)
{
	struct node *n = load1("a: 1\nb:\n  c: x\n  c: y\n");
	const struct node *b;
	(void)state;
	b = node_map_get(n, "b");
	assert_non_null(b);
	assert_int_equal(b->line, 3);
	assert_string_equal(node_map_get(b, "c")->str, "y"); /* last wins */
	assert_int_equal(node_map_count(b, "c"), 2);
	assert_int_equal(node_map_get(b, "c")->line, 4);
	assert_null(node_map_get(n, "A")); /* case-sensitive */
	node_destroy(n);
}

static void test_json_compact(void **state)
{
	struct node *n =
	    load1("{\"kubeletconfig\":{\"authentication\":{\"anonymous\":{\"enabled\":false}}}}");
	const struct node *a;
	bool b = true;
	(void)state;
	a = node_map_get(
	    node_map_get(node_map_get(node_map_get(n, "kubeletconfig"), "authentication"),
			 "anonymous"),
	    "enabled");
	assert_non_null(a);
	assert_int_equal(node_get_bool(a, &b), 0);
	assert_false(b);
	node_destroy(n);
}

static void test_yaml11_bools(void **state)
{
	struct node *n = load1("a: yes\nb: Off\nc: \"true\"\nd: 1\ne: ~\n");
	bool b;
	const char *s;
	long long i;
	(void)state;
	assert_int_equal(node_get_bool(node_map_get(n, "a"), &b), 0);
	assert_true(b);
	assert_int_equal(node_get_bool(node_map_get(n, "b"), &b), 0);
	assert_false(b);
	/* a quoted "true" is a string: decoding it into a bool fails */
	assert_int_equal(node_get_bool(node_map_get(n, "c"), &b), -1);
	assert_int_equal(node_get_string(node_map_get(n, "c"), &s), 0);
	assert_int_equal(node_get_bool(node_map_get(n, "d"), &b), -1);
	assert_int_equal(node_get_int(node_map_get(n, "d"), &i), 0);
	assert_true(node_is_null(node_map_get(n, "e")));
	/* a plain number is not a string */
	assert_int_equal(node_get_string(node_map_get(n, "d"), &s), -1);
	node_destroy(n);
}

static void test_multidoc_and_error_line(void **state)
{
	static const char text[] = "a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n";
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	assert_int_equal(yaml_parse(text, strlen(text), "f.yaml", &d, &e), -1);
	assert_int_equal(d.n, 2); /* the documents before the error are kept */
	assert_string_equal(e.file, "f.yaml");
	assert_true(e.line >= 5);
	yaml_docs_release(&d);
}

static void test_helm_template_error(void **state)
{
	static const char text[] =
	    "kind: RoleBinding\nmetadata:\n  namespace: {{ .Release.Namespace }}\n";
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	assert_int_equal(yaml_parse(text, strlen(text), "t.yaml", &d, &e), -1);
	assert_int_equal(e.line, 3);
	yaml_docs_release(&d);
}

static void test_alias_bomb_bounded(void **state)
{
	static const char text[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	assert_int_equal(yaml_parse(text, strlen(text), "bomb", &d, &e), -1);
	assert_non_null(strstr(e.msg, "excessive aliasing"));
	assert_string_equal(e.file, "bomb");
	assert_true(e.line >= 3 && e.line <= 4);
	yaml_docs_release(&d);
}

static int count_doc(struct node *n, bool is_item, void *ctx)
{
	(void)is_item;
	node_destroy(n);
	(*(size_t *)ctx)++;
	return 0;
}

/*
 * Issue 8: the budget covers all documents of the input, not each one.
 * Each document here is 95% alias copies (1,001 nodes, 19 aliases to a
 * list of 1,000), which go-yaml's ratio allows in one document; over the
 * whole input the allowed share falls past 400,000 nodes, so the parse
 * stops after some tens of documents instead of copying all of them.
 */
static void test_alias_budget_whole_stream(void **state)
{
	struct strbuf doc = STRBUF_INIT, sb = STRBUF_INIT;
	struct err e;
	size_t docs = 0;
	(void)state;
	strbuf_addstr(&doc, "---\na: &a [x");
	for (int i = 1; i < 1000; i++)
		strbuf_addstr(&doc, ", x");
	strbuf_addstr(&doc, "]\nb: [*a");
	for (int i = 1; i < 19; i++)
		strbuf_addstr(&doc, ", *a");
	strbuf_addstr(&doc, "]\n");
	/* one such document alone is fine */
	assert_int_equal(yaml_parse_stream(doc.buf, doc.len, "one", true, count_doc, &docs, &e), 0);
	assert_int_equal(docs, 1);
	docs = 0;
	for (int i = 0; i < 200; i++)
		strbuf_add(&sb, doc.buf, doc.len);
	assert_int_equal(yaml_parse_stream(sb.buf, sb.len, "multi", true, count_doc, &docs, &e),
			 -1);
	assert_non_null(strstr(e.msg, "aliasing"));
	assert_true(docs > 10 && docs < 60);
	assert_true(e.line > 10 * 3);
	strbuf_release(&doc);
	strbuf_release(&sb);
}

/* Issue 8: few aliases of one big anchor: the copied bytes are budgeted. */
static void test_alias_budget_bytes(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	strbuf_addstr(&sb, "big: &big ");
	for (int i = 0; i < (1 << 20); i++)
		strbuf_addch(&sb, 'x');
	strbuf_addstr(&sb, "\nl:\n");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "- k%d: v\n  v: *big\n", i);
	assert_int_equal(yaml_parse(sb.buf, sb.len, "big", &d, &e), -1);
	assert_non_null(strstr(e.msg, "MiB"));
	assert_true(e.line > 3);
	yaml_docs_release(&d);
	strbuf_release(&sb);
}

static void test_depth_limit(void **state)
{
	char text[2000];
	struct yaml_docs d = {0};
	struct err e;
	size_t i;
	(void)state;
	for (i = 0; i < 600; i++)
		text[i] = '[';
	text[i] = '\0';
	assert_int_equal(yaml_parse(text, strlen(text), "deep", &d, &e), -1);
	yaml_docs_release(&d);
}

static void test_merge_keys(void **state)
{
	struct node *n = load1("base: &b\n  enabled: true\n  mode: Webhook\n"
			       "other: &o\n  mode: AlwaysAllow\n  port: 1\n"
			       "x:\n  <<: [*b, *o]\n  enabled: false\n"
			       "y:\n  \"<<\": *b\n");
	const struct node *x, *y;
	bool b = true;
	(void)state;
	x = node_map_get(n, "x");
	assert_int_equal(node_get_bool(node_map_get(x, "enabled"), &b), 0);
	assert_false(b);					      /* own key wins */
	assert_string_equal(node_map_get(x, "mode")->str, "Webhook"); /* earlier source wins */
	assert_string_equal(node_map_get(x, "port")->str, "1");
	assert_null(node_map_get(x, "<<"));
	assert_int_equal(node_map_count(x, "mode"), 1);
	y = node_map_get(n, "y"); /* a quoted "<<" is a plain key */
	assert_non_null(node_map_get(y, "<<"));
	node_destroy(n);
}

static void test_merge_key_bad_value(void **state)
{
	static const char text[] = "a:\n  <<: 5\n";
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	assert_int_equal(yaml_parse(text, strlen(text), "m", &d, &e), -1);
	assert_non_null(strstr(e.msg, "map merge"));
	yaml_docs_release(&d);
}

/* found by fuzz_yaml: merging a copy of a mapping that is still being built */
static void test_merge_recursive_anchor_no_leak(void **state)
{
	static const char text[] = "a: &x \n  <<: [*x, {d: 2}]\n}\nc:TRUE\n  <";
	struct yaml_docs d = {0};
	struct err e;
	(void)state;
	(void)yaml_parse(text, strlen(text), "r", &d, &e);
	yaml_docs_release(&d); /* LeakSanitizer in the SAN build checks the rest */
}

/* found by fuzz_yaml: an anchor on a merge source used after the merge */
static void test_merge_source_anchor_reused(void **state)
{
	static const char text[] = "c:\n  <<: &x {b: 1}\nd: *x\ne:\n  <<: [*x, *x]\n";
	struct node *n = load1(text);
	(void)state;
	assert_string_equal(node_map_get(node_map_get(n, "d"), "b")->str, "1");
	assert_string_equal(node_map_get(node_map_get(n, "e"), "b")->str, "1");
	assert_string_equal(node_map_get(node_map_get(n, "c"), "b")->str, "1");
	node_destroy(n);
}

/*
 * Issue 8: numbers as go-yaml v2's resolve() reads them, not strtod():
 * "nan", "inf", hex floats are strings; ".nan", ".inf" are floats.
 */
static void test_yaml11_numbers(void **state)
{
	static const struct {
		const char *in;
		const char *kind;
		int is_int;
		long long v;
	} cases[] = {
	    {"nan", "a string", 0, 0},
	    {"inf", "a string", 0, 0},
	    {"-inf", "a string", 0, 0},
	    {"Infinity", "a string", 0, 0},
	    {"0x1p3", "a string", 0, 0},
	    {"1e", "a string", 0, 0},
	    {"_1", "a string", 0, 0},
	    {"0x", "a string", 0, 0},
	    {".nan", "a number", 0, 0},
	    {".Inf", "a number", 0, 0},
	    {"-.INF", "a number", 0, 0},
	    {"+.inf", "a number", 0, 0},
	    {".5", "a number", 0, 0},
	    {"1.", "a number", 0, 0},
	    {"1e3", "a number", 0, 0},
	    {"-1.5E-3", "a number", 0, 0},
	    {"08", "a number", 0, 0},
	    {"1_000.5", "a number", 0, 0},
	    {"0x1F", "a number", 1, 31},
	    {"0o17", "a number", 1, 15},
	    {"017", "a number", 1, 15},
	    {"1_000", "a number", 1, 1000},
	    {"0b101", "a number", 1, 5},
	    {"-0x10", "a number", 1, -16},
	    {"+12", "a number", 1, 12},
	    {"0", "a number", 1, 0},
	    {"18446744073709551615", "a number", 0, 0},
	    {"-9223372036854775808", "a number", 1, LLONG_MIN},
	};
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char text[64];
		struct node *n;
		const struct node *v;
		long long i = 0;

		snprintf(text, sizeof(text), "v: %s\n", cases[k].in);
		n = load1(text);
		v = node_map_get(n, "v");
		if (strcmp(node_kind_name(v), cases[k].kind))
			fail_msg("%s: %s, expected %s", cases[k].in, node_kind_name(v),
				 cases[k].kind);
		assert_int_equal(node_get_int(v, &i) == 0, cases[k].is_int);
		if (cases[k].is_int && i != cases[k].v)
			fail_msg("%s: %lld", cases[k].in, i);
		node_destroy(n);
	}
}

static int keep_first(struct node *n, bool is_item, void *ctx)
{
	struct node **out = ctx;

	(void)is_item;
	if (*out)
		node_destroy(n);
	else
		*out = n;
	return 0;
}

/* Issue 8: "\u0000" is part of a Go string: compare byte-exactly. */
static void check_nul_tree(struct node *n)
{
	const struct node *v;
	const char *s;

	assert_null(node_map_get(n, "name")); /* the key is "name\0" */
	assert_int_equal(node_map_len(n), 2);
	v = node_map_val(n, 0);
	assert_true(v->nul);
	assert_int_equal(node_get_string(v, &s), 0);
	assert_string_equal(s, "system:anonymous\xc0\x80x");
	assert_false(node_str_is(v, "system:anonymous"));
	v = node_map_get(n, "kind");
	assert_false(v->nul);
	assert_true(node_str_is(v, "User"));
}

static void test_nul_in_strings(void **state)
{
	static const char json[] = "{\"name\\u0000\": \"system:anonymous\\u0000x\", "
				   "\"kind\": \"User\"}";
	static const char yaml[] = "\"name\\0\": \"system:anonymous\\x00x\"\nkind: User\n";
	struct node *n = NULL;
	(void)state;
	n = load1(json);
	check_nul_tree(n);
	node_destroy(n);
	n = load1(yaml);
	check_nul_tree(n);
	node_destroy(n);
	n = NULL;
	assert_int_equal(json_parse_stream(json, strlen(json), "t", false, keep_first, &n, NULL),
			 0);
	check_nul_tree(n);
	node_destroy(n);
}

/* Invalid UTF-8 in JSON becomes U+FFFD per byte, as in Go's decoder: so the
 * raw bytes C0 80 cannot pass for an encoded NUL. */
static void test_json_invalid_utf8(void **state)
{
	static const char json[] = "{\"a\": \"x\xc0\x80y\", \"b\": \"\xc3\xa9\xed\xa0\x80\"}";
	struct node *n = NULL;
	(void)state;
	assert_int_equal(json_parse_stream(json, strlen(json), "t", false, keep_first, &n, NULL),
			 0);
	assert_string_equal(node_map_get(n, "a")->str, "x\xef\xbf\xbd\xef\xbf\xbdy");
	assert_false(node_map_get(n, "a")->nul);
	/* é stays, a UTF-8-encoded surrogate is three bad bytes */
	assert_string_equal(node_map_get(n, "b")->str,
			    "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	node_destroy(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_and_lookup),
	    cmocka_unit_test(test_json_compact),
	    cmocka_unit_test(test_yaml11_bools),
	    cmocka_unit_test(test_multidoc_and_error_line),
	    cmocka_unit_test(test_helm_template_error),
	    cmocka_unit_test(test_alias_bomb_bounded),
	    cmocka_unit_test(test_nul_in_strings),
	    cmocka_unit_test(test_yaml11_numbers),
	    cmocka_unit_test(test_json_invalid_utf8),
	    cmocka_unit_test(test_alias_budget_whole_stream),
	    cmocka_unit_test(test_alias_budget_bytes),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_merge_keys),
	    cmocka_unit_test(test_merge_key_bad_value),
	    cmocka_unit_test(test_merge_recursive_anchor_no_leak),
	    cmocka_unit_test(test_merge_source_anchor_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
