#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/apiserver.h"
#include "model/apiserver_config.h"
#include "model/apiserver_manifest.h"
#include "core/strbuf.h"
#include "core/util.h"

/* ------------------------------------------------------------ helpers */

static char *write_tmp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	size_t need = strlen(dir && *dir ? dir : "/tmp") + 40;
	char *path = xmalloc(need);
	int fd;
	size_t len = strlen(text);

	snprintf(path, need, "%s/kanon-test-apiserver-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void split(const char *line, struct argv_list *argv)
{
	argv_init(argv);
	assert_int_equal(cmdline_split(line, argv, NULL), 0);
}

/* Load the model for a command line (and optional files) at minor 1.x. */
static void load(const char *line, int minor, const char *authn, const char *authz,
		 struct apiserver_model *m, struct result *res)
{
	struct apiserver_input in;
	struct argv_list argv;

	memset(&in, 0, sizeof(in));
	result_init(res);
	if (line) {
		split(line, &argv);
		in.argv = &argv;
	}
	in.minor = minor;
	in.authn_config = authn;
	in.authz_config = authz;
	in.required = true;
	apiserver_model_load(&in, m, res);
	if (line)
		argv_release(&argv);
}

static const struct finding *find(const struct result *res, const char *rule)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->f[i].rule->id, rule))
			return &res->f[i];
	return NULL;
}

/* Run the rules and return the status of `rule`. */
static enum status verdict(const struct apiserver_model *m, const char *rule,
			   enum severity *sev)
{
	struct result res;
	const struct finding *f;
	enum status st;

	result_init(&res);
	apiserver_check(m, "t", NULL, 0, &res);
	f = find(&res, rule);
	assert_non_null(f);
	st = f->status;
	if (sev)
		*sev = f->severity;
	result_release(&res);
	return st;
}

/* ------------------------------------------------------------ versions */

static void test_parse_minor(void **state)
{
	(void)state;
	assert_int_equal(apiserver_parse_minor("1.31"), 31);
	assert_int_equal(apiserver_parse_minor("v1.31.2"), 31);
	assert_int_equal(apiserver_parse_minor("1.34.0-rc.1"), 34);
	assert_int_equal(apiserver_parse_minor("v1.31.4+rke2r1"), 31);
	assert_int_equal(apiserver_parse_minor("2.1"), -1);
	assert_int_equal(apiserver_parse_minor("1."), -1);
	assert_int_equal(apiserver_parse_minor("1.x"), -1);
	assert_int_equal(apiserver_parse_minor("latest"), -1);
	assert_int_equal(apiserver_parse_minor(NULL), -1);
}

static void test_image_minor(void **state)
{
	(void)state;
	assert_int_equal(apiserver_image_minor("registry.k8s.io/kube-apiserver:v1.30.2"), 30);
	assert_int_equal(apiserver_image_minor("localhost:5000/kube-apiserver:v1.29.0"), 29);
	assert_int_equal(apiserver_image_minor("localhost:5000/kube-apiserver"), -1);
	assert_int_equal(apiserver_image_minor("k/kube-apiserver:v1.33.1@sha256:abcd"), 33);
	assert_int_equal(apiserver_image_minor("k/kube-apiserver@sha256:abcd"), -1);
	assert_int_equal(apiserver_image_minor(
		"rancher/hardened-kubernetes:v1.31.4-rke2r1-build20241212"), 31);
	assert_int_equal(apiserver_image_minor(NULL), -1);
}

/* ------------------------------------------------------------ manifests */

static void parse_ok(const char *yaml, struct apiserver_pods *pods)
{
	struct err e = { 0 };

	assert_int_equal(apiserver_manifest_parse(yaml, strlen(yaml), "m.yaml", pods, &e), 0);
}

static void test_manifest_command_only(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n"
		 "spec:\n  containers:\n  - name: kube-apiserver\n    command:\n"
		 "    - kube-apiserver\n    - --authorization-mode=Node,RBAC\n", &pods);
	assert_int_equal(pods.n, 1);
	assert_int_equal(pods.v[0].argv.n, 2);
	assert_string_equal(pods.v[0].argv.v[0], "kube-apiserver");
	assert_string_equal(pods.v[0].argv.v[1], "--authorization-mode=Node,RBAC");
	assert_int_equal(pods.v[0].lines[1], 10);
	assert_string_equal(pods.v[0].pod_name, "kube-apiserver");
	apiserver_pods_release(&pods);
}

