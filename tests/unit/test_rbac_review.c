/*
 * Regression tests from the correctness review of `kanon rbac` against
 * upstream Kubernetes: each fails without its fix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rbac.h"
#include "model/rbac_model.h"
#include "core/strbuf.h"
#include "parsers/yaml.h"

#define HDR "apiVersion: rbac.authorization.k8s.io/v1\n"

static void load(struct rbac_set *s, const char *text, struct result *res)
{
	assert_int_equal(rbac_set_load_buf(s, text, strlen(text), "t.yaml", res), 0);
}

static size_t count_rule(const struct result *res, const char *id, enum status st)
{
	size_t n = 0;

	for (size_t i = 0; i < res->n; i++)
		n += !strcmp(res->f[i].rule->id, id) && res->f[i].status == st;
	return n;
}

/* pkg/apis/rbac/v1/defaults.go: an empty roleRef.apiGroup is defaulted to
 * rbac.authorization.k8s.io, so the binding is valid and grants. */
static void test_roleref_apigroup_defaulted(void **state)
{
	static const char text[] =
	    HDR "kind: ClusterRoleBinding\nmetadata: {name: open}\n"
		"roleRef: {kind: ClusterRole, name: cluster-admin}\n"
		"subjects: [{kind: Group, name: system:unauthenticated}]\n"
		"---\n" HDR "kind: ClusterRoleBinding\nmetadata: {name: bad}\n"
		"roleRef: {apiGroup: example.com, kind: ClusterRole, name: x}\n"
		"subjects: [{kind: Group, name: system:unauthenticated}]\n";
	struct rbac_set s;
	struct rbac_opts o;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	rbac_opts_init(&o);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nbindings, 1);
	rbac_check(&s, &o, &res);
	assert_int_equal(count_rule(&res, "rbac-anonymous-binding", STATUS_FAIL), 1);
	assert_int_equal(count_rule(&res, "rbac-invalid-object", STATUS_INVALID), 1);
	for (size_t i = 0; i < res.n; i++)
		if (!strcmp(res.f[i].rule->id, "rbac-anonymous-binding"))
			assert_int_equal(res.f[i].severity, SEV_CRITICAL);
	result_release(&res);
	rbac_set_release(&s);
}

/* The fix removes only subjects that match anonymous requests: Group
 * system:anonymous matches none, but may match a real identity (a client
 * certificate with O=system:anonymous), so it stays. */
static void test_remediation_keeps_lookalikes(void **state)
{
	static const char text[] = HDR "kind: ClusterRoleBinding\nmetadata: {name: b}\n"
				       "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "
				       "ClusterRole, name: cluster-admin}\n"
				       "subjects: [{kind: User, name: system:anonymous},"
				       " {kind: Group, name: system:anonymous}]\n";
	struct rbac_set s;
	struct rbac_opts o;
	struct result res;
	const struct finding *f = NULL;
	(void)state;
	rbac_set_init(&s);
	rbac_opts_init(&o);
	result_init(&res);
	load(&s, text, &res);
	rbac_check(&s, &o, &res);
	for (size_t i = 0; i < res.n; i++)
		if (!strcmp(res.f[i].rule->id, "rbac-anonymous-binding"))
			f = &res.f[i];
	assert_non_null(f);
	assert_null(strstr(f->remediation, "kubectl delete"));
	assert_non_null(strstr(f->remediation, "kubectl patch clusterrolebinding b --type=json"));
	assert_non_null(strstr(f->remediation, "\"remove\",\"path\":\"/subjects/0\""));
	assert_null(strstr(f->remediation, "/subjects/1"));
	assert_int_equal(count_rule(&res, "rbac-ineffective-subject", STATUS_WARN), 1);
	result_release(&res);
	rbac_set_release(&s);
}

/* ValidateClusterRole: an aggregationRule needs at least one selector, and
 * each must be a valid label selector (labels.NewRequirement). */
