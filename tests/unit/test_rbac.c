/*
 * RBAC matching (one test per rule of pkg/apis/rbac/v1/evaluation_helpers.go
 * and rule.go), aggregation, the rating model and the loader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rbac.h"
#include "model/rbac_match.h"
#include "model/rbac_model.h"
#include "checks/rbac_rate.h"
#include "core/strbuf.h"
#include "sources/file.h"
#include "sources/provider.h"

#define STRS(...)                                                                                  \
	((struct rbac_strs){(const char *[]){__VA_ARGS__},                                         \
			    sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)})
#define NONE ((struct rbac_strs){NULL, 0})

static struct rbac_rule mk(struct rbac_strs verbs, struct rbac_strs groups, struct rbac_strs res,
			   struct rbac_strs names, struct rbac_strs urls)
{
	struct rbac_rule r;

	memset(&r, 0, sizeof(r));
	r.verbs = verbs;
	r.groups = groups;
	r.resources = res;
	r.names = names;
	r.urls = urls;
	return r;
}

static struct rbac_request req(const char *verb, const char *group, const char *res,
			       const char *sub, const char *name, const char *ns)
{
	struct rbac_request q;

	memset(&q, 0, sizeof(q));
	q.resource = true;
	q.verb = verb;
	q.group = group;
	q.res = res;
	q.sub = sub;
	q.name = name;
	q.ns = ns;
	return q;
}

static void test_verbs(void **state)
{
	struct rbac_rule r = mk(STRS("get", "list"), STRS(""), STRS("pods"), NONE, NONE);
	struct rbac_rule all = mk(STRS("*"), STRS(""), STRS("pods"), NONE, NONE);
	(void)state;
	assert_true(rbac_verb_matches(&r, "get"));
	assert_false(rbac_verb_matches(&r, "watch"));
	assert_false(rbac_verb_matches(&r, "GET")); /* case-sensitive */
	assert_true(rbac_verb_matches(&all, "impersonate"));
}

static void test_groups(void **state)
{
	struct rbac_rule core = mk(STRS("get"), STRS(""), STRS("pods"), NONE, NONE);
	struct rbac_rule any = mk(STRS("get"), STRS("*"), STRS("pods"), NONE, NONE);
	(void)state;
	assert_true(rbac_group_matches(&core, ""));
	assert_false(rbac_group_matches(&core, "apps")); /* "" is the core group only */
	assert_true(rbac_group_matches(&any, "apps"));
	assert_true(rbac_group_matches(&any, ""));
}

static void test_resources(void **state)
{
	struct rbac_rule exact = mk(STRS("get"), STRS(""), STRS("pods", "pods/log"), NONE, NONE);
	struct rbac_rule star = mk(STRS("get"), STRS(""), STRS("*"), NONE, NONE);
	struct rbac_rule starsub = mk(STRS("get"), STRS(""), STRS("*/exec"), NONE, NONE);
	struct rbac_rule podstar = mk(STRS("get"), STRS(""), STRS("pods/*"), NONE, NONE);
	struct rbac_rule starstar = mk(STRS("get"), STRS(""), STRS("*/*"), NONE, NONE);
	(void)state;
	assert_true(rbac_resource_matches(&exact, "pods", NULL));
	assert_true(rbac_resource_matches(&exact, "pods", "log"));
	assert_false(rbac_resource_matches(&exact, "pods", "exec")); /* "pods" is not pods/exec */
	assert_true(rbac_resource_matches(&star, "secrets", NULL));
	assert_true(rbac_resource_matches(&star, "pods", "exec"));
	assert_true(rbac_resource_matches(&starsub, "pods", "exec"));
	assert_true(rbac_resource_matches(&starsub, "deployments", "exec"));
	assert_false(rbac_resource_matches(&starsub, "pods", NULL));
	assert_false(rbac_resource_matches(&starsub, "pods", "execx"));
	/* "pods/ *" is NOT a wildcard: it matches only a subresource named "*" */
	assert_false(rbac_resource_matches(&podstar, "pods", "exec"));
	assert_false(rbac_resource_matches(&podstar, "pods", NULL));
	assert_true(rbac_resource_matches(&podstar, "pods", "*"));
	assert_false(rbac_resource_matches(&starstar, "pods", "log"));
	assert_true(rbac_resource_bogus("pods/*"));
	assert_true(rbac_resource_bogus("*/*"));
	assert_false(rbac_resource_bogus("*"));
	assert_false(rbac_resource_bogus("*/scale"));
}

