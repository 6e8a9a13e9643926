/*
 * Audit logs as managed clusters and log shippers keep them (docs/audit.md,
 * "Formats"). Every record that is not itself an audit Event is recognized
 * by its structure, here, on the scanning threads: the Events inside it are
 * scanned as native ones (the same counts as the native log of the same
 * events), tagged with the format and, in a record list, with their record
 * number. Native lines never come here: only what the fast scanner cannot
 * read does (audit_scan.c, slow_path).
 *
 * Memory: an Event held in a JSON string is unescaped by cJSON from a line
 * or object that is at most one block (2 MB: longer ones are reduced or
 * refused by the reader), so one record never costs more than a few blocks.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/aks.h"
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"
#include "core/banned.h"

#define MAX_WRAP_DEPTH 4

static const char *const names[AF__COUNT] = {
    [AF_NATIVE] = "native",   [AF_CLOUDWATCH] = "cloudwatch",
    [AF_GCP] = "gcp",	      [AF_AZURE] = "azure",
    [AF_CRI] = "cri",	      [AF_DOCKER] = "docker",
    [AF_SHIPPER] = "shipper",
};

/* why a record of format f is not read when --input-format names another one */
static const char *const not_forced[AF__COUNT] = {
    [AF_NATIVE] = "a native audit Event, not the format --input-format names",
    [AF_CLOUDWATCH] = "a CloudWatch Logs record, not the format --input-format names",
    [AF_GCP] = "a GKE Cloud Logging entry, not the format --input-format names",
    [AF_AZURE] = "an Azure Monitor record, not the format --input-format names",
    [AF_CRI] = "a CRI container log line, not the format --input-format names",
    [AF_DOCKER] = "a docker json-file record, not the format --input-format names",
    [AF_SHIPPER] = "a log shipper record, not the format --input-format names",
};

const char *audit_format_name(int f)
{
	return f >= 0 && f < AF__COUNT ? names[f] : "native";
}

int audit_format_parse(const char *name)
{
	if (!strcmp(name, "auto"))
		return AF_AUTO;
	if (!strcmp(name, "native"))
		return AF_FORCED_NATIVE;
	for (int f = 1; f < AF__COUNT; f++)
		if (!strcmp(name, names[f]))
			return f;
	/* the shippers by their names */
	if (!strcmp(name, "fluentbit") || !strcmp(name, "fluent-bit") || !strcmp(name, "vector"))
		return AF_SHIPPER;
	if (!strcmp(name, "eks"))
		return AF_CLOUDWATCH;
	if (!strcmp(name, "gke"))
		return AF_GCP;
	if (!strcmp(name, "aks"))
		return AF_AZURE;
	return -1;
}

/* May a record of format f be read? Counts it unread when not. */
static bool accept(struct block *b, int f, uint64_t loc)
{
	b->fmt = (uint8_t)f; /* what is counted of it, read or not (the caller restores) */
	if (!b->format || b->format == f || (b->format == AF_FORCED_NATIVE && f == AF_NATIVE))
		return true;
	audit_malformed(b, loc, not_forced[f]);
	return false;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Scan the Event held in the n bytes at s (a JSON string's text), read as format f. */
static void inner_span(struct block *b, const char *s, size_t n, uint64_t loc, int f,
		       const char *notjson)
{
	uint8_t saved = b->fmt;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n || *s != '{') {
		audit_malformed(b, loc, notjson);
		return;
	}
	if (b->depth >= MAX_WRAP_DEPTH) {
		audit_malformed(b, loc, "wrappers nested more than 4 deep: not read");
		return;
	}
	b->depth++;
	b->fmt = (uint8_t)f;
	audit_scan_line(b, s, s + n, loc);
	b->fmt = saved;
	b->depth--;
}

static void inner_text(struct block *b, const char *s, uint64_t loc, int f, const char *notjson)
{
	inner_span(b, s, strlen(s), loc, f, notjson);
}

/* The same for an Event that is an object. */
static void inner_object(struct block *b, const cJSON *o, uint64_t loc, int f)
{
	uint8_t saved = b->fmt;

	if (b->depth >= MAX_WRAP_DEPTH) {
		audit_malformed(b, loc, "wrappers nested more than 4 deep: not read");
		return;
	}
	b->depth++;
	b->fmt = (uint8_t)f;
	audit_scan_object(b, o, loc);
	b->fmt = saved;
	b->depth--;
}

/* A value that holds an Event: an object, or a string of one. */
static void inner_value(struct block *b, const cJSON *v, uint64_t loc, int f, const char *notjson)
{
	if (cJSON_IsObject(v))
		inner_object(b, v, loc, f);
	else if (cJSON_IsString(v))
		inner_text(b, v->valuestring, loc, f, notjson);
	else
		audit_malformed(b, loc, notjson);
}

/* ------------------------------------------------------------ CloudWatch */

static const char cw_notjson[] = "a CloudWatch Logs event whose message is not an audit Event";

/*
 * One CloudWatch log event ({"timestamp","message",...}). Subscriptions send
 * a CONTROL_MESSAGE to check the destination: its text is no event.
 */
static void cw_event(struct block *b, const cJSON *ev, uint64_t loc)
{
	const char *m = str(ev, "message");

	if (m && !strncmp(m, "CWL CONTROL MESSAGE", 19)) {
		audit_skipped(b, loc, "a CloudWatch Logs CONTROL_MESSAGE (no log event)");
		return;
	}
	inner_value(b, get(ev, "message"), loc, AF_CLOUDWATCH, cw_notjson);
}

/* A list of log events (a filter-log-events page, a subscription's logEvents). */
static void cw_events(struct block *b, const cJSON *list, uint64_t loc)
{
	const cJSON *it;
	uint64_t k = 0;

	cJSON_ArrayForEach(it, list)
	{
		k++;
		if (cJSON_IsObject(it))
			cw_event(b, it, loc_make(loc, k));
		else
			audit_malformed(b, loc_make(loc, k), cw_notjson);
	}
}

static const char insights_cut[] =
    "a CloudWatch Logs Insights @message that is not a whole JSON object (cut short: "
    "the console and its exports cut long messages)";

/* Does s (after blanks) start an object that is not whole? */
static bool cut_object(const char *s)
{
	const char *end, *q;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '{')
		return false;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	q = jsonl_skip_value(s, end);
	return !q || q != end;
}

