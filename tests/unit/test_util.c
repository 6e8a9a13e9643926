/* core/util size arithmetic and core/err messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"

static volatile size_t sink;

/* Run fn in a child: true when it died of SIGABRT (the overflow path). */
static bool dies(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* the message is expected: keep it out of the test log */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void mult_overflow(void)
{
	sink = st_mult(SIZE_MAX / 2 + 1, 2);
}

static void add_overflow(void)
{
	sink = st_add(SIZE_MAX, 1);
}

static void grow_overflow(void)
{
	char *p = NULL;
	size_t alloc = 0;

	/* elem * need wraps around: must die, not allocate a few bytes */
	grow_array((void **)&p, &alloc, SIZE_MAX / 8 + 2, 16);
	free(p);
}

static void test_size_math(void **state)
{
	(void)state;
	assert_int_equal(st_add(3, 4), 7);
	assert_int_equal(st_mult(3, 4), 12);
	assert_int_equal(st_mult(SIZE_MAX, 0), 0);
	assert_int_equal(st_add3(1, 2, 3), 6);
	assert_true(dies(mult_overflow));
	assert_true(dies(add_overflow));
	assert_true(dies(grow_overflow));
}

/* Issue 8: messages cut paths at 512 bytes. */
static void test_err_long_path(void **state)
{
	struct err e;
	char path[700], buf[ERR_FORMAT_MAX];
	char want[800];
	(void)state;

	memset(path, 'd', sizeof(path) - 1);
	for (size_t i = 0; i < sizeof(path) - 1; i += 50)
		path[i] = '/';
	path[sizeof(path) - 1] = '\0';
	memcpy(path + sizeof(path) - 6, "x.yml", 5);
	assert_int_equal(err_set(&e, path, 3, "cannot read '%s': %s", path, "No such file"), -1);
	assert_string_equal(e.file, path);
	snprintf(want, sizeof(want), "cannot read '%s': No such file", path);
	assert_string_equal(e.msg, want);
	err_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, want));
	assert_int_equal(strncmp(buf, path, strlen(path)), 0);
	assert_non_null(strstr(buf, "x.yml:3: cannot read"));
}

static void test_err_cut_is_marked(void **state)
{
	struct err e;
	char buf[16];
	(void)state;

	err_set(&e, "f", 1, "%s", "a message too long for the buffer");
	err_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f:1: a messa...");
}

/* Whether the kernel backs pages on request (MADV_POPULATE_WRITE, Linux 5.14; not valgrind). */
static bool can_populate(void)
{
	bool ok = false;
#ifdef MADV_POPULATE_WRITE
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	ok = madvise(m, pg, MADV_POPULATE_WRITE) == 0;
	munmap(m, pg);
#endif
	return ok;
}

/* The whole pages inside p..p+n that are not resident (mincore()). */
static size_t absent_pages(const void *p, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), absent = 0;
	uintptr_t lo = ((uintptr_t)p + pg - 1) & ~(uintptr_t)(pg - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(pg - 1);
	unsigned char *v;

	if (hi <= lo)
		return 0;
	v = calloc((hi - lo) / pg, 1);
	assert_non_null(v);
	assert_int_equal(mincore((void *)lo, hi - lo, v), 0);
	for (size_t i = 0; i < (hi - lo) / pg; i++)
		absent += !(v[i] & 1);
	free(v);
	return absent;
}

/*
 * grow_array() keeps the elements whichever way it grows (realloc(), or a
 * copy into pages backed at once between 32 KB and 8 MB), and a grown array
 * of that range is resident before anything is written to it.
 */
static void test_grow_populated(void **state)
{
	uint32_t *a = NULL;
	size_t alloc = 0, n = 0, last = 0;
	bool pop = can_populate();
	(void)state;

	while (n < ((size_t)12 << 20) / sizeof(*a)) {
		ALLOC_GROW(a, n + 1, alloc);
		if (alloc != last) {
			size_t bytes = alloc * sizeof(*a);
			for (size_t i = 0; i < n; i++)
				if (a[i] != (uint32_t)(i * 2654435761u))
					fail_msg("element %zu lost growing to %zu", i, alloc);
			if (pop && bytes >= ((size_t)32 << 10) && bytes <= ((size_t)8 << 20))
				assert_int_equal(absent_pages(a, bytes), 0);
			last = alloc;
		}
		a[n] = (uint32_t)(n * 2654435761u);
		n++;
	}
	assert_true(alloc * sizeof(*a) > ((size_t)8 << 20)); /* past the range: realloc() again */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(a[i], (uint32_t)(i * 2654435761u));
	free(a);
}

/* Only the whole pages inside the range are backed, and nothing else. */
static void test_mem_populate(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)state;

	assert_true(m != MAP_FAILED);
	if (!can_populate()) {
		munmap(m, 8 * pg);
		skip();
	}
	mem_populate(m + 100, 3 * pg); /* pages 1 and 2 are whole inside it */
	assert_int_equal(absent_pages(m, pg), 1);
	assert_int_equal(absent_pages(m + pg, 2 * pg), 0);
	assert_int_equal(absent_pages(m + 3 * pg, 5 * pg), 5);
	for (size_t i = 0; i < 8 * pg; i++)
		assert_int_equal(m[i], 0);
	munmap(m, 8 * pg);
}

static void test_calloc_populated(void **state)
{
	size_t n = (size_t)300 << 10;
	unsigned char *p = xcalloc_populated(n, 1);
	(void)state;

	if (can_populate())
		assert_int_equal(absent_pages(p, n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
	free(p);
	mem_populate(NULL, 0); /* nothing: no whole page */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_size_math),	      cmocka_unit_test(test_err_long_path),
	    cmocka_unit_test(test_err_cut_is_marked), cmocka_unit_test(test_grow_populated),
	    cmocka_unit_test(test_mem_populate),      cmocka_unit_test(test_calloc_populated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
