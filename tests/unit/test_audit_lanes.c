/* The input pipeline with several .gz read at once (src/sources/audit_stream.c, lanes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "checks/audit_int.h"
#include "core/util.h"
#include "sources/audit_stream.h"

#define NFILES	    4
#define FILE_LINES  50000 /* about 3 MB each: two blocks or more */
#define MAX_CONSUME 4096

/* what a scanned block says: its input, its first line's number and its lines */
struct seen {
	int file;
	long first;
	long lines;
	bool last;
};

struct log {
	struct seen v[MAX_CONSUME];
	size_t n;
	char errs[NFILES + 2][128];
	int err_file[NFILES + 2];
	size_t nerr;
	size_t weighed;
};

static void scan(void *ctx, struct audit_block *b)
{
	struct seen *s = b->data;
	const char *p = b->buf, *end = b->buf + b->len;

	(void)ctx;
	if (!s)
		s = b->data = xcalloc(1, sizeof(*s));
	s->file = b->file;
	s->first = -1;
	s->lines = 0;
	s->last = b->last_of_file;
	for (; p < end; p++) {
		if (s->first < 0) {
			const char *n = memmem(p, (size_t)(end - p), "\"n\":", 4);
			if (n)
				s->first = strtol(n + 4, NULL, 10);
		}
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			break;
		s->lines++;
	}
}

static void consume(void *ctx, struct audit_block *b)
{
	struct log *l = ctx;

	assert_true(l->n < MAX_CONSUME);
	l->v[l->n++] = *(struct seen *)b->data;
}

static void release(void *ctx, void *data)
{
	(void)ctx;
	free(data);
}

static size_t weight(void *ctx, const void *data)
{
	struct log *l = ctx;

	(void)data;
	__atomic_add_fetch(&l->weighed, 1, __ATOMIC_RELAXED);
	return 100000;
}

static void error(void *ctx, int file, const char *msg)
{
	struct log *l = ctx;

	assert_true(l->nerr < NFILES + 2);
	l->err_file[l->nerr] = file;
	snprintf(l->errs[l->nerr++], sizeof(l->errs[0]), "%s", msg);
}

/* files[i] holds lines n = base(i) .. base(i) + FILE_LINES - 1, its day i's time */
static void make_inputs(char *dir, char **files)
{
	for (int i = 0; i < NFILES; i++) {
		gzFile z;
		files[i] = xmalloc(strlen(dir) + 32);
		sprintf(files[i], "%s/part-%d.jsonl.gz", dir, i);
		z = gzopen(files[i], "wb1");
		assert_non_null(z);
		for (long k = 0; k < FILE_LINES; k++)
			gzprintf(z,
				 "{\"auditID\":\"%d-%ld\",\"stage\":\"ResponseComplete\","
				 "\"stageTimestamp\":\"2024-05-0%dT00:00:00Z\",\"n\":%ld}\n",
				 i, k, i + 1, (long)i * FILE_LINES + k);
		gzclose(z);
	}
}

static void run(char **files, size_t n, int threads, struct log *l)
{
	struct audit_stream_ops ops = {
	    .scan = scan,
	    .consume = consume,
	    .release = release,
	    .weight = weight,
	    .error = error,
	    .ctx = l,
	    .threads = threads,
	};

	memset(l, 0, sizeof(*l));
	audit_stream_run(files, n, &ops);
}

/* The blocks come in time order, every line once, whatever the readers and the budget. */
static void check_order(const struct log *l)
{
	long next = 0;

	for (size_t i = 0; i < l->n; i++) {
		assert_int_equal(l->v[i].first, next);
		next += l->v[i].lines;
		if (l->v[i].last)
			assert_int_equal(next % FILE_LINES, 0);
	}
	assert_int_equal(next, (long)NFILES * FILE_LINES);
}

static void test_lanes_order(void **state)
{
	char dir[] = "/tmp/kanon-lanes-XXXXXX";
	/* given out of time order, with a missing file between them */
	char *files[NFILES + 1], *given[NFILES + 1];
	static struct log one, par, tight;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_inputs(dir, files);
	given[0] = files[2];
	given[1] = files[0];
	given[2] = xmalloc(strlen(dir) + 16);
	sprintf(given[2], "%s/missing.gz", dir);
	given[3] = files[3];
	given[4] = files[1];

	run(given, NFILES + 1, 1, &one);
	assert_int_equal(one.weighed, 0); /* one thread: one reader */
	run(given, NFILES + 1, 3, &par);
	assert_true(par.weighed > 0); /* the readers ahead kept records */
	setenv("KANON_TEST_AHEAD_BUDGET", "1", 1);
	run(given, NFILES + 1, 2, &tight);
	unsetenv("KANON_TEST_AHEAD_BUDGET");

	check_order(&one);
	check_order(&par);
	check_order(&tight);
	assert_int_equal(par.n, one.n);
	assert_memory_equal(par.v, one.v, one.n * sizeof(one.v[0]));
	assert_memory_equal(tight.v, one.v, one.n * sizeof(one.v[0]));
	/* the missing file: one error, naming its index */
	assert_int_equal(one.nerr, 1);
	assert_int_equal(par.nerr, 1);
	assert_int_equal(par.err_file[0], 2);
	assert_string_equal(par.errs[0], one.errs[0]);

	for (int i = 0; i < NFILES; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	free(given[2]);
	rmdir(dir);
}

/* What a block read ahead holds: its records and its details' strings. */
static void test_block_weight(void **state)
{
	struct block *b = xcalloc(1, sizeof(*b));
	size_t w0, w1, w2;

	(void)state;
	assert_int_equal(audit_block_weight(NULL), 0);
	b->arec = 100;
	b->recs = xcalloc(b->arec, sizeof(*b->recs));
	w0 = audit_block_weight(b);
	assert_true(w0 >= 100 * sizeof(struct arec));
	b->nrec = 1;
	b->recs[0].d = xcalloc(1, sizeof(struct adetail));
	w1 = audit_block_weight(b);
	assert_true(w1 >= w0 + sizeof(struct adetail));
	b->recs[0].d->uri = xstrdup("/api/v1/namespaces/kube-system/secrets");
	b->recs[0].d->subjects = xcalloc(2, sizeof(char *));
	b->recs[0].d->subjects[0] = xstrdup("system:anonymous");
	b->recs[0].d->nsubjects = 1;
	w2 = audit_block_weight(b);
	assert_true(w2 >= w1 + strlen(b->recs[0].d->uri) + strlen("system:anonymous") + 2);
	audit_block_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lanes_order),
	    cmocka_unit_test(test_block_weight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
