/*
 * The Event Hub Capture reader (src/sources/audit_avro.c) through the audit
 * input side (audit_stream_run): the document lines it makes of the bodies
 * of Avro files built here with zlib's raw deflate, exactly, whichever way a
 * block is read: whole (at most 1 MB deflated, 4 MB inflated), streamed (a
 * larger block, a decompression bomb) or up to its damage (deflate data cut
 * short, the file cut inside a block), with the reason.
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
#include <zlib.h>

#include "core/strbuf.h"
#include "sources/audit_stream.h"

#define SYNC "0123456789abcdef"

static void zz(struct strbuf *o, int64_t v)
{
	uint64_t n = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

	do {
		unsigned char b = n & 0x7f;
		n >>= 7;
		strbuf_addch(o, (char)(n ? b | 0x80 : b));
	} while (n);
}

static void bytes(struct strbuf *o, const void *p, size_t n)
{
	zz(o, (int64_t)n);
	strbuf_add(o, p, n);
}

static void raw_deflate(struct strbuf *o, const char *p, size_t n)
{
	z_stream z;
	unsigned char buf[65536];
	int r;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		r = deflate(&z, Z_FINISH);
		strbuf_add(o, buf, sizeof(buf) - z.avail_out);
	} while (r == Z_OK);
	assert_int_equal(r, Z_STREAM_END);
	deflateEnd(&z);
}

static void header(struct strbuf *o)
{
	static const char schema[] =
	    "{\"type\":\"record\",\"name\":\"EventData\",\"fields\":["
	    "{\"name\":\"SequenceNumber\",\"type\":\"long\"},{\"name\":\"Pad\",\"type\":\"bytes\"},"
	    "{\"name\":\"Body\",\"type\":[\"null\",\"bytes\"]}]}";

	strbuf_add(o, "Obj\x01", 4);
	zz(o, 2);
	bytes(o, "avro.schema", 11);
	bytes(o, schema, strlen(schema));
	bytes(o, "avro.codec", 10);
	bytes(o, "deflate", 7);
	zz(o, 0);
	strbuf_add(o, SYNC, 16);
}

/* the test's file: its messages so far, and the document lines they must give */
struct file {
	struct strbuf avro, want;
	int msgs;
};

/*
 * A block of n messages (pad bytes of padding each, random or zeros), the
 * deflate data cut to `keep` bytes when keep is not 0; the expected lines
 * of the bodies (pretty-printed: their newlines become spaces).
 */
static void block(struct file *f, int n, size_t pad, bool random_pad, size_t keep)
{
	struct strbuf recs = STRBUF_INIT, z = STRBUF_INIT, body = STRBUF_INIT;
	char *p = calloc(1, pad + 1);
	unsigned seed = (unsigned)f->msgs;

	assert_non_null(p);
	for (int i = 0; i < n; i++) {
		int m = ++f->msgs;

		/* each message's own padding: deflate finds no repeats in random bytes */
		for (size_t k = 0; random_pad && k < pad; k++)
			p[k] = (char)rand_r(&seed);

		strbuf_reset(&body);
		strbuf_addf(
		    &body, "{\"records\": [\n {\"category\": \"kube-audit\",\n  \"n\": %d}\n]}", m);
		zz(&recs, m);
		bytes(&recs, p, pad);
		zz(&recs, 1);
		bytes(&recs, body.buf, body.len);
		for (size_t k = 0; k < body.len; k++)
			if (body.buf[k] == '\n')
				body.buf[k] = ' ';
		strbuf_addf(&f->want, "%d %s\n", m, body.buf);
	}
	raw_deflate(&z, recs.buf, recs.len);
	if (keep)
		z.len = keep < z.len ? keep : z.len;
	zz(&f->avro, n);
	bytes(&f->avro, z.buf, z.len);
	strbuf_add(&f->avro, SYNC, 16);
	strbuf_release(&recs);
	strbuf_release(&z);
	strbuf_release(&body);
	free(p);
}

struct got {
	struct strbuf lines, err;
};

static void scan(void *ctx, struct audit_block *b)
{
	(void)ctx, (void)b;
}

