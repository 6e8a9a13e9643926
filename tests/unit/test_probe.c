/* The probe's pieces: Status and List bodies, the 403 user, no_proxy, paths, server URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checks/probe.h"
#include "parsers/k8s_body.h"
#include "sources/http.h"

/* b is initialized once; each parse releases what the last one left */
static void parse(const char *s, struct k8s_body *b, int want)
{
	assert_int_equal(k8s_body_parse(s, strlen(s), b), want);
}

static void test_status_403(void **state)
{
	/* kube-apiserver's answer, byte for byte */
	static const char body[] =
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	    "\"message\":\"pods is forbidden: User \\\"system:anonymous\\\" cannot list resource "
	    "\\\"pods\\\" in API group \\\"\\\" at the cluster scope\",\"reason\":\"Forbidden\","
	    "\"details\":{\"kind\":\"pods\"},\"code\":403}";
	struct k8s_body b;
	char *user;

	(void)state;
	k8s_body_init(&b);
	parse(body, &b, 0);
	assert_true(b.object && b.complete);
	assert_string_equal(b.kind, "Status");
	assert_string_equal(b.api_version, "v1");
	assert_string_equal(b.status, "Failure");
	assert_string_equal(b.reason, "Forbidden");
	assert_string_equal(b.details_kind, "pods");
	assert_int_equal(b.code, 403);
	assert_false(b.has_items);
	user = k8s_forbidden_user(b.message, strlen(b.message));
	assert_string_equal(user, "system:anonymous");
	free(user);
	k8s_body_release(&b);
}

static void test_lists(void **state)
{
	struct k8s_body b;
	static const char cut[] = "{\"kind\":\"PodList\",\"items\":[{\"a\":1},{\"b\":2},{\"c\":";

	(void)state;
	k8s_body_init(&b);
	parse("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":"
	      "[{\"metadata\":{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\"}}]}",
	      &b, 0);
	assert_true(b.has_items && b.complete);
	assert_int_equal(b.items, 2);
	parse("{\"kind\":\"SecretList\",\"items\":[]}", &b, 0);
	assert_true(b.has_items);
	assert_int_equal(b.items, 0);
	/* discovery: groups, not items */
	parse("{\"kind\":\"APIGroupList\",\"groups\":[]}", &b, 0);
	assert_false(b.has_items);
	/* a body cut at the cap: the items before the cut, a lower bound */
	parse(cut, &b, 0);
	assert_true(b.object && b.has_items);
	assert_false(b.complete);
	assert_int_equal(b.items, 2);
	parse("ok", &b, -1);
	parse("[1,2]", &b, 0);
	assert_false(b.object);
	k8s_body_release(&b);
}

static void test_forbidden_user(void **state)
{
	static const char kubelet[] =
	    "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)\n";
	static const char path[] = "forbidden: User \"system:anonymous\" cannot get path \"/api\"";
	static const char quoted[] = "x: User \"a\\\"b\" cannot";
	char *u;

	(void)state;
	u = k8s_forbidden_user(kubelet, strlen(kubelet));
	assert_string_equal(u, "system:anonymous");
	free(u);
	u = k8s_forbidden_user(path, strlen(path));
	assert_string_equal(u, "system:anonymous");
	free(u);
	u = k8s_forbidden_user(quoted, strlen(quoted));
	assert_string_equal(u, "a\\\"b");
	free(u);
	assert_null(k8s_forbidden_user("Forbidden", 9));
	assert_null(k8s_forbidden_user("User \"unterminated", 18));
	assert_null(k8s_forbidden_user("(user=", 6));
}

static void test_no_proxy(void **state)
{
	(void)state;
	assert_true(http_no_proxy_match("*", "anything"));
	assert_true(http_no_proxy_match("localhost, 127.0.0.1", "127.0.0.1"));
	assert_true(http_no_proxy_match("example.com", "api.example.com"));
	assert_true(http_no_proxy_match(".example.com", "api.EXAMPLE.com"));
	assert_true(http_no_proxy_match("example.com", "example.com"));
	assert_false(http_no_proxy_match("example.com", "notexample.com"));
	assert_false(http_no_proxy_match("a.example.com", "example.com"));
	assert_false(http_no_proxy_match("", "example.com"));
	assert_false(http_no_proxy_match(",, ,", "example.com"));
}

static void test_refused_paths(void **state)
{
	(void)state;
	assert_string_equal(probe_path_refused("/api/v1/namespaces/x/pods/y/exec"), "exec");
	assert_string_equal(probe_path_refused("/api/v1/namespaces/x/pods/y/exec?command=ls"),
			    "exec");
	assert_string_equal(probe_path_refused("/run/ns/pod/c"), "run");
	assert_string_equal(probe_path_refused("//attach"), "attach");
	assert_string_equal(probe_path_refused("/portForward/ns/pod"), "portForward");
	assert_null(probe_path_refused("/runningpods/"));
	assert_null(probe_path_refused("/apis/run.example.com/v1"));
	assert_null(probe_path_refused("/api/v1/pods?x=/exec"));
	for (int r = 0; r < PROBE__ROLES; r++)
		for (const char *const *p = probe_paths((enum probe_role)r); *p; p++)
			assert_null(probe_path_refused(*p));
}

static void url_is(enum probe_role role, const char *arg, const char *want)
{
	const char *why;
	char *u = probe_server_url(role, arg, &why);

	if (!want) {
		assert_null(u);
		assert_non_null(why);
		return;
	}
	assert_non_null(u);
	assert_string_equal(u, want);
	free(u);
}

static void test_server_url(void **state)
{
	(void)state;
	url_is(PROBE_KUBELET, "10.0.0.5", "https://10.0.0.5:10250");
	url_is(PROBE_KUBELET, "node-1:1234", "https://node-1:1234");
	url_is(PROBE_KUBELET, "[::1]", "https://[::1]:10250");
	url_is(PROBE_KUBELET, "[::1]:99", "https://[::1]:99");
	url_is(PROBE_KUBELET, "fe80::1", "https://[fe80::1]:10250");
	url_is(PROBE_READ_ONLY, "node-1", "http://node-1:10255");
	url_is(PROBE_APISERVER, "api.example.com", "https://api.example.com:6443");
	url_is(PROBE_APISERVER, "https://api.example.com:6443/", "https://api.example.com:6443");
	url_is(PROBE_APISERVER, "https://api.example.com", "https://api.example.com");
	url_is(PROBE_APISERVER, "https://user:pw@api.example.com", NULL);
	url_is(PROBE_APISERVER, "ftp://api.example.com", NULL);
	url_is(PROBE_APISERVER, "https://api.example.com/api/v1", NULL);
	url_is(PROBE_APISERVER, "", NULL);
	url_is(PROBE_APISERVER, "https://", NULL);
	url_is(PROBE_APISERVER, "https://a b", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_403),	   cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_forbidden_user), cmocka_unit_test(test_no_proxy),
	    cmocka_unit_test(test_refused_paths),  cmocka_unit_test(test_server_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
