/* kubeconfig loading and merging, and exec credential plugins. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/execcred.h"
#include "sources/kubeconfig.h"
#include "tmpdir.h"

static void write_file(const char *name, const char *text, int mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static const char file_a[] = "apiVersion: v1\n"
			     "kind: Config\n"
			     "current-context: ctx-a\n"
			     "clusters:\n"
			     "- name: shared\n"
			     "  cluster:\n"
			     "    server: https://a.example:6443\n"
			     "    certificate-authority: certs/ca.pem\n"
			     "users:\n"
			     "- name: alice\n"
			     "  user:\n"
			     "    client-certificate: alice.pem\n"
			     "    client-key: /abs/alice.key\n"
			     "contexts:\n"
			     "- name: ctx-a\n"
			     "  context: {cluster: shared, user: alice}\n";

/* Sets another current-context, and redefines 'shared': file a keeps both. */
static const char file_b[] = "current-context: ctx-b\n"
			     "clusters:\n"
			     "- name: shared\n"
			     "  cluster: {server: https://b.example:6443}\n"
			     "- name: only-b\n"
			     "  cluster:\n"
			     "    server: https://only-b:6443\n"
			     "    insecure-skip-tls-verify: true\n"
			     "    tls-server-name: api.internal\n"
			     "    proxy-url: http://proxy:3128\n"
			     "    certificate-authority-data: aGVsbG8=\n"
			     "users:\n"
			     "- name: alice\n"
			     "  user: {token: from-b}\n"
			     "- name: bob\n"
			     "  user: {token: tok, tokenFile: tf}\n"
			     "contexts:\n"
			     "- name: ctx-b\n"
			     "  context: {cluster: only-b, user: bob}\n";

static void test_merge_first_wins(void **state)
{
	struct kubeconfig kc;
	struct kc_target t;
	struct err e;
	char env[512];

	(void)state;
	mkdir(tmpdir, 0700);
	write_file("a.yaml", file_a, 0600);
	write_file("b.yaml", file_b, 0600);
	/* empty entries, a missing file and a repeat are skipped */
	snprintf(env, sizeof(env), "::%s/missing:%s/a.yaml:%s/b.yaml:%s/a.yaml", tmpdir, tmpdir,
		 tmpdir, tmpdir);
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, NULL, env, NULL, NULL, &e), 0);
	assert_int_equal(kc.nfiles, 2);
	assert_string_equal(kc.current_context, "ctx-a");
	assert_int_equal(kubeconfig_resolve(&kc, NULL, &t, &e), 0);
	assert_string_equal(t.cluster->server, "https://a.example:6443");
	/* relative to the file that names it; absolute paths kept */
	assert_true(strstr(t.cluster->ca_file, tmpdir) == t.cluster->ca_file);
	assert_non_null(strstr(t.cluster->ca_file, "/certs/ca.pem"));
	assert_non_null(strstr(t.user->cert_file, "/alice.pem"));
	assert_string_equal(t.user->key_file, "/abs/alice.key");
	assert_null(t.user->token); /* b's alice lost */
	assert_string_equal(kc_user_auth_kind(t.user), "client certificate");
	/* --context picks b's context; its cluster only b defines */
	assert_int_equal(kubeconfig_resolve(&kc, "ctx-b", &t, &e), 0);
	assert_string_equal(t.cluster->server, "https://only-b:6443");
	assert_true(t.cluster->insecure);
	assert_string_equal(t.cluster->tls_server_name, "api.internal");
	assert_string_equal(t.cluster->proxy_url, "http://proxy:3128");
	assert_int_equal(t.cluster->ca_data.len, 5);
	assert_memory_equal(t.cluster->ca_data.data, "hello", 5);
	assert_string_equal(t.user->token, "tok");
	assert_string_equal(kc_user_auth_kind(t.user), "bearer token");
	assert_int_equal(kubeconfig_resolve(&kc, "nope", &t, &e), -1);
	assert_non_null(strstr(e.msg, "context 'nope' not found"));
	kubeconfig_release(&kc);

	/* the other order: b wins everything it sets */
	snprintf(env, sizeof(env), "%s/b.yaml:%s/a.yaml", tmpdir, tmpdir);
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, NULL, env, NULL, NULL, &e), 0);
	assert_string_equal(kc.current_context, "ctx-b");
	assert_int_equal(kubeconfig_resolve(&kc, "ctx-a", &t, &e), 0);
	assert_string_equal(t.cluster->server, "https://b.example:6443");
	assert_string_equal(t.user->token, "from-b");
	kubeconfig_release(&kc);
}

