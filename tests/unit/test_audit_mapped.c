/*
 * The input pipeline reading a regular file through its pages
 * (src/sources/audit_stream.c, read_mapped): the same blocks as read()
 * makes, and a file that shrinks while read is reported, never a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/audit_stream.h"

#define MAX_CONSUME 4096

/* what a block held: its length and a hash of its text */
struct seen {
	size_t len;
	uint64_t hash;
	bool last;
	bool doc;
	bool mapped; /* not compared: how the block was read */
};

struct log {
	struct seen v[MAX_CONSUME];
	size_t n;
	size_t nmapped; /* blocks read through the map */
	char err[512];
	size_t nerr;
	const char *shrink; /* the file to truncate when the first block is scanned */
};

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

static void scan(void *ctx, struct audit_block *b)
{
	struct log *l = ctx;
	struct seen *s = b->data;

	if (!s)
		s = b->data = xcalloc(1, sizeof(*s));
	const char *cut =
	    l->shrink ? __atomic_exchange_n(&l->shrink, NULL, __ATOMIC_SEQ_CST) : NULL;

	/* not a cmocka assert: this may be a worker thread */
	if (cut && truncate(cut, 1000) != 0)
		abort();
	s->len = b->len;
	s->mapped = b->map != NULL;
	s->hash = fnv(b->buf, b->len);
	s->last = b->last_of_file;
	s->doc = b->doc;
}

static void consume(void *ctx, struct audit_block *b)
{
	struct log *l = ctx;

	assert_true(l->n < MAX_CONSUME);
	l->v[l->n] = *(struct seen *)b->data;
	l->nmapped += l->v[l->n].mapped;
	l->v[l->n++].mapped = false; /* the blocks compare the same either way */
}

static void release(void *ctx, void *data)
{
	(void)ctx;
	free(data);
}

static void error(void *ctx, int file, const char *msg)
{
	struct log *l = ctx;

	(void)file;
	l->nerr++;
	snprintf(l->err, sizeof(l->err), "%s", msg);
}

static void run(const char *path, int threads, bool mapped, struct log *l)
{
	char *files[1] = {(char *)path};
	struct audit_stream_ops ops = {
	    .scan = scan,
	    .consume = consume,
	    .release = release,
	    .error = error,
	    .ctx = l,
	    .threads = threads,
	};

	l->n = 0;
	l->nmapped = 0;
	l->nerr = 0;
	l->err[0] = '\0';
	if (!mapped)
		setenv("KANON_TEST_NO_MMAP", "1", 1);
	/* mapped whatever this machine's first reads of mapped pages cost (map_dear()) */
	if (!getenv("KANON_TEST_MAP_TOUCH"))
		setenv("KANON_TEST_MAP_TOUCH", "fast", 1);
	audit_stream_run(files, 1, &ops);
	unsetenv("KANON_TEST_NO_MMAP");
	unsetenv("KANON_TEST_MAP_TOUCH");
}

/* Mapped to the map's second 2 MB unit, then read() as for small folios (read_mapped). */
static void run_switched(const char *path, int threads, struct log *l)
{
	setenv("KANON_TEST_MAP_SMALL", "2", 1);
	run(path, threads, true, l);
	unsetenv("KANON_TEST_MAP_SMALL");
}

/*
 * ~9 MB of lines: short ones, CRLF ones, one longer than a block (the map
 * hands it to read()), and a last line without its newline.
 */
static void make_input(char *path)
{
	int fd = mkstemp(path);
	FILE *f;
	char *big;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (long k = 0; k < 60000; k++)
		fprintf(f, "{\"auditID\":\"a-%ld\",\"stage\":\"ResponseComplete\"}%s\n", k,
			k % 7 ? "" : "\r");
	big = xmalloc(3u << 20);
	memset(big, 'x', 3u << 20);
	fprintf(f, "{\"long\":\"%.*s\"}\n", 3 << 20, big);
	for (long k = 0; k < 60000; k++)
		fprintf(f, "{\"auditID\":\"b-%ld\",\"stage\":\"ResponseComplete\"}\n", k);
	fprintf(f, "{\"auditID\":\"last\"");
	free(big);
	assert_int_equal(fclose(f), 0);
}

