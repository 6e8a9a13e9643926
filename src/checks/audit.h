#ifndef KANON_CHECK_AUDIT_H
#define KANON_CHECK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rule.h"

/*
 * Audit-log forensics (docs/audit.md): stream Kubernetes API server audit
 * logs, count requests (one auditID, judged at its final stage), classify
 * anonymous access, find RBAC grants to anonymous users and gaps in the log.
 */

extern const struct check check_audit;

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

/* "10.0.0.0/8", "fd00::/8" or a plain address. Returns 0 or -1. */
int cidr_parse(const char *s, struct cidr *out);
/* Is the textual address ip inside c? */
bool cidr_match(const struct cidr *c, size_t n, const char *ip);

struct audit_opts {
	int64_t since, until; /* µs since the epoch; TS_NONE: open */
	int64_t bucket_us;    /* timeline bucket (default 1 minute) */
	int64_t gap_us;       /* smallest reported gap (default 5 minutes) */
	const struct cidr *allow;
	size_t nallow;
	int threads;          /* scanning threads; 0: one per CPU */
	int format;           /* --input-format: enum audit_format (0: each record's own) */
	int top;              /* length of the top lists (default 20) */
	/* called from the main thread after each block; NULL for none */
	void (*progress)(void *ctx, uint64_t done, uint64_t total, bool final);
	void *progress_ctx;
};

void audit_opts_init(struct audit_opts *o);

/* ---- the "audit" section (built by src/checks/audit_section.c) ---- */

enum audit_class { CL_HEALTH, CL_DISCOVERY, CL_SENSITIVE, CL_OTHER, CL__COUNT };
const char *audit_class_name(enum audit_class c);

struct audit_top {
	char *key;
	uint64_t count;
	char *raw[3]; /* top_uris: distinct raw URIs seen (with query) */
	size_t nraw;
};

struct audit_grant {
	int64_t time;
	char *verb, *resource, *ns, *name, *user, *file;
	char **subjects; /* anonymous subjects, e.g. "User system:anonymous" */
	size_t nsubjects;
	bool known;      /* false: the event has no body (level Metadata) */
	bool unconfirmed; /* only a non-final stage was seen */
	int code;
	uint64_t line;
};

struct audit_gap {
	int64_t from, to;
};

struct audit_bucket {
	int64_t start;
	uint32_t total, anon, anon_allowed, u401;
};

#define MAX_REASONS 32
struct audit_reason {
	const char *why; /* static */
	uint64_t count;
	bool skipped; /* on purpose (not an event), not unread */
};

struct audit_report {
	uint64_t by_format[8]; /* records read, by enum audit_format */
	uint64_t skipped;      /* records that are no event on purpose (control messages) */
	struct audit_reason reasons[MAX_REASONS];
	size_t nreasons;
	char **files;
	size_t nfiles;
	uint64_t bytes, lines, events, requests, malformed, duplicates, outside;
	char **malformed_examples; /* "file:line: reason", the first few */
	size_t nmalformed_examples;
	int64_t from, to;
	int64_t since, until, bucket_us, gap_us;
	struct {
		uint64_t requests, allowed, denied, other, incomplete;
		uint64_t by_class[CL__COUNT];
		uint64_t allowed_by_class[CL__COUNT];
		struct audit_top *uris, *sources, *agents, *health_sources;
		size_t nuris, nsources, nagents, nhealth_sources;
		uint64_t distinct_uris, distinct_sources;
	} anon;
	bool allow_ip_given;
	uint64_t impersonated_anon, unauthorized_401;
	char **imp_examples; /* "file:line: USER VERB URI (code N)", the first few */
	size_t nimp_examples;
	uint64_t disagree_forbid_success, disagree_allow_denied, success_no_decision;
	char **disagree_examples;
	size_t ndisagree_examples;
	struct audit_grant *grants, *unknown_grants;
	size_t ngrants, nunknown_grants;
	uint64_t unknown_grants_total;
	struct audit_gap *gaps;   /* the first 1000 */
	size_t ngaps;
	uint64_t gaps_total;
	bool gaps_truncated, timeline_truncated;
	struct audit_bucket *timeline;
	size_t ntimeline;
	uint64_t evicted_pending;
	uint64_t access_not_listed; /* successful anonymous requests past the finding limits */
	uint64_t anon_no_detail;    /* open anonymous requests judged without their details */
	uint64_t inputs_incomplete; /* inputs not read, or not to their end (errors say why) */
	int threads;
	/* --merge (docs/audit.md, "Beyond one machine"), 0 otherwise */
	uint64_t top_error_bound; /* requests a part's full top list could not count */
	uint64_t merge_unchecked; /* open requests whose other stages could not be checked */
};

void audit_report_destroy(void *rep);

struct section;
/* The report section "audit" for r (r is only read). */
struct section *audit_section(const struct audit_report *r);

/*
 * Read the logs (paths, "-" for stdin) and add the findings and the
 * "audit" section to res. An unreadable file is an error diagnostic and
 * sets res->input_error. Returns the number of files read.
 */
int audit_run(char *const *files, size_t nfiles, const struct audit_opts *o,
	      struct result *res);

struct provider;
/*
 * The same for logs a provider holds (a snapshot's audit/ directory):
 * paths[i] is opened inside src and shown as names[i].
 */
int audit_run_from(const struct provider *src, char *const *paths, char *const *names,
		   size_t nfiles, const struct audit_opts *o, struct result *res);

/* The check's run input (see struct check). */
struct audit_input {
	const struct provider *src; /* NULL: files are paths of this machine */
	char *const *paths;	    /* with src: the files' paths in it */
	char *const *files;	    /* the names shown (without src: the paths) */
	size_t nfiles;
	const struct audit_opts *opts;
};
void audit_check_run(const void *input, const char *target, struct result *res);

#endif
