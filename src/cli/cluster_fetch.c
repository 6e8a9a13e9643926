/*
 * What `kanon cluster` reads from the API, written as a snapshot
 * (docs/snapshot.md) that `kanon scan` then judges: the four RBAC kinds
 * (lists paged with limit and continue), the nodes and each node's
 * /configz through the API server's node proxy (concurrently, bounded),
 * the kube-apiserver pods of kube-system, and what could not be read
 * (cluster/cluster.json). One page or one answer is in memory at a time
 * per request in flight.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cluster.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "parsers/k8s_body.h"
#include "sources/kubeapi.h"
#include "sources/snapshot_write.h"
#include "parsers/json.h"
#include "core/banned.h"

#define MAX_RESTARTS 3
#define CONFIGZ_MAX  (4u << 20)

struct fetch {
	struct kubeapi *api;
	struct snapshot_writer *w;
	const struct cluster_opts *o;
	struct cluster_stats *st;
	struct result *res;
	cJSON *unreadable, *notes;
	bool pods_read;
	/* nodes whose /configz is asked for; sorted when a restarted node list
	 * must skip them */
	char **nodes;
	size_t nnodes, anodes;
	bool nodes_sorted;
};

struct pager;
typedef int page_fn(struct pager *p, cJSON *items);

struct pager {
	struct fetch *f;
	const char *what;		/* "clusterroles": rbac/clusterroles-NNNN.json */
	const char *target;		/* for an unreadable finding */
	const char *path;		/* the collection */
	const char *query;		/* more parameters, or NULL */
	const char *kind, *api_version; /* of each item (lists omit them) */
	const char *verb;		/* "list clusterroles" */
	const char *permission;
	page_fn *page;
	unsigned pageno, restarts;
	size_t objects; /* written by this pass over the list */
	/* the page asked for now: its continue token (owned, NULL for the
	 * first) and limit (0: --page-limit), halved while a page is too big */
	char *cont;
	unsigned limit;
};

/*
 * A page is parsed whole by cJSON (64 bytes a value, plus its strings): a
 * page whose JSON could hold more values than this is asked for again with
 * half the objects. 500 nodes hold ~200,000 (the bound counts some twice);
 * a hostile server's "[0,0,0,...]" of 32 MB would be 16 million.
 */
#define PAGE_MAX_VALUES 400000

static void unreadable(struct fetch *f, const char *target, const char *request, const char *why,
		       const char *permission)
{
	cJSON *u = cJSON_CreateObject();

	cJSON_AddStringToObject(u, "target", target);
	cJSON_AddStringToObject(u, "request", request);
	cJSON_AddStringToObject(u, "why", why);
	if (permission)
		cJSON_AddStringToObject(u, "permission", permission);
	cJSON_AddItemToArray(f->unreadable, u);
	f->st->unreadable++;
}

/* "cannot list rolebindings: forbidden: <the server's message>" */
static char *why_text(const char *verb, const struct kubeapi_req *r)
{
	struct strbuf sb = STRBUF_INIT;
	struct k8s_body b;
	const char *word;

	if (r->error) {
		strbuf_addf(&sb, "cannot %s: %s", verb, r->error);
		return strbuf_detach(&sb);
	}
	switch (r->code) {
	case 401:
		word = "unauthorized (the credentials were refused)";
		break;
	case 403:
		word = "forbidden";
		break;
	case 404:
		word = "not found";
		break;
	case 410:
		word = "the list expired (410 Gone) on every restart";
		break;
	default:
		word = NULL;
	}
	if (r->truncated)
		strbuf_addf(&sb, "cannot %s: the answer is larger than %zu bytes", verb,
			    r->max_body ? r->max_body : (size_t)64 << 20);
	else if (word)
		strbuf_addf(&sb, "cannot %s: %s", verb, word);
	else
		strbuf_addf(&sb, "cannot %s: HTTP %ld", verb, r->code);
	k8s_body_init(&b);
	if (!r->truncated && r->body.len && k8s_body_parse(r->body.buf, r->body.len, &b) == 0 &&
	    b.message)
		strbuf_addf(&sb, " (%s)", b.message);
	else if (!r->truncated && r->body.len && r->code != 200)
		strbuf_addf(&sb, " (%.*s)",
			    (int)strcspn(r->body.buf, "\n") > 200 ? 200
								  : (int)strcspn(r->body.buf, "\n"),
			    r->body.buf);
	k8s_body_release(&b);
	return strbuf_detach(&sb);
}

