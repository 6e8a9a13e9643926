/*
 * `kanon serve`'s use of the audit engine (audit_live.h): the webhook body
 * is split into its events without building a tree, each event goes
 * through audit_scan_line() as a log line would, and the records through
 * agg_block(), the aggregation of `kanon audit`, which judges each request
 * once (stage dedup by auditID) and tells on_judged() here.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "checks/audit_live.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "core/banned.h"

/* auditIDs come from the Audit-ID request header when a client sets one */
#define MAX_ID_KEEP 128

struct live_batch {
	struct block *b;
	size_t bytes;
};

struct audit_live {
	pthread_mutex_t lock;
	struct agg *agg;
	char *name;
	struct live_counts c;
	void (*judged)(void *ctx, const struct live_request *r);
	void *ctx;
};

const char *audit_live_stage_name(int stage)
{
	static const char *const names[LIVE_STAGES] = {
		"RequestReceived", "ResponseStarted", "ResponseComplete", "Panic", "other"};
	return stage >= 0 && stage < LIVE_STAGES ? names[stage] : "other";
}

const char *audit_live_outcome_name(enum live_outcome o)
{
	static const char *const names[LO__COUNT] = {"allowed", "denied", "other"};
	return (unsigned)o < LO__COUNT ? names[o] : "other";
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static char *item_id(const struct span *ev)
{
	struct span v;
	char *s;

	if (!jsonl_obj_get(ev, "auditID", &v) || !(s = jsonl_unescape(&v)))
		return NULL;
	if (strlen(s) > MAX_ID_KEEP)
		memcpy(s + MAX_ID_KEEP - 3, "...", 4);
	return s;
}

/* One event of the body, scanned as kanon audit scans a line. */
static int scan_item(struct block *b, const struct span *ev, size_t idx, struct strbuf *why)
{
	size_t before = b->nrec;

	if (ev->p[0] != '{') {
		strbuf_addf(why, "item %zu is not a JSON object", idx);
		return -1;
	}
	audit_scan_line(b, ev->p, ev->p + ev->n, idx + 1);
	if (b->nrec == before) {
		strbuf_addf(why, "item %zu is not an audit Event", idx);
		return -1;
	}
	for (size_t i = before; i < b->nrec; i++) {
		struct arec *r = &b->recs[i];
		if (r->flags & (R_MALFORMED | R_SKIPPED)) {
			strbuf_addf(why, "item %zu: %s", idx,
				    r->why ? r->why : "not an audit Event");
			return -1;
		}
		if (r->fmt != AF_NATIVE) {
			strbuf_addf(why, "item %zu is not an audit Event (a %s record)", idx,
				    audit_format_name(r->fmt));
			return -1;
		}
		if (r->d && !r->d->audit_id)
			r->d->audit_id = item_id(ev);
	}
	return 0;
}

static int scan_array(struct block *b, const struct span *arr, struct strbuf *why)
{
	struct span ev;
	size_t it = 0, idx = 0;
	const char *end = arr->p + arr->n, *q;

	while (jsonl_array_next(arr, &it, &ev))
		if (scan_item(b, &ev, idx++, why) < 0)
			return -1;
	/* jsonl_array_next also stops at bad input: the array must end there */
	q = skip_ws(arr->p + (it ? it : 1), end);
	if (q < end && *q == ',')
		q = skip_ws(q + 1, end);
	if (q + 1 != end || *q != ']') {
		strbuf_addf(why, "item %zu is not valid JSON", idx);
		return -1;
	}
	return 0;
}

static bool str_is(const struct span *v, const char *lit)
{
	return jsonl_str_eq(v, lit);
}

/* A top-level object: an EventList (its items) or one Event. */
static int scan_object(struct block *b, const struct span *obj, struct strbuf *why)
{
	struct span items, v;

	if (jsonl_obj_get(obj, "auditID", &v) || !jsonl_obj_get(obj, "items", &items))
		return scan_item(b, obj, 0, why);
	if (jsonl_obj_get(obj, "kind", &v) && !str_is(&v, "EventList")) {
		strbuf_addstr(why, "an object with items that is not an EventList");
		return -1;
	}
	if (jsonl_obj_get(obj, "apiVersion", &v) && !str_is(&v, "audit.k8s.io/v1") &&
	    !str_is(&v, "audit.k8s.io/v1beta1")) {
		strbuf_addstr(why, "apiVersion is not audit.k8s.io/v1 or audit.k8s.io/v1beta1");
		return -1;
	}
	if (items.n == 4 && !memcmp(items.p, "null", 4))
		return 0; /* Go encodes an empty slice that was never made as null */
	if (items.p[0] != '[') {
		strbuf_addstr(why, "items is not an array");
		return -1;
	}
	return scan_array(b, &items, why);
}

int live_batch_parse(const char *body, size_t len, struct live_batch **out, struct strbuf *why)
{
	const char *p = body, *end = body + len, *ve;
	struct live_batch *lb = xcalloc(1, sizeof(*lb));
	struct span whole;
	int ret;

	*out = NULL;
	lb->b = xcalloc(1, sizeof(*lb->b));
	lb->bytes = len;
	p = skip_ws(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		end--;
	if (p == end || (*p != '{' && *p != '[')) {
		strbuf_addstr(why, "not a JSON object or array");
		ret = -1;
		goto out;
	}
	/* one value, whole: brackets and strings balanced, nothing after it */
	ve = jsonl_skip_value(p, end);
	if (ve != end) {
		strbuf_addstr(why, ve ? "text after the JSON value" : "not valid JSON");
		ret = -1;
		goto out;
	}
	whole.p = p;
	whole.n = (size_t)(end - p);
	ret = *p == '[' ? scan_array(lb->b, &whole, why) : scan_object(lb->b, &whole, why);
out:
	if (ret < 0) {
		live_batch_destroy(lb);
		return -1;
	}
	*out = lb;
	return 0;
}

size_t live_batch_events(const struct live_batch *b)
{
	return b ? b->b->nrec : 0;
}

void live_batch_destroy(struct live_batch *b)
{
	if (!b)
		return;
	audit_block_free(b->b);
	free(b);
}

static enum live_outcome outcome_of(const struct audit_judged *j, bool ok)
{
	/* as judge_anon() and judge() in audit.c count them */
	if (ok)
		return LO_ALLOWED;
	if ((j->d && j->d->decision && !strcmp(j->d->decision, "forbid")) || j->code == 401 ||
	    j->code == 403)
		return LO_DENIED;
	return LO_OTHER;
}

static void on_judged(void *ctx, const struct audit_judged *j)
{
	struct audit_live *l = ctx;
	const struct adetail *d = j->d;
	struct live_request r = {0};

	r.ts = j->ts;
	r.code = j->code;
	r.complete = j->complete;
	r.impersonated = (j->flags & R_IMPANON) != 0;
	if (j->code == 401)
		l->c.unauthorized_401++;
	if (r.impersonated)
		l->c.impersonated++;
	/* an anonymous request is counted when its class is known (judge() in audit.c) */
	if ((j->flags & R_ANON) && (d || j->cls >= 0)) {
		bool ok = d ? audit_success(d, j->code) : j->ok;
		r.anonymous = true;
		r.cls = d ? (int)audit_classify(d) : j->cls;
		r.outcome = outcome_of(j, ok);
		l->c.anon[r.cls][r.outcome]++;
	}
	if ((j->flags & R_RBAC) && d && d->rbac == RB_ANON) {
		r.grant = true;
		l->c.grants++;
	}
	if (d) {
		r.audit_id = d->audit_id;
		r.user = d->user;
		r.src = d->src_last;
		r.verb = d->verb;
		r.uri = d->uri;
		r.ua = d->ua;
		r.resource = d->resource;
		r.ns = d->ns;
		r.name = d->name;
		r.subjects = d->subjects;
		r.nsubjects = d->nsubjects;
	}
	if (l->judged && (r.anonymous || r.grant || r.impersonated))
		l->judged(l->ctx, &r);
}

struct audit_live *audit_live_create(const struct audit_opts *o,
				     void (*judged)(void *ctx, const struct live_request *r),
				     void *ctx)
{
	struct audit_live *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->lock, NULL);
	l->name = xstrdup("webhook");
	l->agg = agg_create(o, &l->name, 1);
	agg_set_judged(l->agg, on_judged, l);
	l->judged = judged;
	l->ctx = ctx;
	l->c.last_ts = TS_NONE;
	return l;
}

void audit_live_feed(struct audit_live *l, struct live_batch *b)
{
	struct audit_block in;

	memset(&in, 0, sizeof(in));
	in.data = b->b;
	in.doc = true; /* records carry their item number */
	in.text_bytes = b->bytes;
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < b->b->nrec; i++)
		l->c.events[b->b->recs[i].stage < LIVE_STAGES ? b->b->recs[i].stage
							      : LIVE_STAGES - 1]++;
	agg_block(l->agg, &in, 0);
	pthread_mutex_unlock(&l->lock);
	live_batch_destroy(b);
}

void audit_live_counts(const struct audit_live *l, struct live_counts *out)
{
	struct audit_live *m = (struct audit_live *)l; /* the lock only */
	const struct audit_report *rep;

	pthread_mutex_lock(&m->lock);
	*out = l->c;
	rep = agg_report(l->agg);
	out->requests = rep->requests;
	out->duplicates = rep->duplicates;
	out->evicted = rep->evicted_pending;
	out->open = agg_open(l->agg);
	out->last_ts = rep->to;
	pthread_mutex_unlock(&m->lock);
}

void audit_live_destroy(struct audit_live *l)
{
	if (!l)
		return;
	agg_destroy(l->agg);
	free(l->name);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