static void test_manifest_args_only(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    image: rancher/hardened-kubernetes:v1.31.4\n    args:\n"
		 "    - --anonymous-auth=false\n", &pods);
	assert_int_equal(pods.n, 1);
	/* the image's entrypoint is kube-apiserver: argv[0] stands in for it */
	assert_int_equal(pods.v[0].argv.n, 2);
	assert_string_equal(pods.v[0].argv.v[0], "kube-apiserver");
	assert_string_equal(pods.v[0].argv.v[1], "--anonymous-auth=false");
	assert_int_equal(pods.v[0].lines[1], 7);
	apiserver_pods_release(&pods);
}

static void test_manifest_command_and_args(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: x\n"
		 "    command: [/usr/local/bin/kube-apiserver]\n"
		 "    args: [--secure-port, \"6443\"]\n", &pods);
	assert_int_equal(pods.n, 1);
	assert_int_equal(pods.v[0].argv.n, 3);
	assert_string_equal(pods.v[0].argv.v[0], "/usr/local/bin/kube-apiserver");
	assert_string_equal(pods.v[0].argv.v[2], "6443");
	assert_int_equal(pods.v[0].lines[2], 6);
	apiserver_pods_release(&pods);
}

static void test_manifest_multi_container(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver-proxy\n"
		 "    image: envoy\n    command: [envoy]\n"
		 "  - name: api\n    command: [kube-apiserver, --anonymous-auth=false]\n",
		 &pods);
	assert_int_equal(pods.n, 1);
	/* a command running kube-apiserver beats a container named like it */
	assert_int_equal(pods.v[0].index, 1);
	assert_int_equal(pods.v[0].ncontainers, 2);
	assert_string_equal(pods.v[0].container, "api");
	apiserver_pods_release(&pods);
}

static void test_manifest_wrapper(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: a\n    command:\n"
		 "    - /go-runner\n    - --log-file=/var/log/kube-apiserver.log\n"
		 "    - /usr/local/bin/kube-apiserver\n    - --anonymous-auth=false\n", &pods);
	assert_int_equal(pods.v[0].argv.n, 2);
	assert_string_equal(pods.v[0].argv.v[0], "/usr/local/bin/kube-apiserver");
	apiserver_pods_release(&pods);
}

static void test_manifest_errors(void **state)
{
	struct apiserver_pods pods;
	struct err e = { 0 };
	const char *bad = "kind: Pod\nspec:\n  containers:\n  - name: a\n"
			  "    command: [kube-apiserver\n";
	const char *num = "kind: Pod\nspec:\n  containers:\n  - name: a\n"
			  "    command: [kube-apiserver, --secure-port, 6443]\n";
	const char *none = "kind: Pod\nspec:\n  containers:\n  - name: etcd\n"
			   "    command: [etcd]\n";
	(void)state;

	assert_int_equal(apiserver_manifest_parse(bad, strlen(bad), "m.yaml", &pods, &e), -1);
	assert_true(e.line > 0);
	apiserver_pods_release(&pods);
	assert_int_equal(apiserver_manifest_parse(num, strlen(num), "m.yaml", &pods, &e), -1);
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, "command[2] must be a string"));
	apiserver_pods_release(&pods);
	assert_int_equal(apiserver_manifest_parse(none, strlen(none), "m.yaml", &pods, &e), 0);
	assert_int_equal(pods.n, 0);
	assert_non_null(strstr(pods.skipped, "etcd"));
	apiserver_pods_release(&pods);
}

static void test_manifest_env_expansion(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    env:\n    - {name: MODES, value: \"Node,RBAC\"}\n"
		 "    - name: F\n      valueFrom: {configMapKeyRef: {name: a, key: b}}\n"
		 "    command: [kube-apiserver, \"--authorization-mode=$(MODES)\",\n"
		 "      \"--x=$$(MODES)\", \"--y=$(F)\", \"--z=$(NOPE)\", \"--w=$(\"]\n",
		 &pods);
	assert_int_equal(pods.n, 1);
	assert_string_equal(pods.v[0].argv.v[1], "--authorization-mode=Node,RBAC");
	assert_string_equal(pods.v[0].argv.v[2], "--x=$(MODES)");
	assert_string_equal(pods.v[0].argv.v[3], "--y=$(F)");
	assert_string_equal(pods.v[0].argv.v[4], "--z=$(NOPE)");
	assert_string_equal(pods.v[0].argv.v[5], "--w=$(");
	assert_non_null(strstr(pods.v[0].unresolved, "$(F)"));
	assert_non_null(strstr(pods.v[0].unresolved, "$(NOPE)"));
	apiserver_pods_release(&pods);
}

static void test_manifest_list(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n  spec:\n"
		 "    containers: [{name: kube-apiserver, command: [kube-apiserver]}]\n"
		 "- kind: Pod\n  metadata: {name: b}\n  spec:\n"
		 "    containers: [{name: kube-apiserver, command: [kube-apiserver]}]\n",
		 &pods);
	assert_int_equal(pods.n, 2);
	assert_string_equal(pods.v[1].pod_name, "b");
	apiserver_pods_release(&pods);
}