static void test_selector_validation(void **state)
{
	static const char *const bad[] = {
	    "aggregationRule: {}\n",
	    "aggregationRule: {clusterRoleSelectors: []}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: "
	    "In}]}]}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: "
	    "NotIn, "
	    "values: []}]}]}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: "
	    "Exists, "
	    "values: [x]}]}]}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: x}]}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [x]}]}\n",
	    "aggregationRule: {clusterRoleSelectors: [x]}\n",
	    "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: Gt, "
	    "values: ['1']}]}]}\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rbac_set s;
		struct result res;
		struct strbuf t = STRBUF_INIT;

		strbuf_addf(&t, HDR "kind: ClusterRole\nmetadata: {name: agg}\n%s", bad[i]);
		rbac_set_init(&s);
		result_init(&res);
		load(&s, t.buf, &res);
		assert_int_equal(s.nroles, 0);
		assert_int_equal(s.nissues, 1);
		assert_int_equal(s.issues[0].kind, RBAC_ISSUE_INVALID);
		result_release(&res);
		rbac_set_release(&s);
		strbuf_release(&t);
	}
}

/* A null selector decodes to the empty LabelSelector, which
 * LabelSelectorAsSelector turns into labels.Everything(): every other
 * ClusterRole, including the bootstrap cluster-admin. NotIn matches a
 * role without the label. */
static void test_selector_everything_and_notin(void **state)
{
	static const char text[] =
	    HDR "kind: ClusterRole\nmetadata: {name: all}\n"
		"aggregationRule: {clusterRoleSelectors: [null]}\n---\n" HDR
		"kind: ClusterRole\nmetadata: {name: notin}\n"
		"aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: tier, "
		"operator: NotIn, values: [gold]}, {key: mine, operator: Exists}]}]}\n---\n" HDR
		"kind: ClusterRole\nmetadata: {name: part, labels: {mine: 'y'}}\n"
		"rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n---\n" HDR
		"kind: ClusterRole\nmetadata: {name: gold, labels: {mine: 'y', tier: gold}}\n"
		"rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]\n";
	struct rbac_set s;
	struct result res;
	const struct rbac_role *all, *notin;
	bool star = false;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nissues, 0);
	rbac_set_resolve(&s);
	all = rbac_set_find_role(&s, true, "", "all", false);
	notin = rbac_set_find_role(&s, true, "", "notin", false);
	assert_non_null(all);
	assert_non_null(notin);
	for (size_t i = 0; i < all->neff; i++)
		star |= all->eff[i]->verbs.n && !strcmp(all->eff[i]->verbs.v[0], "*");
	assert_true(star); /* cluster-admin's rules */
	for (size_t i = 0; i < all->nparts; i++)
		assert_string_not_equal(all->parts[i]->name, "all"); /* self excluded */
	assert_int_equal(notin->nparts, 1);
	assert_string_equal(notin->parts[0]->name, "part");
	result_release(&res);
	rbac_set_release(&s);
}

/* The bootstrap ClusterRoles exist on every cluster, so they take part in
 * aggregation even when the input lacks them; and the defaults aggregate
 * the input's labelled roles. */