static void fail_request(struct fetch *f, const char *target, const char *verb,
			 const struct kubeapi_req *r, const char *permission)
{
	struct strbuf req = STRBUF_INIT;
	char *why = why_text(verb, r);

	strbuf_addf(&req, "GET %s", r->path);
	unreadable(f, target, req.buf, why, permission);
	free(why);
	strbuf_release(&req);
}

static void write_json(struct fetch *f, const char *rel, cJSON *j)
{
	struct err e;
	char *s = cJSON_PrintUnformatted(j);

	if (!s || snapshot_write(f->w, rel, s, strlen(s), &e) < 0)
		result_diag(f->res, DIAG_ERROR, "%s", s ? e.msg : "out of memory");
	cJSON_free(s);
}

/* ------------------------------------------------ lists */

static void submit_page(struct pager *p, const char *cont);
static int rbac_page(struct pager *p, cJSON *root);
static int nodes_page(struct pager *p, cJSON *root);
static int pods_page(struct pager *p, cJSON *root);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void page_name(const struct pager *p, unsigned n, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "rbac/%s-%04u.json", p->what, n);
}

/*
 * 410 Gone (the continue token expired: the server compacted its store) on
 * a page: start the list again, and drop the pages written so far. client-go
 * (tools/pager/pager.go: ListPager.List) falls back to one unpaged list
 * instead; a restart keeps one page in memory at a time.
 */
static void restart(struct pager *p)
{
	struct strbuf sb = STRBUF_INIT;

	for (unsigned i = 1; i <= p->pageno && p->page == rbac_page; i++) {
		page_name(p, i, &sb);
		unlinkat(p->f->w->dirfd, sb.buf, 0);
	}
	if (p->page == rbac_page) {
		p->f->st->rbac_pages -= p->pageno;
		p->f->st->rbac_objects -= p->objects;
	}
	if (p->page == pods_page)
		p->f->st->apiserver_pods = 0; /* written again under the same names */
	if (p->page == nodes_page && p->f->nnodes) {
		/* the nodes already asked for are not asked again */
		qsort(p->f->nodes, p->f->nnodes, sizeof(*p->f->nodes), cmp_str);
		p->f->nodes_sorted = true;
	}
	p->objects = 0;
	strbuf_release(&sb);
	p->restarts++;
	p->f->st->restarts++;
	p->pageno = 0;
	submit_page(p, NULL);
}

/* The limit of the page asked for now: halved (p->limit), else --page-limit, else 500. */
static unsigned page_limit(const struct pager *p)
{
	return p->limit ? p->limit : p->f->o->page_limit ? p->f->o->page_limit : 500;
}

/*
 * A page larger than the client keeps (KUBEAPI_MAX_BODY) or parses
 * (PAGE_MAX_VALUES): ask for the same page with half the limit (a continue
 * token does not fix the page size: kube-apiserver takes a new limit with
 * it). One object too big on its own fails the list with the reason.
 */
static bool page_too_big(struct pager *p, struct kubeapi_req *r)
{
	unsigned cur = page_limit(p);
	bool big = r->code == 200 && !r->error &&
		   (r->truncated || json_value_bound(r->body.buf, r->body.len) > PAGE_MAX_VALUES);

	if (!big)
		return false;
	if (cur > 1) {
		p->limit = cur / 2;
		submit_page(p, p->cont);
		return true;
	}
	if (!r->truncated) {
		struct kubeapi_req bad = *r;
		char why[128];
		snprintf(why, sizeof(why), "one object holds more than %d JSON values",
			 PAGE_MAX_VALUES);
		bad.code = 0;
		bad.error = why;
		fail_request(p->f, p->target, p->verb, &bad, NULL);
		return true;
	}
	return false; /* truncated: fail_request says how large */
}

