/*
 * The report model (report/model.h): the verdict and the attack paths
 * joined from the findings, and the report order. Only rules, statuses,
 * severities, targets and facts (core/finding.h) are read: a check's
 * internals never are.
 */
#include "report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const char *const area_names[AREA__COUNT] = {"node", "control-plane", "rbac", "audit",
						    "probe"};
static const char *const area_titles[AREA__COUNT] = {"Node (kubelet)", "Control plane (API server)",
						     "RBAC", "Audit log", "Probe"};
static const char *const verdict_names[VERDICT__COUNT] = {"CLEAN", "INCOMPLETE", "PROBLEMS",
							  "AT RISK", "EXPOSED"};

const char *report_area_name(enum report_area a)
{
	return area_names[a];
}

const char *report_area_title(enum report_area a)
{
	return area_titles[a];
}

const char *report_verdict_name(enum report_verdict v)
{
	return verdict_names[v];
}

/* The area of a rule: the check of the registry that owns it. */
enum report_area report_rule_area(const struct rule *rule)
{
	static const struct {
		const char *check;
		enum report_area area;
	} map[] = {{"kubelet", AREA_NODE},
		   {"apiserver", AREA_CONTROL_PLANE},
		   {"rbac", AREA_RBAC},
		   {"audit", AREA_AUDIT},
		   {"probe", AREA_PROBE}};

	for (size_t i = 0; i < nchecks; i++) {
		const struct check *c = checks[i];
		if (rule < c->rules || rule >= c->rules + c->nrules)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(map); j++)
			if (!strcmp(map[j].check, c->name))
				return map[j].area;
	}
	return AREA_CONTROL_PLANE;
}

void report_finding_key(struct strbuf *sb, const struct finding *f)
{
	const char *id = finding_fact(f, "id");

	strbuf_addf(sb, "%s\n%s", f->rule->id, f->target);
	if (id)
		strbuf_addf(sb, "\n%s", id);
}

void report_fingerprint(const struct finding *f, char hex[65])
{
	struct strbuf sb = STRBUF_INIT;
	struct sha256 c;

	report_finding_key(&sb, f);
	sha256_init(&c);
	sha256_add(&c, sb.buf, sb.len);
	sha256_final_hex(&c, hex);
	strbuf_release(&sb);
}

/* ------------------------------------------------ requests and grants */

/*
 * A request path as the API server reads it (k8s.io/apiserver
 * pkg/endpoints/request/requestinfo.go, RequestInfoFactory.NewRequestInfo):
 * /api/v1/... or /apis/GROUP/VERSION/..., then namespaces/NS/, then
 * RESOURCE[/NAME[/SUBRESOURCE]]. Anything else is a non-resource path.
 */
struct req {
	char ns[128], res[64], name[128], sub[64];
	bool resource;
};

static void seg(const char **p, char *out, size_t size)
{
	size_t n = strcspn(*p, "/?");

	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), *p);
	*p += n;
	if (**p == '/')
		(*p)++;
}

