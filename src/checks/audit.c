/*
 * `kanon audit`, phase 2 and the verdicts: requests are deduplicated by
 * auditID in a bounded table and judged once, at their final stage
 * (ResponseComplete or Panic; a request whose final line never comes is
 * judged at the latest stage seen, e.g. a ResponseStarted 101 exec).
 * Definitions: docs/audit.md.
 */
#include "checks/audit.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/audit_hash.h"
#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "model/provenance.h"
#include "sources/provider.h"
#include "model/provenance.h"
#include "parsers/jsonl.h"
#include "core/banned.h"

enum { R_ACCESS, R_GRANT, R_GAP };

static const struct rule audit_rules[] = {
	[R_ACCESS] = { "audit-anonymous-access",
		       "Audit log shows successful anonymous requests beyond health checks",
		       SEV_CRITICAL, { "CIS Kubernetes 1.2.1", "CIS Kubernetes 3.2.1",
				       "MITRE ATT&CK T1078.001" } },
	[R_GRANT] = { "audit-rbac-anonymous-grant",
		      "Audit log shows an RBAC binding granted to system:anonymous or "
		      "system:unauthenticated",
		      SEV_CRITICAL, { "CIS Kubernetes 5.1.1", "MITRE ATT&CK T1098" } },
	[R_GAP] = { "audit-log-gap", "Audit log has a gap with no events", SEV_MEDIUM,
		    { "CIS Kubernetes 3.2.1", "CIS Kubernetes 1.2.16" } },
};

const struct check check_audit = {
	"audit", audit_rules, ARRAY_SIZE(audit_rules), audit_check_run,
};

#define MAX_EXAMPLES 5
#define MAX_SMAP 32768          /* distinct keys per top list */
#define MAX_SMAP_BYTES (2u << 20) /* and their bytes (keys are at most 512 bytes) */
#define MAX_RAW_BYTES (2u << 20)  /* raw URI forms kept beside the top URIs, in all */
#define MAX_ACCESS 1000         /* individual sensitive-access findings */
#define MAX_GROUPS 1000         /* grouped discovery/other findings */
#define MAX_SENSITIVE_GROUPS 4000 /* grouped sensitive findings, after MAX_ACCESS single ones */
#define MAX_GRANTS 1000
#define MAX_GAP_INTERVALS 200000
#define MAX_GAPS_LISTED 1000      /* in the section; all are counted */
#define MAX_GAP_FINDINGS 100
#define MAX_TL_PAGES 256
#define TL_PAGE 1024
#define TABLE_WAYS 4
#define TABLE_SETS (1u << 16)   /* 256k auditIDs remembered, 12 MB (the 64 MB bound) */
#define TABLE_PREFAULT 256      /* requests seen before the table is faulted in whole */
#define MAX_PENDING 4096        /* open interesting requests kept with details (< 3 KB each) */

void audit_opts_init(struct audit_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->since = o->until = TS_NONE;
	o->bucket_us = 60 * 1000000LL;
	o->gap_us = 5 * 60 * 1000000LL;
	o->top = 20;
}

const char *audit_class_name(enum audit_class c)
{
	static const char *const n[CL__COUNT] = { "health", "discovery", "sensitive", "other" };
	return (unsigned)c < CL__COUNT ? n[c] : "?";
}

/* ------------------------------------------------------------ CIDR */

int cidr_parse(const char *s, struct cidr *out)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long long bits;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		out->bits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		out->bits = 128;
	} else {
		return -1;
	}
	if (slash) {
		if (parse_int(slash + 1, 0, out->bits, &bits) < 0)
			return -1;
		out->bits = (int)bits;
	}
	return 0;
}

static bool prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full))
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		return (a[full] & m) == (b[full] & m);
	}
	return true;
}

