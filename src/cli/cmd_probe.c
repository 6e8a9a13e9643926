#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/probe.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon probe --server URL [--kubelet HOST[:10250]]...\n"
    "                   [--read-only-port HOST[:10255]]... [--path P]...\n"
    "                   [--cacert FILE | --insecure] [--timeout S] [--max-requests N]\n"
    "                   [--expect-locked] [options]\n"
    "\n"
    "Prove it from outside: send the requests a stranger would (GET, no\n"
    "credentials of any kind: no client certificate, token, cookie, .netrc or\n"
    "kubeconfig) and judge each answer: 401 anonymous auth is off (PASS); 403\n"
    "anonymous auth is on and the authorizer denied the path (WARN); 200 on a\n"
    "resource path anonymous access is granted (FAIL, with the number of items,\n"
    "never their content); 200 on a health path is what a health allowlist\n"
    "serves (PASS) unless --expect-locked; 404 is no verdict. A server that\n"
    "does not answer is UNKNOWN; the others are still probed.\n"
    "\n"
    "API server paths: /api/v1/pods, /api/v1/secrets, /api/v1/namespaces,\n"
    "/api/v1/nodes, /apis/rbac.authorization.k8s.io/v1/clusterrolebindings, /api,\n"
    "/apis, /openapi/v2, /version, /healthz, /livez, /readyz and --path. Kubelet\n"
    "(HTTPS): /pods, /runningpods/, /configz, /metrics, /stats/summary. Read-only\n"
    "port (HTTP): /pods, /spec/. Never exec, run, attach or a write.\n"
    "\n"
    "Options:\n"
    "      --server URL       an API server (https://HOST:6443); repeatable\n"
    "      --kubelet HOST[:PORT]\n"
    "                         a kubelet's HTTPS port (default 10250); repeatable\n"
    "      --read-only-port HOST[:PORT]\n"
    "                         a kubelet read-only port, plain HTTP (default\n"
    "                         10255); repeatable\n"
    "      --path P           one more API server path to GET; repeatable\n"
    "      --cacert FILE      verify server certificates against these CAs\n"
    "                         (default: the system store)\n"
    "      --insecure         do not verify server certificates (reported)\n"
    "      --timeout S        seconds per request (default 10)\n"
    "      --max-requests N   requests in all (default: one per endpoint)\n"
    "      --expect-locked    anonymous auth should be off everywhere: a 200 on a\n"
    "                         health path is a FAIL too\n"
    "\n"
    "A proxy is used only when the environment names one (https_proxy,\n"
    "http_proxy, all_proxy, minus no_proxy); the report says which.\n";

struct probe_args {
	struct probe_server *servers;
	size_t nservers, aservers;
	char **paths;
	size_t npaths, apaths;
	const char *cacert;
	bool insecure, expect_locked;
	long timeout_ms;
	size_t max_requests;
};

enum { P_SERVER, P_KUBELET, P_READ_ONLY, P_PATH, P_TIMEOUT, P_MAX_REQUESTS };

static const struct cli_opt opts[] = {
    CLI_ARG("server", P_SERVER),
    CLI_ARG("kubelet", P_KUBELET),
    CLI_ARG("read-only-port", P_READ_ONLY),
    CLI_ARG("path", P_PATH),
    CLI_STR("cacert", struct probe_args, cacert),
    CLI_FLAG("insecure", struct probe_args, insecure),
    CLI_ARG("timeout", P_TIMEOUT),
    CLI_ARG("max-requests", P_MAX_REQUESTS),
    CLI_FLAG("expect-locked", struct probe_args, expect_locked),
    {NULL, 0, 0, 0, 0},
};

static const char *const opt_names[] = {"--server", "--kubelet", "--read-only-port"};

static int add_server(struct probe_args *a, enum probe_role role, const char *arg)
{
	const char *why;
	char *url = probe_server_url(role, arg, &why);

	if (!url)
		return usage_error("probe", "%s '%s': %s", opt_names[role], arg, why);
	ALLOC_GROW(a->servers, a->nservers + 1, a->aservers);
	a->servers[a->nservers].role = role;
	a->servers[a->nservers++].url = url;
	return 0;
}

static int add_path(struct probe_args *a, const char *arg)
{
	const char *word = probe_path_refused(arg);

	if (arg[0] != '/' || strpbrk(arg, " \t\r\n#"))
		return usage_error("probe", "--path '%s' is not a URL path (it must start with /)",
				   arg);
	if (word)
		return usage_error("probe",
				   "--path '%s': kanon never requests '%s' (it acts on "
				   "containers)",
				   arg, word);
	ALLOC_GROW(a->paths, a->npaths + 1, a->apaths);
	a->paths[a->npaths++] = xstrdup(arg);
	return 0;
}

static int set_timeout(struct probe_args *a, const char *arg)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(s) || s < 0.001 || s > 3600)
		return usage_error("probe", "--timeout needs seconds (0.001 to 3600), not '%s'",
				   arg);
	a->timeout_ms = (long)(s * 1000 + 0.5);
	return 0;
}

static int set_opt(void *ctx, int id, const char *arg)
{
	struct probe_args *a = ctx;
	long long n;

	switch (id) {
	case P_SERVER:
		return add_server(a, PROBE_APISERVER, arg);
	case P_KUBELET:
		return add_server(a, PROBE_KUBELET, arg);
	case P_READ_ONLY:
		return add_server(a, PROBE_READ_ONLY, arg);
	case P_PATH:
		return add_path(a, arg);
	case P_TIMEOUT:
		return set_timeout(a, arg);
	}
	if (parse_int(arg, 1, 100000, &n))
		return usage_error("probe",
				   "--max-requests needs a number from 1 to 100000, not "
				   "'%s'",
				   arg);
	a->max_requests = (size_t)n;
	return 0;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct probe_args *a = ctx;
	struct probe_input in;
	int fd;

	(void)operands, (void)n, (void)co;
	if (!a->nservers)
		return usage_error("probe", "give --server URL, --kubelet HOST or "
					    "--read-only-port HOST");
	if (a->cacert && a->insecure)
		return usage_error("probe", "--cacert and --insecure contradict each other");
	if (a->cacert) {
		fd = open(a->cacert, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cli_error("cannot read --cacert '%s': %s", a->cacert,
					 strerror(errno));
		close(fd);
	}
	memset(&in, 0, sizeof(in));
	in.servers = a->servers;
	in.nservers = a->nservers;
	in.paths = (const char *const *)a->paths;
	in.npaths = a->npaths;
	in.http.cacert = a->cacert;
	in.http.insecure = a->insecure;
	in.http.timeout_ms = a->timeout_ms;
	in.http.max_requests = a->max_requests;
	in.expect_locked = a->expect_locked;
	check_run(&check_probe, &in, NULL, res);
	return CLI_REPORT;
}

static void release(void *ctx)
{
	struct probe_args *a = ctx;

	for (size_t i = 0; i < a->nservers; i++)
		free((char *)a->servers[i].url);
	free(a->servers);
	for (size_t i = 0; i < a->npaths; i++)
		free(a->paths[i]);
	free(a->paths);
}

static const struct cli_cmd probe_cmd = {
    .name = "probe",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .max = 0,
    .run = run,
    .ctx_size = sizeof(struct probe_args),
    .release = release,
};

int cmd_probe(int argc, char **argv)
{
	return cli_main(&probe_cmd, argc, argv);
}