static void test_resource_names(void **state)
{
	struct rbac_rule named = mk(STRS("get", "create", "list"), STRS(""), STRS("configmaps"),
				    STRS("cluster-info"), NONE);
	struct rbac_request q = req("get", "", "configmaps", NULL, "cluster-info", "kube-public");
	(void)state;
	assert_true(rbac_rule_allows(&named, &q));
	q.name = "other";
	assert_false(rbac_rule_allows(&named, &q));
	q.verb = "create"; /* create carries no name */
	q.name = NULL;
	assert_false(rbac_rule_allows(&named, &q));
	q.verb = "list"; /* unfiltered list */
	assert_false(rbac_rule_allows(&named, &q));
	q.name = "cluster-info"; /* list with fieldSelector metadata.name */
	assert_true(rbac_rule_allows(&named, &q));
	assert_null(rbac_rule_ineffective(&named, false));
	named.verbs = STRS("create", "deletecollection");
	assert_non_null(rbac_rule_ineffective(&named, true));
}

static void test_urls(void **state)
{
	struct rbac_rule r =
	    mk(STRS("get"), NONE, NONE, NONE, STRS("/healthz", "/api*", "/apis/*", "/logs/**"));
	struct rbac_rule all = mk(STRS("get"), NONE, NONE, NONE, STRS("*"));
	struct rbac_rule h = mk(STRS("get"), NONE, NONE, NONE, STRS("/healthz/*"));
	struct rbac_request q;
	(void)state;
	assert_true(rbac_url_matches(&r, "/healthz"));
	assert_false(rbac_url_matches(&r, "/healthz/etcd"));
	assert_true(rbac_url_matches(&r, "/api"));
	assert_true(rbac_url_matches(&r, "/apis")); /* "/api*" is a plain prefix */
	assert_true(rbac_url_matches(&r, "/apis/apps"));
	assert_true(rbac_url_matches(&r, "/logs/x")); /* every trailing star trimmed */
	assert_false(rbac_url_matches(&r, "/version"));
	assert_true(rbac_url_matches(&all, "/anything"));
	assert_false(rbac_url_matches(&h, "/healthz"));
	assert_true(rbac_url_matches(&h, "/healthz/ping"));
	memset(&q, 0, sizeof(q));
	q.verb = "post";
	q.path = "/healthz";
	assert_false(rbac_rule_allows(&r, &q)); /* verb still applies */
	q.verb = "get";
	assert_true(rbac_rule_allows(&r, &q));
}

static void test_subjects(void **state)
{
	struct rbac_subject u = {"User", RBAC_ANON_USER, NULL, NULL, 1};
	struct rbac_subject g = {"Group", RBAC_ANON_GROUP, NULL, "rbac.authorization.k8s.io", 1};
	struct rbac_subject wrong1 = {"Group", RBAC_ANON_USER, NULL, NULL, 1};
	struct rbac_subject wrong2 = {"User", RBAC_ANON_GROUP, NULL, NULL, 1};
	struct rbac_subject auth = {"Group", RBAC_AUTH_GROUP, NULL, NULL, 1};
	struct rbac_subject sa = {"ServiceAccount", RBAC_ANON_USER, "default", NULL, 1};
	(void)state;
	assert_true(rbac_subject_applies(&u, WHO_ANONYMOUS));
	assert_true(rbac_subject_applies(&g, WHO_ANONYMOUS));
	assert_false(rbac_subject_applies(&wrong1, WHO_ANONYMOUS));
	assert_false(rbac_subject_applies(&wrong2, WHO_ANONYMOUS));
	assert_false(rbac_subject_applies(&auth, WHO_ANONYMOUS)); /* never for anonymous */
	assert_true(rbac_subject_applies(&auth, WHO_AUTHENTICATED));
	assert_false(rbac_subject_applies(&sa, WHO_ANONYMOUS));
}

