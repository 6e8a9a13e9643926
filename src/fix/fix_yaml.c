#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/util.h"
#include "fix/fix_text.h"
#include "fix/fix_yaml.h"
#include "parsers/json.h"
#include "parsers/yaml.h"
#include "core/banned.h"

static int plain_enough(const struct strbuf *buf, const char *name, struct err *e)
{
	return fix_yaml_plain(buf, name, false, e);
}

/* Refuse what a textual edit would have to guess about. */
int fix_yaml_plain(const struct strbuf *buf, const char *name, bool multi, struct err *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int docs = 0, ret = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)strbuf_str(buf), buf->len);
	for (;;) {
		const char *why = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			ret = err_set(e, name, (int)p.problem_mark.line + 1, "not valid YAML: %s",
				      p.problem ? p.problem : "syntax error");
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT ||
		    (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.anchor) ||
		    (ev.type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor) ||
		    (ev.type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor))
			why = "anchors and aliases";
		else if ((ev.type == YAML_SCALAR_EVENT && ev.data.scalar.tag) ||
			 (ev.type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.tag) ||
			 (ev.type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.tag))
			why = "tags";
		else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1 && !multi)
			why = "several documents";
		if (why)
			ret =
			    err_set(e, name, (int)ev.start_mark.line + 1,
				    "not edited: the file uses %s, and an edit would have to guess "
				    "what they mean; make the change by hand",
				    why);
		if (ev.type == YAML_STREAM_END_EVENT || why) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ret;
}

static int parse_one(const struct strbuf *buf, const char *name, struct yaml_docs *d, struct err *e)
{
	if (yaml_parse(strbuf_str(buf), buf->len, name, d, e) < 0)
		return -1;
	if (d->n != 1 || d->doc[0]->kind != NODE_MAP)
		return err_set(e, name, 0, "not one YAML/JSON object");
	return 0;
}

/* Byte offset of a node's line/column (libyaml counts characters). */
static int node_offset(const struct strbuf *buf, const struct node *n, size_t *out)
{
	size_t off, len, i = 0;

	if (fix_line_span(buf, n->line, &off, &len) < 0)
		return -1;
	for (int c = 1; c < n->col; c++) {
		unsigned cp;
		size_t k;

		if (i >= len)
			return -1;
		k = utf8_decode((const unsigned char *)buf->buf + off + i, len - i, &cp);
		i += k ? k : 1;
	}
	*out = off + i;
	return 0;
}

static bool value_ok(const struct node *n, enum fix_scalar type, const char *value)
{
	bool b;
	long long v;
	const char *s;

	if (!n || n->kind != NODE_SCALAR)
		return false;
	switch (type) {
	case FIX_BOOL:
		return node_get_bool(n, &b) == 0 && b == !strcmp(value, "true");
	case FIX_INT:
		return node_get_int(n, &v) == 0 && parse_int(value, v, v, &v) == 0;
	case FIX_STRING:
		return node_get_string(n, &s) == 0 && !strcmp(s, value);
	}
	return false;
}

/* The new scalar's text: strings quoted in JSON, or as the old one was. */
static void scalar_text(struct strbuf *out, bool json, char quote, enum fix_scalar type,
			const char *value)
{
	if (type == FIX_STRING && (json || quote)) {
		char q = quote ? quote : '"';

		strbuf_addch(out, q);
		strbuf_addstr(out, value);
		strbuf_addch(out, q);
	} else {
		strbuf_addstr(out, value);
	}
}

static int replace_scalar(struct strbuf *buf, const char *name, const struct node *n, bool json,
			  enum fix_scalar type, const char *value, struct err *e)
{
	struct strbuf t = STRBUF_INIT;
	size_t at, len;
	char q = 0;

	if (n->kind != NODE_SCALAR)
		return err_set(e, name, n->line, "not edited: a %s where a value belongs",
			       node_kind_name(n));
	if (node_offset(buf, n, &at) < 0 || strchr(n->str, '\n') || n->nul)
		goto refuse;
	if (buf->buf[at] == '"' || buf->buf[at] == '\'')
		q = buf->buf[at];
	len = n->len + (q ? 2 : 0);
	if (at + len > buf->len || memcmp(buf->buf + at + !!q, n->str, n->len) ||
	    (q && buf->buf[at + len - 1] != q))
		goto refuse;
	scalar_text(&t, json, q, type, value);
	strbuf_splice(buf, at, len, t.buf, t.len);
	strbuf_release(&t);
	return 0;
refuse:
	return err_set(e, name, n->line,
		       "not edited: the value is not written as a plain one-line scalar");
}

