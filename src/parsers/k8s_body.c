/* Reading Kubernetes API response bodies (parsers/k8s_body.h). */
#include "parsers/k8s_body.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/json.h"
#include "core/banned.h"

void k8s_body_init(struct k8s_body *b)
{
	memset(b, 0, sizeof(*b));
}

void k8s_body_release(struct k8s_body *b)
{
	free(b->kind);
	free(b->api_version);
	free(b->status);
	free(b->reason);
	free(b->message);
	free(b->details_kind);
	k8s_body_init(b);
}

/* A string member of map, cut at K8S_BODY_MAX_STR; NULL when absent or another type. */
static char *member(const struct node *map, const char *key)
{
	const struct node *v = node_map_get(map, key);

	if (!v || v->kind != NODE_SCALAR || !v->quoted)
		return NULL;
	return xstrndup(v->str, v->len < K8S_BODY_MAX_STR ? v->len : K8S_BODY_MAX_STR);
}

struct walk {
	struct k8s_body *b;
	bool seen; /* the first top-level value was read */
};

static void read_top(struct k8s_body *b, const struct node *n)
{
	const struct node *v;

	if (n->kind != NODE_MAP)
		return;
	b->object = true;
	b->kind = member(n, "kind");
	b->api_version = member(n, "apiVersion");
	b->status = member(n, "status");
	b->reason = member(n, "reason");
	b->message = member(n, "message");
	v = node_map_get(n, "code");
	if (v && v->kind == NODE_SCALAR && !v->quoted && node_get_int(v, &b->code) < 0)
		b->code = 0;
	v = node_map_get(n, "details");
	if (v && v->kind == NODE_MAP)
		b->details_kind = member(v, "kind");
	/*
	 * the parser took a top-level "items" array out of the tree, so an
	 * empty one is known by the kind only: every List of objects is
	 * "...List"; the discovery types APIGroupList and APIResourceList
	 * (meta/v1) have groups and resources instead
	 */
	if (b->kind && ends_with(b->kind, "List") && strcmp(b->kind, "APIGroupList") &&
	    strcmp(b->kind, "APIResourceList"))
		b->has_items = true;
}

static int on_value(struct node *n, bool is_item, void *ctx)
{
	struct walk *w = ctx;

	if (is_item) {
		/* split only from a top-level object's "items" array */
		w->b->has_items = true;
		w->b->items++;
	} else if (!w->seen) {
		read_top(w->b, n);
		w->seen = true;
	}
	node_destroy(n);
	return 0;
}

int k8s_body_parse(const char *buf, size_t len, struct k8s_body *b)
{
	struct walk w = {b, false};
	struct err e;
	int rc;

	k8s_body_release(b);
	if (!json_sniff(buf, len))
		return -1;
	rc = json_parse_stream(buf, len, "body", true, on_value, &w, &e);
	b->complete = rc == 0;
	if (!w.seen && !b->items)
		return rc == 0 ? 0 : -1;
	if (!w.seen)
		b->object = true; /* cut inside the items: the object began */
	return 0;
}

char *k8s_forbidden_user(const char *msg, size_t len)
{
	const char *end = msg + len, *p;
	struct strbuf sb = STRBUF_INIT;

	p = memmem(msg, len, "User \"", 6);
	if (p) {
		/* a Go %q string: stop at the closing quote, keep escapes as written */
		for (p += 6; p < end && *p != '"' && sb.len < 256; p++) {
			if (*p == '\\' && p + 1 < end)
				strbuf_addch(&sb, *p++);
			strbuf_addch(&sb, *p);
		}
		if (p < end && *p == '"' && sb.len)
			return strbuf_detach(&sb);
		strbuf_release(&sb);
		return NULL;
	}
	p = memmem(msg, len, "(user=", 6);
	if (!p)
		return NULL;
	for (p += 6; p < end && *p != ',' && *p != ')' && sb.len < 256; p++)
		strbuf_addch(&sb, *p);
	if (p < end && sb.len)
		return strbuf_detach(&sb);
	strbuf_release(&sb);
	return NULL;
}