static void test_binding_scope(void **state)
{
	struct rbac_binding crb, rb;
	struct rbac_request q = req("get", "", "pods", NULL, NULL, "team");
	struct rbac_rule url = mk(STRS("get"), NONE, NONE, NONE, STRS("/metrics"));
	(void)state;
	memset(&crb, 0, sizeof(crb));
	memset(&rb, 0, sizeof(rb));
	crb.cluster = true;
	crb.ns = "";
	rb.ns = "team";
	assert_true(rbac_binding_applies(&crb, &q));
	assert_true(rbac_binding_applies(&rb, &q));
	q.ns = "other";
	assert_false(rbac_binding_applies(&rb, &q));
	q.ns = NULL; /* cluster-scoped request */
	assert_false(rbac_binding_applies(&rb, &q));
	assert_true(rbac_binding_applies(&crb, &q));
	memset(&q, 0, sizeof(q));
	q.verb = "get";
	q.path = "/metrics"; /* non-resource: never through a RoleBinding */
	assert_false(rbac_binding_applies(&rb, &q));
	assert_true(rbac_binding_applies(&crb, &q));
	assert_non_null(rbac_rule_ineffective(&url, false));
	assert_null(rbac_rule_ineffective(&url, true));
}

static void test_selectors(void **state)
{
	struct rbac_label labels[] = {{"a", "1"}, {"b", "x"}};
	struct rbac_label want_a[] = {{"a", "1"}};
	struct rbac_label want_a2[] = {{"a", "2"}};
	struct rbac_sel_expr in = {"b", SEL_IN, STRS("x", "y")};
	struct rbac_sel_expr notin = {"b", SEL_NOT_IN, STRS("x")};
	struct rbac_sel_expr ex = {"c", SEL_EXISTS, NONE};
	struct rbac_sel_expr nex = {"c", SEL_NOT_EXISTS, NONE};
	struct rbac_selector s;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_true(rbac_selector_matches(&s, labels, 2)); /* empty selects everything */
	s.labels = want_a;
	s.nlabels = 1;
	assert_true(rbac_selector_matches(&s, labels, 2));
	s.labels = want_a2;
	assert_false(rbac_selector_matches(&s, labels, 2));
	s.nlabels = 0;
	s.expr = &in;
	s.nexpr = 1;
	assert_true(rbac_selector_matches(&s, labels, 2));
	s.expr = &notin;
	assert_false(rbac_selector_matches(&s, labels, 2));
	s.expr = &ex;
	assert_false(rbac_selector_matches(&s, labels, 2));
	s.expr = &nex;
	assert_true(rbac_selector_matches(&s, labels, 2));
}

static void load(struct rbac_set *s, const char *text, struct result *res)
{
	assert_int_equal(rbac_set_load_buf(s, text, strlen(text), "t.yaml", res), 0);
}

static const char nested[] =
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: top}\n"
    "aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-top: 'true'}}]}\n"
    "rules: [{apiGroups: [''], resources: [stale], verbs: [get]}]\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: mid, labels: {to-top: 'true'}}\n"
    "aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-mid: 'true'}},"
    " {matchExpressions: [{key: extra, operator: Exists}]}]}\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: b-leaf, labels: {to-mid: 'true'}}\n"
    "rules: [{apiGroups: [''], resources: [pods], verbs: [get]},"
    " {apiGroups: [''], resources: [secrets], verbs: [get]}]\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: a-leaf, labels: {to-mid: 'true', extra: 'x'}}\n"
    "rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: z-top-part, labels: {to-top: 'true'}}\n"
    "rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]\n";

