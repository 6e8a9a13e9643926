/*
 * The cluster mode of the test API server (fakeapi --mode cluster): what
 * kube-apiserver answers a client with credentials, for `kanon cluster`
 * and kubectl. Authentication as kube-apiserver does it: a bearer token
 * (--token), basic auth (--basic user:pass; removed from kube-apiserver in
 * 1.19, served here to test the client side), or a client certificate the
 * --ca signed; a wrong token is 401, no credential is anonymous and gets
 * what --anon says (locked: 401, forbidden: health paths 200 and 403
 * elsewhere, open: everything).
 *
 * Resources, generated: discovery (/api, /apis, /api/v1,
 * /apis/rbac.authorization.k8s.io/v1), /version, the four RBAC lists
 * (kubeadm defaults, one ClusterRoleBinding that gives
 * system:unauthenticated a secret reader, and --rbac-extra N more Roles
 * and RoleBindings) paged with limit and continue tokens as kube-apiserver
 * makes them (base64 JSON), nodes n1..nN (--nodes) with their /configz
 * through the node proxy (after --configz-delay-ms; every third node runs
 * with anonymous auth and AlwaysAllow; --node-fail n2=403,n3=503,n4=hang,n5=big: a 5 MB body),
 * kube-apiserver pods in kube-system (none with --managed), and /metrics
 * whose apiserver_request_total 401 counter grows between reads.
 * --dense-kb N: every configz is an array of zeros N KiB long
 * ("[0,0,0,...]": the most JSON values a body of that size can hold), and
 * with --dense-list-kb N every list page carries one: a hostile server's
 * bid to make the client hold many big bodies and a huge parse tree.
 * --item-pad-kb N pads every listed object so (an honest cluster with big
 * objects: a page of 500 is too big to parse whole, fewer fit).
 * --forbid RESOURCE makes a list 403; --expire-once 1 answers the first
 * continue request with 410 Expired (--expire-once nodes: of that list).
 *
 * Each request is logged as "GET PATH user=USER ua=AGENT".
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeapi_cluster.h"

static struct {
	const char *token, *basic;
	unsigned nodes;
	unsigned rbac_extra;
	unsigned configz_delay_ms;
	char *node_fail;	 /* "n2=403,n3=503" */
	char *forbid;		 /* ",rolebindings,nodes," */
	const char *expire_once; /* "1": the first list to continue; or a collection */
	int managed;
	const char *anon; /* locked, forbidden, open */
	const char *log;
	unsigned dense_kb, dense_list_kb, item_pad_kb;
} cfg = {NULL, NULL, 3, 0, 0, NULL, NULL, NULL, 0, "locked", NULL, 0, 0, 0};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stopping;

void cluster_stop(void)
{
	stopping = 1;
}
static int expired_sent;
static unsigned metrics_reads;

int cluster_arg(const char *k, const char *v)
{
	if (!strcmp(k, "--token"))
		cfg.token = v;
	else if (!strcmp(k, "--basic"))
		cfg.basic = v;
	else if (!strcmp(k, "--nodes"))
		cfg.nodes = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "--rbac-extra"))
		cfg.rbac_extra = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "--configz-delay-ms"))
		cfg.configz_delay_ms = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "--node-fail")) {
		size_t n = strlen(v) + 3;
		cfg.node_fail = malloc(n);
		snprintf(cfg.node_fail, n, ",%s,", v);
	} else if (!strcmp(k, "--forbid")) {
		size_t old = cfg.forbid ? strlen(cfg.forbid) : 1, n = old + strlen(v) + 2;
		char *f = malloc(n);
		snprintf(f, n, "%s%s,", cfg.forbid ? cfg.forbid : ",", v);
		free(cfg.forbid);
		cfg.forbid = f;
	} else if (!strcmp(k, "--expire-once"))
		cfg.expire_once = v;
	else if (!strcmp(k, "--managed"))
		cfg.managed = atoi(v);
	else if (!strcmp(k, "--anon"))
		cfg.anon = v;
	else if (!strcmp(k, "--dense-kb"))
		cfg.dense_kb = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "--dense-list-kb"))
		cfg.dense_list_kb = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "--item-pad-kb"))
		cfg.item_pad_kb = (unsigned)strtoul(v, NULL, 10);
	else
		return -1;
	return 0;
}

