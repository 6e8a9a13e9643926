/*
 * Phase 1 of `kanon audit`: every line is walked once without allocation
 * (auditID, stage, stageTimestamp, response code, user); only lines that
 * matter to the report (anonymous or impersonating anonymous users, RBAC
 * binding writes) and lines the walker cannot read are parsed with cJSON.
 * Runs on several threads, one block each.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "checks/audit_hash.h"
#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "core/banned.h"

#define MAX_ITEMS_DEPTH 32

void adetail_free(struct adetail *d)
{
	if (!d)
		return;
	if (d->packed) {
		free(d->audit_id);
		free(d);
		return;
	}
	free(d->uri);
	free(d->verb);
	free(d->user);
	free(d->ua);
	free(d->srcs);
	free(d->src_last);
	free(d->resource);
	free(d->ns);
	free(d->name);
	free(d->sub);
	free(d->decision);
	for (size_t i = 0; i < d->nsubjects; i++)
		free(d->subjects[i]);
	free(d->subjects);
	free(d->audit_id);
	free(d);
}

/*
 * What is kept of one event is bounded: the URI, user agent and the
 * X-Forwarded-For part of sourceIPs are chosen by the client and can be
 * nearly 1 MB each (net/http DefaultMaxHeaderBytes), and thousands of open
 * requests and top-list keys are kept. Longer values are cut at a UTF-8
 * character boundary and end in "...".
 */
#define MAX_URI_KEEP   512
#define MAX_FIELD_KEEP 256

static char *cap_str(char *s, size_t max)
{
	size_t n;
	char *t;

	if (!s || strlen(s) <= max)
		return s;
	n = max - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	t = xmalloc(st_add(n, 4));
	memcpy(t, s, n);
	memcpy(t + n, "...", 4);
	free(s);
	return t;
}

/* the detail's strings, each packed after the struct */
static const size_t detail_strs[] = {
    offsetof(struct adetail, uri),	offsetof(struct adetail, verb),
    offsetof(struct adetail, user),	offsetof(struct adetail, ua),
    offsetof(struct adetail, srcs),	offsetof(struct adetail, src_last),
    offsetof(struct adetail, resource), offsetof(struct adetail, ns),
    offsetof(struct adetail, name),	offsetof(struct adetail, sub),
    offsetof(struct adetail, decision),
};

static char **detail_str(struct adetail *d, size_t i)
{
	return (char **)(void *)((char *)d + detail_strs[i]);
}

/* Copy one string into the packed text at *t; NULL stays NULL. */
static char *pack_str(char **t, const char *s)
{
	size_t n;
	char *at = *t;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(at, s, n);
	*t += n;
	return at;
}

/*
 * The details in one allocation, the pieces they were made of freed: an
 * event's details are made on a scanning thread and freed on the thread
 * that aggregates its block, and glibc frees a chunk of another thread's
 * arena under that arena's lock. A dozen such frees a detail were a third
 * of the CPU time of a log of anonymous requests only.
 */
static struct adetail *adetail_pack(struct adetail *d)
{
	size_t len = sizeof(*d), n = ARRAY_SIZE(detail_strs);
	struct adetail *p;
	char *t;

	for (size_t i = 0; i < n; i++)
		if (*detail_str(d, i))
			len = st_add3(len, strlen(*detail_str(d, i)), 1);
	len = st_add(len, st_mult(d->nsubjects, sizeof(char *)));
	for (size_t i = 0; i < d->nsubjects; i++)
		len = st_add3(len, strlen(d->subjects[i]), 1);
	p = xmalloc(len);
	*p = *d;
	p->packed = true;
	/* the subjects' pointers first, where a pointer is aligned (after the struct) */
	p->subjects = d->nsubjects ? (char **)(void *)(p + 1) : NULL;
	t = (char *)(p + 1) + d->nsubjects * sizeof(char *);
	for (size_t i = 0; i < d->nsubjects; i++)
		p->subjects[i] = pack_str(&t, d->subjects[i]);
	for (size_t i = 0; i < n; i++)
		*detail_str(p, i) = pack_str(&t, *detail_str(d, i));
	d->audit_id = NULL; /* now p's */
	adetail_free(d);
	return p;
}

static struct adetail *adetail_bound(struct adetail *d)
{
	d->uri = cap_str(d->uri, MAX_URI_KEEP);
	d->verb = cap_str(d->verb, MAX_FIELD_KEEP);
	d->user = cap_str(d->user, MAX_FIELD_KEEP);
	d->ua = cap_str(d->ua, MAX_FIELD_KEEP);
	d->srcs = cap_str(d->srcs, MAX_FIELD_KEEP);
	d->src_last = cap_str(d->src_last, MAX_FIELD_KEEP);
	d->resource = cap_str(d->resource, MAX_FIELD_KEEP);
	d->ns = cap_str(d->ns, MAX_FIELD_KEEP);
	d->name = cap_str(d->name, MAX_FIELD_KEEP);
	d->sub = cap_str(d->sub, MAX_FIELD_KEEP);
	d->decision = cap_str(d->decision, MAX_FIELD_KEEP);
	return adetail_pack(d);
}

static struct arec *rec_new(struct block *b, uint64_t line)
{
	struct arec *r;

