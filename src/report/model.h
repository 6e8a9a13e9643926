#ifndef KANON_REPORT_MODEL_H
#define KANON_REPORT_MODEL_H

/*
 * The report model: what every format shows beside the findings, built
 * from the findings (their rules, statuses, targets and facts) and
 * nothing else. The verdict, the attack paths (the findings joined:
 * a binding, the API servers that let anonymous requests reach it, the
 * audit log and probe answers that prove it), the order of the findings
 * (by area, FAIL before WARN before PASS, most severe first) and the
 * severity counts.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"

struct strbuf;

enum report_area { AREA_NODE, AREA_CONTROL_PLANE, AREA_RBAC, AREA_AUDIT, AREA_PROBE, AREA__COUNT };

enum report_verdict {
	VERDICT_CLEAN,	    /* no FAIL or INVALID, nothing undecided (WARN may remain) */
	VERDICT_INCOMPLETE, /* nothing failed, but some results are UNKNOWN: not a pass */
	VERDICT_PROBLEMS,   /* FAIL or INVALID findings, but no anonymous attack path */
	VERDICT_AT_RISK,    /* attack paths that no evidence confirms */
	VERDICT_EXPOSED,    /* an attack path the audit log or the probe proves */
	VERDICT__COUNT
};

struct report_path {
	enum severity severity;
	bool proved; /* audit or probe evidence confirms it */
	char *kind;  /* "rbac", "kubelet", "read-only-port", "audit", "probe" */
	char *title; /* "anonymous callers can read secrets cluster-wide via ..." */
	char **join; /* what else kanon knows about it, one clause each */
	size_t njoin, ajoin;
	size_t *finding; /* the findings it joins (indexes into the result) */
	size_t nfinding, afinding;
};

struct report_model {
	const struct result *r;
	enum report_verdict verdict;
	bool incomplete; /* UNKNOWN findings: something could not be decided */
	/* FAIL and INVALID findings by severity */
	size_t problems[SEV__COUNT];
	size_t status[STATUS__COUNT];
	struct report_path *path;
	size_t npath, apath;
	/* finding indexes in report order; area of each finding */
	size_t *order;
	enum report_area *area;
	size_t area_count[AREA__COUNT];
};

void report_model_init(struct report_model *m, const struct result *r);
void report_model_release(struct report_model *m);

const char *report_area_name(enum report_area a);  /* "node", "control-plane", ... */
const char *report_area_title(enum report_area a); /* "Node", "Control plane", ... */
enum report_area report_rule_area(const struct rule *rule);
const char *report_verdict_name(enum report_verdict v); /* "EXPOSED" ... */
/* One sentence: what the verdict means for this report. Caller frees. */
char *report_verdict_text(const struct report_model *m);

/*
 * A finding's identity across runs (--baseline, the JSON "fingerprint",
 * SARIF partialFingerprints): its rule, its target and, when the check
 * sets one, its "id" fact (an audit log gap's start). Nothing that depends
 * on where the input lies (paths, lines) or on the wording is part of it:
 * the same exposure in a moved snapshot is the same finding, and findings
 * whose rule and target are equal (an audited request repeated) are one.
 */
void report_finding_key(struct strbuf *sb, const struct finding *f);
/* The SHA-256 of the key, in hex: the fingerprint. */
void report_fingerprint(const struct finding *f, char hex[65]);

#endif