/* Spaces of one indentation step: the first nested block mapping's. */
static int indent_unit(const struct node *m)
{
	for (size_t i = 0; m->kind == NODE_MAP && i < node_map_len(m); i++) {
		const struct node *k = node_map_key(m, i), *v = node_map_val(m, i);
		int u;

		if (v->kind == NODE_MAP && node_map_len(v) && v->line > k->line &&
		    node_map_key(v, 0)->col > k->col)
			return node_map_key(v, 0)->col - k->col;
		if ((u = indent_unit(v)) > 0)
			return u;
	}
	return 0;
}

/* "k1: {k2: v}" (flow, JSON quoted) or block lines at indent. */
static void keys_text(struct strbuf *t, bool flow, bool json, const char *const *path, size_t depth,
		      int indent, int unit, const char *eol, enum fix_scalar type,
		      const char *value)
{
	for (size_t i = 0; i < depth; i++) {
		if (!flow)
			strbuf_addf(t, "%*s", indent + unit * (int)i, "");
		strbuf_addf(t, json ? "\"%s\": " : "%s: ", path[i]);
		if (i + 1 < depth) {
			if (flow)
				strbuf_addch(t, '{');
			else
				strbuf_addf(t, "\b%s", eol);
		}
	}
	scalar_text(t, json, 0, type, value);
	if (flow)
		for (size_t i = 1; i < depth; i++)
			strbuf_addch(t, '}');
	else
		strbuf_addstr(t, eol);
	/* "key: \b" -> "key:" before a nested block */
	for (size_t i = 0; i + 1 < t->len; i++)
		if (t->buf[i] == ' ' && t->buf[i + 1] == '\b') {
			memmove(t->buf + i, t->buf + i + 2, t->len - i - 2);
			t->len -= 2;
			t->buf[t->len] = '\0';
		}
}

static int insert_flow(struct strbuf *buf, const char *name, const struct node *m, size_t at,
		       bool json, const char *const *path, size_t depth, enum fix_scalar type,
		       const char *value, struct err *e)
{
	struct strbuf t = STRBUF_INIT, ins = STRBUF_INIT;
	size_t i = at + 1;

	keys_text(&t, true, json, path, depth, 0, 0, "", type, value);
	while (i < buf->len && (buf->buf[i] == ' ' || buf->buf[i] == '\t'))
		i++;
	if (i < buf->len && buf->buf[i] == '}') {
		strbuf_add(&ins, t.buf, t.len);
	} else if (i < buf->len && (buf->buf[i] == '\n' || buf->buf[i] == '\r')) {
		/* one member per line: a new first line, indented as the next */
		const struct node *k = node_map_len(m) ? node_map_key(m, 0) : NULL;
		size_t off, len, sp = 0;

		if (!k || fix_line_span(buf, k->line, &off, &len) < 0)
			goto refuse;
		while (sp < len && buf->buf[off + sp] == ' ')
			sp++;
		if (sp < len && buf->buf[off + sp] == '\t')
			goto refuse;
		strbuf_addf(&ins, "%s%.*s%s,", fix_eol(buf), (int)sp, buf->buf + off, t.buf);
	} else {
		strbuf_addf(&ins, "%s, ", t.buf);
	}
	strbuf_splice(buf, at + 1, 0, ins.buf, ins.len);
	strbuf_release(&t);
	strbuf_release(&ins);
	return 0;
refuse:
	strbuf_release(&t);
	strbuf_release(&ins);
	return err_set(e, name, m->line, "not edited: cannot tell this mapping's indentation");
}

/* Blanks then the node: its line's indentation, or -1 (tab, other text). */
static int line_indent(const struct strbuf *buf, const struct node *n)
{
	size_t off, len, at;

	if (fix_line_span(buf, n->line, &off, &len) < 0 || node_offset(buf, n, &at) < 0)
		return -1;
	for (size_t i = off; i < at; i++)
		if (buf->buf[i] != ' ')
			return -1;
	return (int)(at - off);
}

/*
 * Block style: after the mapping's last key when its value is a scalar on
 * the key's line (the new lines then read as siblings), else before the
 * first key when that key starts its line.
 */