static void test_load_sources(void **state)
{
	struct kubeconfig kc;
	struct err e;
	char path[256];

	(void)state;
	/* --kubeconfig must exist; ~/.kube/config otherwise */
	snprintf(path, sizeof(path), "%s/nonexistent", tmpdir);
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, path, NULL, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "cannot read"));
	kubeconfig_release(&kc);
	snprintf(path, sizeof(path), "%s/.kube", tmpdir);
	mkdir(path, 0700);
	write_file(".kube/config", file_a, 0600);
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, NULL, "", tmpdir, NULL, &e), 0);
	assert_string_equal(kc.current_context, "ctx-a");
	kubeconfig_release(&kc);
	/* $KUBECONFIG that names nothing existing */
	snprintf(path, sizeof(path), "%s/x:%s/y", tmpdir, tmpdir);
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, NULL, path, tmpdir, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "no kubeconfig"));
	kubeconfig_release(&kc);
}

/* rest.InClusterConfig: no kubeconfig file, inside a pod */
static void test_in_cluster(void **state)
{
	struct kubeconfig kc;
	struct kc_target t;
	struct err e;
	char path[300];

	(void)state;
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	kubeconfig_init(&kc);
	snprintf(path, sizeof(path), "%s/none", tmpdir);
	assert_int_equal(kubeconfig_load(&kc, NULL, path, NULL, "/sa", &e), 0);
	assert_true(kc.in_cluster);
	assert_int_equal(kubeconfig_resolve(&kc, NULL, &t, &e), 0);
	assert_string_equal(t.cluster->server, "https://[fd00::1]:443");
	assert_string_equal(t.cluster->ca_file, "/sa/ca.crt");
	assert_string_equal(t.user->token_file, "/sa/token");
	assert_string_equal(kc_user_auth_kind(t.user), "bearer token file");
	kubeconfig_release(&kc);
	/* outside a pod: no kubeconfig is an error */
	unsetenv("KUBERNETES_SERVICE_HOST");
	kubeconfig_init(&kc);
	assert_int_equal(kubeconfig_load(&kc, NULL, path, NULL, "/sa", &e), -1);
	assert_non_null(strstr(e.msg, "no kubeconfig"));
	kubeconfig_release(&kc);
	unsetenv("KUBERNETES_SERVICE_PORT");
}

static void test_bad_files(void **state)
{
	static const char *const bad[] = {
	    "clusters: {a: b}\n",
	    "clusters:\n- cluster: {server: x}\n",
	    "users:\n- name: u\n  user: {client-key-data: '!!!notbase64'}\n",
	    "users:\n- name: u\n  user:\n    exec: {apiVersion: x, interactiveMode: Sometimes, "
	    "command: c}\n",
	    "users:\n- name: u\n  user:\n    exec: {apiVersion: x}\n",
	    "clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: maybe}\n",
	};
	struct kubeconfig kc;
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kubeconfig_init(&kc);
		assert_int_equal(kubeconfig_merge_buf(&kc, bad[i], strlen(bad[i]), "k", &e), -1);
		/* a key's bytes are never quoted back */
		assert_null(strstr(e.msg, "notbase64"));
		kubeconfig_release(&kc);
	}
	/* auth-provider is refused with the replacement named */
	kubeconfig_init(&kc);
	{
		static const char ap[] =
		    "current-context: c\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n"
		    "clusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n- name: u\n"
		    "  user:\n    auth-provider: {name: gcp}\n";
		struct kc_target t;
		assert_int_equal(kubeconfig_merge_buf(&kc, ap, strlen(ap), "k", &e), 0);
		assert_int_equal(kubeconfig_resolve(&kc, NULL, &t, &e), -1);
		assert_non_null(strstr(e.msg, "auth-provider 'gcp'"));
	}
	kubeconfig_release(&kc);
}

static void test_exec_parse(void **state)
{
	struct execcred c;
	struct err e;
	int64_t t;
	const char *v1 = "client.authentication.k8s.io/v1";

	(void)state;
	execcred_init(&c);
#define P(s) execcred_parse(s, strlen(s), v1, &c, &e)
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1\",\"status\":{\"token\":\"abc\","
			   "\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}"),
			 0);
	assert_string_equal(c.token, "abc");
	assert_int_equal(c.expires, 1893553445);
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1beta1\",\"status\":{\"token\":\"abc\"}}"),
			 -1);
	assert_non_null(
	    strstr(e.msg, "plugin returned version client.authentication.k8s.io/v1beta1"));
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1\"}"),
			 -1);
	assert_non_null(strstr(e.msg, "didn't return a status"));
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1\",\"status\":{\"clientCertificateData\":"
			   "\"PEM\"}}"),
			 -1);
	assert_non_null(strstr(e.msg, "but not clientKeyData"));
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1\",\"status\":{}}"),
			 -1);
	assert_int_equal(P("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			   "authentication.k8s.io/v1\",\"status\":{\"clientCertificateData\":"
			   "\"C\",\"clientKeyData\":\"K\"}}"),
			 0);
	assert_int_equal(c.cert.len, 1);
	assert_int_equal(c.expires, EXECCRED_NO_EXPIRY);
	assert_int_equal(P("not json"), -1);
