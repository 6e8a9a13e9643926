/*
 * A test API server for the probe tests: answers on 127.0.0.1 as
 * kube-apiserver and the kubelet answer a request without credentials, in
 * one of several modes, over HTTPS (libmicrohttpd with GnuTLS) or plain
 * HTTP. With --ca it asks for a client certificate as kube-apiserver does
 * (optional, signed by that CA) so that one would be sent if the client
 * had it.
 *
 *   fakeapi --mode MODE --port-file F [--cert PEM --key PEM [--ca PEM]]
 *           [--marker F] [--log F] [--conn-log F] [--delay S] [--lifetime S]
 *
 * Modes: open (anonymous may read everything), locked (401 everywhere),
 * health (health paths 200, the rest 401: an AuthenticationConfiguration
 * health allowlist), forbidden (anonymous auth on, default RBAC: health
 * paths 200, the rest 403 with kube-apiserver's Status body),
 * kubelet-open, kubelet-locked, kubelet-forbidden, readonly (the read-only
 * port: no TLS, no authentication), slow (sleeps --delay seconds, then as
 * open). /redirect answers 302 to another host in every mode;
 * /api/v1/configmaps (open mode) is a List of 20000 items, over 2 MB.
 *
 * Any credential (an Authorization, Proxy-Authorization or Cookie header,
 * a client certificate) is appended to --marker and answered with 500, and
 * the server then exits 3: the test fails. Every request is appended to
 * --log as "METHOD PATH", every new connection to --conn-log. The port (bound to 0) is written to
 * --port-file once the server listens; it exits on SIGTERM or after --lifetime seconds (default
 * 120), so that no test leaves it behind.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeapi_cluster.h"

enum mode {
	M_OPEN,
	M_LOCKED,
	M_HEALTH,
	M_FORBIDDEN,
	M_KUBELET_OPEN,
	M_KUBELET_LOCKED,
	M_KUBELET_FORBIDDEN,
	M_READONLY,
	M_SLOW,
	M_CLUSTER, /* fakeapi_cluster.c: a client with credentials */
};

static const char *const mode_names[] = {
    "open",
    "locked",
    "health",
    "forbidden",
    "kubelet-open",
    "kubelet-locked",
    "kubelet-forbidden",
    "readonly",
    "slow",
    "cluster",
};

struct server {
	enum mode mode;
	const char *marker, *log, *conn_log;
	unsigned delay;
};

static volatile sig_atomic_t stop;
static volatile sig_atomic_t credential_seen;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ------------------------------------------------ bodies */

static const char status_401[] =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n";

static const char status_404[] =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    "\"message\":\"the server could not find the requested resource\",\"reason\":"
    "\"NotFound\",\"details\":{},\"code\":404}\n";

static const char version_body[] =
    "{\n  \"major\": \"1\",\n  \"minor\": \"31\",\n  \"gitVersion\": \"v1.31.2\",\n"
    "  \"gitCommit\": \"5864a4677267e6adeae276ad85882a8714d69d9d\",\n"
    "  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2024-10-22T20:28:14Z\",\n"
    "  \"goVersion\": \"go1.22.8\",\n  \"compiler\": \"gc\",\n"
    "  \"platform\": \"linux/amd64\"\n}";

static const char api_body[] =
    "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
    "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"10.0.0.1:6443\"}]}\n";

static const char apis_body[] =
    "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":"
    "\"rbac.authorization.k8s.io\",\"versions\":[{\"groupVersion\":"
    "\"rbac.authorization.k8s.io/v1\",\"version\":\"v1\"}],\"preferredVersion\":"
    "{\"groupVersion\":\"rbac.authorization.k8s.io/v1\",\"version\":\"v1\"}}]}\n";

static const char openapi_body[] =
    "{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"v1.31.2\"},"
    "\"paths\":{}}\n";

static const char pods_body[] =
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
    "\"4242\"},\"items\":[{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"},"
    "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"env\":[{\"name\":"
    "\"DB_PASSWORD\",\"value\":\"hunter2-in-env\"}]}]}},{\"metadata\":{\"name\":"
    "\"web-2\",\"namespace\":\"default\"}}]}\n";

