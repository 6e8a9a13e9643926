/*
 * The probe check (checks/probe.h): unauthenticated GETs and their verdicts.
 *
 * How the API server answers a request without credentials
 * (k8s.io/apiserver/pkg/endpoints/filters/authentication.go: WithAuthentication):
 * with anonymous authentication off, no authenticator accepts it and the
 * answer is 401 (a Status with reason Unauthorized); with it on, the request
 * is system:anonymous in group system:unauthenticated and goes to the
 * authorizers: 403 (Status reason Forbidden, naming the user) when they
 * deny it, the data when they allow it. The kubelet does the same on :10250
 * (pkg/kubelet/server/server.go: InstallAuthFilter: "Unauthorized", or
 * "Forbidden (user=..., verb=..., ...)"); its read-only port authenticates
 * nobody.
 */
#include "checks/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/section.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "parsers/k8s_body.h"
#include "core/banned.h"

static const struct rule probe_rules[] = {
    [PROBE_APISERVER] = {"probe-apiserver-anonymous",
			 "API server answers requests without credentials",
			 SEV_HIGH,
			 {"CIS Kubernetes 1.2.1"}},
    [PROBE_KUBELET] = {"probe-kubelet-anonymous",
		       "Kubelet (:10250) answers requests without credentials",
		       SEV_HIGH,
		       {"CIS Kubernetes 4.2.1", "CIS Kubernetes 4.2.2", "CIS EKS 3.2.1"}},
    [PROBE_READ_ONLY] = {"probe-read-only-port",
			 "Kubelet read-only port (:10255) serves anyone",
			 SEV_HIGH,
			 {"CIS Kubernetes 4.2.4", "CIS EKS 3.2.4"}},
};

static void probe_run(const void *input, const char *target, struct result *res);

const struct check check_probe = {
    "probe",
    probe_rules,
    ARRAY_SIZE(probe_rules),
    probe_run,
};

static const char *const apiserver_paths[] = {
    "/api/v1/pods",
    "/api/v1/secrets",
    "/api/v1/namespaces",
    "/api/v1/nodes",
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "/api",
    "/apis",
    "/openapi/v2",
    "/version",
    "/healthz",
    "/livez",
    "/readyz",
    NULL,
};
/* GET only: never /exec, /run, /attach or anything that writes */
static const char *const kubelet_paths[] = {
    "/pods", "/runningpods/", "/configz", "/metrics", "/stats/summary", NULL,
};
static const char *const read_only_paths[] = {"/pods", "/spec/", NULL};

static const char *const role_names[] = {"API server", "kubelet", "kubelet read-only port"};

static const char *const fixes[] = {
    [PROBE_APISERVER] =
	"Turn anonymous authentication off (kube-apiserver --anonymous-auth=false), or limit "
	"it to the health paths with an AuthenticationConfiguration (anonymous.enabled: true "
	"with conditions on /healthz, /livez, /readyz); remove RBAC bindings that give "
	"system:anonymous or system:unauthenticated more than system:public-info-viewer "
	"(kanon rbac shows them). kanon apiserver shows where the setting in force is written. "
	"Point load-balancer health checks at /livez or /readyz over HTTP(S).",
    [PROBE_KUBELET] = "Set authentication.anonymous.enabled: false and authorization.mode: "
		      "Webhook in the kubelet configuration (or --anonymous-auth=false "
		      "--authorization-mode=Webhook) and restart the kubelet; kanon kubelet shows "
		      "where the values in force are written.",
    [PROBE_READ_ONLY] = "Set readOnlyPort: 0 in the kubelet configuration (or "
			"--read-only-port=0) and restart the kubelet; move scrapers to the "
			"authenticated port 10250.",
};

static const char pitfall[] =
    "a TCP-only load-balancer health check succeeds even when anonymous auth is off (the port "
    "accepts connections either way); only an HTTP request like these shows the 401";

enum path_class { PC_RESOURCE, PC_DISCOVERY, PC_HEALTH, PC_OTHER };

