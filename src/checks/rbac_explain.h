#ifndef KANON_RBAC_EXPLAIN_H
#define KANON_RBAC_EXPLAIN_H

/*
 * The effective permission table of `kanon rbac --explain`: per binding
 * that matches anonymous (or authenticated) callers, every effective rule
 * of its role with the capabilities it proves. Built as the report
 * section "rbac_permissions" (core/section.h); the reporters render it.
 */

#include "core/finding.h"

struct rbac_explain;
/* One binding's entry: its rules are added with rbac_explain_add_rule(). */
struct rbac_explain_binding;

struct rbac_explain *rbac_explain_create(void);
void rbac_explain_destroy(struct rbac_explain *ex);
/* Strings are copied. The returned entry stays valid until destroy or attach. */
struct rbac_explain_binding *rbac_explain_add(struct rbac_explain *ex, const char *who,
					      const char *binding, const char *role,
					      const char *scope, const char *level);
void rbac_explain_add_rule(struct rbac_explain_binding *b, const char *rule, const char *caps,
			   const char *level, const char *where);
/* Hand ex to res as the section "rbac_permissions"; ex is freed. */
void rbac_explain_attach(struct rbac_explain *ex, struct result *res);

#endif
