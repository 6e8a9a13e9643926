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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
	static const char *const names[LIVE_STAGES] = {"RequestReceived", "ResponseStarted",
						       "ResponseComplete", "Panic", "other"};
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

/*
 * The body is split in one pass that only looks at quotes, backslashes and
 * brackets, 16 bytes at a time: a webhook body is hundreds of events, and
 * walking it twice (find the items, then each item) cost more than
 * scanning the events. Brackets must match (up to 64 levels: deeper ones
 * go to the byte-wise jsonl_skip_value); scalars are left to the scanner,
 * which reads each event as it reads a log line. Strings are skipped by
 * jsonl_skip_string(), the log scanner's own.
 *
 * masks64(): of 64 bytes, the quotes, the backslashes and the brackets, a
 * bit each.
 */
static inline void masks64(const char *b, uint64_t *q, uint64_t *bs, uint64_t *br)
{
#ifdef __SSE2__
	const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\'), vo = _mm_set1_epi8('{'),
		      vc = _mm_set1_epi8('}'), low = _mm_set1_epi8(0x20);

	*q = *bs = *br = 0;
	for (int i = 0; i < 4; i++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * i));
		/* '[' | 0x20 == '{' and ']' | 0x20 == '}' */
		__m128i f = _mm_or_si128(x, low);
		*q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) << (16 * i);
		*bs |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) << (16 * i);
		*br |= (uint64_t)(unsigned)_mm_movemask_epi8(
			   _mm_or_si128(_mm_cmpeq_epi8(f, vo), _mm_cmpeq_epi8(f, vc)))
		       << (16 * i);
	}
#else
	*q = *bs = *br = 0;
	for (int i = 0; i < 64; i++) {
		*q |= (uint64_t)(b[i] == '"') << i;
		*bs |= (uint64_t)(b[i] == '\\') << i;
		*br |= (uint64_t)((b[i] | 0x20) == '{' || (b[i] | 0x20) == '}') << i;
	}
#endif
}

/* The bytes escaped by a backslash in a 64-byte block; *carry: the first one is. */
static uint64_t escaped64(uint64_t bs, bool *carry)
{
	uint64_t esc = 0;

	if (*carry) {
		esc = 1;
		bs &= ~UINT64_C(1);
	}
	*carry = false;
	while (bs) {
		int i = __builtin_ctzll(bs);
		if (i == 63) {
			*carry = true;
			break;
		}
		esc |= UINT64_C(1) << (i + 1);
		bs &= ~(UINT64_C(3) << i); /* the backslash and the byte it escapes */
	}
	return esc;
}

/*
 * Past the object or array at p (p[0] is '{' or '['), or NULL. 64 bytes at
 * a time: the quotes not escaped give the string mask, the brackets
 * outside it are the structure; only those are looked at one by one. The
 * last partial block is copied into a padded one.
 */
static const char *container_end(const char *p, const char *end)
{
	const char *start = p;
	uint64_t stack = 0; /* bit per level: 1 object, 0 array */
	int depth = 0;
	bool esc_carry = false;
	uint64_t in_str = 0; /* all ones when a block starts inside a string */
	char pad[64];

	while (p < end) {
		const char *blk = p;
		uint64_t q, bs, br, esc, strs;
		size_t left = (size_t)(end - p);

		if (left < 64) {
			memset(pad, ' ', sizeof(pad));
			memcpy(pad, p, left);
			blk = pad;
		}
		masks64(blk, &q, &bs, &br);
		esc = bs || esc_carry ? escaped64(bs, &esc_carry) : 0;
		strs = jsonl_prefix_xor(q & ~esc) ^ in_str;
		in_str = (uint64_t)0 - (strs >> 63);
		br &= ~(strs | esc);
		while (br) {
			int i = __builtin_ctzll(br);
			char c = blk[i];

			br &= br - 1;
			if (c == '{' || c == '[') {
				if (depth == 64)
					return jsonl_skip_value(start, end);
				stack = stack << 1 | (c == '{');
				depth++;
				continue;
			}
			if (!depth || (stack & 1) != (c == '}'))
				return NULL;
			stack >>= 1;
			if (--depth == 0)
				return (size_t)i < left ? p + i + 1 : NULL;
		}
		p += left < 64 ? left : 64;
	}
	return NULL;
}

const char *live_json_end(const char *p, const char *end)
{
	return p < end && (*p == '{' || *p == '[') ? container_end(p, end) : NULL;
}

static const char *value_end(const char *p, const char *end)
{
	if (p >= end)
		return NULL;
	if (*p == '{' || *p == '[')
		return container_end(p, end);
	if (*p == '"')
		return jsonl_skip_string(p, end);
	return jsonl_skip_value(p, end);
}

struct spans {
	struct span *v;
	size_t n, alloc;
};