static const char secrets_body[] =
    "{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
    "\"4242\"},\"items\":[{\"metadata\":{\"name\":\"db\",\"namespace\":\"default\"},"
    "\"type\":\"Opaque\",\"data\":{\"password\":\"c3VwZXItc2VjcmV0LXZhbHVl\"}}]}\n";

static const char namespaces_body[] =
    "{\"kind\":\"NamespaceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
    "\"4242\"},\"items\":[{\"metadata\":{\"name\":\"default\"}},{\"metadata\":{\"name\":"
    "\"kube-system\"}},{\"metadata\":{\"name\":\"kube-public\"}}]}\n";

static const char nodes_body[] =
    "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":"
    "[{\"metadata\":{\"name\":\"cp-1\"}}]}\n";

static const char crb_body[] =
    "{\"kind\":\"ClusterRoleBindingList\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
    "\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"cluster-admin\"}},{\"metadata\":"
    "{\"name\":\"anon-read\"}}]}\n";

static const char configz_body[] =
    "{\"kubeletconfig\":{\"authentication\":{\"anonymous\":{\"enabled\":true}},"
    "\"authorization\":{\"mode\":\"AlwaysAllow\"},\"readOnlyPort\":10255}}\n";

static const char metrics_body[] = "# HELP kubelet_running_pods Number of pods\n"
				   "# TYPE kubelet_running_pods gauge\n"
				   "kubelet_running_pods 2\n";

static const char summary_body[] = "{\"node\":{\"nodeName\":\"cp-1\"},\"pods\":[]}\n";

static const char spec_body[] = "{\"num_cores\":4,\"memory_capacity\":8589934592}\n";

struct route {
	const char *path;
	const char *body;
	const char *resource, *group; /* for the 403 message; NULL: a path */
};

static char *big_body; /* 20000 ConfigMaps: more than the 1 MB a client keeps */

static void make_big(void)
{
	static const char head[] = "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\","
				   "\"metadata\":{},\"items\":[";
	size_t n = 20000, item = 160, at;

	big_body = malloc(sizeof(head) + n * item + 8);
	if (!big_body)
		return;
	at = (size_t)snprintf(big_body, sizeof(head), "%s", head);
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(big_body + at, item,
				       "%s{\"metadata\":{\"name\":\"cm-%06zu\",\"namespace\":"
				       "\"default\"},\"data\":{\"k\":\"%080d\"}}",
				       i ? "," : "", i, 0);
	snprintf(big_body + at, 8, "]}\n");
}

