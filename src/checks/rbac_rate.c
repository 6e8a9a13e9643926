/*
 * The danger model. A capability is granted when the rule allows one of
 * its probe requests, decided by rbac_rule_allows(): the authorizer's own
 * matching, so `pods/ *` never proves exec and `* /exec` does.
 */
#include "checks/rbac_rate.h"

#include <string.h>

#include "model/rbac_match.h"
#include "core/util.h"
#include "core/banned.h"

const struct rbac_cap rbac_caps[CAP__COUNT] = {
    [CAP_WILDCARD] = {"wildcard", "use wildcards (*)", LVL_CRITICAL, LVL_MEDIUM},
    [CAP_SECRETS_READ] = {"secrets-read", "read secrets", LVL_CRITICAL, LVL_MEDIUM},
    [CAP_PODS_EXEC] = {"pods-exec", "exec into, attach to or port-forward pods", LVL_CRITICAL,
		       LVL_CRITICAL},
    [CAP_WORKLOADS] = {"workloads-write", "create or change pods and workloads (run code)",
		       LVL_CRITICAL, LVL_CRITICAL},
    [CAP_BIND_ESCALATE] = {"rbac-bind-escalate", "bind or escalate roles", LVL_CRITICAL,
			   LVL_CRITICAL},
    [CAP_BINDINGS_WRITE] = {"rbac-bindings-write", "create or change role bindings", LVL_CRITICAL,
			    LVL_CRITICAL},
    [CAP_IMPERSONATE] = {"impersonate", "impersonate users, groups or service accounts",
			 LVL_CRITICAL, LVL_CRITICAL},
    [CAP_NODES_PROXY] = {"nodes-proxy", "use the kubelet API through nodes/proxy", LVL_CRITICAL,
			 LVL_CRITICAL},
    [CAP_SA_TOKEN] = {"serviceaccount-token", "mint service account tokens", LVL_CRITICAL,
		      LVL_CRITICAL},
    [CAP_ADMISSION] = {"admission-control", "change admission webhooks or policies", LVL_CRITICAL,
		       LVL_CRITICAL},
    [CAP_CSR_APPROVE] = {"csr-approve", "approve certificate signing requests", LVL_CRITICAL,
			 LVL_CRITICAL},
    [CAP_SECRETS_CREATE] = {"secrets-create", "create secrets", LVL_HIGH, LVL_HIGH},
    [CAP_SELF_REVIEW] = {"self-review", "review its own permissions", LVL_LOW, LVL_LOW},
    [CAP_READ] = {"read", "read resources", LVL_MEDIUM, LVL_MEDIUM},
    [CAP_WRITE] = {"write", "create, change or delete resources", LVL_MEDIUM, LVL_MEDIUM},
    [CAP_OTHER_VERB] = {"other-verb", "use special verbs", LVL_MEDIUM, LVL_MEDIUM},
    [CAP_CLUSTER_INFO] = {"cluster-info", "read the cluster-info ConfigMap (kubeadm discovery)",
			  LVL_BASELINE, LVL_BASELINE},
    [CAP_PUBLIC_INFO] = {"public-info", "GET health and version endpoints", LVL_BASELINE,
			 LVL_BASELINE},
    [CAP_DISCOVERY] = {"discovery", "API discovery (GET /api, /apis, /openapi)", LVL_LOW, LVL_LOW},
    [CAP_OIDC] = {"oidc-discovery", "service account issuer discovery (OIDC keys)", LVL_LOW,
		  LVL_LOW},
    [CAP_NONRESOURCE_GET] = {"nonresource-get", "GET other non-resource URLs", LVL_LOW, LVL_LOW},
    [CAP_APISERVER_DEBUG] = {"apiserver-logs-debug", "read API server logs or debug endpoints",
			     LVL_MEDIUM, LVL_MEDIUM},
    [CAP_NONRESOURCE_WRITE] = {"nonresource-write", "send non-GET requests to non-resource URLs",
			       LVL_MEDIUM, LVL_MEDIUM},
};

