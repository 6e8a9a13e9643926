#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/kubeadm_config.h"

/* Parse text as file "k.yaml"; returns kubeadm_apiserver_parse()'s value. */
static int parse(const char *text, struct kubeadm_apiserver *k, struct result *res, struct err *e)
{
	kubeadm_apiserver_init(k);
	result_init(res);
	memset(e, 0, sizeof(*e));
	return kubeadm_apiserver_parse(text, strlen(text), "k.yaml", k, res, e);
}

/* The index of word w in argv, or -1. */
static long find(const struct argv_list *a, const char *w)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], w))
			return (long)i;
	return -1;
}

static size_t count_prefix(const struct argv_list *a, const char *p)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += starts_with(a->v[i], p);
	return n;
}

static bool has_diag(const struct result *res, const char *needle)
{
	for (size_t i = 0; i < res->nd; i++)
		if (strstr(res->d[i].text, needle))
			return true;
	return false;
}

static void done(struct kubeadm_apiserver *k, struct result *res)
{
	kubeadm_apiserver_release(k);
	result_release(res);
}

static void test_v1beta3_map(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta3\n"
			"kind: ClusterConfiguration\n"
			"kubernetesVersion: v1.31.2\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"    anonymous-auth: \"false\"\n"
			"    audit-log-path: /var/log/audit.log\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;
	const struct argv_origin *at;
	long i;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_string_equal(k.argv.v[0], "kube-apiserver");
	assert_string_equal(k.api_version, "kubeadm.k8s.io/v1beta3");
	assert_string_equal(k.k8s_version, "v1.31.2");
	assert_int_equal(k.k8s_version_line, 3);
	i = find(&k.argv, "--anonymous-auth=false");
	assert_true(i > 0);
	at = argv_origin(&k.argv, (size_t)i);
	assert_non_null(at);
	assert_string_equal(at->path, "k.yaml");
	assert_int_equal(at->line, 6);
	/* kubeadm's defaults: Node,RBAC, no file, a note citing upstream */
	i = find(&k.argv, "--authorization-mode=Node,RBAC");
	assert_true(i > 0);
	at = argv_origin(&k.argv, (size_t)i);
	assert_null(at->path);
	assert_non_null(strstr(at->note, "getAPIServerCommand"));
	assert_true(find(&k.argv, "--client-ca-file=/etc/kubernetes/pki/ca.crt") > 0);
	assert_true(find(&k.argv, "--service-cluster-ip-range=10.96.0.0/12") > 0);
	assert_true(find(&k.argv, "--etcd-servers=https://127.0.0.1:2379") > 0);
	/* sorted by name (ArgumentsToCommand) */
	for (size_t j = 2; j < k.argv.n; j++)
		assert_true(strcmp(k.argv.v[j - 1], k.argv.v[j]) <= 0);
	done(&k, &res);
}

/* v1beta4: a repeated name is written once per entry, sorted by value. */
static void test_v1beta4_repeat_sorted(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"  - name: anonymous-auth\n"
			"    value: \"true\"\n"
			"  - name: anonymous-auth\n"
			"    value: \"false\"\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;
	long f, t;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	f = find(&k.argv, "--anonymous-auth=false");
	t = find(&k.argv, "--anonymous-auth=true");
	assert_true(f > 0 && t == f + 1);
	assert_int_equal(argv_origin(&k.argv, (size_t)t)->line, 5);
	assert_int_equal(argv_origin(&k.argv, (size_t)f)->line, 7);
	assert_true(has_diag(&res, "anonymous-auth 2 times"));
	done(&k, &res);
}

/* An extraArgs name drops kubeadm's default of that name. */
static void test_extra_arg_replaces_default(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"  - name: authorization-mode\n"
			"    value: AlwaysAllow\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_int_equal(count_prefix(&k.argv, "--authorization-mode="), 1);
	assert_true(find(&k.argv, "--authorization-mode=AlwaysAllow") > 0);
	done(&k, &res);
}

/* authorization-config in extraArgs: kubeadm sets no --authorization-mode. */
static void test_authz_config_no_mode(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"  - name: authorization-config\n"
			"    value: /etc/kubernetes/authz.yaml\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_int_equal(count_prefix(&k.argv, "--authorization-mode"), 0);
	done(&k, &res);
}

