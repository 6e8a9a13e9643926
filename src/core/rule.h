#ifndef KANON_RULE_H
#define KANON_RULE_H

#include <stddef.h>

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV__COUNT };

#define RULE_MAX_REFS 6

/*
 * One entry of the rule registry. Rule ids are part of the JSON contract;
 * each has a page docs/rules/<id>.md.
 */
struct rule {
	const char *id;
	const char *title;
	enum severity severity;		 /* default; a finding may raise or lower it */
	const char *refs[RULE_MAX_REFS]; /* e.g. "CIS Kubernetes 4.2.1" */
};

struct result;

/*
 * A group of rules and how to evaluate them. Every caller (a command, a
 * part of a snapshot scan, a future server) judges a target the same way:
 * check_run(). `input` is the check's own input structure, declared in
 * its header beside the check: the core does not know what a check reads.
 */
struct check {
	const char *name;
	const struct rule *rules;
	size_t nrules;
	/* Load the model from input and add the findings for target. */
	void (*run)(const void *input, const char *target, struct result *res);
};

/* Run check c on one target (see struct check). */
void check_run(const struct check *c, const void *input, const char *target, struct result *res);

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