static const struct route api_routes[] = {
    {"/api/v1/pods", pods_body, "pods", ""},
    {"/api/v1/secrets", secrets_body, "secrets", ""},
    {"/api/v1/namespaces", namespaces_body, "namespaces", ""},
    {"/api/v1/nodes", nodes_body, "nodes", ""},
    {"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", crb_body, "clusterrolebindings",
     "rbac.authorization.k8s.io"},
    {"/api", api_body, NULL, NULL},
    {"/apis", apis_body, NULL, NULL},
    {"/openapi/v2", openapi_body, NULL, NULL},
    {"/version", version_body, NULL, NULL},
    {"/healthz", "ok", NULL, NULL},
    {"/livez", "ok", NULL, NULL},
    {"/readyz", "ok", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct route kubelet_routes[] = {
    {"/pods", pods_body, NULL, NULL},
    {"/runningpods/", pods_body, NULL, NULL},
    {"/configz", configz_body, NULL, NULL},
    {"/metrics", metrics_body, NULL, NULL},
    {"/stats/summary", summary_body, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct route readonly_routes[] = {
    {"/pods", pods_body, NULL, NULL},
    {"/spec/", spec_body, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

/* ------------------------------------------------ answering */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
			     const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-cache, private");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, const char *body)
{
	return reply(c, code, "application/json", body);
}

/* kube-apiserver's 403 (responsewriters/errors.go: forbiddenMessage). */
static enum MHD_Result forbidden(struct MHD_Connection *c, const struct route *rt, const char *path)
{
	char body[1024];

	if (rt && rt->resource) {
		const char *g = rt->group;
		snprintf(
		    body, sizeof(body),
		    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
		    "\"Failure\",\"message\":\"%s%s%s is forbidden: User \\\"system:anonymous\\\" "
		    "cannot list resource \\\"%s\\\" in API group \\\"%s\\\" at the cluster "
		    "scope\",\"reason\":\"Forbidden\",\"details\":{%s%s%s\"kind\":\"%s\"},"
		    "\"code\":403}\n",
		    rt->resource, *g ? "." : "", g, rt->resource, g, *g ? "\"group\":\"" : "", g,
		    *g ? "\"," : "", rt->resource);
	} else {
		snprintf(
		    body, sizeof(body),
		    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
		    "\"Failure\",\"message\":\"forbidden: User \\\"system:anonymous\\\" cannot "
		    "get path \\\"%s\\\"\",\"reason\":\"Forbidden\",\"details\":{},\"code\":403}\n",
		    path);
	}
	return reply_json(c, 403, body);
}

static const struct route *find(const struct route *rt, const char *path)
{
	for (; rt->path; rt++)
		if (!strcmp(rt->path, path))
			return rt;
	return NULL;
}

static int is_health(const char *p)
{
	return !strcmp(p, "/healthz") || !strcmp(p, "/livez") || !strcmp(p, "/readyz") ||
	       !strcmp(p, "/version");
}

static enum MHD_Result serve_found(struct MHD_Connection *c, const struct route *rt)
{
	if (!strcmp(rt->body, "ok") || rt->body == metrics_body)
		return reply(c, 200, "text/plain; charset=utf-8", rt->body);
	return reply_json(c, 200, rt->body);
}

static enum MHD_Result serve_kubelet(struct server *s, struct MHD_Connection *c, const char *path)
{
	const struct route *rt = find(kubelet_routes, path);

	/* pkg/kubelet/server/server.go: InstallAuthFilter answers with http.Error */
	if (s->mode == M_KUBELET_LOCKED)
		return reply(c, 401, "text/plain; charset=utf-8", "Unauthorized\n");
	if (s->mode == M_KUBELET_FORBIDDEN)
		return reply(c, 403, "text/plain; charset=utf-8",
			     "Forbidden (user=system:anonymous, verb=get, resource=nodes, "
			     "subresource=proxy)\n");
	if (!rt)
		return reply(c, 404, "text/plain; charset=utf-8", "404 page not found\n");
	return serve_found(c, rt);
}

static enum MHD_Result serve(struct server *s, struct MHD_Connection *c, const char *path)
{
	const struct route *rt;

	if (!strcmp(path, "/redirect")) {
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;
		MHD_add_response_header(r, "Location", "https://elsewhere.invalid/api/v1/pods");
		ret = MHD_queue_response(c, 302, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (s->mode >= M_KUBELET_OPEN && s->mode <= M_KUBELET_FORBIDDEN)
		return serve_kubelet(s, c, path);
	if (s->mode == M_READONLY) {
		rt = find(readonly_routes, path);
		return rt ? serve_found(c, rt)
			  : reply(c, 404, "text/plain; charset=utf-8", "404 page not found\n");
	}
	rt = find(api_routes, path);
	if (s->mode == M_LOCKED || (s->mode == M_HEALTH && !is_health(path)))
		return reply_json(c, 401, status_401);
	if (s->mode == M_FORBIDDEN && !is_health(path))
		return forbidden(c, rt, path);
	if (!strcmp(path, "/api/v1/configmaps") && big_body)
		return reply_json(c, 200, big_body);
	if (!rt)
		return reply_json(c, 404, status_404);
	return serve_found(c, rt);
}

static void append(const char *file, const char *fmt, const char *a, const char *b)
{
	FILE *f;

	if (!file || !(f = fopen(file, "a")))
		return;
	fprintf(f, fmt, a, b);
	fclose(f);
}

/* A client certificate the TLS handshake carried, if any. */
static int client_cert(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	unsigned n = 0;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return 0;
	return gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n) && n > 0;
}

static const char *credential(struct MHD_Connection *c)
{
	static const char *const headers[] = {"Authorization", "Proxy-Authorization", "Cookie"};

	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, headers[i]))
			return headers[i];
	if (client_cert(c))
		return "client certificate";
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct server *s = cls;
	const char *cred;

	(void)version, (void)upload;
	if (!*state) {
		*state = (void *)1; /* the headers; the next call has the body */
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (s->mode == M_CLUSTER)
		return cluster_handle(c, url, method);
	append(s->log, "%s %s\n", method, url);
	cred = credential(c);
	if (cred) {
		append(s->marker, "credential received: %s on %s\n", cred, url);
		credential_seen = 1;
		return reply(c, 500, "text/plain", "a credential arrived\n");
	}
	if (strcmp(method, "GET"))
		return reply(c, 405, "text/plain", "GET only\n");
	if (s->mode == M_SLOW && s->delay)
		sleep(s->delay);
	return serve(s, c, url);
}

/* A new TCP connection: counted, so that tests see a client reuse them. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;

	(void)c, (void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		append(s->conn_log, "%s%s\n", "connection", "");
}

/* ------------------------------------------------ setup */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct args {
	const char *mode, *port_file, *cert, *key, *ca;
	unsigned lifetime;
};

static int parse_args(int argc, char **argv, struct args *a, struct server *s)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--mode"))
			a->mode = v;
		else if (!strcmp(k, "--port-file"))
			a->port_file = v;
		else if (!strcmp(k, "--cert"))
			a->cert = v;
		else if (!strcmp(k, "--key"))
			a->key = v;
		else if (!strcmp(k, "--ca"))
			a->ca = v;
		else if (!strcmp(k, "--marker"))
			s->marker = v;
		else if (!strcmp(k, "--log"))
			s->log = v;
		else if (!strcmp(k, "--conn-log"))
			s->conn_log = v;
		else if (!strcmp(k, "--delay"))
			s->delay = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(k, "--lifetime"))
			a->lifetime = (unsigned)strtoul(v, NULL, 10);
		else if (cluster_arg(k, v) < 0)
			return -1;
	}
	for (size_t m = 0; a->mode && m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
		if (!strcmp(a->mode, mode_names[m])) {
			s->mode = (enum mode)m;
			return a->port_file ? 0 : -1;
		}
	return -1;
}

static struct MHD_Daemon *start(struct server *s, const struct args *a)
{
	struct sockaddr_in addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	char *cert = NULL, *key = NULL, *ca = NULL;
	struct MHD_Daemon *d;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (a->cert) {
		cert = slurp(a->cert);
		key = slurp(a->key);
		ca = a->ca ? slurp(a->ca) : NULL;
		if (!cert || !key || (a->ca && !ca)) {
			fprintf(stderr, "fakeapi: cannot read --cert, --key or --ca\n");
			return NULL;
		}
		/* a trust store makes the server ask for a client certificate */
		d = MHD_start_daemon(
		    flags | MHD_USE_TLS, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
		    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
		    MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
		    s, ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, ca, MHD_OPTION_END);
	} else {
		d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
				     MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				     MHD_OPTION_END);
	}
	free(cert);
	free(key);
	free(ca);
	return d;
}

int main(int argc, char **argv)
{
	struct args a = {NULL, NULL, NULL, NULL, NULL, 120};
	struct server s = {M_OPEN, NULL, NULL, NULL, 0};
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	time_t until;
	FILE *f;

	if (parse_args(argc, argv, &a, &s) < 0) {
		fprintf(stderr, "usage: fakeapi --mode MODE --port-file FILE [--cert PEM --key PEM "
				"[--ca PEM]] [--marker F] [--log F] [--conn-log F] [--delay S] "
				"[--lifetime S]\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (s.mode == M_OPEN)
		make_big();
	cluster_set_log(s.log);
	d = start(&s, &a);
	if (!d) {
		fprintf(stderr, "fakeapi: cannot start the server\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	f = fopen(a.port_file, "w");
	if (!info || !f) {
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(f, "%u\n", (unsigned)info->port);
	fclose(f);
	until = time(NULL) + (time_t)a.lifetime;
	while (!stop && time(NULL) < until)
		usleep(50 * 1000);
	cluster_stop();
	MHD_stop_daemon(d);
	free(big_body);
	return credential_seen ? 3 : 0;
}
