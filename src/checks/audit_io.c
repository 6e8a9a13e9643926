/*
 * The `kanon audit` pipeline: one reader thread (read() or zlib) cuts the
 * inputs into blocks of whole lines, worker threads scan blocks in any
 * order (phase 1), and the calling thread aggregates them strictly in
 * input order (phase 2), so results do not depend on the thread count.
 * Memory is bounded by the block pool: 2 * workers + 2 (at most 16) blocks of 2 MB.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "sources/gzstream.h"
#include "core/banned.h"

#define BLOCK_SIZE (2u << 20)
#define LONG_KEEP (64u << 10) /* of a line longer than a block: its first and last bytes */
#define MAX_OBJECT (BLOCK_SIZE - 64) /* a longer object in a document is malformed */
#define PEEK_SIZE (256u << 10)
#define MAX_WORKERS 16

enum { B_FREE, B_FILLED, B_SCANNING, B_SCANNED, B_BUSY };

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block *blocks;
	size_t nblocks;
	uint64_t nseq; /* blocks handed out so far */
	bool reader_done;
	char *const *files;
	size_t nfiles;
	size_t *order;
	uint64_t raw_done, raw_total;
	struct strbuf errs; /* NUL-separated messages from the reader */
	size_t nerrs;
	bool input_error;
	/* reader state */
	struct block *cur;
	int cur_file;
};

static void pipe_error(struct pipe *pp, const char *msg)
{
	pthread_mutex_lock(&pp->mu);
	strbuf_addstr(&pp->errs, msg);
	strbuf_addch(&pp->errs, '\0');
	pp->nerrs++;
	pp->input_error = true;
	pthread_mutex_unlock(&pp->mu);
}

static struct block *get_free(struct pipe *pp)
{
	struct block *b = NULL;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		for (size_t i = 0; i < pp->nblocks && !b; i++)
			if (pp->blocks[i].state == B_FREE)
				b = &pp->blocks[i];
		if (b)
			break;
		pthread_cond_wait(&pp->cv, &pp->mu);
	}
	b->state = B_BUSY;
	pthread_mutex_unlock(&pp->mu);
	if (!b->buf) {
		b->cap = BLOCK_SIZE;
		b->buf = xmalloc(b->cap);
	}
	b->len = 0;
	b->nrec = 0;
	b->doc = false;
	b->last_of_file = false;
	b->doc_lines = 0;
	return b;
}

