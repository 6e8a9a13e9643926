#ifndef KANON_RBAC_EXPLAIN_H
#define KANON_RBAC_EXPLAIN_H

/*
 * The effective permission table of `kanon rbac --explain`: per binding
 * that matches anonymous (or authenticated) callers, every effective rule
 * of its role with the capabilities it proves. Rendered as the report
 * section "rbac_permissions" (text and JSON).
 */

#include <stddef.h>

#include "core/finding.h"

struct rbac_explain_rule {
	char *rule, *caps, *level, *where;
};

struct rbac_explain_binding {
	char *who, *binding, *role, *scope, *level;
	struct rbac_explain_rule *r;
	size_t n, alloc;
};

struct rbac_explain {
	struct rbac_explain_binding **b;
	size_t n, alloc;
};

struct rbac_explain *rbac_explain_create(void);
void rbac_explain_destroy(void *ex);
/* Strings are copied. The returned entry stays valid until destroy. */
struct rbac_explain_binding *rbac_explain_add(struct rbac_explain *ex, const char *who,
					      const char *binding, const char *role,
					      const char *scope, const char *level);
void rbac_explain_add_rule(struct rbac_explain_binding *b, const char *rule, const char *caps,
			   const char *level, const char *where);
/* Hand ex to res as the section "rbac_permissions" (res owns it). */
void rbac_explain_attach(struct rbac_explain *ex, struct result *res);

#endif
