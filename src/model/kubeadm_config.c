/*
 * A kubeadm config file to the kube-apiserver command line kubeadm would
 * write (see kubeadm_config.h for the upstream functions modelled).
 */
#include "model/kubeadm_config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/apiserver_config.h"
#include "parsers/node.h"
#include "parsers/yaml.h"
#include "core/banned.h"

#define KUBEADM_GROUP "kubeadm.k8s.io/"
/* bounds for hostile input: a real config has a handful of each */
#define MAX_DOCS       256
#define MAX_EXTRA_ARGS 4096

static const char default_note[] =
    "kubeadm default: cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand";

/* One --name=value of kubeadm's command, with where it came from. */
struct karg {
	char *name, *value;
	const char *path; /* the config file, or NULL for a default */
	int line;
	char *note;
	size_t seq; /* insertion order: a deterministic sort */
};

struct kargs {
	struct karg *v;
	size_t n, alloc;
};

static void kargs_release(struct kargs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].value);
		free(a->v[i].note);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static void kargs_add(struct kargs *a, const char *name, const char *value, const char *path,
		      int line, const char *note)
{
	struct karg *k;

	ALLOC_GROW(a->v, a->n + 1, a->alloc);
	k = &a->v[a->n];
	k->name = xstrdup(name);
	k->value = xstrdup(value);
	k->path = path;
	k->line = line;
	k->note = note ? xstrdup(note) : NULL;
	k->seq = a->n++;
}

/* kubeadmapi.SetArgValues(args, name, value, 1): replace the first, else add. */
static void kargs_set(struct kargs *a, const char *name, const char *value, const char *path,
		      int line, const char *note)
{
	for (size_t i = 0; i < a->n; i++) {
		struct karg *k = &a->v[i];
		if (strcmp(k->name, name))
			continue;
		free(k->value);
		free(k->note);
		k->value = xstrdup(value);
		k->path = path;
		k->line = line;
		k->note = note ? xstrdup(note) : NULL;
		return;
	}
	kargs_add(a, name, value, path, line, note);
}

static const struct karg *kargs_get(const struct kargs *a, const char *name)
{
	const struct karg *last = NULL;

	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			last = &a->v[i];
	return last;
}

/* ArgumentsToCommand's sort: by name, then by value (Go compares bytes). */
static int karg_cmp(const void *x, const void *y)
{
	const struct karg *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->value, b->value);
	if (!c)
		c = a->seq < b->seq ? -1 : a->seq > b->seq;
	return c;
}

void kubeadm_apiserver_init(struct kubeadm_apiserver *k)
{
	memset(k, 0, sizeof(*k));
	argv_init(&k->argv);
}

void kubeadm_apiserver_release(struct kubeadm_apiserver *k)
{
	argv_release(&k->argv);
	free(k->api_version);
	free(k->k8s_version);
	kubeadm_apiserver_init(k);
}

int kubeadm_version_minor(const char *v)
{
	if (!v)
		return -1;
	/* cmd/kubeadm/app/util/version.go KubernetesReleaseVersion: a
	 * "stable-1.31" label resolves to the newest 1.31 release */
	if (starts_with(v, "stable-"))
		v += strlen("stable-");
	return apiserver_parse_minor(v);
}

/* ------------------------------------------------------------ documents */

struct kdoc {
	const struct node *doc;
	const char *api, *kind;
	int line;
};

static const char *doc_str(const struct node *doc, const char *key)
{
	const struct node *n = doc->kind == NODE_MAP ? node_map_get(doc, key) : NULL;
	const char *s;

	return n && node_get_string(n, &s) == 0 ? s : NULL;
}

/* Is any document of the file a kubeadm one? */
static bool is_kubeadm(const struct yaml_docs *docs)
{
	for (size_t i = 0; i < docs->n; i++) {
		const char *api = doc_str(docs->doc[i], "apiVersion");
		if (api && starts_with(api, KUBEADM_GROUP))
			return true;
	}
	return false;
}