/* What is probed on one server, and what it answered. */
struct server_state {
	const struct probe_server *srv;
	const struct rule *rule;
	size_t n401, n403, n200, nanswers;
	struct path_list readable;  /* "/api/v1/pods (3 items)", "/healthz" */
	struct path_list not_found; /* 404: no verdict */
	bool has_cert, cert_shown;
	struct http_cert cert;
	char *proxy;
	const char *proxy_var;
	bool down;   /* a transport failure stopped the probing */
	bool closed; /* connection refused */
	char *error;
};

/* One probe run. */
struct probe_ctx {
	const struct probe_input *in;
	struct http_client *http;
	struct result *res;
};

const char *const *probe_paths(enum probe_role role)
{
	if (role == PROBE_KUBELET)
		return kubelet_paths;
	if (role == PROBE_READ_ONLY)
		return read_only_paths;
	return apiserver_paths;
}

static size_t count_paths(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

size_t probe_count(const struct probe_input *in)
{
	size_t n = 0;

	for (size_t i = 0; i < in->nservers; i++) {
		n = st_add(n, count_paths(probe_paths(in->servers[i].role)));
		if (in->servers[i].role == PROBE_APISERVER)
			n = st_add(n, in->npaths);
	}
	return n;
}

const char *probe_path_refused(const char *path)
{
	static const char *const words[] = {
	    "exec", "attach", "run", "portforward", "portForward", "port-forward", "checkpoint"};
	const char *p = path;

	/* a segment, compared whole: /api/v1/.../pods/x/exec, /run/ns/pod/c */
	while (*p) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/?#");
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (len == strlen(words[i]) && !strncmp(p, words[i], len))
				return words[i];
		p += len;
		if (*p == '?' || *p == '#')
			break;
	}
	return NULL;
}

/* scheme://HOST:PORT from HOST, HOST:PORT, [V6], [V6]:PORT or a bare V6 address. */
static void add_port(struct strbuf *sb, const char *host, size_t len, const char *scheme,
		     const char *port)
{
	const char *colon = memchr(host, ':', len), *close = memchr(host, ']', len);

	if (host[0] != '[' && colon && memrchr(host, ':', len) != colon) {
		strbuf_addf(sb, "%s://[%.*s]:%s", scheme, (int)len, host, port);
		return;
	}
	strbuf_addf(sb, "%s://%.*s", scheme, (int)len, host);
	if (close ? !(close + 1 < host + len && close[1] == ':') : !colon)
		strbuf_addf(sb, ":%s", port);
}

char *probe_server_url(enum probe_role role, const char *arg, const char **why)
{
	static const char *const scheme[] = {"https", "https", "http"};
	static const char *const port[] = {"6443", "10250", "10255"};
	const char *host = strstr(arg, "://") ? strstr(arg, "://") + 3 : arg;
	size_t hostlen = strcspn(host, "/?#");
	struct strbuf sb = STRBUF_INIT;

	*why = NULL;
	if (!hostlen || memchr(host, '@', hostlen) || strpbrk(arg, " \t\r\n"))
		*why = memchr(host, '@', hostlen) ? "it carries a user name (kanon sends no "
						    "credentials)"
						  : "it names no host";
	else if (host != arg && !starts_with(arg, "https://") && !starts_with(arg, "http://"))
		*why = "only http:// and https:// are probed";
	else if (host[hostlen] && strcmp(host + hostlen, "/"))
		*why = "give scheme://HOST:PORT without a path (use --path for paths)";
	if (*why)
		return NULL;
	if (host != arg)
		strbuf_add(&sb, arg, (size_t)(host - arg) + hostlen);
	if (host == arg)
		add_port(&sb, host, hostlen, scheme[role], port[role]);
	return strbuf_detach(&sb);
}

/* Health and version: what system:public-info-viewer grants everyone. */
static bool health_path(const char *p)
{
	static const char *const roots[] = {"/healthz", "/livez", "/readyz", "/version"};

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);
		if (!strncmp(p, roots[i], n) && (!p[n] || p[n] == '/' || p[n] == '?'))
			return true;
	}
	return false;
}

/* An API server path: /api/v1/pods is a resource, /api/v1 discovery. */
static enum path_class classify(const char *p)
{
	size_t segs = 0;

