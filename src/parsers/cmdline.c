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

void argv_release(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	argv_init(a);
}

void argv_push(struct argv_list *a, const char *s)
{
	ALLOC_GROW(a->v, a->n + 1, a->alloc);
	a->v[a->n++] = xstrdup(s);
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
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
						   p[1] == '$' || p[1] == '`'))
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