/* certificatesDir, networking and localAPIEndpoint feed the defaults. */
static void test_fields(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: InitConfiguration\n"
			"localAPIEndpoint:\n"
			"  advertiseAddress: 10.1.2.3\n"
			"  bindPort: 8443\n"
			"---\n"
			"apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"certificatesDir: /pki/\n"
			"networking:\n"
			"  dnsDomain: example.local\n"
			"etcd:\n"
			"  external:\n"
			"    endpoints: [https://e1:2379, https://e2:2379]\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;
	long i;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	i = find(&k.argv, "--client-ca-file=/pki/ca.crt");
	assert_true(i > 0);
	assert_int_equal(argv_origin(&k.argv, (size_t)i)->line, 9);
	assert_true(find(&k.argv, "--advertise-address=10.1.2.3") > 0);
	assert_true(find(&k.argv, "--secure-port=8443") > 0);
	assert_true(
	    find(&k.argv, "--service-account-issuer=https://kubernetes.default.svc.example.local") >
	    0);
	assert_true(find(&k.argv, "--etcd-servers=https://e1:2379,https://e2:2379") > 0);
	assert_int_equal(count_prefix(&k.argv, "--etcd-cafile"), 0);
	done(&k, &res);
}

/* Empty strings and a zero port take kubeadm's defaults (SetDefaults_*). */
static void test_empty_defaults(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: InitConfiguration\n"
			"localAPIEndpoint: {bindPort: 0}\n"
			"---\n"
			"apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"certificatesDir: \"\"\n"
			"networking: {serviceSubnet: \"\", dnsDomain: \"\"}\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_true(find(&k.argv, "--client-ca-file=/etc/kubernetes/pki/ca.crt") > 0);
	assert_true(find(&k.argv, "--service-cluster-ip-range=10.96.0.0/12") > 0);
	assert_true(
	    find(&k.argv, "--service-account-issuer=https://kubernetes.default.svc.cluster.local") >
	    0);
	assert_true(find(&k.argv, "--secure-port=6443") > 0);
	done(&k, &res);
}

/* v1beta3 and v1beta4 ClusterConfigurations in one file: v1beta4 is decoded last. */
static void test_later_version_wins(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"  - {name: anonymous-auth, value: \"false\"}\n"
			"---\n"
			"apiVersion: kubeadm.k8s.io/v1beta3\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"    anonymous-auth: \"true\"\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_string_equal(k.api_version, "kubeadm.k8s.io/v1beta4");
	assert_true(find(&k.argv, "--anonymous-auth=false") > 0);
	assert_int_equal(find(&k.argv, "--anonymous-auth=true"), -1);
	done(&k, &res);
}

static void test_not_kubeadm(void **state)
{
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse("apiVersion: v1\nkind: Pod\n", &k, &res, &e), 0);
	assert_int_equal(k.argv.n, 0);
	done(&k, &res);
}

/* What kubeadm refuses: an error with the line, never a command line. */
static void expect_error(const char *y, int line, const char *needle)
{
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	assert_int_equal(parse(y, &k, &res, &e), -1);
	assert_int_equal(e.line, line);
	if (!strstr(e.msg, needle))
		fail_msg("'%s' not in '%s'", needle, e.msg);
	assert_int_equal(k.argv.n, 0);
	done(&k, &res);
}

static void test_refused(void **state)
{
	(void)state;
	expect_error("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n"
		     "apiServer:\n  extraArgs:\n    anonymous-auth: false\n",
		     5, "cannot unmarshal a boolean into a string");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
		     "apiServer:\n  extraArgs:\n    anonymous-auth: \"false\"\n",
		     5, "v1beta4 takes a list");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n"
		     "apiServer:\n  extraArgs:\n  - name: anonymous-auth\n    value: \"false\"\n",
		     5, "v1beta3 takes a map");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
		     "apiServer:\n  extraArgs:\n  - value: \"false\"\n",
		     5, "without a name");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n", 2,
		     "old API spec");
	expect_error("apiVersion: kubeadm.k8s.io/v9\nkind: ClusterConfiguration\n", 2,
		     "refuses the file");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n---\n"
		     "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n",
		     5, "given twice");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n---\n"
		     "cgroupDriver: systemd\n",
		     4, "mandatory");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\n", 2,
		     "kubeadm-config");
	expect_error("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"
		     "localAPIEndpoint:\n  bindPort: \"6443\"\n",
		     4, "int32");
}