	if (health_path(p))
		return PC_HEALTH;
	if (!strcmp(p, "/openapi") || starts_with(p, "/openapi/"))
		return PC_DISCOVERY;
	if (strcmp(p, "/api") && !starts_with(p, "/api/") && strcmp(p, "/apis") &&
	    !starts_with(p, "/apis/"))
		return PC_OTHER;
	for (const char *s = p; *s && *s != '?'; s++)
		if (*s == '/' && s[1] && s[1] != '/' && s[1] != '?')
			segs++;
	/* /api/VERSION/RESOURCE..., /apis/GROUP/VERSION/RESOURCE... */
	return segs >= (starts_with(p, "/apis") ? 4u : 3u) ? PC_RESOURCE : PC_DISCOVERY;
}

/* ------------------------------------------------ evidence */

static void body_evidence(struct finding *f, const char *url, const struct http_response *r,
			  const struct k8s_body *b)
{
	struct strbuf sb = STRBUF_INIT;

	if (b->kind && !strcmp(b->kind, "Status")) {
		strbuf_addstr(&sb, "kind Status");
		if (b->reason)
			strbuf_addf(&sb, ", reason %s", b->reason);
		if (b->code)
			strbuf_addf(&sb, ", code %lld", b->code);
		if (b->details_kind)
			strbuf_addf(&sb, ", details.kind %s", b->details_kind);
		finding_add_evidence(f, "http", url, 0, "body", sb.buf, b->message);
	} else if (b->has_items) {
		strbuf_addf(&sb, "%s%zu", b->complete ? "" : "at least ", b->items);
		finding_add_evidence(f, "http", url, 0, "items", sb.buf,
				     b->kind ? b->kind : "a List; counted, never shown");
	} else if (b->kind) {
		finding_add_evidence(f, "http", url, 0, "kind", b->kind, NULL);
	} else if (r->body.len && !b->object) {
		/* a plain-text answer (the kubelet's "Forbidden (user=...)"): its first line */
		size_t n = strcspn(r->body.buf, "\r\n");
		strbuf_add(&sb, r->body.buf, n < 200 ? n : 200);
		finding_add_evidence(f, "http", url, 0, "body", sb.buf, NULL);
	}
	if (r->truncated)
		finding_add_evidence(f, "http", url, 0, "body", NULL,
				     "cut at the body size cap: read no further");
	if (r->proxy)
		finding_add_evidence(f, "http", url, 0, "proxy", r->proxy, r->proxy_var);
	strbuf_release(&sb);
}

static void list_add(struct path_list *l, const char *s)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = xstrdup(s);
}

/* The server certificate, as evidence of the server's first finding. */
static void cert_evidence(struct server_state *s, struct finding *f)
{
	if (!s->has_cert || s->cert_shown)
		return;
	s->cert_shown = true;
	finding_add_evidence(f, "tls", s->srv->url, 0, "certificate subject", s->cert.subject,
			     NULL);
	finding_add_evidence(f, "tls", s->srv->url, 0, "certificate SANs", s->cert.sans, NULL);
	finding_add_evidence(f, "tls", s->srv->url, 0, "certificate issuer", s->cert.issuer, NULL);
	finding_add_evidence(f, "tls", s->srv->url, 0, "certificate expires", s->cert.not_after,
			     NULL);
}

/* A finding for one endpoint, with the status line as evidence. */
static struct finding *verdict(struct probe_ctx *c, struct server_state *s, const char *url,
			       enum status st, enum severity sev, const struct http_response *r,
			       const struct k8s_body *b, const char *msg)
{
	struct finding *f;
	char code[32];

	f = finding_add(c->res, s->rule, st, sev, url, fixes[s->srv->role], "%s", msg);
	snprintf(code, sizeof(code), "%ld", r->code);
	finding_add_evidence(f, "http", url, 0, "GET status", code, NULL);
	/* for the scan verdict's attack paths (core/finding.h) */
	finding_set_fact(f, "code", code);
	finding_set_fact(f, "server", s->srv->url);
	if (!strncmp(url, s->srv->url, strlen(s->srv->url)))
		finding_set_fact(f, "path", url + strlen(s->srv->url));
	body_evidence(f, url, r, b);
	cert_evidence(s, f);
	return f;
}

