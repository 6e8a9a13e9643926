/*
 * k3s's config files, as pkg/configfilearg/parser.go reads them (RKE2
 * uses the same package for /etc/rancher/rke2/config.yaml), and the
 * component command lines of pkg/util/args.go GetArgs().
 */
#include "model/node_rancher.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/node.h"
#include "parsers/yaml.h"
#include "sources/provider.h"
#include "core/banned.h"

/* More drop-ins than this is not a real node; the rest are counted. */
#define RANCHER_MAX_DROPINS 1000

void rancher_config_init(struct rancher_config *c)
{
	memset(c, 0, sizeof(*c));
}

static void key_clear(struct rancher_key *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].s);
		free(k->v[i].path);
	}
	k->n = 0;
}

void rancher_config_release(struct rancher_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		key_clear(&c->k[i]);
		free(c->k[i].v);
		free(c->k[i].name);
	}
	free(c->k);
	free(c->fatal);
	rancher_config_init(c);
}

const struct rancher_key *rancher_config_get(const struct rancher_config *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->k[i].name, name))
			return &c->k[i];
	return NULL;
}

static void set_fatal(struct rancher_config *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_fatal(struct rancher_config *c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (c->fatal)
		return; /* k3s stops at the first bad file */
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->fatal = strbuf_detach(&sb);
}

/*
 * A scalar as wrangler's convert.ToString() prints what yaml.v2 decoded:
 * null is "", booleans "true"/"false", integers in decimal (YAML 1.1: 0644
 * is 420), strings as written. Floats and maps are printed by Go's %v,
 * which is not modelled: inexact.
 */
static void value_set(struct rancher_value *v, const struct node *n, const char *path)
{
	bool b;
	long long i;
	char num[32];

	memset(v, 0, sizeof(*v));
	v->path = xstrdup(path);
	v->line = n->line;
	if (n->kind != NODE_SCALAR) {
		v->inexact = true;
		v->s = xstrdup("");
	} else if (node_is_null(n)) {
		v->null = true;
		v->s = xstrdup("");
	} else if (!n->quoted && node_get_bool(n, &b) == 0) {
		v->s = xstrdup(b ? "true" : "false");
	} else if (!n->quoted && node_get_int(n, &i) == 0) {
		snprintf(num, sizeof(num), "%lld", i);
		v->s = xstrdup(num);
	} else {
		const char *s = NULL;

		if (node_get_string(n, &s) < 0)
			v->inexact = true; /* a float */
		v->s = xstrdup(s ? s : n->str);
	}
}

static void key_push(struct rancher_config *c, struct rancher_key *k, const struct node *n,
		     const char *path)
{
	if (++c->nvalues > RANCHER_MAX_VALUES) {
		set_fatal(c,
			  "%s: more than %d option values in the config files; kanon does "
			  "not read further",
			  path, RANCHER_MAX_VALUES);
		return;
	}
	ALLOC_GROW(k->v, k->n + 1, k->alloc);
	value_set(&k->v[k->n++], n, path);
}

/* toSlice() in parser.go: a null scalar is no item at all. */
static void key_drop_nulls(struct rancher_key *k)
{
	size_t j = 0;

	for (size_t i = 0; i < k->n; i++) {
		if (k->v[i].null) {
			free(k->v[i].s);
			free(k->v[i].path);
			continue;
		}
		k->v[j++] = k->v[i];
	}
	k->n = j;
}

static struct rancher_key *key_find_or_add(struct rancher_config *c, const char *name, size_t len)
{
	struct rancher_key *k;

	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->k[i].name) == len && !memcmp(c->k[i].name, name, len))
			return &c->k[i];
	ALLOC_GROW(c->k, c->n + 1, c->alloc);
	k = &c->k[c->n++];
	memset(k, 0, sizeof(*k));
	k->name = xstrndup(name, len);
	return k;
}

/*
 * parser.go readConfigFile(): keys keep the order they were first seen
 * in; `key+:` appends to an earlier value (both turned into lists), any
 * other occurrence replaces it, also within one file.
 */