/* ------------------------------------------------------------ model */

static void test_default_anonymous_on(void **state)
{
	struct apiserver_model m;
	struct result res;
	enum severity sev;
	(void)state;

	load("kube-apiserver --authorization-mode=Node,RBAC", 34, NULL, NULL, &m, &res);
	assert_true(m.anon_known);
	assert_true(m.anon_enabled);
	assert_false(m.anon_reset);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", &sev), STATUS_FAIL);
	assert_int_equal(sev, SEV_HIGH);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_PASS);
	apiserver_model_release(&m);
	result_release(&res);
}

static void test_alwaysallow_resets_flag(void **state)
{
	struct apiserver_model m;
	struct result res;
	enum severity sev;
	(void)state;

	/* no authorization flag: Complete() defaults to AlwaysAllow */
	load("kube-apiserver --anonymous-auth=true", 34, NULL, NULL, &m, &res);
	assert_true(m.authz_default);
	assert_true(m.anon_reset);
	assert_false(m.anon_enabled);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_PASS);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", &sev), STATUS_FAIL);
	assert_int_equal(sev, SEV_CRITICAL);
	apiserver_model_release(&m);
	result_release(&res);
}

static void test_mode_slice_appends(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	/* pflag StringSlice: a repeated flag appends */
	load("kube-apiserver --anonymous-auth=false --authorization-mode Node "
	     "--authorization-mode=RBAC,AlwaysAllow", 34, NULL, NULL, &m, &res);
	assert_int_equal(m.nchain, 3);
	assert_string_equal(m.chain[0].type, "Node");
	assert_string_equal(m.chain[2].type, "AlwaysAllow");
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_FAIL);
	apiserver_model_release(&m);
	result_release(&res);
}

static void test_mode_errors(void **state)
{
	static const char *const bad[] = {
		"kube-apiserver --authorization-mode=Node,RBAC,Node",
		"kube-apiserver --authorization-mode=rbac",
		"kube-apiserver --authorization-mode=Node,Webhook",
		"kube-apiserver --authorization-mode=RBAC --authorization-policy-file=/p",
		"kube-apiserver --authorization-mode=RBAC --authorization-config=/x.yaml",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct apiserver_model m;
		struct result res;
		load(bad[i], 34, NULL, NULL, &m, &res);
		assert_non_null(apiserver_invalid_for(&m, DOM_AUTHZ));
		assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL),
				 STATUS_INVALID);
		apiserver_model_release(&m);
		result_release(&res);
	}
}

static void test_anonymous_flag_forms(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	load("kube-apiserver --authorization-mode=RBAC --anonymous-auth", 34, NULL, NULL,
	     &m, &res);
	assert_true(m.anon_enabled);
	apiserver_model_release(&m);
	result_release(&res);

	load("kube-apiserver --authorization-mode=RBAC --anonymous-auth=F", 34, NULL, NULL,
	     &m, &res);
	assert_false(m.anon_enabled);
	apiserver_model_release(&m);
	result_release(&res);

	load("kube-apiserver --authorization-mode=RBAC --anonymous-auth=false "
	     "--anonymous_auth=1", 34, NULL, NULL, &m, &res);
	assert_true(m.anon_enabled); /* last wins, '_' is '-' */
	apiserver_model_release(&m);
	result_release(&res);

	/* "--anonymous-auth false": "false" is an argument; the server refuses */
	load("kube-apiserver --authorization-mode=RBAC --anonymous-auth false", 34, NULL,
	     NULL, &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_ANON));
	apiserver_model_release(&m);
	result_release(&res);
}

