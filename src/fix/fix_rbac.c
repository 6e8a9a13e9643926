#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fix/fix_rbac.h"
#include "fix/fix_text.h"
#include "fix/fix_yaml.h"
#include "model/rbac_match.h"
#include "model/rbac_model.h"
#include "parsers/yaml.h"
#include "core/banned.h"

struct span {
	int from, to; /* lines, inclusive */
};

struct spans {
	struct span *v;
	size_t n, alloc;
};

static const char *str_of(const struct node *map, const char *key)
{
	const struct node *n = map && map->kind == NODE_MAP ? node_map_get(map, key) : NULL;

	return n && n->kind == NODE_SCALAR ? n->str : NULL;
}

static bool anonymous(const struct node *subj)
{
	struct rbac_subject s = {0};

	if (!subj || subj->kind != NODE_MAP)
		return false;
	s.kind = str_of(subj, "kind");
	s.name = str_of(subj, "name");
	return rbac_subject_applies(&s, WHO_ANONYMOUS);
}

/* 'word' for sh; the text also reaches a terminal, so it is cleaned. */
static void sh_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		const char *q = strchr(s, '\'');
		size_t n = q ? (size_t)(q - s) : strlen(s);

		strbuf_add_clean(sb, s, n);
		s += n;
		if (!q)
			break;
		strbuf_addstr(sb, "'\\''");
	}
	strbuf_addch(sb, '\'');
}

static int max_line(const struct node *n)
{
	int m = n->line;

	for (size_t i = 0; i < n->n; i++) {
		int k = max_line(n->kids[i]);

		m = k > m ? k : m;
	}
	return m;
}

/* The lines of block item i of seq: its "- " line to the line before the next. */
static int item_span(const struct strbuf *buf, const struct node *seq, size_t i, struct span *sp)
{
	const struct node *it = seq->kids[i];
	size_t off, len, k = 0;

	if (it->kind != NODE_MAP || fix_line_span(buf, it->line, &off, &len) < 0)
		return -1;
	while (k < len && buf->buf[off + k] == ' ')
		k++;
	if (k + 1 >= len || buf->buf[off + k] != '-' || buf->buf[off + k + 1] != ' ')
		return -1;
	sp->from = it->line;
	sp->to = i + 1 < seq->n ? seq->kids[i + 1]->line - 1 : max_line(it);
	return sp->to >= sp->from ? 0 : -1;
}

static void json_str(struct strbuf *sb, const char *s)
{
	struct strbuf j = STRBUF_INIT;

	strbuf_add_json_str(&j, s);
	/* inside '...' for sh: a quote closes, is escaped, reopens */
	for (size_t i = 0; i < j.len; i++)
		if (j.buf[i] == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, j.buf[i]);
	strbuf_release(&j);
}

static void command(struct strbuf *cmds, const struct node *obj, const char *kind,
		    const struct node *subjects, const bool *anon, size_t nanon)
{
	const struct node *meta = node_map_get(obj, "metadata");
	const char *name = str_of(meta, "name"), *ns = str_of(meta, "namespace");
	bool cluster = !strcmp(kind, "ClusterRoleBinding");

	strbuf_addf(cmds, "kubectl %s %s ", nanon == subjects->n ? "delete" : "patch",
		    cluster ? "clusterrolebinding" : "rolebinding");
	sh_quote(cmds, name);
	if (!cluster && ns && *ns) {
		strbuf_addstr(cmds, " -n ");
		sh_quote(cmds, ns);
	}
	if (nanon < subjects->n) {
		bool first = true;

		strbuf_addstr(cmds, " --type=json -p '[");
		/* every test before any remove: the indexes are the original ones */
		for (size_t i = subjects->n; i-- > 0;) {
			if (!anon[i])
				continue;
			for (int f = 0; f < 2; f++) {
				const char *field = f ? "name" : "kind";

				strbuf_addf(cmds,
					    "%s{\"op\":\"test\",\"path\":\"/subjects/%zu/%s\","
					    "\"value\":",
					    first ? "" : ",", i, field);
				json_str(cmds, str_of(subjects->kids[i], field));
				strbuf_addch(cmds, '}');
				first = false;
			}
		}
		for (size_t i = subjects->n; i-- > 0;)
			if (anon[i])
				strbuf_addf(cmds, ",{\"op\":\"remove\",\"path\":\"/subjects/%zu\"}",
					    i);
		strbuf_addstr(cmds, "]'");
	}
	strbuf_addch(cmds, '\n');
}

