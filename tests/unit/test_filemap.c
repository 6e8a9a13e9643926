/* A regular file read through its pages (src/sources/filemap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sources/filemap.h"

#define FILE_BYTES (256 * 1024 + 100) /* not a whole number of pages */

#define BIG_BYTES ((size_t)(7u << 20) + 333) /* over three 2 MB units, and a part of one */
#define UNIT	  ((uintptr_t)2 << 20)

static int make_file_of(char *path, size_t bytes)
{
	int fd = mkstemp(path);
	char buf[4096];

	assert_true(fd >= 0);
	for (size_t off = 0; off < bytes; off += sizeof(buf)) {
		size_t n = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)('a' + (off + i) % 26);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
	}
	return fd;
}

static int make_file(char *path)
{
	return make_file_of(path, FILE_BYTES);
}

/*
 * The bytes are the file's, and the byte after its end reads 0 (the zero
 * page after it). The first reads of its pages can be timed: a number for two
 * pages or more inside the file, 0 for less or past the end.
 */
static void test_map_reads_file(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file(path);
	struct filemap *m = filemap_create(fd, FILE_BYTES);
	const char *d;

	(void)state;
	assert_non_null(m);
	assert_int_equal(filemap_size(m), FILE_BYTES);
	assert_int_equal(filemap_populate(m, 0, FILE_BYTES), 0);
	assert_int_equal(filemap_populate(m, FILE_BYTES - 1, 2), -1); /* past the end */
	assert_true(filemap_touch_ns(m, 0, FILE_BYTES) < 1000000000u);
	assert_true(filemap_touch_ns(m, 100, FILE_BYTES) < 1000000000u); /* cut at the end */
	assert_int_equal(filemap_touch_ns(m, 0, 4096), 0);		 /* one page */
	assert_int_equal(filemap_touch_ns(m, 1, 8192), 0);		 /* one whole page */
	assert_int_equal(filemap_touch_ns(m, FILE_BYTES, 8192), 0);	 /* past the end */
	d = filemap_data(m);
	for (size_t i = 0; i < FILE_BYTES; i += 997)
		assert_int_equal(d[i], 'a' + i % 26);
	assert_int_equal(d[FILE_BYTES], 0);
	assert_int_equal(d[FILE_BYTES + 1], 0);
	/* pages given back read the file again if touched (they never are) */
	filemap_drop(m, 100000);
	filemap_drop(m, 50000); /* behind what was dropped: nothing */
	assert_int_equal(d[200000], 'a' + 200000 % 26);
	/* a range's inner pages go back; its edges and what is around it read the same */
	filemap_drop_range(m, 150001, 20000);
	filemap_drop_range(m, FILE_BYTES - 10, 100); /* past the end: cut to it */
	filemap_drop_range(m, FILE_BYTES + 10, 1);
	for (size_t i = 140000; i < FILE_BYTES; i += 613)
		assert_int_equal(d[i], 'a' + i % 26);
	assert_false(filemap_cut(m));
	/* references: the last put says so */
	filemap_hold(m);
	assert_false(filemap_put(m));
	assert_true(filemap_put(m));
	filemap_destroy(m);
	filemap_destroy(NULL);
	assert_null(filemap_create(fd, 0));
	close(fd);
	unlink(path);
}

/*
 * A file of 2 MB or more is mapped at a multiple of 2 MB (so that the
 * kernel can map its large folios whole) and given back in whole 2 MB
 * units: every byte reads the same wherever the drops fall, and the byte
 * after the end is still the zero page's.
 */
static void test_map_aligned(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file_of(path, BIG_BYTES);
	struct filemap *m = filemap_create(fd, BIG_BYTES);
	const char *d;

	(void)state;
	assert_non_null(m);
	d = filemap_data(m);
	assert_int_equal((uintptr_t)d % UNIT, 0);
	assert_int_equal(filemap_populate(m, 0, BIG_BYTES), 0);
	assert_int_equal(d[BIG_BYTES], 0);
	filemap_drop_range(m, 100, UNIT + 5000);       /* holds no whole unit: nothing */
	filemap_drop_range(m, UNIT - 1, 2 * UNIT + 2); /* the unit from 2 MB to 4 MB */
	for (size_t i = 0; i < BIG_BYTES; i += 4093)
		assert_int_equal(d[i], 'a' + i % 26);
	filemap_drop(m, 3 * UNIT - 1); /* up to 2 MB */
	filemap_drop(m, BIG_BYTES);    /* all but the last part of a unit */
	for (size_t i = 0; i < BIG_BYTES; i += 4091)
		assert_int_equal(d[i], 'a' + i % 26);
	assert_int_equal(d[BIG_BYTES - 1], 'a' + (BIG_BYTES - 1) % 26);
	assert_int_equal(d[BIG_BYTES], 0);
	assert_false(filemap_cut(m));
	filemap_destroy(m);
	/* a file under 2 MB needs no more than a page's alignment */
	m = filemap_create(fd, UNIT - 1);
	assert_non_null(m);
	d = filemap_data(m);
	assert_int_equal(d[UNIT - 2], 'a' + (UNIT - 2) % 26);
	filemap_destroy(m);
	close(fd);
	unlink(path);
}

/*
 * The file shrinks under the map (copytruncate): its pages past the new end
 * read zeros instead of killing the process with SIGBUS, and the map is cut.
 */
