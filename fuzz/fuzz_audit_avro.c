/*
 * libFuzzer target: an Event Hub Capture (Avro) file through the audit
 * input pipeline twice (src/sources/audit_avro.c): read by the reader alone
 * (KANON_TEST_AVRO_SERIAL) and in batches of one block that two scanning
 * threads inflate (KANON_TEST_AVRO_BATCH=1), where a thread that cannot read
 * a block stops and the reader reads the file again from there. The lines
 * handed on (their text in input order, but for blanks around it), the
 * messages read and the errors must be the same: a difference aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "sources/audit_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	int fd;		   /* the input, a memory file */
	struct strbuf out; /* what was consumed, in order, and the errors */
};

static void scan(void *ctx, struct audit_block *b)
{
	struct strbuf *t = b->data;

	(void)ctx;
	if (!t) {
		t = b->data = xcalloc(1, sizeof(*t));
		strbuf_init(t);
	}
	strbuf_reset(t);
	strbuf_add(t, b->buf ? b->buf : "", b->len);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The lines of a block, each as "<number> <text>" with the blanks around
 * the text and blank lines left out: the scanning threads make a block's
 * records lines where they were inflated, the Avro fields around a body
 * blanked (line_inplace()), the reader alone copies the bodies. The
 * blanks dropped are those the scanner skips (audit_scan_block(),
 * audit_scan_line()): keep the two in step.
 */
static void add_lines(struct strbuf *out, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *d = p, *q;

		while (d < le && *d >= '0' && *d <= '9')
			d++;
		for (q = d; q < le && blank(*q); q++)
			;
		while (le > q && blank(le[-1]))
			le--;
		if (d > p || q < le) {
			strbuf_add(out, p, (size_t)(d - p));
			strbuf_addch(out, ' ');
			strbuf_add(out, q, (size_t)(le - q));
			strbuf_addch(out, '\n');
		}
		p = nl ? nl + 1 : end;
	}
}

static void consume(void *ctx, struct audit_block *b)
{
	struct run *r = ctx;
	const struct strbuf *t = b->data;

	add_lines(&r->out, t->buf ? t->buf : "", t->len);
	if (b->last_of_file)
		strbuf_addf(&r->out, "[%llu messages]\n", (unsigned long long)b->doc_lines);
}

static void release(void *ctx, void *data)
{
	(void)ctx;
	if (data)
		strbuf_release(data);
	free(data);
}

static void error(void *ctx, int file, const char *msg)
{
	struct run *r = ctx;
	strbuf_addf(&r->out, "[error %d: %s]\n", file, msg);
}

static int open_input(void *ctx, size_t file, struct err *e)
{
	struct run *r = ctx;

	(void)file;
	(void)e;
	lseek(r->fd, 0, SEEK_SET);
	return dup(r->fd);
}

static void read_once(int fd, struct strbuf *out, bool serial)
{
	char *files[] = {"capture.avro"};
	struct run r = {fd, STRBUF_INIT};
	struct audit_stream_ops ops = {
	    .scan = scan,
	    .consume = consume,
	    .release = release,
	    .error = error,
	    .open = open_input,
	    .ctx = &r,
	    .threads = 2,
	};

	if (serial) {
		setenv("KANON_TEST_AVRO_SERIAL", "1", 1);
		unsetenv("KANON_TEST_AVRO_BATCH");
	} else {
		unsetenv("KANON_TEST_AVRO_SERIAL");
		setenv("KANON_TEST_AVRO_BATCH", "1", 1);
	}
	audit_stream_run(files, 1, &ops);
	*out = r.out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf a, b;
	int fd = memfd_create("capture", 0);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror("memfd");
		abort();
	}
	read_once(fd, &a, true);
	read_once(fd, &b, false);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len)) {
		fprintf(stderr,
			"the reader alone and the batches differ:\n--- alone\n%.*s\n--- "
			"batches\n%.*s\n",
			(int)(a.len > 4096 ? 4096 : a.len), a.buf ? a.buf : "",
			(int)(b.len > 4096 ? 4096 : b.len), b.buf ? b.buf : "");
		abort();
	}
	strbuf_release(&a);
	strbuf_release(&b);
	close(fd);
	return 0;
}
