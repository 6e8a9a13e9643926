#ifndef KANON_RBAC_RATE_H
#define KANON_RBAC_RATE_H

/*
 * The danger model: named capabilities, each defined by the requests that
 * prove it (matched with the authorizer's own rules, rbac_match.h), and a
 * level. A binding is rated by the most dangerous capability it grants.
 * docs/rules/rbac-anonymous-binding.md lists the table.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/rbac_model.h"
#include "core/rule.h"

enum rbac_level {
	LVL_NONE,     /* grants nothing */
	LVL_BASELINE, /* what every default cluster grants: no finding */
	LVL_LOW,
	LVL_MEDIUM,
	LVL_HIGH,
	LVL_CRITICAL,
	LVL__COUNT
};

const char *rbac_level_name(enum rbac_level l);
/* Severity of a level (NONE and BASELINE are info). */
enum severity rbac_level_severity(enum rbac_level l);

enum rbac_cap_id {
	CAP_WILDCARD,
	CAP_SECRETS_READ,
	CAP_PODS_EXEC,
	CAP_WORKLOADS,
	CAP_BIND_ESCALATE,
	CAP_BINDINGS_WRITE,
	CAP_IMPERSONATE,
	CAP_NODES_PROXY,
	CAP_SA_TOKEN,
	CAP_ADMISSION,
	CAP_CSR_APPROVE,
	CAP_SECRETS_CREATE,
	CAP_SELF_REVIEW,
	CAP_READ,
	CAP_WRITE,
	CAP_OTHER_VERB,
	CAP_CLUSTER_INFO,
	CAP_PUBLIC_INFO,
	CAP_DISCOVERY,
	CAP_OIDC,
	CAP_NONRESOURCE_GET,
	CAP_APISERVER_DEBUG,
	CAP_NONRESOURCE_WRITE,
	CAP__COUNT
};

struct rbac_cap {
	const char *id;		     /* stable name, e.g. "secrets-read" */
	const char *what;	     /* "read secrets" */
	enum rbac_level level;	     /* cluster-wide, or in kube-system */
	enum rbac_level named_level; /* when only listed resourceNames match */
};

extern const struct rbac_cap rbac_caps[CAP__COUNT];

/* Where a binding grants: cluster-wide, or one namespace ("" unknown). */
struct rbac_scope {
	bool cluster;
	const char *ns;
};

struct rbac_grant {
	enum rbac_cap_id cap;
	enum rbac_level level; /* after scope and resourceNames */
	bool named;	       /* only for the rule's resourceNames */
};

#define RBAC_MAX_GRANTS CAP__COUNT

/*
 * Rate one rule as granted in scope. Fills out[] (one entry per capability,
 * the highest level kept) and returns how many; 0 when the rule can never
 * match in this scope.
 */
size_t rbac_rate_rule(const struct rbac_rule *r, const struct rbac_scope *sc,
		      struct rbac_grant out[RBAC_MAX_GRANTS]);

/* Is resource a well-known cluster-scoped one (no RoleBinding reaches it)? */
bool rbac_cluster_scoped(const char *group, const char *resource);

/* "pods/ *" or "* / *": not a wildcard (only "*" and "* /sub" are), matches nothing real. */
bool rbac_resource_bogus(const char *res);

#endif
