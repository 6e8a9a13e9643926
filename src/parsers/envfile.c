/*
 * systemd EnvironmentFile= syntax and the environment a unit builds.
 * Semantics from systemd src/basic/env-file.c (parse_env_file_internal,
 * load_env_file_push) and src/basic/env-util.c (env_name_is_valid,
 * strv_env_replace_consume, strv_env_merge).
 */
#include "parsers/envfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

void env_list_init(struct env_list *l)
{
	memset(l, 0, sizeof(*l));
}

static void var_release(struct env_var *v)
{
	free(v->name);
	free(v->value);
	free(v->path);
}

void env_list_release(struct env_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		var_release(&l->v[i]);
	free(l->v);
	env_list_init(l);
}

static struct env_var *find(const struct env_list *l, const char *name, size_t nlen)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i].name, name, nlen) && !l->v[i].name[nlen])
			return &l->v[i];
	return NULL;
}

const struct env_var *env_list_get(const struct env_list *l, const char *name, size_t nlen)
{
	return find(l, name, nlen);
}

void env_list_set(struct env_list *l, const char *name, size_t nlen, const char *value,
		  const char *path, int line, const char *how)
{
	struct env_var *v = find(l, name, nlen);

	if (v) {
		var_release(v);
	} else {
		ALLOC_GROW(l->v, l->n + 1, l->alloc);
		v = &l->v[l->n++];
	}
	v->name = xstrndup(name, nlen);
	v->value = xstrdup(value ? value : "");
	v->path = path ? xstrdup(path) : NULL;
	v->line = line;
	v->how = how;
}

void env_list_unset(struct env_list *l, const char *name)
{
	struct env_var *v = find(l, name, strlen(name));

	if (!v)
		return;
	var_release(v);
	memmove(v, v + 1, (size_t)(&l->v[l->n] - (v + 1)) * sizeof(*v));
	l->n--;
}

void env_list_merge(struct env_list *dst, const struct env_list *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct env_var *v = &src->v[i];
		env_list_set(dst, v->name, strlen(v->name), v->value, v->path, v->line, v->how);
	}
}