/* A field spelled with other case is dropped by kubeadm: warn, use defaults. */
static void test_field_case(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta4\n"
			"kind: ClusterConfiguration\n"
			"apiserver:\n"
			"  extraArgs:\n"
			"  - {name: anonymous-auth, value: \"false\"}\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_int_equal(count_prefix(&k.argv, "--anonymous-auth"), 0);
	assert_true(has_diag(&res, "case-sensitive"));
	done(&k, &res);
}

static void test_bounds(void **state)
{
	struct strbuf y = STRBUF_INIT;
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	strbuf_addstr(&y, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
			  "apiServer:\n  extraArgs:\n");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&y, "  - {name: a%d, value: x}\n", i);
	assert_int_equal(parse(y.buf, &k, &res, &e), -1);
	assert_non_null(strstr(e.msg, "more than"));
	done(&k, &res);
	strbuf_reset(&y);
	for (int i = 0; i < 300; i++)
		strbuf_addf(&y, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: K%d\n---\n", i);
	assert_int_equal(parse(y.buf, &k, &res, &e), -1);
	assert_non_null(strstr(e.msg, "more than"));
	done(&k, &res);
	strbuf_release(&y);
}

/* kubectl get configmap kubeadm-config: the embedded text, lines of the file. */
static void test_configmap(void **state)
{
	const char *block = "apiVersion: v1\n"
			    "kind: ConfigMap\n"
			    "data:\n"
			    "  ClusterConfiguration: |\n"
			    "    apiVersion: kubeadm.k8s.io/v1beta3\n"
			    "    kind: ClusterConfiguration\n"
			    "    apiServer:\n"
			    "      extraArgs:\n"
			    "        anonymous-auth: \"true\"\n";
	const char *json = "{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\",\n"
			   " \"data\": {\"ClusterConfiguration\": \"apiVersion: "
			   "kubeadm.k8s.io/v1beta3\\nkind: ClusterConfiguration\\n\"}}\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;
	long i;

	(void)state;
	assert_int_equal(parse(block, &k, &res, &e), 1);
	i = find(&k.argv, "--anonymous-auth=true");
	assert_true(i > 0);
	assert_int_equal(argv_origin(&k.argv, (size_t)i)->line, 9);
	assert_int_equal(k.cluster_line, 6);
	done(&k, &res);
	assert_int_equal(parse(json, &k, &res, &e), 1);
	assert_int_equal(k.cluster_line, 2);
	done(&k, &res);
	/* a ConfigMap with other data is no kubeadm config */
	assert_int_equal(parse("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n", &k, &res, &e),
			 0);
	done(&k, &res);
	expect_error("apiVersion: v1\nkind: ConfigMap\ndata:\n  ClusterConfiguration: |\n"
		     "    a: b\n",
		     4, "no kubeadm ClusterConfiguration");
}

/* sigs.k8s.io/yaml turns a map key such as 1 into the string "1". */
static void test_non_string_key(void **state)
{
	const char *y = "apiVersion: kubeadm.k8s.io/v1beta3\n"
			"kind: ClusterConfiguration\n"
			"apiServer:\n"
			"  extraArgs:\n"
			"    1: x\n";
	struct kubeadm_apiserver k;
	struct result res;
	struct err e;

	(void)state;
	assert_int_equal(parse(y, &k, &res, &e), 1);
	assert_true(find(&k.argv, "--1=x") > 0);
	done(&k, &res);
}

static void test_version_minor(void **state)
{
	(void)state;
	assert_int_equal(kubeadm_version_minor("v1.31.2"), 31);
	assert_int_equal(kubeadm_version_minor("1.30"), 30);
	assert_int_equal(kubeadm_version_minor("stable-1.32"), 32);
	assert_int_equal(kubeadm_version_minor("stable"), -1);
	assert_int_equal(kubeadm_version_minor("latest"), -1);
	assert_int_equal(kubeadm_version_minor("ci/latest-1.33"), -1);
	assert_int_equal(kubeadm_version_minor(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v1beta3_map),
	    cmocka_unit_test(test_v1beta4_repeat_sorted),
	    cmocka_unit_test(test_extra_arg_replaces_default),
	    cmocka_unit_test(test_authz_config_no_mode),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_empty_defaults),
	    cmocka_unit_test(test_later_version_wins),
	    cmocka_unit_test(test_not_kubeadm),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_field_case),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_configmap),
	    cmocka_unit_test(test_non_string_key),
	    cmocka_unit_test(test_version_minor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