static const char *const level_names[LVL__COUNT] = {
    "none", "baseline", "low", "medium", "high", "critical",
};

const char *rbac_level_name(enum rbac_level l)
{
	return (unsigned)l < LVL__COUNT ? level_names[l] : "?";
}

enum severity rbac_level_severity(enum rbac_level l)
{
	switch (l) {
	case LVL_LOW:
		return SEV_LOW;
	case LVL_MEDIUM:
		return SEV_MEDIUM;
	case LVL_HIGH:
		return SEV_HIGH;
	case LVL_CRITICAL:
		return SEV_CRITICAL;
	default:
		return SEV_INFO;
	}
}

#define RBAC "rbac.authorization.k8s.io"

struct probe {
	enum rbac_cap_id cap;
	const char *verbs[6];
	const char *group;
	const char *res[7];
	bool cluster_only; /* a cluster-scoped request: RoleBindings never reach it */
};

/*
 * Facts behind the probes: exec/attach/portforward are subresources
 * reached with create (POST) or get (websocket upgrade, authorized as get
 * before 1.31's AuthorizePodWebsocketUpgradeCreatePermission);
 * `bind` on clusterroles is checked in the binding's namespace
 * (pkg/registry/rbac/escalation_check.go BindingAuthorized), so a
 * RoleBinding can grant it; impersonating users and groups is a cluster-
 * scoped check, service accounts are namespaced
 * (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
 */
static const struct probe probes[] = {
    {CAP_SECRETS_READ, {"get", "list", "watch"}, "", {"secrets"}, false},
    {CAP_PODS_EXEC, {"create", "get"}, "", {"pods/exec", "pods/attach", "pods/portforward"}, false},
    {CAP_PODS_EXEC, {"update", "patch"}, "", {"pods/ephemeralcontainers"}, false},
    {CAP_WORKLOADS, {"create", "update", "patch"}, "", {"pods", "replicationcontrollers"}, false},
    {CAP_WORKLOADS,
     {"create", "update", "patch"},
     "apps",
     {"deployments", "daemonsets", "statefulsets", "replicasets"},
     false},
    {CAP_WORKLOADS, {"create", "update", "patch"}, "batch", {"jobs", "cronjobs"}, false},
    {CAP_BIND_ESCALATE, {"bind", "escalate"}, RBAC, {"roles"}, false},
    {CAP_BIND_ESCALATE, {"bind"}, RBAC, {"clusterroles"}, false},
    {CAP_BIND_ESCALATE, {"escalate"}, RBAC, {"clusterroles"}, true},
    {CAP_BINDINGS_WRITE, {"create", "update", "patch"}, RBAC, {"rolebindings"}, false},
    {CAP_BINDINGS_WRITE, {"create", "update", "patch"}, RBAC, {"clusterrolebindings"}, true},
    {CAP_IMPERSONATE, {"impersonate"}, "", {"users", "groups"}, true},
    {CAP_IMPERSONATE, {"impersonate"}, "", {"serviceaccounts"}, false},
    {CAP_IMPERSONATE, {"impersonate"}, "authentication.k8s.io", {"uids"}, true},
    {CAP_NODES_PROXY, {"get", "create", "update", "patch", "delete"}, "", {"nodes/proxy"}, true},
    {CAP_SA_TOKEN, {"create"}, "", {"serviceaccounts/token"}, false},
    {CAP_ADMISSION,
     {"create", "update", "patch", "delete"},
     "admissionregistration.k8s.io",
     {"validatingwebhookconfigurations", "mutatingwebhookconfigurations",
      "validatingadmissionpolicies", "validatingadmissionpolicybindings",
      "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"},
     true},
    {CAP_CSR_APPROVE,
     {"update", "patch"},
     "certificates.k8s.io",
     {"certificatesigningrequests/approval"},
     true},
    {CAP_SECRETS_CREATE, {"create"}, "", {"secrets"}, false},
    {CAP_SELF_REVIEW,
     {"create"},
     "authorization.k8s.io",
     {"selfsubjectaccessreviews", "selfsubjectrulesreviews"},
     true},
    {CAP_SELF_REVIEW, {"create"}, "authentication.k8s.io", {"selfsubjectreviews"}, true},
};