static void merge_pair(struct rancher_config *c, const struct node *key, const struct node *val,
		       const char *path)
{
	const char *name = key->str ? key->str : "";
	size_t len = strlen(name);
	bool append = len > 0 && name[len - 1] == '+';
	struct rancher_key *k;
	bool existed;

	if (append)
		len--;
	existed = false;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->k[i].name) == len && !memcmp(c->k[i].name, name, len))
			existed = true;
	if (!existed && c->n >= RANCHER_MAX_KEYS) {
		set_fatal(c,
			  "%s: more than %d keys in the config files; kanon does not read "
			  "further",
			  path, RANCHER_MAX_KEYS);
		return;
	}
	k = key_find_or_add(c, name, len);
	if (!(existed && append)) {
		key_clear(k);
		k->list = val->kind == NODE_SEQ;
		if (val->kind == NODE_SEQ)
			for (size_t i = 0; i < val->n; i++)
				key_push(c, k, val->kids[i], path);
		else
			key_push(c, k, val, path);
		return;
	}
	key_drop_nulls(k);
	k->list = true;
	if (val->kind == NODE_SEQ)
		for (size_t i = 0; i < val->n; i++)
			key_push(c, k, val->kids[i], path);
	else if (!node_is_null(val))
		key_push(c, k, val, path);
}

int rancher_config_merge(struct rancher_config *c, const char *buf, size_t len, const char *path,
			 struct result *res)
{
	struct yaml_docs docs = {0};
	struct err e = { 0 };
	const struct node *root;
	int ret = 0;

	if (yaml_parse(buf, len, path, &docs, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s:%d: %s", path, e.line, e.msg);
		set_fatal(c,
			  "%s:%d: %s (k3s would not start: pkg/configfilearg readConfigFile "
			  "stops at a file that does not parse)",
			  path, e.line, e.msg);
		ret = -1;
		goto out;
	}
	/* yaml.Unmarshal reads the first document only */
	if (!docs.n || node_is_null(docs.doc[0]))
		goto out;
	root = docs.doc[0];
	if (root->kind != NODE_MAP) {
		result_diag(res, DIAG_ERROR, "%s:%d: the file is a YAML %s, not a map of options",
			    path, root->line, node_kind_name(root));
		set_fatal(c,
			  "%s:%d: not a map of options (k3s would not start: yaml.MapSlice "
			  "cannot hold it)",
			  path, root->line);
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i + 1 < root->n; i += 2)
		merge_pair(c, root->kids[i], root->kids[i + 1], path);
out:
	yaml_docs_release(&docs);
	return ret;
}

void rancher_config_add(struct rancher_config *c, const char *name, const char *value,
			const char *path, int line)
{
	struct rancher_key *k = key_find_or_add(c, name, strlen(name));
	struct rancher_value *v;

	if (++c->nvalues > RANCHER_MAX_VALUES) {
		set_fatal(c, "%s: more than %d option values; kanon does not read further", path,
			  RANCHER_MAX_VALUES);
		return;
	}
	ALLOC_GROW(k->v, k->n + 1, k->alloc);
	v = &k->v[k->n++];
	memset(v, 0, sizeof(*v));
	v->s = xstrdup(value);
	v->path = xstrdup(path);
	v->line = line;
	k->list = true;
}

void rancher_config_apply_cli(struct rancher_config *c, const struct rancher_config *cli)
{
	for (size_t i = 0; i < cli->n; i++) {
		const struct rancher_key *from = &cli->k[i];
		bool list = ends_with(from->name, "-arg");
		struct rancher_key *k;

		if (!from->n)
			continue;
		k = key_find_or_add(c, from->name, strlen(from->name));
		if (list)
			key_drop_nulls(k); /* toSlice: the file's null adds nothing */
		else
			key_clear(k); /* a repeated option: the last one wins */
		/* the key exists now: rancher_config_add() does not move it */
		for (size_t j = list ? 0 : from->n - 1; j < from->n; j++)
			rancher_config_add(c, from->name, from->v[j].s, from->v[j].path,
					   from->v[j].line);
		k->list = list;
	}
}

/* ------------------------------------------------------------ GetArgs */

struct ga_entry {
	char *key;
	struct argv_list vals; /* each value with its origin */
};

struct ga {
	struct ga_entry *e;
	size_t n, alloc;
};

static struct ga_entry *ga_find(struct ga *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->e[i].key, key))
			return &g->e[i];
	return NULL;
}

