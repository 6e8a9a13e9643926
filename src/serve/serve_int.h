#ifndef KANON_SERVE_INT_H
#define KANON_SERVE_INT_H

/* Internals of `kanon serve`, shared by the files of src/serve only. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "checks/audit_live.h"
#include "core/strbuf.h"
#include "serve/alerts.h"
#include "serve/deadline.h"
#include "serve/queue.h"
#include "serve/serve.h"

/* HTTP answers counted by code (the last slot: any other) */
#define SERVE_CODES 10
extern const int serve_codes[SERVE_CODES];

enum reject_reason {
	RJ_MALFORMED,
	RJ_UNAUTHENTICATED,
	RJ_METHOD,
	RJ_NOT_FOUND,
	RJ_TOO_LARGE,
	RJ_QUEUE_FULL,
	RJ_DRAINING,
	RJ_BUSY, /* the bodies being read would pass the memory budget */
	RJ__COUNT
};
extern const char *const serve_reasons[RJ__COUNT];

#define SERVE_BUCKETS 13
extern const double serve_buckets[SERVE_BUCKETS];

struct serve_stats {
	atomic_uint_fast64_t codes[SERVE_CODES];
	atomic_uint_fast64_t rejected[RJ__COUNT], rejected_events[RJ__COUNT];
	atomic_uint_fast64_t buckets[SERVE_BUCKETS + 1]; /* the last: +Inf only */
	atomic_uint_fast64_t dur_us, dur_count;
};

struct server {
	const struct serve_opts *o;
	struct serve_stats st;
	struct audit_live *live;
	struct alerts *alerts;
	struct strbuf token; /* --token-file's first line */
	bool need_auth;
	atomic_bool draining, gap_active;
	atomic_int_fast64_t last_event_wall_us; /* when the last batch was fed; 0: never */
	atomic_int active;			/* requests being answered */
	/* bytes of request bodies held at once, all connections: at most body_budget */
	atomic_size_t body_bytes;
	size_t body_budget;
	struct serve_queue q;
	struct deadlines dl; /* slow-loris guard: see deadline.h */
};

/* The /metrics exposition (Prometheus text format 0.0.4). */
void serve_metrics(struct server *s, struct strbuf *out);
/* Escape a label value: backslash, double quote, newline. */
void serve_label_value(struct strbuf *out, const char *v);

#endif
