#ifndef KANON_CHECK_AUDIT_INT_H
#define KANON_CHECK_AUDIT_INT_H

/* Internals of the audit engine, shared by src/checks/audit*.c only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "checks/audit_formats.h"
#include "core/strbuf.h"
#include "sources/audit_stream.h"

enum stage { ST_RR, ST_RS, ST_RC, ST_PANIC, ST_OTHER };

enum rec_flags {
	R_MALFORMED = 1 << 0,
	R_ANON = 1 << 1,    /* user is system:anonymous or in system:unauthenticated */
	R_IMPANON = 1 << 2, /* impersonating system:anonymous / system:unauthenticated */
	R_RBAC = 1 << 3,    /* create/update/patch of a (cluster)rolebinding */
	R_SKIPPED =
	    1 << 4, /* not an event on purpose (a CloudWatch control message, a CSV header) */
};

enum rbac_state { RB_NONE, RB_CLEAN, RB_ANON, RB_UNKNOWN };

/* What is needed of an interesting event (anonymous, impersonated, RBAC). */
struct adetail {
	char *uri, *verb, *user, *ua, *srcs, *src_last;
	char *resource, *ns, *name, *sub, *decision;
	int rbac; /* enum rbac_state */
	char **subjects;
	size_t nsubjects;
	char *audit_id; /* the auditID as written: set by audit_live.c only (alerts) */
	/*
	 * One allocation with its text (audit_scan.c adetail_pack): only the
	 * struct and audit_id are freed. A part's details (audit_part_agg.inc)
	 * are not packed: each string is its own.
	 */
	bool packed;
};

void adetail_free(struct adetail *d);

/*
 * Where an event is: its line, and for an event wrapped in a record list
 * (a CloudWatch page, an Azure records array, ...) its 1-based record in
 * that line, packed above the line number (lines stay below 2^40).
 */
#define LOC_REC_SHIFT 40
static inline uint64_t loc_line(uint64_t loc)
{
	return loc & ((UINT64_C(1) << LOC_REC_SHIFT) - 1);
}
static inline uint64_t loc_rec(uint64_t loc)
{
	return loc >> LOC_REC_SHIFT;
}
static inline uint64_t loc_make(uint64_t line, uint64_t rec)
{
	return loc_line(line) | (rec << LOC_REC_SHIFT);
}

/* One event line after the scan (phase 1). */
struct arec {
	uint64_t hi, lo;   /* auditID */
	int64_t ts;	   /* stageTimestamp, µs */
	uint64_t line;	   /* in the block (lines mode) or in the file (document mode) */
	struct adetail *d; /* interesting events only */
	const char *why;   /* R_MALFORMED: reason */
	uint16_t code;
	uint8_t stage;
	uint8_t flags;
	uint8_t fmt; /* enum audit_format the event was read from (0: native) */
	/* R_MALFORMED, R_SKIPPED: so many lines after this one (records of its line, if it
	 * is one) unread or skipped for the same reason: tiny bad lines make few records */
	uint16_t more;
	int64_t rrts; /* requestReceivedTimestamp, only with AF_WANT_RRTS (else TS_NONE) */
};

/* The location k lines after loc, or k records after it in its line if it is a record. */
static inline uint64_t loc_next(uint64_t loc, uint64_t k)
{
	return loc_rec(loc) ? loc + (k << LOC_REC_SHIFT) : loc + k;
}

/* The records of one input block (struct audit_block.data), reused with its slot. */
struct block {
	struct arec *recs;
	size_t nrec, arec;
	uint64_t nlines;   /* newlines in the block (lines mode) */
	int format;	   /* enum audit_format: the one forced, or AF_AUTO */
	int depth;	   /* wrappers being read (an event inside a string inside ...) */
	uint8_t fmt;	   /* the format of the wrapper being read */
	struct strbuf cri; /* CRI partial (P) lines waiting for their F line */
	uint64_t cri_line; /* the line of the first of them */
	bool cri_over;	   /* they were longer than a block: not read */
	bool markers; /* lines may start with the reader's markers (audit_stream.h) */
	bool want_rrts; /* AF_WANT_RRTS was given */
	struct strbuf scratch; /* audit_formats.c: a record's log text, at depth 0 */
	struct audit_csv_scan *csv; /* audit_csv_scan.c: the CSV export's header read */
};

/* or'ed into audit_scan_block's format: parse requestReceivedTimestamp (partial results) */
#define AF_WANT_RRTS 0x10000

/* Phase 1: turn a block of complete lines into records (any thread). */
void audit_scan_block(struct audit_block *in, int format);
/* Scan one line/object; appends records to b. Exposed for unit tests. */
void audit_scan_line(struct block *b, const char *p, const char *end, uint64_t line);
void audit_block_free(struct block *b);
/* bytes a scanned block holds (records and details), for reading ahead (audit_ahead.c) */
size_t audit_block_weight(const struct block *b);