static void test_aggregation_fixed_point(void **state)
{
	struct rbac_set s;
	struct result res;
	const struct rbac_role *top, *mid;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, nested, &res);
	rbac_set_resolve(&s);
	mid = rbac_set_find_role(&s, true, "", "mid", false);
	top = rbac_set_find_role(&s, true, "", "top", false);
	assert_non_null(mid);
	assert_non_null(top);
	/* mid: a-leaf (pods) then b-leaf (pods dropped as a duplicate, secrets) */
	assert_int_equal(mid->neff, 2);
	assert_string_equal(mid->eff[0]->resources.v[0], "pods");
	assert_string_equal(mid->eff[1]->resources.v[0], "secrets");
	assert_int_equal(mid->nparts, 2); /* a-leaf, b-leaf (a-leaf again via Exists: once) */
	/* top: its own "stale" rule is replaced; mid's rules, then z-top-part */
	assert_int_equal(top->neff, 3);
	assert_string_equal(top->eff[0]->resources.v[0], "pods");
	assert_string_equal(top->eff[2]->resources.v[0], "deployments");
	assert_int_equal(s.nissues, 0);
	rbac_set_release(&s);
	result_release(&res);
}

static void test_aggregation_corpus(void **state)
{
	const char *shared = getenv("SHARED");
	struct strbuf path = STRBUF_INIT;
	struct rbac_set s;
	struct result res;
	(void)state;
	strbuf_addf(&path,
		    "%s/corpus/rbac/aks-lts__kubernetes__plugin_pkg_auth_authorizer_"
		    "rbac_bootstrappolicy_testdata_cluster-roles.yaml",
		    shared ? shared : "../shared");
	if (!file_exists(path.buf)) {
		strbuf_release(&path);
		skip();
	}
	rbac_set_init(&s);
	result_init(&res);
	assert_int_equal(rbac_set_load_path(&s, provider_fs(), path.buf, &res), 1);
	rbac_set_resolve(&s);
	/* SOURCES.md: resolved admin has 29 rules, edit 27, view 12 */
	assert_int_equal(rbac_set_find_role(&s, true, "", "admin", false)->neff, 29);
	assert_int_equal(rbac_set_find_role(&s, true, "", "edit", false)->neff, 27);
	assert_int_equal(rbac_set_find_role(&s, true, "", "view", false)->neff, 12);
	rbac_set_release(&s);
	result_release(&res);
	strbuf_release(&path);
}

static void test_builtin_defaults(void **state)
{
	struct rbac_set s;
	const struct rbac_role *r;
	(void)state;
	rbac_set_init(&s);
	assert_null(rbac_set_find_role(&s, true, "", "system:public-info-viewer", false));
	r = rbac_set_find_role(&s, true, "", "system:public-info-viewer", true);
	assert_non_null(r);
	assert_null(r->file);
	assert_int_equal(r->neff, 1);
	assert_int_equal(rbac_set_find_role(&s, true, "", "view", true)->neff, 12);
	assert_null(rbac_set_find_role(&s, true, "", "no-such-role", true));
	assert_null(rbac_set_find_role(&s, false, "x", "view", true)); /* Roles: never */
	rbac_set_release(&s);
}

static enum rbac_level rate(const struct rbac_rule *r, bool cluster, const char *ns,
			    enum rbac_cap_id *top)
{
	struct rbac_grant g[RBAC_MAX_GRANTS];
	struct rbac_scope sc = {cluster, ns};
	size_t n = rbac_rate_rule(r, &sc, g);
	enum rbac_level l = LVL_NONE;

	for (size_t i = 0; i < n; i++) {
		if (g[i].level > l) {
			l = g[i].level;
			if (top)
				*top = g[i].cap;
		}
	}
	return l;
}

