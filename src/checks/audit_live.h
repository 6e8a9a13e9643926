#ifndef KANON_CHECK_AUDIT_LIVE_H
#define KANON_CHECK_AUDIT_LIVE_H

/*
 * The audit engine of `kanon audit`, fed live by `kanon serve`: a webhook
 * body (an EventList, an Event or an array of Events) is scanned by the
 * same scanner (audit_scan_line) into records on any thread, then fed on
 * one thread to the same aggregation (stage dedup by auditID in a bounded
 * table, classification, grants), which tells a callback of each request
 * judged. Everything kept is bounded (docs/serve.md).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "core/strbuf.h"

/* enum stage of audit_int.h, in this order */
#define LIVE_STAGES 5
const char *audit_live_stage_name(int stage);

/* The records of one body, scanned. */
struct live_batch;

/*
 * Scan body[0..len): 0 and *out (its records), or -1 with the reason in why
 * (one line) when the body is not an EventList, Event or array of Events,
 * or any of its events is not one kanon audit would read: nothing of such a
 * body is kept. Any thread.
 */
int live_batch_parse(const char *body, size_t len, struct live_batch **out, struct strbuf *why);
size_t live_batch_events(const struct live_batch *b);
/*
 * Past the JSON object or array at p (64 bytes at a time; brackets must
 * match, strings and escapes are followed, scalars are not looked at), or
 * NULL when it does not end before end. Exposed for the tests and the fuzzer.
 */
const char *live_json_end(const char *p, const char *end);
void live_batch_destroy(struct live_batch *b);

enum live_outcome { LO_ALLOWED, LO_DENIED, LO_OTHER, LO__COUNT };
const char *audit_live_outcome_name(enum live_outcome o);

/* One request judged (at its final stage, or evicted from the open-request table). */
struct live_request {
	int64_t ts; /* stageTimestamp, µs */
	int code;
	bool anonymous, impersonated, complete;
	bool grant; /* an RBAC binding write whose subjects include anonymous ones */
	int cls;    /* enum audit_class (anonymous requests) */
	enum live_outcome outcome;
	/* NULL when not kept (an open request past the table of details) */
	const char *audit_id, *user, *src, *verb, *uri, *ua, *resource, *ns, *name;
	char *const *subjects;
	size_t nsubjects;
};

struct live_counts {
	uint64_t events[LIVE_STAGES];
	uint64_t requests, duplicates, open, evicted;
	uint64_t anon[CL__COUNT][LO__COUNT];
	uint64_t unauthorized_401, grants, impersonated;
	int64_t last_ts; /* µs, TS_NONE before the first event */
};

struct audit_live;
/* o->allow (--allow-ip) and o->gap_us are used; o must outlive the state. */
struct audit_live *audit_live_create(const struct audit_opts *o,
				     void (*judged)(void *ctx, const struct live_request *r),
				     void *ctx);
/* Feed one batch (one thread at a time): its records are consumed, b destroyed. */
void audit_live_feed(struct audit_live *l, struct live_batch *b);
void audit_live_counts(const struct audit_live *l, struct live_counts *out);
void audit_live_destroy(struct audit_live *l);

#endif