/* Mapped, read, or mapped and then read, the blocks are the same text, in the same order. */
static void test_mapped_same_blocks(void **state)
{
	char path[] = "/tmp/kanon-mapped-XXXXXX";
	static struct log a, b;
	uint64_t total = 0;

	(void)state;
	make_input(path);
	for (int threads = 1; threads <= 2; threads++) {
		run(path, threads, true, &a);
		run(path, threads, false, &b);
		assert_int_equal(a.nerr, 0);
		assert_int_equal(b.nerr, 0);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.v, b.v, a.n * sizeof(a.v[0]));
		assert_true(a.nmapped > 0);
		assert_int_equal(b.nmapped, 0);
		/* the first block's pages dear to read mapped: read() from the start, the same */
		setenv("KANON_TEST_MAP_TOUCH", "slow", 1);
		run(path, threads, true, &b);
		assert_int_equal(b.nerr, 0);
		assert_int_equal(b.nmapped, 0);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.v, b.v, a.n * sizeof(a.v[0]));
		/* mapped, then read() from a block on: the same blocks too */
		run_switched(path, threads, &b);
		assert_int_equal(b.nerr, 0);
		assert_true(b.nmapped > 0 && b.nmapped <= a.nmapped);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.v, b.v, a.n * sizeof(a.v[0]));
	}
	for (size_t i = 0; i < a.n; i++)
		total += a.v[i].len;
	assert_true(a.n > 4);
	assert_true(a.v[a.n - 1].last);
	/* every byte once, but the long line's: the reader reduced it to one marker line */
	assert_true(total > (5u << 20));
	unlink(path);
}

/* The file is cut while its first block is scanned: reported, nothing more is read. */
static void test_mapped_file_shrinks(void **state)
{
	(void)state;
	/*
	 * No thread (all on the calling one), one scanning thread, two; mapped, then
	 * read() from the start as where mapped pages are dear to read, with no
	 * thread and one: with two, the pool holds the whole file, which read() may
	 * finish before the first block's scan cuts it (then nothing says so: the
	 * file was read whole).
	 */
	for (int k = 0; k < 5; k++) {
		int threads = k < 3 ? k : k - 3;
		char path[] = "/tmp/kanon-mapped-XXXXXX";
		static struct log l;

		make_input(path);
		l.shrink = path;
		if (!threads)
			setenv("KANON_TEST_MAX_THREADS", "0", 1);
		if (k >= 3)
			setenv("KANON_TEST_MAP_TOUCH", "slow", 1);
		run(path, threads ? threads : 1, true, &l);
		unsetenv("KANON_TEST_MAX_THREADS");
		assert_int_equal(l.nerr, 1);
		assert_non_null(strstr(l.err, "shrank"));
		unlink(path);
	}
}

/*
 * JSON lines or a document, from the first object: a newline inside one of
 * its strings makes a document, an escaped quote does not end the string
 * (at every offset around the 16 bytes looked at at once).
 */
static void test_detect_strings(void **state)
{
	(void)state;
	for (int pad = 0; pad < 40; pad++) {
		for (int kind = 0; kind < 3; kind++) {
			char path[] = "/tmp/kanon-detect-XXXXXX";
			int fd = mkstemp(path);
			FILE *f = fdopen(fd, "w");
			static struct log l;

			assert_non_null(f);
			/* kind 0: "x...\"}\n" stays a string; 1: a raw newline in it; 2: \\ then "
			 * ends it */
			fprintf(f, "{\"m\":\"%*s%s\",\"auditID\":\"a\"}\n{\"auditID\":\"b\"}\n",
				pad, "",
				kind == 0   ? "x\\\"}\\n"
				: kind == 1 ? "x\n}"
					    : "x\\\\");
			assert_int_equal(fclose(f), 0);
			run(path, 1, true, &l);
			assert_true(l.n >= 1);
			if (l.v[0].doc != (kind == 1))
				fail_msg("pad %d kind %d: doc %d", pad, kind, l.v[0].doc);
			unlink(path);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mapped_same_blocks),
	    cmocka_unit_test(test_mapped_file_shrinks),
	    cmocka_unit_test(test_detect_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