static void test_rating(void **state)
{
	struct rbac_rule secrets = mk(STRS("get"), STRS(""), STRS("secrets"), NONE, NONE);
	struct rbac_rule named = mk(STRS("get"), STRS(""), STRS("secrets"), STRS("ca"), NONE);
	struct rbac_rule mint = mk(STRS("create"), STRS(""), STRS("secrets"), NONE, NONE);
	struct rbac_rule info =
	    mk(STRS("get"), STRS(""), STRS("configmaps"), STRS("cluster-info"), NONE);
	struct rbac_rule pub = mk(STRS("get"), NONE, NONE, NONE,
				  STRS("/healthz", "/livez", "/readyz", "/version", "/version/"));
	struct rbac_rule disc = mk(STRS("get"), NONE, NONE, NONE, STRS("/api", "/apis/*"));
	struct rbac_rule logs = mk(STRS("get"), NONE, NONE, NONE, STRS("/logs/*"));
	struct rbac_rule bogus = mk(STRS("get"), STRS(""), STRS("pods/*"), NONE, NONE);
	struct rbac_rule nodes = mk(STRS("get"), STRS(""), STRS("nodes/proxy"), NONE, NONE);
	struct rbac_rule exec = mk(STRS("create"), STRS(""), STRS("*/exec"), NONE, NONE);
	struct rbac_rule crd =
	    mk(STRS("get", "create"), STRS("example.com"), STRS("widgets"), NONE, NONE);
	struct rbac_rule star = mk(STRS("*"), STRS("*"), STRS("*"), NONE, NONE);
	enum rbac_cap_id cap = CAP__COUNT;
	(void)state;
	assert_int_equal(rate(&secrets, true, "", &cap), LVL_CRITICAL);
	assert_int_equal(cap, CAP_SECRETS_READ);
	assert_int_equal(rate(&secrets, false, "team", NULL), LVL_HIGH);
	assert_int_equal(rate(&secrets, false, "kube-system", NULL), LVL_CRITICAL);
	assert_int_equal(rate(&named, true, "", NULL), LVL_MEDIUM);
	assert_int_equal(rate(&mint, false, "team", &cap), LVL_HIGH);
	assert_int_equal(cap, CAP_SECRETS_CREATE);
	assert_int_equal(rate(&info, false, "kube-public", &cap), LVL_BASELINE);
	assert_int_equal(cap, CAP_CLUSTER_INFO);
	assert_int_equal(rate(&info, false, "default", NULL), LVL_MEDIUM);
	assert_int_equal(rate(&pub, true, "", NULL), LVL_BASELINE);
	assert_int_equal(rate(&pub, false, "team", NULL), LVL_NONE); /* RoleBinding */
	assert_int_equal(rate(&disc, true, "", &cap), LVL_LOW);
	assert_int_equal(cap, CAP_DISCOVERY);
	assert_int_equal(rate(&logs, true, "", NULL), LVL_MEDIUM);
	assert_int_equal(rate(&bogus, true, "", NULL), LVL_NONE);
	assert_int_equal(rate(&nodes, true, "", &cap), LVL_CRITICAL);
	assert_int_equal(cap, CAP_NODES_PROXY);
	assert_int_equal(rate(&nodes, false, "kube-system", NULL), LVL_NONE); /* cluster-scoped */
	assert_int_equal(rate(&exec, false, "kube-system", &cap), LVL_CRITICAL);
	assert_int_equal(cap, CAP_PODS_EXEC);
	assert_int_equal(rate(&crd, true, "", NULL), LVL_MEDIUM);
	assert_int_equal(rate(&star, true, "", NULL), LVL_CRITICAL);
	assert_int_equal(rate(&star, false, "team", NULL), LVL_HIGH);
}

static void test_loader(void **state)
{
	static const char text[] =
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
	    "metadata: {name: bad}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role,"
	    " name: r}\n---\n"
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
	    "rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n---\n"
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n"
	    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n"
	    "subjects: [{kind: User, name: system:anonymous}]\n---\n"
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n"
	    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n---\n"
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
	struct rbac_set s;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nroles, 1);
	assert_int_equal(s.nbindings, 2);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(s.nissues, 2);
	assert_int_equal(s.issues[0].kind, RBAC_ISSUE_INVALID); /* CRB -> Role */
	assert_int_equal(s.issues[0].line, 4);
	assert_int_equal(s.issues[1].kind, RBAC_ISSUE_DUPLICATE);
	assert_true(s.bindings[0]->superseded);
	/* a namespace-less RoleBinding finds the namespace-less Role */
	assert_non_null(rbac_set_find_role(&s, false, s.bindings[0]->ns, "r", false));
	rbac_set_release(&s);
	result_release(&res);
}