static void test_builtin_aggregation(void **state)
{
	static const char text[] =
	    HDR "kind: ClusterRole\nmetadata: {name: anon-view}\n"
		"aggregationRule: {clusterRoleSelectors: [{matchLabels: "
		"{rbac.authorization.k8s.io/aggregate-to-view: 'true'}}]}\n---\n" HDR
		"kind: ClusterRole\nmetadata: {name: crd-view, labels: "
		"{rbac.authorization.k8s.io/aggregate-to-view: 'true'}}\n"
		"rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get]}]\n";
	struct rbac_set s;
	struct result res;
	const struct rbac_role *av, *view;
	size_t nroles;
	bool widgets = false;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	rbac_set_resolve(&s);
	av = rbac_set_find_role(&s, true, "", "anon-view", false);
	assert_non_null(av);
	assert_int_equal(av->nparts, 2); /* crd-view, system:aggregate-to-view */
	assert_string_equal(av->parts[0]->name, "crd-view");
	assert_string_equal(av->parts[1]->name, "system:aggregate-to-view");
	assert_true(av->neff > 5);
	view = rbac_set_find_role(&s, true, "", "view", false);
	assert_non_null(view);
	assert_null(view->file); /* kanon's copy */
	for (size_t i = 0; i < view->neff; i++)
		widgets |= !strcmp(view->eff[i]->resources.v[0], "widgets");
	assert_true(widgets);
	nroles = s.nroles;
	rbac_set_resolve(&s); /* idempotent */
	assert_int_equal(s.nroles, nroles);
	assert_int_equal(av->nparts, 2);
	assert_string_equal(av->parts[1]->name, "system:aggregate-to-view");
	result_release(&res);
	rbac_set_release(&s);
}

/* validatePolicyRule: nonResourceURLs cannot be combined with resourceNames. */
static void test_url_rule_with_names_invalid(void **state)
{
	static const char text[] = HDR "kind: ClusterRole\nmetadata: {name: r}\n"
				       "rules: [{verbs: [get], nonResourceURLs: [/healthz], "
				       "resourceNames: [x]}]\n";
	struct rbac_set s;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nroles, 0);
	assert_int_equal(s.nissues, 1);
	assert_int_equal(s.issues[0].kind, RBAC_ISSUE_INVALID);
	result_release(&res);
	rbac_set_release(&s);
}

/* ValidateRBACName: names are URL path segments. */
static void test_bad_names_invalid(void **state)
{
	static const char text[] = HDR "kind: ClusterRole\nmetadata: {name: a/b}\n---\n" HDR
				       "kind: ClusterRoleBinding\nmetadata: {name: ok}\n"
				       "roleRef: {kind: ClusterRole, name: '50%'}\n---\n" HDR
				       "kind: Role\nmetadata: {name: '..', namespace: x}\n";
	struct rbac_set s;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nroles + s.nbindings, 0);
	assert_int_equal(s.nissues, 3);
	result_release(&res);
	rbac_set_release(&s);
}

/* The loader's fast path for plain scalars agrees with node_get_string()
 * (YAML 1.1 booleans, numbers, inf/nan are not strings). */
static void test_scalar_fast_path(void **state)
{
	static const char *const words[] = {"get",
					    "pods",
					    "Yes",
					    "yes",
					    "y",
					    "on",
					    "Off",
					    "true",
					    "1",
					    "-1",
					    "+5",
					    ".5",
					    "_1",
					    "0x1f",
					    "inf",
					    "NaN",
					    "Infinity",
					    "nan-ish",
					    "infra",
					    "o",
					    "node",
					    "tru",
					    "system:anonymous",
					    "/healthz",
					    "a_1"};
	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct rbac_set s;
		struct result res;
		struct yaml_docs d = {0};
		struct strbuf t = STRBUF_INIT;
		const char *v;
		bool str;

		assert_int_equal(yaml_parse(words[i], strlen(words[i]), "w", &d, NULL), 0);
		str = node_get_string(d.doc[0], &v) == 0;
		yaml_docs_release(&d);
		strbuf_addf(&t,
			    HDR "kind: ClusterRole\nmetadata: {name: r}\n"
				"rules: [{apiGroups: [''], resources: [%s], verbs: [get]}]\n",
			    words[i]);
		rbac_set_init(&s);
		result_init(&res);
		load(&s, t.buf, &res);
		if (s.nroles != (str ? 1u : 0u))
			fail_msg("'%s': node_get_string %s, loader %zu roles", words[i],
				 str ? "accepts" : "refuses", s.nroles);
		result_release(&res);
		rbac_set_release(&s);
		strbuf_release(&t);
	}
}

