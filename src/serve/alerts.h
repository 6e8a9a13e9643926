#ifndef KANON_SERVE_ALERTS_H
#define KANON_SERVE_ALERTS_H

/*
 * Alerts of `kanon serve`: one JSON object a line, to a file (rotated by
 * size, fsync'd within 100 ms, reopened on SIGHUP) or standard output, and
 * optionally POSTed to a webhook from a thread of its own through a
 * bounded buffer (a full buffer drops and counts: the server never waits).
 */

#include <stdint.h>

struct err;
struct alerts;

enum alert_kind { AK_ANON, AK_GRANT, AK_GAP, AK_GAP_END, AK__COUNT };
const char *alert_kind_name(enum alert_kind k);

/* path NULL: standard output. max_size 0: never rotated. webhook NULL: none. */
struct alerts *alerts_create(const char *path, uint64_t max_size, const char *webhook,
			     struct err *e);
/* One alert: line is a JSON object without the newline. Any thread. */
void alerts_emit(struct alerts *a, enum alert_kind kind, const char *line, size_t len);
/* Write what is buffered (no fsync). */
void alerts_flush(struct alerts *a);
/* fsync what was written since the last call (without holding up alerts_emit). */
void alerts_sync(struct alerts *a);
/* SIGHUP: close and open the file again (after logrotate moved it). 0 or -1. */
int alerts_reopen(struct alerts *a);

struct alert_counts {
	uint64_t kinds[AK__COUNT];
	uint64_t dropped;      /* not forwarded to the webhook: its buffer was full, or it failed */
	uint64_t forwarded;    /* delivered to the webhook */
	uint64_t write_errors; /* lines that could not be written to the file */
};
void alerts_counts(struct alerts *a, struct alert_counts *out);
/* Flush, give the webhook forwarder at most wait_ms to deliver, free. */
void alerts_destroy(struct alerts *a, unsigned wait_ms);

#endif
