/* The report model: verdict, attack paths joined from findings, order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/finding.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "report/model.h"
#include "report/report.h"

static struct finding *add(struct result *r, const char *rule, enum status st, enum severity sev,
			   const char *target)
{
	const struct rule *ru = rule_find(rule);

	assert_non_null(ru);
	return finding_add(r, ru, st, sev, target, "fix it", "%s", "message");
}

static struct finding *binding(struct result *r, enum status st, const char *ns)
{
	struct finding *f =
	    add(r, "rbac-anonymous-binding", st, SEV_CRITICAL, "ClusterRoleBinding/legacy-read");

	finding_set_fact(f, "who", "anonymous");
	finding_set_fact(f, "namespace", ns);
	finding_set_fact(f, "grant", "read secrets");
	finding_set_fact(f, "grants", "secrets-read,read");
	return f;
}

static void access(struct result *r, const char *verb, const char *path, const char *src)
{
	struct finding *f = add(r, "audit-anonymous-access", STATUS_FAIL, SEV_CRITICAL, path);

	finding_set_fact(f, "verb", verb);
	finding_set_fact(f, "path", path);
	finding_set_fact(f, "sources", src);
	finding_set_fact(f, "count", "1");
}

static bool has_join(const struct report_path *p, const char *needle)
{
	for (size_t i = 0; i < p->njoin; i++)
		if (strstr(p->join[i], needle))
			return true;
	return false;
}

/* A binding, an API server with anonymous auth on, and the audit log's reads. */
static void test_rbac_proved_by_audit(void **state)
{
	struct result r;
	struct report_model m;

	(void)state;
	result_init(&r);
	add(&r, "apiserver-anonymous-auth", STATUS_FAIL, SEV_HIGH, "apiserver/cp-2");
	binding(&r, STATUS_FAIL, "payments");
	access(&r, "list", "/api/v1/namespaces/payments/secrets", "203.0.113.66");
	access(&r, "get", "/api/v1/namespaces/payments/secrets/db", "203.0.113.66");
	/* another namespace: not what this binding allows */
	access(&r, "list", "/api/v1/namespaces/web/secrets", "198.51.100.7");
	report_model_init(&m, &r);
	assert_int_equal(m.verdict, VERDICT_EXPOSED);
	assert_true(m.npath >= 1);
	assert_string_equal(m.path[0].kind, "rbac");
	assert_true(m.path[0].proved);
	assert_non_null(strstr(m.path[0].title, "read secrets in namespace payments"));
	assert_true(has_join(&m.path[0], "anonymous auth is ON on cp-2"));
	assert_true(has_join(&m.path[0], "2 successful anonymous requests"));
	assert_true(has_join(&m.path[0], "203.0.113.66"));
	assert_false(has_join(&m.path[0], "198.51.100.7"));
	/* the web read is explained by no binding: its own, observed path */
	assert_int_equal(m.npath, 2);
	assert_string_equal(m.path[1].kind, "audit");
	assert_true(m.path[1].proved);
	report_model_release(&m);
	result_release(&r);
}

/* Without audit or probe evidence the same binding is only possible. */
static void test_rbac_possible(void **state)
{
	struct result r;
	struct report_model m;

	(void)state;
	result_init(&r);
	add(&r, "apiserver-anonymous-auth", STATUS_FAIL, SEV_HIGH, "apiserver/cp-2");
	binding(&r, STATUS_FAIL, "");
	report_model_init(&m, &r);
	assert_int_equal(m.verdict, VERDICT_AT_RISK);
	assert_int_equal(m.npath, 1);
	assert_false(m.path[0].proved);
	assert_non_null(strstr(m.path[0].title, "cluster-wide"));
	report_model_release(&m);
	result_release(&r);
}

/* A binding the RBAC check downgraded (anonymous auth off): no path. */
static void test_rbac_downgraded(void **state)
{
	struct result r;
	struct report_model m;

	(void)state;
	result_init(&r);
	add(&r, "apiserver-anonymous-auth", STATUS_PASS, SEV_HIGH, "apiserver/cp-1");
	binding(&r, STATUS_WARN, "");
	report_model_init(&m, &r);
	assert_int_equal(m.npath, 0);
	assert_int_equal(m.verdict, VERDICT_CLEAN);
	report_model_release(&m);
	result_release(&r);
}