/* common.go validateSupportedVersion: which kubeadm last read an old API. */
static int check_version(const struct kdoc *d, const char *display, struct result *res,
			 struct err *e)
{
	static const char *const old[][2] = {
	    {"v1alpha1", "v1.11"}, {"v1alpha2", "v1.12"}, {"v1alpha3", "v1.14"},
	    {"v1beta1", "v1.15"},  {"v1beta2", "v1.22"},
	};
	const char *v = d->api + strlen(KUBEADM_GROUP);

	if (!strcmp(v, "v1beta4"))
		return 0;
	if (!strcmp(v, "v1beta3")) {
		result_diag(res, DIAG_NOTE,
			    "%s:%d: %s is deprecated (kubeadm warns; `kubeadm config migrate` "
			    "writes v1beta4)",
			    display, d->line, d->api);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(old); i++)
		if (!strcmp(v, old[i][0]))
			return err_set(e, display, d->line,
				       "your configuration file uses an old API spec: \"%s\" "
				       "(kind: \"%s\"); kubeadm %s was the last to read it, later "
				       "ones refuse the file",
				       d->api, d->kind, old[i][1]);
	return err_set(e, display, d->line,
		       "apiVersion %s: kubeadm knows %sv1beta3 and v1beta4 (kanon models "
		       "those); it refuses the file",
		       d->api, KUBEADM_GROUP);
}

/*
 * util/marshal.go SplitConfigDocuments: every document needs a group, a
 * version and a kind, and a kind of a group version may come once.
 */
static int split_docs(const struct yaml_docs *docs, const char *display, struct kdoc *out,
		      struct err *e)
{
	if (docs->n > MAX_DOCS)
		return err_set(e, display, docs->doc[MAX_DOCS]->line, "more than %d documents",
			       MAX_DOCS);
	for (size_t i = 0; i < docs->n; i++) {
		const struct node *doc = docs->doc[i];
		struct kdoc *d = &out[i];
		const struct node *kn = doc->kind == NODE_MAP ? node_map_get(doc, "kind") : NULL;

		d->doc = doc;
		d->api = doc_str(doc, "apiVersion");
		d->kind = doc_str(doc, "kind");
		d->line = kn ? kn->line : doc->line;
		if (!d->api || !d->kind || !*d->kind || !strchr(d->api, '/') ||
		    ends_with(d->api, "/"))
			return err_set(e, display, doc->line,
				       "a document without apiVersion (group/version) and kind: "
				       "kubeadm refuses the file (\"kind and apiVersion is "
				       "mandatory information that must be specified\")");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out[j].api, d->api) && !strcmp(out[j].kind, d->kind))
				return err_set(e, display, d->line,
					       "%s %s is given twice (also line %d): kubeadm "
					       "refuses the file",
					       d->api, d->kind, out[j].line);
	}
	return 0;
}

/*
 * The document of kind `kind` that kubeadm uses: documentMapToInitConfiguration
 * decodes the documents sorted by "group/version, Kind=kind", so with
 * v1beta3 and v1beta4 of one kind, the later (v1beta4) wins.
 */
static const struct kdoc *pick(const struct kdoc *d, size_t n, const char *kind)
{
	const struct kdoc *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (starts_with(d[i].api, KUBEADM_GROUP) && !strcmp(d[i].kind, kind) &&
		    (!best || strcmp(d[i].api, best->api) > 0))
			best = &d[i];
	return best;
}