static void submit(struct pipe *pp, struct block *b, int file, uint64_t raw)
{
	pthread_mutex_lock(&pp->mu);
	b->file = file;
	b->seq = pp->nseq++;
	b->raw_done = raw;
	b->state = B_FILLED;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

static void grow_block(struct block *b, size_t need)
{
	if (b->cap >= need)
		return;
	while (b->cap < need)
		b->cap *= 2;
	b->buf = xrealloc(b->buf, b->cap);
}

/* ------------------------------------------------------------ JSON lines */

/*
 * A line longer than a block (a RequestResponse event with a huge object)
 * is not kept whole: its first and last 64 KB are, which is where the API
 * server writes everything kanon reads (types.go field order: the request
 * and response objects come between them). The block gets one line
 * "\x02<head length>:<head><tail>" for audit_scan_line().
 */
static int long_line(struct pipe *pp, struct instream *s, struct block *b, struct strbuf *carry,
		     bool *eof)
{
	struct err e = { { 0 }, 0, { 0 } };
	char *head = xmalloc(LONG_KEEP), *tail = xmalloc(LONG_KEEP);
	size_t tl = LONG_KEEP;
	int rc = 0, k;

	memcpy(head, b->buf, LONG_KEEP);
	memcpy(tail, b->buf + b->len - LONG_KEEP, LONG_KEEP);
	for (;;) {
		ssize_t n = instream_read(s, b->buf, b->cap, &e);
		const char *nl;
		size_t m;

		if (n <= 0) {
			if (n < 0) {
				pipe_error(pp, e.msg);
				rc = -1;
			}
			*eof = true;
			break;
		}
		nl = memchr(b->buf, '\n', (size_t)n);
		m = nl ? (size_t)(nl - b->buf) : (size_t)n;
		if (m >= LONG_KEEP) {
			memcpy(tail, b->buf + m - LONG_KEEP, LONG_KEEP);
		} else {
			memmove(tail, tail + m, LONG_KEEP - m);
			memcpy(tail + LONG_KEEP - m, b->buf, m);
		}
		if (nl) {
			strbuf_add(carry, nl + 1, (size_t)n - m - 1);
			break;
		}
	}
	k = snprintf(b->buf, 32, "\x02%u:", (unsigned)LONG_KEEP);
	memcpy(b->buf + k, head, LONG_KEEP);
	memcpy(b->buf + k + LONG_KEEP, tail, tl);
	b->buf[k + LONG_KEEP + tl] = '\n';
	b->len = (size_t)k + LONG_KEEP + tl + 1;
	free(head);
	free(tail);
	return rc;
}

static int read_lines(struct pipe *pp, struct instream *s, int f, struct strbuf *carry,
		      uint64_t base)
{
	struct err e = { { 0 }, 0, { 0 } };
	bool eof = false;
	int rc = 0;

	while (!eof || carry->len) {
		struct block *b = get_free(pp);
		const char *nl;

		/* the carry is the start of a line and always shorter than a block */
		memcpy(b->buf, carry->buf ? carry->buf : "", carry->len);
		b->len = carry->len;
		strbuf_reset(carry);
		while (b->len < b->cap && !eof) {
			ssize_t n = instream_read(s, b->buf + b->len, b->cap - b->len, &e);
			if (n < 0) {
				pipe_error(pp, e.msg);
				rc = -1;
				eof = true;
				break;
			}
			if (n == 0)
				eof = true;
			b->len += (size_t)n;
		}
		if (!eof) {
			nl = memrchr(b->buf, '\n', b->len);
			if (nl) {
				strbuf_add(carry, nl + 1, (size_t)(b->buf + b->len - (nl + 1)));
				b->len = (size_t)(nl + 1 - b->buf);
			} else if (long_line(pp, s, b, carry, &eof) < 0) {
				rc = -1;
			}
		}
		b->last_of_file = eof && !carry->len;
		submit(pp, b, f, base + s->raw_read);
	}
	return rc;
}

/* ------------------------------------------------------------ documents */

struct docctx {
	struct pipe *pp;
	struct block *b;
	int f;
	uint64_t raw;
};

static void doc_emit(void *ctx, const char *obj, size_t n, uint64_t line)
{
	struct docctx *c = ctx;
	char num[24];
	int k = snprintf(num, sizeof(num), "%llu ", (unsigned long long)line);
	size_t need = (size_t)k + (obj ? n : 1) + 1;

	if (c->b->len + need > c->b->cap && c->b->len) {
		submit(c->pp, c->b, c->f, c->raw);
		c->b = get_free(c->pp);
		c->b->doc = true;
	}
	grow_block(c->b, need);
	memcpy(c->b->buf + c->b->len, num, (size_t)k);
	c->b->len += (size_t)k;
	if (obj) {
		memcpy(c->b->buf + c->b->len, obj, n);
		c->b->len += n;
	} else {
		c->b->buf[c->b->len++] = '\x01';
	}
	c->b->buf[c->b->len++] = '\n';
}

static int read_doc(struct pipe *pp, struct instream *s, int f, struct strbuf *pre,
		    uint64_t base)
{
	struct err e = { { 0 }, 0, { 0 } };
	struct jsplit sp;
	struct docctx c = { pp, NULL, f, 0 };
	char *in = xmalloc(1u << 20);
	int rc = 0;
	char last = '\n';

	jsplit_init(&sp, MAX_OBJECT);
	if (pre->len)
		last = pre->buf[pre->len - 1];
	c.b = get_free(pp);
	c.b->doc = true;
	jsplit_feed(&sp, pre->buf ? pre->buf : "", pre->len, doc_emit, &c);
	for (;;) {
		ssize_t n = instream_read(s, in, 1u << 20, &e);
		if (n < 0) {
			pipe_error(pp, e.msg);
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		c.raw = base + s->raw_read;
		last = in[n - 1];
		jsplit_feed(&sp, in, (size_t)n, doc_emit, &c);
	}
	if (jsplit_truncated(&sp))
		doc_emit(&c, NULL, 0, sp.cap_line ? sp.cap_line : sp.line);
	c.b->doc_lines = sp.line - 1 + (last != '\n');
	c.b->last_of_file = true;
	submit(pp, c.b, f, base + s->raw_read);
	jsplit_release(&sp);
	free(in);
	return rc;
}

/* Not JSON lines: an array, or an object that does not end on its first line. */
static bool is_document(const char *p, size_t n)
{
	size_t i = 0, j;

	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= n)
		return false;
	if (p[i] == '[')
		return true;
	if (p[i] != '{')
		return false;
	for (j = i; j < n && p[j] != '\n'; j++)
		;
	while (j > i && (p[j - 1] == ' ' || p[j - 1] == '\t' || p[j - 1] == '\r' ||
			 (j < n && p[j - 1] == '\n')))
		j--;
	return jsonl_skip_value(p + i, p + j) != p + j;
}

static void *reader_main(void *arg)
{
	struct pipe *pp = arg;
	uint64_t base = 0;

	for (size_t k = 0; k < pp->nfiles; k++) {
		size_t f = pp->order[k];
		struct instream s;
		struct err e = { { 0 }, 0, { 0 } };
		struct strbuf pre = STRBUF_INIT;

		if (instream_open(&s, pp->files[f], &e) < 0) {
			pipe_error(pp, e.msg);
			continue;
		}
		/* enough of the start to tell JSON lines from a document */
		strbuf_grow(&pre, PEEK_SIZE);
		while (pre.len < PEEK_SIZE) {
			ssize_t n = instream_read(&s, pre.buf + pre.len, PEEK_SIZE - pre.len, &e);
			if (n < 0) {
				pipe_error(pp, e.msg);
				break;
			}
			if (n == 0)
				break;
			pre.len += (size_t)n;
			if (memchr(pre.buf, '\n', pre.len))
				break;
		}
		if (pre.buf)
			pre.buf[pre.len] = '\0';
		if (is_document(pre.buf ? pre.buf : "", pre.len))
			read_doc(pp, &s, (int)f, &pre, base);
		else
			read_lines(pp, &s, (int)f, &pre, base);
		base += s.raw_read;
		instream_close(&s);
		strbuf_release(&pre);
	}
	pthread_mutex_lock(&pp->mu);
	pp->reader_done = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct pipe *pp = arg;

	for (;;) {
		struct block *b = NULL;

		pthread_mutex_lock(&pp->mu);
		for (;;) {
			for (size_t i = 0; i < pp->nblocks; i++)
				if (pp->blocks[i].state == B_FILLED &&
				    (!b || pp->blocks[i].seq < b->seq))
					b = &pp->blocks[i];
			if (b || pp->reader_done)
				break;
			pthread_cond_wait(&pp->cv, &pp->mu);
		}
		if (!b) {
			pthread_mutex_unlock(&pp->mu);
			return NULL;
		}
		b->state = B_SCANNING;
		pthread_mutex_unlock(&pp->mu);
		audit_scan_block(b);
		pthread_mutex_lock(&pp->mu);
		b->state = B_SCANNED;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
}

/* The first stageTimestamp of a file, to merge several logs by time. */
static int64_t first_ts(const char *path)
{
	struct instream s;
	struct err e = { { 0 }, 0, { 0 } };
	char *buf;
	ssize_t n;
	int64_t ts = TS_NONE;
	size_t len = 0;

	if (!strcmp(path, "-") || instream_open(&s, path, &e) < 0)
		return TS_NONE;
	buf = xmalloc(PEEK_SIZE);
	while (len < PEEK_SIZE && (n = instream_read(&s, buf + len, PEEK_SIZE - len, &e)) > 0)
		len += (size_t)n;
	for (const char *p = buf, *end = buf + len; p < end && ts == TS_NONE;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span f[JK__COUNT];
		const char *v;
		size_t vn;
		if (!nl)
			break;
		if (jsonl_walk(p, nl, f) == 0 && jsonl_str(&f[JK_STAGETS], &v, &vn))
			ts = ts_parse(v, vn);
		p = nl + 1;
	}
	free(buf);
	instream_close(&s);
	return ts;
}

struct ordkey {
	int64_t ts;
	size_t i;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ordkey *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int audit_pipeline(char *const *files, size_t nfiles, const struct audit_opts *o,
		   struct agg *a, struct result *res)
{
	struct pipe pp;
	pthread_t reader, workers[MAX_WORKERS];
	int nw = o->threads;
	uint64_t next = 0, *line_base = xcalloc(nfiles + 1, sizeof(uint64_t));
	struct ordkey *ord = xcalloc(nfiles + 1, sizeof(*ord));
	const char *msg;

	memset(&pp, 0, sizeof(pp));
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.cv, NULL);
	pp.files = files;
	pp.nfiles = nfiles;
	pp.order = xcalloc(nfiles + 1, sizeof(size_t));
	for (size_t i = 0; i < nfiles; i++) {
		struct stat st;
		ord[i].ts = nfiles > 1 ? first_ts(files[i]) : 0;
		if (ord[i].ts == TS_NONE)
			ord[i].ts = INT64_MAX; /* unknown start: after the others, in given order */
		ord[i].i = i;
		if (strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
			pp.raw_total += (uint64_t)st.st_size;
	}
	qsort(ord, nfiles, sizeof(*ord), ord_cmp);
	for (size_t i = 0; i < nfiles; i++)
		pp.order[i] = ord[i].i;
	free(ord);
	if (nw <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nw = n > 0 ? (int)n : 1;
	}
	if (nw > MAX_WORKERS)
		nw = MAX_WORKERS;
	if (pp.raw_total && pp.raw_total < 2 * BLOCK_SIZE)
		nw = 1;
	agg_set_threads(a, nw);
	pp.nblocks = (size_t)nw * 2 + 2 > 16 ? 16 : (size_t)nw * 2 + 2;
	pp.blocks = xcalloc(pp.nblocks, sizeof(*pp.blocks));

	pthread_create(&reader, NULL, reader_main, &pp);
	for (int i = 0; i < nw; i++)
		pthread_create(&workers[i], NULL, worker_main, &pp);
	pthread_mutex_lock(&pp.mu);
	for (;;) {
		struct block *b = NULL;
		for (size_t i = 0; i < pp.nblocks; i++)
			if (pp.blocks[i].state == B_SCANNED && pp.blocks[i].seq == next)
				b = &pp.blocks[i];
		if (!b) {
			if (pp.reader_done && next == pp.nseq)
				break;
			pthread_cond_wait(&pp.cv, &pp.mu);
			continue;
		}
		pthread_mutex_unlock(&pp.mu);
		agg_block(a, b, line_base[b->file]);
		line_base[b->file] += b->nlines;
		if (o->progress)
			o->progress(o->progress_ctx, b->raw_done, pp.raw_total, false);
		pthread_mutex_lock(&pp.mu);
		b->state = B_FREE;
		next++;
		pthread_cond_broadcast(&pp.cv);
	}
	pthread_mutex_unlock(&pp.mu);
	pthread_join(reader, NULL);
	for (int i = 0; i < nw; i++)
		pthread_join(workers[i], NULL);
	if (o->progress)
		o->progress(o->progress_ctx, pp.raw_total, pp.raw_total, true);
	msg = pp.errs.buf;
	for (size_t i = 0; i < pp.nerrs; i++) {
		result_diag(res, DIAG_ERROR, "%s", msg);
		msg += strlen(msg) + 1;
	}
	if (pp.input_error)
		res->input_error = true;
	for (size_t i = 0; i < pp.nblocks; i++) {
		free(pp.blocks[i].buf);
		free(pp.blocks[i].recs);
	}
	free(pp.blocks);
	free(pp.order);
	free(line_base);
	strbuf_release(&pp.errs);
	pthread_mutex_destroy(&pp.mu);
	pthread_cond_destroy(&pp.cv);
	return pp.input_error ? -1 : 0;
}
