#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/banned.h"

static void oom(size_t n)
{
	fprintf(stderr, "kanon: fatal: out of memory (%zu bytes)\n", n);
	abort();
}

void die_size_overflow(const char *op, size_t a, size_t b)
{
	fprintf(stderr, "kanon: fatal: size overflow: %zu %s %zu\n", a, op, b);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(st_mult(nmemb, size));
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

static size_t huge_round(size_t n)
{
	return st_add(n ? n : 1, HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
}

void *huge_zalloc(size_t n)
{
	size_t len = huge_round(n), over = st_add(len, HUGE_ALIGN);
	char *m = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	size_t head;

	if (m == MAP_FAILED)
		oom(over);
	/* keep the aligned len bytes inside the mapping, give back the rest */
	a = ((uintptr_t)m + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1);
	head = (size_t)(a - (uintptr_t)m);
	if (head)
		munmap(m, head);
	if (over - head - len)
		munmap((char *)a + len, over - head - len);
#ifdef MADV_HUGEPAGE
	madvise((void *)a, len, MADV_HUGEPAGE); /* advice: refused (EINVAL) is fine */
#endif
	return (void *)a;
}

void huge_free(void *p, size_t n)
{
	if (p)
		munmap(p, huge_round(n));
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(st_add(n, 1));
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

size_t page_size(void)
{
	static size_t page; /* (threads may store it at once: the same value) */
	size_t pg = __atomic_load_n(&page, __ATOMIC_RELAXED);

	if (!pg) {
		long v = sysconf(_SC_PAGESIZE);
		pg = v > 0 ? (size_t)v : 4096;
		__atomic_store_n(&page, pg, __ATOMIC_RELAXED);
	}
	return pg;
}

void mem_populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t pg = page_size(), lo, hi;

	lo = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	hi = ((uintptr_t)p + n) & ~(pg - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE); /* advice: see util.h */
#else
	(void)p;
	(void)n;
#endif
}

void *calloc_populated(size_t nmemb, size_t size)
{
	size_t n = st_mult(nmemb ? nmemb : 1, size ? size : 1);
	void *p = malloc(n);

	if (p) {
		mem_populate(p, n);
		memset(p, 0, n);
	}
	return p;
}

void *xcalloc_populated(size_t nmemb, size_t size)
{
	void *p = calloc_populated(nmemb, size);

	if (!p)
		oom(st_mult(nmemb, size));
	return p;
}

/* the sizes grow_array() moves to pages backed at once */
#define POPULATE_FROM ((size_t)32 << 10)
#define POPULATE_UPTO ((size_t)8 << 20)

void grow_array(void **arr, size_t *alloc, size_t need, size_t elem)
{
	size_t n = *alloc, bytes;

	if (need <= n)
		return;
	if (n < 8)
		n = 8;
	/* doubling stops at the largest count that still fits: st_mult below
	 * then dies instead of wrapping */
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	bytes = st_mult(n, elem);
	if (bytes >= POPULATE_FROM && bytes <= POPULATE_UPTO) {
		/* realloc() would fault in the copy's pages one by one */
		void *q = xmalloc(bytes);
		mem_populate(q, bytes);
		if (*arr)
			memcpy(q, *arr, *alloc * elem); /* (*alloc * elem < bytes) */
		free(*arr);
		*arr = q;
	} else {
		*arr = xrealloc(*arr, bytes);
	}
	*alloc = n;
}

bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