static void test_authn_file_semantics(void **state)
{
	char *health = write_tmp("apiVersion: apiserver.config.k8s.io/v1beta1\n"
				 "kind: AuthenticationConfiguration\nanonymous:\n"
				 "  enabled: true\n  conditions:\n  - path: /livez\n"
				 "  - path: /readyz\n  - path: /healthz\n");
	char *api = write_tmp("apiVersion: apiserver.config.k8s.io/v1\n"
			      "kind: AuthenticationConfiguration\nanonymous:\n"
			      "  enabled: true\n  conditions:\n  - path: /livez\n"
			      "  - path: /api\n");
	char *nocond = write_tmp("apiVersion: apiserver.config.k8s.io/v1beta1\n"
				 "kind: AuthenticationConfiguration\nanonymous:\n"
				 "  conditions:\n  - path: /livez\n");
	struct apiserver_model m;
	struct result res;
	enum severity sev;
	(void)state;

	load("kube-apiserver --authorization-mode=Node,RBAC --authentication-config=/a",
	     34, health, NULL, &m, &res);
	assert_true(m.anon_from_file);
	assert_int_equal(m.ncond, 3);
	assert_int_equal(m.cond[0].line, 6);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", &sev), STATUS_WARN);
	assert_int_equal(verdict(&m, "apiserver-authentication-config", NULL), STATUS_PASS);
	apiserver_model_release(&m);
	result_release(&res);

	/* the flag beside the anonymous block: Forbidden */
	load("kube-apiserver --authorization-mode=Node,RBAC --anonymous-auth=false "
	     "--authentication-config=/a", 34, health, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_INVALID);
	apiserver_model_release(&m);
	result_release(&res);

	/* gate: 1.30 has no anonymous field, 1.31 has it off by default */
	load("kube-apiserver --authorization-mode=RBAC --authentication-config=/a", 30,
	     health, NULL, &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_ANON));
	apiserver_model_release(&m);
	result_release(&res);
	load("kube-apiserver --authorization-mode=RBAC --authentication-config=/a", 31,
	     health, NULL, &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_ANON));
	assert_false(m.gate_anon);
	apiserver_model_release(&m);
	result_release(&res);
	load("kube-apiserver --authorization-mode=RBAC --feature-gates=Foo=true, "
	     "AnonymousAuthConfigurableEndpoints=true --authentication-config=/a", 31,
	     health, NULL, &m, &res);
	/* the space makes the second gate a separate argument: refused */
	assert_non_null(apiserver_invalid_for(&m, DOM_ALL));
	apiserver_model_release(&m);
	result_release(&res);
	load("kube-apiserver --authorization-mode=RBAC "
	     "--feature-gates=Foo=true,AnonymousAuthConfigurableEndpoints=true "
	     "--authentication-config=/a", 31, health, NULL, &m, &res);
	assert_true(m.gate_anon);
	assert_null(apiserver_invalid_for(&m, DOM_ALL));
	apiserver_model_release(&m);
	result_release(&res);

	/* a path beyond the health endpoints: FAIL; v1 needs 1.34 */
	load("kube-apiserver --authorization-mode=RBAC --authentication-config=/a", 34,
	     api, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_FAIL);
	apiserver_model_release(&m);
	result_release(&res);
	load("kube-apiserver --authorization-mode=RBAC --authentication-config=/a", 33,
	     api, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-authentication-config", NULL),
			 STATUS_INVALID);
	apiserver_model_release(&m);
	result_release(&res);

	/* conditions without enabled: true */
	load("kube-apiserver --authorization-mode=RBAC --authentication-config=/a", 34,
	     nocond, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_INVALID);
	apiserver_model_release(&m);
	result_release(&res);

	unlink(health);
	unlink(api);
	unlink(nocond);
	free(health);
	free(api);
	free(nocond);
}

static void test_authz_file(void **state)
{
	char *allow = write_tmp("apiVersion: apiserver.config.k8s.io/v1\n"
				"kind: AuthorizationConfiguration\nauthorizers:\n"
				"- type: Node\n  name: node\n- type: AlwaysAllow\n"
				"  name: alwaysallow\n");
	char *dup = write_tmp("apiVersion: apiserver.config.k8s.io/v1\n"
			      "kind: AuthorizationConfiguration\nauthorizers:\n"
			      "- type: RBAC\n  name: rbac\n- type: RBAC\n  name: rbac2\n");
	struct apiserver_model m;
	struct result res;
	enum severity sev;
	(void)state;

	/* an AlwaysAllow authorizer in the file does not reset anonymous */
	load("kube-apiserver --authorization-config=/z", 34, NULL, allow, &m, &res);
	assert_true(m.authz_from_file);
	assert_false(m.anon_reset);
	assert_true(m.anon_enabled);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", &sev), STATUS_FAIL);
	assert_int_equal(sev, SEV_CRITICAL);
	apiserver_model_release(&m);
	result_release(&res);

	/* v1 needs 1.32 */
	load("kube-apiserver --authorization-config=/z", 31, NULL, allow, &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_AUTHZ));
	apiserver_model_release(&m);
	result_release(&res);

	load("kube-apiserver --authorization-config=/z", 34, NULL, dup, &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_AUTHZ));
	apiserver_model_release(&m);
	result_release(&res);

	unlink(allow);
	unlink(dup);
	free(allow);
	free(dup);
}

static void test_no_command_line(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	load(NULL, 34, NULL, NULL, &m, &res);
	assert_false(m.anon_known);
	assert_false(m.authz_known);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_UNKNOWN);
	apiserver_model_release(&m);
	result_release(&res);
}

/* ------------------------------------------------------------ review fixes */