void cluster_set_log(const char *log)
{
	cfg.log = log;
}

/* ------------------------------------------------ a growing buffer */

struct buf {
	char *p;
	size_t len, cap;
};

static void addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
}

/* "[0,0,...,0]" of about kb KiB (--dense-kb) */
static void add_dense(struct buf *b, unsigned kb)
{
	size_t n = (size_t)kb * 512; /* values: "0," is two bytes */

	addf(b, "[0");
	if (b->cap - b->len < 2 * n + 2) {
		b->cap = b->len + 2 * n + 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	for (size_t i = 1; i < n; i++) {
		b->p[b->len++] = ',';
		b->p[b->len++] = '0';
	}
	addf(b, "]");
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned code, const char *type,
				struct buf *b)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(b->len, b->p ? b->p : (char *)"",
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!b->p)
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-cache, private");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result status(struct MHD_Connection *c, unsigned code, const char *reason,
			      const char *msg)
{
	struct buf b = {0};

	addf(&b,
	     "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	     "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%u}\n",
	     msg, reason, code);
	return send_buf(c, code, "application/json", &b);
}

/* ------------------------------------------------ authentication */

static int b64_dec(const char *s, char *out, size_t cap)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0, bits = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		const char *p = strchr(t, *s);
		if (!p || !*s)
			return -1;
		acc = (acc << 6) | (unsigned)(p - t);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= cap)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return 0;
}

static void b64_enc(const char *s, struct buf *b)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16;
		size_t left = len - i;
		v |= left > 1 ? (unsigned)(unsigned char)s[i + 1] << 8 : 0;
		v |= left > 2 ? (unsigned)(unsigned char)s[i + 2] : 0;
		addf(b, "%c%c%c%c", t[(v >> 18) & 63], t[(v >> 12) & 63],
		     left > 1 ? t[(v >> 6) & 63] : '=', left > 2 ? t[v & 63] : '=');
	}
}

/* The user a verified client certificate names (its CN), or NULL. */
static char *cert_user(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s;
	const gnutls_datum_t *certs;
	unsigned n = 0, st = 1;
	gnutls_x509_crt_t crt;
	char cn[256];
	size_t size = sizeof(cn);

	if (!ci || !ci->tls_session)
		return NULL;
	s = (gnutls_session_t)ci->tls_session;
	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || !n || gnutls_certificate_verify_peers2(s, &st) < 0 || st)
		return NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) < 0) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	gnutls_x509_crt_deinit(crt);
	return strdup(cn);
}

/*
 * Who sent the request: a user name (malloc'd), "" for anonymous, or NULL
 * when a credential was given and is wrong (401).
 */
static char *authenticate(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	char *u = cert_user(c);
	char dec[512];

	if (u)
		return u;
	if (!h)
		return strdup("");
	if (!strncmp(h, "Bearer ", 7))
		return cfg.token && !strcmp(h + 7, cfg.token) ? strdup("kanon") : NULL;
	if (!strncmp(h, "Basic ", 6) && cfg.basic && b64_dec(h + 6, dec, sizeof(dec)) == 0 &&
	    !strcmp(dec, cfg.basic)) {
		dec[strcspn(dec, ":")] = '\0';
		return strdup(dec);
	}
	return NULL;
}

/* ------------------------------------------------ resources */

static const char api_body[] =
    "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
    "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"10.0.0.1:6443\"}]}\n";

static const char apis_body[] =
    "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":"
    "\"rbac.authorization.k8s.io\",\"versions\":[{\"groupVersion\":"
    "\"rbac.authorization.k8s.io/v1\",\"version\":\"v1\"}],\"preferredVersion\":"
    "{\"groupVersion\":\"rbac.authorization.k8s.io/v1\",\"version\":\"v1\"}}]}\n";

static const char core_resources[] =
    "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
    "{\"name\":\"nodes\",\"singularName\":\"node\",\"namespaced\":false,\"kind\":\"Node\","
    "\"verbs\":[\"get\",\"list\",\"watch\"],\"shortNames\":[\"no\"]},"
    "{\"name\":\"nodes/proxy\",\"singularName\":\"\",\"namespaced\":false,\"kind\":"
    "\"NodeProxyOptions\",\"verbs\":[\"get\"]},"
    "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
    "\"verbs\":[\"get\",\"list\",\"watch\"],\"shortNames\":[\"po\"]}]}\n";