static void page_done(struct kubeapi *k, struct kubeapi_req *r)
{
	struct pager *p = r->ctx;
	cJSON *root, *items;
	const cJSON *cont;

	(void)k;
	if (r->code == 410 && p->pageno > 0 && p->restarts < MAX_RESTARTS) {
		restart(p);
		return;
	}
	if (page_too_big(p, r))
		return;
	if (r->code != 200 || r->truncated || r->error) {
		fail_request(p->f, p->target, p->verb, r, p->permission);
		return;
	}
	root = cJSON_ParseWithLength(r->body.buf, r->body.len);
	items = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (!root || !(cJSON_IsArray(items) || cJSON_IsNull(items))) {
		struct kubeapi_req bad = *r;
		bad.code = 0;
		bad.error = (char *)"the answer is not a Kubernetes List";
		fail_request(p->f, p->target, p->verb, &bad, NULL);
		cJSON_Delete(root);
		return;
	}
	p->pageno++;
	if (p->page(p, root) == 0) {
		cont = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "metadata"), "continue");
		if (cJSON_IsString(cont) && *cont->valuestring)
			submit_page(p, cont->valuestring);
	}
	cJSON_Delete(root);
}

static void submit_page(struct pager *p, const char *cont)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned limit = page_limit(p);
	char *keep = cont ? xstrdup(cont) : NULL; /* cont may be p->cont */

	free(p->cont);
	p->cont = keep;
	strbuf_addf(&sb, "%s?limit=%u", p->path, limit);
	if (p->query)
		strbuf_addf(&sb, "&%s", p->query);
	if (cont) {
		char *esc = curl_easy_escape(NULL, cont, 0);
		strbuf_addf(&sb, "&continue=%s", esc ? esc : "");
		curl_free(esc);
	}
	kubeapi_submit(p->f->api, sb.buf, page_done, p);
	strbuf_release(&sb);
}

/* A page of RBAC objects, with each item's kind put back, as rbac/<what>-NNNN.json. */
static int rbac_page(struct pager *p, cJSON *root)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
	struct strbuf sb = STRBUF_INIT;

	cJSON_ArrayForEach(it, items)
	{
		if (!cJSON_IsObject(it))
			continue;
		if (!cJSON_HasObjectItem(it, "kind"))
			cJSON_AddStringToObject(it, "kind", p->kind);
		if (!cJSON_HasObjectItem(it, "apiVersion"))
			cJSON_AddStringToObject(it, "apiVersion", p->api_version);
		p->f->st->rbac_objects++;
		p->objects++;
	}
	page_name(p, p->pageno, &sb);
	write_json(p->f, sb.buf, root);
	p->f->st->rbac_pages++;
	strbuf_release(&sb);
	return 0;
}

/* The four RBAC lists, or with bindings_only the two binding kinds. */
static void rbac_lists(struct fetch *f, struct pager *pg, bool bindings_only)
{
	static const char *const kinds[][3] = {
	    {"clusterroles", "ClusterRole", "cluster-wide"},
	    {"clusterrolebindings", "ClusterRoleBinding", "cluster-wide"},
	    {"roles", "Role", "in all namespaces"},
	    {"rolebindings", "RoleBinding", "in all namespaces"},
	};
	static char targets[4][64], paths[4][96], verbs[4][96], perms[4][96];

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (bindings_only && !ends_with(kinds[i][1], "Binding"))
			continue;
		snprintf(targets[i], sizeof(targets[i]), "rbac/%s", kinds[i][0]);
		snprintf(paths[i], sizeof(paths[i]), "/apis/rbac.authorization.k8s.io/v1/%s",
			 kinds[i][0]);
		snprintf(verbs[i], sizeof(verbs[i]), "list %s (%s)", kinds[i][0], kinds[i][2]);
		snprintf(perms[i], sizeof(perms[i]), "list %s.rbac.authorization.k8s.io",
			 kinds[i][0]);
		pg[i] = (struct pager){.f = f,
				       .what = kinds[i][0],
				       .target = targets[i],
				       .path = paths[i],
				       .kind = kinds[i][1],
				       .api_version = "rbac.authorization.k8s.io/v1",
				       .verb = verbs[i],
				       .permission = perms[i],
				       .page = rbac_page};
		submit_page(&pg[i], NULL);
	}
}