	ALLOC_GROW(b->recs, b->nrec + 1, b->arec);
	r = &b->recs[b->nrec++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->ts = TS_NONE;
	r->rrts = TS_NONE;
	r->stage = ST_OTHER;
	r->fmt = b->fmt;
	return r;
}

struct arec *audit_rec_new(struct block *b, uint64_t loc)
{
	return rec_new(b, loc);
}

/*
 * An unread (R_MALFORMED) or skipped (R_SKIPPED) line, or record of a line.
 * The one after one of the same kind and reason lengthens its run: 16 MB of
 * "1" lines held 8 million records, 340 MB, for one count and five examples.
 */
static void unread(struct block *b, uint64_t line, const char *why, uint8_t flag)
{
	struct arec *r = b->nrec ? &b->recs[b->nrec - 1] : NULL;

	if (r && r->flags == flag && r->why == why && r->fmt == b->fmt && r->more < UINT16_MAX &&
	    line == loc_next(r->line, r->more + 1u)) {
		r->more++;
		return;
	}
	r = rec_new(b, line);
	r->flags = flag;
	r->why = why;
}

static void malformed(struct block *b, uint64_t line, const char *why)
{
	unread(b, line, why, R_MALFORMED);
}

void audit_malformed(struct block *b, uint64_t loc, const char *why)
{
	unread(b, loc, why, R_MALFORMED);
}

void audit_skipped(struct block *b, uint64_t loc, const char *why)
{
	unread(b, loc, why, R_SKIPPED);
}

static signed char hex_tab[256];

static pthread_once_t hex_once = PTHREAD_ONCE_INIT;

static void hex_init(void)
{
	for (int i = 0; i < 256; i++)
		hex_tab[i] = (signed char)-1;
	for (int i = 0; i < 10; i++)
		hex_tab['0' + i] = (signed char)i;
	for (int i = 0; i < 6; i++)
		hex_tab['a' + i] = hex_tab['A' + i] = (signed char)(10 + i);
}

#ifdef __SSE2__
/* 16 hex digits as written, first one highest; false if one is not a hex digit */
static inline bool hex16(__m128i c, uint64_t *out)
{
	const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
	const __m128i a = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	const __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	const __m128i isa = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a);
	__m128i v = _mm_or_si128(_mm_and_si128(isd, d),
				 _mm_and_si128(isa, _mm_add_epi8(a, _mm_set1_epi8(10))));

	if (_mm_movemask_epi8(_mm_or_si128(isd, isa)) != 0xffff)
		return false;
	/* a 16-bit lane holds two digits, the first in its low byte: first << 4 | second */
	v = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0xff)), 4),
			 _mm_srli_epi16(v, 8));
	*out = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(v, v)));
	return true;
}
#endif

/*
 * A UUID is its 128 bits; any other auditID string is hashed to 128 bits
 * (also 36 bytes with a dash elsewhere or a byte that is not a hex digit).
 */
static void audit_id(const char *p, size_t n, uint64_t *hi, uint64_t *lo)
{
	uint64_t h = 0, l = 0;

	if (n == 36 && p[8] == '-' && p[13] == '-' && p[18] == '-' && p[23] == '-') {
#ifdef __SSE2__
		/*
		 * The digits without the dashes, put together in registers: the
		 * five copies to the stack that the two 16-byte loads then read
		 * could not be forwarded from the stores (4 % of the CPU time of
		 * a scanning thread). Bytes p..p+35 only.
		 */
		const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
		const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
		const __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 19));
		const __m128i e = _mm_loadu_si128((const __m128i *)(const void *)(p + 20));
		const __m128i m8 = _mm_set_epi32(0, 0, -1, -1), m12 = _mm_set_epi32(0, -1, -1, -1),
			      m14 = _mm_srli_si128(_mm_set1_epi8(-1), 2),
			      m4 = _mm_set_epi32(0, 0, 0, -1);
		/* a[0..7] a[9..12] a[14..15] b[0..1]; then c[0..3] e[4..15] */
		const __m128i hv = _mm_or_si128(
		    _mm_or_si128(_mm_and_si128(a, m8),
				 _mm_andnot_si128(m8, _mm_and_si128(_mm_srli_si128(a, 1), m12))),
		    _mm_or_si128(_mm_andnot_si128(m12, _mm_and_si128(_mm_srli_si128(a, 2), m14)),
				 _mm_slli_si128(b, 14)));
		const __m128i lv = _mm_or_si128(_mm_and_si128(c, m4), _mm_andnot_si128(m4, e));

		if (hex16(hv, &h) && hex16(lv, &l)) {
			*hi = h;
			*lo = l;
			return;
		}
#else
		static const unsigned char pos[32] = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
						      12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
						      26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
		int bad = 0;
		for (int i = 0; i < 16; i++) {
			int a = hex_tab[(unsigned char)p[pos[i]]],
			    b = hex_tab[(unsigned char)p[pos[16 + i]]];
			bad |= a | b;
			h = h << 4 | (uint64_t)(a & 15);
			l = l << 4 | (uint64_t)(b & 15);
		}
		if (bad >= 0) {
			*hi = h;
			*lo = l;
			return;
		}
#endif
	}
	/*
	 * Keyed (audit_hash.h): the client sets its Audit-ID, and two ids with
	 * one unkeyed hash would be one request (the second one hidden).
	 */
	audit_hash128(p, n, hi, lo);
}