static const char rbac_resources[] =
    "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
    "\"rbac.authorization.k8s.io/v1\",\"resources\":["
    "{\"name\":\"clusterrolebindings\",\"singularName\":\"clusterrolebinding\",\"namespaced\":"
    "false,\"kind\":\"ClusterRoleBinding\",\"verbs\":[\"get\",\"list\",\"watch\"]},"
    "{\"name\":\"clusterroles\",\"singularName\":\"clusterrole\",\"namespaced\":false,"
    "\"kind\":\"ClusterRole\",\"verbs\":[\"get\",\"list\",\"watch\"]},"
    "{\"name\":\"rolebindings\",\"singularName\":\"rolebinding\",\"namespaced\":true,"
    "\"kind\":\"RoleBinding\",\"verbs\":[\"get\",\"list\",\"watch\"]},"
    "{\"name\":\"roles\",\"singularName\":\"role\",\"namespaced\":true,\"kind\":\"Role\","
    "\"verbs\":[\"get\",\"list\",\"watch\"]}]}\n";

static const char version_body[] =
    "{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31.2\",\"gitCommit\":"
    "\"5864a4677267e6adeae276ad85882a8714d69d9d\",\"gitTreeState\":\"clean\",\"buildDate\":"
    "\"2024-10-22T20:28:14Z\",\"goVersion\":\"go1.22.8\",\"compiler\":\"gc\",\"platform\":"
    "\"linux/amd64\"}\n";

#define META(name)                                                                                 \
	"\"metadata\":{\"name\":\"" name "\",\"uid\":\"u-%u\",\"resourceVersion\":\"%u\"}"

static const char *const base_clusterroles[] = {
    "{" META(
	"cluster-admin") ",\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],"
			 "\"verbs\":[\"*\"]},{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]}",
    "{" META("system:public-info-viewer") ",\"rules\":[{\"nonResourceURLs\":[\"/healthz\","
					  "\"/livez\",\"/readyz\",\"/version\",\"/version/"
					  "\"],\"verbs\":[\"get\"]}]}",
    "{" META("system:discovery") ",\"rules\":[{\"nonResourceURLs\":[\"/api\",\"/api/*\","
				 "\"/apis\",\"/apis/*\",\"/healthz\",\"/livez\",\"/openapi\",\"/"
				 "openapi/*\",\"/readyz\","
				 "\"/version\",\"/version/\"],\"verbs\":[\"get\"]}]}",
    "{" META("secret-reader") ",\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],"
			      "\"verbs\":[\"get\",\"list\",\"watch\"]}]}",
};

