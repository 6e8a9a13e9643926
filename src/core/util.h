#ifndef KANON_UTIL_H
#define KANON_UTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Overflow-checked size arithmetic for allocations (as git's st_add and
 * st_mult): a size that does not fit in size_t comes from hostile or broken
 * input, and wrapping around would allocate too little, so they die with a
 * message instead.
 */
void die_size_overflow(const char *op, size_t a, size_t b) __attribute__((noreturn));

static inline size_t st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		die_size_overflow("+", a, b);
	return a + b;
}

static inline size_t st_mult(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		die_size_overflow("*", a, b);
	return a * b;
}

#define st_add3(a, b, c) st_add(st_add((a), (b)), (c))

/* Allocation wrappers: kanon cannot do anything useful without memory, so
 * they abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xstrdup that maps NULL to NULL. */
char *xstrdup_or_null(const char *s);

/*
 * Zeroed memory that a fresh page at a time would make dear: n bytes rounded
 * up to HUGE_ALIGN, at a HUGE_ALIGN boundary, advised MADV_HUGEPAGE. Each
 * 4 KB page's first write is a fault (about 10 us where a hypervisor shadows
 * the page tables); a 2 MB page aligned so is one fault where transparent huge
 * pages are on ("madvise" mode, Debian's default). Pages stay unbacked until
 * touched. Free with huge_free(p, n), the same n.
 */
#define HUGE_ALIGN ((size_t)2 << 20)
void *huge_zalloc(size_t n);
void huge_free(void *p, size_t n);

/*
 * The whole pages inside p..p+n backed now, writable, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14): about 0.6 us a page where each first
 * write faults at 12 us (the same hypervisor). Advice: where it is refused
 * (an older kernel), the pages fault in one at a time as before.
 */
void mem_populate(void *p, size_t n);
/* xcalloc() whose pages are backed at once (mem_populate()): for the tens
 * of KB and more that are written soon after, across their length. */
void *xcalloc_populated(size_t nmemb, size_t size);
/* The same, NULL when there is no memory (for a caller that can do without). */
void *calloc_populated(size_t nmemb, size_t size);
/* The system's page size (sysconf(), read once). */
size_t page_size(void);

/*
 * Grow *arr so that it holds at least `need` elements of `elem` bytes. An
 * array of 32 KB to 8 MB is moved to pages backed at once (mem_populate()):
 * an audit block's records grown by realloc() took 180 faults a run.
 */
void grow_array(void **arr, size_t *alloc, size_t need, size_t elem);
#define ALLOC_GROW(arr, need, alloc) grow_array((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The value of a hex digit, or -1. */
static inline int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool str_eq(const char *a, const char *b);
bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);

/* Parse a decimal int in [min,max]; returns 0 or -1. */
int parse_int(const char *s, long long min, long long max, long long *out);

#endif