static void consume(void *ctx, struct audit_block *b)
{
	struct got *g = ctx;

	assert_true(b->doc);
	strbuf_add(&g->lines, b->buf, b->len);
}

static void release(void *ctx, void *data)
{
	(void)ctx, (void)data;
}

static void on_error(void *ctx, int file, const char *msg)
{
	struct got *g = ctx;

	(void)file;
	strbuf_addstr(&g->err, msg);
}

/* the file's lines through audit_stream_run; its errors into g->err */
static void run(const struct strbuf *avro, struct got *g)
{
	char path[] = "/tmp/kanon-test-avro-XXXXXX";
	int fd = mkstemp(path);
	char *files[] = {path};
	struct audit_stream_ops ops = {scan, consume, release, NULL, on_error,
				       NULL, NULL,    NULL,    NULL, 2};

	assert_true(fd >= 0);
	assert_int_equal(write(fd, avro->buf, avro->len), (ssize_t)avro->len);
	close(fd);
	strbuf_init(&g->lines);
	strbuf_init(&g->err);
	ops.ctx = g;
	audit_stream_run(files, 1, &ops);
	unlink(path);
}

static void file_init(struct file *f)
{
	strbuf_init(&f->avro);
	strbuf_init(&f->want);
	f->msgs = 0;
	header(&f->avro);
}

static void done(struct file *f, struct got *g)
{
	strbuf_release(&f->avro);
	strbuf_release(&f->want);
	strbuf_release(&g->lines);
	strbuf_release(&g->err);
}

/* many small blocks: each inflated whole, every body where it was */
static void test_whole_blocks(void **state)
{
	struct file f;
	struct got g;

	(void)state;
	file_init(&f);
	for (int i = 0; i < 40; i++)
		block(&f, 1 + i % 7, (size_t)i * 100, true, 0);
	run(&f.avro, &g);
	assert_int_equal(g.err.len, 0);
	assert_int_equal(g.lines.len, f.want.len);
	assert_memory_equal(g.lines.buf, f.want.buf, f.want.len);
	done(&f, &g);
}

/* a block of 1.5 MB of deflate data, one of 40 MB inflated (a bomb): streamed, the same lines */
static void test_streamed_blocks(void **state)
{
	struct file f;
	struct got g;

	(void)state;
	file_init(&f);
	block(&f, 3, 0, false, 0);
	block(&f, 15, 100000, true, 0);
	block(&f, 2, 20u << 20, false, 0);
	block(&f, 3, 0, false, 0);
	run(&f.avro, &g);
	assert_int_equal(g.err.len, 0);
	assert_int_equal(g.lines.len, f.want.len);
	assert_memory_equal(g.lines.buf, f.want.buf, f.want.len);
	done(&f, &g);
}

/*
 * Damaged: the lines up to the damage, then the reason. The second block's
 * first messages are read although the block is not whole (a regression
 * test: a block is not dropped because it could not be inflated at once).
 */
static void damaged(bool cut_file)
{
	struct file f;
	struct got g;
	size_t first;

	file_init(&f);
	block(&f, 5, 0, false, 0);
	first = f.want.len;
	block(&f, 40, 3000, true, cut_file ? 0 : 60000);
	if (cut_file)
		f.avro.len -= 16 + 50000;
	run(&f.avro, &g);
	assert_true(g.lines.len > first);
	assert_true(g.lines.len < f.want.len);
	/* the lines read are the first ones expected, whole */
	assert_memory_equal(g.lines.buf, f.want.buf, g.lines.len);
	assert_non_null(strstr(g.err.buf, cut_file
					      ? "the file ends inside a block (read up to there)"
					      : "a block's deflate data is cut short (read up "
						"to there)"));
	done(&f, &g);
}

static void test_deflate_cut(void **state)
{
	(void)state;
	damaged(false);
}

static void test_file_cut(void **state)
{
	(void)state;
	damaged(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_blocks),
	    cmocka_unit_test(test_streamed_blocks),
	    cmocka_unit_test(test_deflate_cut),
	    cmocka_unit_test(test_file_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