/*
 * Where a binding came from: "FILE:LINE: Kind name", or for a live read
 * "Kind name (ORIGIN)" (ORIGIN is "live, context X": no file to name).
 */
static void where(struct strbuf *sb, const char *file, const struct node *obj, const char *kind,
		  const char *name, bool live)
{
	if (!live) {
		strbuf_add_cleanstr(sb, file);
		strbuf_addf(sb, ":%d: ", obj->line);
	}
	strbuf_addf(sb, "%s ", kind);
	strbuf_add_cleanstr(sb, name);
	if (live) {
		strbuf_addstr(sb, " (");
		strbuf_add_cleanstr(sb, file);
		strbuf_addch(sb, ')');
	}
}

/* One binding object: 1 when it was fixed, 0 when not, -1 on a refusal. */
static int one(const struct strbuf *buf, const char *file, const struct node *obj,
	       struct strbuf *cmds, struct strbuf *notes, struct spans *sp, bool yaml, bool live,
	       struct err *e)
{
	const char *kind = str_of(obj, "kind");
	const struct node *meta, *subjects, *ann;
	const char *name, *au;
	bool *anon;
	size_t nanon = 0;
	int ret = 1;

	if (!kind || (strcmp(kind, "ClusterRoleBinding") && strcmp(kind, "RoleBinding")))
		return 0;
	subjects = node_map_get(obj, "subjects");
	if (!subjects || subjects->kind != NODE_SEQ || !subjects->n)
		return 0;
	anon = xcalloc(subjects->n, sizeof(*anon));
	for (size_t i = 0; i < subjects->n; i++)
		nanon += anon[i] = anonymous(subjects->kids[i]);
	meta = node_map_get(obj, "metadata");
	name = str_of(meta, "name");
	ann = meta && meta->kind == NODE_MAP ? node_map_get(meta, "annotations") : NULL;
	au = str_of(ann, "rbac.authorization.kubernetes.io/autoupdate");
	if (!nanon || !name) {
		ret = 0;
		goto out;
	}
	if (au && !strcmp(au, "true")) {
		strbuf_addstr(notes, "note: ");
		where(notes, file, obj, kind, name, live);
		strbuf_addstr(
		    notes, " is reconciled by the API server at every start "
			   "(annotation rbac.authorization.kubernetes.io/autoupdate: \"true\"): a "
			   "removed subject comes back; set the annotation to \"false\" first\n");
		ret = 0;
		goto out;
	}
	if (!strcmp(name, "kubeadm:bootstrap-signer-clusterinfo")) {
		strbuf_addstr(notes, "note: ");
		if (live)
			where(notes, file, obj, kind, name, live);
		else
			strbuf_addf(notes, "%s:%d", file, obj->line);
		strbuf_addstr(notes, ": kubeadm join's token discovery reads the "
				     "cluster-info ConfigMap through this binding: join nodes with "
				     "'kubeadm join --discovery-file FILE' afterwards\n");
	}
	strbuf_addstr(cmds, "# ");
	where(cmds, file, obj, kind, name, live);
	strbuf_addf(cmds, ": %zu of %zu subjects anonymous\n", nanon, subjects->n);
	command(cmds, obj, kind, subjects, anon, nanon);
	for (size_t i = 0; yaml && i < subjects->n; i++) {
		struct span s;

		if (!anon[i])
			continue;
		if (item_span(buf, subjects, i, &s) < 0) {
			ret = err_set(e, file, subjects->kids[i]->line,
				      "the subject is not a block list item (\"- kind: ...\"): "
				      "not edited; use the kubectl commands");
			goto out;
		}
		ALLOC_GROW(sp->v, sp->n + 1, sp->alloc);
		sp->v[sp->n++] = s;
	}
out:
	free(anon);
	return ret;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (y->from > x->from) - (y->from < x->from);
}