static void req_parse(const char *path, struct req *q)
{
	char skip[64];
	const char *p = path;

	memset(q, 0, sizeof(*q));
	if (!strncmp(p, "/api/", 5)) {
		p += 5;
		seg(&p, skip, sizeof(skip));
	} else if (!strncmp(p, "/apis/", 6)) {
		p += 6;
		seg(&p, skip, sizeof(skip));
		seg(&p, skip, sizeof(skip));
	} else {
		return;
	}
	seg(&p, q->res, sizeof(q->res));
	if (!strcmp(q->res, "namespaces") && *p && *p != '?') {
		seg(&p, q->ns, sizeof(q->ns));
		if (*p && *p != '?')
			seg(&p, q->res, sizeof(q->res));
		else
			snprintf(q->name, sizeof(q->name), "%s", q->ns);
	}
	if (*p && *p != '?' && !q->name[0])
		seg(&p, q->name, sizeof(q->name));
	if (*p && *p != '?')
		seg(&p, q->sub, sizeof(q->sub));
	q->resource = q->res[0] != '\0';
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/*
 * The capability (an rbac-anonymous-binding "grants" id, see the RBAC
 * check's rating table) a request uses, or NULL for non-resource paths.
 */
static const char *req_cap(const char *verb, const struct req *q)
{
	static const char *const reads[] = {"get", "list", "watch", NULL};
	static const char *const writes[] = {"create", "update", "patch", NULL};
	static const char *const execs[] = {"exec", "attach", "portforward", "proxy", NULL};
	static const char *const workloads[] = {
	    "pods",	   "deployments", "daemonsets", "statefulsets",
	    "replicasets", "jobs",	  "cronjobs",	"replicationcontrollers",
	    NULL};
	bool read = one_of(verb, reads);

	if (!q->resource)
		return NULL;
	if (!strcmp(q->res, "pods") && one_of(q->sub, execs))
		return "pods-exec";
	if (!strcmp(q->res, "nodes") && !strcmp(q->sub, "proxy"))
		return "nodes-proxy";
	if (!strcmp(q->res, "serviceaccounts") && !strcmp(q->sub, "token"))
		return "serviceaccount-token";
	if (!strcmp(q->res, "secrets"))
		return read ? "secrets-read" : !strcmp(verb, "create") ? "secrets-create" : "write";
	if (one_of(q->res, workloads) && !q->sub[0] && one_of(verb, writes))
		return "workloads-write";
	if (strstr(q->res, "rolebindings") && one_of(verb, writes))
		return "rbac-bindings-write";
	return read ? "read" : "write";
}

/* Does a binding's grant list allow cap in namespace ns? */
static bool grants_allow(const struct finding *b, const char *cap, const char *ns)
{
	const char *grants = finding_fact(b, "grants"), *bns = finding_fact(b, "namespace");
	size_t n = strlen(cap);

	if (!grants || !cap)
		return false;
	if (bns && *bns && strcmp(bns, ns))
		return false;
	for (const char *p = grants; *p;) {
		size_t len = strcspn(p, ",");
		if ((len == n && !strncmp(p, cap, n)) || (len == 8 && !strncmp(p, "wildcard", 8)))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

/* ------------------------------------------------ paths */

static struct report_path *path_add(struct report_model *m, const char *kind, size_t fi)
{
	struct report_path *p;

	ALLOC_GROW(m->path, m->npath + 1, m->apath);
	p = &m->path[m->npath++];
	memset(p, 0, sizeof(*p));
	p->kind = xstrdup(kind);
	p->severity = m->r->f[fi].severity;
	ALLOC_GROW(p->finding, p->nfinding + 1, p->afinding);
	p->finding[p->nfinding++] = fi;
	return p;
}

static void path_join(struct report_path *p, struct strbuf *sb)
{
	ALLOC_GROW(p->join, p->njoin + 1, p->ajoin);
	p->join[p->njoin++] = strbuf_detach(sb);
}

static void path_cite(struct report_path *p, size_t fi)
{
	for (size_t i = 0; i < p->nfinding; i++)
		if (p->finding[i] == fi)
			return;
	ALLOC_GROW(p->finding, p->nfinding + 1, p->afinding);
	p->finding[p->nfinding++] = fi;
}

static bool is(const struct finding *f, const char *rule, enum status st)
{
	return f->status == st && !strcmp(f->rule->id, rule);
}

/* "cp-2" from "apiserver/cp-2", "node/cp-1" */
static const char *short_target(const char *t)
{
	const char *s = strchr(t, '/');

	return s && s[1] ? s + 1 : t;
}

/* Distinct values (from comma-separated lists), the first max shown. */
struct names {
	char **v;
	size_t n, alloc, max;
};

static void names_add(struct names *l, const char *list)
{
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ","), i;
		for (i = 0; i < l->n; i++)
			if (strlen(l->v[i]) == len && !strncmp(l->v[i], p, len))
				break;
		if (i == l->n && len) {
			ALLOC_GROW(l->v, l->n + 1, l->alloc);
			l->v[l->n++] = xstrndup(p, len);
		}
		p += len + (p[len] == ',');
	}
}

/* "a, b, c and 2 more" */
static void names_text(struct strbuf *sb, const struct names *l)
{
	for (size_t i = 0; i < l->n && i < l->max; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > l->max)
		strbuf_addf(sb, " and %zu more", l->n - l->max);
}

static void names_release(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The API servers with anonymous authentication on, as one clause. */
static void join_apiservers(struct report_model *m, struct report_path *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		if (!is(f, "apiserver-anonymous-auth", STATUS_FAIL))
			continue;
		strbuf_addstr(&sb, n++ ? ", " : "anonymous auth is ON on ");
		strbuf_addstr(&sb, short_target(f->target));
		path_cite(p, i);
	}
	if (!n)
		strbuf_addstr(&sb, "whether the API servers accept anonymous requests is not known "
				   "(no API server was audited)");
	path_join(p, &sb);
}

/* The audit log's successful anonymous requests the binding allows. */
static bool join_audit(struct report_model *m, struct report_path *p, const struct finding *b,
		       bool *used)
{
	struct names verbs = {NULL, 0, 0, 3}, srcs = {NULL, 0, 0, 3};
	unsigned long long count = 0;
	struct strbuf sb = STRBUF_INIT, vp = STRBUF_INIT;
	struct req q;

	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		const char *verb = finding_fact(f, "verb"), *path = finding_fact(f, "path");
		if (!is(f, "audit-anonymous-access", STATUS_FAIL) || !verb || !path)
			continue;
		req_parse(path, &q);
		if (!grants_allow(b, req_cap(verb, &q), q.ns))
			continue;
		used[i] = true;
		count +=
		    strtoull(finding_fact(f, "count") ? finding_fact(f, "count") : "1", NULL, 10);
		strbuf_reset(&vp);
		strbuf_addf(&vp, "%s %s", verb, q.res);
		names_add(&verbs, vp.buf);
		names_add(&srcs, finding_fact(f, "sources"));
		path_cite(p, i);
	}
	if (count) {
		strbuf_addf(&sb,
			    "the audit log shows %llu successful anonymous request%s it allows (",
			    count, count == 1 ? "" : "s");
		names_text(&sb, &verbs);
		strbuf_addch(&sb, ')');
		if (srcs.n) {
			strbuf_addstr(&sb, " from ");
			names_text(&sb, &srcs);
		}
		path_join(p, &sb);
	}
	names_release(&verbs);
	names_release(&srcs);
	strbuf_release(&vp);
	strbuf_release(&sb);
	return count > 0;
}