/* Well-known cluster-scoped resources (group, resource). */
static const char *const cluster_scoped[][2] = {
    {"", "nodes"},
    {"", "persistentvolumes"},
    {"", "componentstatuses"},
    /* impersonation's virtual resources: users and groups are checked
     * without a namespace (service accounts with theirs) */
    {"", "users"},
    {"", "groups"},
    {"authentication.k8s.io", "uids"},
    {"authentication.k8s.io", "userextras"},
    {RBAC, "clusterroles"},
    {RBAC, "clusterrolebindings"},
    {"apiextensions.k8s.io", "customresourcedefinitions"},
    {"apiregistration.k8s.io", "apiservices"},
    {"storage.k8s.io", "storageclasses"},
    {"storage.k8s.io", "csidrivers"},
    {"storage.k8s.io", "csinodes"},
    {"storage.k8s.io", "volumeattachments"},
    {"scheduling.k8s.io", "priorityclasses"},
    {"node.k8s.io", "runtimeclasses"},
    {"networking.k8s.io", "ingressclasses"},
    {"networking.k8s.io", "ipaddresses"},
    {"networking.k8s.io", "servicecidrs"},
    {"admissionregistration.k8s.io", "validatingwebhookconfigurations"},
    {"admissionregistration.k8s.io", "mutatingwebhookconfigurations"},
    {"admissionregistration.k8s.io", "validatingadmissionpolicies"},
    {"admissionregistration.k8s.io", "validatingadmissionpolicybindings"},
    {"certificates.k8s.io", "certificatesigningrequests"},
    {"authentication.k8s.io", "tokenreviews"},
    {"authentication.k8s.io", "selfsubjectreviews"},
    {"authorization.k8s.io", "subjectaccessreviews"},
    {"authorization.k8s.io", "selfsubjectaccessreviews"},
    {"authorization.k8s.io", "selfsubjectrulesreviews"},
    {"flowcontrol.apiserver.k8s.io", "flowschemas"},
    {"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"},
    {"policy", "podsecuritypolicies"},
};

bool rbac_cluster_scoped(const char *group, const char *resource)
{
	char base[256];
	const char *slash = strchr(resource, '/');
	size_t l = slash ? (size_t)(slash - resource) : strlen(resource);

	if (l >= sizeof(base))
		return false;
	memcpy(base, resource, l);
	base[l] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(cluster_scoped); i++)
		if (!strcmp(cluster_scoped[i][0], group) && !strcmp(cluster_scoped[i][1], base))
			return true;
	return false;
}

static void grant(struct rbac_grant *out, size_t *n, enum rbac_cap_id cap, bool named,
		  const struct rbac_scope *sc)
{
	const struct rbac_cap *c = &rbac_caps[cap];
	enum rbac_level l = named ? c->named_level : c->level;

	/* A critical capability confined to one namespace other than
	 * kube-system (where the control plane's service accounts live) is
	 * high: it compromises that namespace, not the cluster. */
	if (!sc->cluster && l == LVL_CRITICAL && strcmp(sc->ns ? sc->ns : "", "kube-system"))
		l = LVL_HIGH;
	for (size_t i = 0; i < *n; i++) {
		if (out[i].cap != cap)
			continue;
		if (l > out[i].level || (l == out[i].level && !named)) {
			out[i].level = l;
			out[i].named = named;
		}
		return;
	}
	out[*n].cap = cap;
	out[*n].level = l;
	out[*n].named = named;
	(*n)++;
}

static bool is_read(const char *v)
{
	return !strcmp(v, "get") || !strcmp(v, "list") || !strcmp(v, "watch");
}

