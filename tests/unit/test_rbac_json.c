/* The JSON reader of src/parsers/json.c (used for kubectl -o json dumps). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/json.h"

struct got {
	struct node *v[8];
	bool item[8];
	size_t n;
};

static int keep(struct node *n, bool is_item, void *ctx)
{
	struct got *g = ctx;

	if (g->n == 8) {
		node_destroy(n);
		return 7;
	}
	g->item[g->n] = is_item;
	g->v[g->n++] = n;
	return 0;
}

static void got_release(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		node_destroy(g->v[i]);
	g->n = 0;
}

static int parse(const char *text, bool split, struct got *g, struct err *e)
{
	memset(g, 0, sizeof(*g));
	return json_parse_stream(text, strlen(text), "t.json", split, keep, g, e);
}

static void test_scalars(void **state)
{
	struct got g;
	struct err e;
	bool b;
	long long i;
	const char *s;
	(void)state;
	assert_int_equal(parse("{\"a\": true, \"b\": -12, \"c\": \"x\\n\\\"y\\\"\", \"d\": null,"
			       " \"e\": 1.5e3, \"f\": \"true\"}",
			       false, &g, &e),
			 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(node_get_bool(node_map_get(g.v[0], "a"), &b), 0);
	assert_true(b);
	assert_int_equal(node_get_int(node_map_get(g.v[0], "b"), &i), 0);
	assert_int_equal(i, -12);
	assert_int_equal(node_get_string(node_map_get(g.v[0], "c"), &s), 0);
	assert_string_equal(s, "x\n\"y\"");
	assert_true(node_is_null(node_map_get(g.v[0], "d")));
	assert_int_equal(node_get_string(node_map_get(g.v[0], "e"), &s), -1); /* a number */
	assert_int_equal(node_get_string(node_map_get(g.v[0], "f"), &s), 0);  /* quoted */
	assert_int_equal(node_get_bool(node_map_get(g.v[0], "f"), &b), -1);
	got_release(&g);
}

static void test_unicode(void **state)
{
	struct got g;
	(void)state;
	assert_int_equal(
	    parse("[\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\", \"\\ud800x\"]", false, &g, NULL), 0);
	assert_string_equal(g.v[0]->kids[0]->str, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(g.v[0]->kids[1]->str, "\xef\xbf\xbdx"); /* lone surrogate */
	got_release(&g);
}

static void test_items_streamed(void **state)
{
	struct got g;
	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf{\"apiVersion\": \"v1\",\n \"items\": [{\"a\": 1},\n"
			       " {\"b\": 2}], \"kind\": \"List\"}\n{\"x\": [1]}",
			       true, &g, NULL),
			 0);
	assert_int_equal(g.n, 4);
	assert_true(g.item[0]);
	assert_true(g.item[1]);
	assert_int_equal(g.v[1]->line, 3);
	assert_false(g.item[2]);
	assert_null(node_map_get(g.v[2], "items")); /* left out of the List */
	assert_string_equal(node_map_get(g.v[2], "kind")->str, "List");
	assert_non_null(node_map_get(g.v[3], "x"));
	got_release(&g);
	/* without split_items the List keeps them */
	assert_int_equal(parse("{\"items\": [{\"a\": 1}]}", false, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_non_null(node_map_get(g.v[0], "items"));
	got_release(&g);
	/* only the top level streams */
	assert_int_equal(parse("{\"spec\": {\"items\": [1, 2]}}", true, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	got_release(&g);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {
	    "{\"a\": 1,}", "[1 2]",	"{\"a\" 1}",	   "{a: 1}", "\"abc",	   "[01]",
	    "[1.]",	   "[\"\\x\"]", "[\"tab\there\"]", "[tru]",  "{\"a\": [}", "-",
	};
	struct got g;
	struct err e;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(parse(bad[i], true, &g, &e), -1);
		assert_int_equal(e.line, 1);
		assert_non_null(strstr(e.msg, "JSON"));
		got_release(&g);
	}
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse("{\"items\": [{\"ok\": 1},\n\n{\"bad\": ]}", true, &g, &e), -1);
	assert_int_equal(g.n, 1); /* the item before the error was delivered */
	assert_int_equal(e.line, 3);
	got_release(&g);
}

static void test_depth_and_stop(void **state)
{
	char *deep = malloc(2 * JSON_MAX_DEPTH + 10);
	size_t n = 0;
	struct got g;
	struct err e;
	(void)state;
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse(deep, false, &g, &e), -1);
	assert_non_null(strstr(e.msg, "nesting"));
	free(deep);
	/* the callback's nonzero return stops parsing and is returned */
	assert_int_equal(parse("1 2 3 4 5 6 7 8 9 10", false, &g, NULL), 7);
	assert_int_equal(g.n, 8);
	got_release(&g);
	assert_true(json_sniff("  \n{", 4));
	assert_true(json_sniff("[", 1));
	assert_false(json_sniff("a: {}", 5));
	assert_false(json_sniff("   ", 3));
}

/* json_value_bound(): never below the values a parse makes; structure in
 * strings (escaped quotes included) does not count. */
static void test_value_bound(void **state)
{
	static const struct {
		const char *in;
		size_t at_least, at_most;
	} t[] = {
	    {"0", 1, 1},
	    {"[]", 1, 2},
	    {"[0,0,0]", 4, 4},
	    {"{\"a\":1,\"b\":[2,3]}", 5, 7},
	    {"\"a,b:[c\"", 1, 1},
	    {"[\"x\\\",[,\",1]", 3, 3},
	    {"{\"items\":[{\"k\":\"v\"},{\"k\":\"v\"}]}", 6, 8},
	    {"[\"unterminated,,,", 2, 2},
	};
	(void)state;
	/* an empty body's buffer may be NULL (fuzz_cluster found the UB) */
	assert_int_equal(json_value_bound(NULL, 0), 1);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = json_value_bound(t[i].in, strlen(t[i].in));
		if (n < t[i].at_least || n > t[i].at_most)
			fail_msg("%s: %zu values, expected %zu..%zu", t[i].in, n, t[i].at_least,
				 t[i].at_most);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),	   cmocka_unit_test(test_unicode),
	    cmocka_unit_test(test_items_streamed), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_depth_and_stop), cmocka_unit_test(test_value_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
