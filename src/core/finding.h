#ifndef KANON_FINDING_H
#define KANON_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rule.h"

/* The order matters: it is the order of the JSON "summary" object. */
enum status {
	STATUS_PASS,
	STATUS_FAIL,
	STATUS_WARN,
	STATUS_UNKNOWN, /* the value could not be determined (unreadable input) */
	STATUS_INVALID, /* Kubernetes itself would refuse this configuration */
	STATUS__COUNT
};

/*
 * One piece of evidence. kind names where the value came from ("flag",
 * "file", ...): a static string owned by the producer (the models define
 * theirs in src/model/provenance.h); it is written as is.
 */
struct evidence {
	const char *kind;
	char *path;  /* file path, or NULL */
	int line;    /* 1-based, 0 when unknown */
	char *key;   /* flag name or dotted key path */
	char *value; /* raw value as written */
	char *note;  /* e.g. "overridden by --anonymous-auth" */
};

/* Fill e with copies of the strings (any may be NULL). */
void evidence_set(struct evidence *e, const char *kind, const char *path, int line, const char *key,
		  const char *value, const char *note);
/* Free the strings and zero e. */
void evidence_release(struct evidence *e);

/*
 * A named fact about a finding's subject, for reporters that join findings
 * (the scan verdict's attack paths): "namespace", "verb", "path",
 * "source", "grants"... Checks set the few a reporter needs; reporters
 * never parse messages. Keys are static strings, values copies.
 */
struct fact {
	const char *key;
	char *value;
};

struct finding {
	const struct rule *rule;
	enum status status;
	enum severity severity;
	char *target;
	char *message;
	char *remediation;
	struct evidence *ev;
	size_t nev, aev;
	struct fact *fact;
	size_t nfact, afact;
};

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

/* A message for stderr ("path:line: text"); checks never print themselves. */
struct diag {
	enum diag_level level;
	char *text;
};

struct section;

/* Everything one run found: findings plus diagnostics. Embedded; init/release. */
struct result {
	struct finding *f;
	size_t n, alloc;
	struct diag *d;
	size_t nd, ad;
	size_t ndropped; /* diagnostics past RESULT_MAX_DIAGS: counted in d[last] */
	/* a required input (named by the user) could not be read: exit 2 */
	bool input_error;
	/* report sections beside the findings (core/section.h), owned */
	struct section **sec;
	size_t nsec, asec;
	/* report the verdict and attack paths on top (kanon scan) */
	bool verdict;
	/* when the command started and finished, microseconds since the epoch
	 * (0 unknown): the scan duration of the metrics */
	int64_t started_us, finished_us;
};

const char *status_name(enum status s);

void result_init(struct result *r);
void result_release(struct result *r);

/* Adds a finding; strings are copied. Returns it so evidence can be added. */
struct finding *finding_add(struct result *r, const struct rule *rule, enum status st,
			    enum severity sev, const char *target, const char *remediation,
			    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Copies all strings; any of them may be NULL. */
struct evidence *finding_add_evidence(struct finding *f, const char *kind, const char *path,
				      int line, const char *key, const char *value,
				      const char *note);

/* Set fact key (a static string) to a copy of value; NULL value: no-op. */
void finding_set_fact(struct finding *f, const char *key, const char *value);
/* The value of fact key, or NULL. */
const char *finding_fact(const struct finding *f, const char *key);

/*
 * At most this many diagnostics are kept; later ones are counted in one
 * more, last diagnostic ("N more ... not shown"), with the most severe level
 * among them, so that a hostile input cannot grow memory one warning at a time.
 */
#define RESULT_MAX_DIAGS 1000

void result_diag(struct result *r, enum diag_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Takes ownership of s; its key names it in the report. */
void result_add_section(struct result *r, struct section *s);

void result_count(const struct result *r, size_t counts[STATUS__COUNT]);

/* Keep the findings i with keep[i] true (in order), free the others. */
void result_keep(struct result *r, const bool *keep);

/*
 * The exit code policy: 2 input error, 3 incomplete (any UNKNOWN),
 * 1 a FAIL or INVALID at or above fail_on, else 0. An error outranks
 * findings. fail_on < 0 means never fail on findings.
 */
int result_exit_code(const struct result *r, int fail_on);

#endif