static const char *const base_crbs[] = {
    "{" META("cluster-admin") ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
			      "\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":[{"
			      "\"apiGroup\":"
			      "\"rbac.authorization.k8s.io\",\"kind\":\"Group\",\"name\":\"system:"
			      "masters\"}]}",
    "{" META("system:public-info-viewer") ",\"roleRef\":{\"apiGroup\":"
					  "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
					  "\"name\":"
					  "\"system:public-info-viewer\"},\"subjects\":[{"
					  "\"apiGroup\":\"rbac.authorization.k8s.io\","
					  "\"kind\":\"Group\",\"name\":\"system:authenticated\"},{"
					  "\"apiGroup\":"
					  "\"rbac.authorization.k8s.io\",\"kind\":\"Group\","
					  "\"name\":\"system:unauthenticated\"}]}",
    "{" META("support-debug") ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
			      "\"kind\":\"ClusterRole\",\"name\":\"secret-reader\"},\"subjects\":[{"
			      "\"apiGroup\":"
			      "\"rbac.authorization.k8s.io\",\"kind\":\"Group\",\"name\":\"system:"
			      "unauthenticated\"}]}",
};

static const char *const base_roles[] = {
    "{\"metadata\":{\"name\":\"kubeadm:bootstrap-signer-clusterinfo\",\"namespace\":"
    "\"kube-public\",\"uid\":\"u-%u\",\"resourceVersion\":\"%u\"},\"rules\":[{\"apiGroups\":"
    "[\"\"],\"resourceNames\":[\"cluster-info\"],\"resources\":[\"configmaps\"],\"verbs\":"
    "[\"get\"]}]}",
};

static const char *const base_rbs[] = {
    "{\"metadata\":{\"name\":\"kubeadm:bootstrap-signer-clusterinfo\",\"namespace\":"
    "\"kube-public\",\"uid\":\"u-%u\",\"resourceVersion\":\"%u\"},\"roleRef\":{\"apiGroup\":"
    "\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":"
    "\"kubeadm:bootstrap-signer-clusterinfo\"},\"subjects\":[{\"apiGroup\":"
    "\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"system:anonymous\"}]}",
};

struct coll {
	const char *name, *kind, *group; /* group "" for core */
	const char *const *base;
	unsigned nbase;
	int extra; /* 0 none, 1 roles, 2 rolebindings, 3 nodes */
};

static const struct coll colls[] = {
    {"clusterroles", "ClusterRoleList", "rbac.authorization.k8s.io", base_clusterroles, 4, 0},
    {"clusterrolebindings", "ClusterRoleBindingList", "rbac.authorization.k8s.io", base_crbs, 3, 0},
    {"roles", "RoleList", "rbac.authorization.k8s.io", base_roles, 1, 1},
    {"rolebindings", "RoleBindingList", "rbac.authorization.k8s.io", base_rbs, 1, 2},
    {"nodes", "NodeList", "", NULL, 0, 3},
};

static unsigned coll_count(const struct coll *k)
{
	if (k->extra == 3)
		return cfg.nodes;
	return k->nbase + (k->extra ? cfg.rbac_extra / 2 : 0);
}

static void item(const struct coll *k, unsigned i, struct buf *b)
{
	if (i < k->nbase) {
		addf(b, k->base[i], i + 1, 1000 + i);
		return;
	}
	i -= k->nbase;
	if (k->extra == 1)
		addf(
		    b,
		    "{\"metadata\":{\"name\":\"app-%u\",\"namespace\":\"team-%u\",\"uid\":\"r-%u\","
		    "\"resourceVersion\":\"%u\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
		    "[\"configmaps\",\"pods\"],\"verbs\":[\"get\",\"list\"]}]}",
		    i, i % 100, i, 2000 + i);
	else if (k->extra == 2)
		addf(
		    b,
		    "{\"metadata\":{\"name\":\"app-%u\",\"namespace\":\"team-%u\",\"uid\":\"b-%u\","
		    "\"resourceVersion\":\"%u\"},\"roleRef\":{\"apiGroup\":"
		    "\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"app-%u\"},"
		    "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"app\",\"namespace\":"
		    "\"team-%u\"}]}",
		    i, i % 100, i, 3000 + i, i, i % 100);
	else
		addf(b,
		     "{\"metadata\":{\"name\":\"n%u\",\"uid\":\"n-%u\",\"resourceVersion\":\"%u\","
		     "\"creationTimestamp\":\"2026-11-01T10:00:00Z\",\"labels\":{"
		     "\"kubernetes.io/hostname\":\"n%u\",\"kubernetes.io/os\":\"linux\"}},"
		     "\"spec\":{\"podCIDR\":\"10.244.%u.0/24\"},\"status\":{\"nodeInfo\":{"
		     "\"kubeletVersion\":\"v1.31.2\",\"osImage\":\"Debian GNU/Linux 12\","
		     "\"containerRuntimeVersion\":\"containerd://"
		     "1.7.22\"},\"conditions\":[{\"type\":"
		     "\"Ready\",\"status\":\"True\"}],\"addresses\":[{\"type\":\"InternalIP\","
		     "\"address\":\"10.0.%u.%u\"}]}}",
		     i + 1, i + 1, 5000 + i, i + 1, (i + 1) % 256, (i + 1) / 256 % 256,
		     (i + 1) % 256);
}

static unsigned query_uint(struct MHD_Connection *c, const char *key, unsigned dflt)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);

	return v && *v ? (unsigned)strtoul(v, NULL, 10) : dflt;
}

static int forbidden_coll(const char *name)
{
	char key[80];

	snprintf(key, sizeof(key), ",%s,", name);
	return cfg.forbid && strstr(cfg.forbid, key);
}

static enum MHD_Result forbid_list(struct MHD_Connection *c, const char *user, const struct coll *k)
{
	char msg[512];

