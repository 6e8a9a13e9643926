#include "core/section.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

/*
 * A tree's arena: chunks of 8 KB, then each the size of all before it (8,
 * 16, 32 KB), then, once the tree holds 64 KB, chunks of 2 MB in huge pages
 * (huge_zalloc()): one fault each where a 4 KB page at a time was 512.
 * Nothing is freed before the tree is. Under AddressSanitizer every node and
 * string is a chunk of its own, so that an overflow from one into the next
 * is still caught.
 */
#define CHUNK_FIRST ((size_t)8 << 10)
#define HUGE_AFTER  ((size_t)64 << 10)
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EACH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EACH 1
#endif
#endif

struct chunk {
	struct chunk *next;
	size_t size; /* with this header */
	bool huge;
};

#define CHUNK_HDR ((sizeof(struct chunk) + 15) & ~(size_t)15)

struct sec_arena {
	struct section *root;
	struct chunk *head;
	char *p, *end;
	size_t total;
};

static void arena_grow(struct sec_arena *a, size_t n)
{
	bool huge = a->total >= HUGE_AFTER;
	size_t size = huge ? HUGE_ALIGN : a->total ? a->total : CHUNK_FIRST;
	struct chunk *c;

#ifdef ARENA_EACH
	huge = false;
	size = 0;
#endif
	if (size < st_add(n, CHUNK_HDR))
		size = st_add(n, CHUNK_HDR);
	if (huge)
		size = st_add(size, HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
	c = huge ? huge_zalloc(size) : xmalloc(size);
	c->next = a->head;
	c->size = size;
	c->huge = huge;
	a->head = c;
	a->total = st_add(a->total, size);
	a->p = (char *)c + CHUNK_HDR;
	a->end = (char *)c + size;
}

static void *arena_alloc(struct sec_arena *a, size_t n)
{
	void *r;

#ifndef ARENA_EACH /* (each in a chunk of its own is aligned, and ends where it ends) */
	n = st_add(n, 7) & ~(size_t)7;
#endif
	if (!a->p || (size_t)(a->end - a->p) < n)
		arena_grow(a, n);
	r = a->p;
	a->p += n;
	return r;
}

static char *arena_strdup(struct sec_arena *a, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s);
	d = arena_alloc(a, st_add(n, 1));
	memcpy(d, s, n + 1);
	return d;
}

static struct section *node_new(struct sec_arena *a, enum sec_type type, const char *key)
{
	struct section *s = arena_alloc(a, sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->arena = a;
	s->type = type;
	s->key = arena_strdup(a, key);
	s->json_indent = -1;
	return s;
}

struct section *section_create(enum sec_type type, const char *key, const char *label)
{
	struct sec_arena *a = xcalloc(1, sizeof(*a));
	struct section *s = node_new(a, type, key);

	a->root = s;
	s->label = arena_strdup(a, label);
	return s;
}

void section_destroy(struct section *s)
{
	struct sec_arena *a = s ? s->arena : NULL;
	struct chunk *c, *next;

	if (!a || a->root != s)
		return; /* a node under a root goes with its root */
	/* s is in a chunk: only a is used from here */
	for (c = a->head; c; c = next) {
		next = c->next;
		if (c->huge)
			huge_free(c, c->size);
		else
			free(c);
	}
	free(a);
}

static struct section *add(struct section *p, enum sec_type type, const char *key)
{
	struct section *s = node_new(p->arena, type, key);

	if (p->n == p->alloc) {
		/* the old array stays in the arena: at most as much again */
		size_t n = p->alloc ? st_mult(p->alloc, 2) : 4;
		struct section **kid = arena_alloc(p->arena, st_mult(n, sizeof(*kid)));
		if (p->n)
			memcpy(kid, p->kid, p->n * sizeof(*kid));
		p->kid = kid;
		p->alloc = n;
	}
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
	s->v.s = arena_strdup(s->arena, str);
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
	if (label)
		s->label = arena_strdup(s->arena, label);
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
	s->empty = arena_strdup(s->arena, text);
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