static void test_json_stream(void **state)
{
	static const char text[] =
	    "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n"
	    "    {\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"ClusterRole\",\n"
	    "     \"metadata\": {\"name\": \"a\\u00e9\\ud83d\\ude00\"},\n"
	    "     \"rules\": [{\"apiGroups\": [\"\"], \"resources\": [\"pods\"], \"verbs\": "
	    "[\"get\"]}]},\n"
	    "    {\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"ClusterRole\",\n"
	    "     \"metadata\": {\"name\": \"b\"}, \"rules\": null}\n"
	    "  ],\n  \"kind\": \"List\", \"metadata\": {}\n}\n";
	struct rbac_set s;
	struct result res;
	(void)state;
	rbac_set_init(&s);
	result_init(&res);
	load(&s, text, &res);
	assert_int_equal(s.nroles, 2);
	assert_string_equal(s.roles[0]->name, "a\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(s.roles[0]->line, 4);
	assert_int_equal(s.roles[0]->rules[0].line, 6);
	assert_int_equal(s.roles[1]->nrules, 0);
	/* a syntax error names its line; objects before it are kept (an
	 * error that is no YAML flow style either: no YAML fallback) */
	assert_int_equal(rbac_set_load_buf(&s, "{\"kind\": \"List\", \"items\": [\n{\"a\": \"x\"]}",
					   39, "bad.json", &res),
			 -1);
	assert_true(s.input_error);
	assert_int_equal(res.nd, 1);
	assert_non_null(strstr(res.d[0].text, "bad.json:2:"));
	rbac_set_release(&s);
	result_release(&res);
}

static void test_check_findings(void **state)
{
	static const char text[] =
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
	    "metadata: {name: anon-secrets}\n"
	    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n"
	    "subjects: [{kind: Group, name: system:unauthenticated},"
	    " {kind: ServiceAccount, name: x, namespace: ci}]\n---\n"
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "
	    "reader}\n"
	    "rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]\n";
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
	assert_string_equal(res.f[0].rule->id, "rbac-anonymous-binding");
	assert_int_equal(res.f[0].status, STATUS_FAIL);
	assert_int_equal(res.f[0].severity, SEV_CRITICAL);
	/* another subject remains: a JSON patch, not a delete */
	assert_non_null(strstr(res.f[0].remediation, "kubectl patch clusterrolebinding "
						     "anon-secrets --type=json"));
	assert_non_null(strstr(res.f[0].remediation, "\"remove\",\"path\":\"/subjects/0\""));
	result_release(&res);
	/* anonymous auth off: downgraded */
	result_init(&res);
	o.anon = RBAC_ANON_AUTH_DISABLED;
	rbac_check(&s, &o, &res);
	assert_int_equal(res.f[0].status, STATUS_WARN);
	assert_int_equal(res.f[0].severity, SEV_HIGH);
	assert_non_null(strstr(res.f[0].message, "exposed only if anonymous auth is enabled"));
	result_release(&res);
	rbac_set_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verbs),
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_resources),
	    cmocka_unit_test(test_resource_names),
	    cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_subjects),
	    cmocka_unit_test(test_binding_scope),
	    cmocka_unit_test(test_selectors),
	    cmocka_unit_test(test_aggregation_fixed_point),
	    cmocka_unit_test(test_aggregation_corpus),
	    cmocka_unit_test(test_builtin_defaults),
	    cmocka_unit_test(test_rating),
	    cmocka_unit_test(test_loader),
	    cmocka_unit_test(test_json_stream),
	    cmocka_unit_test(test_check_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