static bool known_kind(const struct kdoc *d)
{
	static const char *const kinds[] = {"ClusterConfiguration", "InitConfiguration",
					    "JoinConfiguration", "ResetConfiguration",
					    "UpgradeConfiguration"};

	if (!starts_with(d->api, KUBEADM_GROUP))
		return true; /* a component config: kubeadm's business, not ours */
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(d->kind, kinds[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ fields */

/*
 * A field of map m. kubeadm decodes case-sensitively
 * (staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 * Serializer.unmarshal: kjson.UnmarshalCaseSensitivePreserveInts), so
 * "apiserver" is an unknown field that kubeadm drops with a warning: say so,
 * it silently loses every flag under it. A key given twice: the last wins
 * (YAMLToJSON keeps the last; strict decoding, a warning for kubeadm init,
 * reports it).
 */
static const struct node *field(const struct node *m, const char *key, const char *where,
				const char *display, struct result *res)
{
	if (!m || m->kind != NODE_MAP)
		return NULL;
	for (size_t i = 0; i < node_map_len(m); i++) {
		const struct node *k = node_map_key(m, i);
		const char *s;
		if (node_get_string(k, &s) == 0 && strcmp(s, key) && !strcasecmp(s, key))
			result_diag(res, DIAG_WARNING,
				    "%s:%d: %s%s is not a field (field names are case-sensitive: "
				    "%s); kubeadm ignores it with a warning, and so does kanon",
				    display, k->line, where, s, key);
	}
	if (node_map_count(m, key) > 1)
		result_diag(res, DIAG_WARNING,
			    "%s:%d: %s%s is given %zu times; the last one wins (kubeadm warns: "
			    "duplicate field)",
			    display, node_map_get(m, key)->line, where, key,
			    node_map_count(m, key));
	return node_map_get(m, key);
}

/* A string field: 1 and *out set, 0 when absent or null, -1 (e) otherwise. */
static int str_field(const struct node *m, const char *key, const char *where, const char *display,
		     const char **out, int *line, struct result *res, struct err *e)
{
	const struct node *n = field(m, key, where, display, res);

	if (!n || node_is_null(n))
		return 0;
	if (node_get_string(n, out) < 0)
		return err_set(e, display, n->line,
			       "%s%s: cannot unmarshal %s into a string: kubeadm refuses the "
			       "file",
			       where, key, node_kind_name(n));
	if (line)
		*line = n->line;
	return 1;
}

/* A mapping field (null: absent). */
static int map_field(const struct node *m, const char *key, const char *where, const char *display,
		     const struct node **out, struct result *res, struct err *e)
{
	const struct node *n = field(m, key, where, display, res);

	*out = NULL;
	if (!n || node_is_null(n))
		return 0;
	if (n->kind != NODE_MAP)
		return err_set(e, display, n->line,
			       "%s%s: cannot unmarshal %s into an object: kubeadm refuses the "
			       "file",
			       where, key, node_kind_name(n));
	*out = n;
	return 0;
}

/* A value of extraArgs: a string, or null (Go leaves ""). */
static int arg_value(const struct node *v, const char *where, const char *display, const char **out,
		     struct err *e)
{
	*out = "";
	if (!v || node_is_null(v))
		return 0;
	if (node_get_string(v, out) < 0)
		return err_set(e, display, v->line,
			       "%s: cannot unmarshal %s into a string: kubeadm refuses the file "
			       "(quote the value)",
			       where, node_kind_name(v));
	return 0;
}

/* v1beta3: extraArgs is a map[string]string (a key given twice: the last). */
static int extra_args_map(const struct node *x, const char *where, const char *display,
			  const char *note, struct kargs *out, struct err *e)
{
	struct strbuf w = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < node_map_len(x) && !ret; i++) {
		const struct node *k = node_map_key(x, i);
		const char *name, *value;

		strbuf_reset(&w);
		/* sigs.k8s.io/yaml turns a key such as 1 or true into the string
		 * as written */
		if (k->kind != NODE_SCALAR || !k->str) {
			ret = err_set(e, display, k->line, "%s: a key must be a string", where);
			break;
		}
		name = k->str;
		strbuf_addf(&w, "%s.%s", where, name);
		if (arg_value(node_map_val(x, i), w.buf, display, &value, e) < 0) {
			ret = -1;
			break;
		}
		/* json decoding into a map: a repeated key replaces the value */
		kargs_set(out, name, value, display, k->line, note);
	}
	strbuf_release(&w);
	return ret;
}

/* v1beta4: extraArgs is a list of {name, value}; a name may repeat. */
static int extra_args_list(const struct node *x, const char *where, const char *display,
			   const char *note, struct kargs *out, struct err *e)
{
	struct strbuf w = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct node *item = x->kids[i], *nn, *vn;
		const char *name = NULL, *value;

		strbuf_reset(&w);
		strbuf_addf(&w, "%s[%zu]", where, i);
		if (item->kind != NODE_MAP) {
			ret = err_set(e, display, item->line,
				      "%s: cannot unmarshal %s into an object {name, value}: "
				      "kubeadm refuses the file",
				      w.buf, node_kind_name(item));
			break;
		}
		nn = node_map_get(item, "name");
		vn = node_map_get(item, "value");
		if (nn && !node_is_null(nn) && node_get_string(nn, &name) < 0) {
			ret = err_set(e, display, nn->line,
				      "%s.name: cannot unmarshal %s into a string: kubeadm "
				      "refuses the file",
				      w.buf, node_kind_name(nn));
			break;
		}
		if (!name || !*name) {
			/* an argument without a name: kubeadm's flag would be
			 * "--=value", which no kube-apiserver accepts */
			ret = err_set(e, display, item->line,
				      "%s: an argument without a name (kubeadm would write "
				      "\"--=...\", which the kube-apiserver refuses)",
				      w.buf);
			break;
		}
		strbuf_addstr(&w, ".value");
		if (arg_value(vn, w.buf, display, &value, e) < 0) {
			ret = -1;
			break;
		}
		kargs_add(out, name, value, display, item->line, note);
	}
	strbuf_release(&w);
	return ret;
}

static int extra_args(const struct node *comp, const char *where, bool v1beta4, const char *display,
		      const char *note, struct kargs *out, struct result *res, struct err *e)
{
	struct strbuf w = STRBUF_INIT;
	const struct node *x;
	int ret = 0;

	strbuf_addf(&w, "%sextraArgs", where);
	x = field(comp, "extraArgs", where, display, res);
	if (!x || node_is_null(x))
		goto out;
	if (node_map_len(x) > MAX_EXTRA_ARGS || x->n > MAX_EXTRA_ARGS) {
		ret = err_set(e, display, x->line, "%s: more than %d arguments", w.buf,
			      MAX_EXTRA_ARGS);
		goto out;
	}
	if (v1beta4 && x->kind == NODE_SEQ)
		ret = extra_args_list(x, w.buf, display, note, out, e);
	else if (!v1beta4 && x->kind == NODE_MAP)
		ret = extra_args_map(x, w.buf, display, note, out, e);
	else
		ret = err_set(e, display, x->line,
			      "%s: cannot unmarshal %s into %s: kubeadm refuses the file (%s "
			      "takes %s)",
			      w.buf, node_kind_name(x), v1beta4 ? "a list" : "an object",
			      v1beta4 ? "v1beta4" : "v1beta3",
			      v1beta4 ? "a list of {name, value}" : "a map of name: value");
out:
	strbuf_release(&w);
	return ret;
}

/* ------------------------------------------------------------ command */

struct kctx {
	const char *display;
	const struct node *cluster; /* or NULL: all defaults */
	const struct node *init;    /* InitConfiguration, or NULL */
	bool v1beta4;
	struct result *res;
	struct err *e;
};

/* A default whose value comes from a ClusterConfiguration field. */
static void set_from(struct kargs *a, const char *name, const char *value, const char *field_name,
		     const struct kctx *c, int line)
{
	struct strbuf note = STRBUF_INIT;

	if (!line) {
		kargs_set(a, name, value, NULL, 0, default_note);
		return;
	}
	strbuf_addf(&note, "kubeadm sets it from %s (manifests.go getAPIServerCommand)",
		    field_name);
	kargs_set(a, name, value, c->display, line, note.buf);
	strbuf_release(&note);
}

/* A path below certificatesDir (filepath.Join). */
static void set_cert(struct kargs *a, const char *name, const char *dir, int dir_line,
		     const char *file, const struct kctx *c)
{
	struct strbuf p = STRBUF_INIT;
	size_t l = strlen(dir);

	while (l > 1 && dir[l - 1] == '/')
		l--;
	strbuf_add(&p, dir, l);
	strbuf_addf(&p, "%s%s", l && dir[l - 1] == '/' ? "" : "/", file);
	set_from(a, name, p.buf, "certificatesDir", c, dir_line);
	strbuf_release(&p);
}

/* etcd: an external cluster's endpoints and files, else the local static pod's. */
static int etcd_args(struct kargs *a, const char *pki, int pki_line, const struct kctx *c)
{
	const struct node *etcd, *ext = NULL, *eps;
	const char *s;
	int line = 0;

	if (map_field(c->cluster, "etcd", "", c->display, &etcd, c->res, c->e) < 0 ||
	    map_field(etcd, "external", "etcd.", c->display, &ext, c->res, c->e) < 0)
		return -1;
	if (!ext) {
		kargs_set(a, "etcd-servers", "https://127.0.0.1:2379", NULL, 0, default_note);
		set_cert(a, "etcd-cafile", pki, pki_line, "etcd/ca.crt", c);
		set_cert(a, "etcd-certfile", pki, pki_line, "apiserver-etcd-client.crt", c);
		set_cert(a, "etcd-keyfile", pki, pki_line, "apiserver-etcd-client.key", c);
		return 0;
	}
	eps = field(ext, "endpoints", "etcd.external.", c->display, c->res);
	if (eps && !node_is_null(eps) && eps->kind != NODE_SEQ)
		return err_set(
		    c->e, c->display, eps->line,
		    "etcd.external.endpoints: cannot unmarshal %s into a list of strings: "
		    "kubeadm refuses the file",
		    node_kind_name(eps));
	if (eps && eps->kind == NODE_SEQ) {
		struct strbuf j = STRBUF_INIT;
		for (size_t i = 0; i < eps->n; i++)
			if (node_get_string(eps->kids[i], &s) == 0)
				strbuf_addf(&j, "%s%s", i ? "," : "", s);
		set_from(a, "etcd-servers", j.buf, "etcd.external.endpoints", c, eps->line);
		strbuf_release(&j);
	}
	if (str_field(ext, "caFile", "etcd.external.", c->display, &s, &line, c->res, c->e) < 0)
		return -1;
	if (line)
		set_from(a, "etcd-cafile", s, "etcd.external.caFile", c, line);
	/* certFile and keyFile only as a pair; etcd.local.extraArgs'
	 * advertise-client-urls (which may replace etcd-servers) is not
	 * modelled: none of these has a bearing on anonymous access */
	for (int i = 0; i < 2; i++) {
		const char *key = i ? "keyFile" : "certFile", *f = NULL;
		int fl = 0;
		if (str_field(ext, key, "etcd.external.", c->display, &f, &fl, c->res, c->e) < 0)
			return -1;
		if (!fl || !node_map_get(ext, i ? "certFile" : "keyFile"))
			continue;
		set_from(a, i ? "etcd-keyfile" : "etcd-certfile", f,
			 i ? "etcd.external.keyFile" : "etcd.external.certFile", c, fl);
	}
	return 0;
}

/* getAPIServerCommand's defaultArguments, from the config's fields. */
static int defaults(struct kargs *a, const struct kctx *c)
{
	const struct node *net, *lep, *bp;
	const char *pki = "/etc/kubernetes/pki", *subnet = "10.96.0.0/12", *dns = "cluster.local";
	const char *addr = NULL;
	int pki_line = 0, subnet_line = 0, dns_line = 0, addr_line = 0;
	struct strbuf v = STRBUF_INIT;
	long long port = 6443;

	if (str_field(c->cluster, "certificatesDir", "", c->display, &pki, &pki_line, c->res,
		      c->e) < 0 ||
	    map_field(c->cluster, "networking", "", c->display, &net, c->res, c->e) < 0 ||
	    str_field(net, "serviceSubnet", "networking.", c->display, &subnet, &subnet_line,
		      c->res, c->e) < 0 ||
	    str_field(net, "dnsDomain", "networking.", c->display, &dns, &dns_line, c->res, c->e) <
		0 ||
	    map_field(c->init, "localAPIEndpoint", "", c->display, &lep, c->res, c->e) < 0 ||
	    str_field(lep, "advertiseAddress", "localAPIEndpoint.", c->display, &addr, &addr_line,
		      c->res, c->e) < 0)
		return -1;
	/* SetDefaults_ClusterConfiguration: an empty string gets the default */
	pki_line = *pki ? pki_line : 0;
	pki = *pki ? pki : "/etc/kubernetes/pki";
	subnet_line = *subnet ? subnet_line : 0;
	subnet = *subnet ? subnet : "10.96.0.0/12";
	dns_line = *dns ? dns_line : 0;
	dns = *dns ? dns : "cluster.local";
	bp = lep ? node_map_get(lep, "bindPort") : NULL;
	if (bp && !node_is_null(bp) && node_get_int(bp, &port) < 0)
		return err_set(c->e, c->display, bp->line,
			       "localAPIEndpoint.bindPort: cannot unmarshal %s into an int32: "
			       "kubeadm refuses the file",
			       node_kind_name(bp));
	if (!port) /* SetDefaults_APIEndpoint */
		port = 6443;
	/* advertise-address: kubeadm picks the default route's address when
	 * localAPIEndpoint does not give one; it has no bearing on anonymous
	 * access, so an unknown one is left out rather than guessed */
	if (addr)
		set_from(a, "advertise-address", addr, "localAPIEndpoint.advertiseAddress", c,
			 addr_line);
	kargs_set(a, "enable-admission-plugins", "NodeRestriction", NULL, 0, default_note);
	set_from(a, "service-cluster-ip-range", subnet, "networking.serviceSubnet", c, subnet_line);
	set_cert(a, "service-account-key-file", pki, pki_line, "sa.pub", c);
	set_cert(a, "service-account-signing-key-file", pki, pki_line, "sa.key", c);
	strbuf_addf(&v, "https://kubernetes.default.svc.%s", dns);
	set_from(a, "service-account-issuer", v.buf, "networking.dnsDomain", c, dns_line);
	set_cert(a, "client-ca-file", pki, pki_line, "ca.crt", c);
	set_cert(a, "tls-cert-file", pki, pki_line, "apiserver.crt", c);
	set_cert(a, "tls-private-key-file", pki, pki_line, "apiserver.key", c);
	set_cert(a, "kubelet-client-certificate", pki, pki_line, "apiserver-kubelet-client.crt", c);
	set_cert(a, "kubelet-client-key", pki, pki_line, "apiserver-kubelet-client.key", c);
	kargs_set(a, "enable-bootstrap-token-auth", "true", NULL, 0, default_note);
	strbuf_reset(&v);
	strbuf_addf(&v, "%lld", port);
	kargs_set(a, "secure-port", v.buf, NULL, 0, default_note);
	kargs_set(a, "allow-privileged", "true", NULL, 0, default_note);
	kargs_set(a, "kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname", NULL, 0,
		  default_note);
	kargs_set(a, "requestheader-username-headers", "X-Remote-User", NULL, 0, default_note);
	kargs_set(a, "requestheader-group-headers", "X-Remote-Group", NULL, 0, default_note);
	kargs_set(a, "requestheader-extra-headers-prefix", "X-Remote-Extra-", NULL, 0,
		  default_note);
	set_cert(a, "requestheader-client-ca-file", pki, pki_line, "front-proxy-ca.crt", c);
	kargs_set(a, "requestheader-allowed-names", "front-proxy-client", NULL, 0, default_note);
	set_cert(a, "proxy-client-cert-file", pki, pki_line, "front-proxy-client.crt", c);
	set_cert(a, "proxy-client-key-file", pki, pki_line, "front-proxy-client.key", c);
	strbuf_release(&v);
	return etcd_args(a, pki, pki_line, c);
}

static int karg_ptr_cmp(const void *x, const void *y)
{
	return karg_cmp(*(const struct karg *const *)x, *(const struct karg *const *)y);
}

/* A name that apiServer.extraArgs (v1beta4) repeats: all of them are written,
 * in the order of their values, which is not the order of the file. */
static void warn_repeated(const struct karg *const *v, size_t n, const struct kctx *c)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !strcmp(v[j]->name, v[i]->name))
			j++;
		if (j - i > 1 && v[j - 1]->path)
			result_diag(c->res, DIAG_WARNING,
				    "%s:%d: apiServer.extraArgs gives %s %zu times: kubeadm "
				    "writes each, sorted by value "
				    "(cmd/kubeadm/app/util/arguments.go ArgumentsToCommand), so "
				    "--%s=%s comes last",
				    c->display, v[j - 1]->line, v[i]->name, j - i, v[i]->name,
				    v[j - 1]->value);
		i = j;
	}
}

