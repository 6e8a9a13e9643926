#include "parsers/yaml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/util.h"
#include "core/banned.h"

struct anchor {
	char *name;
	struct node *node; /* borrowed: owned by the tree, unless owned */
	bool owned;	   /* a copy kept after its List item was handed over */
};

struct loader {
	yaml_parser_t parser;
	const char *name;
	struct err *e;
	size_t nodes;
	struct anchor *anchors;
	size_t nanchors, aanchors;
	/* yaml_parse_stream() */
	bool split_items;
	yaml_value_fn fn;
	void *ctx;
	int stop;	   /* the callback's nonzero return */
	size_t kept_nodes; /* nodes of owned anchor copies */
	/* nodes a merge key made redundant; anchors may still point into
	 * them, so they live until the anchors are cleared */
	struct node **dead;
	size_t ndead, adead;
	/* alias expansion budget, over all documents of one call */
	size_t all_nodes;   /* every node made, copies included */
	size_t alias_nodes; /* nodes made by expanding aliases and merges */
	size_t alias_bytes; /* bytes those copies hold */
	int expanding;	    /* > 0 while copying for an alias or a merge */
	int alias_line;	    /* where that expansion was asked for */
};

void yaml_docs_release(struct yaml_docs *d)
{
	for (size_t i = 0; i < d->n; i++)
		node_destroy(d->doc[i]);
	free(d->doc);
	memset(d, 0, sizeof(*d));
}

/*
 * The share of all nodes that alias expansion may produce, after go-yaml's
 * allowedAliasRatio() (decode.go, the same in v2.4, which sigs.k8s.io/yaml
 * uses, and v3): 99% up to 400,000 nodes, falling to 10% at 4,000,000.
 * go-yaml counts per document; kanon counts over the whole input, so that
 * many small bombs in one file do not add up.
 */
static double allowed_alias_ratio(size_t all)
{
	const double low = 400000, high = 4000000;

	if (all <= low)
		return 0.99;
	if (all >= high)
		return 0.10;
	return 0.99 - 0.89 * (((double)all - low) / (high - low));
}

static bool alias_budget_exceeded(struct loader *l)
{
	if (l->alias_bytes > YAML_MAX_ALIAS_BYTES) {
		err_set_limit(l->e, l->name, l->alias_line,
			      "YAML aliases expand to more than %d MiB (an alias bomb?)",
			      YAML_MAX_ALIAS_BYTES >> 20);
		return true;
	}
	/* go-yaml decoder.unmarshal(): "document contains excessive aliasing" */
	if (l->alias_nodes > 100 && l->all_nodes > 1000 &&
	    (double)l->alias_nodes / (double)l->all_nodes > allowed_alias_ratio(l->all_nodes)) {
		err_set(l->e, l->name, l->alias_line,
			"excessive aliasing: %zu of %zu nodes come from YAML "
			"aliases (an alias bomb?)",
			l->alias_nodes, l->all_nodes);
		return true;
	}
	return false;
}

static struct node *node_new(struct loader *l, enum node_kind k, const yaml_mark_t *m)
{
	struct node *n;