bool cidr_match(const struct cidr *c, size_t n, const char *ip)
{
	unsigned char a4[4], a6[16];
	bool v4, v6;

	if (!ip)
		return false;
	v4 = inet_pton(AF_INET, ip, a4) == 1;
	v6 = !v4 && inet_pton(AF_INET6, ip, a6) == 1;
	for (size_t i = 0; i < n; i++) {
		if (v4 && c[i].family == AF_INET && prefix_eq(a4, c[i].addr, c[i].bits))
			return true;
		if (v6 && c[i].family == AF_INET6 && prefix_eq(a6, c[i].addr, c[i].bits))
			return true;
		/* ::ffff:a.b.c.d against an IPv4 range */
		if (v6 && c[i].family == AF_INET && !memcmp(a6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) &&
		    prefix_eq(a6 + 12, c[i].addr, c[i].bits))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ classes */

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* path = uri up to '?' */
static char *uri_path(const char *uri)
{
	const char *q;
	if (!uri)
		return xstrdup("");
	q = strchr(uri, '?');
	return q ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
}

static bool path_is(const char *p, const char *base, bool subpaths)
{
	size_t n = strlen(base);
	if (strncmp(p, base, n))
		return false;
	return p[n] == '\0' || (subpaths && p[n] == '/');
}

/*
 * /healthz, or one /healthz/<check> level: what the API server installs
 * (InstallPathHandler in staging/src/k8s.io/apiserver/pkg/server/healthz/
 * healthz.go registers the endpoint and one path per check). A trailing
 * slash ("/readyz/") or a deeper path is no handler of it.
 */
static bool health_path(const char *p, const char *base)
{
	size_t n = strlen(base);

	if (strncmp(p, base, n))
		return false;
	if (p[n] == '\0')
		return true;
	return p[n] == '/' && p[n + 1] && !strchr(p + n + 1, '/');
}

/* /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION: the discovery documents */
static bool discovery_path(const char *p)
{
	int segs = 0;
	const char *s;

	if (path_is(p, "/openapi", true) || path_is(p, "/.well-known", true) ||
	    path_is(p, "/openid", true))
		return true;
	if (path_is(p, "/api", true))
		s = p + 4;
	else if (path_is(p, "/apis", true))
		s = p + 5;
	else
		return false;
	for (; *s; s++)
		if (*s == '/' && s[1])
			segs++;
	return p[4] == 's' ? segs <= 2 : segs <= 1;
}

/*
 * Resource requests whose objectRef is missing (v1beta1, 401s): the
 * resource and subresource from the path, as the request info resolver
 * does (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 */
static void resource_from_path(const char *path, char **res, char **sub)
{
	const char *seg[12];
	size_t len[12];
	int n = 0, i;
	const char *p = path;

	*res = *sub = NULL;
	while (*p && n < 12) {
		const char *e;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		seg[n] = p;
		len[n++] = (size_t)(e - p);
		p = e;
	}
	if (n >= 2 && len[0] == 3 && !memcmp(seg[0], "api", 3))
		i = 2;
	else if (n >= 3 && len[0] == 4 && !memcmp(seg[0], "apis", 4))
		i = 3;
	else
		return;
	if (i < n && len[i] == 10 && !memcmp(seg[i], "namespaces", 10) && i + 2 < n)
		i += 2;
	if (i >= n)
		return;
	*res = xstrndup(seg[i], len[i]);
	if (i + 2 < n)
		*sub = xstrndup(seg[i + 2], len[i + 2]);
}

enum audit_class audit_classify(const struct adetail *d)
{
	static const char *const writes[] = { "create", "update", "patch", "delete",
		"deletecollection", "post", "put", NULL };
	/*
	 * Pod templates carry secrets in env (deployments ... cronjobs), nodes
	 * name the kubelets to reach; serviceaccounts/token mints tokens.
	 */
	static const char *const sens[] = { "secrets", "configmaps", "pods", "roles",
		"rolebindings", "clusterroles", "clusterrolebindings", "deployments",
		"daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs", "nodes", NULL };
	char *path = uri_path(d->uri), *res = NULL, *sub = NULL;
	enum audit_class c = CL_OTHER;
	const char *r = d->resource, *s = d->sub;

	if (in_list(d->verb, writes)) {
		c = CL_SENSITIVE;
		goto out;
	}
	if (!r) {
		resource_from_path(path, &res, &sub);
		if (res && !discovery_path(path)) {
			r = res;
			s = sub;
		}
	}
	if (r) {
		if (in_list(r, sens) || (streq(r, "serviceaccounts") && streq(s, "token")))
			c = CL_SENSITIVE;
		goto out;
	}
	/*
	 * Only GET, as the issue defines the class: the health handlers answer any
	 * method (staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go), so a
	 * POST or a HEAD that succeeds is not a probe and is reported.
	 */
	if (streq(d->verb, "get") &&
	    (health_path(path, "/healthz") || health_path(path, "/livez") ||
	     health_path(path, "/readyz") || !strcmp(path, "/version")))
		c = CL_HEALTH;
	else if (discovery_path(path))
		c = CL_DISCOVERY;
out:
	free(path);
	free(res);
	free(sub);
	return c;
}

bool audit_success(const struct adetail *d, int code)
{
	static const char *const upgrades[] = { "exec", "attach", "portforward", NULL };

	if (!streq(d->decision, "allow"))
		return false;
	if (code >= 200 && code <= 299)
		return true;
	/* a SPDY/WebSocket upgrade answers 101 Switching Protocols */
	return code == 101 && in_list(d->sub, upgrades);
}

/* ------------------------------------------------------------ string map */

struct sment {
	char *key;
	uint64_t count;
	uint64_t hash;
	void *data;
};

struct smap {
	struct sment *v;
	size_t cap, n, bytes;
	uint64_t overflow;
	void (*free_data)(void *);
};

/* keyed: URIs and user agents are the client's (audit_hash.h) */
static uint64_t str_hash(const char *s)
{
	return audit_hash64(s, strlen(s));
}

static struct sment *smap_get(struct smap *m, const char *key, bool *created)
{
	uint64_t h = str_hash(key);
	size_t i;

	*created = false;
	if (m->cap && m->bytes + strlen(key) + 1 > MAX_SMAP_BYTES) {
		/* out of key bytes: only existing keys are counted */
		for (i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
			if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
				return &m->v[i];
		m->overflow++;
		return NULL;
	}
	if (!m->cap || (m->n + 1) * 2 > m->cap) {
		if (m->n >= MAX_SMAP && m->cap) {
			/* full: only existing keys are counted */
			for (i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
				if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
					return &m->v[i];
			m->overflow++;
			return NULL;
		}
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct sment *nv = xcalloc(nc, sizeof(*nv));
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->v[j].key)
				continue;
			for (i = m->v[j].hash & (nc - 1); nv[i].key; i = (i + 1) & (nc - 1))
				;
			nv[i] = m->v[j];
		}
		free(m->v);
		m->v = nv;
		m->cap = nc;
	}
	for (i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
		if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
			return &m->v[i];
	m->v[i].key = xstrdup(key);
	m->v[i].hash = h;
	m->n++;
	m->bytes += strlen(key) + 1;
	*created = true;
	return &m->v[i];
}

static struct sment *smap_find(struct smap *m, const char *key)
{
	uint64_t h = str_hash(key);

	if (!m->cap)
		return NULL;
	for (size_t i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
		if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
			return &m->v[i];
	return NULL;
}

static void smap_count(struct smap *m, const char *key)
{
	bool c;
	struct sment *e;

	if (!key)
		return;
	e = smap_get(m, key, &c);
	if (e)
		e->count++;
}

static void smap_release(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		if (m->v[i].data && m->free_data)
			m->free_data(m->v[i].data);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int ent_cmp(const void *a, const void *b)
{
	const struct sment *x = *(const struct sment *const *)a, *y = *(const struct sment *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The top n entries, most frequent first, ties by key. */
static struct sment **smap_sorted(const struct smap *m, size_t *n)
{
	struct sment **v = xcalloc(m->n + 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			v[k++] = &m->v[i];
	qsort(v, k, sizeof(*v), ent_cmp);
	*n = k;
	return v;
}

/* ------------------------------------------------------------ gaps */

struct ival {
	int64_t a, b;
};

struct gapset {
	struct ival *v;
	size_t n, alloc;
	int64_t gap;
	bool truncated;
};

static void gapset_add(struct gapset *g, int64_t t)
{
	size_t lo, hi, i;
	bool left, right;

	if (g->n && t >= g->v[g->n - 1].a) {
		struct ival *l = &g->v[g->n - 1];
		if (t <= l->b)
			return;
		if (t - l->b < g->gap) {
			l->b = t;
			return;
		}
		i = g->n; /* insert after the last */
		goto insert;
	}
	/* out of order: the interval starting at or before t */
	lo = 0;
	hi = g->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->v[mid].a <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo = first interval starting after t */
	if (lo > 0 && t <= g->v[lo - 1].b)
		return;
	left = lo > 0 && t - g->v[lo - 1].b < g->gap;
	right = lo < g->n && g->v[lo].a - t < g->gap;
	if (left && right) {
		g->v[lo - 1].b = g->v[lo].b;
		memmove(&g->v[lo], &g->v[lo + 1], (g->n - lo - 1) * sizeof(*g->v));
		g->n--;
		return;
	}
	if (left) {
		g->v[lo - 1].b = t;
		return;
	}
	if (right) {
		g->v[lo].a = t;
		return;
	}
	i = lo;
insert:
	if (g->n >= MAX_GAP_INTERVALS) {
		g->truncated = true;
		return;
	}
	ALLOC_GROW(g->v, g->n + 1, g->alloc);
	memmove(&g->v[i + 1], &g->v[i], (g->n - i) * sizeof(*g->v));
	g->v[i].a = g->v[i].b = t;
	g->n++;
}

/* ------------------------------------------------------------ timeline */

struct tlpage {
	int64_t idx;
	struct audit_bucket *b;
};

struct timeline {
	struct tlpage *p;
	size_t n, alloc;
	int64_t width;
	size_t last;
	bool truncated;
};

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static struct audit_bucket *tl_get(struct timeline *t, int64_t ts)
{
	int64_t bi = floordiv(ts, t->width), pi = floordiv(bi, TL_PAGE);
	size_t lo = 0, hi = t->n;
	struct tlpage *pg;

	if (t->n && t->p[t->last].idx == pi)
		return &t->p[t->last].b[bi - pi * TL_PAGE];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->p[mid].idx < pi)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= t->n || t->p[lo].idx != pi) {
		if (t->n >= MAX_TL_PAGES) {
			t->truncated = true;
			return NULL;
		}
		ALLOC_GROW(t->p, t->n + 1, t->alloc);
		memmove(&t->p[lo + 1], &t->p[lo], (t->n - lo) * sizeof(*t->p));
		t->p[lo].idx = pi;
		t->p[lo].b = xcalloc(TL_PAGE, sizeof(struct audit_bucket));
		t->n++;
	}
	t->last = lo;
	pg = &t->p[lo];
	return &pg->b[bi - pi * TL_PAGE];
}

/* ------------------------------------------------------------ dedup table */

struct tent {
	uint64_t hi, lo;
	int64_t ts;      /* of the latest stage seen */
	uint64_t line;   /* of the latest stage seen */
	uint32_t seq;    /* insertion order, for eviction */
	uint32_t pend;   /* 1 + index into the pending details, or 0 */
	uint16_t code;
	uint8_t stages;  /* bit per enum stage */
	uint8_t flags;   /* rec flags; 0x80: used; 0x40: judged */
	uint16_t file;
	uint8_t acls;    /* anonymous without kept details: A_KNOWN | A_OK | class */
};

#define A_KNOWN 0x80
#define A_OK 0x08

#define T_USED 0x80
#define T_JUDGED 0x40

/* ------------------------------------------------------------ accumulators */

struct access {
	int64_t ts, last;
	char *verb, *uri, *resource, *ns, *name, *sub, *srcs, *ua, *user;
	enum audit_class cls;
	int code;
	uint64_t count;
	const char *file;
	uint64_t line;
	char *sources[5];
	size_t nsources;
	const char *src_file[5]; /* where each source was first seen (--merge orders them) */
	uint64_t src_line[5];
};

static void access_free(void *p)
{
	struct access *a = p;
	if (!a)
		return;
	free(a->verb);
	free(a->uri);
	free(a->resource);
	free(a->ns);
	free(a->name);
	free(a->sub);
	free(a->srcs);
	free(a->ua);
	free(a->user);
	for (size_t i = 0; i < a->nsources; i++)
		free(a->sources[i]);
	free(a);
}

struct rawlist {
	char *raw[3];
	size_t n;
};

static void rawlist_free(void *p)
{
	struct rawlist *r = p;
	for (size_t i = 0; r && i < r->n; i++)
		free(r->raw[i]);
	free(r);
}

struct agg {
	const struct audit_opts *o;
	struct audit_report *rep;
	char *const *files;
	size_t nfiles;
	struct tent *table;
	bool table_faulted; /* MADV_POPULATE_WRITE done */
	uint32_t seq;
	uint64_t open; /* entries not judged yet */
	uint8_t *set_open; /* per set: its entries not judged yet (judge_open reads only those sets) */
	struct adetail **pend;
	uint32_t *pend_free;
	size_t npend_free, pend_used;
	struct gapset gaps;
	struct timeline tl;
	struct smap uris, sources, agents, health, groups;
	struct access **access;
	size_t naccess, aaccess, nsens_groups, raw_bytes;
	size_t amalf, adis, agrant, aunk, aimp;
	bool *file_bad;       /* inputs not read to their end */
	uint64_t *line_base;  /* lines consumed so far, per input */
	/* `kanon serve` (audit_live.c) is told of each request judged; NULL: none */
	void (*judged)(void *ctx, const struct audit_judged *j);
	void *judged_ctx;
	struct part_state *part; /* --part-out: audit_part_agg.inc */
	bool replaying;		 /* --merge replays a line a part deferred (replay()) */
};

/* Partial results (--part-out, --merge): audit_part_agg.inc, included at the end. */
static bool part_defer(struct agg *a, struct arec *r, int file, uint64_t line);
static void part_seen(struct agg *a, const struct tent *e, const struct arec *r, int file);
static void part_state_free(struct part_state *p);
static void group_join(struct agg *a, struct sment *g, struct access *x);

/*
 * The table is read before it is written (a lookup, the prefetch of
 * agg_block): each page is first the shared zero page, and its first write
 * then replaces it, which flushes the TLB of every CPU the threads run on:
 * 5000 such faults took 12 % of all CPU time. Huge pages make them 6:
 * agg_create() takes the table at a 2 MB boundary (huge_zalloc(); calloc()'s
 * unaligned head and tail were 4 KB pages, 200 faults in the first 256
 * requests of a 223 MB log; the first ten or so requests now fault in all 6).
 * Where huge pages are off, the call of agg_block() once the table is used
 * matters: it faults the table in at once, writable (MADV_POPULATE_WRITE,
 * Linux 5.14), about 2 ms instead of a zero page, a write fault and a TLB
 * flush of both CPUs per 4 KB page; with huge pages it finds them present.
 */
#define TABLE_BYTES ((size_t)TABLE_SETS * TABLE_WAYS * sizeof(struct tent))

struct agg *agg_create(const struct audit_opts *o, char *const *files, size_t nfiles)
{
	struct agg *a = xcalloc(1, sizeof(*a));
	struct audit_report *r = xcalloc(1, sizeof(*r));

	a->o = o;
	a->rep = r;
	a->files = files;
	a->nfiles = nfiles;
	a->table = huge_zalloc(TABLE_BYTES);
	a->set_open = xcalloc_populated(TABLE_SETS, sizeof(*a->set_open));
	a->file_bad = xcalloc(nfiles + 1, sizeof(*a->file_bad));
	a->line_base = xcalloc(nfiles + 1, sizeof(*a->line_base));
	a->pend = xcalloc_populated(MAX_PENDING, sizeof(*a->pend));
	a->pend_free = xcalloc_populated(MAX_PENDING, sizeof(*a->pend_free));
	for (uint32_t i = 0; i < MAX_PENDING; i++)
		a->pend_free[i] = MAX_PENDING - 1 - i;
	a->npend_free = MAX_PENDING;
	a->gaps.gap = o->gap_us;
	a->tl.width = o->bucket_us;
	a->uris.free_data = rawlist_free;
	a->groups.free_data = access_free;
	r->from = r->to = TS_NONE;
	r->since = o->since;
	r->until = o->until;
	r->bucket_us = o->bucket_us;
	r->gap_us = o->gap_us;
	r->allow_ip_given = o->nallow > 0;
	r->nfiles = nfiles;
	r->files = xcalloc(nfiles + 1, sizeof(char *));
	for (size_t i = 0; i < nfiles; i++)
		r->files[i] = xstrdup(strcmp(files[i], "-") ? files[i] : "<stdin>");
	return a;
}

static const char *file_name(struct agg *a, int f)
{
	return f >= 0 && (size_t)f < a->nfiles ? a->rep->files[f] : "?";
}

/* "12", or "12 record 3" for an event wrapped in a record list */
static const char *loc_str(char buf[48], uint64_t loc)
{
	if (loc_rec(loc))
		snprintf(buf, 48, "%llu record %llu", (unsigned long long)loc_line(loc),
			 (unsigned long long)loc_rec(loc));
	else
		snprintf(buf, 48, "%llu", (unsigned long long)loc_line(loc));
	return buf;
}

/* the line of an evidence (0 when it does not fit) */
static int ev_line(uint64_t loc)
{
	return loc_line(loc) > 0x7fffffff ? 0 : (int)loc_line(loc);
}

static void add_example(char ***v, size_t *n, size_t *alloc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_example(char ***v, size_t *n, size_t *alloc, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (*n >= MAX_EXAMPLES)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = strbuf_detach(&sb);
}

static void add_source(struct access *x, const char *ip, const char *file, uint64_t line)
{
	if (!ip || x->nsources >= ARRAY_SIZE(x->sources))
		return;
	for (size_t i = 0; i < x->nsources; i++)
		if (!strcmp(x->sources[i], ip))
			return;
	x->src_file[x->nsources] = file;
	x->src_line[x->nsources] = line;
	x->sources[x->nsources++] = xstrdup(ip);
}

static struct access *access_new(const struct adetail *d, enum audit_class cls, int code,
				 int64_t ts, const char *file, uint64_t line)
{
	struct access *x = xcalloc(1, sizeof(*x));

	x->ts = x->last = ts;
	x->verb = xstrdup_or_null(d->verb);
	x->uri = xstrdup_or_null(d->uri);
	x->resource = xstrdup_or_null(d->resource);
	x->ns = xstrdup_or_null(d->ns);
	x->name = xstrdup_or_null(d->name);
	x->sub = xstrdup_or_null(d->sub);
	x->srcs = xstrdup_or_null(d->srcs);
	x->ua = xstrdup_or_null(d->ua);
	x->user = xstrdup_or_null(d->user);
	x->cls = cls;
	x->code = code;
	x->file = file;
	x->line = line;
	x->count = 1;
	add_source(x, d->src_last, file, line);
	return x;
}

static void judge_anon(struct agg *a, struct audit_bucket *bk, const struct adetail *d,
		       int code, bool complete, int64_t ts, const char *file, uint64_t line)
{
	char lb[48];
	struct audit_report *r = a->rep;
	enum audit_class cls = audit_classify(d);
	bool ok = audit_success(d, code);
	bool forbid = streq(d->decision, "forbid");
	bool okcode = (code >= 200 && code <= 299) || code == 101;
	char *path = uri_path(d->uri);
	struct sment *e;
	bool created;

	r->anon.requests++;
	r->anon.by_class[cls]++;
	if (ok) {
		r->anon.allowed++;
		r->anon.allowed_by_class[cls]++;
		if (bk)
			bk->anon_allowed++;
	} else if (forbid || code == 401 || code == 403) {
		r->anon.denied++;
	} else {
		r->anon.other++;
		if (!complete && !code)
			r->anon.incomplete++;
	}
	if (bk)
		bk->anon++;
	if ((forbid && okcode) || (streq(d->decision, "allow") && (code == 401 || code == 403)) ||
	    (okcode && !d->decision)) {
		char t[32];
		if (forbid && okcode)
			r->disagree_forbid_success++;
		else if (okcode)
			r->success_no_decision++;
		else
			r->disagree_allow_denied++;
		ts_format(ts, t);
		add_example(&r->disagree_examples, &r->ndisagree_examples, &a->adis,
			    "%s:%s: %s %s: decision %s, code %d at %s", file,
			    loc_str(lb, line), d->verb ? d->verb : "?",
			    d->uri ? d->uri : "?", d->decision ? d->decision : "(none)", code, t);
	}
	e = smap_get(&a->uris, path, &created);
	if (e) {
		struct rawlist *rl = e->data;
		e->count++;
		if (!rl)
			rl = e->data = xcalloc(1, sizeof(*rl));
		if (d->uri && strcmp(d->uri, path) && rl->n < 3 &&
		    a->raw_bytes + strlen(d->uri) + 1 <= MAX_RAW_BYTES) {
			bool seen = false;
			for (size_t i = 0; i < rl->n; i++)
				seen |= !strcmp(rl->raw[i], d->uri);
			if (!seen) {
				rl->raw[rl->n++] = xstrdup(d->uri);
				a->raw_bytes += strlen(d->uri) + 1;
			}
		}
	}
	smap_count(&a->sources, d->src_last ? d->src_last : "(none)");
	smap_count(&a->agents, d->ua ? d->ua : "(none)");
	if (cls == CL_HEALTH && !cidr_match(a->o->allow, a->o->nallow, d->src_last))
		smap_count(&a->health, d->src_last ? d->src_last : "(none)");
	if (ok && cls == CL_SENSITIVE && a->naccess < MAX_ACCESS) {
		/* one finding each */
		ALLOC_GROW(a->access, a->naccess + 1, a->aaccess);
		a->access[a->naccess++] = access_new(d, cls, code, ts, file, line);
	} else if (ok && cls != CL_HEALTH) {
		/* grouped by class, verb and path; past the limits only known groups count */
		struct strbuf key = STRBUF_INIT;
		struct sment *g;
		bool room = cls == CL_SENSITIVE ? a->nsens_groups < MAX_SENSITIVE_GROUPS
						: a->groups.n - a->nsens_groups < MAX_GROUPS;
		strbuf_addf(&key, "%d %s %s", (int)cls, d->verb ? d->verb : "?", path);
		g = room ? smap_get(&a->groups, key.buf, &created) : smap_find(&a->groups, key.buf);
		if (!g)
			a->rep->access_not_listed++;
		if (g) {
			struct access *x = g->data;
			g->count++;
			if (!x) {
				g->data = access_new(d, cls, code, ts, file, line);
				if (cls == CL_SENSITIVE)
					a->nsens_groups++;
			} else if (a->replaying) {
				/* judged late, by --merge: its place is where it was read */
				group_join(a, g, access_new(d, cls, code, ts, file, line));
			} else {
				x->count++;
				if (ts > x->last)
					x->last = ts;
				add_source(x, d->src_last, file, line);
			}
		}
		strbuf_release(&key);
	}
	free(path);
}

static void judge_rbac(struct agg *a, const struct adetail *d, int code, int64_t ts,
		       bool complete, const char *file, uint64_t line)
{
	struct audit_report *r = a->rep;
	struct audit_grant *g;

	if (d->rbac == RB_ANON) {
		if (r->ngrants >= MAX_GRANTS)
			return;
		ALLOC_GROW(r->grants, r->ngrants + 1, a->agrant);
		g = &r->grants[r->ngrants++];
	} else if (d->rbac == RB_UNKNOWN && code >= 200 && code <= 299) {
		/* a refused change grants nothing: only successful ones are in doubt */
		r->unknown_grants_total++;
		if (r->nunknown_grants >= MAX_GRANTS)
			return;
		ALLOC_GROW(r->unknown_grants, r->nunknown_grants + 1, a->aunk);
		g = &r->unknown_grants[r->nunknown_grants++];
	} else {
		return;
	}
	memset(g, 0, sizeof(*g));
	g->time = ts;
	g->verb = xstrdup_or_null(d->verb);
	g->resource = xstrdup_or_null(d->resource);
	g->ns = xstrdup_or_null(d->ns);
	g->name = xstrdup_or_null(d->name);
	g->user = xstrdup_or_null(d->user);
	g->file = xstrdup(file);
	g->line = line;
	g->code = code;
	g->known = d->rbac == RB_ANON;
	g->unconfirmed = !complete;
	if (d->nsubjects) {
		g->subjects = xcalloc(d->nsubjects, sizeof(char *));
		for (size_t i = 0; i < d->nsubjects; i++)
			g->subjects[i] = xstrdup(d->subjects[i]);
		g->nsubjects = d->nsubjects;
	}
}

/* One request, at its final stage (or the latest one seen). */
static void judge(struct agg *a, int64_t ts, int code, uint8_t flags, const struct adetail *d,
		  bool complete, const char *file, uint64_t line, uint8_t acls)
{
	char lb[48];
	struct audit_report *r = a->rep;
	struct audit_bucket *bk = tl_get(&a->tl, ts);

	if (bk)
		bk->total++;
	if (code == 401) {
		r->unauthorized_401++;
		if (bk)
			bk->u401++;
	}
	if (flags & R_IMPANON) {
		r->impersonated_anon++;
		if (d)
			add_example(&r->imp_examples, &r->nimp_examples, &a->aimp,
				    "%s:%s: %s %s %s (code %d)", file, loc_str(lb, line),
				    d->user ? d->user : "?", d->verb ? d->verb : "?",
				    d->uri ? d->uri : "?", code);
	}
	if ((flags & R_ANON) && d) {
		judge_anon(a, bk, d, code, complete, ts, file, line);
	} else if ((flags & R_ANON) && (acls & A_KNOWN)) {
		/*
		 * An open request whose details were not kept (more than MAX_PENDING
		 * open at once): counted, by the class and verdict worked out when its
		 * stage was read, but in no list.
		 */
		r->anon_no_detail++;
		r->anon.requests++;
		r->anon.by_class[acls & 7]++;
		if (bk)
			bk->anon++;
		if (acls & A_OK) {
			r->anon.allowed++;
			r->anon.allowed_by_class[acls & 7]++;
			if (bk)
				bk->anon_allowed++;
		} else if (code == 401 || code == 403) {
			r->anon.denied++;
		} else {
			r->anon.other++;
			if (!code)
				r->anon.incomplete++;
		}
	}
	/*
	 * A grant seen only at RequestReceived or ResponseStarted (the log ends,
	 * or its last lines were lost) is still reported, as not confirmed: what
	 * was asked for is known, whether it was stored is not.
	 */
	if ((flags & R_RBAC) && d)
		judge_rbac(a, d, code, ts, complete, file, line);
	if (a->judged) {
		struct audit_judged j = {ts,	   code,
					 flags,	   d,
					 complete, (acls & A_KNOWN) ? (int)(acls & 7) : -1,
					 (acls & A_OK) != 0};
		a->judged(a->judged_ctx, &j);
	}
}

static void pend_drop(struct agg *a, struct tent *e)
{
	if (!e->pend)
		return;
	adetail_free(a->pend[e->pend - 1]);
	a->pend[e->pend - 1] = NULL;
	a->pend_free[a->npend_free++] = e->pend - 1;
	e->pend = 0;
}

/* An entry opens (+1: a stage that is not the last) or is judged (-1). */
static inline void open_add(struct agg *a, const struct tent *e, int d)
{
	a->open += (uint64_t)(int64_t)d;
	a->set_open[(size_t)(e - a->table) / TABLE_WAYS] += (uint8_t)d;
}

static void judge_entry(struct agg *a, struct tent *e)
{
	if (!(e->flags & T_JUDGED)) {
		judge(a, e->ts, e->code, e->flags & 0x3f,
		      e->pend ? a->pend[e->pend - 1] : NULL, false,
		      file_name(a, e->file), e->line, e->acls);
		e->flags |= T_JUDGED;
		a->rep->evicted_pending++;
		open_add(a, e, -1);
	}
	pend_drop(a, e);
}

/*
 * The set of an auditID: keyed, since a client picks its Audit-ID (a UUID is
 * kept as its bits), and with a fixed mix it could fill one set with its own
 * requests and evict the open ones of others (audit_hash.h).
 */
static inline struct tent *table_set(struct agg *a, uint64_t hi, uint64_t lo)
{
	uint64_t h = audit_hash_pair(hi, lo);
	return &a->table[((h >> 40) & (TABLE_SETS - 1)) * TABLE_WAYS];
}

/* The entry of an auditID in its set (table_set), made if it is not there. */
static struct tent *table_find_in(struct agg *a, struct tent *set, uint64_t hi, uint64_t lo,
				  bool *created)
{
	struct tent *victim = NULL;

	*created = false;
	for (int i = 0; i < TABLE_WAYS; i++) {
		struct tent *e = &set[i];
		if (!(e->flags & T_USED)) {
			if (!victim || (victim->flags & T_USED))
				victim = e;
			continue;
		}
		if (e->hi == hi && e->lo == lo)
			return e;
		/* evict the oldest, preferring requests already judged */
		if (!victim)
			victim = e;
		else if (victim->flags & T_USED) {
			bool vj = victim->flags & T_JUDGED, ej = e->flags & T_JUDGED;
			if ((ej && !vj) || (ej == vj && (int32_t)(e->seq - victim->seq) < 0))
				victim = e;
		}
	}
	if (victim->flags & T_USED)
		judge_entry(a, victim);
	memset(victim, 0, sizeof(*victim));
	victim->hi = hi;
	victim->lo = lo;
	victim->flags = T_USED;
	victim->seq = a->seq++;
	*created = true;
	return victim;
}

static struct tent *table_find(struct agg *a, uint64_t hi, uint64_t lo, bool *created)
{
	return table_find_in(a, table_set(a, hi, lo), hi, lo, created);
}

static void stash(struct agg *a, struct tent *e, struct arec *r, int file, uint64_t line)
{
	e->ts = r->ts;
	e->code = r->code;
	e->flags = (uint8_t)((e->flags & (T_USED | T_JUDGED)) | (r->flags & 0x3f));
	e->line = line;
	e->file = (uint16_t)file;
	e->acls = 0;
	if (r->d) {
		if (e->pend) {
			adetail_free(a->pend[e->pend - 1]);
			a->pend[e->pend - 1] = r->d;
			r->d = NULL;
		} else if (a->npend_free) {
			uint32_t i = a->pend_free[--a->npend_free];
			a->pend[i] = r->d;
			e->pend = i + 1;
			r->d = NULL;
		} else if (r->flags & R_ANON) {
			e->acls = (uint8_t)(A_KNOWN | (audit_success(r->d, r->code) ? A_OK : 0) |
					    (uint8_t)audit_classify(r->d));
		}
	}
}

/* unread and skipped lines per reason (the reasons are static strings) */
static void reason_count(struct agg *a, const char *why, bool skipped, uint64_t n)
{
	struct audit_report *rep = a->rep;
	size_t i;

	for (i = 0; i < rep->nreasons; i++)
		if (rep->reasons[i].why == why || !strcmp(rep->reasons[i].why, why))
			break;
	if (i == rep->nreasons) {
		if (rep->nreasons >= MAX_REASONS)
			i = MAX_REASONS - 1; /* the last one counts the rest */
		else
			rep->reasons[rep->nreasons++] =
			    (struct audit_reason){why, 0, skipped};
	}
	rep->reasons[i].count += n;
}

/* set: the record's set in the table, or NULL (agg_block has it from its look ahead) */
static void agg_record_in(struct agg *a, int fileno, struct arec *r, uint64_t line,
			  struct tent *set)
{
	char lb[48];
	struct audit_report *rep = a->rep;
	const char *file = file_name(a, fileno);
	bool created, final;
	struct tent *e;

	rep->by_format[r->fmt < AF__COUNT ? r->fmt : 0] += 1u + r->more;
	if (r->flags & (R_MALFORMED | R_SKIPPED)) {
		reason_count(a, r->why, (r->flags & R_SKIPPED) != 0, 1u + r->more);
		if (r->flags & R_SKIPPED) {
			rep->skipped += 1u + r->more;
			return;
		}
		rep->malformed += 1u + r->more;
		for (unsigned k = 0; k <= r->more && rep->nmalformed_examples < MAX_EXAMPLES; k++)
			add_example(&rep->malformed_examples, &rep->nmalformed_examples, &a->amalf,
				    "%s:%s: %s", file, loc_str(lb, loc_next(line, k)), r->why);
		return;
	}
	if ((a->o->since != TS_NONE && r->ts < a->o->since) ||
	    (a->o->until != TS_NONE && r->ts >= a->o->until)) {
		rep->outside++;
		return;
	}
	rep->events++;
	gapset_add(&a->gaps, r->ts);
	if (rep->from == TS_NONE || r->ts < rep->from)
		rep->from = r->ts;
	if (rep->to == TS_NONE || r->ts > rep->to)
		rep->to = r->ts;
	/*
	 * A failed authentication is logged once, at ResponseStarted, and never
	 * completes (WithFailedAuthenticationAudit,
	 * staging/src/k8s.io/apiserver/pkg/endpoints/filters/authn_audit.go).
	 */
	if (a->part && part_defer(a, r, fileno, line))
		return; /* maybe a stage of a request seen in another part */
	final = r->stage == ST_RC || r->stage == ST_PANIC || r->stage == ST_OTHER ||
		(r->stage == ST_RS && r->code == 401);
	e = table_find_in(a, set ? set : table_set(a, r->hi, r->lo), r->hi, r->lo, &created);
	if (a->part)
		part_seen(a, e, r, fileno);
	if (created) {
		rep->requests++;
	} else {
		if (e->stages & (1u << r->stage)) {
			rep->duplicates++; /* the same stage again: overlapping files */
			return;
		}
		if (e->flags & T_JUDGED) {
			e->stages |= (uint8_t)(1u << r->stage);
			return; /* an earlier stage after the final one (out of order) */
		}
		if (!final && r->stage < ST_RS && (e->stages & (1u << ST_RS))) {
			e->stages |= (uint8_t)(1u << r->stage);
			return; /* RequestReceived after ResponseStarted: keep the later */
		}
	}
	e->stages |= (uint8_t)(1u << r->stage);
	if (final) {
		const struct adetail *d = r->d ? r->d : e->pend ? a->pend[e->pend - 1] : NULL;
		if (!created)
			open_add(a, e, -1);
		judge(a, r->ts, r->code, r->flags, d, true, file, line, e->acls);
		e->flags |= T_JUDGED;
		e->ts = r->ts;
		pend_drop(a, e);
	} else {
		if (created)
			open_add(a, e, 1);
		stash(a, e, r, fileno, line);
	}
}

static void agg_record(struct agg *a, int fileno, struct arec *r, uint64_t line)
{
	agg_record_in(a, fileno, r, line, NULL);
}

/* the records' sets looked ahead (a power of two above the distance) */
#define AHEAD	   8
#define AHEAD_RING 16

void agg_block(struct agg *a, const struct audit_block *in, uint64_t line_base)
{
	struct tent *ring[AHEAD_RING];
	struct block *b = in->data;

	/* a log big enough to spread over the whole table: fault it in at once */
#ifdef MADV_POPULATE_WRITE
	if (!a->table_faulted && a->seq >= TABLE_PREFAULT) {
		/* advice: nothing to do when refused (an older kernel: EINVAL) */
		madvise(a->table, TABLE_BYTES, MADV_POPULATE_WRITE);
		a->table_faulted = true;
	}
#endif
	for (size_t i = 0; i < b->nrec && i < AHEAD; i++)
		ring[i] = table_set(a, b->recs[i].hi, b->recs[i].lo);
	for (size_t i = 0; i < b->nrec; i++) {
		struct arec *r = &b->recs[i];
		if (i + 2 * AHEAD < b->nrec)
			__builtin_prefetch(&b->recs[i + 2 * AHEAD]);
		if (i + AHEAD < b->nrec) {
			/*
			 * The table is far bigger than the caches: fetch ahead, and
			 * keep the set for when its record comes (its hash was 2 % of
			 * the CPU time, made twice).
			 */
			struct tent *set =
			    table_set(a, b->recs[i + AHEAD].hi, b->recs[i + AHEAD].lo);
			const char *s = (const char *)set;
			ring[(i + AHEAD) % AHEAD_RING] = set;
			__builtin_prefetch(s);
			__builtin_prefetch(s + 64);
			__builtin_prefetch(s + 128);
			/* and its count of open entries: 64 KB that the blocks streamed
			 * through the caches evict (the stall of its increment was 4 % of
			 * all CPU time) */
			__builtin_prefetch(&a->set_open[(size_t)(set - a->table) / TABLE_WAYS], 1);
		}
		/* a malformed or skipped line's record has no set: computed all the same */
		agg_record_in(a, in->file, r, in->doc ? r->line : line_base + r->line,
			      ring[i % AHEAD_RING]);
		adetail_free(r->d);
		r->d = NULL;
	}
	a->rep->lines += in->doc ? in->doc_lines : b->nlines;
	a->rep->bytes += in->text_bytes;
}

void agg_input_error(struct agg *a, int file, const char *msg, struct result *res)
{
	result_diag(res, DIAG_ERROR, "%s", msg);
	res->input_error = true;
	if (file >= 0 && (size_t)file < a->nfiles && !a->file_bad[file]) {
		a->file_bad[file] = true;
		a->rep->inputs_incomplete++;
	}
}

void agg_set_judged(struct agg *a, void (*fn)(void *ctx, const struct audit_judged *j),
		    void *ctx)
{
	a->judged = fn;
	a->judged_ctx = ctx;
}

const struct audit_report *agg_report(const struct agg *a)
{
	return a->rep;
}

uint64_t agg_open(const struct agg *a)
{
	return a->open;
}

void agg_set_threads(struct agg *a, int n)
{
	a->rep->threads = n;
}

/* ------------------------------------------------------------ finish */

static struct audit_top *top_list(const struct smap *m, size_t max, size_t *n, bool raw)
{
	size_t k;
	struct sment **v = smap_sorted(m, &k);
	struct audit_top *t;

	if (k > max)
		k = max;
	t = xcalloc(k + 1, sizeof(*t));
	for (size_t i = 0; i < k; i++) {
		t[i].key = xstrdup(v[i]->key);
		t[i].count = v[i]->count;
		if (raw && v[i]->data) {
			struct rawlist *rl = v[i]->data;
			for (size_t j = 0; j < rl->n; j++)
				t[i].raw[j] = xstrdup(rl->raw[j]);
			t[i].nraw = rl->n;
		}
	}
	*n = k;
	free(v);
	return t;
}

static const char *const fix_access =
	"Find what lets anonymous requests through: the RBAC bindings whose subjects are "
	"User system:anonymous or Group system:unauthenticated (kubectl get "
	"clusterrolebindings,rolebindings -A -o wide), and delete them; then turn anonymous "
	"authentication off (kube-apiserver --anonymous-auth=false) or limit it to health "
	"paths (AuthenticationConfiguration anonymous.conditions, Kubernetes 1.32+). Treat "
	"what was read as disclosed: rotate the secrets and tokens involved.";
static const char *const fix_grant =
	"Delete the binding (or remove the anonymous subject), find who created it from the "
	"audit user, and review what anonymous requests did while it existed.";
static const char *const fix_gap =
	"Check why the API server logged nothing: restarts, a full disk, a blocked or "
	"dropped webhook batch (--audit-webhook-batch-*, --audit-log-mode). Collect the "
	"missing logs from the other API servers before concluding nothing happened.";

/* The distinct source addresses and the request count, as facts. */
static void facts_sources(struct finding *f, const struct access *x)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < x->nsources; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", x->sources[i]);
	finding_set_fact(f, "sources", strbuf_str(&sb));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%llu", (unsigned long long)(x->count ? x->count : 1));
	finding_set_fact(f, "count", sb.buf);
	strbuf_release(&sb);
}

static void access_finding(struct result *res, const struct access *x, bool grouped)
{
	struct strbuf t = STRBUF_INIT, m = STRBUF_INIT, obj = STRBUF_INIT, note = STRBUF_INIT;
	char t1[32], t2[32];
	struct finding *f;
	char *path = uri_path(x->uri);
	enum severity sev = x->cls == CL_SENSITIVE ? SEV_CRITICAL : SEV_MEDIUM;

	ts_format(x->ts, t1);
	ts_format(x->last, t2);
	strbuf_addf(&t, "%s %s", x->verb ? x->verb : "?", path);
	if (x->resource) {
		strbuf_addstr(&obj, x->resource);
		if (x->sub)
			strbuf_addf(&obj, "/%s", x->sub);
		if (x->name)
			strbuf_addf(&obj, " %s", x->name);
		if (x->ns)
			strbuf_addf(&obj, " in namespace %s", x->ns);
	}
	if (grouped && x->count > 1) {
		strbuf_addf(&m, "%llu successful anonymous %s requests: %s", (unsigned long long)x->count,
			    audit_class_name(x->cls), t.buf);
		if (obj.len)
			strbuf_addf(&m, " (%s)", obj.buf);
		strbuf_addf(&m, ", first %s, last %s, code %d, from", t1, t2, x->code);
	} else {
		strbuf_addf(&m, "successful anonymous %s request (user %s): %s", audit_class_name(x->cls),
			    x->user ? x->user : "?", t.buf);
		if (obj.len)
			strbuf_addf(&m, " (%s)", obj.buf);
		strbuf_addf(&m, " at %s, code %d, from", t1, x->code);
	}
	for (size_t i = 0; i < x->nsources; i++)
		strbuf_addf(&m, "%s %s", i ? "," : "", x->sources[i]);
	if (!x->nsources)
		strbuf_addstr(&m, " an unknown address");
	f = finding_add(res, &audit_rules[R_ACCESS], STATUS_FAIL, sev, t.buf, fix_access, "%s",
			m.buf);
	/* for the scan verdict's attack paths (core/finding.h) */
	finding_set_fact(f, "verb", x->verb);
	finding_set_fact(f, "path", path);
	facts_sources(f, x);
	strbuf_addf(&note, "sourceIPs %s; userAgent %s", x->srcs ? x->srcs : "-",
		    x->ua ? x->ua : "-");
	if (loc_rec(x->line))
		strbuf_addf(&note, "; record %llu", (unsigned long long)loc_rec(x->line));
	finding_add_evidence(f, SRC_FILE, x->file, ev_line(x->line), "requestURI", x->uri,
			     note.buf);
	free(path);
	strbuf_release(&t);
	strbuf_release(&m);
	strbuf_release(&obj);
	strbuf_release(&note);
}

static int access_cmp(const void *a, const void *b)
{
	const struct access *x = *(const struct access *const *)a, *y = *(const struct access *const *)b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return strcmp(x->uri ? x->uri : "", y->uri ? y->uri : "");
}

static void grant_finding(struct result *res, const struct audit_grant *g)
{
	struct strbuf t = STRBUF_INIT, m = STRBUF_INIT, subj = STRBUF_INIT;
	char ts[32];
	bool ok = g->code >= 200 && g->code <= 299 && !g->unconfirmed;
	struct finding *f;

	ts_format(g->time, ts);
	strbuf_addf(&t, "%s/%s%s%s", g->resource ? g->resource : "?", g->ns ? g->ns : "",
		    g->ns ? "/" : "", g->name ? g->name : "?");
	for (size_t i = 0; i < g->nsubjects; i++)
		strbuf_addf(&subj, "%s%s", i ? ", " : "", g->subjects[i]);
	strbuf_addf(&m, "%s of %s by %s at %s binds %s (code %d%s)", g->verb ? g->verb : "?",
		    t.buf, g->user ? g->user : "?", ts, subj.buf, g->code,
		    g->unconfirmed ? ": not confirmed, no final stage in the log"
		    : ok	   ? ""
				   : ": the request failed, but someone tried");
	f = finding_add(res, &audit_rules[R_GRANT], ok ? STATUS_FAIL : STATUS_WARN,
			ok ? SEV_CRITICAL : g->unconfirmed ? SEV_HIGH : SEV_MEDIUM, t.buf, fix_grant,
			"%s", m.buf);
	strbuf_reset(&t);
	if (loc_rec(g->line))
		strbuf_addf(&t, "record %llu", (unsigned long long)loc_rec(g->line));
	finding_add_evidence(f, SRC_FILE, g->file, ev_line(g->line), "subjects", subj.buf,
			     t.len ? t.buf : NULL);
	strbuf_release(&t);
	strbuf_release(&m);
	strbuf_release(&subj);
}

static const char *const fix_unread =
	"Find why the lines or files could not be read (the malformed examples in the "
	"summary, the errors above): a log shipper's wrapper kanon does not know, lines cut "
	"or rotated while read, a damaged gzip. Read them again once fixed.";

/* Lines not read (malformed) or inputs not read to their end: no clean verdict. */
static bool unread_input(const struct audit_report *r)
{
	return r->malformed || r->inputs_incomplete;
}

static const char *unread_what(const struct audit_report *r, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (r->malformed)
		strbuf_addf(sb, "%llu line%s could not be read", (unsigned long long)r->malformed,
			    r->malformed == 1 ? "" : "s");
	if (r->malformed && r->inputs_incomplete)
		strbuf_addstr(sb, " and ");
	if (r->inputs_incomplete)
		strbuf_addf(sb, "%llu input%s could not be read to the end",
			    (unsigned long long)r->inputs_incomplete,
			    r->inputs_incomplete == 1 ? "" : "s");
	return sb->buf;
}

struct open_ent {
	uint32_t age; /* records seen since it was first seen */
	struct tent *e;
};

static int open_cmp(const void *x, const void *y)
{
	const struct open_ent *a = x, *b = y;
	return a->age > b->age ? -1 : a->age < b->age; /* oldest first */
}

/*
 * The entries not judged yet, at most a->open of them into v: only the sets
 * that hold one are read (the whole table was 12 MB read at the end of every
 * run, a few ms of a small file's 15).
 */
static size_t open_collect(struct agg *a, struct open_ent *v)
{
	size_t n = 0;

	for (size_t s = 0; s < TABLE_SETS && n < a->open; s++) {
		if (!a->set_open[s])
			continue;
		for (size_t w = 0; w < TABLE_WAYS; w++) {
			struct tent *e = &a->table[s * TABLE_WAYS + w];
			if ((e->flags & T_USED) && !(e->flags & T_JUDGED)) {
				v[n].age = a->seq - e->seq;
				v[n++].e = e;
			}
		}
	}
	return n;
}

/*
 * Requests whose final stage never came, judged in the order they were
 * first seen: the table's slots depend on the hash key, the output must not
 * (the table is only read when there are some).
 */
static void judge_open(struct agg *a)
{
	struct open_ent *v;
	size_t n = 0;

	if (!a->open)
		return; /* details are only kept for open requests */
	v = xcalloc(a->open + 1, sizeof(*v));
	n = open_collect(a, v);
	qsort(v, n, sizeof(*v), open_cmp);
	for (size_t i = 0; i < n; i++) {
		struct tent *e = v[i].e;
		judge(a, e->ts, e->code, e->flags & 0x3f, e->pend ? a->pend[e->pend - 1] : NULL,
		      false, file_name(a, e->file), e->line, e->acls);
		e->flags |= T_JUDGED;
		pend_drop(a, e); /* details are only kept for open requests: no other has any */
	}
	free(v);
}

void agg_finish(struct agg *a, struct result *res)
{
	struct audit_report *r = a->rep;
	size_t ngroups, agaps = 0;
	struct sment **gv;
	char t1[32], t2[32];
	struct strbuf unread = STRBUF_INIT;

	judge_open(a);
	r->anon.uris = top_list(&a->uris, (size_t)a->o->top, &r->anon.nuris, true);
	r->anon.sources = top_list(&a->sources, (size_t)a->o->top, &r->anon.nsources, false);
	r->anon.agents = top_list(&a->agents, (size_t)a->o->top, &r->anon.nagents, false);
	r->anon.health_sources = top_list(&a->health, (size_t)a->o->top,
					  &r->anon.nhealth_sources, false);
	r->anon.distinct_uris = a->uris.n;
	r->anon.distinct_sources = a->sources.n;
	r->gaps_total = a->gaps.n ? a->gaps.n - 1 : 0;
	for (size_t i = 1; i < a->gaps.n && r->ngaps < MAX_GAPS_LISTED; i++) {
		ALLOC_GROW(r->gaps, r->ngaps + 1, agaps);
		r->gaps[r->ngaps].from = a->gaps.v[i - 1].b;
		r->gaps[r->ngaps].to = a->gaps.v[i].a;
		r->ngaps++;
	}
	r->gaps_truncated = a->gaps.truncated;
	for (size_t p = 0; p < a->tl.n; p++)
		for (size_t i = 0; i < TL_PAGE; i++)
			if (a->tl.p[p].b[i].total) {
				struct audit_bucket *b;
				r->timeline = xrealloc(r->timeline, st_mult(st_add(r->ntimeline, 1), sizeof(*b)));
				b = &r->timeline[r->ntimeline++];
				*b = a->tl.p[p].b[i];
				b->start = (a->tl.p[p].idx * TL_PAGE + (int64_t)i) * a->tl.width;
			}
	r->timeline_truncated = a->tl.truncated;

	/* findings: accesses in time order, then grants, then gaps */
	gv = smap_sorted(&a->groups, &ngroups);
	for (size_t i = 0; i < ngroups; i++) {
		ALLOC_GROW(a->access, a->naccess + 1, a->aaccess);
		a->access[a->naccess++] = gv[i]->data;
		gv[i]->data = NULL;
		a->access[a->naccess - 1]->count = gv[i]->count;
	}
	free(gv);
	if (a->naccess)
		qsort(a->access, a->naccess, sizeof(*a->access), access_cmp);
	for (size_t i = 0; i < a->naccess; i++)
		access_finding(res, a->access[i], a->access[i]->cls != CL_SENSITIVE ||
			       a->access[i]->count > 1);
	/* no event at all is no evidence of anything (never guess: UNKNOWN) */
	if (!r->events)
		finding_add(res, &audit_rules[R_ACCESS], STATUS_UNKNOWN, SEV_CRITICAL, "audit log",
			    NULL, "no audit event could be read%s (%llu line%s, %llu malformed)",
			    r->outside ? " inside --since/--until" : "",
			    (unsigned long long)r->lines, r->lines == 1 ? "" : "s",
			    (unsigned long long)r->malformed);
	else if (!a->naccess && unread_input(r))
		finding_add(res, &audit_rules[R_ACCESS], STATUS_WARN, SEV_CRITICAL, "audit log",
			    fix_unread, "no successful anonymous request other than health checks "
			    "in %llu requests, but %s: anonymous access there cannot be ruled out",
			    (unsigned long long)r->requests, unread_what(r, &unread));
	else if (!a->naccess)
		finding_add(res, &audit_rules[R_ACCESS], STATUS_PASS, SEV_CRITICAL, "audit log",
			    NULL, "no successful anonymous request other than health checks "
			    "in %llu requests", (unsigned long long)r->requests);
	for (size_t i = 0; i < r->ngrants; i++)
		grant_finding(res, &r->grants[i]);
	if (r->unknown_grants_total) {
		struct finding *f = finding_add(
			res, &audit_rules[R_GRANT], STATUS_WARN, SEV_MEDIUM, "audit log",
			"Log RBAC changes with their bodies: an audit policy rule at level "
			"RequestResponse for group rbac.authorization.k8s.io, resources "
			"rolebindings and clusterrolebindings (level Request is enough for "
			"create and update, not for a JSON patch).",
			"%llu successful RBAC binding change(s) logged without the subjects: "
			"subjects unknown, so a grant to anonymous users cannot be ruled out",
			(unsigned long long)r->unknown_grants_total);
		for (size_t i = 0; i < r->nunknown_grants && i < MAX_EXAMPLES; i++) {
			const struct audit_grant *g = &r->unknown_grants[i];
			struct strbuf v = STRBUF_INIT;
			strbuf_addf(&v, "%s %s/%s%s%s", g->verb ? g->verb : "?",
				    g->resource ? g->resource : "?", g->ns ? g->ns : "",
				    g->ns ? "/" : "", g->name ? g->name : "?");
			char note[64];
			snprintf(note, sizeof(note), "subjects unknown%s%.0llu",
				 loc_rec(g->line) ? "; record " : "",
				 (unsigned long long)loc_rec(g->line));
			finding_add_evidence(f, SRC_FILE, g->file, ev_line(g->line), NULL, v.buf, note);
			strbuf_release(&v);
		}
	}
	if (!r->ngrants && !r->unknown_grants_total && r->events && unread_input(r))
		finding_add(res, &audit_rules[R_GRANT], STATUS_WARN, SEV_MEDIUM, "audit log",
			    fix_unread, "no RBAC binding change grants to system:anonymous or "
			    "system:unauthenticated in what was read, but %s",
			    unread_what(r, &unread));
	else if (!r->ngrants && !r->unknown_grants_total && r->events)
		finding_add(res, &audit_rules[R_GRANT], STATUS_PASS, SEV_CRITICAL, "audit log",
			    NULL, "no RBAC binding change grants to system:anonymous or "
			    "system:unauthenticated");
	strbuf_release(&unread);
	for (size_t i = 0; i < r->ngaps && i < MAX_GAP_FINDINGS; i++) {
		struct strbuf m = STRBUF_INIT;
		ts_format(r->gaps[i].from, t1);
		ts_format(r->gaps[i].to, t2);
		struct finding *f =
		finding_add(res, &audit_rules[R_GAP], STATUS_FAIL, SEV_MEDIUM, "audit log",
			    fix_gap, "no events for %.1f s, from %s to %s: missing audit data "
			    "can hide access",
			    (double)(r->gaps[i].to - r->gaps[i].from) / 1e6, t1, t2);
		finding_set_fact(f, "id", t1); /* one gap from another (report/model.h) */
		strbuf_release(&m);
	}
	if (r->gaps_total > MAX_GAP_FINDINGS)
		finding_add(res, &audit_rules[R_GAP], STATUS_FAIL, SEV_MEDIUM, "audit log", fix_gap,
			    "and %llu more gaps of %.0f s or more (the first %d are listed above; "
			    "--gap sets the length)",
			    (unsigned long long)(r->gaps_total - MAX_GAP_FINDINGS),
			    (double)a->o->gap_us / 1e6, MAX_GAP_FINDINGS);
	if (!r->ngaps && r->events)
		finding_add(res, &audit_rules[R_GAP], STATUS_PASS, SEV_MEDIUM, "audit log", NULL,
			    "no gap of %.0f s or more between %llu events",
			    (double)a->o->gap_us / 1e6, (unsigned long long)r->events);
	result_add_section(res, audit_section(r));
}

void agg_destroy(struct agg *a)
{
	if (!a)
		return;
	if (a->pend) {
		for (size_t i = 0; i < MAX_PENDING; i++)
			adetail_free(a->pend[i]);
	}
	free(a->pend);
	free(a->pend_free);
	part_state_free(a->part);
	huge_free(a->table, TABLE_BYTES);
	free(a->set_open);
	free(a->file_bad);
	free(a->line_base);
	free(a->gaps.v);
	for (size_t i = 0; i < a->tl.n; i++)
		free(a->tl.p[i].b);
	free(a->tl.p);
	smap_release(&a->uris);
	smap_release(&a->sources);
	smap_release(&a->agents);
	smap_release(&a->health);
	smap_release(&a->groups);
	for (size_t i = 0; i < a->naccess; i++)
		access_free(a->access[i]);
	free(a->access);
	audit_report_destroy(a->rep);
	free(a);
}

static void free_top(struct audit_top *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].key);
		for (size_t j = 0; j < t[i].nraw; j++)
			free(t[i].raw[j]);
	}
	free(t);
}

static void free_grants(struct audit_grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].verb);
		free(g[i].resource);
		free(g[i].ns);
		free(g[i].name);
		free(g[i].user);
		free(g[i].file);
		for (size_t j = 0; j < g[i].nsubjects; j++)
			free(g[i].subjects[j]);
		free(g[i].subjects);
	}
	free(g);
}