/* ArgumentsToCommand(defaults, apiServer.extraArgs), after "kube-apiserver". */
static int build(struct kubeadm_apiserver *out, const struct kctx *c)
{
	struct kargs base = {0}, over = {0};
	const struct karg **all = NULL;
	const struct node *api = NULL;
	struct strbuf w = STRBUF_INIT;
	size_t n = 0;
	int ret = -1;

	if (defaults(&base, c) < 0 ||
	    map_field(c->cluster, "apiServer", "", c->display, &api, c->res, c->e) < 0 ||
	    extra_args(api, "apiServer.", c->v1beta4, c->display,
		       "apiServer.extraArgs in the ClusterConfiguration", &over, c->res, c->e) < 0)
		goto out;
	/* Node,RBAC unless extraArgs names authorization-config (an extraArgs
	 * authorization-mode replaces it below anyway) */
	if (!kargs_get(&over, "authorization-config"))
		kargs_set(&base, "authorization-mode", "Node,RBAC", NULL, 0, default_note);
	/* an extraArgs name drops every default of that name */
	all = xcalloc(st_add(base.n, over.n) + 1, sizeof(*all));
	for (size_t i = 0; i < over.n; i++)
		all[n++] = &over.v[i];
	for (size_t i = 0; i < base.n; i++)
		if (!kargs_get(&over, base.v[i].name))
			all[n++] = &base.v[i];
	qsort(all, n, sizeof(*all), karg_ptr_cmp);
	warn_repeated(all, n, c);
	argv_push_at(&out->argv, "kube-apiserver", NULL, 0,
		     "the command of kubeadm's static pod (manifests.go getAPIServerCommand)");
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&w);
		strbuf_addf(&w, "--%s=%s", all[i]->name, all[i]->value);
		argv_push_at(&out->argv, w.buf, all[i]->path, all[i]->line, all[i]->note);
	}
	ret = 0;