/* The probe's 200s on paths the binding allows. */
static bool join_probe(struct report_model *m, struct report_path *p, const struct finding *b,
		       bool *used)
{
	struct names paths = {NULL, 0, 0, 3};
	struct strbuf sb = STRBUF_INIT;
	struct req q;

	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		const char *path = finding_fact(f, "path"), *code = finding_fact(f, "code");
		if (!is(f, "probe-apiserver-anonymous", STATUS_FAIL) || !path || !code)
			continue;
		req_parse(path, &q);
		if (!grants_allow(b, req_cap(q.name[0] ? "get" : "list", &q), q.ns))
			continue;
		used[i] = true;
		names_add(&paths, path);
		path_cite(p, i);
	}
	if (paths.n) {
		strbuf_addstr(&sb, "the probe got 200 without credentials on ");
		names_text(&sb, &paths);
		path_join(p, &sb);
	}
	names_release(&paths);
	return paths.n > 0;
}

/* RBAC: an anonymous binding the API servers let anonymous requests use. */
static void paths_rbac(struct report_model *m, bool *used)
{
	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		const char *grant = finding_fact(f, "grant"), *ns = finding_fact(f, "namespace");
		const char *who = finding_fact(f, "who");
		struct strbuf sb = STRBUF_INIT;
		struct report_path *p;
		bool a, b;
		if (!is(f, "rbac-anonymous-binding", STATUS_FAIL) || !grant || !who ||
		    strcmp(who, "anonymous"))
			continue;
		p = path_add(m, "rbac", i);
		strbuf_addf(&sb, "anonymous callers can %s ", grant);
		if (ns && *ns)
			strbuf_addf(&sb, "in namespace %s", ns);
		else
			strbuf_addstr(&sb, "cluster-wide");
		strbuf_addf(&sb, " via %s", f->target);
		p->title = strbuf_detach(&sb);
		join_apiservers(m, p);
		a = join_audit(m, p, f, used);
		b = join_probe(m, p, f, used);
		p->proved = a || b;
	}
}