void audit_report_destroy(void *p)
{
	struct audit_report *r = p;

	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	for (size_t i = 0; i < r->nmalformed_examples; i++)
		free(r->malformed_examples[i]);
	free(r->malformed_examples);
	for (size_t i = 0; i < r->ndisagree_examples; i++)
		free(r->disagree_examples[i]);
	free(r->disagree_examples);
	for (size_t i = 0; i < r->nimp_examples; i++)
		free(r->imp_examples[i]);
	free(r->imp_examples);
	free_top(r->anon.uris, r->anon.nuris);
	free_top(r->anon.sources, r->anon.nsources);
	free_top(r->anon.agents, r->anon.nagents);
	free_top(r->anon.health_sources, r->anon.nhealth_sources);
	free_grants(r->grants, r->ngrants);
	free_grants(r->unknown_grants, r->nunknown_grants);
	free(r->gaps);
	free(r->timeline);
	free(r);
}

/* ------------------------------------------------------------ run */

/* The check's side of the input pipeline (src/sources/audit_stream.c). */
struct run {
	struct agg *a;
	struct result *res;
	const struct provider *src; /* NULL: the files are paths of this machine */
	char *const *paths;	    /* in src */
};

static int run_open(void *ctx, size_t file, struct err *e)
{
	struct run *r = ctx;

	return provider_open(r->src, r->paths[file], 0, e);
}