/* ------------------------------------------------ nodes and /configz */

struct node_req {
	struct fetch *f;
	char *name;
};

static void configz_done(struct kubeapi *k, struct kubeapi_req *r)
{
	struct node_req *n = r->ctx;
	struct strbuf sb = STRBUF_INIT, target = STRBUF_INIT;
	struct err e;

	(void)k;
	strbuf_addf(&target, "node/%s", n->name);
	if (r->code == 200 && !r->truncated && r->body.len && r->body.buf[0] == '{') {
		strbuf_addf(&sb, "kubelet/%s/configz.json", n->name);
		if (snapshot_write(n->f->w, sb.buf, r->body.buf, r->body.len, &e) < 0)
			result_diag(n->f->res, DIAG_ERROR, "%s", e.msg);
		else
			n->f->st->configz++;
	} else {
		strbuf_addf(&sb, "get the kubelet configuration of node %s", n->name);
		fail_request(n->f, target.buf, sb.buf, r, "get nodes/proxy");
	}
	strbuf_release(&sb);
	strbuf_release(&target);
	free(n->name);
	free(n);
}

static int nodes_page(struct pager *p, cJSON *root)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
	struct strbuf sb = STRBUF_INIT;
	char *esc;

	cJSON_ArrayForEach(it, items)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(it, "metadata"), "name");
		struct node_req *n;
		if (!cJSON_IsString(name) || !snapshot_path_ok(name->valuestring) ||
		    strchr(name->valuestring, '/')) {
			result_diag(p->f->res, DIAG_WARNING,
				    "a node without a usable name (metadata.name) was skipped");
			continue;
		}
		if (p->f->nodes_sorted && bsearch(&name->valuestring, p->f->nodes, p->f->nnodes,
						  sizeof(*p->f->nodes), cmp_str))
			continue;
		ALLOC_GROW(p->f->nodes, p->f->nnodes + 1, p->f->anodes);
		p->f->nodes[p->f->nnodes++] = xstrdup(name->valuestring);
		p->f->st->nodes++;
		n = xcalloc(1, sizeof(*n));
		n->f = p->f;
		n->name = xstrdup(name->valuestring);
		strbuf_reset(&sb);
		/* a name is a DNS subdomain; one from a hostile server is escaped */
		esc = curl_easy_escape(NULL, n->name, 0);
		strbuf_addf(&sb, "/api/v1/nodes/%s/proxy/configz", esc ? esc : "");
		curl_free(esc);
		/* a kubelet configuration is a few KB: 32 in flight stay small */
		kubeapi_submit(p->f->api, sb.buf, configz_done, n)->max_body = CONFIGZ_MAX;
	}
	strbuf_release(&sb);
	return 0;
}

/* ------------------------------------------------ kube-apiserver pods */

static void copy_strings(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

	if (v)
		cJSON_AddItemToObject(to, key, cJSON_Duplicate(v, 1));
}

/*
 * Only what the apiserver analysis reads (names, images, command, args):
 * env values, volumes and status stay out of the snapshot.
 */
static int pods_page(struct pager *p, cJSON *root)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
	struct strbuf sb = STRBUF_INIT;

	p->f->pods_read = true;
	cJSON_ArrayForEach(it, items)
	{
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(it, "metadata");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name"), *c;
		cJSON *pod, *m, *spec, *cs;
		if (!cJSON_IsString(name) || !snapshot_path_ok(name->valuestring) ||
		    strchr(name->valuestring, '/'))
			continue;
		pod = cJSON_CreateObject();
		cJSON_AddStringToObject(pod, "apiVersion", "v1");
		cJSON_AddStringToObject(pod, "kind", "Pod");
		m = cJSON_AddObjectToObject(pod, "metadata");
		cJSON_AddStringToObject(m, "name", name->valuestring);
		cJSON_AddStringToObject(m, "namespace", "kube-system");
		spec = cJSON_AddObjectToObject(pod, "spec");
		cs = cJSON_AddArrayToObject(spec, "containers");
		cJSON_ArrayForEach(c,
				   cJSON_GetObjectItemCaseSensitive(
				       cJSON_GetObjectItemCaseSensitive(it, "spec"), "containers"))
		{
			cJSON *o = cJSON_CreateObject();
			copy_strings(o, c, "name");
			copy_strings(o, c, "image");
			copy_strings(o, c, "command");
			copy_strings(o, c, "args");
			cJSON_AddItemToArray(cs, o);
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "apiserver/%s/kube-apiserver.json", name->valuestring);
		write_json(p->f, sb.buf, pod);
		cJSON_Delete(pod);
		p->f->st->apiserver_pods++;
	}
	strbuf_release(&sb);
	return 0;
}

