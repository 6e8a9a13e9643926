#include "checks/rbac_explain.h"

#include <stdlib.h>

#include "core/section.h"
#include "core/util.h"
#include "core/banned.h"

/*
 * The JSON shape (docs/json-output.md, "rbac_permissions"):
 * [{"who","binding","role","scope","rating","rules":[{"rule",
 * "capabilities","rating","source"}]}], one binding per line.
 */
struct rbac_explain {
	struct section *root;
};

/*
 * A binding entry is the list of its rules inside the section: the
 * handle is that node's address (struct rbac_explain_binding is never
 * defined, only converted back).
 */
static struct section *rules_of(struct rbac_explain_binding *b)
{
	return (struct section *)(void *)b;
}

struct rbac_explain *rbac_explain_create(void)
{
	struct rbac_explain *ex = xcalloc(1, sizeof(*ex));

	ex->root =
	    section_create(SEC_LIST, "rbac_permissions", "Effective RBAC permissions (--explain)");
	sec_empty(ex->root, "no binding grants anything to anonymous callers");
	return ex;
}

void rbac_explain_destroy(struct rbac_explain *ex)
{
	if (!ex)
		return;
	section_destroy(ex->root);
	free(ex);
}

struct rbac_explain_binding *rbac_explain_add(struct rbac_explain *ex, const char *who,
					      const char *binding, const char *role,
					      const char *scope, const char *level)
{
	struct section *b = sec_brk(sec_group(ex->root, NULL, NULL), 2);

	sec_str(b, "who", who);
	sec_str(b, "binding", binding);
	sec_str(b, "role", role);
	sec_str(b, "scope", scope);
	sec_str(b, "rating", level);
	return (struct rbac_explain_binding *)(void *)sec_flag(sec_list(b, "rules", NULL),
							       SEC_HIDE_ZERO);
}

void rbac_explain_add_rule(struct rbac_explain_binding *b, const char *rule, const char *caps,
			   const char *level, const char *where)
{
	struct section *r = sec_brk(sec_group(rules_of(b), NULL, NULL), 4);

	sec_str(r, "rule", rule);
	sec_str(r, "capabilities", caps);
	sec_str(r, "rating", level);
	sec_str(r, "source", where);
}

void rbac_explain_attach(struct rbac_explain *ex, struct result *res)
{
	result_add_section(res, ex->root);
	free(ex);
}
