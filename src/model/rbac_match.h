#ifndef KANON_RBAC_MATCH_H
#define KANON_RBAC_MATCH_H

/*
 * Request matching exactly as the RBAC authorizer does it:
 * kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches,
 * APIGroupMatches, ResourceMatches, ResourceNameMatches,
 * NonResourceURLMatches), plugin/pkg/auth/authorizer/rbac/rbac.go
 * (RuleAllows) and pkg/registry/rbac/validation/rule.go (appliesToUser,
 * VisitRulesFor: binding scope).
 */

#include <stdbool.h>

#include "model/rbac_model.h"

/* One authorization request (authorizer.Attributes). */
struct rbac_request {
	bool resource; /* a resource request (else non-resource URL) */
	const char *verb;
	const char *group; /* "" is the core group */
	const char *res;   /* resource, e.g. "pods" */
	const char *sub;   /* subresource or NULL, e.g. "exec" */
	const char *name;  /* object name or NULL (create, unfiltered list) */
	const char *ns;	   /* namespace or NULL (cluster-scoped) */
	const char *path;  /* non-resource URL path */
};

bool rbac_verb_matches(const struct rbac_rule *r, const char *verb);
bool rbac_group_matches(const struct rbac_rule *r, const char *group);
/* `*`, "res" or "res/sub" exactly, or "* /sub" (no other wildcard form). */
bool rbac_resource_matches(const struct rbac_rule *r, const char *res, const char *sub);
/* No resourceNames: any name; else the request must name one of them. */
bool rbac_name_matches(const struct rbac_rule *r, const char *name);
/* `*`, exact, or a trailing `*` prefix. */
bool rbac_url_matches(const struct rbac_rule *r, const char *path);
bool rbac_rule_allows(const struct rbac_rule *r, const struct rbac_request *q);

/* Who an anonymous request is: User system:anonymous, Group system:unauthenticated. */
#define RBAC_ANON_USER	"system:anonymous"
#define RBAC_ANON_GROUP "system:unauthenticated"
#define RBAC_AUTH_GROUP "system:authenticated"

enum rbac_who {
	WHO_ANONYMOUS,	   /* an unauthenticated request */
	WHO_AUTHENTICATED, /* any authenticated identity (Group system:authenticated) */
};

/* Does this subject match every request of `who` (kind and name, apiGroup ignored)? */
bool rbac_subject_applies(const struct rbac_subject *s, enum rbac_who who);

/* Does the binding take part in deciding q? (ClusterRoleBinding: always;
 * RoleBinding: only resource requests in its own namespace.) */
bool rbac_binding_applies(const struct rbac_binding *b, const struct rbac_request *q);

/* Can a resource of the rule be a subresource ("*", "pods/exec", "* /scale")? */
bool rbac_rule_has_subresource(const struct rbac_rule *r);

/* Can this rule ever match in the binding's scope? (NULL or a reason.) */
const char *rbac_rule_ineffective(const struct rbac_rule *r, bool cluster_binding);

#endif