static struct ga_entry *ga_get(struct ga *g, const char *key)
{
	struct ga_entry *e = ga_find(g, key);

	if (e)
		return e;
	ALLOC_GROW(g->e, g->n + 1, g->alloc);
	e = &g->e[g->n++];
	e->key = xstrdup(key);
	argv_init(&e->vals);
	return e;
}

static int ga_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ga_entry *)a)->key, ((const struct ga_entry *)b)->key);
}

static void push_default(struct argv_list *l, const struct rancher_default *d)
{
	argv_push_at(l, d->value, d->path, 0, d->note);
}

/* One user entry ("key=value", "key+=value", "--key"): GetArgs' loop body. */
static void ga_extra(struct ga *g, const struct rancher_default *d, size_t nd, bool *used,
		     const struct rancher_value *v, const char *what)
{
	const char *s = starts_with(v->s, "--") ? v->s + 2 : v->s;
	const char *eq = strchr(s, '=');
	char *arg = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
	const char *value = eq ? eq + 1 : "true";
	size_t len = strlen(arg);
	char suffix = len ? arg[len - 1] : '\0';
	const struct rancher_default *init = NULL;
	struct argv_list nv;
	struct ga_entry *ex;
	struct strbuf note = STRBUF_INIT;

	while (len && (arg[len - 1] == '-' || arg[len - 1] == '+'))
		arg[--len] = '\0';
	for (size_t i = 0; i < nd; i++)
		if (!used[i] && !strcmp(d[i].key, arg)) {
			init = &d[i];
			used[i] = true; /* delete(initialArgs, cleanedArg) */
		}
	ex = ga_find(g, arg);
	argv_init(&nv);
	strbuf_addf(&note, "%s entry '%s'", what, v->s);
	if (suffix == '+') {
		if (init)
			push_default(&nv, init);
		for (size_t i = 0; ex && i < ex->vals.n; i++)
			argv_push_from(&nv, &ex->vals, i);
		argv_push_at(&nv, value, v->path, v->line, note.buf);
	} else if (suffix == '-') {
		argv_push_at(&nv, value, v->path, v->line, note.buf);
		if (init)
			push_default(&nv, init);
		for (size_t i = 0; ex && i < ex->vals.n; i++)
			argv_push_from(&nv, &ex->vals, i);
	} else {
		for (size_t i = 0; ex && i < ex->vals.n; i++)
			argv_push_from(&nv, &ex->vals, i);
		argv_push_at(&nv, value, v->path, v->line, note.buf);
	}
	ex = ga_get(g, arg);
	argv_release(&ex->vals);
	ex->vals = nv;
	strbuf_release(&note);
	free(arg);
}

void rancher_get_args(const struct rancher_default *d, size_t nd, const struct rancher_key *extra,
		      const char *what, struct argv_list *out)
{
	struct ga g = {0};
	bool *used = xcalloc(nd ? nd : 1, sizeof(*used));

	for (size_t i = 0; extra && i < extra->n; i++)
		ga_extra(&g, d, nd, used, &extra->v[i], what);
	for (size_t i = 0; i < nd; i++)
		if (!used[i])
			push_default(&ga_get(&g, d[i].key)->vals, &d[i]);
	if (g.n)
		qsort(g.e, g.n, sizeof(*g.e), ga_cmp);
	for (size_t i = 0; i < g.n; i++) {
		const char *k = starts_with(g.e[i].key, "--") ? g.e[i].key + 2 : g.e[i].key;

		for (size_t j = 0; j < g.e[i].vals.n; j++) {
			const struct argv_origin *o = argv_origin(&g.e[i].vals, j);
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "--%s=%s", k, g.e[i].vals.v[j]);
			argv_push_at(out, w.buf, o ? o->path : NULL, o ? o->line : 0,
				     o ? o->note : NULL);
			strbuf_release(&w);
		}
		argv_release(&g.e[i].vals);
		free(g.e[i].key);
	}
	free(g.e);
	free(used);
}