/* "3 items", "at least 3 items", or "" when the body is not a List. */
static void items_words(struct strbuf *sb, const struct k8s_body *b)
{
	if (!b->has_items)
		return;
	strbuf_addf(sb, "%s%zu item%s", b->complete ? "" : "at least ", b->items,
		    b->items == 1 ? "" : "s");
}

static void judge_200(struct probe_ctx *c, struct server_state *s, const char *path,
		      const char *url, const struct http_response *r, const struct k8s_body *b)
{
	enum path_class pc = s->srv->role == PROBE_APISERVER ? classify(path) : PC_RESOURCE;
	struct strbuf msg = STRBUF_INIT, items = STRBUF_INIT, seen = STRBUF_INIT;
	enum status st = STATUS_FAIL;
	enum severity sev = SEV_CRITICAL;

	items_words(&items, b);
	strbuf_addf(&seen, "%s%s%s%s", path, items.len ? " (" : "", strbuf_str(&items),
		    items.len ? ")" : "");
	list_add(&s->readable, seen.buf);
	if (s->srv->role == PROBE_KUBELET) {
		strbuf_addf(&msg,
			    "the kubelet served %s to a request without credentials (200%s%s): "
			    "anonymous auth is on and the authorizer lets system:anonymous "
			    "in, so the whole kubelet API (exec included) is likely open",
			    path, items.len ? ", " : "", strbuf_str(&items));
	} else if (s->srv->role == PROBE_READ_ONLY) {
		sev = SEV_HIGH;
		strbuf_addf(&msg,
			    "the read-only port served %s without any authentication (200%s%s)",
			    path, items.len ? ", " : "", strbuf_str(&items));
	} else if (pc == PC_HEALTH) {
		st = c->in->expect_locked ? STATUS_FAIL : STATUS_PASS;
		sev = c->in->expect_locked ? SEV_MEDIUM : SEV_INFO;
		strbuf_addf(&msg, "%s answered 200 without credentials: %s", path,
			    c->in->expect_locked
				? "anonymous auth is on, and --expect-locked says it should be off"
				: "expected for a health allowlist (system:public-info-viewer "
				  "lets everyone read it)");
	} else if (pc == PC_RESOURCE) {
		strbuf_addf(&msg,
			    "anonymous access granted: GET %s without credentials returned %s",
			    path, items.len ? items.buf : "200");
		if (b->has_items)
			strbuf_addstr(&msg, " (counted, never shown)");
	} else if (pc == PC_DISCOVERY) {
		sev = SEV_MEDIUM;
		strbuf_addf(&msg,
			    "anonymous can read API discovery %s (200); by default only "
			    "system:authenticated may (ClusterRoleBinding system:discovery)",
			    path);
	} else {
		sev = SEV_HIGH;
		strbuf_addf(&msg, "anonymous can read %s (200)", path);
	}
	verdict(c, s, url, st, sev, r, b, msg.buf);
	strbuf_release(&msg);
	strbuf_release(&items);
	strbuf_release(&seen);
}

/* The user a 403 names: the Status message's, or the kubelet's plain text. */
static char *forbidden_user(const struct http_response *r, const struct k8s_body *b)
{
	if (b->message)
		return k8s_forbidden_user(b->message, strlen(b->message));
	if (!b->object)
		return k8s_forbidden_user(r->body.buf, r->body.len < 4096 ? r->body.len : 4096);
	return NULL;
}

static void judge_denied(struct probe_ctx *c, struct server_state *s, const char *path,
			 const char *url, const struct http_response *r, const struct k8s_body *b)
{
	struct strbuf msg = STRBUF_INIT;
	char *user;

	if (r->code == 401) {
		s->n401++;
		strbuf_addf(
		    &msg,
		    "%s refused the request without credentials (401 Unauthorized): "
		    "anonymous auth is off%s",
		    path, s->srv->role == PROBE_APISERVER ? " for this path" : " on this kubelet");
		verdict(c, s, url, STATUS_PASS, s->rule->severity, r, b, msg.buf);
		strbuf_release(&msg);
		return;
	}
	s->n403++;
	user = forbidden_user(r, b);
	strbuf_addf(&msg,
		    "anonymous auth is on: the request without credentials was authenticated "
		    "as %s%s%s and the authorizer denied %s (403 Forbidden); the exposure "
		    "depends on %s",
		    user ? "'" : "", user ? user : "an anonymous user (the body names none)",
		    user ? "'" : "", path,
		    s->srv->role == PROBE_APISERVER ? "RBAC (kanon rbac)"
						    : "the kubelet's authorizer (Webhook: RBAC)");
	verdict(c, s, url, STATUS_WARN, SEV_MEDIUM, r, b, msg.buf);
	free(user);
	strbuf_release(&msg);
}