/* The probe's FAIL on server for a node: its host is the node's name. */
static bool probe_proves_node(struct report_model *m, struct report_path *p, const char *rule,
			      const char *node, bool *used)
{
	struct strbuf sb = STRBUF_INIT;
	bool found = false;

	for (size_t i = 0; i < m->r->n && !found; i++) {
		const struct finding *f = &m->r->f[i];
		const char *srv = finding_fact(f, "server"), *host;
		size_t n = strlen(node);
		if (!is(f, rule, STATUS_FAIL) || !srv || !(host = strstr(srv, "://")))
			continue;
		host += 3;
		if (strncmp(host, node, n) || (host[n] && host[n] != ':'))
			continue;
		used[i] = found = true;
		strbuf_addf(&sb, "the probe got %s without credentials on %s",
			    finding_fact(f, "code") ? finding_fact(f, "code") : "an answer",
			    f->target);
		path_join(p, &sb);
		path_cite(p, i);
	}
	return found;
}

static const struct finding *same_target(const struct result *r, const char *rule,
					 const char *target, size_t *at)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].rule->id, rule) && !strcmp(r->f[i].target, target)) {
			*at = i;
			return &r->f[i];
		}
	return NULL;
}

/* Kubelets: anonymous auth on (with AlwaysAllow), the read-only port. */
static void paths_kubelet(struct report_model *m, bool *used)
{
	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i], *z;
		const char *node = short_target(f->target);
		struct strbuf sb = STRBUF_INIT;
		struct report_path *p;
		size_t at;
		if (is(f, "kubelet-anonymous-auth", STATUS_FAIL)) {
			p = path_add(m, "kubelet", i);
			z = same_target(m->r, "kubelet-authorization-mode", f->target, &at);
			if (z && z->status == STATUS_FAIL) {
				strbuf_addf(&sb,
					    "anyone who reaches the kubelet on %s (:10250) can "
					    "exec into its containers and read its pods "
					    "(anonymous auth on, authorization AlwaysAllow)",
					    node);
				path_cite(p, at);
			} else {
				strbuf_addf(&sb,
					    "anonymous requests reach the kubelet API on %s "
					    "(:10250); the Webhook authorizer decides what they "
					    "may do",
					    node);
			}
			p->title = strbuf_detach(&sb);
			p->proved = probe_proves_node(m, p, "probe-kubelet-anonymous", node, used);
		} else if (is(f, "kubelet-read-only-port", STATUS_FAIL)) {
			p = path_add(m, "read-only-port", i);
			strbuf_addf(&sb,
				    "anyone who reaches %s:10255 can read its pods, specs and "
				    "stats (the read-only port has no authentication)",
				    node);
			p->title = strbuf_detach(&sb);
			p->proved = probe_proves_node(m, p, "probe-read-only-port", node, used);
		}
	}
}