/* UNKNOWN is never a pass; nothing audited neither. */
static void test_incomplete(void **state)
{
	struct result r;
	struct report_model m;

	(void)state;
	result_init(&r);
	report_model_init(&m, &r);
	assert_int_equal(m.verdict, VERDICT_INCOMPLETE);
	report_model_release(&m);
	add(&r, "kubelet-anonymous-auth", STATUS_UNKNOWN, SEV_HIGH, "node/a");
	report_model_init(&m, &r);
	assert_int_equal(m.verdict, VERDICT_INCOMPLETE);
	assert_true(m.incomplete);
	report_model_release(&m);
	result_release(&r);
}

/* Areas in order; in each FAIL before WARN before PASS, most severe first. */
static void test_order(void **state)
{
	struct result r;
	struct report_model m;

	(void)state;
	result_init(&r);
	add(&r, "audit-log-gap", STATUS_FAIL, SEV_MEDIUM, "audit log");
	add(&r, "kubelet-read-only-port", STATUS_PASS, SEV_MEDIUM, "node/a");
	add(&r, "kubelet-configz-drift", STATUS_WARN, SEV_MEDIUM, "node/a");
	add(&r, "kubelet-read-only-port", STATUS_FAIL, SEV_MEDIUM, "node/b");
	add(&r, "kubelet-anonymous-auth", STATUS_FAIL, SEV_CRITICAL, "node/b");
	report_model_init(&m, &r);
	assert_int_equal(m.order[0], 4);
	assert_int_equal(m.order[1], 3);
	assert_int_equal(m.order[2], 2);
	assert_int_equal(m.order[3], 1);
	assert_int_equal(m.order[4], 0);
	assert_int_equal(m.area[0], AREA_AUDIT);
	assert_int_equal(m.problems[SEV_CRITICAL], 1);
	assert_int_equal(m.problems[SEV_MEDIUM], 2);
	/* kubelet anonymous auth without AlwaysAllow, and the read-only port */
	assert_int_equal(m.npath, 2);
	assert_string_equal(m.path[0].kind, "kubelet");
	assert_string_equal(m.path[1].kind, "read-only-port");
	report_model_release(&m);
	result_release(&r);
}

/* The probe proves a kubelet path when it reached that node. */
static void test_kubelet_probe(void **state)
{
	struct result r;
	struct report_model m;
	struct finding *f;

	(void)state;
	result_init(&r);
	add(&r, "kubelet-anonymous-auth", STATUS_FAIL, SEV_CRITICAL, "node/w1");
	add(&r, "kubelet-authorization-mode", STATUS_FAIL, SEV_CRITICAL, "node/w1");
	f = add(&r, "probe-kubelet-anonymous", STATUS_FAIL, SEV_CRITICAL, "https://w1:10250/pods");
	finding_set_fact(f, "server", "https://w1:10250");
	finding_set_fact(f, "code", "200");
	report_model_init(&m, &r);
	assert_int_equal(m.npath, 1);
	assert_true(m.path[0].proved);
	assert_non_null(strstr(m.path[0].title, "exec"));
	assert_true(has_join(&m.path[0], "200"));
	report_model_release(&m);
	result_release(&r);
}

/* Prometheus label values: quotes and backslashes escaped, controls visible. */
static void test_prom_label(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	report_prom_label(&sb, "uri", "/a\"b\\c\nd\x1b", true);
	/* the visible form of a control is itself text: its backslash escaped */
	assert_string_equal(sb.buf, "uri=\"/a\\\"b\\\\c\\\\x0ad\\\\x1b\",");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rbac_proved_by_audit),
	    cmocka_unit_test(test_rbac_possible),
	    cmocka_unit_test(test_rbac_downgraded),
	    cmocka_unit_test(test_incomplete),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_kubelet_probe),
	    cmocka_unit_test(test_prom_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