/* The elements of the array at p (p[0] == '['): past it, or NULL. */
static const char *split_array(const char *p, const char *end, struct spans *out)
{
	out->n = 0;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	while (p < end) {
		const char *ve = value_end(p, end);
		if (!ve || ve == p)
			return NULL;
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = (struct span){p, (size_t)(ve - p)};
		p = skip_ws(ve, end);
		if (p < end && *p == ']')
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
	return NULL;
}

/* What the top level of an object says (the last of duplicate keys, as in Go). */
struct top {
	struct span kind, api, items, id, stage;
	bool items_split;
};

static bool key_is(const char *k, const char *ke, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(ke - k) == n + 2 && !memcmp(k + 1, lit, n);
}

/* Walk the top-level object once; the items are split on the way. NULL: not valid. */
static const char *walk_top(const char *p, const char *end, struct top *t, struct spans *items)
{
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	while (p < end && *p == '"') {
		const char *k = p, *ke = jsonl_skip_string(p, end), *v, *ve;
		if (!ke)
			return NULL;
		v = skip_ws(ke, end);
		if (v >= end || *v != ':')
			return NULL;
		v = skip_ws(v + 1, end);
		if (key_is(k, ke, "items") && v < end && *v == '[') {
			ve = split_array(v, end, items);
			t->items_split = true;
		} else {
			ve = value_end(v, end);
			if (key_is(k, ke, "items"))
				t->items_split = false;
		}
		if (!ve || ve == v)
			return NULL;
		if (key_is(k, ke, "kind"))
			t->kind = (struct span){v, (size_t)(ve - v)};
		else if (key_is(k, ke, "apiVersion"))
			t->api = (struct span){v, (size_t)(ve - v)};
		else if (key_is(k, ke, "items"))
			t->items = (struct span){v, (size_t)(ve - v)};
		else if (key_is(k, ke, "auditID"))
			t->id = (struct span){v, (size_t)(ve - v)};
		else if (key_is(k, ke, "stage"))
			t->stage = (struct span){v, (size_t)(ve - v)};
		p = skip_ws(ve, end);
		if (p < end && *p == '}')
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
	return NULL;
}

static int scan_items(struct block *b, const struct spans *items, struct strbuf *why)
{
	/* one record an event: sized once, not doubled up to it */
	ALLOC_GROW(b->recs, items->n, b->arec);
	for (size_t i = 0; i < items->n; i++)
		if (scan_item(b, &items->v[i], i, why) < 0)
			return -1;
	return 0;
}

/* A top-level object: an EventList (its items) or one Event. */
static int scan_object(struct block *b, const struct span *obj, const struct top *t,
		       const struct spans *items, struct strbuf *why)
{
	/* escaped keys ("\u0069tems") are not matched here: the scanner reads the event */
	if (t->id.n || t->stage.n || !t->items.n)
		return scan_item(b, obj, 0, why);
	if (t->kind.n && !jsonl_str_eq(&t->kind, "EventList")) {
		strbuf_addstr(why, "an object with items that is not an EventList");
		return -1;
	}
	if (t->api.n && !jsonl_str_eq(&t->api, "audit.k8s.io/v1") &&
	    !jsonl_str_eq(&t->api, "audit.k8s.io/v1beta1")) {
		strbuf_addstr(why, "apiVersion is not audit.k8s.io/v1 or audit.k8s.io/v1beta1");
		return -1;
	}
	if (t->items.n == 4 && !memcmp(t->items.p, "null", 4))
		return 0; /* Go encodes a nil slice as null */
	if (!t->items_split) {
		strbuf_addstr(why, "items is not an array");
		return -1;
	}
	return scan_items(b, items, why);
}

static int parse_body(struct block *b, const char *p, const char *end, struct strbuf *why)
{
	struct spans items = {0};
	struct top t;
	const char *ve;
	int ret = -1;

	memset(&t, 0, sizeof(t));
	if (p == end || (*p != '{' && *p != '[')) {
		strbuf_addstr(why, "not a JSON object or array");
		return -1;
	}
	ve = *p == '[' ? split_array(p, end, &items) : walk_top(p, end, &t, &items);
	if (ve != end) {
		strbuf_addstr(why, ve ? "text after the JSON value" : "not valid JSON");
		goto out;
	}
	if (*p == '[') {
		ret = scan_items(b, &items, why);
	} else {
		struct span whole = {p, (size_t)(end - p)};
		ret = scan_object(b, &whole, &t, &items, why);
	}
out:
	free(items.v);
	return ret;
}

int live_batch_parse(const char *body, size_t len, struct live_batch **out, struct strbuf *why)
{
	const char *p = body, *end = body + len;
	struct live_batch *lb = xcalloc(1, sizeof(*lb));

	*out = NULL;
	lb->b = xcalloc(1, sizeof(*lb->b));
	lb->bytes = len;
	p = skip_ws(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (parse_body(lb->b, p, end, why) < 0) {
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