/* Successful anonymous requests in the audit log that no path explains. */
static void paths_audit(struct report_model *m, bool *used)
{
	struct names what = {NULL, 0, 0, 4}, srcs = {NULL, 0, 0, 3}, grants = {NULL, 0, 0, 3};
	struct strbuf sb = STRBUF_INIT, vp = STRBUF_INIT;
	struct report_path *p = NULL;
	unsigned long long count = 0;
	struct req q;

	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		const char *verb = finding_fact(f, "verb"), *path = finding_fact(f, "path");
		if (!is(f, "audit-anonymous-access", STATUS_FAIL) || used[i] || !verb || !path)
			continue;
		if (!p)
			p = path_add(m, "audit", i);
		path_cite(p, i);
		if (f->severity > p->severity)
			p->severity = f->severity;
		req_parse(path, &q);
		strbuf_reset(&vp);
		strbuf_addf(&vp, "%s %s%s%s", verb, q.resource ? q.res : path, q.sub[0] ? "/" : "",
			    q.sub);
		names_add(&what, vp.buf);
		names_add(&srcs, finding_fact(f, "sources"));
		count +=
		    strtoull(finding_fact(f, "count") ? finding_fact(f, "count") : "1", NULL, 10);
	}
	if (p) {
		p->proved = true;
		strbuf_addstr(&sb, "anonymous callers did ");
		names_text(&sb, &what);
		strbuf_addf(&sb,
			    ": %llu successful request%s in the audit log that no RBAC binding "
			    "in the input explains",
			    count, count == 1 ? "" : "s");
		p->title = strbuf_detach(&sb);
		if (srcs.n) {
			strbuf_addstr(&sb, "from ");
			names_text(&sb, &srcs);
			path_join(p, &sb);
		}
		for (size_t i = 0; i < m->r->n; i++)
			if (is(&m->r->f[i], "audit-rbac-anonymous-grant", STATUS_FAIL)) {
				names_add(&grants, m->r->f[i].target);
				path_cite(p, i);
			}
		if (grants.n) {
			strbuf_addstr(&sb, "the log shows anonymous bindings being created: ");
			names_text(&sb, &grants);
			path_join(p, &sb);
		}
	}
	names_release(&what);
	names_release(&srcs);
	names_release(&grants);
	strbuf_release(&vp);
	strbuf_release(&sb);
}

/* Probe answers that no path explains: anonymous access, seen from outside. */
static void paths_probe(struct report_model *m, bool *used)
{
	for (size_t i = 0; i < m->r->n; i++) {
		const struct finding *f = &m->r->f[i];
		struct strbuf sb = STRBUF_INIT;
		struct report_path *p;
		if (f->status != STATUS_FAIL || m->area[i] != AREA_PROBE || used[i])
			continue;
		p = path_add(m, "probe", i);
		p->proved = true;
		strbuf_addf(&sb, "%s answers requests without credentials (%s %s)", f->target,
			    "status", finding_fact(f, "code") ? finding_fact(f, "code") : "?");
		p->title = strbuf_detach(&sb);
	}
}

static int path_cmp(const void *a, const void *b)
{
	const struct report_path *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->proved != y->proved)
		return x->proved ? -1 : 1;
	return x->finding[0] < y->finding[0] ? -1 : x->finding[0] > y->finding[0];
}

/* ------------------------------------------------ order and counts */

/* FAIL and INVALID first, then WARN, UNKNOWN, PASS. */
static int status_rank(enum status s)
{
	static const int rank[STATUS__COUNT] = {
	    [STATUS_INVALID] = 0, [STATUS_FAIL] = 0, [STATUS_WARN] = 1,
	    [STATUS_UNKNOWN] = 2, [STATUS_PASS] = 3,
	};
	return rank[s];
}

static int order_cmp(const void *a, const void *b, void *ctx)
{
	const struct report_model *m = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct finding *x = &m->r->f[i], *y = &m->r->f[j];

	if (m->area[i] != m->area[j])
		return m->area[i] < m->area[j] ? -1 : 1;
	if (status_rank(x->status) != status_rank(y->status))
		return status_rank(x->status) < status_rank(y->status) ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return i < j ? -1 : i > j; /* stable: the order the checks found them */
}