static int insert_block(struct strbuf *buf, const char *name, const struct node *root,
			const struct node *m, const char *const *path, size_t depth,
			enum fix_scalar type, const char *value, struct err *e)
{
	const struct node *first = node_map_key(m, 0);
	const struct node *lk = node_map_key(m, node_map_len(m) - 1);
	const struct node *lv = node_map_val(m, node_map_len(m) - 1);
	int indent = line_indent(buf, first), unit = indent_unit(root);
	struct strbuf t = STRBUF_INIT;
	size_t off, len, at;

	if (indent < 0 && (first->col != 1 || first->line != m->line))
		return err_set(e, name, first->line,
			       "not edited: the mapping's indentation is not plain spaces");
	if (indent < 0)
		indent = 0;
	if (unit <= 0)
		unit = 2;
	keys_text(&t, false, false, path, depth, indent, unit, fix_eol(buf), type, value);
	if (lv->kind == NODE_SCALAR && lv->line == lk->line && !strchr(lv->str, '\n') &&
	    line_indent(buf, lk) == indent && fix_line_span(buf, lk->line, &off, &len) == 0) {
		at = off + len;
		while (at < buf->len && buf->buf[at] != '\n')
			at++;
		if (at == buf->len) {
			struct strbuf nt = STRBUF_INIT;

			strbuf_addf(&nt, "%s%s", fix_eol(buf), t.buf);
			nt.len -= strlen(fix_eol(buf));
			nt.buf[nt.len] = '\0';
			strbuf_release(&t);
			t = nt;
		} else {
			at++;
		}
	} else if (line_indent(buf, first) == indent &&
		   fix_line_span(buf, first->line, &at, &len) == 0) {
		/* at: the first key's line */
	} else {
		strbuf_release(&t);
		return err_set(e, name, m->line,
			       "not edited: no place to add '%s' without "
			       "guessing the layout",
			       path[0]);
	}
	strbuf_splice(buf, at, 0, t.buf, t.len);
	strbuf_release(&t);
	return 0;
}

static int set_in(struct strbuf *buf, const char *name, const struct node *root,
		  const struct node *m, bool json, const char *const *path, size_t depth,
		  enum fix_scalar type, const char *value, struct err *e)
{
	const struct node *v;
	size_t at;

	if (node_map_count(m, path[0]) > 1)
		return err_set(e, name, m->line, "not edited: '%s' is set more than once", path[0]);
	v = node_map_get(m, path[0]);
	if (v && depth == 1)
		return replace_scalar(buf, name, v, json, type, value, e);
	if (v && v->kind == NODE_MAP && node_map_len(v))
		return set_in(buf, name, root, v, json, path + 1, depth - 1, type, value, e);
	if (v)
		return err_set(e, name, v->line, "not edited: '%s' is not a mapping with keys",
			       path[0]);
	if (node_offset(buf, m, &at) < 0)
		return err_set(e, name, m->line, "not edited: cannot locate the mapping");
	if (buf->buf[at] == '{')
		return insert_flow(buf, name, m, at, json, path, depth, type, value, e);
	if (!node_map_len(m))
		return err_set(e, name, m->line, "not edited: an empty mapping");
	return insert_block(buf, name, root, m, path, depth, type, value, e);
}

int fix_yaml_check(const struct strbuf *buf, const char *name, const char *const *path,
		   size_t depth, enum fix_scalar type, const char *value, struct err *e)
{
	struct yaml_docs d = {0};
	const struct node *n;
	int ret = -1;

	if (parse_one(buf, name, &d, e) < 0)
		goto out;
	n = d.doc[0];
	for (size_t i = 0; i < depth && n; i++)
		n = n->kind == NODE_MAP ? node_map_get(n, path[i]) : NULL;
	if (!value_ok(n, type, value)) {
		err_set(e, name, 0, "the edit did not give %s: %s: refusing it", path[depth - 1],
			value);
		goto out;
	}
	ret = 0;
out:
	yaml_docs_release(&d);
	return ret;
}

int fix_yaml_set(struct strbuf *buf, const char *name, const char *const *path, size_t depth,
		 enum fix_scalar type, const char *value, struct err *e)
{
	struct yaml_docs d = {0};
	bool json = json_sniff(strbuf_str(buf), buf->len);
	int ret = -1;

	if (plain_enough(buf, name, e) < 0 || parse_one(buf, name, &d, e) < 0)
		goto out;
	/* JSON, not YAML flow style: its keys are quoted */
	json = json && node_map_len(d.doc[0]) && node_map_key(d.doc[0], 0)->quoted;
	if (set_in(buf, name, d.doc[0], d.doc[0], json, path, depth, type, value, e) < 0)
		goto out;
	ret = fix_yaml_check(buf, name, path, depth, type, value, e);
out:
	yaml_docs_release(&d);
	return ret;
}