static void judge(struct probe_ctx *c, struct server_state *s, const char *path, const char *url,
		  const struct http_response *r, const struct k8s_body *b)
{
	struct strbuf msg = STRBUF_INIT;

	s->nanswers++;
	if (r->code == 404) {
		list_add(&s->not_found, path);
		return;
	}
	if (r->code == 200) {
		s->n200++;
		judge_200(c, s, path, url, r, b);
		return;
	}
	if (r->code == 401 || r->code == 403) {
		judge_denied(c, s, path, url, r, b);
		return;
	}
	if (r->code >= 300 && r->code < 400)
		strbuf_addf(&msg, "%s redirected (%ld) to %s: not followed, so no verdict", path,
			    r->code, r->location ? r->location : "no Location");
	else
		strbuf_addf(&msg,
			    "%s answered %ld%s%s: neither 200, 401, 403 nor 404, so no "
			    "verdict",
			    path, r->code, b->reason ? " " : "", b->reason ? b->reason : "");
	verdict(c, s, url, STATUS_UNKNOWN, s->rule->severity, r, b, msg.buf);
	strbuf_release(&msg);
}

/* The server certificate, once per server; WARN when it expires within 30 days. */
static void record_cert(struct probe_ctx *c, struct server_state *s, struct http_response *r)
{
	int64_t now = (int64_t)time(NULL), left;
	struct finding *f;

	if (!r->has_cert || s->has_cert)
		return;
	s->has_cert = true;
	s->cert = r->cert;
	memset(&r->cert, 0, sizeof(r->cert));
	r->has_cert = false;
	if (s->cert.expires == INT64_MIN)
		return;
	left = s->cert.expires - now;
	if (left > 30 * 86400)
		return;
	f = finding_add(c->res, s->rule, STATUS_WARN, SEV_LOW, s->srv->url,
			"Renew the server certificate (kubeadm certs renew, or your PKI) and "
			"restart the server.",
			left < 0 ? "the server certificate expired on %s"
				 : "the server certificate expires on %s (within 30 days)",
			s->cert.not_after);
	cert_evidence(s, f);
}

/* No answer: UNKNOWN with the reason (a refused read-only port is closed: PASS). */
static void no_answer(struct probe_ctx *c, struct server_state *s, const char *url, int why,
		      const struct http_response *r, const struct err *e, size_t left)
{
	struct finding *f;

	s->down = true;
	s->error = xstrdup(e->msg);
	if (s->srv->role == PROBE_READ_ONLY && why == HTTP_E_CONNECT &&
	    r->os_errno == ECONNREFUSED) {
		s->closed = true;
		f = finding_add(c->res, s->rule, STATUS_PASS, s->rule->severity, url,
				fixes[s->srv->role],
				"nothing listens on the read-only port at this address "
				"(connection refused): it is closed");
		finding_add_evidence(f, "http", url, 0, "connect", e->msg, NULL);
		cert_evidence(s, f);
		return;
	}
	if (why == HTTP_E_VERIFY || why == HTTP_E_TLS) {
		/* never a silent fallback: the user must fix --cacert or choose --insecure */
		result_diag(c->res, DIAG_ERROR, "%s", e->msg);
		c->res->input_error = true;
	}
	f = finding_add(c->res, s->rule, STATUS_UNKNOWN, s->rule->severity, url,
			fixes[s->srv->role], "no answer, so no verdict: %s%s", e->msg,
			left ? "; the server's other endpoints were not probed" : "");
	if (left) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", left);
		finding_add_evidence(f, "http", s->srv->url, 0, "endpoints not probed", n, NULL);
	}
	cert_evidence(s, f);
}