/* No RBAC object at all is unknown, not clean (exit code 3, not 0). */
static void test_no_rbac_objects_unknown(void **state)
{
	static const char text[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
				   "kind: ClusterRoleBinding\nmetadata: {name: no-apiversion}\n";
	struct rbac_set s;
	struct rbac_opts o;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	rbac_opts_init(&o);
	result_init(&res);
	load(&s, text, &res);
	rbac_check(&s, &o, &res);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.f[0].status, STATUS_UNKNOWN);
	result_release(&res);
	rbac_set_release(&s);
}

/* `{kind: ..., ...}` looks like JSON but is YAML flow style (kubectl
 * accepts it): read as YAML rather than refused. Real JSON errors stay. */
static void test_flow_yaml_not_json(void **state)
{
	static const char flow[] = "{apiVersion: rbac.authorization.k8s.io/v1, kind: "
				   "ClusterRoleBinding, metadata: {name: x}, roleRef: {kind: "
				   "ClusterRole, name: cluster-admin}, subjects: [{kind: Group, "
				   "name: system:unauthenticated}]}\n";
	static const char bad[] = "{\"kind\": \"List\", \"items\": [{\"a\": \"x\"]}";
	struct rbac_set s;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, flow, &res);
	assert_int_equal(s.nbindings, 1);
	assert_int_equal(rbac_set_load_buf(&s, bad, strlen(bad), "bad.json", &res), -1);
	assert_non_null(strstr(res.d[res.nd - 1].text, "invalid JSON"));
	result_release(&res);
	rbac_set_release(&s);
}

/* ===== yaml_parse_stream ===== */

struct got {
	struct strbuf log;
	int stop_at; /* stop after this many callbacks (0: never) */
	int calls;
};

static int on_value(struct node *n, bool is_item, void *ctx)
{
	struct got *g = ctx;
	const struct node *k = node_map_get(n, "kind");
	const struct node *items = node_map_get(n, "items");
	const struct node *ref = node_map_get(n, "ref");

	strbuf_addf(&g->log, "%s%s:%d", is_item ? "item" : "doc", k && k->str ? k->str : "-",
		    n->line);
	if (items && items->kind == NODE_SEQ)
		strbuf_addf(&g->log, "[%zu]", items->n);
	if (ref && ref->kind == NODE_SEQ)
		strbuf_addf(&g->log, "<%zu>", ref->n);
	strbuf_addch(&g->log, ' ');
	node_destroy(n);
	return ++g->calls == g->stop_at ? 7 : 0;
}

static void test_yaml_stream_items(void **state)
{
	static const char text[] = "apiVersion: v1\n"
				   "items:\n"
				   "- kind: A\n"
				   "  shared: &s [1, 2, 3]\n"
				   "- kind: B\n"
				   "  ref: *s\n"
				   "- ~\n"
				   "kind: List\n"
				   "---\n"
				   "kind: Other\n"
				   "items: not-a-list\n"
				   "---\n"
				   "- kind: Bare\n";
	struct got g = {STRBUF_INIT, 0, 0};
	struct err e;
	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(yaml_parse_stream(text, strlen(text), "l.yaml", true, on_value, &g, &e),
			 0);
	/* items one by one, the alias to an earlier item's anchor still works,
	 * then the List with an empty items; a non-list "items" stays */
	assert_string_equal(g.log.buf,
			    "itemA:3 itemB:5<3> item-:7 docList:1[0] docOther:10 doc-:13 ");
	strbuf_release(&g.log);

	/* without split_items: whole documents */
	g = (struct got){STRBUF_INIT, 0, 0};
	assert_int_equal(yaml_parse_stream(text, strlen(text), "l.yaml", false, on_value, &g, &e),
			 0);
	assert_string_equal(g.log.buf, "docList:1[3] docOther:10 doc-:13 ");
	strbuf_release(&g.log);

	/* a nonzero callback return stops and is returned */
	g = (struct got){STRBUF_INIT, 2, 0};
	assert_int_equal(yaml_parse_stream(text, strlen(text), "l.yaml", true, on_value, &g, &e),
			 7);
	assert_string_equal(g.log.buf, "itemA:3 itemB:5<3> ");
	strbuf_release(&g.log);

	/* a syntax error in an item: the items before it were delivered */
	g = (struct got){STRBUF_INIT, 0, 0};
	assert_int_equal(yaml_parse_stream("items:\n- kind: A\n- kind: [B\n", 27, "e.yaml", true,
					   on_value, &g, &e),
			 -1);
	assert_string_equal(g.log.buf, "itemA:2 ");
	assert_string_equal(e.file, "e.yaml");
	assert_true(e.line >= 3); /* libyaml reports the unclosed flow at EOF */
	strbuf_release(&g.log);
}