/* A Logs Insights row's @message: the Event, unless it was cut (counted with that reason). */
static void insights_message(struct block *b, const cJSON *v, uint64_t loc)
{
	if (cJSON_IsString(v) && cut_object(v->valuestring))
		audit_malformed(b, loc, insights_cut);
	else
		inner_value(b, v, loc, AF_CLOUDWATCH, cw_notjson);
}

static bool cw_object(struct block *b, const cJSON *o, uint64_t loc)
{
	const char *mt = str(o, "messageType");
	const cJSON *v;

	if (mt) {
		/* a subscription record (Firehose to S3, Kinesis, Lambda) */
		if (!accept(b, AF_CLOUDWATCH, loc))
			return true;
		if (!strcmp(mt, "CONTROL_MESSAGE")) {
			audit_skipped(b, loc, "a CloudWatch Logs CONTROL_MESSAGE (no log event)");
		} else if (cJSON_IsArray(get(o, "logEvents"))) {
			cw_events(b, get(o, "logEvents"), loc);
		} else {
			audit_malformed(b, loc,
					"a CloudWatch Logs subscription record without logEvents");
		}
		return true;
	}
	if (cJSON_IsArray(v = get(o, "events"))) {
		if (accept(b, AF_CLOUDWATCH, loc))
			cw_events(b, v, loc);
		return true;
	}
	/* one log event: an element of a page or of logEvents, or a Logs Insights row */
	if ((v = get(o, "@message")) != NULL ||
	    (str(o, "message") && (get(o, "ingestionTime") || get(o, "eventId") ||
				   get(o, "logStreamName") || get(o, "id")))) {
		if (accept(b, AF_CLOUDWATCH, loc)) {
			if (v)
				insights_message(b, v, loc);
			else
				cw_event(b, o, loc);
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ Azure */

static const char az_notjson[] = "an Azure Monitor record whose log is not an audit Event";

/* One diagnostic record: properties.log is the Event (an object or a string). */
static void az_record(struct block *b, const cJSON *rec, uint64_t loc)
{
	const cJSON *log = get(get(rec, "properties"), "log");

	if (!log)
		log = get(rec, "log_s"); /* AzureDiagnostics in Log Analytics */
	inner_value(b, log, loc, AF_AZURE, az_notjson);
}

/*
 * The AKSAudit table of Log Analytics has the Event's fields as typed
 * columns (AuditId, Stage, RequestUri, ...): renamed back (aks_columns,
 * parsers/aks.c), dynamic columns exported as JSON strings parsed again.
 */
static void az_typed(struct block *b, const cJSON *o, uint64_t loc)
{
	const char *const(*map)[2] = aks_columns;
	cJSON *ev = cJSON_CreateObject();

	for (size_t i = 0; i < ARRAY_SIZE(aks_columns); i++) {
		const cJSON *v = get(o, map[i][0]);
		cJSON *c = NULL;
		char name[64], t[40];

		if (!v) {
			/* the portal's CSV export names time columns "StageReceivedTime [UTC]" */
			snprintf(name, sizeof(name), "%s [UTC]", map[i][0]);
			if ((v = get(o, name)) != NULL && cJSON_IsString(v) &&
			    aks_portal_time(v->valuestring, t, sizeof(t)))
				c = cJSON_CreateString(t);
		}
		if (!v || cJSON_IsNull(v))
			continue;
		/* a dynamic column exported as text: {...} or [...] in a string */
		if (!c && cJSON_IsString(v) &&
		    (v->valuestring[0] == '{' || v->valuestring[0] == '['))
			c = cJSON_Parse(v->valuestring);
		if (!c)
			c = cJSON_Duplicate(v, true);
		if (c)
			cJSON_AddItemToObject(ev, map[i][1], c);
	}
	b->fmt = AF_AZURE;
	audit_scan_event(b, ev, loc);
	b->fmt = AF_NATIVE;
	cJSON_Delete(ev);
}

static bool az_object(struct block *b, const cJSON *o, uint64_t loc)
{
	const cJSON *recs = get(o, "records"), *it;
	uint64_t k = 0;

	if (cJSON_IsArray(recs)) {
		/* Event Hub messages, storage blobs of the old format */
		if (!accept(b, AF_AZURE, loc))
			return true;
		cJSON_ArrayForEach(it, recs)
		{
			k++;
			if (cJSON_IsObject(it))
				az_record(b, it, loc_make(loc, k));
			else
				audit_malformed(b, loc_make(loc, k), az_notjson);
		}
		return true;
	}
	if (get(get(o, "properties"), "log") || str(o, "log_s")) {
		if (accept(b, AF_AZURE, loc))
			az_record(b, o, loc);
		return true;
	}
	if (get(o, "AuditId") && get(o, "Stage")) {
		if (accept(b, AF_AZURE, loc))
			az_typed(b, o, loc);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ shippers */

static void docker_log(struct block *b, const char *log, uint64_t loc);

static bool looks_like_event_text(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '{' && strstr(s, "\"auditID\"") && strstr(s, "\"stage\"");
}

static bool is_event(const cJSON *o)
{
	return cJSON_IsString(get(o, "auditID")) && cJSON_IsString(get(o, "stage"));
}

/*
 * docker json-file ({"log":"<line>\n","stream":"stdout","time":...}), or a
 * shipper (Fluent Bit, Vector, Logstash) that nests the Event under a key
 * of its choice, as an object or as the text of the line: the one member
 * (or member of a member) that holds an Event.
 */
static bool ship_object(struct block *b, const cJSON *o, uint64_t loc)
{
	const cJSON *v, *w;
	const char *notjson = "a log shipper record whose log line is not an audit Event";

	/* docker writes log, stream and time (daemon/logger/jsonfilelog), attrs with --log-opt */
	if (cJSON_IsString(get(o, "log")) && cJSON_IsString(get(o, "stream")) &&
	    cJSON_IsString(get(o, "time")) && cJSON_GetArraySize(o) <= 4) {
		if (accept(b, AF_DOCKER, loc))
			docker_log(b, get(o, "log")->valuestring, loc);
		return true;
	}
	cJSON_ArrayForEach(v, o)
	{
		if (is_event(v) || (cJSON_IsString(v) && looks_like_event_text(v->valuestring)))
			break;
		if (!cJSON_IsObject(v))
			continue;
		cJSON_ArrayForEach(
		    w, v) if (is_event(w) ||
			      (cJSON_IsString(w) && looks_like_event_text(w->valuestring))) break;
		if (w) {
			v = w;
			break;
		}
	}
	if (!v)
		return false;
	if (accept(b, AF_SHIPPER, loc))
		inner_value(b, v, loc, AF_SHIPPER, notjson);
	return true;
}

/* ------------------------------------------------------------ dispatch */

/*
 * An object that is not an Event: one of the wrappers above, or false.
 * GKE entries are mapped in audit_gcp.c.
 */
bool audit_fmt_object(struct block *b, const cJSON *o, uint64_t loc)
{
	uint8_t saved = b->fmt;
	bool known = true;

	if (get(o, "protoPayload")) {
		if (accept(b, AF_GCP, loc))
			audit_gcp_entry(b, o, loc);
	} else {
		known = cw_object(b, o, loc) || az_object(b, o, loc) || ship_object(b, o, loc);
	}
	b->fmt = saved;
	return known;
}

/* ------------------------------------------------------------ text lines */

/*
 * A CSV field holding the Event (a Logs Insights export with an @message
 * column): from its opening quote, doubled quotes undone. Returns the
 * text (allocated, at most n bytes) or NULL.
 */
static char *csv_field(const char *p, size_t n)
{
	const char *q = NULL, *end = p + n;
	struct strbuf sb = STRBUF_INIT;

	if (n > 2 && p[0] == '"' && p[1] == '{')
		q = p;
	else if ((q = memmem(p, n, ",\"{", 3)) != NULL)
		q++;
	if (!q)
		return NULL;
	for (q++; q < end; q++) {
		if (*q == '"') {
			if (q + 1 < end && q[1] == '"') {
				q++;
			} else {
				return strbuf_detach(&sb);
			}
		}
		strbuf_addch(&sb, *q);
	}
	strbuf_release(&sb);
	return NULL; /* no closing quote: a field cut short */
}

/*
 * Container runtimes cut long lines into parts: CRI writes "P" before all
 * but the last (kubelet's 16 KB default), docker json-file leaves the
 * newline off all but the last. The parts are joined (at most 2 MB, within
 * one block) and the Event is at the line of the first.
 */
static void join_part(struct block *b, const char *p, size_t n, bool partial, uint64_t loc, int f,
		      const char *notjson)
{
	if (!b->cri.len && !b->cri_over)
		b->cri_line = loc;
	if (b->cri.len + n > (2u << 20))
		b->cri_over = true;
	else
		strbuf_add(&b->cri, p, n);
	if (partial)
		return;
	if (b->cri_over)
		audit_malformed(b, b->cri_line, "partial lines longer than 2 MB in all: not read");
	else
		inner_text(b, b->cri.buf ? b->cri.buf : "", b->cri_line, f, notjson);
	strbuf_reset(&b->cri);
	b->cri_over = false;
}

/* CRI: "TIMESTAMP stdout|stderr F|P LOG" (kubelet/kuberuntime logs, cri-api). */
static void cri_line(struct block *b, const char *p, const char *end, uint64_t loc)
{
	static const char notjson[] = "a CRI log line that is not an audit Event";
	bool partial = p[0] == 'P';
	char *t;

	p += 2;
	if (b->cri.len || b->cri_over || partial) {
		join_part(b, p, (size_t)(end - p), partial, loc, AF_CRI, notjson);
		return;
	}
	t = xstrndup(p, (size_t)(end - p));
	inner_text(b, t, loc, AF_CRI, notjson);
	free(t);
}

/* docker json-file: a "log" without its newline is continued by the next record */
static void docker_log(struct block *b, const char *log, uint64_t loc)
{
	static const char notjson[] =
	    "a docker json-file record whose log line is not an audit Event";
	size_t n = strlen(log);
	bool partial = !n || log[n - 1] != '\n';

	if (b->cri.len || b->cri_over || partial)
		join_part(b, log, n, partial, loc, AF_DOCKER, notjson);
	else
		inner_span(b, log, n, loc, AF_DOCKER, notjson);
}

/*
 * A docker json-file line read without cJSON (the common case, and 2.5x the
 * native time through a cJSON tree): exactly the members log, stream and
 * time, each a string, keys without escapes, in any order. Anything else
 * (attrs, a repeated key, an escape the decoders disagree on) returns false
 * and the line takes the cJSON way, which gives the same result for these.
 */
static const char *blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static int docker_key(const char *k, size_t n)
{
	if (n == 3 && !memcmp(k, "log", 3))
		return 0;
	if (n == 6 && !memcmp(k, "stream", 6))
		return 1;
	if (n == 4 && !memcmp(k, "time", 4))
		return 2;
	return -1;
}

/*
 * The log member decoded into *log, or false when the object is anything
 * more or less. stream and time are decoded only to be sure that cJSON
 * would read them too.
 */
static bool docker_members(const char *p, const char *end, struct strbuf *log)
{
	struct strbuf tmp = STRBUF_INIT;
	bool seen[3] = {false, false, false}, ok = false;

	p = blank(p, end);
	if (p >= end || *p++ != '{')
		return false;
	for (int m = 0;; m++) {
		const char *q;
		int k;

		p = blank(p, end);
		if (m == 3 || p >= end || *p != '"' || !(q = jsonl_skip_string(p, end)))
			break;
		k = docker_key(p + 1, (size_t)(q - p - 2));
		if (k < 0 || seen[k])
			break;
		seen[k] = true;
		p = blank(q, end);
		if (p >= end || *p++ != ':')
			break;
		p = blank(p, end);
		strbuf_reset(&tmp);
		if (!(p = jsonl_decode_fast(p, end, k ? &tmp : log)))
			break;
		p = blank(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		ok = m == 2 && p < end && *p == '}' && blank(p + 1, end) == end;
		break;
	}
	strbuf_release(&tmp);
	return ok;
}

bool audit_fmt_docker_line(struct block *b, const char *p, size_t n, uint64_t loc)
{
	/*
	 * The block's buffer, not one allocated for each record (a tenth of
	 * the time); a record inside the log text (depth > 0) is decoded out
	 * of that buffer: not into it.
	 */
	struct strbuf own = STRBUF_INIT, *log = b->depth ? &own : &b->scratch;
	uint8_t saved = b->fmt;
	bool ok;

	strbuf_reset(log);
	ok = docker_members(p, p + n, log);
	if (ok && accept(b, AF_DOCKER, loc))
		docker_log(b, log->buf ? log->buf : "", loc);
	b->fmt = saved;
	strbuf_release(&own);
	return ok;
}

/*
 * CloudWatch Logs pages (aws logs filter-log-events / get-log-events) read
 * without cJSON, which built a tree of the whole page (up to 2 MB) and made
 * them 3.3x the native time. Only a page cJSON would read the same way is
 * taken: valid JSON (as strict as cJSON or stricter), only the keys of a
 * page and of its events, each once and without escapes, every message a
 * string. Anything else returns false and takes the cJSON way.
 */
static int key_index(const char *k, size_t n, const char *const *keys, int nkeys)
{
	/* the first byte first: an event's keys all differ there (no strlen for each) */
	for (int i = 0; i < nkeys; i++)
		if (n && keys[i][0] == k[0] && strlen(keys[i]) == n && !memcmp(k, keys[i], n))
			return i;
	return -1;
}

/*
 * An object of plain keys among `keys`, each at most once, values valid
 * (with `lazy`, key 0 is a page's events array, read by cw_page_events):
 * their spans in v[]. The decoded text of key `keep`, a string, is
 * appended to *kept with a NUL. Returns past the object, or NULL.
 */
struct cw_page;
static const char *cw_page_events(const char *p, const char *end, struct cw_page *pg);

static const char *plain_object(const char *p, const char *end, const char *const *keys, int nkeys,
				struct cw_page *lazy, int keep, struct span *v, struct strbuf *kept,
				bool *kept_nul)
{
	p = blank(p, end);
	if (p >= end || *p++ != '{')
		return NULL;
	p = blank(p, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		const char *q;
		int k;

		if (p >= end || *p != '"' || !(q = jsonl_skip_string(p, end)) ||
		    memchr(p + 1, '\\', (size_t)(q - p - 2)))
			return NULL;
		k = key_index(p + 1, (size_t)(q - p - 2), keys, nkeys);
		if (k < 0 || v[k].n)
			return NULL;
		p = blank(q, end);
		if (p >= end || *p++ != ':')
			return NULL;
		p = blank(p, end);
		if (lazy && k == 0) {
			q = cw_page_events(p, end, lazy); /* the events, read once */
		} else if (k == keep && p < end && *p == '"') {
			/* the kept string decoded where it is kept, not copied there */
			bool nul;
			if ((q = jsonl_decode_fast_nul(p, end, kept, &nul)) != NULL)
				strbuf_addch(kept, '\0');
			*kept_nul |= nul;
		} else {
			q = jsonl_valid_value(p, end);
		}
		if (!q)
			return NULL;
		v[k].p = p;
		v[k].n = (size_t)(q - p);
		p = blank(q, end);
		if (p < end && *p == ',') {
			p = blank(p + 1, end);
			continue;
		}
		return p < end && *p == '}' ? p + 1 : NULL;
	}
}

static const char *const cw_page_keys[] = {"events", "searchedLogStreams", "nextToken",
					   "nextForwardToken", "nextBackwardToken"};
static const char *const cw_event_keys[] = {"message", "logStreamName", "timestamp",
					    "ingestionTime", "eventId"};

/* What the events of a page are decoded into. */
struct cw_page {
	struct strbuf msgs; /* msgs: the messages one after the other, each with a NUL */
	size_t *offs, nmsg, amsg;
	bool nul; /* a message may hold a raw NUL (jsonl_decode_fast_nul()) */
};

/*
 * The page's events array at p, checked as it is read (not skipped first,
 * then read: that cost 13 % of the time of a page): the messages decoded
 * into pg->msgs. Returns past the array, or NULL when an event is not an
 * object of the keys above with a string message.
 */
static const char *cw_page_events(const char *p, const char *end, struct cw_page *pg)
{
	if (p >= end || *p != '[')
		return NULL;
	p = blank(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		struct span v[ARRAY_SIZE(cw_event_keys)];
		size_t off = pg->msgs.len;

		memset(v, 0, sizeof(v));
		if (!(p = plain_object(p, end, cw_event_keys, ARRAY_SIZE(cw_event_keys), NULL, 0, v,
				       &pg->msgs, &pg->nul)) ||
		    !v[0].n || *v[0].p != '"')
			return NULL;
		ALLOC_GROW(pg->offs, pg->nmsg + 1, pg->amsg);
		pg->offs[pg->nmsg++] = off;
		p = blank(p, end);
		if (p < end && *p == ',') {
			p = blank(p + 1, end);
			continue;
		}
		return p < end && *p == ']' ? p + 1 : NULL;
	}
}

/*
 * The messages of a page, in order: as cw_event() reads them. Each one ends
 * at its first NUL, as cJSON's strings do: the fast decoder refuses \u0000
 * but takes a raw NUL byte as it is (an Event cut there was malformed, the
 * whole message is not; cw-edge.json has both). The decoder says when a
 * page's messages may hold one: only then are they searched.
 */
static void cw_page_emit(struct block *b, const struct cw_page *pg, uint64_t loc)
{
	for (size_t i = 0, n = pg->nmsg; i < n; i++) {
		const char *m = pg->msgs.buf + pg->offs[i];
		size_t len = (i + 1 < n ? pg->offs[i + 1] : pg->msgs.len) - pg->offs[i] - 1;
		const char *z = pg->nul ? memchr(m, '\0', len) : NULL;

		if (z)
			len = (size_t)(z - m);

		if (!strncmp(m, "CWL CONTROL MESSAGE", 19)) {
			audit_skipped(b, loc_make(loc, i + 1),
				      "a CloudWatch Logs CONTROL_MESSAGE (no log event)");
		} else {
			inner_span(b, m, len, loc_make(loc, i + 1), AF_CLOUDWATCH, cw_notjson);
		}
	}
}

bool audit_fmt_cloudwatch_page(struct block *b, const char *p, size_t n, uint64_t loc)
{
	struct span v[ARRAY_SIZE(cw_page_keys)];
	struct cw_page pg = {STRBUF_INIT, NULL, 0, 0, false};
	const char *end = p + n, *q;
	uint8_t saved = b->fmt;
	bool ok;

	memset(v, 0, sizeof(v));
	/*
	 * The messages decoded are shorter than the page: room for them at once
	 * (grown as they came, the buffer was copied over and over)
	 */
	strbuf_grow(&pg.msgs, n + 4096);
	q = plain_object(p, end, cw_page_keys, ARRAY_SIZE(cw_page_keys), &pg, -1, v, NULL, NULL);
	ok = q && blank(q, end) == end && v[0].n;
	if (ok && accept(b, AF_CLOUDWATCH, loc))
		cw_page_emit(b, &pg, loc);
	b->fmt = saved;
	free(pg.offs);
	strbuf_release(&pg.msgs);
	return ok;
}

/*
 * Event Hub messages ({"records":[...]}, one a line, and the bodies of an
 * Event Hub Capture file) read without cJSON, which built a tree of the
 * whole message and its escaped Events (5x the native time). Only a
 * message cJSON would read the same way is taken: valid JSON, the one key
 * records, keys without escapes, each record's log (properties.log, else
 * log_s, the first of repeated keys as cJSON takes them) a string or
 * absent. Anything else returns false and takes the cJSON way.
 */
enum { AZ_ABSENT, AZ_TEXT, AZ_OTHER };

struct az_msg {
	struct strbuf *logs; /* each record's log text with a NUL */
	struct strbuf ls;    /* the record's log_s, until it is known to be the one */
	/*
	 * per record: offset into logs (SIZE_MAX: not a log) and length
	 * (SIZE_MAX: the text may hold a NUL, where inner_text() stops)
	 */
	struct az_log {
		size_t off, len;
	} * offs;
	size_t n, a;
	int seen;
};

/* A plain key at p (no escape) into *k, *kn; past its ':' and blanks, or NULL. */
static const char *az_key(const char *p, const char *end, const char **k, size_t *kn)
{
	const char *q;

	if (p >= end || *p != '"' || !(q = jsonl_skip_string(p, end)) ||
	    memchr(p + 1, '\\', (size_t)(q - p - 2)))
		return NULL;
	*k = p + 1;
	*kn = (size_t)(q - p - 2);
	p = blank(q, end);
	if (p >= end || *p++ != ':')
		return NULL;
	return blank(p, end);
}

/*
 * A member's value: a first string under `want` decoded into out (*state
 * AZ_TEXT, *nul: it may hold a NUL).
 */
static const char *az_value(const char *p, const char *end, bool want, int *state,
			    struct strbuf *out, bool *nul)
{
	if (!want || *state != AZ_ABSENT)
		return jsonl_valid_value(p, end);
	if (p < end && *p == '{')
		return NULL; /* an Event as an object: cJSON's way */
	if (p < end && *p == '"') {
		*state = AZ_TEXT;
		return jsonl_decode_fast_nul(p, end, out, nul);
	}
	*state = AZ_OTHER;
	return jsonl_valid_value(p, end);
}

/* The members of the object at p, each value read by fn; past the object, or NULL. */
typedef const char *(*az_member_fn)(const char *k, size_t kn, const char *p, const char *end,
				    void *ctx);

static const char *az_members(const char *p, const char *end, az_member_fn fn, void *ctx)
{
	if (p >= end || *p != '{')
		return NULL;
	p = blank(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		const char *k;
		size_t kn;

		if (!(p = az_key(p, end, &k, &kn)) || !(p = fn(k, kn, p, end, ctx)))
			return NULL;
		p = blank(p, end);
		if (p < end && *p == ',') {
			p = blank(p + 1, end);
			continue;
		}
		return p < end && *p == '}' ? p + 1 : NULL;
	}
}

#define KEY(lit) (kn == sizeof(lit) - 1 && !memcmp(k, lit, kn))

/* one record being read */
struct az_rec {
	struct az_msg *m;
	int props, plog, slog;
	bool pnul, snul; /* the log, the log_s may hold a NUL */
};

static const char *az_prop_member(const char *k, size_t kn, const char *p, const char *end,
				  void *ctx)
{
	struct az_rec *r = ctx;
	return az_value(p, end, KEY("log"), &r->plog, r->m->logs, &r->pnul);
}

static const char *az_rec_member(const char *k, size_t kn, const char *p, const char *end,
				 void *ctx)
{
	struct az_rec *r = ctx;

	if (KEY("properties") && r->props == AZ_ABSENT) {
		/* p may be the end: a record cut after its key (found by fuzz_audit_diff) */
		r->props = p < end && *p == '{' ? AZ_TEXT : AZ_OTHER;
		return r->props == AZ_TEXT ? az_members(p, end, az_prop_member, r)
					   : jsonl_valid_value(p, end);
	}
	return az_value(p, end, KEY("log_s"), &r->slog, &r->m->ls, &r->snul);
}

/* One record: its log appended to m->logs with a NUL, or SIZE_MAX in m->offs (as az_record). */
static const char *az_fast_record(const char *p, const char *end, struct az_msg *m)
{
	struct az_rec r = {m, AZ_ABSENT, AZ_ABSENT, AZ_ABSENT, true, true};
	size_t off = m->logs->len;
	bool nul;
	int got;

	strbuf_reset(&m->ls);
	if (!(p = az_members(p, end, az_rec_member, &r)))
		return NULL;
	/* properties.log, else log_s */
	got = r.props == AZ_TEXT && r.plog != AZ_ABSENT ? r.plog : r.slog;
	nul = r.plog == AZ_TEXT ? r.pnul : r.snul;
	if (got == AZ_TEXT && r.plog != AZ_TEXT)
		strbuf_add(m->logs, m->ls.buf, m->ls.len);
	ALLOC_GROW(m->offs, m->n + 1, m->a);
	m->offs[m->n].off = got == AZ_TEXT ? off : SIZE_MAX;
	m->offs[m->n++].len = got == AZ_TEXT && !nul ? m->logs->len - off : SIZE_MAX;
	if (got == AZ_TEXT)
		strbuf_addch(m->logs, '\0');
	return p;
}

static const char *az_fast_records(const char *p, const char *end, struct az_msg *m)
{
	if (p >= end || *p != '[')
		return NULL;
	p = blank(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		if (p < end && *p == '{') {
			p = az_fast_record(p, end, m);
		} else {
			ALLOC_GROW(m->offs, m->n + 1, m->a);
			m->offs[m->n].off = SIZE_MAX;
			m->offs[m->n++].len = SIZE_MAX;
			p = jsonl_valid_value(p, end);
		}
		if (!p)
			return NULL;
		p = blank(p, end);
		if (p < end && *p == ',') {
			p = blank(p + 1, end);
			continue;
		}
		return p < end && *p == ']' ? p + 1 : NULL;
	}
}

static const char *az_msg_member(const char *k, size_t kn, const char *p, const char *end,
				 void *ctx)
{
	struct az_msg *m = ctx;

	if (!KEY("records") || m->seen++)
		return NULL; /* any other key, or records twice: cJSON's way */
	return az_fast_records(p, end, m);
}

#undef KEY

bool audit_fmt_azure_records(struct block *b, const char *p, size_t n, uint64_t loc)
{
	/*
	 * The logs in the block's buffer, not in one allocated for each
	 * message (malloc's consolidations were 2% of an Event Hub Capture
	 * file's time), as audit_fmt_docker_line() does: not into it at depth > 0.
	 */
	struct strbuf own = STRBUF_INIT;
	struct az_msg m = {b->depth ? &own : &b->scratch, STRBUF_INIT, NULL, 0, 0, 0};
	const char *end = p + n, *q;
	uint8_t saved = b->fmt;
	bool ok;

	strbuf_reset(m.logs);
	strbuf_grow(m.logs, n + 4096); /* the logs are shorter than the message: room at once */
	q = az_members(p, end, az_msg_member, &m);
	ok = q && m.seen && blank(q, end) == end;

	if (ok && accept(b, AF_AZURE, loc)) {
		for (size_t i = 0; i < m.n; i++) {
			const struct az_log *g = &m.offs[i];

			/* no strlen() over the Event when it is known to hold no NUL */
			if (g->off == SIZE_MAX)
				audit_malformed(b, loc_make(loc, i + 1), az_notjson);
			else if (g->len != SIZE_MAX)
				inner_span(b, m.logs->buf + g->off, g->len, loc_make(loc, i + 1),
					   AF_AZURE, az_notjson);
			else
				inner_text(b, m.logs->buf + g->off, loc_make(loc, i + 1), AF_AZURE,
					   az_notjson);
		}
	}
	b->fmt = saved;
	free(m.offs);
	strbuf_release(&own);
	strbuf_release(&m.ls);
	return ok;
}

/*
 * An AKSAudit row (a CSV export's row, or a JSON export's whose values are
 * all strings) turned into the Event's text without cJSON, which made the
 * CSV export 15x the native time: the columns renamed back in az_typed's
 * order, a dynamic column's JSON text put in as it is. Only a row
 * az_typed would read the same way is taken: plain keys, string values,
 * each dynamic text exactly one valid JSON value (cJSON_Parse would also
 * take one followed by anything). Anything else returns false.
 */

struct aks_row {
	struct span key[AKS_MAX_MEMBERS], val[AKS_MAX_MEMBERS];
	size_t n;
};

static const char *aks_member(const char *k, size_t kn, const char *p, const char *end, void *ctx)
{
	struct aks_row *r = ctx;
	const char *q;

	if (r->n >= AKS_MAX_MEMBERS || p >= end || *p != '"' || !(q = jsonl_skip_string(p, end)))
		return NULL;
	r->key[r->n].p = k;
	r->key[r->n].n = kn;
	r->val[r->n].p = p;
	r->val[r->n].n = (size_t)(q - p);
	r->n++;
	return q;
}

/* the value of the first member named name (len n), or NULL */
static const struct span *aks_get(const struct aks_row *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->key[i].n == n && !memcmp(r->key[i].p, name, n))
			return &r->val[i];
	return NULL;
}

/* One column into the Event's text; false when az_typed might read it otherwise. */
static bool aks_column(struct strbuf *ev, const char *key, const struct span *v, bool utc,
		       struct strbuf *tmp)
{
	char t[40];

	strbuf_reset(tmp);
	/* a NUL: cJSON's string would end there */
	if (!jsonl_decode_fast(v->p, v->p + v->n, tmp) || memchr(tmp->buf, '\0', tmp->len))
		return false;
	strbuf_addf(ev, "%s\"%s\":", ev->len > 1 ? "," : "", key);
	if (utc && aks_portal_time(tmp->buf, t, sizeof(t))) {
		strbuf_addf(ev, "\"%s\"", t);
	} else if (tmp->len && (tmp->buf[0] == '{' || tmp->buf[0] == '[')) {
		struct strbuf scratch = STRBUF_INIT;
		const char *q = jsonl_valid_value(tmp->buf, tmp->buf + tmp->len);

		strbuf_release(&scratch);
		if (q != tmp->buf + tmp->len)
			return false;
		strbuf_add(ev, tmp->buf, tmp->len);
	} else {
		strbuf_add(ev, v->p, v->n);
	}
	return true;
}

bool audit_fmt_aks_row(struct block *b, const char *p, size_t n, uint64_t loc)
{
	struct aks_row *r;
	struct strbuf ev = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *end = p + n, *q;
	uint8_t saved = b->fmt;
	bool ok;

	if (!jsonl_has_quoted(p, end, "AuditId", 7) || !jsonl_has_quoted(p, end, "Stage", 5))
		return false;
	r = xcalloc(1, sizeof(*r));
	q = az_members(p, end, aks_member, r);
	ok = q && blank(q, end) == end && aks_get(r, "AuditId", 7) && aks_get(r, "Stage", 5);
	/* a key that makes audit_scan_object() or an earlier reader take the row */
	for (size_t i = 0; ok && i < ARRAY_SIZE(aks_not_row); i++)
		ok = !aks_get(r, aks_not_row[i], strlen(aks_not_row[i]));
	strbuf_addch(&ev, '{');
	for (size_t i = 0; ok && i < ARRAY_SIZE(aks_columns); i++) {
		const char *col = aks_columns[i][0];
		const struct span *v = aks_get(r, col, strlen(col));
		char name[64];

		snprintf(name, sizeof(name), "%s [UTC]", col);
		if (v)
			ok = aks_column(&ev, aks_columns[i][1], v, false, &tmp);
		else if ((v = aks_get(r, name, strlen(name))) != NULL)
			ok = aks_column(&ev, aks_columns[i][1], v, true, &tmp);
	}
	strbuf_addch(&ev, '}');
	if (ok && accept(b, AF_AZURE, loc))
		inner_text(b, ev.buf, loc, AF_AZURE, az_notjson);
	b->fmt = saved;
	strbuf_release(&ev);
	strbuf_release(&tmp);
	free(r);
	return ok;
}

void audit_fmt_aks_event(struct block *b, const char *p, size_t n, uint64_t loc)
{
	uint8_t saved = b->fmt;

	/* what audit_fmt_aks_row() does with the Event it makes of the row */
	if (accept(b, AF_AZURE, loc))
		inner_span(b, p, n, loc, AF_AZURE, az_notjson);
	b->fmt = saved;
}

void audit_fmt_aks_walked(struct block *b, const char *p, size_t n, const struct aks_walk *w,
			  uint64_t loc)
{
	uint8_t saved = b->fmt;

	/* what inner_span() and audit_scan_line() do with it, but its walk */
	if (!accept(b, AF_AZURE, loc)) {
		/* counted unread */
	} else if (b->depth >= MAX_WRAP_DEPTH) {
		audit_malformed(b, loc, "wrappers nested more than 4 deep: not read");
	} else {
		b->depth++;
		audit_scan_walked(b, p, p + n, w->f, w->bs, loc);
		b->depth--;
	}
	b->fmt = saved;
}

/* The partial lines a block ends with never got their last part here. */
void audit_fmt_block_end(struct block *b)
{
	if (b->cri.len || b->cri_over)
		audit_malformed(b, b->cri_line,
				"partial lines (CRI P lines, docker json-file records without a "
				"newline) without their last part in the same block: not read");
	strbuf_reset(&b->cri);
	b->cri_over = false;
}

static bool text_json(struct block *b, const char *p, const char *end, uint64_t loc, int f)
{
	char *t;

	if (!accept(b, f, loc))
		return true;
	t = xstrndup(p, (size_t)(end - p));
	inner_text(b, t, loc, f, "text before the JSON that no format explains");
	free(t);
	return true;
}

/*
 * A line that is not JSON: "TIMESTAMP stdout F {...}" (CRI), "TIMESTAMP
 * {...}" (a CloudWatch export task), "TIMESTAMP STREAM {...}" (aws logs
 * tail), or a CSV row with the Event in a quoted field (Logs Insights).
 */
static bool fmt_text(struct block *b, const char *p, size_t n, uint64_t loc);

bool audit_fmt_text(struct block *b, const char *p, size_t n, uint64_t loc)
{
	uint8_t saved = b->fmt;
	bool known = fmt_text(b, p, n, loc);

	b->fmt = saved;
	return known;
}

static bool fmt_text(struct block *b, const char *p, size_t n, uint64_t loc)
{
	const char *end = p + n, *sp = memchr(p, ' ', n), *sp2;
	bool ts = sp && ts_parse(p, (size_t)(sp - p)) != TS_NONE;
	char *csv;

	/*
	 * A CRI line first: it is told by its start alone, and looking for a CSV
	 * field (a search of the whole line) cost half of its time.
	 */
	if (ts && end - sp > 10 &&
	    (!memcmp(sp + 1, "stdout ", 7) || !memcmp(sp + 1, "stderr ", 7)) &&
	    (sp[8] == 'F' || sp[8] == 'P') && sp[9] == ' ') {
		if (accept(b, AF_CRI, loc))
			cri_line(b, sp + 8, end, loc);
		return true;
	}
	if (!b->cri.len && (csv = csv_field(p, n)) != NULL) {
		if (!accept(b, AF_CLOUDWATCH, loc))
			; /* counted unread */
		else if (cut_object(csv))
			audit_malformed(b, loc, insights_cut);
		else
			inner_text(b, csv, loc, AF_CLOUDWATCH,
				   "a CSV row whose first JSON field is not an audit Event (of CSV "
				   "exports without a header line only a Logs Insights @message "
				   "column is read)");
		free(csv);
		return true;
	}
	if (n && p[0] == '@' && !memchr(p, '{', n)) {
		audit_skipped(b, loc, "a CSV header line");
		return true;
	}
	if (!ts)
		return false;
	p = sp + 1;
	if (p < end && *p == '{')
		return text_json(b, p, end, loc, AF_CLOUDWATCH);
	sp2 = memchr(p, ' ', (size_t)(end - p));
	if (sp2 && sp2 + 1 < end && sp2[1] == '{')
		return text_json(b, sp2 + 1, end, loc, AF_CLOUDWATCH);
	return false;
}