	snprintf(msg, sizeof(msg),
		 "%s%s%s is forbidden: User \\\"%s\\\" cannot list resource \\\"%s\\\" in API "
		 "group \\\"%s\\\" at the cluster scope",
		 k->name, *k->group ? "." : "", k->group, *user ? user : "system:anonymous",
		 k->name, k->group);
	return status(c, 403, "Forbidden", msg);
}

/* A page of a collection: limit, and a continue token as kube-apiserver's (base64 JSON). */
static enum MHD_Result list(struct MHD_Connection *c, const char *user, const struct coll *k)
{
	const char *cont = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "continue");
	unsigned total = coll_count(k), limit = query_uint(c, "limit", 0), start = 0, end;
	struct buf b = {0};
	char dec[256];

	if (forbidden_coll(k->name))
		return forbid_list(c, user, k);
	if (cont && *cont) {
		char *p;
		if (b64_dec(cont, dec, sizeof(dec)) < 0 || !(p = strstr(dec, "\"start\":\"")))
			return status(c, 400, "BadRequest", "invalid continue token");
		start = (unsigned)strtoul(p + 9 + strcspn(p + 9, "/") + 1, NULL, 10);
		pthread_mutex_lock(&lock);
		if (cfg.expire_once && !expired_sent &&
		    (!strcmp(cfg.expire_once, "1") || !strcmp(cfg.expire_once, k->name))) {
			expired_sent = 1;
			pthread_mutex_unlock(&lock);
			return status(c, 410, "Expired",
				      "The provided continue parameter is too old to display a "
				      "consistent list result. You can start a new list without "
				      "the continue parameter.");
		}
		pthread_mutex_unlock(&lock);
	}
	end = limit && start + limit < total ? start + limit : total;
	if (cfg.dense_list_kb) {
		addf(&b, "{\"padding\":");
		add_dense(&b, cfg.dense_list_kb);
		addf(&b, ",");
	} else {
		addf(&b, "{");
	}
	addf(&b,
	     "\"kind\":\"%s\",\"apiVersion\":\"%s%sv1\",\"metadata\":{\"resourceVersion\":"
	     "\"4242\"",
	     k->kind, k->group, *k->group ? "/" : "");
	if (end < total) {
		char tok[256];
		struct buf t = {0};
		snprintf(tok, sizeof(tok),
			 "{\"v\":\"meta.k8s.io/v1\",\"rv\":4242,\"start\":\"%s/%u\"}", k->name,
			 end);
		b64_enc(tok, &t);
		addf(&b, ",\"continue\":\"%s\",\"remainingItemCount\":%u", t.p, total - end);
		free(t.p);
	}
	addf(&b, "},\"items\":[");
	for (unsigned i = start; i < end; i++) {
		if (i > start)
			addf(&b, ",");
		if (cfg.item_pad_kb) {
			struct buf t = {0};
			item(k, i, &t);
			addf(&b, "{\"padding\":");
			add_dense(&b, cfg.item_pad_kb);
			addf(&b, ",%s", t.p + 1);
			free(t.p);
		} else {
			item(k, i, &b);
		}
	}
	addf(&b, "]}\n");
	return send_buf(c, 200, "application/json", &b);
}

static const char configz_secure[] =
    "{\"kubeletconfig\":{\"enableServer\":true,\"port\":10250,\"authentication\":{\"x509\":"
    "{\"clientCAFile\":\"/etc/kubernetes/pki/ca.crt\"},\"webhook\":{\"enabled\":true,"
    "\"cacheTTL\":\"2m0s\"},\"anonymous\":{\"enabled\":false}},\"authorization\":{\"mode\":"
    "\"Webhook\",\"webhook\":{\"cacheAuthorizedTTL\":\"5m0s\",\"cacheUnauthorizedTTL\":"
    "\"30s\"}},\"cgroupDriver\":\"systemd\",\"clusterDomain\":\"cluster.local\"}}\n";

static const char configz_open[] =
    "{\"kubeletconfig\":{\"enableServer\":true,\"port\":10250,\"readOnlyPort\":10255,"
    "\"authentication\":{\"x509\":{},\"webhook\":{\"enabled\":false},\"anonymous\":"
    "{\"enabled\":true}},\"authorization\":{\"mode\":\"AlwaysAllow\"},\"cgroupDriver\":"
    "\"systemd\"}}\n";