/* Remove the spans' lines, from the last one up. */
static void cut(const struct strbuf *buf, struct spans *sp, struct strbuf *out)
{
	strbuf_add(out, strbuf_str(buf), buf->len);
	qsort(sp->v, sp->n, sizeof(*sp->v), cmp_span);
	for (size_t i = 0; i < sp->n; i++) {
		size_t a, b, len;
		struct strbuf t = STRBUF_INIT;

		if (fix_line_span(out, sp->v[i].from, &a, &len) < 0 ||
		    fix_line_span(out, sp->v[i].to, &b, &len) < 0)
			continue;
		b += len;
		while (b < out->len && out->buf[b] != '\n')
			b++;
		b += b < out->len;
		strbuf_add(&t, out->buf, a);
		strbuf_add(&t, out->buf + b, out->len - b);
		strbuf_release(out);
		*out = t;
	}
}

static int walk_docs(const struct strbuf *buf, const char *file, struct yaml_docs *d,
		     struct strbuf *cmds, struct strbuf *notes, struct spans *sp, bool yaml,
		     bool live, struct err *e)
{
	int fixed = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct node *doc = d->doc[i], *items = node_map_get(doc, "items");
		const char *kind = str_of(doc, "kind");
		int r;

		if (kind && ends_with(kind, "List") && items && items->kind == NODE_SEQ) {
			for (size_t j = 0; j < items->n; j++) {
				r = one(buf, file, items->kids[j], cmds, notes, sp, yaml, live, e);
				if (r < 0)
					return -1;
				fixed += r;
			}
			continue;
		}
		if (doc->kind != NODE_MAP)
			continue;
		r = one(buf, file, doc, cmds, notes, sp, yaml, live, e);
		if (r < 0)
			return -1;
		fixed += r;
	}
	return fixed;
}

int fix_rbac_file(const struct strbuf *buf, const char *name, struct strbuf *cmds,
		  struct strbuf *notes, struct strbuf *yaml, struct err *e)
{
	struct yaml_docs d = {0};
	struct spans sp = {0};
	int fixed = -1;

	if ((yaml && fix_yaml_plain(buf, name, true, e) < 0) ||
	    yaml_parse(strbuf_str(buf), buf->len, name, &d, e) < 0)
		goto out;
	fixed = walk_docs(buf, name, &d, cmds, notes, &sp, yaml != NULL, false, e);
	if (fixed > 0 && yaml) {
		struct yaml_docs after = {0};
		struct strbuf c2 = STRBUF_INIT, n2 = STRBUF_INIT;

		cut(buf, &sp, yaml);
		/* the result must parse and grant nothing to anonymous callers */
		if (yaml_parse(strbuf_str(yaml), yaml->len, name, &after, e) < 0 ||
		    walk_docs(yaml, name, &after, &c2, &n2, NULL, false, false, e) != 0) {
			if (!e->msg[0])
				err_set(e, name, 0,
					"the cleaned file still has anonymous subjects: "
					"refusing it");
			fixed = -1;
		}
		yaml_docs_release(&after);
		strbuf_release(&c2);
		strbuf_release(&n2);
	}
out:
	free(sp.v);
	yaml_docs_release(&d);
	return fixed;
}

int fix_rbac_live(const struct strbuf *buf, const char *origin, struct strbuf *cmds,
		  struct strbuf *notes, struct err *e)
{
	struct yaml_docs d = {0};
	int fixed = -1;

	if (yaml_parse(strbuf_str(buf), buf->len, origin, &d, e) == 0)
		fixed = walk_docs(buf, origin, &d, cmds, notes, NULL, false, true, e);
	yaml_docs_release(&d);
	return fixed;
}