/* ------------------------------------------------ /version and /metrics */

struct once {
	struct fetch *f;
	long code;
	char *why;
	char *body;
	size_t len;
};

static void once_done(struct kubeapi *k, struct kubeapi_req *r)
{
	struct once *o = r->ctx;

	(void)k;
	o->code = r->code;
	if (r->code != 200 || r->error || r->truncated)
		o->why = kubeapi_why(r);
	o->len = r->body.len;
	o->body = r->body.len ? xstrndup(r->body.buf, r->body.len) : NULL;
}

static void get_once(struct fetch *f, const char *path, struct once *o)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	kubeapi_submit(f->api, path, once_done, o);
	kubeapi_loop(f->api);
}

static void once_release(struct once *o)
{
	free(o->why);
	free(o->body);
}

/* apiserver_request_total{...code="401"...} summed over every series. */
static void metrics_parse(const char *buf, size_t len, double *c401, double *c403)
{
	const char *p = buf, *end = buf + len;

	*c401 = *c403 = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *sp;
		size_t n = (size_t)(eol - p);
		if (n > 24 && !strncmp(p, "apiserver_request_total{", 24)) {
			char *line = xstrndup(p, n);
			sp = strrchr(line, '}');
			if (sp && strstr(line, "code=\"401\""))
				*c401 += strtod(sp + 1, NULL);
			else if (sp && strstr(line, "code=\"403\""))
				*c403 += strtod(sp + 1, NULL);
			free(line);
		}
		p = eol + 1;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void metrics_read(struct fetch *f, int i)
{
	struct once o;
	struct strbuf sb = STRBUF_INIT;

	get_once(f, "/metrics", &o);
	if (o.code == 200 && o.body) {
		metrics_parse(o.body, o.len, &f->st->m401[i], &f->st->m403[i]);
		f->st->metrics[i] = true;
	} else if (i == 0) {
		strbuf_addf(&sb,
			    "cannot read /metrics (%s): no apiserver_request_total 401/403 rates "
			    "(needs get on the non-resource URL /metrics)",
			    o.why ? o.why : "?");
		cJSON_AddItemToArray(f->notes, cJSON_CreateString(sb.buf));
	}
	strbuf_release(&sb);
	once_release(&o);
}

/* /version first: a server kanon cannot use at all ends the run. */
static int check_server(struct fetch *f)
{
	struct once o;
	int ret = 0;
	const cJSON *gv;
	cJSON *j;

	get_once(f, "/version", &o);
	if (o.code == 200 && o.body && json_value_bound(o.body, o.len) <= PAGE_MAX_VALUES) {
		j = cJSON_ParseWithLength(o.body, o.len);
		gv = cJSON_GetObjectItemCaseSensitive(j, "gitVersion");
		if (cJSON_IsString(gv))
			f->st->version = xstrdup(gv->valuestring);
		cJSON_Delete(j);
	} else if (!o.code || o.code == 401) {
		ret = cli_error("cannot use the API server %s: %s", kubeapi_server(f->api),
				o.why ? o.why : "no answer");
	}
	once_release(&o);
	return ret;
}

/* ------------------------------------------------ all of it */

static void write_summary(struct fetch *f, const char *context)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "format", 1);
	cJSON_AddStringToObject(j, "kanon", KANON_VERSION);
	cJSON_AddStringToObject(j, "server", kubeapi_server(f->api));
	cJSON_AddStringToObject(j, "context", context);
	if (f->st->version)
		cJSON_AddStringToObject(j, "version", f->st->version);
	cJSON_AddNumberToObject(j, "nodes", (double)f->st->nodes);
	cJSON_AddNumberToObject(j, "apiserver_pods", (double)f->st->apiserver_pods);
	cJSON_AddItemToObject(j, "unreadable", f->unreadable);
	cJSON_AddItemToObject(j, "notes", f->notes);
	write_json(f, "cluster/cluster.json", j);
	cJSON_Delete(j);
}