/* --authorization-mode is read with encoding/csv (pflag readAsCSV). */
static void test_mode_csv(void **state)
{
	static const struct { const char *line; int invalid; size_t n; } cases[] = {
		/* a trailing comma is an empty, invalid mode */
		{ "kube-apiserver '--authorization-mode=Node,RBAC,'", 1, 2 },
		/* a quoted field is unquoted */
		{ "kube-apiserver '--authorization-mode=Node,\"RBAC\"'", 0, 2 },
		{ "kube-apiserver '--authorization-mode=\"Node\",AlwaysAllow'", 0, 2 },
		/* a quote in an unquoted field, text after a closing quote */
		{ "kube-apiserver '--authorization-mode=Node,RB\"AC'", 1, 0 },
		{ "kube-apiserver '--authorization-mode=\"Node\"x,RBAC'", 1, 0 },
		/* one quoted field with a comma is one (invalid) mode */
		{ "kube-apiserver '--authorization-mode=\"Node,RBAC\"'", 1, 1 },
		/* only the first record counts */
		{ "kube-apiserver \"--authorization-mode=Node,RBAC\nAlwaysAllow\"", 0, 2 },
		{ "kube-apiserver \"--authorization-mode=\nRBAC\"", 0, 1 },
		{ "kube-apiserver --authorization-mode=Node,RBAC", 0, 2 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct apiserver_model m;
		struct result res;

		load(cases[i].line, 34, NULL, NULL, &m, &res);
		if (cases[i].invalid != (apiserver_invalid_for(&m, DOM_AUTHZ) != NULL))
			fail_msg("case %zu: %s", i, cases[i].line);
		assert_int_equal(m.nchain, cases[i].n);
		for (size_t j = 0; j < m.nchain; j++)
			assert_null(strchr(m.chain[j].type, '"'));
		apiserver_model_release(&m);
		result_release(&res);
	}
}

/* ApplyAuthorization() resets the flag value only: a file anonymous block
 * is not reset, and the PASS must not blame AlwaysAllow. */
static void test_reset_not_for_file_anonymous(void **state)
{
	char *off = write_tmp("apiVersion: apiserver.config.k8s.io/v1beta1\n"
			      "kind: AuthenticationConfiguration\n"
			      "anonymous:\n  enabled: false\n");
	char *on = write_tmp("apiVersion: apiserver.config.k8s.io/v1beta1\n"
			     "kind: AuthenticationConfiguration\n"
			     "anonymous:\n  enabled: true\n");
	struct apiserver_model m;
	struct result res, out;
	struct strbuf line = STRBUF_INIT;
	enum severity sev;
	(void)state;

	strbuf_addf(&line, "kube-apiserver --authorization-mode=AlwaysAllow "
		    "--authentication-config=%s", off);
	load(line.buf, 34, NULL, NULL, &m, &res);
	assert_true(m.anon_from_file);
	assert_false(m.anon_reset);
	assert_false(m.anon_enabled);
	result_init(&out);
	apiserver_check(&m, "t", NULL, 0, &out);
	assert_int_equal(find(&out, "apiserver-anonymous-auth")->status, STATUS_PASS);
	assert_null(strstr(find(&out, "apiserver-anonymous-auth")->message, "only because"));
	assert_null(strstr(find(&out, "apiserver-authorization-mode")->message, "reset"));
	result_release(&out);
	apiserver_model_release(&m);
	result_release(&res);

	strbuf_reset(&line);
	strbuf_addf(&line, "kube-apiserver --authorization-mode=AlwaysAllow "
		    "--authentication-config=%s", on);
	load(line.buf, 34, NULL, NULL, &m, &res);
	assert_false(m.anon_reset);
	assert_true(m.anon_enabled);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", &sev), STATUS_FAIL);
	assert_int_equal(sev, SEV_CRITICAL);
	apiserver_model_release(&m);
	result_release(&res);

	strbuf_release(&line);
	unlink(off);
	unlink(on);
	free(off);
	free(on);
}

/* $(VAR) set with valueFrom: only the kubelet knows the value. */
static void load_opaque(const char *line, struct apiserver_model *m, struct result *res)
{
	struct apiserver_input in;
	struct argv_list argv, opaque;

	memset(&in, 0, sizeof(in));
	result_init(res);
	split(line, &argv);
	argv_init(&opaque);
	argv_push(&opaque, "$(X)");
	in.argv = &argv;
	in.opaque = &opaque;
	in.argv_file = "m.yaml";
	in.minor = 34;
	apiserver_model_load(&in, m, res);
	argv_release(&argv);
	argv_release(&opaque);
}

static void test_opaque_env_values(void **state)
{
	struct apiserver_model m;
	struct result res;
	struct apiserver_pods pods;
	(void)state;

	/* the manifest lists the valueFrom references, not undefined ones */
	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    env:\n    - {name: V, value: \"1\"}\n"
		 "    - name: X\n      valueFrom: {configMapKeyRef: {name: a, key: b}}\n"
		 "    command: [kube-apiserver, \"--a=$(X)\", \"--b=$(X)\", \"--c=$(V)\",\n"
		 "      \"--d=$(NOPE)\"]\n", &pods);
	assert_int_equal(pods.v[0].opaque.n, 1);
	assert_string_equal(pods.v[0].opaque.v[0], "$(X)");
	apiserver_pods_release(&pods);

	/* sh -c: shell expansions are resolved only when the container starts */
	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    command: [sh, -c, \"kube-apiserver --anonymous-auth=${A:-false} $B\"]\n",
		 &pods);
	assert_int_equal(pods.v[0].opaque.n, 2);
	assert_string_equal(pods.v[0].opaque.v[0], "${A:-false}");
	assert_string_equal(pods.v[0].opaque.v[1], "$B");
	apiserver_pods_release(&pods);

	/* --anonymous-auth=$(X): unknown, not a ParseBool error */
	load_opaque("kube-apiserver --authorization-mode=Node,RBAC --anonymous-auth=$(X)",
		    &m, &res);
	assert_null(apiserver_invalid_for(&m, DOM_ALL));
	assert_false(m.anon_known);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_UNKNOWN);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_PASS);
	apiserver_model_release(&m);
	result_release(&res);

	/* ... but AlwaysAllow turns it off whatever it is */
	load_opaque("kube-apiserver --authorization-mode=AlwaysAllow --anonymous-auth=$(X)",
		    &m, &res);
	assert_true(m.anon_known);
	assert_false(m.anon_enabled);
	apiserver_model_release(&m);
	result_release(&res);

	/* --authorization-mode=$(X): the authorizers and the reset are unknown */
	load_opaque("kube-apiserver --authorization-mode=$(X)", &m, &res);
	assert_null(apiserver_invalid_for(&m, DOM_ALL));
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_UNKNOWN);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_UNKNOWN);
	apiserver_model_release(&m);
	result_release(&res);

	/* a word that is only $(X) may be any flag: everything is unknown */
	load_opaque("kube-apiserver --authorization-mode=Node,RBAC --anonymous-auth=false $(X)",
		    &m, &res);
	assert_null(apiserver_invalid_for(&m, DOM_ALL));
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_UNKNOWN);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_UNKNOWN);
	assert_int_equal(verdict(&m, "apiserver-authentication-config", NULL),
			 STATUS_UNKNOWN);
	apiserver_model_release(&m);
	result_release(&res);

	/* an undefined $(NOPE) stays as written: the API server rejects it */
	load_opaque("kube-apiserver --authorization-mode=$(NOPE) --anonymous-auth=$(NOPE)",
		    &m, &res);
	assert_non_null(apiserver_invalid_for(&m, DOM_AUTHZ));
	assert_non_null(apiserver_invalid_for(&m, DOM_ANON));
	apiserver_model_release(&m);
	result_release(&res);
}

