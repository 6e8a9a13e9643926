#include "core/rule.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const char *const sev_names[SEV__COUNT] = {
    "info", "low", "medium", "high", "critical",
};

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV__COUNT ? sev_names[s] : "?";
}

int severity_parse(const char *name, enum severity *out)
{
	for (int i = 0; i < SEV__COUNT; i++) {
		if (!strcmp(name, sev_names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return -1;
}

const struct rule *rule_find(const char *id)
{
	for (size_t c = 0; c < nchecks; c++)
		for (size_t i = 0; i < checks[c]->nrules; i++)
			if (!strcmp(checks[c]->rules[i].id, id))
				return &checks[c]->rules[i];
	return NULL;
}

const char *rule_doc(const struct rule *r, char *buf, size_t size)
{
	snprintf(buf, size, "docs/rules/%s.md", r->id);
	return buf;
}

void check_run(const struct check *c, const void *input, const char *target, struct result *res)
{
	c->run(input, target, res);
}