	if (++l->nodes > YAML_MAX_NODES) {
		err_set_limit(l->e, l->name, (int)m->line + 1,
			      "document too large (more than %d nodes)", YAML_MAX_NODES);
		return NULL;
	}
	l->all_nodes++;
	if (l->expanding) {
		l->alias_nodes++;
		l->alias_bytes += sizeof(*n);
		if (alias_budget_exceeded(l))
			return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->kind = k;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void node_push(struct node *parent, struct node *kid)
{
	ALLOC_GROW(parent->kids, parent->n + 1, parent->alloc);
	parent->kids[parent->n++] = kid;
}

/* Aliases are expanded by copying, under the same node budget. */
static struct node *node_copy(struct loader *l, const struct node *src)
{
	yaml_mark_t m = {0, (size_t)src->line - 1, (size_t)src->col - 1};
	struct node *n = node_new(l, src->kind, &m);

	if (!n)
		return NULL;
	if (src->str) {
		if (l->expanding) {
			l->alias_bytes = st_add(l->alias_bytes, src->len);
			if (alias_budget_exceeded(l)) {
				node_destroy(n);
				return NULL;
			}
		}
		n->str = xstrndup(src->str, src->len);
		n->len = src->len;
		n->nul = src->nul;
	}
	n->quoted = src->quoted;
	for (size_t i = 0; i < src->n; i++) {
		struct node *k = node_copy(l, src->kids[i]);
		if (!k) {
			node_destroy(n);
			return NULL;
		}
		node_push(n, k);
	}
	return n;
}

/* A copy asked for by an alias or a merge key at line: under the alias
 * budget. */
static struct node *node_expand(struct loader *l, const struct node *src, int line)
{
	struct node *n;

	l->expanding++;
	l->alias_line = line;
	n = node_copy(l, src);
	l->expanding--;
	return n;
}

static void anchor_add(struct loader *l, const yaml_char_t *name, struct node *n)
{
	if (!name)
		return;
	ALLOC_GROW(l->anchors, l->nanchors + 1, l->aanchors);
	l->anchors[l->nanchors].name = xstrdup((const char *)name);
	l->anchors[l->nanchors].node = n;
	l->anchors[l->nanchors].owned = false;
	l->nanchors++;
}

static void anchors_clear(struct loader *l)
{
	for (size_t i = 0; i < l->nanchors; i++) {
		free(l->anchors[i].name);
		if (l->anchors[i].owned)
			node_destroy(l->anchors[i].node);
	}
	l->nanchors = 0;
	l->kept_nodes = 0;
	for (size_t i = 0; i < l->ndead; i++)
		node_destroy(l->dead[i]);
	l->ndead = 0;
}

static void bury(struct loader *l, struct node *n)
{
	ALLOC_GROW(l->dead, l->ndead + 1, l->adead);
	l->dead[l->ndead++] = n;
}

static int parse_error(struct loader *l)
{
	yaml_parser_t *p = &l->parser;
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	return err_set(l->e, l->name, (int)m->line + 1, "syntax error: %s%s%s",
		       p->problem ? p->problem : "syntax error", p->context ? " " : "",
		       p->context ? p->context : "");
}

static struct node *load_node(struct loader *l, yaml_event_t *ev, int depth);

/*
 * The "items" sequence of a top-level mapping, at its SEQUENCE_START event
 * (ownership of start passes here): each element is parsed with a budget of
 * its own and handed to the callback; `map` gets an empty sequence.
 */
static int stream_items(struct loader *l, yaml_event_t *start, struct node *map, int depth)
{
	struct node *seq = node_new(l, NODE_SEQ, &start->start_mark);

	if (!seq) {
		yaml_event_delete(start);
		return -1;
	}
	anchor_add(l, start->data.sequence_start.anchor, seq);
	yaml_event_delete(start);
	node_push(map, seq);
	for (;;) {
		size_t nodes = l->nodes, nanch = l->nanchors;
		yaml_event_t ev;
		struct node *item;
		int r;

		if (!yaml_parser_parse(&l->parser, &ev))
			return parse_error(l);
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		l->nodes = 0;
		item = load_node(l, &ev, depth + 1);
		if (!item)
			return -1;
		/* the item is freed once handed over: an anchor it defines
		 * lives on as a copy, under a budget of its own */
		l->nodes = l->kept_nodes;
		for (size_t i = nanch; i < l->nanchors; i++) {
			struct node *c = node_copy(l, l->anchors[i].node);
			if (!c) {
				/* drop the anchors still pointing into item */
				for (size_t j = i; j < l->nanchors; j++)
					free(l->anchors[j].name);
				l->nanchors = i;
				node_destroy(item);
				return -1;
			}
			l->anchors[i].node = c;
			l->anchors[i].owned = true;
		}
		l->kept_nodes = l->nodes;
		l->nodes = nodes;
		r = l->fn(item, true, l->ctx);
		if (r) {
			l->stop = r;
			return r;
		}
	}
}

static bool is_merge_key(const struct node *k)
{
	return k->kind == NODE_SCALAR && !k->quoted && !strcmp(k->str, "<<");
}

/*
 * The keys a mapping has while merge keys fill it: looking each merged key
 * up in the mapping itself made merging a big anchor quadratic (a 540 KB
 * file with one 50,000-key merge took 10 s).
 */
struct keyset {
	const struct node **k; /* NULL: empty slot */
	uint64_t *h;
	size_t n, cap;
};

static uint64_t key_hash(const struct node *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->str[i]) * 1099511628211ULL;
	return h;
}

static void keyset_put(struct keyset *ks, const struct node *k, uint64_t h)
{
	size_t i = (size_t)h & (ks->cap - 1);

	while (ks->k[i])
		i = (i + 1) & (ks->cap - 1);
	ks->k[i] = k;
	ks->h[i] = h;
	ks->n++;
}

/* Add key k (a scalar); false when an equal key is there already. */
static bool keyset_add(struct keyset *ks, const struct node *k)
{
	uint64_t h = key_hash(k);

	for (size_t i = (size_t)h & (ks->cap - 1); ks->cap && ks->k[i]; i = (i + 1) & (ks->cap - 1))
		if (ks->h[i] == h && ks->k[i]->len == k->len &&
		    !memcmp(ks->k[i]->str, k->str, k->len))
			return false;
	if (st_mult(st_add(ks->n, 1), 2) > ks->cap) {
		struct keyset old = *ks;
		ks->cap = old.cap ? st_mult(old.cap, 2) : 64;
		ks->k = xcalloc(ks->cap, sizeof(*ks->k));
		ks->h = xcalloc(ks->cap, sizeof(*ks->h));
		ks->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.k[i])
				keyset_put(ks, old.k[i], old.h[i]);
		free(old.k);
		free(old.h);
	}
	keyset_put(ks, k, h);
	return true;
}

