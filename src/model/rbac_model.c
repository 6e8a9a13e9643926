/*
 * Loading RBAC objects into the model, indexing them and resolving
 * aggregated ClusterRoles. Strings and arrays live in an arena owned by
 * the set, so 100,000 objects cost a few large allocations.
 */
#include "model/rbac_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/rbac_defaults.h"
#include "model/rbac_match.h"
#include "core/util.h"
#include "parsers/json.h"
#include "parsers/yaml.h"
#include "sources/provider.h"
#include "core/banned.h"

/*
 * A file is read whole (parsed item by item): 64 MiB holds `kubectl get
 * clusterroles,clusterrolebindings,roles,rolebindings -A -o json` of about
 * 100,000 objects and keeps memory under 100 MB; a bigger export can be
 * split into several files or a directory.
 */
#define RBAC_MAX_FILE	    (64u << 20)
#define RBAC_MAX_LIST_DEPTH 4
/* Aggregated roles resolve in at most one pass per nesting level. */
#define RBAC_MAX_AGG_RULES 100000

/* ===== arena ===== */

struct rbac_arena_chunk {
	struct rbac_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *rbac_set_alloc(struct rbac_set *s, size_t n)
{
	struct rbac_arena_chunk *c = s->arena;
	void *p;

	n = st_add(n, 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > (1u << 20) ? n : (1u << 20);
		c = xmalloc(st_add(sizeof(*c), size));
		c->next = s->arena;
		c->used = 0;
		c->size = size;
		s->arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static const char *arena_strndup(struct rbac_set *s, const char *str, size_t len)
{
	char *p = rbac_set_alloc(s, st_add(len, 1));
	memcpy(p, str, len);
	p[len] = '\0';
	return p;
}

const char *rbac_set_strdup(struct rbac_set *s, const char *str)
{
	return str ? arena_strndup(s, str, strlen(str)) : NULL;
}

/* ===== index: (kind, namespace, name) -> object ===== */

struct rbac_slot {
	uint64_t hash;
	void *obj; /* NULL: empty */
};

static uint64_t key_hash(bool cluster, const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	h = (h ^ (cluster ? 'C' : 'R')) * 1099511628211ULL;
	for (const char *p = ns; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static bool role_is(const struct rbac_role *r, bool cluster, const char *ns, const char *name)
{
	return r->cluster == cluster && !strcmp(r->name, name) && (cluster || !strcmp(r->ns, ns));
}

static bool binding_is(const struct rbac_binding *b, bool cluster, const char *ns, const char *name)
{
	return b->cluster == cluster && !strcmp(b->name, name) && (cluster || !strcmp(b->ns, ns));
}

/* Find the slot for a key: the matching one or the empty one to fill. */
static struct rbac_slot *slot_find(struct rbac_slot *tab, size_t cap, bool roles, bool cluster,
				   const char *ns, const char *name, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	for (;;) {
		struct rbac_slot *sl = &tab[i];
		if (!sl->obj)
			return sl;
		if (sl->hash == h && (roles ? role_is(sl->obj, cluster, ns, name)
					    : binding_is(sl->obj, cluster, ns, name)))
			return sl;
		i = (i + 1) & (cap - 1);
	}
}

static void index_grow(struct rbac_slot **tab, size_t *cap, size_t count)
{
	struct rbac_slot *old = *tab;
	size_t oldcap = *cap, ncap = oldcap ? oldcap : 64;

	if (st_mult(count, 2) < oldcap)
		return;
	while (count * 2 >= ncap)
		ncap = st_mult(ncap, 2);
	*tab = xcalloc(ncap, sizeof(**tab));
	*cap = ncap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;
		if (!old[i].obj)
			continue;
		j = (size_t)old[i].hash & (ncap - 1);
		while ((*tab)[j].obj)
			j = (j + 1) & (ncap - 1);
		(*tab)[j] = old[i];
	}
	free(old);
}

/* ===== set ===== */

void rbac_set_init(struct rbac_set *s)
{
	memset(s, 0, sizeof(*s));
}

static void issue_release(struct rbac_issue *i)
{
	free(i->target);
	free(i->file);
	free(i->key);
	free(i->value);
	free(i->msg);
	free(i->file2);
}

void rbac_set_release(struct rbac_set *s)
{
	struct rbac_arena_chunk *c;

	if (!s)
		return;
	c = s->arena;
	for (size_t i = 0; i < s->nroles; i++) {
		struct rbac_role *r = s->roles[i];
		if (r->eff_owned)
			free(r->eff);
		free(r->parts);
	}
	for (size_t i = 0; i < s->nissues; i++)
		issue_release(&s->issues[i]);
	free(s->issues);
	free(s->roles);
	free(s->bindings);
	free(s->rindex);
	free(s->bindex);
	if (s->builtin) {
		rbac_set_release(s->builtin);
		free(s->builtin);
	}
	while (c) {
		struct rbac_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	memset(s, 0, sizeof(*s));
}

static struct rbac_issue *issue_add(struct rbac_set *s, enum rbac_issue_kind kind,
				    const char *target, const char *file, int line, const char *key,
				    const char *value, const char *msg)
{
	struct rbac_issue *i;

	ALLOC_GROW(s->issues, s->nissues + 1, s->aissues);
	i = &s->issues[s->nissues++];
	memset(i, 0, sizeof(*i));
	i->kind = kind;
	i->target = xstrdup(target);
	i->file = xstrdup_or_null(file);
	i->line = line;
	i->key = xstrdup_or_null(key);
	i->value = xstrdup_or_null(value);
	i->msg = xstrdup(msg);
	return i;
}

/* ===== decoding one object ===== */

struct dec {
	struct rbac_set *s;
	const char *file;
	const char *kind;
	const char *name;
	int line;
	/* first decoding error: the object is refused */
	char err[256];
	int err_line;
	const char *err_key;
};

static void dec_fail(struct dec *d, const struct node *at, int line, const char *key,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void dec_fail(struct dec *d, const struct node *at, int line, const char *key,
		     const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t n;

	if (d->err[0])
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	n = sb.len < sizeof(d->err) - 1 ? sb.len : sizeof(d->err) - 1;
	memcpy(d->err, sb.buf, n);
	d->err[n] = '\0';
	d->err_line = at ? at->line : line;
	d->err_key = key;
	strbuf_release(&sb);
}

/*
 * node_get_string() with a fast path: a plain scalar whose first character
 * can start neither a YAML 1.1 boolean (y n t f o), nor a number or
 * inf/nan (digits + - . _ i n), nor a null (~) is a string. A 100,000-object
 * export has millions of scalars ("get", "pods", "system:...").
 */
static int scalar_string(const struct node *n, const char **out)
{
	if (n && n->kind == NODE_SCALAR && n->str && n->len) {
		unsigned char c = (unsigned char)n->str[0];
		if (n->quoted || (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' ||
				   c == ':' || c == '*') &&
				  !strchr("yYnNtTfFoOiI", c))) {
			*out = n->str;
			return 0;
		}
	}
	return node_get_string(n, out);
}

/* A string field; NULL when absent or null. */
static const char *dec_str(struct dec *d, const struct node *map, const char *key, const char *path)
{
	const struct node *n = node_map_get(map, key);
	const char *v;

	if (!n || node_is_null(n))
		return NULL;
	if (scalar_string(n, &v) < 0) {
		dec_fail(d, n, 0, path, "%s must be a string, not %s%s", path, node_kind_name(n),
			 n->kind == NODE_MAP ? " (an unrendered template such as '{{ ... }}'? "
					       "render it first, e.g. with 'helm template')"
					     : "");
		return NULL;
	}
	return arena_strndup(d->s, v, strlen(v));
}

static void dec_strs(struct dec *d, const struct node *map, const char *key, const char *path,
		     struct rbac_strs *out)
{
	const struct node *n = node_map_get(map, key);

	out->v = NULL;
	out->n = 0;
	if (!n || node_is_null(n))
		return;
	if (n->kind != NODE_SEQ) {
		dec_fail(d, n, 0, path, "%s must be a list of strings", path);
		return;
	}
	out->v = rbac_set_alloc(d->s, st_mult(n->n ? n->n : 1, sizeof(char *)));
	for (size_t i = 0; i < n->n; i++) {
		const char *v;
		if (scalar_string(n->kids[i], &v) < 0) {
			dec_fail(d, n->kids[i], 0, path, "%s must be a list of strings", path);
			out->n = 0;
			return;
		}
		out->v[out->n++] = arena_strndup(d->s, v, strlen(v));
	}
}

static void dec_labels(struct dec *d, const struct node *map, const char *path,
		       struct rbac_label **out, size_t *nout)
{
	size_t n = node_map_len(map);

	*out = NULL;
	*nout = 0;
	if (!map || node_is_null(map))
		return;
	if (map->kind != NODE_MAP) {
		dec_fail(d, map, 0, path, "%s must be a mapping", path);
		return;
	}
	*out = rbac_set_alloc(d->s, st_mult(n ? n : 1, sizeof(**out)));
	for (size_t i = 0; i < n; i++) {
		const char *k, *v;
		if (scalar_string(node_map_key(map, i), &k) < 0 ||
		    scalar_string(node_map_val(map, i), &v) < 0) {
			dec_fail(d, node_map_val(map, i), 0, path,
				 "%s: keys and values must be strings", path);
			*nout = 0;
			return;
		}
		(*out)[*nout].key = arena_strndup(d->s, k, strlen(k));
		(*out)[*nout].value = arena_strndup(d->s, v, strlen(v));
		(*nout)++;
	}
}

static uint64_t strs_hash(uint64_t h, const struct rbac_strs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (const char *p = s->v[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	return (h ^ 0x1e) * 1099511628211ULL;
}

static uint64_t rule_hash(const struct rbac_rule *r)
{
	uint64_t h = 1469598103934665603ULL;

	h = strs_hash(h, &r->verbs);
	h = strs_hash(h, &r->groups);
	h = strs_hash(h, &r->resources);
	h = strs_hash(h, &r->names);
	return strs_hash(h, &r->urls);
}

/* ValidatePolicyRule (pkg/apis/rbac/validation/validation.go). */
static void validate_rule(struct dec *d, const struct rbac_rule *r, bool namespaced,
			  const struct node *at)
{
	if (!r->verbs.n)
		dec_fail(d, at, 0, "verbs", "%s", "rules: verbs must contain at least one value");
	if (r->urls.n) {
		if (namespaced)
			dec_fail(d, at, 0, "nonResourceURLs", "%s",
				 "rules: namespaced rules cannot apply to non-resource URLs");
		if (r->groups.n || r->resources.n || r->names.n)
			dec_fail(d, at, 0, "nonResourceURLs", "%s",
				 "rules cannot apply to both regular resources and "
				 "non-resource URLs");
		return;
	}
	if (!r->groups.n)
		dec_fail(d, at, 0, "apiGroups", "%s",
			 "rules: resource rules must supply at least one api group");
	if (!r->resources.n)
		dec_fail(d, at, 0, "resources", "%s",
			 "rules: resource rules must supply at least one resource");
}

static bool autoupdate_of(const struct node *meta)
{
	const struct node *ann = node_map_get(meta, "annotations");
	const struct node *v = node_map_get(ann, "rbac.authorization.kubernetes.io/autoupdate");
	const char *s;

	return v && scalar_string(v, &s) == 0 && !strcmp(s, "true");
}

static void target_of(struct strbuf *sb, const char *kind, bool cluster, const char *ns,
		      const char *name)
{
	if (cluster || !ns || !*ns)
		strbuf_addf(sb, "%s/%s", kind, name ? name : "?");
	else
		strbuf_addf(sb, "%s/%s/%s", kind, ns, name ? name : "?");
}

static void dec_refuse(struct dec *d, bool cluster, const char *ns)
{
	struct strbuf t = STRBUF_INIT;

	target_of(&t, d->kind, cluster, ns, d->name);
	issue_add(d->s, RBAC_ISSUE_INVALID, t.buf, d->file, d->err_line, d->err_key, NULL, d->err);
	strbuf_release(&t);
}

static void note_duplicate(struct rbac_set *s, const char *kind, bool cluster, const char *ns,
			   const char *name, const char *file, int line, const char *file2,
			   int line2, const char *extra)
{
	struct strbuf t = STRBUF_INIT, m = STRBUF_INIT;
	struct rbac_issue *i;

	target_of(&t, kind, cluster, ns, name);
	strbuf_addf(&m,
		    "%s is defined more than once; kanon uses the last one, as "
		    "applying the files in this order would%s",
		    t.buf, extra ? extra : "");
	i = issue_add(s, RBAC_ISSUE_DUPLICATE, t.buf, file, line, NULL, NULL, m.buf);
	i->file2 = xstrdup_or_null(file2);
	i->line2 = line2;
	strbuf_release(&t);
	strbuf_release(&m);
}

/*
 * aggregationRule.clusterRoleSelectors: metav1.LabelSelector each. A null
 * entry decodes to the empty selector, which matches every ClusterRole
 * (LabelSelectorAsSelector returns labels.Everything()). Operators and
 * values are checked as ValidateLabelSelector / labels.NewRequirement do:
 * In and NotIn need values, Exists and DoesNotExist take none.
 */
static void dec_selectors(struct dec *d, const struct node *sels, struct rbac_role *r)
{
	r->sel = rbac_set_alloc(d->s, st_mult(sels->n, sizeof(*r->sel)));
	for (size_t i = 0; i < sels->n; i++) {
		const struct node *sn = sels->kids[i];
		const struct node *ex = node_map_get(sn, "matchExpressions");
		struct rbac_selector *sel = &r->sel[r->nsel++];

		if (node_is_null(sn))
			continue;
		if (sn->kind != NODE_MAP) {
			dec_fail(d, sn, 0, "aggregationRule.clusterRoleSelectors", "%s",
				 "aggregationRule.clusterRoleSelectors must be a list of "
				 "label selectors (mappings)");
			return;
		}
		dec_labels(d, node_map_get(sn, "matchLabels"),
			   "aggregationRule.clusterRoleSelectors[].matchLabels", &sel->labels,
			   &sel->nlabels);
		if (!ex || node_is_null(ex))
			continue;
		if (ex->kind != NODE_SEQ) {
			dec_fail(d, ex, 0, "matchExpressions", "%s",
				 "matchExpressions must be a list");
			return;
		}
		sel->expr = rbac_set_alloc(d->s, st_mult(ex->n ? ex->n : 1, sizeof(*sel->expr)));
		for (size_t j = 0; j < ex->n; j++) {
			const struct node *en = ex->kids[j];
			struct rbac_sel_expr *e = &sel->expr[sel->nexpr];
			const char *op;

			if (en->kind != NODE_MAP) {
				dec_fail(d, en, 0, "matchExpressions", "%s",
					 "matchExpressions must be a list of mappings");
				return;
			}
			op = dec_str(d, en, "operator", "matchExpressions[].operator");
			e->key = dec_str(d, en, "key", "matchExpressions[].key");
			dec_strs(d, en, "values", "matchExpressions[].values", &e->values);
			if (!e->key || !*e->key || !op) {
				dec_fail(d, en, 0, "matchExpressions", "%s",
					 "matchExpressions need key and operator");
				return;
			}
			if (!strcmp(op, "In"))
				e->op = SEL_IN;
			else if (!strcmp(op, "NotIn"))
				e->op = SEL_NOT_IN;
			else if (!strcmp(op, "Exists"))
				e->op = SEL_EXISTS;
			else if (!strcmp(op, "DoesNotExist"))
				e->op = SEL_NOT_EXISTS;
			else {
				dec_fail(d, en, 0, "matchExpressions",
					 "'%s' is not a valid label selector operator", op);
				return;
			}
			if ((e->op == SEL_IN || e->op == SEL_NOT_IN) && !e->values.n) {
				dec_fail(d, en, 0, "matchExpressions[].values",
					 "values must be non-empty when operator is %s", op);
				return;
			}
			if ((e->op == SEL_EXISTS || e->op == SEL_NOT_EXISTS) && e->values.n) {
				dec_fail(d, en, 0, "matchExpressions[].values",
					 "values must be empty when operator is %s", op);
				return;
			}
			sel->nexpr++;
		}
	}
}

static void add_role(struct rbac_set *s, struct dec *d, const struct node *obj, bool cluster,
		     const struct node *meta, const char *ns)
{
	const struct node *rules = node_map_get(obj, "rules");
	const struct node *agg = node_map_get(obj, "aggregationRule");
	struct rbac_role *r = rbac_set_alloc(s, sizeof(*r));
	struct rbac_slot *sl;
	uint64_t h;

	r->cluster = cluster;
	r->ns = cluster ? "" : ns ? ns : "";
	r->name = d->name;
	r->file = d->file;
	r->line = d->line;
	r->autoupdate = autoupdate_of(meta);
	dec_labels(d, node_map_get(meta, "labels"), "metadata.labels", &r->labels, &r->nlabels);
	if (rules && !node_is_null(rules) && rules->kind != NODE_SEQ)
		dec_fail(d, rules, 0, "rules", "%s", "rules must be a list");
	else if (rules && rules->kind == NODE_SEQ) {
		r->rules = rbac_set_alloc(s, st_mult(rules->n ? rules->n : 1, sizeof(*r->rules)));
		for (size_t i = 0; i < rules->n; i++) {
			const struct node *rn = rules->kids[i];
			struct rbac_rule *ru = &r->rules[r->nrules];
			if (rn->kind != NODE_MAP) {
				dec_fail(d, rn, 0, "rules", "%s",
					 "rules must be a list of mappings");
				break;
			}
			dec_strs(d, rn, "verbs", "rules[].verbs", &ru->verbs);
			dec_strs(d, rn, "apiGroups", "rules[].apiGroups", &ru->groups);
			dec_strs(d, rn, "resources", "rules[].resources", &ru->resources);
			dec_strs(d, rn, "resourceNames", "rules[].resourceNames", &ru->names);
			dec_strs(d, rn, "nonResourceURLs", "rules[].nonResourceURLs", &ru->urls);
			ru->file = d->file;
			ru->line = rn->line;
			ru->index = (int)i;
			ru->from = r;
			validate_rule(d, ru, !cluster, rn);
			r->nrules++;
		}
	}
	if (agg && !node_is_null(agg)) {
		const struct node *sels = node_map_get(agg, "clusterRoleSelectors");
		if (!cluster)
			dec_fail(d, agg, 0, "aggregationRule", "%s",
				 "aggregationRule is a field of ClusterRoles only");
		r->aggregated = true;
		/* ValidateClusterRole (pkg/apis/rbac/validation/validation.go):
		 * at least one selector, each a valid metav1.LabelSelector. */
		if (sels && !node_is_null(sels) && sels->kind != NODE_SEQ)
			dec_fail(d, sels, 0, "aggregationRule", "%s",
				 "aggregationRule.clusterRoleSelectors must be a list");
		else if (!sels || node_is_null(sels) || !sels->n)
			dec_fail(d, agg, 0, "aggregationRule.clusterRoleSelectors", "%s",
				 "at least one clusterRoleSelector required if "
				 "aggregationRule is non-nil");
		else
			dec_selectors(d, sels, r);
	}
	if (d->err[0]) {
		dec_refuse(d, cluster, r->ns);
		return;
	}
	/* effective rules start as the rules written */
	r->eff = rbac_set_alloc(s, st_mult(r->nrules ? r->nrules : 1, sizeof(*r->eff)));
	for (size_t i = 0; i < r->nrules; i++)
		r->eff[i] = &r->rules[i];
	r->neff = r->nrules;

	index_grow(&s->rindex, &s->rcap, s->rcount + 1);
	h = key_hash(cluster, r->ns, r->name);
	sl = slot_find(s->rindex, s->rcap, true, cluster, r->ns, r->name, h);
	if (sl->obj) {
		struct rbac_role *old = sl->obj;
		old->superseded = true;
		note_duplicate(s, d->kind, cluster, r->ns, r->name, r->file, r->line, old->file,
			       old->line, NULL);
	} else {
		s->rcount++;
	}
	sl->hash = h;
	sl->obj = r;
	ALLOC_GROW(s->roles, s->nroles + 1, s->aroles);
	s->roles[s->nroles++] = r;
}

/* ValidateRBACName: path.IsValidPathSegmentName (names end up in URL paths). */
static bool bad_rbac_name(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/') || strchr(name, '%');
}

static void add_binding(struct rbac_set *s, struct dec *d, const struct node *obj, bool cluster,
			const struct node *meta, const char *ns)
{
	const struct node *ref = node_map_get(obj, "roleRef");
	const struct node *subj = node_map_get(obj, "subjects");
	struct rbac_binding *b = rbac_set_alloc(s, sizeof(*b));
	const char *group;
	struct rbac_slot *sl;
	uint64_t h;

	b->cluster = cluster;
	b->ns = cluster ? "" : ns ? ns : "";
	b->name = d->name;
	b->file = d->file;
	b->line = d->line;
	b->autoupdate = autoupdate_of(meta);
	if (!ref || ref->kind != NODE_MAP) {
		dec_fail(d, ref, d->line, "roleRef", "%s", "roleRef is required");
	} else {
		b->ref_line = ref->line;
		b->ref_kind = dec_str(d, ref, "kind", "roleRef.kind");
		b->ref_name = dec_str(d, ref, "name", "roleRef.name");
		group = dec_str(d, ref, "apiGroup", "roleRef.apiGroup");
		/* ValidateRoleBindingRoleRef (pkg/apis/rbac/validation) */
		if (!b->ref_name || !*b->ref_name)
			dec_fail(d, ref, 0, "roleRef.name", "%s", "roleRef.name is required");
		else if (bad_rbac_name(b->ref_name))
			dec_fail(d, ref, 0, "roleRef.name",
				 "roleRef.name may not be '.' or '..' or contain '/' or '%%'");
		if (!b->ref_kind || (strcmp(b->ref_kind, "ClusterRole") &&
				     (cluster || strcmp(b->ref_kind, "Role"))))
			dec_fail(d, ref, 0, "roleRef.kind",
				 cluster ? "roleRef.kind must be ClusterRole, not '%s'"
					 : "roleRef.kind must be Role or ClusterRole, not '%s'",
				 b->ref_kind ? b->ref_kind : "");
		/* an empty apiGroup is defaulted before validation
		 * (pkg/apis/rbac/v1/defaults.go SetDefaults_RoleBinding) */
		if (group && *group && strcmp(group, "rbac.authorization.k8s.io"))
			dec_fail(d, ref, 0, "roleRef.apiGroup",
				 "roleRef.apiGroup must be rbac.authorization.k8s.io, not '%s'",
				 group ? group : "");
	}
	if (subj && !node_is_null(subj) && subj->kind != NODE_SEQ) {
		dec_fail(d, subj, 0, "subjects", "%s", "subjects must be a list");
	} else if (subj && subj->kind == NODE_SEQ) {
		b->subj = rbac_set_alloc(s, st_mult(subj->n ? subj->n : 1, sizeof(*b->subj)));
		for (size_t i = 0; i < subj->n; i++) {
			const struct node *sn = subj->kids[i];
			struct rbac_subject *su = &b->subj[b->nsubj++];
			if (sn->kind != NODE_MAP) {
				dec_fail(d, sn, 0, "subjects", "%s", "subjects must be mappings");
				break;
			}
			su->kind = dec_str(d, sn, "kind", "subjects[].kind");
			su->name = dec_str(d, sn, "name", "subjects[].name");
			su->ns = dec_str(d, sn, "namespace", "subjects[].namespace");
			su->api_group = dec_str(d, sn, "apiGroup", "subjects[].apiGroup");
			su->line = sn->line;
			/* ValidateRoleBindingSubject */
			if (!su->name || !*su->name)
				dec_fail(d, sn, 0, "subjects[].name", "%s",
					 "subjects[].name is required");
			if (!su->kind || (strcmp(su->kind, "User") && strcmp(su->kind, "Group") &&
					  strcmp(su->kind, "ServiceAccount"))) {
				dec_fail(d, sn, 0, "subjects[].kind",
					 "subjects[].kind must be User, Group or ServiceAccount, "
					 "not '%s'",
					 su->kind ? su->kind : "");
			} else if (!strcmp(su->kind, "ServiceAccount")) {
				if (su->api_group && *su->api_group)
					dec_fail(d, sn, 0, "subjects[].apiGroup",
						 "a ServiceAccount subject's apiGroup must be "
						 "empty, not '%s'",
						 su->api_group);
				if (cluster && (!su->ns || !*su->ns))
					dec_fail(d, sn, 0, "subjects[].namespace", "%s",
						 "a ServiceAccount subject of a "
						 "ClusterRoleBinding needs a namespace");
			} else if (su->api_group && *su->api_group &&
				   strcmp(su->api_group, "rbac.authorization.k8s.io")) {
				dec_fail(d, sn, 0, "subjects[].apiGroup",
					 "a User or Group subject's apiGroup must be "
					 "rbac.authorization.k8s.io, not '%s'",
					 su->api_group);
			}
		}
	}
	if (d->err[0]) {
		dec_refuse(d, cluster, b->ns);
		return;
	}
	index_grow(&s->bindex, &s->bcap, s->bcount + 1);
	h = key_hash(cluster, b->ns, b->name);
	sl = slot_find(s->bindex, s->bcap, false, cluster, b->ns, b->name, h);
	if (sl->obj) {
		struct rbac_binding *old = sl->obj;
		old->superseded = true;
		bool was = false, is = false;
		for (size_t i = 0; i < old->nsubj; i++)
			was |= rbac_subject_applies(&old->subj[i], WHO_ANONYMOUS);
		for (size_t i = 0; i < b->nsubj; i++)
			is |= rbac_subject_applies(&b->subj[i], WHO_ANONYMOUS);
		note_duplicate(
		    s, d->kind, cluster, b->ns, b->name, b->file, b->line, old->file, old->line,
		    was && !is	 ? " (the replaced definition binds anonymous "
				   "callers, the one used does not: check which one the cluster has)"
		    : !was && is ? " (the definition used binds anonymous callers, "
				   "the replaced one does not)"
				 : NULL);
	} else {
		s->bcount++;
	}
	sl->hash = h;
	sl->obj = b;
	ALLOC_GROW(s->bindings, s->nbindings + 1, s->abindings);
	s->bindings[s->nbindings++] = b;
}

static bool ends_with_list(const char *kind)
{
	size_t l = strlen(kind);
	return l >= 4 && !strcmp(kind + l - 4, "List");
}

static void add_object(struct rbac_set *s, const struct node *obj, const char *file,
		       struct result *res, int depth)
{
	const struct node *meta, *items;
	const char *kind = NULL, *api = NULL, *ns;
	bool cluster, role;
	struct dec d;

	if (obj && obj->kind == NODE_SEQ && depth < RBAC_MAX_LIST_DEPTH) {
		/* a bare array of objects, e.g. `kubectl ... -o json | jq .items` */
		for (size_t i = 0; i < obj->n; i++)
			add_object(s, obj->kids[i], file, res, depth + 1);
		return;
	}
	if (!obj || obj->kind != NODE_MAP) {
		if (res && obj)
			result_diag(res, DIAG_NOTE, "%s:%d: skipped %s (not a Kubernetes object)",
				    file, obj->line, node_kind_name(obj));
		s->skipped++;
		return;
	}
	if (scalar_string(node_map_get(obj, "kind"), &kind) < 0)
		kind = NULL;
	if (scalar_string(node_map_get(obj, "apiVersion"), &api) < 0)
		api = NULL;
	items = node_map_get(obj, "items");
	if (kind && ends_with_list(kind)) {
		if (items && items->kind == NODE_SEQ && depth < RBAC_MAX_LIST_DEPTH)
			for (size_t i = 0; i < items->n; i++)
				add_object(s, items->kids[i], file, res, depth + 1);
		return;
	}
	cluster = kind && (!strcmp(kind, "ClusterRole") || !strcmp(kind, "ClusterRoleBinding"));
	role = kind && (!strcmp(kind, "Role") || !strcmp(kind, "ClusterRole"));
	if (!kind || !api || !starts_with(api, "rbac.authorization.k8s.io/") ||
	    (!role && strcmp(kind, "RoleBinding") && strcmp(kind, "ClusterRoleBinding"))) {
		const char *name = NULL;
		if (scalar_string(node_map_get(node_map_get(obj, "metadata"), "name"), &name) < 0)
			name = NULL;
		if (res)
			result_diag(res, DIAG_NOTE, "%s:%d: skipped %s%s%s (not an RBAC object)",
				    file, obj->line, kind ? kind : "an object without kind",
				    name ? " " : "", name ? name : "");
		s->skipped++;
		return;
	}
	memset(&d, 0, sizeof(d));
	d.s = s;
	d.file = file;
	d.kind = kind;
	d.line = obj->line;
	meta = node_map_get(obj, "metadata");
	d.name = dec_str(&d, meta, "name", "metadata.name");
	ns = dec_str(&d, meta, "namespace", "metadata.namespace");
	if (!d.err[0] && (!d.name || !*d.name))
		dec_fail(&d, meta, obj->line, "metadata.name", "%s", "metadata.name is required");
	else if (!d.err[0] && bad_rbac_name(d.name))
		dec_fail(&d, meta, obj->line, "metadata.name",
			 "metadata.name may not be '.' or '..' or contain '/' or '%%'");
	if (d.err[0]) {
		dec_refuse(&d, cluster, ns);
		return;
	}
	/* a namespace on a cluster-scoped object is ignored by the API server */
	if (role)
		add_role(s, &d, obj, cluster, meta, ns);
	else
		add_binding(s, &d, obj, cluster, meta, ns);
}

void rbac_set_add_doc(struct rbac_set *s, const struct node *doc, const char *file,
		      struct result *res)
{
	add_object(s, doc, file, res, 0);
}

/* ===== files ===== */

struct stream_ctx {
	struct rbac_set *s;
	const char *file;
	struct result *res;
	size_t delivered;
};

static int stream_one(struct node *n, bool is_item, void *ctx)
{
	struct stream_ctx *c = ctx;

	(void)is_item;
	c->delivered++;
	add_object(c->s, n, c->file, c->res, 0);
	node_destroy(n);
	return 0;
}

/* The text of line `line` (1-based) of buf, for error hints. */
static bool line_has(const char *buf, size_t len, int line, const char *needle)
{
	const char *p = buf, *end = buf + len, *eol;
	bool found;

	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	{
		size_t l = (size_t)(eol - p);
		char *tmp = xstrndup(p, l);
		found = strstr(tmp, needle) != NULL;
		free(tmp);
	}
	return found;
}

int rbac_set_load_buf(struct rbac_set *s, const char *buf, size_t len, const char *file,
		      struct result *res)
{
	struct err e;
	const char *name = rbac_set_strdup(s, file);
	char msg[ERR_FORMAT_MAX];
	int ret;

	memset(&e, 0, sizeof(e));
	s->files++;
	if (json_sniff(buf, len)) {
		struct stream_ctx c = {s, name, res, 0};
		ret = json_parse_stream(buf, len, name, true, stream_one, &c, &e);
		if (ret < 0 && !c.delivered) {
			/* `{kind: Role, ...}` is YAML flow style, not JSON: kubectl
			 * tries JSON, then YAML (YAMLOrJSONDecoder in
			 * staging/src/k8s.io/apimachinery/pkg/util/yaml/decoder.go);
			 * if both fail, the JSON error is the one shown, as there */
			struct err ye;
			memset(&ye, 0, sizeof(ye));
			if (yaml_parse_stream(buf, len, name, true, stream_one, &c, &ye) == 0)
				ret = 0;
		}
	} else {
		/* item by item too: `kubectl get ... -o yaml` of a big cluster */
		struct stream_ctx c = {s, name, res, 0};
		ret = yaml_parse_stream(buf, len, name, true, stream_one, &c, &e);
	}
	if (ret < 0) {
		err_format(&e, msg, sizeof(msg));
		if (e.line && line_has(buf, len, e.line, "{{") && !strstr(e.msg, "template"))
			result_diag(res, DIAG_ERROR,
				    "%s (an unrendered Helm/Go template? "
				    "render it first, e.g. with 'helm template'); objects "
				    "after this point are not analysed",
				    msg);
		else if (strstr(e.msg, "too large"))
			result_diag(res, DIAG_ERROR,
				    "%s; objects after this point are not "
				    "analysed (kanon reads List items one at a time: this "
				    "limit applies to one object or document)",
				    msg);
		else
			result_diag(res, DIAG_ERROR,
				    "%s; objects after this point are not "
				    "analysed",
				    msg);
		s->input_error = true;
		return -1;
	}
	return 0;
}

static bool manifest_name(const char *path)
{
	static const char *const exts[] = {".yaml", ".yml", ".json"};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (base[0] == '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		const char *p = base;
		size_t l = strlen(exts[i]);
		while ((p = strstr(p, exts[i]))) {
			/* at the end, or before one last extension (x.yaml.template) */
			if (!p[l] || (p[l] == '.' && !strchr(p + l + 1, '.')))
				return true;
			p += l;
		}
	}
	return false;
}

static int load_file(struct rbac_set *s, const struct provider *p, const char *path, unsigned flags,
		     struct result *res)
{
	bool in = p->kind == PROVIDER_FS && !strcmp(path, "-");
	struct blob b;
	struct err e;
	int ret;

	memset(&e, 0, sizeof(e));
	ret = provider_read(p, path, in ? "standard input" : NULL, RBAC_MAX_FILE, flags, &b, &e);
	if (ret < 0) {
		if (ret == -EFBIG)
			result_diag(
			    res, DIAG_ERROR,
			    "%s: kanon reads RBAC files of at most %u MiB (docs/limits.md): "
			    "split the export, e.g. one file per kind, or give a directory",
			    e.msg, RBAC_MAX_FILE >> 20);
		else
			result_diag(res, DIAG_ERROR, "%s", e.msg);
		s->input_error = true;
		return -1;
	}
	ret = rbac_set_load_buf(s, b.data, b.len, in ? "<stdin>" : b.name, res);
	blob_release(&b);
	return ret;
}

int rbac_set_load_path(struct rbac_set *s, const struct provider *p, const char *path,
		       struct result *res)
{
	struct path_list files = {0}, skipped = {0};
	char *display;
	struct err e;
	int n = 0;

	if (p->kind == PROVIDER_FS && !strcmp(path, "-")) {
		load_file(s, p, path, PROVIDER_READ_NAMED, res);
		return 1;
	}
	if (!provider_is_dir(p, path)) {
		/* named by the user: a pipe (<(kubectl ...)) is fine */
		load_file(s, p, path, p->kind == PROVIDER_FS ? PROVIDER_READ_NAMED : 0, res);
		return 1;
	}
	memset(&e, 0, sizeof(e));
	if (provider_list(p, path, &files, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		s->input_error = true;
		return 0;
	}
	display = provider_display(p, path);
	for (size_t i = 0; i < skipped.n; i++)
		result_diag(res, DIAG_WARNING,
			    "%s%s%s: skipped: not a regular file (a FIFO, "
			    "a device or a socket)",
			    display, ends_with(path, "/") ? "" : "/", skipped.v[i]);
	for (size_t i = 0; i < files.n; i++) {
		struct strbuf f = STRBUF_INIT;
		if (!manifest_name(files.v[i])) {
			result_diag(res, DIAG_NOTE,
				    "%s/%s: skipped (not a .yaml, .yml or "
				    ".json file)",
				    display, files.v[i]);
			continue;
		}
		strbuf_addf(&f, "%s%s%s", path, ends_with(path, "/") ? "" : "/", files.v[i]);
		load_file(s, p, f.buf, 0, res);
		n++;
		strbuf_release(&f);
	}
	free(display);
	path_list_release(&files);
	path_list_release(&skipped);
	return n;
}

/* ===== aggregation ===== */

static const char *label_get(const struct rbac_label *l, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].key, key))
			return l[i].value;
	return NULL;
}

bool rbac_selector_matches(const struct rbac_selector *sel, const struct rbac_label *labels,
			   size_t nlabels)
{
	/* metav1.LabelSelectorAsSelector: all requirements AND-ed; an empty
	 * selector matches everything. */
	for (size_t i = 0; i < sel->nlabels; i++) {
		const char *v = label_get(labels, nlabels, sel->labels[i].key);
		if (!v || strcmp(v, sel->labels[i].value))
			return false;
	}
	for (size_t i = 0; i < sel->nexpr; i++) {
		const struct rbac_sel_expr *e = &sel->expr[i];
		const char *v = label_get(labels, nlabels, e->key);
		switch (e->op) {
		case SEL_IN:
			if (!v || !rbac_strs_has(&e->values, v))
				return false;
			break;
		case SEL_NOT_IN:
			if (v && rbac_strs_has(&e->values, v))
				return false;
			break;
		case SEL_EXISTS:
			if (!v)
				return false;
			break;
		case SEL_NOT_EXISTS:
			if (v)
				return false;
			break;
		}
	}
	return true;
}

static bool strs_equal(const struct rbac_strs *a, const struct rbac_strs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

static bool rules_equal(const struct rbac_rule *a, const struct rbac_rule *b)
{
	return strs_equal(&a->verbs, &b->verbs) && strs_equal(&a->groups, &b->groups) &&
	       strs_equal(&a->resources, &b->resources) && strs_equal(&a->names, &b->names) &&
	       strs_equal(&a->urls, &b->urls);
}

static int cmp_role_name(const void *a, const void *b)
{
	const struct rbac_role *x = *(const struct rbac_role *const *)a;
	const struct rbac_role *y = *(const struct rbac_role *const *)b;
	return strcmp(x->name, y->name);
}

/*
 * One pass of the controller over role A (syncClusterRole): for each
 * selector in order, the matching ClusterRoles sorted by name, self
 * excluded; their current rules appended unless an equal rule is there.
 * Returns true when A's rules changed.
 */
/* Rules collected for one aggregated role, with a hash set so that
 * dropping exact duplicates (ruleExists) stays linear. */
struct rule_set {
	const struct rbac_rule **v;
	uint64_t *h;
	size_t n, av, ah;
	size_t *tab; /* index + 1; 0 empty */
	size_t cap;
};

static void rule_set_add(struct rule_set *rs, const struct rbac_rule *ru)
{
	uint64_t h = rule_hash(ru);
	size_t i;

	if (st_mult(st_add(rs->n, 1), 2) > rs->cap) {
		size_t ncap = rs->cap ? st_mult(rs->cap, 2) : 64;
		free(rs->tab);
		rs->tab = xcalloc(ncap, sizeof(*rs->tab));
		rs->cap = ncap;
		for (size_t k = 0; k < rs->n; k++) {
			i = (size_t)rs->h[k] & (ncap - 1);
			while (rs->tab[i])
				i = (i + 1) & (ncap - 1);
			rs->tab[i] = k + 1;
		}
	}
	for (i = (size_t)h & (rs->cap - 1); rs->tab[i]; i = (i + 1) & (rs->cap - 1)) {
		size_t k = rs->tab[i] - 1;
		if (rs->h[k] == h && rules_equal(rs->v[k], ru))
			return;
	}
	ALLOC_GROW(rs->v, rs->n + 1, rs->av);
	ALLOC_GROW(rs->h, rs->n + 1, rs->ah);
	rs->v[rs->n] = ru;
	rs->h[rs->n] = h;
	rs->tab[i] = ++rs->n;
}

/*
 * An aggregated ClusterRole in rbac_set_resolve(): what its selectors
 * match, and Tarjan's bookkeeping for ordering the roles by dependency.
 */
struct agg_node {
	struct rbac_role *r;
	/* for each selector in order, the matching ClusterRoles sorted by
	 * name, self excluded (a role matched by two selectors is in twice) */
	struct rbac_role **seq;
	size_t nseq;
	size_t index, low, edge; /* Tarjan: 0 = not visited yet */
	bool on_stack;
};

/*
 * The ClusterRoles by label (key, value), each list in name order: a
 * selector with matchLabels looks at the roles that carry its first pair
 * instead of at every role, which keeps long chains linear.
 */
struct label_bucket {
	const char *key, *value; /* NULL: empty slot */
	uint64_t hash;
	size_t *pos; /* indexes into the sorted roles, ascending */
	size_t n, alloc;
};

struct label_index {
	struct label_bucket *b;
	size_t cap;
};

static uint64_t label_hash(const char *key, const char *value)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = value; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static struct label_bucket *label_slot(const struct label_index *ix, const char *key,
				       const char *value)
{
	uint64_t h = label_hash(key, value);
	size_t i = (size_t)h & (ix->cap - 1);

	for (;; i = (i + 1) & (ix->cap - 1)) {
		struct label_bucket *b = &ix->b[i];
		if (!b->key)
			return b;
		if (b->hash == h && !strcmp(b->key, key) && !strcmp(b->value, value))
			return b;
	}
}

static void label_index_build(struct label_index *ix, struct rbac_role **sorted, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total = st_add(total, sorted[i]->nlabels);
	for (ix->cap = 64; ix->cap < st_mult(total, 2); ix->cap *= 2)
		;
	ix->b = xcalloc(ix->cap, sizeof(*ix->b));
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sorted[i]->nlabels; j++) {
			const struct rbac_label *l = &sorted[i]->labels[j];
			struct label_bucket *b = label_slot(ix, l->key, l->value);
			if (!b->key) {
				b->key = l->key;
				b->value = l->value;
				b->hash = label_hash(l->key, l->value);
			}
			if (b->n && b->pos[b->n - 1] == i)
				continue; /* the same pair twice on one role */
			ALLOC_GROW(b->pos, b->n + 1, b->alloc);
			b->pos[b->n++] = i;
		}
	}
}

static void label_index_release(struct label_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->b[i].pos);
	free(ix->b);
}

static void agg_collect(struct agg_node *g, struct rbac_role **sorted, size_t n,
			const struct label_index *ix)
{
	size_t alloc = 0;

	for (size_t si = 0; si < g->r->nsel; si++) {
		const struct rbac_selector *sel = &g->r->sel[si];
		const struct label_bucket *b = NULL;
		size_t cand = n;

		/* every match carries the first matchLabels pair: the roles
		 * listed for it are a superset, still in name order */
		if (sel->nlabels) {
			b = label_slot(ix, sel->labels[0].key, sel->labels[0].value);
			cand = b->key ? b->n : 0;
		}
		for (size_t c = 0; c < cand; c++) {
			struct rbac_role *m = sorted[b ? b->pos[c] : c];
			if (m == g->r || !rbac_selector_matches(sel, m->labels, m->nlabels))
				continue;
			ALLOC_GROW(g->seq, g->nseq + 1, alloc);
			g->seq[g->nseq++] = m;
		}
	}
}

/*
 * One pass of the controller over role A (syncClusterRole): for each
 * selector in order, the matching ClusterRoles sorted by name, self
 * excluded (g->seq); their current rules appended unless an equal rule is
 * there. Returns true when A's rules changed.
 */
static bool aggregate_one(struct agg_node *g, size_t mark)
{
	struct rbac_role *a = g->r;
	struct rule_set rs = {0};
	const struct rbac_rule **nr;
	const struct rbac_role **parts = NULL;
	size_t nn, an, np = 0, ap = 0;
	bool changed;

	for (size_t i = 0; i < g->nseq; i++) {
		struct rbac_role *m = g->seq[i];
		if (m->agg_mark != mark) { /* once, also when several selectors match */
			m->agg_mark = mark;
			ALLOC_GROW(parts, np + 1, ap);
			parts[np++] = m;
		}
		for (size_t j = 0; j < m->neff; j++) {
			if (rs.n >= RBAC_MAX_AGG_RULES) {
				a->agg_capped = true;
				break;
			}
			rule_set_add(&rs, m->eff[j]);
		}
	}
	free(rs.h);
	free(rs.tab);
	nr = rs.v;
	nn = rs.n;
	an = rs.av;
	if (!np && a->nrules) {
		/* Nothing in the input matches: an export of the aggregated role
		 * without its parts. Its stored rules are what the controller
		 * filled in last; replacing them with nothing would hide them. */
		free(nr);
		nr = xmalloc(st_mult(a->nrules, sizeof(*nr)));
		for (size_t i = 0; i < a->nrules; i++)
			nr[i] = &a->rules[i];
		nn = an = a->nrules;
		a->kept_stored = true;
	}
	changed = nn != a->neff;
	for (size_t i = 0; i < nn && !changed; i++)
		changed = !rules_equal(nr[i], a->eff[i]);
	if (a->eff_owned)
		free(a->eff);
	a->eff = nr;
	a->neff = nn;
	a->aeff = an;
	a->eff_owned = true;
	free(a->parts);
	a->parts = parts;
	a->nparts = np;
	a->aparts = ap;
	return changed;
}

static void load_builtin(struct rbac_set *s);

/*
 * Copy the bootstrap ClusterRoles that the input does not define into s.
 * Without them an aggregated ClusterRole of the input that selects, say,
 * rbac.authorization.k8s.io/aggregate-to-admin would resolve to less than
 * the controller gives it on a real cluster, where system:aggregate-to-admin
 * always exists; and the defaults admin/edit/view aggregate the input's
 * labelled roles too. Strings stay in the builtin set's arena.
 */
static void add_builtin_roles(struct rbac_set *s)
{
	if (s->is_builtin)
		return;
	if (!s->builtin)
		load_builtin(s);
	for (size_t i = 0; i < s->builtin->nroles; i++) {
		const struct rbac_role *b = s->builtin->roles[i];
		struct rbac_role *r;
		struct rbac_slot *sl;
		uint64_t h;

		if (!b->cluster || b->superseded)
			continue;
		index_grow(&s->rindex, &s->rcap, s->rcount + 1);
		h = key_hash(true, "", b->name);
		sl = slot_find(s->rindex, s->rcap, true, true, "", b->name, h);
		if (sl->obj)
			continue; /* the input's own definition wins */
		r = rbac_set_alloc(s, sizeof(*r));
		*r = *b;
		r->rules = rbac_set_alloc(s, st_mult(b->nrules ? b->nrules : 1, sizeof(*r->rules)));
		r->eff = rbac_set_alloc(s, st_mult(b->nrules ? b->nrules : 1, sizeof(*r->eff)));
		for (size_t j = 0; j < b->nrules; j++) {
			r->rules[j] = b->rules[j];
			r->rules[j].from = r;
			r->eff[j] = &r->rules[j];
		}
		r->neff = r->nrules = b->nrules;
		r->aeff = 0;
		r->eff_owned = false;
		r->parts = NULL;
		r->nparts = r->aparts = 0;
		r->kept_stored = false;
		r->agg_mark = 0;
		sl->hash = h;
		sl->obj = r;
		s->rcount++;
		ALLOC_GROW(s->roles, s->nroles + 1, s->aroles);
		s->roles[s->nroles++] = r;
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Settle one strongly connected component of the "aggregates from" graph,
 * whose dependencies are all final. A single role (the usual case, and
 * every role of a chain) takes one pass. Roles whose selectors select each
 * other (a cycle) are synced again and again, as the controller does
 * (every ClusterRole change requeues all aggregated ones), until nothing
 * changes, in input order, within size + 2 passes as before. Returns false
 * when they do not settle.
 */
static bool agg_settle(struct rbac_set *s, struct agg_node *g, size_t *members, size_t nm)
{
	bool changed = true;

	if (nm == 1) {
		aggregate_one(&g[members[0]], ++s->agg_mark);
		return true;
	}
	qsort(members, nm, sizeof(*members), cmp_size);
	for (size_t pass = 0; changed && pass <= nm + 1; pass++) {
		changed = false;
		for (size_t i = 0; i < nm; i++)
			changed |= aggregate_one(&g[members[i]], ++s->agg_mark);
	}
	return !changed;
}

/*
 * Aggregate in dependency order: Tarjan's algorithm (iterative: a chain of
 * thousands of roles must not exhaust the stack) emits each strongly
 * connected component after all those it depends on, and each is settled
 * as it is emitted. Repeated passes over all roles until nothing changed
 * took one pass per level of nesting: quadratic in the length of a chain.
 * Returns the agg index + 1 of the first role of a component that did not
 * settle, or 0.
 */
static size_t agg_resolve_ordered(struct rbac_set *s, struct agg_node *g, size_t ng)
{
	size_t *tstack = xmalloc(st_mult(ng, sizeof(size_t)));
	size_t *path = xmalloc(st_mult(ng, sizeof(size_t)));
	size_t tp = 0, pp = 0, counter = 0, unsettled = 0;

	for (size_t root = 0; root < ng; root++) {
		if (g[root].index)
			continue;
		path[pp++] = root;
		while (pp) {
			size_t v = path[pp - 1], w;
			struct agg_node *x = &g[v];

			if (!x->index) {
				x->index = x->low = ++counter;
				tstack[tp++] = v;
				x->on_stack = true;
			}
			if (x->edge < x->nseq) {
				const struct rbac_role *m = x->seq[x->edge++];
				if (!m->agg_idx) /* not aggregated: its rules are final */
					continue;
				w = m->agg_idx - 1;
				if (!g[w].index)
					path[pp++] = w;
				else if (g[w].on_stack && g[w].index < x->low)
					x->low = g[w].index;
				continue;
			}
			pp--;
			if (pp && x->low < g[path[pp - 1]].low)
				g[path[pp - 1]].low = x->low;
			if (x->low != x->index)
				continue;
			/* v roots a component: it is tstack[from..tp) */
			{
				size_t from = tp;
				do {
					w = tstack[--from];
					g[w].on_stack = false;
				} while (w != v);
				if (!agg_settle(s, g, tstack + from, tp - from) && !unsettled)
					unsettled = tstack[from] + 1;
				tp = from;
			}
		}
	}
	free(tstack);
	free(path);
	return unsettled;
}

static void agg_report_capped(struct rbac_set *s, struct agg_node *g, size_t ng)
{
	for (size_t i = 0; i < ng; i++) {
		struct rbac_role *r = g[i].r;
		struct strbuf t = STRBUF_INIT, m = STRBUF_INIT;
		if (!r->agg_capped || !r->file)
			continue;
		strbuf_addf(&t, "ClusterRole/%s", r->name);
		strbuf_addf(&m,
			    "aggregation gives this role more than %d distinct rules; "
			    "kanon rates the first %d only",
			    RBAC_MAX_AGG_RULES, RBAC_MAX_AGG_RULES);
		issue_add(s, RBAC_ISSUE_AGGREGATION, t.buf, r->file, r->line, "aggregationRule",
			  NULL, m.buf);
		strbuf_release(&t);
		strbuf_release(&m);
	}
}

void rbac_set_resolve(struct rbac_set *s)
{
	struct rbac_role **sorted = NULL;
	struct agg_node *g = NULL;
	size_t n = 0, ng = 0, an = 0, ag = 0, unsettled;

	add_builtin_roles(s);
	for (size_t i = 0; i < s->nroles; i++) {
		struct rbac_role *r = s->roles[i];
		r->agg_idx = 0;
		if (!r->cluster || r->superseded)
			continue;
		ALLOC_GROW(sorted, n + 1, an);
		sorted[n++] = r;
		if (r->aggregated) {
			ALLOC_GROW(g, ng + 1, ag);
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng].r = r;
			r->agg_idx = ++ng;
		}
	}
	if (ng) {
		struct label_index ix;

		qsort(sorted, n, sizeof(*sorted), cmp_role_name);
		label_index_build(&ix, sorted, n);
		for (size_t i = 0; i < ng; i++)
			agg_collect(&g[i], sorted, n, &ix);
		label_index_release(&ix);
		unsettled = agg_resolve_ordered(s, g, ng);
		agg_report_capped(s, g, ng);
		if (unsettled) {
			struct rbac_role *r = g[unsettled - 1].r;
			struct strbuf t = STRBUF_INIT;
			strbuf_addf(&t, "ClusterRole/%s", r->name);
			issue_add(s, RBAC_ISSUE_AGGREGATION, t.buf, r->file, r->line,
				  "aggregationRule", NULL,
				  "aggregation does not settle (the selectors of "
				  "aggregated ClusterRoles select each other in a "
				  "cycle); the rules shown are those after the last pass");
			strbuf_release(&t);
		}
	}
	for (size_t i = 0; i < ng; i++)
		free(g[i].seq);
	free(g);
	free(sorted);
}

/* ===== lookup ===== */

static void load_builtin(struct rbac_set *s)
{
	s->builtin = xcalloc(1, sizeof(*s->builtin));
	rbac_set_init(s->builtin);
	s->builtin->is_builtin = true;
	rbac_set_load_buf(s->builtin, rbac_default_roles, strlen(rbac_default_roles),
			  "kanon built-in defaults", NULL);
	/* built-in roles carry no file: evidence says where they come from */
	for (size_t i = 0; i < s->builtin->nroles; i++) {
		struct rbac_role *r = s->builtin->roles[i];
		r->file = NULL;
		for (size_t j = 0; j < r->nrules; j++)
			r->rules[j].file = NULL;
	}
	rbac_set_resolve(s->builtin);
}

static const struct rbac_role *lookup(const struct rbac_set *s, bool cluster, const char *ns,
				      const char *name)
{
	struct rbac_slot *sl;

	if (!s->rcap)
		return NULL;
	sl = slot_find(s->rindex, s->rcap, true, cluster, cluster ? "" : ns, name,
		       key_hash(cluster, cluster ? "" : ns, name));
	return sl->obj;
}

const struct rbac_role *rbac_set_find_role(struct rbac_set *s, bool cluster, const char *ns,
					   const char *name, bool builtin)
{
	const struct rbac_role *r = lookup(s, cluster, ns ? ns : "", name);

	if (r || !builtin || !cluster)
		return r;
	if (!s->builtin)
		load_builtin(s);
	return lookup(s->builtin, true, "", name);
}

/* ===== formatting ===== */

void rbac_strs_format(struct strbuf *sb, const struct rbac_strs *s)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		if (!*s->v[i])
			strbuf_addstr(sb, "\"\"");
		else
			strbuf_addstr(sb, s->v[i]);
	}
	strbuf_addch(sb, ']');
}

void rbac_rule_format(struct strbuf *sb, const struct rbac_rule *r)
{
	strbuf_addstr(sb, "verbs=");
	rbac_strs_format(sb, &r->verbs);
	if (r->urls.n) {
		strbuf_addstr(sb, " nonResourceURLs=");
		rbac_strs_format(sb, &r->urls);
		return;
	}
	strbuf_addstr(sb, " apiGroups=");
	rbac_strs_format(sb, &r->groups);
	strbuf_addstr(sb, " resources=");
	rbac_strs_format(sb, &r->resources);
	if (r->names.n) {
		strbuf_addstr(sb, " resourceNames=");
		rbac_strs_format(sb, &r->names);
	}
}