/* The node at path; "#N" picks item N of a sequence. NULL when missing. */
static const struct node *walk(const struct node *n, const char *const *path, size_t depth)
{
	for (size_t i = 0; i < depth && n; i++) {
		long long idx;

		if (path[i][0] == '#' && n->kind == NODE_SEQ &&
		    parse_int(path[i] + 1, 0, 1 << 20, &idx) == 0)
			n = (size_t)idx < n->n ? n->kids[idx] : NULL;
		else if (n->kind == NODE_MAP && node_map_count(n, path[i]) == 1)
			n = node_map_get(n, path[i]);
		else
			n = NULL;
	}
	return n;
}

int fix_yaml_seq_prepend(struct strbuf *buf, const char *name, const char *const *path,
			 size_t depth, const char *const *lines, size_t nlines, struct err *e)
{
	struct yaml_docs d = {0};
	struct strbuf t = STRBUF_INIT;
	const struct node *seq, *item, *key;
	size_t off, len, at;
	int dash, ret = -1;

	if (plain_enough(buf, name, e) < 0 || parse_one(buf, name, &d, e) < 0)
		goto out;
	seq = walk(d.doc[0], path, depth);
	if (!seq || seq->kind != NODE_SEQ || !seq->n || seq->kids[0]->kind != NODE_MAP ||
	    !node_map_len(seq->kids[0])) {
		err_set(e, name, 0, "not edited: no block list of mappings at %s", path[depth - 1]);
		goto out;
	}
	item = seq->kids[0];
	key = node_map_key(item, 0);
	dash = line_indent(buf, key) < 0 ? key->col - 3 : -1;
	if (dash < 0 || fix_line_span(buf, key->line, &off, &len) < 0 ||
	    node_offset(buf, key, &at) < 0 || at < off + 2 || buf->buf[at - 2] != '-' ||
	    buf->buf[at - 1] != ' ' || strspn(buf->buf + off, " ") != (size_t)dash) {
		err_set(e, name, key->line,
			"not edited: the list at %s is not in plain \"- key:\" "
			"block style",
			path[depth - 1]);
		goto out;
	}
	for (size_t i = 0; i < nlines; i++)
		strbuf_addf(&t, "%*s%s%s%s", dash, "", i ? "  " : "- ", lines[i], fix_eol(buf));
	strbuf_splice(buf, off, 0, t.buf, t.len);
	yaml_docs_release(&d);
	if (parse_one(buf, name, &d, e) < 0)
		goto out;
	seq = walk(d.doc[0], path, depth);
	if (!seq || seq->kind != NODE_SEQ || seq->kids[0]->kind != NODE_MAP) {
		err_set(e, name, 0, "the edit did not give a new item at %s: refusing it",
			path[depth - 1]);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&t);
	yaml_docs_release(&d);
	return ret;
}

int fix_yaml_append_key(struct strbuf *buf, const char *name, const char *key, const char *text,
			struct err *e)
{
	struct yaml_docs d = {0};
	struct strbuf t = STRBUF_INIT;
	const char *eol = fix_eol(buf);
	size_t at;
	int ret = -1;

	if (plain_enough(buf, name, e) < 0 || parse_one(buf, name, &d, e) < 0)
		goto out;
	if (node_map_count(d.doc[0], key)) {
		err_set(e, name, 0, "not edited: '%s' is already there", key);
		goto out;
	}
	if (node_offset(buf, d.doc[0], &at) < 0 || buf->buf[at] == '{' ||
	    line_indent(buf, node_map_key(d.doc[0], 0)) != 0) {
		err_set(e, name, 0, "not edited: the document is not a block mapping at column 1");
		goto out;
	}
	if (buf->len && buf->buf[buf->len - 1] != '\n')
		strbuf_addstr(&t, eol);
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		strbuf_add(&t, s, n);
		strbuf_addstr(&t, eol);
		s += n + !!nl;
	}
	strbuf_add(buf, t.buf, t.len);
	yaml_docs_release(&d);
	if (parse_one(buf, name, &d, e) < 0)
		goto out;
	if (node_map_count(d.doc[0], key) != 1) {
		err_set(e, name, 0, "the edit did not give '%s': refusing it", key);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&t);
	yaml_docs_release(&d);
	return ret;
}