static void probe_endpoint(struct probe_ctx *c, struct server_state *s, const char *path,
			   size_t left)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response r;
	struct k8s_body b;
	struct err e;
	int rc;

	strbuf_addf(&url, "%s%s", s->srv->url, path);
	http_response_init(&r);
	k8s_body_init(&b);
	rc = http_get(c->http, url.buf, &r, &e);
	if (!s->proxy && r.proxy) {
		s->proxy = xstrdup(r.proxy);
		s->proxy_var = r.proxy_var;
	}
	record_cert(c, s, &r);
	if (rc < 0) {
		no_answer(c, s, url.buf, -rc, &r, &e, left);
	} else {
		(void)k8s_body_parse(r.body.buf, r.body.len, &b);
		judge(c, s, path, url.buf, &r, &b);
	}
	k8s_body_release(&b);
	http_response_release(&r);
	strbuf_release(&url);
}

/* ------------------------------------------------ the report section */

static const char *const role_keys[] = {"apiserver", "kubelet", "read-only-port"};

/* "on", "off", "partial" or "unknown", and the words of the summary line. */
static const char *auth_state(const struct server_state *s, struct strbuf *words)
{
	size_t on = s->n200 + s->n403, judged = on + s->n401;

	if (s->srv->role == PROBE_READ_ONLY) {
		if (s->closed) {
			strbuf_addstr(words, "read-only port CLOSED (connection refused)");
			return "off";
		}
		if (s->n200) {
			strbuf_addstr(words, "read-only port OPEN (it authenticates nobody)");
			return "on";
		}
	} else if (on && s->n401) {
		strbuf_addf(words, "anonymous auth ON for %zu of %zu paths (401 on the others)", on,
			    judged);
		return "partial";
	} else if (on) {
		strbuf_addstr(words, "anonymous auth ON");
		return "on";
	} else if (s->n401) {
		strbuf_addstr(words, "anonymous auth OFF");
		return "off";
	}
	strbuf_addstr(words, s->srv->role == PROBE_READ_ONLY ? "read-only port UNKNOWN"
							     : "anonymous auth UNKNOWN");
	if (s->error)
		strbuf_addf(words, " (%s)", s->error);
	else if (s->nanswers)
		strbuf_addstr(words, " (no answer was 200, 401 or 403)");
	return "unknown";
}