#undef P
	execcred_release(&c);
	assert_int_equal(execcred_parse_time("2030-01-02T05:04:05.123+02:00", &t), 0);
	assert_int_equal(t, 1893553445);
	assert_int_equal(execcred_parse_time("2030-01-02 03:04:05", &t), -1);
}

static void test_exec_run(void **state)
{
	/* prints KUBERNETES_EXEC_INFO to a file and a credential that expires at $EXP */
	static const char plugin[] =
	    "#!/bin/sh\n"
	    "printf '%s\\n' \"$KUBERNETES_EXEC_INFO\" >>\"$OUT\"\n"
	    "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\",\"status\":{\"token\":"
	    "\"t-%s\",\"expirationTimestamp\":\"%s\"}}' \"$VER\" \"$1\" \"$EXP\"\n";
	struct kc_exec x;
	struct kc_cluster cl;
	struct execcred c;
	struct err e;
	char cmd[256], out[256], env_out[300];
	char *args[] = {"one"};
	char *env[] = {env_out, "VER=client.authentication.k8s.io/v1beta1",
		       "EXP=2030-01-02T03:04:05Z"};

	(void)state;
	write_file("plugin.sh", plugin, 0700);
	snprintf(cmd, sizeof(cmd), "%s/plugin.sh", tmpdir);
	snprintf(out, sizeof(out), "%s/info.txt", tmpdir);
	snprintf(env_out, sizeof(env_out), "OUT=%s", out);
	memset(&x, 0, sizeof(x));
	memset(&cl, 0, sizeof(cl));
	x.command = cmd;
	x.args = args;
	x.nargs = 1;
	x.env = env;
	x.nenv = 3;
	x.api_version = "client.authentication.k8s.io/v1beta1";
	x.provide_cluster_info = true;
	cl.server = "https://api:6443";
	execcred_init(&c);
	assert_int_equal(execcred_get(&x, &cl, 5000, 1800000000, &c, &e), 0);
	assert_string_equal(c.token, "t-one");
	/* cached while not expired; run again after */
	assert_int_equal(execcred_get(&x, &cl, 5000, 1800000001, &c, &e), 0);
	assert_int_equal(c.runs, 1);
	assert_int_equal(execcred_get(&x, &cl, 5000, 1893553446, &c, &e), 0);
	assert_int_equal(c.runs, 2);
	{
		char buf[1024] = {0};
		FILE *f = fopen(out, "r");
		assert_non_null(f);
		assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
		fclose(f);
		assert_non_null(strstr(buf, "\"kind\":\"ExecCredential\""));
		assert_non_null(strstr(buf, "\"cluster\":{\"server\":\"https://api:6443\"}"));
		assert_non_null(strstr(buf, "\"interactive\":false"));
	}
	/* v1 needs interactiveMode */
	x.api_version = "client.authentication.k8s.io/v1";
	execcred_invalidate(&c);
	assert_int_equal(execcred_get(&x, &cl, 5000, 0, &c, &e), -1);
	assert_non_null(strstr(e.msg, "interactiveMode must be specified"));
	x.interactive = KC_INTERACTIVE_ALWAYS;
	if (!isatty(0)) {
		assert_int_equal(execcred_get(&x, &cl, 5000, 0, &c, &e), -1);
		assert_non_null(strstr(e.msg, "not a terminal"));
	}
	/* a plugin that hangs is killed */
	write_file("hang.sh", "#!/bin/sh\nexec sleep 30\n", 0700);
	snprintf(cmd, sizeof(cmd), "%s/hang.sh", tmpdir);
	x.interactive = KC_INTERACTIVE_NEVER;
	assert_int_equal(execcred_get(&x, &cl, 300, 0, &c, &e), -1);
	assert_non_null(strstr(e.msg, "did not finish within 300 ms"));
	write_file("fail.sh", "#!/bin/sh\necho 'login required' >&2\nexit 4\n", 0700);
	snprintf(cmd, sizeof(cmd), "%s/fail.sh", tmpdir);
	assert_int_equal(execcred_get(&x, &cl, 5000, 0, &c, &e), -1);
	assert_non_null(strstr(e.msg, "(exit status 4): login required"));
	execcred_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_first_wins), cmocka_unit_test(test_load_sources),
	    cmocka_unit_test(test_in_cluster),	     cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_exec_parse),	     cmocka_unit_test(test_exec_run),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