int cluster_fetch(struct kubeapi *api, struct snapshot_writer *w, const struct cluster_opts *o,
		  const char *context, struct cluster_stats *st, struct result *res)
{
	struct fetch f = {api,	 w,    o, st, res,  cJSON_CreateArray(), cJSON_CreateArray(),
			  false, NULL, 0, 0,  false};
	struct pager pg[6] = {0};
	double t0 = now_s(), left;
	int ret = check_server(&f);

	if (ret) {
		cJSON_Delete(f.unreadable);
		cJSON_Delete(f.notes);
		return ret;
	}
	metrics_read(&f, 0);
	rbac_lists(&f, pg, false);
	pg[4] = (struct pager){.f = &f,
			       .what = "nodes",
			       .target = "nodes",
			       .path = "/api/v1/nodes",
			       .verb = "list nodes",
			       .permission = "list nodes",
			       .page = nodes_page};
	pg[5] = (struct pager){.f = &f,
			       .what = "pods",
			       .target = "apiserver",
			       .path = "/api/v1/namespaces/kube-system/pods",
			       .query = "labelSelector=component%3Dkube-apiserver",
			       .verb = "list pods in kube-system",
			       .permission = "list pods (namespace kube-system)",
			       .page = pods_page};
	submit_page(&pg[4], NULL);
	submit_page(&pg[5], NULL);
	kubeapi_loop(api);
	if (f.pods_read && !st->apiserver_pods)
		cJSON_AddItemToArray(
		    f.notes, cJSON_CreateString(
				 "no kube-apiserver pods in kube-system (label "
				 "component=kube-apiserver): a managed control plane (EKS, "
				 "GKE, AKS) or one that is not run as static pods (k3s, RKE2); "
				 "its flags are not audited, the probe tests it from outside"));
	if (st->metrics[0] && o->metrics_interval_ms >= 0) {
		left = (o->metrics_interval_ms ? o->metrics_interval_ms : 5000) / 1000.0 -
		       (now_s() - t0);
		if (left > 0)
			usleep((useconds_t)(left * 1e6));
		metrics_read(&f, 1);
		st->metrics_seconds = now_s() - t0;
	}
	write_summary(&f, context);
	for (size_t i = 0; i < f.nnodes; i++)
		free(f.nodes[i]);
	free(f.nodes);
	for (size_t i = 0; i < 6; i++)
		free(pg[i].cont);
	st->requests = kubeapi_requests(api);
	st->seconds = now_s() - t0;
	return 0;
}

int cluster_fetch_bindings(struct kubeapi *api, struct snapshot_writer *w,
			   const struct cluster_opts *o, struct cluster_stats *st,
			   struct result *res)
{
	struct fetch f = {api,	 w,    o, st, res,  cJSON_CreateArray(), cJSON_CreateArray(),
			  false, NULL, 0, 0,  false};
	struct pager pg[4] = {0};
	const cJSON *u;
	size_t nd = res->nd;
	int ret = check_server(&f);

	if (!ret) {
		rbac_lists(&f, pg, true);
		kubeapi_loop(api);
		/* a binding not read could be one that grants: no partial answer */
		cJSON_ArrayForEach(u, f.unreadable)
		{
			ret = cli_error(
			    "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "why")));
		}
		/* nor a page that could not be written (write_json): the reason
		 * only, the temporary directory is not shown */
		for (size_t i = nd; i < res->nd; i++) {
			const char *why = strstr(res->d[i].text, "': ");
			if (res->d[i].level == DIAG_ERROR)
				ret = cli_error("cannot keep the bindings read in a temporary "
						"directory ($TMPDIR, else /tmp): %s",
						why ? why + 3 : "write error");
		}
	}
	for (size_t i = 0; i < 4; i++)
		free(pg[i].cont);
	cJSON_Delete(f.unreadable);
	cJSON_Delete(f.notes);
	return ret;
}