out:
	free(all);
	kargs_release(&base);
	kargs_release(&over);
	strbuf_release(&w);
	return ret;
}

/* Documents kubeadm ignores (with a warning) are counted and shown. */
static int check_docs(const struct kdoc *d, size_t n, const char *display, struct result *res,
		      struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!starts_with(d[i].api, KUBEADM_GROUP))
			continue;
		if (check_version(&d[i], display, res, e) < 0)
			return -1;
		if (!known_kind(&d[i]))
			result_diag(res, DIAG_WARNING,
				    "%s:%d: ignored: %s is not a kubeadm kind (kubeadm ignores the "
				    "document with a warning)",
				    display, d[i].line, d[i].kind);
	}
	return 0;
}

static int fill(const struct kdoc *d, size_t n, const char *display, struct kubeadm_apiserver *out,
		struct result *res, struct err *e)
{
	const struct kdoc *cc = pick(d, n, "ClusterConfiguration");
	const struct kdoc *ic = pick(d, n, "InitConfiguration");
	struct kctx c = {display, cc ? cc->doc : NULL, ic ? ic->doc : NULL, true, res, e};
	const char *v = NULL;
	int vline = 0;

	if (!cc && !ic)
		return err_set(e, display, n ? d[0].line : 1,
			       "no InitConfiguration or ClusterConfiguration kind was found in "
			       "the configuration file%s",
			       pick(d, n, "JoinConfiguration")
				   ? " (a control-plane node that joins takes the "
				     "ClusterConfiguration from the cluster: `kubectl -n "
				     "kube-system get configmap kubeadm-config`)"
				   : "");
	if (cc) {
		c.v1beta4 = ends_with(cc->api, "/v1beta4");
		out->api_version = xstrdup(cc->api);
		out->cluster_line = cc->line;
	} else {
		result_diag(res, DIAG_NOTE,
			    "%s: no ClusterConfiguration: the kube-apiserver gets kubeadm's "
			    "defaults",
			    display);
	}
	if (str_field(c.cluster, "kubernetesVersion", "", display, &v, &vline, res, e) < 0)
		return -1;
	if (v) {
		out->k8s_version = xstrdup(v);
		out->k8s_version_line = vline;
	}
	return build(out, &c);
}