static bool is_write(const char *v)
{
	return !strcmp(v, "create") || !strcmp(v, "update") || !strcmp(v, "patch") ||
	       !strcmp(v, "delete") || !strcmp(v, "deletecollection");
}

/*
 * Requests that never carry an object name: creating an object (POST to
 * the collection) and deletecollection. A create of a subresource
 * (pods/NAME/exec, serviceaccounts/NAME/token) names the parent object
 * (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 */
static bool nameless_verb(const char *v, const char *res)
{
	return !strcmp(v, "deletecollection") || (!strcmp(v, "create") && !strchr(res, '/'));
}

/*
 * Does the one-entry rule (v, g, res) with the rule's resourceNames allow
 * probe request (pv, pg, pres)? 0 no, 1 for every name, 2 for named only.
 */
static int triple_allows(const char *v, const char *g, const char *res,
			 const struct rbac_strs *names, const char *pv, const char *pg,
			 const char *pres, const struct rbac_scope *sc)
{
	const char *tv[1] = {v}, *tg[1] = {g}, *tr[1] = {res};
	struct rbac_rule t;
	struct rbac_request q;
	char base[128];
	const char *slash = strchr(pres, '/');

	memset(&t, 0, sizeof(t));
	t.verbs.v = tv;
	t.verbs.n = 1;
	t.groups.v = tg;
	t.groups.n = 1;
	t.resources.v = tr;
	t.resources.n = 1;
	t.names = *names;
	memset(&q, 0, sizeof(q));
	q.resource = true;
	q.verb = pv;
	q.group = pg;
	if (slash) {
		size_t l = (size_t)(slash - pres);
		memcpy(base, pres, l);
		base[l] = '\0';
		q.res = base;
		q.sub = slash + 1;
	} else {
		q.res = pres;
	}
	q.ns = sc->cluster ? NULL : sc->ns;
	if (rbac_rule_allows(&t, &q))
		return 1;
	if (names->n && !nameless_verb(pv, pres)) {
		q.name = names->v[0];
		if (rbac_rule_allows(&t, &q))
			return 2;
	}
	return 0;
}

static const char *const public_info[] = {"/healthz", "/livez", "/readyz", "/version", "/version/"};
static const char *const debug_paths[] = {"/logs", "/logs/", "/debug/pprof/", "/debug/flags/v"};
static const char *const discovery_paths[] = {
    "/api",	     "/api/",	     "/api/v1",	     "/apis",	    "/apis/",
    "/apis/apps/v1", "/openapi",     "/openapi/",    "/openapi/v2", "/openapi/v3",
    "/swaggerapi",   "/swaggerapi/", "/swagger.json"};
static const char *const oidc_paths[] = {"/.well-known/openid-configuration",
					 "/.well-known/openid-configuration/", "/openid/v1/jwks",
					 "/openid/v1/jwks/"};

static bool url_hits(const char *pattern, const char *const *paths, size_t n)
{
	const char *tu[1] = {pattern};
	struct rbac_rule t;

	memset(&t, 0, sizeof(t));
	t.urls.v = tu;
	t.urls.n = 1;
	for (size_t i = 0; i < n; i++)
		if (rbac_url_matches(&t, paths[i]))
			return true;
	return false;
}