static void summary_line(const struct server_state *s, struct strbuf *sb, const char **state)
{
	strbuf_addf(sb, "%s (%s", s->srv->url, role_names[s->srv->role]);
	if (s->proxy)
		strbuf_addf(sb, ", through the proxy %s named by %s", s->proxy, s->proxy_var);
	strbuf_addstr(sb, "): ");
	*state = auth_state(s, sb);
	if (!strcmp(*state, "unknown") || s->closed)
		return;
	strbuf_addstr(sb, s->srv->role == PROBE_READ_ONLY ? "; anyone can read: "
							  : "; anonymous can read: ");
	for (size_t i = 0; i < s->readable.n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", s->readable.v[i]);
	if (!s->readable.n)
		strbuf_addstr(sb, "nothing");
	if (s->down && s->error)
		strbuf_addf(sb, "; probing stopped: %s", s->error);
}

static void strings(struct section *p, const char *key, const struct path_list *l, unsigned hide)
{
	struct section *list = sec_list(p, key, NULL);

	for (size_t i = 0; i < l->n; i++)
		sec_str(list, NULL, l->v[i]);
	sec_flag(list, hide);
}

static void cert_section(struct section *row, const struct server_state *s)
{
	struct section *g;

	if (!s->has_cert) {
		sec_flag(sec_null(row, "certificate"), SEC_HIDE_ZERO);
		return;
	}
	g = sec_brk(sec_group(row, "certificate", NULL), 4);
	sec_str(g, "subject", s->cert.subject);
	sec_str(g, "sans", s->cert.sans);
	sec_str(g, "issuer", s->cert.issuer);
	sec_str(g, "not_after", s->cert.not_after);
	sec_time(g, "expires",
		 s->cert.expires == INT64_MIN ? SEC_TIME_NONE : s->cert.expires * (int64_t)1000000);
}

static void server_section(const struct server_state *s, struct section *summary,
			   struct section *servers)
{
	struct strbuf line = STRBUF_INIT;
	struct section *row = sec_brk(sec_group(servers, NULL, NULL), 3);
	const char *state;

	summary_line(s, &line, &state);
	sec_str(summary, NULL, line.buf);
	sec_str(row, "url", s->srv->url);
	sec_str(row, "role", role_keys[s->srv->role]);
	sec_str(row, "anonymous_auth", state);
	sec_flag(sec_str(row, "summary", line.buf), SEC_JSON_ONLY);
	strings(row, "can_read", &s->readable, 0);
	strings(row, "not_found", &s->not_found, SEC_HIDE_ZERO);
	sec_flag(sec_str(row, "proxy", s->proxy), SEC_HIDE_ZERO);
	sec_flag(sec_str(row, "proxy_env", s->proxy_var), SEC_HIDE_ZERO);
	sec_flag(sec_str(row, "error", s->error), SEC_HIDE_ZERO);
	cert_section(row, s);
	strbuf_release(&line);
}

static void server_state_release(struct server_state *s)
{
	path_list_release(&s->readable);
	path_list_release(&s->not_found);
	http_cert_release(&s->cert);
	free(s->proxy);
	free(s->error);
}

static void probe_server(struct probe_ctx *c, const struct probe_server *srv,
			 struct section *summary, struct section *servers)
{
	const char *const *fixed = probe_paths(srv->role);
	size_t nfixed = count_paths(fixed), n = nfixed;
	struct server_state s;

	if (srv->role == PROBE_APISERVER)
		n = st_add(n, c->in->npaths);
	memset(&s, 0, sizeof(s));
	s.srv = srv;
	s.rule = &probe_rules[srv->role];
	s.cert.expires = s.cert.starts = INT64_MIN;
	for (size_t i = 0; i < n && !s.down; i++)
		probe_endpoint(c, &s, i < nfixed ? fixed[i] : c->in->paths[i - nfixed], n - i - 1);
	server_section(&s, summary, servers);
	server_state_release(&s);
}

static const char *tls_words(const struct http_opts *o, struct strbuf *sb)
{
	if (o->insecure)
		strbuf_addstr(sb, "NOT VERIFIED (--insecure): the servers' certificates were not "
				  "checked, so another host could have answered");
	else if (o->cacert)
		strbuf_addf(sb, "verified against --cacert %s", o->cacert);
	else
		strbuf_addstr(sb, "verified against the system CA store");
	return sb->buf;
}

static void probe_run(const void *input, const char *target, struct result *res)
{
	const struct probe_input *in = input;
	struct probe_ctx c = {in, NULL, res};
	struct http_opts o = in->http;
	struct section *root, *requests, *summary, *servers;
	struct strbuf tls = STRBUF_INIT;

	(void)target;
	if (!o.max_requests)
		o.max_requests = probe_count(in);
	c.http = http_client_create(&o);
	if (!c.http) {
		const char *why = http_unavailable();
		result_diag(res, DIAG_ERROR, "cannot start the HTTP client (libcurl)%s%s",
			    why ? ": " : "", why ? why : "");
		res->input_error = true;
		return;
	}
	if (o.insecure)
		result_diag(res, DIAG_WARNING, "--insecure: server certificates are not verified");
	root = section_create(SEC_GROUP, "probe", "probe (requests without credentials)");
	sec_str(root, "tls", tls_words(&o, &tls));
	sec_flag(sec_bool(root, "insecure", o.insecure), SEC_JSON_ONLY);
	requests = sec_uint(root, "requests", 0);
	sec_uint(root, "max_requests", o.max_requests);
	summary = sec_brk(sec_list(root, "summary", NULL), 2);
	/* text: the summary lines say it; the certificates are evidence */
	servers = sec_flag(sec_brk(sec_list(root, "servers", NULL), 2), SEC_JSON_ONLY);
	sec_str(root, "note", pitfall);
	for (size_t i = 0; i < in->nservers; i++)
		probe_server(&c, &in->servers[i], summary, servers);
	requests->v.u = http_client_requests(c.http);
	result_add_section(res, root);
	http_client_destroy(c.http);
	strbuf_release(&tls);
}
