/*
 * RBAC request matching. Every function mirrors one helper of
 * kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go; the
 * comments say where Kubernetes is stricter than intuition.
 */
#include "model/rbac_match.h"

#include <string.h>

#include "core/util.h"
#include "core/banned.h"

bool rbac_strs_has(const struct rbac_strs *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return true;
	return false;
}

bool rbac_verb_matches(const struct rbac_rule *r, const char *verb)
{
	for (size_t i = 0; i < r->verbs.n; i++)
		if (!strcmp(r->verbs.v[i], "*") || !strcmp(r->verbs.v[i], verb))
			return true;
	return false;
}

bool rbac_group_matches(const struct rbac_rule *r, const char *group)
{
	for (size_t i = 0; i < r->groups.n; i++)
		if (!strcmp(r->groups.v[i], "*") || !strcmp(r->groups.v[i], group))
			return true;
	return false;
}

bool rbac_resource_matches(const struct rbac_rule *r, const char *res, const char *sub)
{
	size_t rl = strlen(res), sl = sub ? strlen(sub) : 0;

	for (size_t i = 0; i < r->resources.n; i++) {
		const char *rr = r->resources.v[i];
		size_t l = strlen(rr);

		if (!strcmp(rr, "*"))
			return true;
		/* the combined "resource/subresource" compared as one string */
		if (sl ? (l == rl + 1 + sl && !strncmp(rr, res, rl) && rr[rl] == '/' &&
			  !strcmp(rr + rl + 1, sub))
		       : !strcmp(rr, res))
			return true;
		/* "* /sub" is the only subresource wildcard; "pods/ *" is literal */
		if (sl && l == sl + 2 && rr[0] == '*' && rr[1] == '/' && !strcmp(rr + 2, sub))
			return true;
	}
	return false;
}

bool rbac_name_matches(const struct rbac_rule *r, const char *name)
{
	if (!r->names.n)
		return true;
	return rbac_strs_has(&r->names, name ? name : "");
}

bool rbac_url_matches(const struct rbac_rule *r, const char *path)
{
	for (size_t i = 0; i < r->urls.n; i++) {
		const char *u = r->urls.v[i];
		size_t l = strlen(u);

		if (!strcmp(u, "*") || !strcmp(u, path))
			return true;
		if (l && u[l - 1] == '*') {
			/* strings.TrimRight(ruleURL, "*"): every trailing star */
			while (l && u[l - 1] == '*')
				l--;
			if (!strncmp(path, u, l))
				return true;
		}
	}
	return false;
}

bool rbac_rule_allows(const struct rbac_rule *r, const struct rbac_request *q)
{
	if (!rbac_verb_matches(r, q->verb))
		return false;
	if (!q->resource)
		return rbac_url_matches(r, q->path);
	return rbac_group_matches(r, q->group) && rbac_resource_matches(r, q->res, q->sub) &&
	       rbac_name_matches(r, q->name);
}

bool rbac_subject_applies(const struct rbac_subject *s, enum rbac_who who)
{
	/* appliesToUser: User compares the name, Group the membership; the
	 * apiGroup is not looked at. An anonymous request is User
	 * system:anonymous in Group system:unauthenticated only
	 * (staging/src/k8s.io/apiserver/pkg/authentication/request/anonymous).
	 * Go compares the names byte-exactly; strcmp() does too, because a
	 * NUL inside a name reaches here as the bytes C0 80 (parsers/node.h):
	 * "system:anonymous\u0000x" is another user. */
	if (!s->kind || !s->name)
		return false;
	if (who == WHO_ANONYMOUS)
		return (!strcmp(s->kind, "User") && !strcmp(s->name, RBAC_ANON_USER)) ||
		       (!strcmp(s->kind, "Group") && !strcmp(s->name, RBAC_ANON_GROUP));
	return !strcmp(s->kind, "Group") && !strcmp(s->name, RBAC_AUTH_GROUP);
}

bool rbac_binding_applies(const struct rbac_binding *b, const struct rbac_request *q)
{
	if (b->cluster)
		return true;
	/* VisitRulesFor lists RoleBindings of the request's namespace only;
	 * non-resource and cluster-scoped requests have none. A binding
	 * without metadata.namespace goes to whatever namespace it is
	 * applied in. */
	if (!q->resource || !q->ns || !*q->ns)
		return false;
	return !*b->ns || !strcmp(b->ns, q->ns);
}

bool rbac_rule_has_subresource(const struct rbac_rule *r)
{
	for (size_t i = 0; i < r->resources.n; i++)
		if (!strcmp(r->resources.v[i], "*") || strchr(r->resources.v[i], '/'))
			return true;
	return false;
}

const char *rbac_rule_ineffective(const struct rbac_rule *r, bool cluster_binding)
{
	bool nameless_only = r->verbs.n > 0;
	/* A create of a subresource names its parent object: POST
	 * .../serviceaccounts/NAME/token or .../pods/NAME/exec has Name set
	 * (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go),
	 * so resourceNames do restrict it. Only creating an object (POST to the
	 * collection) and deletecollection carry no name. */
	bool sub = rbac_rule_has_subresource(r);

	if (r->urls.n && !cluster_binding)
		return "nonResourceURLs take effect only through a ClusterRoleBinding "
		       "(non-resource requests have no namespace)";
	if (r->names.n) {
		for (size_t i = 0; i < r->verbs.n; i++)
			if (strcmp(r->verbs.v[i], "deletecollection") &&
			    (strcmp(r->verbs.v[i], "create") || sub))
				nameless_only = false;
		if (nameless_only)
			return "resourceNames never match creating an object or "
			       "deletecollection (those requests carry no object name)";
	}
	return NULL;
}