/* The node budget applies per item: a List bigger than YAML_MAX_NODES in
 * total streams fine, while yaml_parse() refuses it. */
static void test_yaml_stream_budget(void **state)
{
	struct strbuf t = STRBUF_INIT;
	struct got g = {STRBUF_INIT, 0, 0};
	struct yaml_docs d = {0};
	struct err e;
	size_t items = YAML_MAX_NODES / 100 + 10;
	(void)state;
	strbuf_addstr(&t, "kind: List\nitems:\n");
	for (size_t i = 0; i < items; i++) {
		strbuf_addstr(&t, "- [");
		for (int j = 0; j < 100; j++)
			strbuf_addstr(&t, j ? ",1" : "1");
		strbuf_addstr(&t, "]\n");
	}
	memset(&e, 0, sizeof(e));
	assert_int_equal(yaml_parse(t.buf, t.len, "big.yaml", &d, &e), -1);
	assert_non_null(strstr(e.msg, "too large"));
	yaml_docs_release(&d);
	assert_int_equal(yaml_parse_stream(t.buf, t.len, "big.yaml", true, on_value, &g, &e), 0);
	assert_int_equal(g.calls, (int)items + 1);
	strbuf_release(&g.log);
	strbuf_release(&t);
}

/* Anchor copies kept across items have a budget of their own. */
static void test_yaml_stream_anchor_bomb(void **state)
{
	static const char text[] = "items:\n"
				   "- a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				   "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				   "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				   "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				   "- e: &f [*e, *e, *e]\n"
				   "- f: &g [*f, *f, *f]\n"
				   "- g: &h [*g, *g, *g]\n"
				   "- h: &i [*h, *h, *h]\n"
				   "- i: &j [*i, *i, *i]\n";
	struct got g = {STRBUF_INIT, 0, 0};
	struct err e;
	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(yaml_parse_stream(text, strlen(text), "bomb", true, on_value, &g, &e), -1);
	/* the alias budget (over the whole input) stops it first */
	assert_true(strstr(e.msg, "too large") || strstr(e.msg, "aliasing"));
	strbuf_release(&g.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roleref_apigroup_defaulted),
	    cmocka_unit_test(test_remediation_keeps_lookalikes),
	    cmocka_unit_test(test_selector_validation),
	    cmocka_unit_test(test_selector_everything_and_notin),
	    cmocka_unit_test(test_builtin_aggregation),
	    cmocka_unit_test(test_url_rule_with_names_invalid),
	    cmocka_unit_test(test_bad_names_invalid),
	    cmocka_unit_test(test_scalar_fast_path),
	    cmocka_unit_test(test_no_rbac_objects_unknown),
	    cmocka_unit_test(test_flow_yaml_not_json),
	    cmocka_unit_test(test_yaml_stream_items),
	    cmocka_unit_test(test_yaml_stream_budget),
	    cmocka_unit_test(test_yaml_stream_anchor_bomb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