static void run_scan(void *ctx, struct audit_block *in)
{
	struct run *r = ctx;

	audit_scan_block(in, r->a->o->format | (r->a->part ? AF_WANT_RRTS : 0));
}

static void run_consume(void *ctx, struct audit_block *in)
{
	struct run *r = ctx;
	struct block *b = in->data;

	agg_block(r->a, in, r->a->line_base[in->file]);
	r->a->line_base[in->file] += b->nlines;
}

static void run_release(void *ctx, void *data)
{
	(void)ctx;
	audit_block_free(data);
}

/* several .gz read at once: what a block read ahead holds (audit_ahead.c) */
static size_t run_weight(void *ctx, const void *data)
{
	(void)ctx;
	return audit_block_weight(data);
}

static void run_error(void *ctx, int file, const char *msg)
{
	struct run *r = ctx;
	agg_input_error(r->a, file, msg, r->res);
}

int audit_run_from(const struct provider *src, char *const *paths, char *const *names,
		   size_t nfiles, const struct audit_opts *o, struct result *res)
{
	struct run r = {agg_create(o, names, nfiles), res, src, paths};
	struct audit_stream_ops ops = {
	    .scan = run_scan,
	    .consume = run_consume,
	    .release = run_release,
	    .weight = run_weight,
	    .error = run_error,
	    .open = src ? run_open : NULL,
	    .progress = o->progress,
	    .ctx = &r,
	    .progress_ctx = o->progress_ctx,
	    .threads = o->threads,
	};
	int used = audit_stream_run(names, nfiles, &ops);
	int rc = r.a->rep->inputs_incomplete ? -1 : 0;

	agg_set_threads(r.a, used ? used : 1);
	agg_finish(r.a, res);
	agg_destroy(r.a);
	return rc;
}

int audit_run(char *const *files, size_t nfiles, const struct audit_opts *o,
	      struct result *res)
{
	return audit_run_from(NULL, NULL, files, nfiles, o, res);
}

/*
 * Partial results. The code reads and writes the aggregation's internals
 * above, so it is part of this file; it lives apart to keep the hot paths
 * here readable.
 */
#include "checks/audit_part_agg.inc"