static enum MHD_Result configz(struct MHD_Connection *c, const char *user, const char *node)
{
	char key[160], msg[768];
	unsigned idx = (unsigned)strtoul(node + 1, NULL, 10);
	const char *f;
	struct buf b = {0};

	if (node[0] != 'n' || !idx || idx > cfg.nodes) {
		snprintf(msg, sizeof(msg), "nodes \\\"%s\\\" not found", node);
		return status(c, 404, "NotFound", msg);
	}
	snprintf(key, sizeof(key), ",%s=", node);
	f = cfg.node_fail ? strstr(cfg.node_fail, key) : NULL;
	if (f && !strncmp(f + strlen(key), "403", 3)) {
		snprintf(msg, sizeof(msg),
			 "nodes \\\"%s\\\" is forbidden: User \\\"%s\\\" cannot get resource "
			 "\\\"nodes/proxy\\\" in API group \\\"\\\" at the cluster scope",
			 node, user);
		return status(c, 403, "Forbidden", msg);
	}
	if (f && !strncmp(f + strlen(key), "503", 3)) {
		snprintf(msg, sizeof(msg),
			 "error trying to reach service: dial tcp 10.0.0.%u:10250: connect: "
			 "connection refused",
			 idx);
		return status(c, 503, "ServiceUnavailable", msg);
	}
	for (int i = 0; f && !strncmp(f + strlen(key), "hang", 4) && i < 600 && !stopping; i++)
		usleep(100 * 1000);
	if (f && !strncmp(f + strlen(key), "big", 3)) {
		/* a configz of 5 MB: more than a client should keep */
		addf(&b, "{\"kubeletconfig\":{\"padding\":\"");
		for (int i = 0; i < 5 * 1024; i++)
			addf(&b, "%01024d", 0);
		addf(&b, "\"}}\n");
		return send_buf(c, 200, "application/json", &b);
	}
	if (cfg.dense_kb) {
		addf(&b, "{\"kubeletconfig\":{\"padding\":");
		add_dense(&b, cfg.dense_kb);
		addf(&b, "}}\n");
		return send_buf(c, 200, "application/json", &b);
	}
	if (cfg.configz_delay_ms)
		usleep(cfg.configz_delay_ms * 1000u);
	addf(&b, "%s", idx % 3 == 0 ? configz_open : configz_secure);
	return send_buf(c, 200, "application/json", &b);
}

static enum MHD_Result pods(struct MHD_Connection *c)
{
	const char *sel = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "labelSelector");
	struct buf b = {0};

	addf(&b, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
		 "\"4242\"},\"items\":[");
	if (!cfg.managed && sel && !strcmp(sel, "component=kube-apiserver"))
		addf(
		    &b,
		    "{\"metadata\":{\"name\":\"kube-apiserver-cp-1\",\"namespace\":\"kube-system\","
		    "\"labels\":{\"component\":\"kube-apiserver\",\"tier\":\"control-plane\"}},"
		    "\"spec\":{\"containers\":[{\"name\":\"kube-apiserver\",\"image\":"
		    "\"registry.k8s.io/kube-apiserver:v1.31.2\",\"command\":[\"kube-apiserver\","
		    "\"--advertise-address=10.0.0.1\",\"--allow-privileged=true\","
		    "\"--authorization-mode=Node,RBAC\",\"--client-ca-file=/etc/kubernetes/pki/"
		    "ca.crt\",\"--enable-admission-plugins=NodeRestriction\","
		    "\"--secure-port=6443\"],\"env\":[{\"name\":\"SECRET_ENV\",\"value\":"
		    "\"pod-env-secret-value\"}]}]},\"status\":{\"phase\":\"Running\"}}");
	addf(&b, "]}\n");
	return send_buf(c, 200, "application/json", &b);
}

static enum MHD_Result metrics(struct MHD_Connection *c)
{
	struct buf b = {0};
	unsigned n;