static void model_order(struct report_model *m)
{
	const struct result *r = m->r;

	m->order = xcalloc(r->n ? r->n : 1, sizeof(*m->order));
	m->area = xcalloc(r->n ? r->n : 1, sizeof(*m->area));
	for (size_t i = 0; i < r->n; i++) {
		m->order[i] = i;
		m->area[i] = report_rule_area(r->f[i].rule);
		m->area_count[m->area[i]]++;
		m->status[r->f[i].status]++;
		if (r->f[i].status == STATUS_FAIL || r->f[i].status == STATUS_INVALID)
			m->problems[r->f[i].severity]++;
	}
	qsort_r(m->order, r->n, sizeof(*m->order), order_cmp, m);
}

void report_model_init(struct report_model *m, const struct result *r)
{
	bool *used;

	memset(m, 0, sizeof(*m));
	m->r = r;
	model_order(m);
	used = xcalloc(r->n ? r->n : 1, sizeof(*used));
	paths_rbac(m, used);
	paths_kubelet(m, used);
	paths_audit(m, used);
	paths_probe(m, used);
	free(used);
	if (m->npath)
		qsort(m->path, m->npath, sizeof(*m->path), path_cmp);
	m->incomplete = m->status[STATUS_UNKNOWN] > 0;
	/* nothing audited is not a pass either */
	m->verdict = m->incomplete || !r->n ? VERDICT_INCOMPLETE : VERDICT_CLEAN;
	if (m->status[STATUS_FAIL] || m->status[STATUS_INVALID])
		m->verdict = VERDICT_PROBLEMS;
	for (size_t i = 0; i < m->npath; i++) {
		enum report_verdict v = m->path[i].proved ? VERDICT_EXPOSED : VERDICT_AT_RISK;
		if (v > m->verdict)
			m->verdict = v;
	}
}

void report_model_release(struct report_model *m)
{
	for (size_t i = 0; i < m->npath; i++) {
		struct report_path *p = &m->path[i];
		for (size_t j = 0; j < p->njoin; j++)
			free(p->join[j]);
		free(p->join);
		free(p->finding);
		free(p->kind);
		free(p->title);
	}
	free(m->path);
	free(m->order);
	free(m->area);
	memset(m, 0, sizeof(*m));
}

char *report_verdict_text(const struct report_model *m)
{
	struct strbuf sb = STRBUF_INIT;
	size_t proved = 0;

	for (size_t i = 0; i < m->npath; i++)
		proved += m->path[i].proved;
	switch (m->verdict) {
	case VERDICT_EXPOSED:
		strbuf_addf(&sb,
			    "anonymous access is proved: %zu attack path%s, %zu confirmed by the "
			    "audit log or the probe",
			    m->npath, m->npath == 1 ? "" : "s", proved);
		break;
	case VERDICT_AT_RISK:
		strbuf_addf(&sb,
			    "%zu possible attack path%s: the configuration lets anonymous "
			    "requests through, no audit or probe evidence confirms it",
			    m->npath, m->npath == 1 ? "" : "s");
		break;
	case VERDICT_PROBLEMS:
		strbuf_addf(&sb, "no anonymous attack path found; %zu finding%s failed",
			    m->status[STATUS_FAIL] + m->status[STATUS_INVALID],
			    m->status[STATUS_FAIL] + m->status[STATUS_INVALID] == 1 ? "" : "s");
		break;
	case VERDICT_INCOMPLETE:
		strbuf_addstr(&sb, m->r->n ? "no anonymous attack path found and nothing failed, "
					     "but this is not a pass"
					   : "nothing was audited: this is not a pass");
		break;
	default:
		strbuf_addstr(&sb, "no anonymous attack path found and nothing failed");
		break;
	}
	if (m->status[STATUS_WARN])
		strbuf_addf(&sb, "; %zu warning%s to review", m->status[STATUS_WARN],
			    m->status[STATUS_WARN] == 1 ? "" : "s");
	if (m->incomplete)
		strbuf_addf(&sb, "; incomplete: %zu result%s could not be decided (UNKNOWN)",
			    m->status[STATUS_UNKNOWN], m->status[STATUS_UNKNOWN] == 1 ? "" : "s");
	return strbuf_detach(&sb);
}