/*
 * Copy the pairs of src whose keys dst lacks (those not in ks, which holds
 * dst's keys) into dst. src itself stays whole: anchors may point to it or
 * into it, and a later alias must see all of it.
 */
static int merge_from(struct loader *l, struct node *dst, struct node *src, struct keyset *ks)
{
	int ret = 0;

	/* an alias to a mapping still being built (a recursive anchor)
	 * copies it with a key and no value yet: i + 1 < src->n */
	for (size_t i = 0; i + 1 < src->n && ret == 0; i += 2) {
		struct node *k, *v;

		if (!keyset_add(ks, src->kids[i]))
			continue;
		k = node_expand(l, src->kids[i], dst->line);
		v = k ? node_expand(l, src->kids[i + 1], dst->line) : NULL;
		if (!v) {
			node_destroy(k);
			ret = -1;
			break;
		}
		node_push(dst, k);
		node_push(dst, v);
	}
	return ret;
}

/*
 * YAML merge keys ("<<: *base"), which go-yaml, and so Kubernetes'
 * sigs.k8s.io/yaml, expands: the mapping's own keys win, then the merged
 * mappings in order (earlier ones over later ones in a sequence).
 */
static int merge_keys(struct loader *l, struct node *n)
{
	struct node **old;
	struct keyset ks = {0};
	size_t oldn, i;
	int ret = 0;

	for (i = 0; i < n->n; i += 2)
		if (is_merge_key(n->kids[i]))
			break;
	if (i >= n->n)
		return 0;
	old = n->kids;
	oldn = n->n;
	n->kids = NULL;
	n->n = n->alloc = 0;
	for (i = 0; i + 1 < oldn; i += 2) {
		if (!is_merge_key(old[i])) {
			node_push(n, old[i]);
			node_push(n, old[i + 1]);
			keyset_add(&ks, old[i]);
		}
	}
	for (i = 0; i + 1 < oldn; i += 2) {
		struct node *v = old[i + 1];
		bool bad = false;

		if (!is_merge_key(old[i]))
			continue;
		if (v->kind == NODE_SEQ)
			for (size_t j = 0; j < v->n; j++)
				bad |= v->kids[j]->kind != NODE_MAP;
		else
			bad = v->kind != NODE_MAP;
		if (bad && ret == 0) {
			ret = err_set(l->e, l->name, v->line,
				      "map merge requires a "
				      "mapping or a list of mappings as the value of '<<'");
		} else if (ret == 0 && v->kind == NODE_MAP) {
			ret = merge_from(l, n, v, &ks);
		} else {
			for (size_t j = 0; j < v->n && ret == 0; j++)
				ret = merge_from(l, n, v->kids[j], &ks);
		}
		/* the key and value stay alive until the anchors go */
		bury(l, old[i]);
		bury(l, v);
	}
	free(old);
	free(ks.k);
	free(ks.h);
	return ret;
}

/* Parse one node whose first event is ev; ownership of ev passes here. */
static struct node *load_node(struct loader *l, yaml_event_t *ev, int depth)
{
	struct node *n = NULL;
	yaml_event_t next;