	pthread_mutex_lock(&lock);
	n = metrics_reads++;
	pthread_mutex_unlock(&lock);
	addf(
	    &b,
	    "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out "
	    "for each verb, dry run value, group, version, resource, scope, component, and HTTP "
	    "response code.\n# TYPE apiserver_request_total counter\n"
	    "apiserver_request_total{code=\"200\",component=\"apiserver\",dry_run=\"\",group=\"\","
	    "resource=\"pods\",scope=\"cluster\",subresource=\"\",verb=\"LIST\",version=\"v1\"} "
	    "1234\n"
	    "apiserver_request_total{code=\"401\",component=\"\",dry_run=\"\",group=\"\","
	    "resource=\"\",scope=\"\",subresource=\"\",verb=\"\",version=\"\"} %u\n"
	    "apiserver_request_total{code=\"403\",component=\"apiserver\",dry_run=\"\",group=\"\","
	    "resource=\"secrets\",scope=\"cluster\",subresource=\"\",verb=\"LIST\",version=\"v1\"} "
	    "17\n",
	    100 + 50 * n);
	return send_buf(c, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

static int health(const char *p)
{
	return !strcmp(p, "/healthz") || !strcmp(p, "/livez") || !strcmp(p, "/readyz") ||
	       !strcmp(p, "/version");
}

static enum MHD_Result serve_user(struct MHD_Connection *c, const char *user, const char *url)
{
	struct buf b = {0};
	const char *body = NULL;
	char node[128];

	if (!strcmp(url, "/api"))
		body = api_body;
	else if (!strcmp(url, "/apis"))
		body = apis_body;
	else if (!strcmp(url, "/api/v1"))
		body = core_resources;
	else if (!strcmp(url, "/apis/rbac.authorization.k8s.io/v1"))
		body = rbac_resources;
	else if (!strcmp(url, "/version"))
		body = version_body;
	else if (health(url))
		body = "ok";
	if (body) {
		addf(&b, "%s", body);
		return send_buf(c, 200, !strcmp(body, "ok") ? "text/plain" : "application/json",
				&b);
	}
	if (!strcmp(url, "/metrics"))
		return forbidden_coll("metrics") ? status(c, 403, "Forbidden",
							  "forbidden: User "
							  "\\\"kanon\\\" cannot get "
							  "path \\\"/metrics\\\"")
						 : metrics(c);
	if (!strcmp(url, "/api/v1/namespaces/kube-system/pods"))
		return forbidden_coll("pods") ? status(c, 403, "Forbidden",
						       "pods is forbidden: User \\\"kanon\\\" "
						       "cannot list resource \\\"pods\\\" in API "
						       "group \\\"\\\" in the namespace "
						       "\\\"kube-system\\\"")
					      : pods(c);
	if (sscanf(url, "/api/v1/nodes/%127[^/]/proxy/configz", node) == 1 &&
	    strstr(url, "/proxy/configz"))
		return configz(c, user, node);
	for (size_t i = 0; i < sizeof(colls) / sizeof(colls[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s%s/%s", *colls[i].group ? "/apis/" : "/api/v1",
			 *colls[i].group ? "rbac.authorization.k8s.io/v1" : "", colls[i].name);
		if (!strcmp(url, path))
			return list(c, user, &colls[i]);
	}
	return status(c, 404, "NotFound", "the server could not find the requested resource");
}

static void log_request(const char *url, const char *user, struct MHD_Connection *c)
{
	const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	const char *limit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	FILE *f;

	if (!cfg.log || !(f = fopen(cfg.log, "a")))
		return;
	fprintf(f, "GET %s user=%s ua=%s%s%s\n", url,
		user ? (*user ? user : "anonymous") : "invalid", ua ? ua : "",
		limit ? " limit=" : "", limit ? limit : "");
	fclose(f);
}

enum MHD_Result cluster_handle(struct MHD_Connection *c, const char *url, const char *method)
{
	char *user = authenticate(c);
	enum MHD_Result ret;

	log_request(url, user, c);
	if (strcmp(method, "GET"))
		ret = status(c, 405, "MethodNotAllowed", "GET only");
	else if (!user)
		ret = status(c, 401, "Unauthorized", "Unauthorized");
	else if (*user)
		ret = serve_user(c, user, url);
	else if (!strcmp(cfg.anon, "open") || (!strcmp(cfg.anon, "forbidden") && health(url)))
		ret = serve_user(c, "system:anonymous", url);
	else if (!strcmp(cfg.anon, "forbidden")) {
		char msg[512];
		snprintf(msg, sizeof(msg),
			 "forbidden: User \\\"system:anonymous\\\" cannot get path \\\"%.200s\\\"",
			 url);
		ret = status(c, 403, "Forbidden", msg);
	} else
		ret = status(c, 401, "Unauthorized", "Unauthorized");
	free(user);
	return ret;
}