/* ---- phase 1 helpers shared with the format readers (audit_formats.c) ---- */
struct cJSON;
struct arec *audit_rec_new(struct block *b, uint64_t loc);
void audit_malformed(struct block *b, uint64_t loc, const char *why);
/* a record skipped for a reason (R_SKIPPED), e.g. a CloudWatch CONTROL_MESSAGE */
void audit_skipped(struct block *b, uint64_t loc, const char *why);
/* why text after the JSON value on a line went unread (the slow path; fuzz_audit_diff) */
#define AUDIT_TEXT_AFTER "text after the JSON value on its line: not read"
/* an object that is an Event, or one of the wrappers audit_formats.c knows */
void audit_scan_object(struct block *b, const struct cJSON *o, uint64_t loc);
/* the line with every escaped NUL as U+FFFD, for cJSON (a copy), or NULL when it has none */
char *audit_nul_escapes_replaced(const char *p, size_t n);
/* an Event object (cJSON) */
void audit_scan_event(struct block *b, const struct cJSON *ev, uint64_t loc);
/* audit_formats.c: a non-Event object or a non-JSON line; false: not recognized */
bool audit_fmt_object(struct block *b, const struct cJSON *o, uint64_t loc);
bool audit_fmt_text(struct block *b, const char *p, size_t n, uint64_t loc);
/* a docker json-file line without cJSON; false: not one it reads that way */
bool audit_fmt_docker_line(struct block *b, const char *p, size_t n, uint64_t loc);
/* an aws logs filter-log-events / get-log-events page without cJSON; false: not read so */
bool audit_fmt_cloudwatch_page(struct block *b, const char *p, size_t n, uint64_t loc);
/* Event Hub messages ({"records":[...]}) without cJSON; false: not read so */
bool audit_fmt_azure_records(struct block *b, const char *p, size_t n, uint64_t loc);
/* an AKSAudit row (CSV or JSON export, string values) without cJSON; false: not read so */
bool audit_fmt_aks_row(struct block *b, const char *p, size_t n, uint64_t loc);
/* The Event the CSV reader made of an AKSAudit row (AUDIT_LINE_AKS), read as that row. */
void audit_fmt_aks_event(struct block *b, const char *p, size_t n, uint64_t loc);
/* The same, its strict walk known (aks_event(), struct aks_walk): not walked again */
struct aks_walk;
void audit_fmt_aks_walked(struct block *b, const char *p, size_t n, const struct aks_walk *w,
			  uint64_t loc);
/*
 * The Event p..end (an object) as audit_scan_line() reads it once the strict
 * walk took it with these spans (f[JK__COUNT], jsonl.h) and backslash flag
 */
struct span;
void audit_scan_walked(struct block *b, const char *p, const char *end, const struct span *f,
		       bool bs, uint64_t line);
void audit_fmt_block_end(struct block *b);
/* audit_csv_scan.c: a CSV export's header or row line (AUDIT_LINE_CSV_*), n bytes */
struct audit_csv_scan;
void audit_csv_scan_line(struct block *b, const char *p, size_t n, uint64_t line);
void audit_csv_scan_free(struct audit_csv_scan *s);
/* audit_gcp.c: a GKE Cloud Logging entry, mapped to an Event */
void audit_gcp_entry(struct block *b, const struct cJSON *entry, uint64_t loc);

/* Classification and success, from an event's details (docs/audit.md). */
enum audit_class audit_classify(const struct adetail *d);
bool audit_success(const struct adetail *d, int code);

/* ---- phase 2: sequential aggregation ---- */
struct agg;
struct agg *agg_create(const struct audit_opts *o, char *const *files, size_t nfiles);
void agg_block(struct agg *a, const struct audit_block *in, uint64_t line_base);
/* An input not read, or not to its end. */
void agg_input_error(struct agg *a, int file, const char *msg, struct result *res);
void agg_set_threads(struct agg *a, int n);
/* Judges what is still open, adds findings and the section to res. */
void agg_finish(struct agg *a, struct result *res);
void agg_destroy(struct agg *a);

/* ---- the live state of `kanon serve` (audit_live.c) ---- */
/* One request as judge() sees it, for a caller that counts or alerts live. */
struct audit_judged {
	int64_t ts;
	int code;
	uint8_t flags;		 /* R_ANON, R_IMPANON, R_RBAC */
	const struct adetail *d; /* NULL: its details were not kept */
	bool complete;		 /* false: judged without its final stage (evicted) */
	int cls;		 /* anonymous without details: the class judged earlier, or -1 */
	bool ok;		 /* with cls >= 0: audit_success() judged earlier */
};
void agg_set_judged(struct agg *a, void (*fn)(void *ctx, const struct audit_judged *j),
		    void *ctx);
const struct audit_report *agg_report(const struct agg *a);
uint64_t agg_open(const struct agg *a);

#endif