/* The kubeadm documents of a file (or of a kubeadm-config ConfigMap). */
static int parse_docs(const struct yaml_docs *docs, const char *display,
		      struct kubeadm_apiserver *out, struct result *res, struct err *e)
{
	struct kdoc *d = xcalloc(docs->n ? docs->n : 1, sizeof(*d));
	int ret = -1;

	if (split_docs(docs, display, d, e) == 0 && check_docs(d, docs->n, display, res, e) == 0 &&
	    fill(d, docs->n, display, out, res, e) == 0)
		ret = 1;
	free(d);
	return ret;
}

/*
 * `kubectl -n kube-system get configmap kubeadm-config -o yaml|json`: the
 * ClusterConfiguration kubeadm stored at init (and `kubeadm upgrade`
 * applies) is the string data.ClusterConfiguration. Returns it, or NULL.
 */
static const struct node *configmap_cluster(const struct yaml_docs *docs)
{
	const struct node *data, *cc;
	const char *k;

	if (docs->n != 1 || !(k = doc_str(docs->doc[0], "kind")) || strcmp(k, "ConfigMap"))
		return NULL;
	data = node_map_get(docs->doc[0], "data");
	cc = data && data->kind == NODE_MAP ? node_map_get(data, "ClusterConfiguration") : NULL;
	return cc && cc->kind == NODE_SCALAR ? cc : NULL;
}