	if (depth > YAML_MAX_DEPTH) {
		err_set_limit(l->e, l->name, (int)ev->start_mark.line + 1,
			      "nesting deeper than %d levels", YAML_MAX_DEPTH);
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(l, NODE_SCALAR, &ev->start_mark);
		if (!n)
			break;
		/* take libyaml's NUL-terminated copy rather than copying it
		 * again: a big export has millions of scalars */
		node_take_str(n, (char *)ev->data.scalar.value, ev->data.scalar.length);
		ev->data.scalar.value = NULL;
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		anchor_add(l, ev->data.scalar.anchor, n);
		break;
	case YAML_ALIAS_EVENT:
		for (size_t i = l->nanchors; i-- > 0;) {
			if (!strcmp(l->anchors[i].name, (const char *)ev->data.alias.anchor)) {
				n = node_expand(l, l->anchors[i].node,
						(int)ev->start_mark.line + 1);
				break;
			}
		}
		if (!n && !l->e->msg[0])
			err_set(l->e, l->name, (int)ev->start_mark.line + 1, "unknown alias '%s'",
				ev->data.alias.anchor);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool map = ev->type == YAML_MAPPING_START_EVENT;
		yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
		n = node_new(l, map ? NODE_MAP : NODE_SEQ, &ev->start_mark);
		if (!n)
			break;
		anchor_add(l, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
			   n);
		for (;;) {
			struct node *kid;
			if (!yaml_parser_parse(&l->parser, &next)) {
				parse_error(l);
				node_destroy(n);
				n = NULL;
				break;
			}
			if (next.type == end) {
				yaml_event_delete(&next);
				break;
			}
			kid = load_node(l, &next, depth + 1);
			if (!kid) {
				node_destroy(n);
				n = NULL;
				break;
			}
			/* JSON (and so Kubernetes, which converts YAML to JSON)
			 * has only string keys; "{{ x }}" from an unrendered Helm
			 * template parses as a mapping used as a key. */
			if (map && n->n % 2 == 0 && kid->kind != NODE_SCALAR) {
				err_set(l->e, l->name, kid->line,
					"a mapping key must be a string, not %s%s",
					node_kind_name(kid),
					kid->kind == NODE_MAP ? " (an unrendered "
								"template such as '{{ ... }}'?)"
							      : "");
				node_destroy(kid);
				node_destroy(n);
				n = NULL;
				break;
			}
			node_push(n, kid);
			if (map && depth == 0 && l->split_items && n->n % 2 == 1 && kid->len == 5 &&
			    !strcmp(kid->str, "items")) {
				int r;
				if (!yaml_parser_parse(&l->parser, &next)) {
					parse_error(l);
					node_destroy(n);
					n = NULL;
					break;
				}
				if (next.type != YAML_SEQUENCE_START_EVENT) {
					kid = load_node(l, &next, depth + 1);
					if (!kid) {
						node_destroy(n);
						n = NULL;
						break;
					}
					node_push(n, kid);
					continue;
				}
				r = stream_items(l, &next, n, depth + 1);
				if (r) {
					node_destroy(n);
					n = NULL;
					break;
				}
			}
		}
		if (n && map && merge_keys(l, n) < 0) {
			node_destroy(n);
			n = NULL;
		}
		break;
	}
	default:
		err_set(l->e, l->name, (int)ev->start_mark.line + 1, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	return n;
}

/* Collects the documents for yaml_parse(). */
static int collect_doc(struct node *n, bool is_item, void *ctx)
{
	struct yaml_docs *out = ctx;

	(void)is_item;
	ALLOC_GROW(out->doc, out->n + 1, out->alloc);
	out->doc[out->n++] = n;
	return 0;
}

/*
 * The document loop. With per_doc_budget, YAML_MAX_NODES counts each
 * document on its own (yaml_parse_stream), else the whole input.
 */
static int parse_docs(struct loader *l, bool per_doc_budget)
{
	yaml_event_t ev;
	int ret = 0;

	for (;;) {
		if (!yaml_parser_parse(&l->parser, &ev)) {
			ret = parse_error(l);
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_t root;
			struct node *n;

			yaml_event_delete(&ev);
			if (!yaml_parser_parse(&l->parser, &root)) {
				ret = parse_error(l);
				break;
			}
			if (per_doc_budget)
				l->nodes = 0;
			n = load_node(l, &root, 0);
			anchors_clear(l);
			if (!n) {
				ret = l->stop ? l->stop : -1;
				break;
			}
			if (node_is_null(n)) {
				node_destroy(n);
			} else {
				ret = l->fn(n, false, l->ctx);
				if (ret)
					break;
			}
			continue;
		}
		yaml_event_delete(&ev);
	}
	anchors_clear(l);
	free(l->anchors);
	free(l->dead);
	yaml_parser_delete(&l->parser);
	return ret;
}

static int loader_init(struct loader *l, const char *buf, size_t len, const char *name,
		       struct err *e, struct err *local)
{
	memset(l, 0, sizeof(*l));
	memset(local, 0, sizeof(*local));
	l->name = name;
	l->e = e ? e : local;
	l->e->msg[0] = '\0';
	if (!yaml_parser_initialize(&l->parser))
		return err_set(l->e, name, 0, "cannot initialize YAML parser");
	yaml_parser_set_input_string(&l->parser, (const unsigned char *)buf, len);
	return 0;
}

int yaml_parse(const char *buf, size_t len, const char *name, struct yaml_docs *out, struct err *e)
{
	struct loader l;
	struct err local;

	if (loader_init(&l, buf, len, name, e, &local) < 0)
		return -1;
	l.fn = collect_doc;
	l.ctx = out;
	return parse_docs(&l, false);
}

int yaml_parse_stream(const char *buf, size_t len, const char *name, bool split_items,
		      yaml_value_fn fn, void *ctx, struct err *e)
{
	struct loader l;
	struct err local;

	if (loader_init(&l, buf, len, name, e, &local) < 0)
		return -1;
	l.split_items = split_items;
	l.fn = fn;
	l.ctx = ctx;
	return parse_docs(&l, true);
}