static void rate_urls(const struct rbac_rule *r, const struct rbac_scope *sc,
		      struct rbac_grant *out, size_t *n)
{
	for (size_t vi = 0; vi < r->verbs.n; vi++) {
		const char *v = r->verbs.v[vi];
		bool all = !strcmp(v, "*");
		bool get = all || !strcmp(v, "get") || !strcmp(v, "head");

		for (size_t ui = 0; ui < r->urls.n; ui++) {
			const char *u = r->urls.v[ui];
			bool exact_public = false;

			if (!strcmp(u, "*") || !strcmp(u, "/*")) {
				grant(out, n, CAP_WILDCARD, false, sc);
				continue;
			}
			if (all || !get)
				grant(out, n, CAP_NONRESOURCE_WRITE, false, sc);
			if (!get)
				continue;
			for (size_t i = 0; i < ARRAY_SIZE(public_info); i++)
				exact_public |= !strcmp(u, public_info[i]);
			if (exact_public)
				grant(out, n, CAP_PUBLIC_INFO, false, sc);
			else if (url_hits(u, debug_paths, ARRAY_SIZE(debug_paths)))
				grant(out, n, CAP_APISERVER_DEBUG, false, sc);
			else if (url_hits(u, discovery_paths, ARRAY_SIZE(discovery_paths)))
				grant(out, n, CAP_DISCOVERY, false, sc);
			else if (url_hits(u, oidc_paths, ARRAY_SIZE(oidc_paths)))
				grant(out, n, CAP_OIDC, false, sc);
			else
				grant(out, n, CAP_NONRESOURCE_GET, false, sc);
		}
	}
}

bool rbac_resource_bogus(const char *res)
{
	size_t l = strlen(res);
	/* "pods/ *" and "* / *" match only a subresource literally named "*" */
	return l > 2 && res[l - 1] == '*' && res[l - 2] == '/';
}

static void rate_triple(const char *v, const char *g, const char *res,
			const struct rbac_strs *names, const struct rbac_scope *sc,
			struct rbac_grant *out, size_t *n)
{
	bool hit = false;

	if (rbac_resource_bogus(res))
		return;
	if (!strcmp(v, "*") || !strcmp(g, "*") || !strcmp(res, "*")) {
		/* with resourceNames the probes below tell what the names reach */
		grant(out, n, CAP_WILDCARD, names->n > 0, sc);
		hit = true;
	}
	for (size_t pi = 0; pi < ARRAY_SIZE(probes); pi++) {
		const struct probe *p = &probes[pi];
		if (p->cluster_only && !sc->cluster)
			continue;
		for (size_t vi = 0; vi < ARRAY_SIZE(p->verbs) && p->verbs[vi]; vi++) {
			for (size_t ri = 0; ri < ARRAY_SIZE(p->res) && p->res[ri]; ri++) {
				int a = triple_allows(v, g, res, names, p->verbs[vi], p->group,
						      p->res[ri], sc);
				if (a) {
					grant(out, n, p->cap, a == 2, sc);
					hit = true;
				}
			}
		}
	}
	if (hit)
		return;
	/* nothing dangerous by name: generic read, write or other verb */
	if (!sc->cluster && rbac_cluster_scoped(g, res))
		return; /* a RoleBinding never reaches a cluster-scoped resource */
	if (names->n && nameless_verb(v, res))
		return;
	if (is_read(v)) {
		if (names->n == 1 && !strcmp(names->v[0], "cluster-info") && !*g &&
		    !strcmp(res, "configmaps") && !sc->cluster && sc->ns &&
		    !strcmp(sc->ns, "kube-public"))
			grant(out, n, CAP_CLUSTER_INFO, true, sc);
		else
			grant(out, n, CAP_READ, names->n > 0, sc);
	} else if (is_write(v)) {
		grant(out, n, CAP_WRITE, names->n > 0, sc);
	} else {
		grant(out, n, CAP_OTHER_VERB, names->n > 0, sc);
	}
}

size_t rbac_rate_rule(const struct rbac_rule *r, const struct rbac_scope *sc,
		      struct rbac_grant out[RBAC_MAX_GRANTS])
{
	size_t n = 0;

	if (rbac_rule_ineffective(r, sc->cluster))
		return 0;
	if (r->urls.n) {
		rate_urls(r, sc, out, &n);
		return n;
	}
	for (size_t vi = 0; vi < r->verbs.n; vi++)
		for (size_t gi = 0; gi < r->groups.n; gi++)
			for (size_t ri = 0; ri < r->resources.n; ri++)
				rate_triple(r->verbs.v[vi], r->groups.v[gi], r->resources.v[ri],
					    &r->names, sc, out, &n);
	return n;
}
