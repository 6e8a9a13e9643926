#ifndef KANON_RULE_H
#define KANON_RULE_H

#include <stddef.h>

enum severity {
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	SEV__COUNT
};

#define RULE_MAX_REFS 6

/*
 * One entry of the rule registry. Rule ids are part of the JSON contract;
 * each has a page docs/rules/<id>.md.
 */
struct rule {
	const char *id;
	const char *title;
	enum severity severity; /* default; a finding may raise or lower it */
	const char *refs[RULE_MAX_REFS]; /* e.g. "CIS Kubernetes 4.2.1" */
};

/* A group of rules and the command that evaluates them. */
struct check {
	const char *name;
	const struct rule *rules;
	size_t nrules;
};

const char *severity_name(enum severity s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int severity_parse(const char *name, enum severity *out);

/* The registry: every check known to this build. */
extern const struct check *const checks[];
extern const size_t nchecks;

const struct rule *rule_find(const char *id);
/* "docs/rules/<id>.md" */
const char *rule_doc(const struct rule *r, char *buf, size_t size);

#endif
