#include "checks/rbac_explain.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

struct rbac_explain *rbac_explain_create(void)
{
	return xcalloc(1, sizeof(struct rbac_explain));
}

void rbac_explain_destroy(void *p)
{
	struct rbac_explain *ex = p;

	if (!ex)
		return;
	for (size_t i = 0; i < ex->n; i++) {
		struct rbac_explain_binding *b = ex->b[i];
		for (size_t j = 0; j < b->n; j++) {
			free(b->r[j].rule);
			free(b->r[j].caps);
			free(b->r[j].level);
			free(b->r[j].where);
		}
		free(b->r);
		free(b->who);
		free(b->binding);
		free(b->role);
		free(b->scope);
		free(b->level);
		free(b);
	}
	free(ex->b);
	free(ex);
}

struct rbac_explain_binding *rbac_explain_add(struct rbac_explain *ex, const char *who,
					      const char *binding, const char *role,
					      const char *scope, const char *level)
{
	struct rbac_explain_binding *b = xcalloc(1, sizeof(*b));

	b->who = xstrdup(who);
	b->binding = xstrdup(binding);
	b->role = xstrdup(role);
	b->scope = xstrdup(scope);
	b->level = xstrdup(level);
	ALLOC_GROW(ex->b, ex->n + 1, ex->alloc);
	ex->b[ex->n++] = b;
	return b;
}

void rbac_explain_add_rule(struct rbac_explain_binding *b, const char *rule, const char *caps,
			   const char *level, const char *where)
{
	struct rbac_explain_rule *r;

	ALLOC_GROW(b->r, b->n + 1, b->alloc);
	r = &b->r[b->n++];
	r->rule = xstrdup(rule);
	r->caps = xstrdup(caps);
	r->level = xstrdup(level);
	r->where = xstrdup(where);
}

static void explain_json(struct strbuf *out, const void *data)
{
	const struct rbac_explain *ex = data;

	strbuf_addch(out, '[');
	for (size_t i = 0; i < ex->n; i++) {
		const struct rbac_explain_binding *b = ex->b[i];
		strbuf_addstr(out, i ? ",\n  {\"who\":" : "\n  {\"who\":");
		strbuf_add_json_str(out, b->who);
		strbuf_addstr(out, ",\"binding\":");
		strbuf_add_json_str(out, b->binding);
		strbuf_addstr(out, ",\"role\":");
		strbuf_add_json_str(out, b->role);
		strbuf_addstr(out, ",\"scope\":");
		strbuf_add_json_str(out, b->scope);
		strbuf_addstr(out, ",\"rating\":");
		strbuf_add_json_str(out, b->level);
		strbuf_addstr(out, ",\"rules\":[");
		for (size_t j = 0; j < b->n; j++) {
			strbuf_addstr(out, j ? ",\n    {\"rule\":" : "\n    {\"rule\":");
			strbuf_add_json_str(out, b->r[j].rule);
			strbuf_addstr(out, ",\"capabilities\":");
			strbuf_add_json_str(out, b->r[j].caps);
			strbuf_addstr(out, ",\"rating\":");
			strbuf_add_json_str(out, b->r[j].level);
			strbuf_addstr(out, ",\"source\":");
			strbuf_add_json_str(out, b->r[j].where);
			strbuf_addch(out, '}');
		}
		strbuf_addstr(out, "]}");
	}
	strbuf_addch(out, ']');
}

static void explain_text(struct strbuf *out, const void *data, bool color)
{
	const struct rbac_explain *ex = data;

	strbuf_addstr(out, color ? "\033[1mEffective RBAC permissions (--explain)\033[0m\n"
				 : "Effective RBAC permissions (--explain)\n");
	if (!ex->n)
		strbuf_addstr(out, "  no binding grants anything to anonymous callers\n");
	for (size_t i = 0; i < ex->n; i++) {
		const struct rbac_explain_binding *b = ex->b[i];
		strbuf_addf(out, "  %s: %s -> %s, %s => %s\n", b->who, b->binding, b->role,
			    b->scope, b->level);
		for (size_t j = 0; j < b->n; j++) {
			strbuf_addf(out, "    %-9s %s\n", b->r[j].level, b->r[j].rule);
			strbuf_addf(out, "              %s  [%s]\n", b->r[j].caps, b->r[j].where);
		}
	}
}

void rbac_explain_attach(struct rbac_explain *ex, struct result *res)
{
	result_add_section(res, "rbac_permissions", ex, explain_json, explain_text,
			   rbac_explain_destroy);
}