static int stage_of(const char *p, size_t n)
{
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(p, lit, n))
	if (IS("ResponseComplete"))
		return ST_RC;
	if (IS("RequestReceived"))
		return ST_RR;
	if (IS("ResponseStarted"))
		return ST_RS;
	if (IS("Panic"))
		return ST_PANIC;
#undef IS
	return ST_OTHER;
}

static bool rbac_verb(const char *verb, size_t vn)
{
	return (vn == 6 && (!memcmp(verb, "create", 6) || !memcmp(verb, "update", 6))) ||
	       (vn == 5 && !memcmp(verb, "patch", 5));
}

static bool is_rbac_write(const char *verb, size_t vn, const char *res, size_t rn)
{
	return rbac_verb(verb, vn) && ((rn == 12 && !memcmp(res, "rolebindings", 12)) ||
				       (rn == 19 && !memcmp(res, "clusterrolebindings", 19)));
}

/*
 * user / impersonatedUser object span: anonymous by name or group. The
 * quoted group name anywhere in the object is only a prefilter: it must be
 * an element of "groups" (not the username, nor a value under "extra").
 */
static bool span_user_anon(const struct span *u)
{
	struct span name, groups, g;
	size_t it = 0;

	if (!u->n)
		return false;
	/*
	 * Neither name quoted in it, as written: not anonymous (most lines). The
	 * caller gives lines whose user has a backslash (an escape could spell
	 * either name) to cJSON.
	 */
	if (!jsonl_has_quoted2(u->p, u->p + u->n, "system:anonymous", 16, "system:unauthenticated",
			       22))
		return false;
	if (jsonl_obj_get(u, "username", &name) && jsonl_str_eq(&name, "system:anonymous"))
		return true;
	if (!jsonl_has_quoted(u->p, u->p + u->n, "system:unauthenticated", 22) ||
	    !jsonl_obj_get(u, "groups", &groups))
		return false;
	while (jsonl_array_next(&groups, &it, &g))
		if (jsonl_str_eq(&g, "system:unauthenticated"))
			return true;
	return false;
}

/*
 * The auditID is chosen by the client when it sends an Audit-ID header
 * (staging/src/k8s.io/apiserver/pkg/endpoints/filters/audit_init.go), so
 * distinct requests can share one: an attacker could hide many requests
 * behind a benign first one. All stages of one request carry the same
 * requestReceivedTimestamp (the event is created once and re-emitted per
 * stage), so it is folded into the key; identical duplicated lines keep it.
 */
static inline uint64_t fold_mix(uint64_t h)
{
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 32;
}

/*
 * Eight bytes a step (the last eight overlap the ones before when the length
 * is not a multiple): FNV-1a a byte at a time was 27 dependent multiplies a
 * line for the timestamp, 4 % of the CPU time of a native log. Neither side
 * of it is the client's: the API server writes requestReceivedTimestamp.
 * Partial results hold the keys folded (audit_part.h's version says which fold).
 */
static void id_fold(uint64_t *hi, uint64_t *lo, const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;
	size_t i;

	if (!p || !n)
		return;
	if (n < 8) {
		for (i = 0; i < n; i++)
			h = fold_mix(h ^ (unsigned char)p[i]);
	} else {
		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, sizeof(w));
			h = fold_mix(h ^ w);
		}
		if (i < n) {
			memcpy(&w, p + n - 8, sizeof(w));
			h = fold_mix(h ^ w);
		}
	}
	h ^= h >> 29;
	*lo ^= h * 0x9e3779b97f4a7c15ULL;
	*hi ^= h;
}

/* ---------------------------------------------------------- cJSON side */

/*
 * A member of an object, the LAST one when the key repeats: cJSON's own
 * lookup returns the first, Go (and the fast walker, jsonl.h) keeps the
 * last. Keys match case-sensitively, as sigs.k8s.io/json does for
 * Kubernetes objects.
 */