/* Line l of buf ends with a block scalar indicator (|, |-, |+)? */
static bool block_at(const char *buf, size_t len, int l)
{
	const char *p = buf, *end = buf + len, *eol;

	for (int i = 1; i < l && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	eol = eol ? eol : end;
	while (eol > p && (eol[-1] == ' ' || eol[-1] == '\r' || eol[-1] == '\t'))
		eol--;
	while (eol > p && (eol[-1] == '-' || eol[-1] == '+' || (eol[-1] >= '1' && eol[-1] <= '9')))
		eol--;
	return eol > p && eol[-1] == '|';
}

/* Lines of the embedded text as lines of the file: a literal block starts
 * on the line after its indicator; a quoted string is one line. */
static void shift_lines(struct node *n, int base, bool block, int depth)
{
	n->line = block ? n->line + base : base;
	for (size_t i = 0; depth < YAML_MAX_DEPTH && i < n->n; i++)
		shift_lines(n->kids[i], base, block, depth + 1);
}

static int parse_configmap(const char *buf, size_t len, const struct node *cc, const char *display,
			   struct kubeadm_apiserver *out, struct result *res, struct err *e)
{
	struct yaml_docs inner = {0};
	bool block = block_at(buf, len, cc->line);
	int ret = -1;

	if (yaml_parse(cc->str, cc->len, display, &inner, e) < 0) {
		e->line = block ? e->line + cc->line : cc->line;
		goto out;
	}
	for (size_t i = 0; i < inner.n; i++)
		shift_lines(inner.doc[i], cc->line, block, 0);
	if (!is_kubeadm(&inner)) {
		err_set(e, display, cc->line,
			"data.ClusterConfiguration holds no kubeadm ClusterConfiguration");
		goto out;
	}
	result_diag(res, DIAG_NOTE,
		    "%s:%d: the ClusterConfiguration kubeadm keeps in the cluster (what `kubeadm "
		    "upgrade` applies); the running manifest may have been edited since",
		    display, cc->line);
	ret = parse_docs(&inner, display, out, res, e);
out:
	yaml_docs_release(&inner);
	return ret;
}

int kubeadm_apiserver_parse(const char *buf, size_t len, const char *display,
			    struct kubeadm_apiserver *out, struct result *res, struct err *e)
{
	struct yaml_docs docs = {0};
	const struct node *cc;
	int ret = -1;

	if (yaml_parse(buf, len, display, &docs, e) < 0)
		goto out;
	if ((cc = configmap_cluster(&docs)))
		ret = parse_configmap(buf, len, cc, display, out, res, e);
	else if (!is_kubeadm(&docs))
		ret = 0;
	else
		ret = parse_docs(&docs, display, out, res, e);
out:
	if (ret < 0)
		kubeadm_apiserver_release(out);
	yaml_docs_release(&docs);
	return ret;
}
