#ifndef KANON_CHECK_AUDIT_PART_H
#define KANON_CHECK_AUDIT_PART_H

/*
 * Partial results of `kanon audit` (docs/audit.md, "Beyond one machine"):
 * `kanon audit --part-out FILE LOG...` writes what the aggregation holds
 * before its verdicts, `kanon audit --merge PART...` reads parts back into
 * one aggregation and reports as a single run over all their logs would.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "core/err.h"
#include "core/finding.h"

#define AUDIT_PART_KIND	     "kanon.audit.part"
/* 2: requestReceivedTimestamp folded into the keys 8 bytes a step (audit_scan.c id_fold) */
#define AUDIT_PART_VERSION	2
#define AUDIT_PART_MAX_BYTES (256u << 20) /* one part file, as read by --merge */
#define AUDIT_PART_MAX_PARTS 4096	  /* parts of one --merge */
#define AUDIT_PART_MAX_FILES 65535	  /* log files of all the parts of one --merge */
#define AUDIT_PART_MAX_DEFERRED 1000000	  /* stage lines of one part left to the merge */
/* a request received this long after its file's first event is judged in the part */
#define AUDIT_PART_HORIZON_US (5 * 60 * 1000000LL)

/*
 * Read the logs as audit_run() does and write the partial result to `out`
 * (atomically; "-": standard output) instead of findings. Diagnostics about
 * the logs go to res. Returns 0, or -1 with *e set when the part could not
 * be written.
 */
int audit_part_write(char *const *files, size_t nfiles, const struct audit_opts *o, const char *out,
		     struct result *res, struct err *e);

/*
 * Read the parts and add the findings and the "audit" section of the logs
 * they were made from to res. The window, bucket, gap and --allow-ip come
 * from the parts (they must agree); o gives --top. Returns 0, or -1 with
 * *e set to a one-line error naming the part that is not valid.
 */
int audit_merge(char *const *parts, size_t nparts, const struct audit_opts *o, struct result *res,
		struct err *e);

/* ---- strict reading of a part (audit_part.c), for the merge ---- */

struct cJSON;

struct jrd {
	const char *file; /* the part, for errors */
	struct err *e;
	bool bad; /* the first error is in *e; the getters then return zeroes */
};

/* Read and parse a part of at most AUDIT_PART_MAX_BYTES; checks kind and version. */
int audit_part_load(const char *path, struct cJSON **out, struct err *e);

int jrd_fail(struct jrd *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct cJSON *jrd_obj(struct jrd *j, const struct cJSON *o, const char *k);
/* an array of at most max elements ([] when absent and optional) */
const struct cJSON *jrd_arr(struct jrd *j, const struct cJSON *o, const char *k, size_t max);
/* an integer from 0 to max (at most 2^53) */
uint64_t jrd_u64(struct jrd *j, const struct cJSON *o, const char *k, uint64_t max);
/* a time in µs (an integer of at most 2^53 in size) or null (TS_NONE) */
int64_t jrd_ts(struct jrd *j, const struct cJSON *o, const char *k);
/* a string, or NULL for null when null_ok */
const char *jrd_str(struct jrd *j, const struct cJSON *o, const char *k, bool null_ok);
/* a JSON number that is an integer from lo to hi */
bool jrd_integral(const struct cJSON *v, double lo, double hi);
bool jrd_bool(struct jrd *j, const struct cJSON *o, const char *k);
/* a 64-bit number written as 16 hex digits */
uint64_t jrd_hex64(struct jrd *j, const struct cJSON *o, const char *k);

#endif