static void test_map_file_shrinks(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file(path);
	struct filemap *m = filemap_create(fd, FILE_BYTES);
	const volatile char *d;

	(void)state;
	assert_non_null(m);
	d = filemap_data(m);
	assert_int_equal(d[150000], 'a' + 150000 % 26);
	assert_int_equal(ftruncate(fd, 5000), 0);
	assert_int_equal(d[100], 'a' + 100 % 26); /* before the new end: the file */
	assert_false(filemap_cut(m));
	assert_int_equal(d[150000], 0); /* SIGBUS, caught: zeros from here */
	assert_int_equal(d[FILE_BYTES - 1], 0);
	assert_true(filemap_cut(m));
	filemap_destroy(m);
	/* populating past the new end finds it too */
	m = filemap_create(fd, FILE_BYTES);
	assert_non_null(m);
	assert_int_equal(filemap_populate(m, 100000, 4096), -1);
	assert_true(filemap_cut(m));
	filemap_destroy(m);
	/* a new map of the same slot starts whole */
	m = filemap_create(fd, 5000);
	assert_non_null(m);
	assert_false(filemap_cut(m));
	filemap_destroy(m);
	close(fd);
	unlink(path);
}

/* At most FILEMAP_MAX maps at once: more are refused (the caller reads instead). */
static void test_map_limit(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file(path);
	struct filemap *m[FILEMAP_MAX + 1];

	(void)state;
	for (int i = 0; i < FILEMAP_MAX; i++)
		assert_non_null(m[i] = filemap_create(fd, FILE_BYTES));
	assert_null(filemap_create(fd, FILE_BYTES));
	filemap_destroy(m[0]);
	assert_non_null(m[FILEMAP_MAX] = filemap_create(fd, FILE_BYTES));
	for (int i = 1; i <= FILEMAP_MAX; i++)
		filemap_destroy(m[i]);
	close(fd);
	unlink(path);
}

/* A SIGBUS that is not a map's (sent, or a fault elsewhere) still ends the process. */
static void test_foreign_sigbus(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file(path), st;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct filemap *m;
		/* what the handler was before the map's (not the test framework's) */
		signal(SIGBUS, SIG_DFL);
		m = filemap_create(fd, FILE_BYTES);
		if (!m)
			_exit(3);
		kill(getpid(), SIGBUS);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
	close(fd);
	unlink(path);
}

/*
 * The map's own entry of smaps, whatever comes before and after it: a header
 * with a path longer than a line buffer, field names that start with hex
 * letters ("AnonHugePages", "FilePmdMapped"), the same fields of other maps.
 */
static void test_smaps_read(void **state)
{
	char path[] = "/tmp/kanon-smaps-XXXXXX", longname[600];
	int fd = mkstemp(path);
	FILE *f;
	unsigned long long rss = 1, pmd = 1;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	memset(longname, 'd', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	fprintf(f,
		"55d0a0000000-55d0a0021000 r--p 00000000 fd:01 42   /usr/bin/kanon\n"
		"Rss:                 132 kB\nFilePmdMapped:         0 kB\n"
		"7f0000000000-7f0000400000 r--p 00000000 fd:01 43   /%s\n"
		"Size:               4096 kB\nRss:                4096 kB\n"
		"AnonHugePages:         0 kB\nFilePmdMapped:      2048 kB\n"
		"VmFlags: rd mr mw me sd\n"
		"7f0000400000-7f0000401000 rw-p 00000000 00:00 0 \n"
		"Rss:                   4 kB\nFilePmdMapped:      9999 kB\n",
		longname);
	fclose(f);
	assert_int_equal(filemap_smaps_read(path, 0x7f0000000000u, &rss, &pmd), 0);
	assert_int_equal(rss, 4096);
	assert_int_equal(pmd, 2048);
	assert_int_equal(filemap_smaps_read(path, 0x55d0a0000000u, &rss, &pmd), 0);
	assert_int_equal(rss, 132);
	assert_int_equal(pmd, 0);
	/* no such map; no such file */
	assert_int_equal(filemap_smaps_read(path, 0x7f0000001000u, &rss, &pmd), -1);
	unlink(path);
	assert_int_equal(filemap_smaps_read(path, 0x7f0000000000u, &rss, &pmd), -1);
}

/* A live map: once a unit is resident, the kernel's smaps has its entry (an answer, 0 or 1). */
static void test_large_pages_live(void **state)
{
	char path[] = "/tmp/kanon-filemap-XXXXXX";
	int fd = make_file_of(path, BIG_BYTES);
	struct filemap *m = filemap_create(fd, BIG_BYTES);
	unsigned long long rss, pmd;

	(void)state;
	assert_non_null(m);
	assert_int_equal(filemap_populate(m, 0, UNIT), 0);
	assert_int_equal(
	    filemap_smaps_read("/proc/self/smaps", (uintptr_t)filemap_data(m), &rss, &pmd), 0);
	assert_true(rss >= UNIT / 1024);
	assert_true(pmd <= rss);
	assert_int_equal(filemap_large_pages(m), pmd * 8 >= rss * 7);
	filemap_destroy(m);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_reads_file),   cmocka_unit_test(test_map_aligned),
	    cmocka_unit_test(test_map_file_shrinks), cmocka_unit_test(test_map_limit),
	    cmocka_unit_test(test_foreign_sigbus),   cmocka_unit_test(test_smaps_read),
	    cmocka_unit_test(test_large_pages_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