bool env_name_valid(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;

	while (n) {
		size_t k = utf8_decode(p, n, &cp);
		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* ------------------------------------------------------------------ parse */

enum st {
	PRE_KEY,
	KEY,
	PRE_VALUE,
	VALUE,
	VALUE_ESCAPE,
	SQUOTE,
	DQUOTE,
	DQUOTE_ESCAPE,
	COMMENT,
	COMMENT_ESCAPE,
};

struct envp {
	struct strbuf key, value;
	size_t key_trim, value_trim; /* SIZE_MAX: no trailing whitespace to cut */
	int key_line;
	const char *path;
	struct env_list *out;
	struct err *e;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_nl(char c)
{
	return c == '\n' || c == '\r';
}

/* load_env_file_push(): check UTF-8, then replace or add. */
static int push(struct envp *p, bool trim_value)
{
	size_t kl = p->key_trim != SIZE_MAX ? p->key_trim : p->key.len;
	size_t vl = trim_value && p->value_trim != SIZE_MAX ? p->value_trim : p->value.len;
	char *value;

	if (!utf8_valid(p->key.buf ? p->key.buf : "", kl))
		return err_set(p->e, p->path, p->key_line,
			       "invalid UTF-8 in a key: systemd refuses the file");
	if (!utf8_valid(p->value.buf ? p->value.buf : "", vl))
		return err_set(p->e, p->path, p->key_line,
			       "invalid UTF-8 in a value: systemd refuses the file");
	if (p->out->n >= ENV_MAX_VARS && !find(p->out, strbuf_str(&p->key), kl))
		return err_set(p->e, p->path, p->key_line, "more than %d variables: not modeled",
			       ENV_MAX_VARS);
	value = xstrndup(strbuf_str(&p->value), vl);
	env_list_set(p->out, strbuf_str(&p->key), kl, value, p->path, p->key_line,
		     "EnvironmentFile=");
	free(value);
	strbuf_reset(&p->key);
	strbuf_reset(&p->value);
	return 0;
}

static void add_value(struct envp *p, char c)
{
	strbuf_addch(&p->value, c);
}

/* One character before the '=' or in a comment; returns the next state. */
static int step_key(struct envp *p, enum st s, char c, int line)
{
	switch (s) {
	case PRE_KEY:
		if (c == '#' || c == ';')
			return COMMENT;
		if (is_ws(c))
			return PRE_KEY;
		p->key_line = line;
		p->key_trim = SIZE_MAX;
		strbuf_addch(&p->key, c);
		return KEY;
	case KEY:
		if (is_nl(c)) {
			strbuf_reset(&p->key); /* no '=': the line is dropped */
			return PRE_KEY;
		}
		if (c == '=') {
			p->value_trim = SIZE_MAX;
			return PRE_VALUE;
		}
		if (!is_ws(c))
			p->key_trim = SIZE_MAX;
		else if (p->key_trim == SIZE_MAX)
			p->key_trim = p->key.len;
		strbuf_addch(&p->key, c);
		return KEY;
	case COMMENT:
		if (c == '\\')
			return COMMENT_ESCAPE;
		return is_nl(c) ? PRE_KEY : COMMENT;
	default: /* COMMENT_ESCAPE */
		/* since v254 an escaped newline does not continue a comment */
		return is_nl(c) ? PRE_KEY : COMMENT;
	}
}

/* One character of a value; returns the next state, or -1 on error. */
static int step_value(struct envp *p, enum st s, char c)
{
	switch (s) {
	case PRE_VALUE:
		if (is_nl(c))
			return push(p, false) < 0 ? -1 : PRE_KEY;
		if (c == '\'' || c == '"' || c == '\\')
			return c == '\'' ? SQUOTE : c == '"' ? DQUOTE : VALUE_ESCAPE;
		if (is_ws(c))
			return PRE_VALUE;
		add_value(p, c);
		return VALUE;
	case VALUE:
		if (is_nl(c))
			return push(p, true) < 0 ? -1 : PRE_KEY;
		if (c == '\\') {
			p->value_trim = SIZE_MAX;
			return VALUE_ESCAPE;
		}
		if (!is_ws(c))
			p->value_trim = SIZE_MAX;
		else if (p->value_trim == SIZE_MAX)
			p->value_trim = p->value.len;
		add_value(p, c);
		return VALUE;
	case VALUE_ESCAPE:
		if (!is_nl(c)) /* an escaped newline continues the value */
			add_value(p, c);
		return VALUE;
	case SQUOTE:
		if (c != '\'')
			add_value(p, c);
		return c == '\'' ? PRE_VALUE : SQUOTE;
	case DQUOTE:
		if (c == '"' || c == '\\')
			return c == '"' ? PRE_VALUE : DQUOTE_ESCAPE;
		add_value(p, c);
		return DQUOTE;
	default: /* DQUOTE_ESCAPE */
		/* the shell's escapes (SHELL_NEED_ESCAPE); others keep the '\' */
		if (strchr("\"\\`$", c)) {
			add_value(p, c);
		} else if (c != '\n') {
			add_value(p, '\\');
			add_value(p, c);
		}
		return DQUOTE;
	}
}

static int step(struct envp *p, enum st s, char c, int line)
{
	if (s == PRE_KEY || s == KEY || s == COMMENT || s == COMMENT_ESCAPE)
		return step_key(p, s, c, line);
	return step_value(p, s, c);
}

int envfile_parse(const char *buf, size_t len, const char *path, struct env_list *out,
		  struct err *e)
{
	struct envp p = {STRBUF_INIT, STRBUF_INIT, SIZE_MAX, SIZE_MAX, 1, path, out, e};
	int s = PRE_KEY, line = 1, ret = 0;

	/* systemd reads the file as a C string: a NUL byte ends it */
	for (size_t i = 0; i < len && buf[i]; i++) {
		s = step(&p, (enum st)s, buf[i], line);
		if (s < 0) {
			ret = -1;
			goto out;
		}
		if (buf[i] == '\n')
			line++;
	}
	switch (s) {
	case PRE_VALUE:
	case VALUE_ESCAPE:
	case SQUOTE:
	case DQUOTE:
	case DQUOTE_ESCAPE:
		ret = push(&p, false);
		break;
	case VALUE:
		ret = push(&p, true);
		break;
	default:
		break;
	}
out:
	strbuf_release(&p.key);
	strbuf_release(&p.value);
	return ret;
}
