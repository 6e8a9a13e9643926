#include "core/section.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

static struct section *node_new(enum sec_type type, const char *key)
{
	struct section *s = xcalloc(1, sizeof(*s));

	s->type = type;
	s->key = xstrdup_or_null(key);
	s->json_indent = -1;
	return s;
}

struct section *section_create(enum sec_type type, const char *key, const char *label)
{
	struct section *s = node_new(type, key);

	s->label = xstrdup_or_null(label);
	return s;
}

void section_destroy(struct section *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		section_destroy(s->kid[i]);
	free(s->kid);
	if (s->type == SEC_STRING)
		free(s->v.s);
	free(s->key);
	free(s->label);
	free(s->empty);
	free(s);
}

static struct section *add(struct section *p, enum sec_type type, const char *key)
{
	struct section *s = node_new(type, key);

	ALLOC_GROW(p->kid, p->n + 1, p->alloc);
	p->kid[p->n++] = s;
	return s;
}

struct section *sec_group(struct section *p, const char *key, const char *label)
{
	return sec_label(add(p, SEC_GROUP, key), label);
}

struct section *sec_list(struct section *p, const char *key, const char *label)
{
	return sec_label(add(p, SEC_LIST, key), label);
}

struct section *sec_series(struct section *p, const char *key, const char *label, int64_t step_us)
{
	struct section *s = sec_label(add(p, SEC_SERIES, key), label);

	s->step = step_us;
	return s;
}

struct section *sec_str(struct section *p, const char *key, const char *str)
{
	struct section *s;

	if (!str)
		return add(p, SEC_NULL, key);
	s = add(p, SEC_STRING, key);
	s->v.s = xstrdup(str);
	return s;
}

struct section *sec_int(struct section *p, const char *key, int64_t v)
{
	struct section *s = add(p, SEC_INT, key);

	s->v.i = v;
	return s;
}

struct section *sec_uint(struct section *p, const char *key, uint64_t v)
{
	struct section *s = add(p, SEC_UINT, key);

	s->v.u = v;
	return s;
}

struct section *sec_number(struct section *p, const char *key, double v)
{
	struct section *s = add(p, SEC_NUMBER, key);

	s->v.d = v;
	return s;
}

struct section *sec_decimal(struct section *p, const char *key, double v, int prec)
{
	struct section *s = add(p, SEC_DECIMAL, key);

	s->v.d = v;
	s->prec = prec;
	return s;
}

struct section *sec_time(struct section *p, const char *key, int64_t us)
{
	struct section *s = add(p, SEC_TIME, key);

	s->v.i = us;
	return s;
}

struct section *sec_bool(struct section *p, const char *key, bool v)
{
	struct section *s = add(p, SEC_BOOL, key);

	s->v.b = v;
	return s;
}

struct section *sec_null(struct section *p, const char *key)
{
	return add(p, SEC_NULL, key);
}

struct section *sec_label(struct section *s, const char *label)
{
	if (label) {
		free(s->label);
		s->label = xstrdup(label);
	}
	return s;
}

struct section *sec_brk(struct section *s, int indent)
{
	s->json_indent = indent;
	return s;
}

struct section *sec_flag(struct section *s, unsigned flags)
{
	s->flags |= flags;
	return s;
}

struct section *sec_empty(struct section *s, const char *text)
{
	free(s->empty);
	s->empty = xstrdup_or_null(text);
	return s;
}

struct section *sec_text_max(struct section *s, size_t max)
{
	s->text_max = max;
	return s;
}

const struct section *sec_find(const struct section *s, const char *path)
{
	while (s && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		const struct section *next = NULL;

		for (size_t i = 0; s->type == SEC_GROUP && i < s->n && !next; i++)
			if (s->kid[i]->key && strlen(s->kid[i]->key) == len &&
			    !memcmp(s->kid[i]->key, path, len))
				next = s->kid[i];
		s = next;
		path += len + (dot ? 1 : 0);
	}
	return s;
}

uint64_t sec_find_uint(const struct section *s, const char *path)
{
	const struct section *v = sec_find(s, path);

	return v && v->type == SEC_UINT ? v->v.u : 0;
}

const char *sec_name(const struct section *s)
{
	return s->label ? s->label : s->key ? s->key : "";
}

bool sec_is_scalar(const struct section *s)
{
	return s->type != SEC_GROUP && s->type != SEC_LIST && s->type != SEC_SERIES;
}

bool sec_is_zero(const struct section *s)
{
	switch (s->type) {
	case SEC_NULL:
		return true;
	case SEC_BOOL:
		return !s->v.b;
	case SEC_INT:
		return !s->v.i;
	case SEC_UINT:
		return !s->v.u;
	case SEC_NUMBER:
	case SEC_DECIMAL:
		return s->v.d == 0;
	case SEC_TIME:
		return s->v.i == SEC_TIME_NONE;
	case SEC_STRING:
		return !*s->v.s;
	case SEC_GROUP:
		break;
	default:
		return !s->n;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!sec_is_zero(s->kid[i]))
			return false;
	return true;
}