/* conditions compare req.URL.Path: a query never matches a served path */
static void test_condition_query_path(void **state)
{
	char *f = write_tmp("apiVersion: apiserver.config.k8s.io/v1\n"
			    "kind: AuthenticationConfiguration\n"
			    "anonymous:\n  enabled: true\n  conditions:\n"
			    "  - path: /livez\n  - path: /readyz?verbose\n");
	struct apiserver_model m;
	struct result res;
	(void)state;

	load("kube-apiserver --authorization-mode=Node,RBAC --authentication-config=/x",
	     34, f, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_WARN);
	assert_int_equal(m.nlint, 1);
	apiserver_model_release(&m);
	result_release(&res);
	unlink(f);
	free(f);
}

/* validation.go rules for jwt entries that decide whether the file loads */
static void test_jwt_validation(void **state)
{
	static const struct { const char *jwt; int invalid; } cases[] = {
		{ "  claimMappings:\n    username:\n      claim: sub\n      prefix: \"\"\n", 0 },
		/* a claim needs a prefix (validatePrefixClaimOrExpression) */
		{ "  claimMappings:\n    username:\n      claim: sub\n", 1 },
		{ "  claimMappings:\n    username:\n      claim: sub\n      prefix: null\n", 1 },
		{ "  claimMappings:\n    username:\n      expression: claims.sub\n", 0 },
		{ "  claimMappings:\n    username:\n      expression: claims.sub\n"
		  "      prefix: x\n", 1 },
		{ "  claimMappings:\n    username:\n      claim: sub\n      prefix: x\n"
		  "      expression: claims.sub\n", 1 },
		{ "  claimMappings:\n    username:\n      claim: \"\"\n      prefix: x\n", 1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf doc = STRBUF_INIT;
		struct apiserver_model m;
		struct result res;
		char *f;

		strbuf_addf(&doc, "apiVersion: apiserver.config.k8s.io/v1\n"
			    "kind: AuthenticationConfiguration\njwt:\n- issuer:\n"
			    "    url: https://issuer.example.com\n    audiences: [k]\n%s",
			    cases[i].jwt);
		f = write_tmp(doc.buf);
		load("kube-apiserver --authorization-mode=Node,RBAC --authentication-config=/x",
		     34, f, NULL, &m, &res);
		if (cases[i].invalid != (apiserver_invalid_for(&m, DOM_AUTHN) != NULL))
			fail_msg("case %zu", i);
		apiserver_model_release(&m);
		result_release(&res);
		unlink(f);
		free(f);
		strbuf_release(&doc);
	}
}

static void test_jwt_issuer_audiences(void **state)
{
	static const struct { const char *issuer; int invalid; } cases[] = {
		{ "    url: https://a.example\n    audiences: [k, l]\n", 1 },
		{ "    url: https://a.example\n    audiences: [k, l]\n"
		  "    audienceMatchPolicy: MatchAny\n", 0 },
		{ "    url: https://a.example\n    audiences: [k, k]\n"
		  "    audienceMatchPolicy: MatchAny\n", 1 },
		{ "    url: https://a.example\n    audiences: [\"\"]\n", 1 },
		{ "    url: https://a.example?x=1\n    audiences: [k]\n", 1 },
		{ "    url: https://a.example\n    audiences: [k]\n"
		  "    audienceMatchPolicy: MatchAll\n", 1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf doc = STRBUF_INIT;
		struct apiserver_model m;
		struct result res;
		char *f;

		strbuf_addf(&doc, "apiVersion: apiserver.config.k8s.io/v1\n"
			    "kind: AuthenticationConfiguration\njwt:\n- issuer:\n%s"
			    "  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n",
			    cases[i].issuer);
		f = write_tmp(doc.buf);
		load("kube-apiserver --authorization-mode=Node,RBAC --authentication-config=/x",
		     34, f, NULL, &m, &res);
		if (cases[i].invalid != (apiserver_invalid_for(&m, DOM_AUTHN) != NULL))
			fail_msg("case %zu", i);
		apiserver_model_release(&m);
		result_release(&res);
		unlink(f);
		free(f);
		strbuf_release(&doc);
	}
}

/* Webhook TTLs are defaulted, the other webhook fields are required */
static void test_authz_webhook_defaults(void **state)
{
	static const struct { const char *wh; int invalid; } cases[] = {
		{ "    timeout: 3s\n    subjectAccessReviewVersion: v1\n"
		  "    failurePolicy: Deny\n    connectionInfo: {type: InClusterConfig}\n", 0 },
		{ "    subjectAccessReviewVersion: v1\n"
		  "    failurePolicy: Deny\n    connectionInfo: {type: InClusterConfig}\n", 1 },
		{ "    timeout: 3s\n    subjectAccessReviewVersion: v1\n"
		  "    connectionInfo: {type: InClusterConfig}\n", 1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf doc = STRBUF_INIT;
		struct apiserver_model m;
		struct result res;
		char *f;

		strbuf_addf(&doc, "apiVersion: apiserver.config.k8s.io/v1\n"
			    "kind: AuthorizationConfiguration\nauthorizers:\n"
			    "- type: Webhook\n  name: w\n  webhook:\n%s"
			    "- type: RBAC\n  name: rbac\n", cases[i].wh);
		f = write_tmp(doc.buf);
		load("kube-apiserver --authorization-config=/x", 34, NULL, f, &m, &res);
		if (cases[i].invalid != (apiserver_invalid_for(&m, DOM_AUTHZ) != NULL))
			fail_msg("case %zu", i);
		apiserver_model_release(&m);
		result_release(&res);
		unlink(f);
		free(f);
		strbuf_release(&doc);
	}
}

/* --emulated-version: versioned feature gates take that release's stage */
static void test_emulated_version_gates(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	load("kube-apiserver --emulated-version=1.31", 34, NULL, NULL, &m, &res);
	assert_int_equal(m.gate_minor, 31);
	assert_false(m.gate_anon); /* alpha, off by default in 1.31 */
	assert_true(m.gate_authz);
	apiserver_model_release(&m);
	result_release(&res);

	load("kube-apiserver --emulated-version=wardle=1.2,kube=1.33", 34, NULL, NULL, &m, &res);
	assert_int_equal(m.gate_minor, 33);
	assert_true(m.gate_anon);
	apiserver_model_release(&m);
	result_release(&res);

	/* 1.33: beta, so it may be turned off ("kube:" names the component) */
	load("kube-apiserver --emulated-version=1.33 "
	     "--feature-gates=kube:AnonymousAuthConfigurableEndpoints=false", 34, NULL, NULL,
	     &m, &res);
	assert_false(m.gate_anon);
	assert_null(apiserver_invalid_for(&m, DOM_ALL));
	apiserver_model_release(&m);
	result_release(&res);

	/* without it, 1.34 locks the gate on */
	load("kube-apiserver --feature-gates=kube:AnonymousAuthConfigurableEndpoints=false",
	     34, NULL, NULL, &m, &res);
	assert_int_equal(m.gate_minor, 34);
	assert_non_null(apiserver_invalid_for(&m, DOM_ANON));
	apiserver_model_release(&m);
	result_release(&res);
}

/* pflag gives a string flag without '=' the next word, even "--x=y" */
static void test_flag_swallows_next(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	load("kube-apiserver --audit-log-path --anonymous-auth=false "
	     "--authorization-mode=Node,RBAC", 34, NULL, NULL, &m, &res);
	assert_non_null(m.argv_opaque);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_UNKNOWN);
	apiserver_model_release(&m);
	result_release(&res);

	/* known boolean flags take no value; other next flags do not matter */
	load("kube-apiserver --profiling --anonymous-auth=false --audit-log-path --v=2 "
	     "--authorization-mode=Node,RBAC", 34, NULL, NULL, &m, &res);
	assert_null(m.argv_opaque);
	assert_int_equal(verdict(&m, "apiserver-anonymous-auth", NULL), STATUS_PASS);
	apiserver_model_release(&m);
	result_release(&res);
}

/* neither command nor args: the image decides the flags */
static void test_manifest_no_command(void **state)
{
	struct apiserver_pods pods;
	(void)state;

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    image: k/kube-apiserver:v1.34.0\n", &pods);
	assert_int_equal(pods.n, 1);
	assert_non_null(pods.v[0].no_cmdline);
	apiserver_pods_release(&pods);

	parse_ok("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n"
		 "    args: [--anonymous-auth=false]\n", &pods);
	assert_null(pods.v[0].no_cmdline);
	apiserver_pods_release(&pods);
}

/* ABAC's policy is not evaluated: no PASS on its word */
static void test_abac_not_pass(void **state)
{
	struct apiserver_model m;
	struct result res;
	(void)state;

	load("kube-apiserver --anonymous-auth=false --authorization-mode=Node,RBAC,ABAC "
	     "--authorization-policy-file=/etc/kubernetes/abac.jsonl", 34, NULL, NULL,
	     &m, &res);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_WARN);
	apiserver_model_release(&m);
	result_release(&res);

	load("kube-apiserver --anonymous-auth=false --authorization-mode=Node,RBAC",
	     34, NULL, NULL, &m, &res);
	assert_int_equal(verdict(&m, "apiserver-authorization-mode", NULL), STATUS_PASS);
	apiserver_model_release(&m);
	result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_minor),
		cmocka_unit_test(test_image_minor),
		cmocka_unit_test(test_manifest_command_only),
		cmocka_unit_test(test_manifest_args_only),
		cmocka_unit_test(test_manifest_command_and_args),
		cmocka_unit_test(test_manifest_multi_container),
		cmocka_unit_test(test_manifest_wrapper),
		cmocka_unit_test(test_manifest_errors),
		cmocka_unit_test(test_manifest_env_expansion),
		cmocka_unit_test(test_manifest_list),
		cmocka_unit_test(test_default_anonymous_on),
		cmocka_unit_test(test_alwaysallow_resets_flag),
		cmocka_unit_test(test_mode_slice_appends),
		cmocka_unit_test(test_mode_errors),
		cmocka_unit_test(test_anonymous_flag_forms),
		cmocka_unit_test(test_authn_file_semantics),
		cmocka_unit_test(test_authz_file),
		cmocka_unit_test(test_no_command_line),
		cmocka_unit_test(test_mode_csv),
		cmocka_unit_test(test_reset_not_for_file_anonymous),
		cmocka_unit_test(test_opaque_env_values),
		cmocka_unit_test(test_condition_query_path),
		cmocka_unit_test(test_jwt_validation),
		cmocka_unit_test(test_jwt_issuer_audiences),
		cmocka_unit_test(test_authz_webhook_defaults),
		cmocka_unit_test(test_emulated_version_gates),
		cmocka_unit_test(test_flag_swallows_next),
		cmocka_unit_test(test_manifest_no_command),
		cmocka_unit_test(test_abac_not_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
