#include "parsers/cmdline.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

void argv_init(struct argv_list *a)
{
	memset(a, 0, sizeof(*a));
}

static void origin_release(struct argv_origin *o)
{
	free(o->path);
	free(o->note);
	memset(o, 0, sizeof(*o));
}

void argv_release(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i]);
		if (a->at)
			origin_release(&a->at[i]);
	}
	free(a->v);
	free(a->at);
	argv_init(a);
}

void argv_push(struct argv_list *a, const char *s)
{
	size_t old = a->alloc;

	ALLOC_GROW(a->v, a->n + 1, a->alloc);
	if (a->at && a->alloc != old) {
		/* keep the origins as long as the words */
		a->at = xrealloc(a->at, st_mult(a->alloc, sizeof(*a->at)));
		memset(a->at + old, 0, (a->alloc - old) * sizeof(*a->at));
	}
	a->v[a->n++] = xstrdup(s);
}

void argv_push_at(struct argv_list *a, const char *s, const char *path, int line, const char *note)
{
	struct argv_origin *o;

	argv_push(a, s);
	if (!a->at)
		a->at = xcalloc(a->alloc, sizeof(*a->at));
	o = &a->at[a->n - 1];
	o->path = path ? xstrdup(path) : NULL;
	o->line = line;
	o->note = note ? xstrdup(note) : NULL;
}

void argv_push_from(struct argv_list *a, const struct argv_list *src, size_t i)
{
	const struct argv_origin *o = argv_origin(src, i);

	if (o)
		argv_push_at(a, src->v[i], o->path, o->line, o->note);
	else
		argv_push(a, src->v[i]);
}

const struct argv_origin *argv_origin(const struct argv_list *a, size_t i)
{
	if (!a->at || i >= a->n)
		return NULL;
	if (!a->at[i].path && !a->at[i].note)
		return NULL;
	return &a->at[i];
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_split(const char *s, struct argv_list *out, struct err *e)
{
	struct strbuf w = STRBUF_INIT;
	bool in_word = false;
	int ret = 0;

	for (const char *p = s; *p; p++) {
		if (is_space(*p)) {
			if (in_word) {
				argv_push(out, strbuf_str(&w));
				strbuf_reset(&w);
				in_word = false;
			}
			continue;
		}
		in_word = true;
		if (*p == '\\') {
			if (p[1] == '\n') {
				p++; /* line continuation */
				continue;
			}
			if (p[1])
				p++;
			strbuf_addch(&w, *p);
		} else if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (!q) {
				ret = err_set(e, "", 0, "unterminated ' quote in command line");
				goto out;
			}
			strbuf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' &&
				    (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
					p++;
				strbuf_addch(&w, *p);
			}
			if (!*p) {
				ret = err_set(e, "", 0, "unterminated \" quote in command line");
				goto out;
			}
		} else {
			strbuf_addch(&w, *p);
		}
	}
	if (in_word)
		argv_push(out, strbuf_str(&w));
out:
	strbuf_release(&w);
	return ret;
}

void cmdline_split_nul(const char *buf, size_t len, struct argv_list *out)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0') {
			argv_push(out, buf + start);
			start = i + 1;
		}
	}
	if (start < len) {
		char *last = xstrndup(buf + start, len - start);
		argv_push(out, last);
		free(last);
	}
}

char *cmdline_join(const struct argv_list *a)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < a->n; i++) {
		const char *w = a->v[i];
		if (i)
			strbuf_addch(&sb, ' ');
		if (*w && !strpbrk(w, " \t\n'\"\\$`")) {
			strbuf_addstr(&sb, w);
			continue;
		}
		strbuf_addch(&sb, '\'');
		for (; *w; w++) {
			if (*w == '\'')
				strbuf_addstr(&sb, "'\\''");
			else
				strbuf_addch(&sb, *w);
		}
		strbuf_addch(&sb, '\'');
	}
	return strbuf_detach(&sb);
}

static const char *base_name(const char *w)
{
	const char *slash = strrchr(w, '/');

	return slash ? slash + 1 : w;
}

long cmdline_find_program(const struct argv_list *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *b = base_name(a->v[i]);

		if (a->v[i][0] == '-')
			return -1; /* flags of another program */
		if (!strcmp(b, name))
			return (long)i;
		/* hyperkube's first argument names the component */
		if (!strcmp(b, "hyperkube") && i + 1 < a->n && !strcmp(a->v[i + 1], name))
			return (long)i + 1;
	}
	return -1;
}

static void argv_drop_front(struct argv_list *a, size_t k)
{
	if (k > a->n)
		k = a->n;
	for (size_t i = 0; i < k; i++) {
		free(a->v[i]);
		if (a->at)
			origin_release(&a->at[i]);
	}
	memmove(a->v, a->v + k, (a->n - k) * sizeof(*a->v));
	if (a->at) {
		memmove(a->at, a->at + k, (a->n - k) * sizeof(*a->at));
		memset(a->at + a->n - k, 0, k * sizeof(*a->at));
	}
	a->n -= k;
}

int cmdline_locate(struct argv_list *a, const char *name)
{
	long at = cmdline_find_program(a, name);

	if (at >= 0) {
		argv_drop_front(a, (size_t)at);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct argv_list inner;
		const char *sp = strchr(a->v[i], ' '), *eq, *w;

		if (!sp)
			continue;
		/* msg="Running kubelet ...": the command is the value of a key */
		eq = memchr(a->v[i], '=', (size_t)(sp - a->v[i]));
		w = eq ? eq + 1 : a->v[i];
		argv_init(&inner);
		if (cmdline_split(w, &inner, NULL) == 0 &&
		    (at = cmdline_find_program(&inner, name)) >= 0) {
			argv_drop_front(&inner, (size_t)at);
			argv_release(a);
			*a = inner;
			return 0;
		}
		argv_release(&inner);
	}
	return -1;
}