const char *rancher_arg_value(const struct rancher_key *extra, const char *name, bool *bare)
{
	size_t len = strlen(name);

	if (bare)
		*bare = false;
	for (size_t i = 0; extra && i < extra->n; i++) {
		const char *s = extra->v[i].s;

		if (starts_with(s, "--"))
			s += 2;
		if (strncmp(s, name, len) || (s[len] != '=' && s[len] != '\0'))
			continue;
		/* the first entry decides (break); without '=' the Go code
		 * indexes past strings.SplitN's one result and panics */
		if (!s[len] && bare)
			*bare = true;
		return s[len] ? s + len + 1 : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------ files */

static bool is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	/* util.HasSuffixI(name, ".yaml", ".yml") */
	return (n >= 5 && !strcasecmp(name + n - 5, ".yaml")) ||
	       (n >= 4 && !strcasecmp(name + n - 4, ".yml"));
}

static int read_one(const struct provider *root, const char *path, struct node_layout *out,
		    struct rancher_config *c, struct result *res)
{
	struct blob b = {0};
	struct err e = { 0 };
	char msg[ERR_FORMAT_MAX];
	int r = provider_read(root, path, path, FILE_MAX_CONFIG, 0, &b, &e);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		err_format(&e, msg, sizeof(msg));
		node_layout_file(out, NODE_CONFIG, path, false, msg);
		result_diag(res, DIAG_ERROR, "%s", msg);
		set_fatal(c, "%s (k3s would not start: it cannot read its config)", msg);
		return 1;
	}
	node_layout_file(out, NODE_CONFIG, path, true, NULL);
	rancher_config_merge(c, b.data, b.len, path, res);
	blob_release(&b);
	return 1;
}

/* parser.go dotDFiles(): CONFIG.d entries, sorted, *.yaml and *.yml only, no subdirectories. */
static int read_dropins(const struct provider *root, const char *config, struct node_layout *out,
			struct rancher_config *c, struct result *res)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct path_list files = {0}, skipped = {0};
	struct err e = { 0 };
	size_t taken = 0;
	int found = 0;

	strbuf_addf(&dir, "%s.d", config);
	if (!provider_is_dir(root, dir.buf))
		goto out;
	if (provider_list(root, dir.buf, &files, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		set_fatal(c, "%s (k3s would not start: it cannot list its config.yaml.d)", e.msg);
		found = 1;
		goto out;
	}
	for (size_t i = 0; i < files.n; i++) {
		if (strchr(files.v[i], '/'))
			continue; /* below a subdirectory: not read */
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir.buf, files.v[i]);
		if (!is_yaml_name(files.v[i])) {
			node_layout_file(out, NODE_CONFIG, p.buf, true,
					 "ignored: k3s reads only *.yaml and *.yml files here");
			continue;
		}
		if (++taken > RANCHER_MAX_DROPINS) {
			result_diag(res, DIAG_WARNING,
				    "%s: more than %d drop-ins; the rest "
				    "were not read",
				    dir.buf, RANCHER_MAX_DROPINS);
			set_fatal(c, "%s: too many drop-ins to read", dir.buf);
			break;
		}
		found += read_one(root, p.buf, out, c, res);
	}
	for (size_t i = 0; i < skipped.n; i++)
		if (!strchr(skipped.v[i], '/'))
			result_diag(res, DIAG_WARNING, "%s/%s: skipped: not a regular file",
				    dir.buf, skipped.v[i]);
out:
	path_list_release(&files);
	path_list_release(&skipped);
	strbuf_release(&dir);
	strbuf_release(&p);
	return found;
}

int rancher_config_read(const struct provider *root, const char *config, struct node_layout *out,
			struct rancher_config *c, struct result *res)
{
	struct strbuf dir = STRBUF_INIT;
	bool have_dir;
	int found;

	strbuf_addf(&dir, "%s.d", config);
	have_dir = provider_is_dir(root, dir.buf);
	strbuf_release(&dir);
	/* readConfigFile(): config.yaml first, then config.yaml.d/ */
	found = read_one(root, config, out, c, res);
	if (!found && !have_dir)
		return 0;
	if (!found)
		node_layout_file(out, NODE_CONFIG, config, false,
				 "missing: k3s reads the drop-ins alone");
	return found + read_dropins(root, config, out, c, res);
}