static cJSON *jget(const cJSON *o, const char *k)
{
	cJSON *it, *found = NULL;

	if (!cJSON_IsObject(o))
		return NULL;
	cJSON_ArrayForEach(it, o) if (it->string && !strcmp(it->string, k)) found = it;
	return found;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *jdup(const cJSON *o, const char *k)
{
	return xstrdup_or_null(jstr(o, k));
}

static bool json_user_anon(const cJSON *u)
{
	const cJSON *g;
	const char *name;

	if (!cJSON_IsObject(u))
		return false;
	name = jstr(u, "username");
	if (name && !strcmp(name, "system:anonymous"))
		return true;
	g = jget(u, "groups");
	if (cJSON_IsArray(g)) {
		const cJSON *it;
		cJSON_ArrayForEach(
		    it, g) if (cJSON_IsString(it) &&
			       !strcmp(it->valuestring, "system:unauthenticated")) return true;
	}
	return false;
}

static void add_subject(struct adetail *d, const char *kind, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s %s", kind ? kind : "?", name);
	for (size_t i = 0; i < d->nsubjects; i++)
		if (!strcmp(d->subjects[i], sb.buf)) {
			strbuf_release(&sb);
			return;
		}
	d->subjects = xrealloc(d->subjects, st_mult(st_add(d->nsubjects, 1), sizeof(*d->subjects)));
	d->subjects[d->nsubjects++] = strbuf_detach(&sb);
}

/*
 * Subjects that grant to anonymous users anywhere in a binding body: a full
 * object's "subjects", a merge patch, or a JSON patch's "value". Kind and
 * name follow rbac/v1 Subject; "system:unauthenticated" only as a Group and
 * "system:anonymous" only as a User are what the authorizer matches
 * (plugin/pkg/auth/authorizer/rbac/subject_locator.go appliesToUser): a
 * Group named system:anonymous grants nothing. The "value" of a JSON patch
 * "test" operation is a precondition, not a change, and is skipped.
 */
static void find_anon_subjects(const cJSON *v, struct adetail *d, int depth)
{
	const cJSON *it;

	if (depth > MAX_ITEMS_DEPTH)
		return;
	if (cJSON_IsObject(v)) {
		const char *kind = jstr(v, "kind"), *name = jstr(v, "name"), *op = jstr(v, "op");
		if (op && !strcmp(op, "test"))
			return;
		if (name &&
		    ((!strcmp(name, "system:anonymous") && (!kind || !strcmp(kind, "User"))) ||
		     (!strcmp(name, "system:unauthenticated") &&
		      (!kind || !strcmp(kind, "Group")))))
			add_subject(d, kind, name);
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		cJSON_ArrayForEach(it, v) find_anon_subjects(it, d, depth + 1);
}

/* A whole RoleBinding/ClusterRoleBinding (roleRef is required in rbac/v1). */
static bool is_binding(const cJSON *o)
{
	return cJSON_IsObject(o) && cJSON_IsObject(jget(o, "roleRef"));
}

static int rbac_state(const cJSON *ev, const char *verb, struct adetail *d)
{
	const cJSON *req = jget(ev, "requestObject");
	const cJSON *resp = jget(ev, "responseObject");
	const cJSON *subj;

	/*
	 * The response of a successful write is the binding as stored: it alone
	 * decides (a JSON patch that removes the anonymous subject names it in its
	 * "test" operation, and the stored object no longer has it). A failed
	 * write answers a Status, so the request body is what was attempted.
	 */
	if (is_binding(resp)) {
		find_anon_subjects(jget(resp, "subjects"), d, 0);
		return d->nsubjects ? RB_ANON : RB_CLEAN;
	}
	if (!req)
		return RB_UNKNOWN;
	find_anon_subjects(req, d, 0);
	if (d->nsubjects)
		return RB_ANON;
	if (is_binding(req) && verb && strcmp(verb, "patch"))
		return RB_CLEAN; /* create/update send the whole object */
	/*
	 * A merge or strategic merge patch that sets "subjects" replaces the whole
	 * list: rbac/v1 Subjects has no patch strategy (api/rbac/v1/types.go).
	 */
	subj = cJSON_IsObject(req) ? jget(req, "subjects") : NULL;
	if (cJSON_IsArray(subj) || cJSON_IsNull(subj))
		return RB_CLEAN;
	return RB_UNKNOWN;
}

/*
 * responseStatus.code as both sides read it: an integral number from 0 to
 * 65535, else none (0). A fraction ("code":401.5) was 401 to the tree side
 * and none to the fast one (found by fuzz_audit_diff).
 */
static uint16_t code_value(double v)
{
	return v >= 0 && v < 65536 && v == (double)(uint16_t)v ? (uint16_t)v : 0;
}

/* The same from the text of a number (2e2 and 200.0 are 200, as cJSON reads them). */
static uint16_t span_code(const struct span *s)
{
	char buf[64];
	long long c;

	if (jsonl_int(s, &c))
		return c >= 0 && c < 65536 ? (uint16_t)c : 0;
	if (!s->n || s->n >= sizeof(buf) || (s->p[0] != '-' && (s->p[0] < '0' || s->p[0] > '9')))
		return 0;
	memcpy(buf, s->p, s->n);
	buf[s->n] = '\0';
	return code_value(strtod(buf, NULL));
}

/*
 * responseStatus's code. The API server writes a success as
 * {"metadata":{},"code":200}: that one shape (proven JSON by the walk, so
 * no other key can follow) is read where it is; any other goes through the
 * object's members (the last "code" of repeated ones).
 */
static bool status_code(const struct span *rs, struct span *code)
{
	static const char ok[] = "{\"metadata\":{},\"code\":";
	const size_t k = sizeof(ok) - 1;

	if (rs->n > k + 1 && rs->n <= k + 4 && !memcmp(rs->p, ok, k) && rs->p[rs->n - 1] == '}') {
		code->p = rs->p + k;
		code->n = rs->n - k - 1;
		return true;
	}
	return jsonl_obj_get(rs, "code", code);
}

void audit_scan_event(struct block *b, const cJSON *ev, uint64_t line)
{
	const char *id = jstr(ev, "auditID"), *stage = jstr(ev, "stage");
	const char *ts = jstr(ev, "stageTimestamp"), *verb = jstr(ev, "verb"), *rrts;
	const cJSON *user = jget(ev, "user");
	const cJSON *imp = jget(ev, "impersonatedUser");
	const cJSON *oref = jget(ev, "objectRef");
	const cJSON *st = jget(ev, "responseStatus");
	const cJSON *code = jget(st, "code");
	const cJSON *ann = jget(ev, "annotations");
	const cJSON *ips = jget(ev, "sourceIPs");
	const char *res = cJSON_IsObject(oref) ? jstr(oref, "resource") : NULL;
	struct arec *r;
	struct adetail *d;

	if (!id || !stage) {
		malformed(b, line, "not an audit Event (no auditID or stage)");
		return;
	}
	r = rec_new(b, line);
	audit_id(id, strlen(id), &r->hi, &r->lo);
	if ((rrts = jstr(ev, "requestReceivedTimestamp")) != NULL) {
		id_fold(&r->hi, &r->lo, rrts, strlen(rrts));
		if (b->want_rrts) /* only for partial results (audit_part.c) */
			r->rrts = ts_parse(rrts, strlen(rrts));
	}
	r->stage = (uint8_t)stage_of(stage, strlen(stage));
	if (!ts)
		ts = jstr(ev, "timestamp"); /* audit.k8s.io/v1beta1 */
	if (ts)
		r->ts = ts_parse(ts, strlen(ts));
	if (r->ts == TS_NONE) {
		r->flags = R_MALFORMED;
		r->why = "no valid stageTimestamp";
		return;
	}
	if (cJSON_IsNumber(code))
		r->code = code_value(code->valuedouble);
	if (json_user_anon(user))
		r->flags |= R_ANON;
	if (json_user_anon(imp))
		r->flags |= R_IMPANON;
	if (res && verb && is_rbac_write(verb, strlen(verb), res, strlen(res)))
		r->flags |= R_RBAC;
	if (!(r->flags & (R_ANON | R_IMPANON | R_RBAC)))
		return;
	d = xcalloc(1, sizeof(*d));
	d->uri = jdup(ev, "requestURI");
	d->verb = xstrdup_or_null(verb);
	d->user = cJSON_IsObject(user) ? jdup(user, "username") : NULL;
	d->ua = jdup(ev, "userAgent");
	if (cJSON_IsArray(ips)) {
		struct strbuf sb = STRBUF_INIT;
		const cJSON *it, *last = NULL;
		cJSON_ArrayForEach(it, ips)
		{
			if (!cJSON_IsString(it))
				continue;
			if (sb.len)
				strbuf_addstr(&sb, ", ");
			strbuf_addstr(&sb, it->valuestring);
			last = it;
		}
		d->srcs = sb.len ? strbuf_detach(&sb) : NULL;
		strbuf_release(&sb);
		/* the last entry is the peer address; earlier ones are client-set headers */
		d->src_last = last ? xstrdup(last->valuestring) : NULL;
	}
	if (cJSON_IsObject(oref)) {
		d->resource = xstrdup_or_null(res);
		d->ns = jdup(oref, "namespace");
		d->name = jdup(oref, "name");
		d->sub = jdup(oref, "subresource");
	}
	if (cJSON_IsObject(ann))
		d->decision = jdup(ann, "authorization.k8s.io/decision");
	if (r->flags & R_RBAC)
		d->rbac = rbac_state(ev, verb, d);
	r->d = adetail_bound(d);
}

/*
 * cJSON decodes \u0000 into a NUL that ends its C strings: the user
 * "system:anonymous\u0000x" would compare equal to "system:anonymous", where
 * Go compares the whole string. Such escapes (not themselves escaped) are
 * parsed as U+FFFD instead: the names stay distinct (never anonymous, as in
 * Go), only their display differs. Returns a copy to parse, or NULL when the
 * line has none.
 */
char *audit_nul_escapes_replaced(const char *p, size_t n)
{
	char *copy = NULL;
	const char *q = p, *end = p + n;

	while ((q = memmem(q, (size_t)(end - q), "\\u0000", 6)) != NULL) {
		size_t bs = 0;

		while (q - bs > p && q[-(ptrdiff_t)bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0) {
			if (!copy) {
				copy = xmalloc(st_add(n, 1));
				memcpy(copy, p, n);
				copy[n] = '\0';
			}
			memcpy(copy + (q - p), "\\ufffd", 6);
		}
		q += 6;
	}
	return copy;
}

/* Whether anything but JSON's blanks is left from p to end. */
static bool trailing_text(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p < end;
}

static void slow_path(struct block *b, const char *p, size_t n, uint64_t line)
{
	char *fixed;
	cJSON *root, *it;
	const cJSON *items;
	const char *after = NULL;
	bool rest = false;

	/* CRI, export-task, tail and CSV lines: a number first would parse as JSON */
	if (n && *p != '{' && *p != '[' && audit_fmt_text(b, p, n, line))
		return;
	/* cJSON would skip a control byte as if it were a blank; JSON and Go do not */
	if (n && (unsigned char)*p < 0x20) {
		malformed(b, line, "not valid JSON");
		return;
	}
	if (n && *p == '{' &&
	    (audit_fmt_docker_line(b, p, n, line) || audit_fmt_cloudwatch_page(b, p, n, line) ||
	     audit_fmt_aks_row(b, p, n, line)))
		return;
	fixed = audit_nul_escapes_replaced(p, n);
	root = cJSON_ParseWithLengthOpts(fixed ? fixed : p, n, &after, false);
	if (root && after)
		rest = trailing_text(after, (fixed ? fixed : p) + n);
	free(fixed);

	if (!root) {
		malformed(b, line, "not valid JSON");
		return;
	}
	if (cJSON_IsArray(root)) {
		cJSON_ArrayForEach(it, root)
		{
			if (cJSON_IsObject(it))
				audit_scan_object(b, it, line);
			else
				malformed(b, line, "array element is not an object");
		}
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		malformed(b, line, "not a JSON object");
		goto out;
	}
	items = jget(root, "items");
	if (cJSON_IsArray(items) && !jstr(root, "auditID")) {
		/* an EventList (what the webhook backend POSTs) on one line */
		cJSON_ArrayForEach(it, items)
		{
			if (cJSON_IsObject(it))
				audit_scan_event(b, it, line);
			else
				malformed(b, line, "EventList item is not an object");
		}
		goto out;
	}
	/* an Event, or a record of one of the formats of audit_formats.c */
	audit_scan_object(b, root, line);
out:
	/*
	 * cJSON stops after the value: what follows on the line is counted, as
	 * the document reader counts text outside any value (it went unseen)
	 */
	if (rest)
		malformed(b, line, AUDIT_TEXT_AFTER);
	cJSON_Delete(root);
}

static char *obj_str(const struct span *obj, const char *key)
{
	struct span v;
	return obj->n && jsonl_obj_get(obj, key, &v) ? jsonl_unescape(&v) : NULL;
}

/* The details of an anonymous event from the walker's spans (no cJSON). */
static struct adetail *span_detail(const struct span *f)
{
	struct adetail *d = xcalloc(1, sizeof(*d));
	struct strbuf sb = STRBUF_INIT;
	struct span ip;
	size_t it = 0;
	char *last = NULL;

	d->uri = jsonl_unescape(&f[JK_REQUESTURI]);
	d->verb = jsonl_unescape(&f[JK_VERB]);
	d->user = obj_str(&f[JK_USER], "username");
	d->ua = jsonl_unescape(&f[JK_USERAGENT]);
	while (f[JK_SOURCEIPS].n && jsonl_array_next(&f[JK_SOURCEIPS], &it, &ip)) {
		char *s = jsonl_unescape(&ip);
		if (!s)
			continue;
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_addstr(&sb, s);
		free(last);
		last = s; /* the peer address; earlier entries are client-set headers */
	}
	d->srcs = sb.len ? strbuf_detach(&sb) : NULL;
	strbuf_release(&sb);
	d->src_last = last;
	d->resource = obj_str(&f[JK_OBJECTREF], "resource");
	d->ns = obj_str(&f[JK_OBJECTREF], "namespace");
	d->name = obj_str(&f[JK_OBJECTREF], "name");
	d->sub = obj_str(&f[JK_OBJECTREF], "subresource");
	d->decision = obj_str(&f[JK_ANNOTATIONS], "authorization.k8s.io/decision");
	return adetail_bound(d);
}

/* May the value have a backslash: it ends past the line's first (bs_at, NULL: none), and has one */
static bool span_bs(const struct span *v, const char *bs_at)
{
	return bs_at && v->n && v->p + v->n > bs_at && memchr(v->p, '\\', v->n);
}

/*
 * A backslash in a value the spans are matched against ("\u0075sername",
 * "system:anonym\u006fus"): Go decodes it, so the line goes to cJSON, which
 * decodes keys and strings alike.
 */
static bool escaped(const struct span *f, const char *bs_at)
{
	/* the timestamps too: "07:12:01\u002e5Z" is a time to Go and cJSON, not as written */
	static const int keys[] = {JK_USER,  JK_IMPUSER, JK_OBJECTREF, JK_VERB,
				   JK_STAGE, JK_STAGETS, JK_TIMESTAMP};
	const struct span *rs = &f[JK_RESPSTATUS];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (span_bs(&f[keys[i]], bs_at))
			return true;
	/*
	 * Of responseStatus only the number under "code" is read: an escape in
	 * its message (a 403's 'User \"system:anonymous\" cannot ...', most
	 * anonymous lines of a scanned cluster) changes nothing, one in a key
	 * may spell "code".
	 */
	return span_bs(rs, bs_at) && jsonl_obj_keys_escaped(rs);
}

static const char *skip_blank(const char *q, const char *end)
{
	while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	return q;
}

/* May a line be walked as a native Event: no other format forced, or inside a wrapper? */
static bool native_walk(const struct block *b)
{
	return b->format <= AF_NATIVE || b->format == AF_FORCED_NATIVE || b->depth;
}

/* Does the object at p start with the key `key` (quoted)? */
static bool wrapper_start(const char *p, const char *end, const char *key)
{
	size_t kl = strlen(key);

	if (p >= end || *p != '{')
		return false;
	p = skip_blank(p + 1, end);
	while (p < end && *p == '\n') /* a pretty-printed document's object */
		p = skip_blank(p + 1, end);
	return (size_t)(end - p) > kl && !memcmp(p, key, kl);
}

/* An object: an Event, or a wrapper of Events. */
void audit_scan_object(struct block *b, const cJSON *o, uint64_t loc)
{
	if (jstr(o, "auditID") && jstr(o, "stage")) {
		if (!b->format || b->format == AF_FORCED_NATIVE || b->depth)
			audit_scan_event(b, o, loc);
		else
			malformed(b, loc,
				  "a native audit Event, not the format --input-format names");
		return;
	}
	if (!audit_fmt_object(b, o, loc))
		malformed(b, loc, "not an audit Event (no auditID or stage)");
}

/*
 * An event line proven JSON by the strict walk (f; bs_at its first backslash,
 * NULL: none; p..end is the object): its record, from the spans where it
 * can, else from cJSON (slow_path).
 */
static void scan_walked(struct block *b, const char *p, const char *end, const struct span *f,
			const char *bs_at, uint64_t line)
{
	struct span code;
	const char *s, *v;
	size_t n, vn;
	struct arec *r;
	struct adetail *d = NULL;
	bool esc;
	uint8_t flags = 0;

	if (!f[JK_AUDITID].n || !f[JK_STAGE].n || !jsonl_str(&f[JK_AUDITID], &s, &n) ||
	    f[JK_STAGE].p[0] != '"' || escaped(f, bs_at)) {
		/* a stage that is not a string is not an Event either: the tree
		 * side says so ("stage":{} was an event of no stage; fuzz_audit_diff) */
		slow_path(b, p, (size_t)(end - p), line);
		return;
	}
	if (span_user_anon(&f[JK_USER]))
		flags |= R_ANON;
	if (f[JK_IMPUSER].n && span_user_anon(&f[JK_IMPUSER]))
		flags |= R_IMPANON;
	/*
	 * The verb first: most lines are reads, and then objectRef need not be
	 * walked; of the writes (most are the kubelets' leases and node status)
	 * only an objectRef that holds either resource name quoted, as written (a
	 * backslash in it took the line to cJSON: escaped()).
	 */
	if (f[JK_OBJECTREF].n && jsonl_str(&f[JK_VERB], &v, &vn) && rbac_verb(v, vn) &&
	    (jsonl_has_quoted(f[JK_OBJECTREF].p, f[JK_OBJECTREF].p + f[JK_OBJECTREF].n,
			      "rolebindings", 12) ||
	     jsonl_has_quoted(f[JK_OBJECTREF].p, f[JK_OBJECTREF].p + f[JK_OBJECTREF].n,
			      "clusterrolebindings", 19))) {
		struct span res;
		const char *rp;
		size_t rn;
		if (jsonl_obj_get(&f[JK_OBJECTREF], "resource", &res) &&
		    jsonl_str(&res, &rp, &rn) && is_rbac_write(v, vn, rp, rn))
			flags |= R_RBAC;
	}
	/* the request's key is made of the decoded auditID and requestReceivedTimestamp,
	 * as the tree side makes it: escaped ones go there ("8\u000e" was hashed as
	 * written here; found by fuzz_audit_diff) */
	esc = span_bs(&f[JK_AUDITID], bs_at) || span_bs(&f[JK_RRTS], bs_at);
	/*
	 * An anonymous event's decision is looked up by its key as written: an
	 * escaped key ("authorization.k8s.io\/decision") is cJSON's to decode
	 * (a value's escapes, the reason's quotes, are decoded either way)
	 */
	if (flags == R_ANON && span_bs(&f[JK_ANNOTATIONS], bs_at) &&
	    jsonl_obj_keys_escaped(&f[JK_ANNOTATIONS]))
		esc = true;
	if (flags == R_ANON && !esc) {
		/* anonymous: the details from the spans, without building a tree */
		if ((d = span_detail(f)) != NULL)
			goto record;
		slow_path(b, p, (size_t)(end - p), line);
		return;
	}
	if (flags || esc) {
		/* impersonation and RBAC bodies are parsed with cJSON */
		slow_path(b, p, (size_t)(end - p), line);
		return;
	}
record:
	r = rec_new(b, line);
	r->flags = flags;
	r->d = d;
	audit_id(s, n, &r->hi, &r->lo);
	if (jsonl_str(&f[JK_RRTS], &s, &n)) {
		id_fold(&r->hi, &r->lo, s, n);
		if (b->want_rrts) /* only for partial results (audit_part.c) */
			r->rrts = ts_parse(s, n);
	}
	if (jsonl_str(&f[JK_STAGE], &s, &n))
		r->stage = (uint8_t)stage_of(s, n);
	if (jsonl_str(&f[JK_STAGETS], &s, &n) || jsonl_str(&f[JK_TIMESTAMP], &s, &n))
		r->ts = ts_parse(s, n);
	if (r->ts == TS_NONE) {
		r->flags = R_MALFORMED;
		r->why = "no valid stageTimestamp";
		adetail_free(r->d);
		r->d = NULL;
		return;
	}
	if (f[JK_RESPSTATUS].n && status_code(&f[JK_RESPSTATUS], &code))
		r->code = span_code(&code);
}

void audit_scan_walked(struct block *b, const char *p, const char *end, const struct span *f,
		       bool bs, uint64_t line)
{
	pthread_once(&hex_once, hex_init);
	scan_walked(b, p, end, f, bs ? p : NULL, line);
}

void audit_scan_line(struct block *b, const char *p, const char *end, uint64_t line)
{
	struct span f[JK__COUNT];
	const char *bs_at;

	pthread_once(&hex_once, hex_init);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (p == end)
		return;
	if (!b->markers) {
		/* the log's own line: a marker byte is just a byte (not JSON) */
	} else if (*p == AUDIT_LINE_REDUCED) {
		/* the audit keys of a line longer than a block, found by the reader */
		if (++p == end)
			return;
	} else if (*p == AUDIT_LINE_UNREAD) {
		malformed(b, line, audit_unread_reason(p + 1 < end ? p[1] : 0));
		return;
	} else if (*p == AUDIT_LINE_AKS) {
		/* an AKSAudit row's Event, made by the CSV reader */
		audit_fmt_aks_event(b, p + 1, (size_t)(end - p - 1), line);
		return;
	} else if (*p == AUDIT_LINE_CSV_ROW || *p == AUDIT_LINE_CSV_HEAD) {
		/* a CSV export's row as it is, or its header (audit_csv_scan.c) */
		audit_csv_scan_line(b, p, (size_t)(end - p), line);
		return;
	}
	/* docker json-file, CloudWatch pages: their long strings are better not walked twice */
	if (wrapper_start(p, end, "\"log\"") &&
	    audit_fmt_docker_line(b, p, (size_t)(end - p), line))
		return;
	if (wrapper_start(p, end, "\"events\"") &&
	    audit_fmt_cloudwatch_page(b, p, (size_t)(end - p), line))
		return;
	if (wrapper_start(p, end, "\"records\"") &&
	    audit_fmt_azure_records(b, p, (size_t)(end - p), line))
		return;
	/*
	 * The fast path takes only what it proves to be JSON (jsonl_walk_strict):
	 * anything else is read by cJSON, which decides, so both paths take and
	 * refuse the same lines ({"a":g""} was an event here, not JSON there).
	 */
	if (*p != '{' || end[-1] != '}' || !native_walk(b) ||
	    jsonl_walk_strict(p, end, f, &bs_at) < 0) {
		slow_path(b, p, (size_t)(end - p), line);
		return;
	}
	scan_walked(b, p, end, f, bs_at, line);
}

void audit_block_free(struct block *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nrec; i++)
		adetail_free(b->recs[i].d);
	free(b->recs);
	strbuf_release(&b->cri);
	strbuf_release(&b->scratch);
	audit_csv_scan_free(b->csv);
	free(b);
}

/*
 * The line at p (in the block p..end) as audit_scan_line() reads it, with
 * the search for its end folded into the walk: past its newline, or NULL
 * when the strict walk does not take it (the caller then reads it the
 * usual way, which decides the same).
 */
static const char *scan_fast(struct block *b, const char *p, const char *end, uint64_t line)
{
	struct span f[JK__COUNT];
	const char *close, *eol, *bs_at;

	/*
	 * The wrappers audit_scan_line() looks for first are left to it. An
	 * event's first key ("kind", "apiVersion", "level") starts with none of
	 * their keys' letters, and a line the walk takes has no blank after its
	 * '{': the three searches (a strlen and a memcmp each, 2 % of the CPU
	 * time of a native log) only for the others.
	 */
	if (*p != '{' ||
	    (!(end - p > 2 && p[1] == '"' && p[2] != 'l' && p[2] != 'e' && p[2] != 'r') &&
	     (wrapper_start(p, end, "\"log\"") || wrapper_start(p, end, "\"events\"") ||
	      wrapper_start(p, end, "\"records\""))) ||
	    jsonl_walk_strict_line(p, end, f, &bs_at, &close, &eol) < 0)
		return NULL;
	/* the first backslash: the values before it (most: an escaped quote is
	 * in the annotations' reason, last) are not searched for one */
	scan_walked(b, p, close, f, bs_at, line);
	return eol < end ? eol + 1 : end;
}

/* the scratch kept for the block's next scan: the logs of most messages and records */
#define SCRATCH_KEEP (64u << 10)

void audit_scan_block(struct audit_block *in, int format)
{
	const char *p = in->buf, *end = in->buf + in->len;
	uint64_t line = 0;
	struct block *b = in->data;
	bool fast;

	if (!b)
		b = in->data = xcalloc(1, sizeof(*b));
	b->nrec = 0;
	b->nlines = 0;
	b->format = format & ~AF_WANT_RRTS;
	b->want_rrts = (format & AF_WANT_RRTS) != 0;
	b->markers = in->doc || in->reduced;
	/* lines of the log's own events: the walk finds where each one ends */
	fast = !b->markers && native_walk(b);
	pthread_once(&hex_once, hex_init);
	while (p < end) {
		const char *nl, *le, *next;

		line++;
		if (fast && (next = scan_fast(b, p, end, line)) != NULL) {
			p = next;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl ? nl : end;
		if (in->doc) {
			/* document mode: the reader put the object's first line number in front */
			uint64_t l = 0;
			while (p < le && *p >= '0' && *p <= '9')
				l = l * 10 + (uint64_t)(*p++ - '0');
			if (p < le && *p == ' ')
				p++;
			audit_scan_line(b, p, le, l);
		} else {
			audit_scan_line(b, p, le, line);
		}
		p = nl ? nl + 1 : end;
	}
	if (b->cri.len || b->cri_over)
		audit_fmt_block_end(b);
	b->nlines = in->doc ? 0 : line;
	/*
	 * A large scratch (an Azure message's logs) is given back: a block
	 * read ahead of the one aggregated keeps it until then, and counted in
	 * its weight it held the readers back (audit_block_weight())
	 */
	if (b->scratch.alloc > SCRATCH_KEEP)
		strbuf_release(&b->scratch);
}
