/*
 * The `kanon audit` input pipeline: the calling thread reads (a map,
 * read() or zlib) and cuts the inputs into blocks of whole lines, worker
 * threads scan blocks in any order (phase 1) and consume them strictly in
 * input order (phase 2), one thread at a time, so results do not depend on
 * the thread count. Memory is bounded by the block pool: 2 * workers + 1
 * (at most MAX_BLOCKS) blocks of 2 MB. When threads cannot be started (a
 * process limit), fewer are used, down to reading and scanning on the
 * calling thread.
 *
 * Inflating is slower than scanning and aggregating, so with several
 * compressed inputs one reader was the bottleneck. Then ("lanes") up to one
 * reader per thread takes the next input in read order, and blocks are
 * ordered by (input, block): the calling thread still consumes the same
 * blocks in the same order, so results are those of one reader. A scanned
 * block gives its text buffer back at once; the blocks of inputs read
 * ahead of the one being consumed wait as records, within AHEAD_BUDGET
 * bytes (what ops->weight says they hold) and AHEAD_TEXT text buffers per
 * reader, so memory stays bounded whatever the input sizes: a reader ahead
 * waits when the budget is spent.
 */
#include "sources/audit_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "sources/audit_doc.h"
#include "sources/filemap.h"
#include "sources/gzstream.h"
#include "core/banned.h"

#define BLOCK_SIZE (2u << 20)
/*
 * Of a line longer than a block: each audit key's value (17 keys, sourceIPs
 * twice for its last element: the compact line still fits in one block).
 */
#define FIELD_KEEP  (112u << 10)
#define MAX_OBJECT  (BLOCK_SIZE - 64) /* a longer object in a document is not read */
#define PEEK_SIZE   (256u << 10)      /* for the first timestamp of each input */
#define MAX_WORKERS 16
/* blocks in flight: with the request table (20 MB), peak RSS stays under 64 MB */
#define MAX_BLOCKS 5
/*
 * Reading ahead (lanes): readers at most, the records of blocks read ahead,
 * slots, text buffers of a reader ahead, and of all the readers: with the
 * auditID table and the second and third inflater, peak RSS stays under 64 MB
 */
#define MAX_LANES    2
#define AHEAD_BUDGET (2u << 20)
#define MAX_SLOTS    256
#define AHEAD_TEXT   2
#define LANES_TEXT   5
/* a block's seq in lanes mode: its input's position in read order, then its index */
#define SEQ_SHIFT 40

/* a + b + c, or abort: sizes here come from input lengths */
static size_t size_add(size_t a, size_t b, size_t c)
{
	if (a > SIZE_MAX - b || a + b > SIZE_MAX - c) {
		fputs("fatal: size overflow\n", stderr);
		abort();
	}
	return a + b + c;
}

enum { B_FREE, B_FILLED, B_SCANNING, B_SCANNED, B_BUSY };

const char *audit_unread_reason(int code)
{
	switch (code) {
	case AU_DOC_LARGE:
		return "an event object larger than 2 MB in a JSON document: not read";
	case AU_LONG_NOT_OBJECT:
		return "a line longer than 2 MB that is not one JSON object";
	case AU_LONG_FIELD:
		return "a line longer than 2 MB whose user, objectRef, responseStatus, "
		       "annotations, sourceIPs or requestURI path is itself longer than 112 KB";
	case AU_CSV_ROW:
		return "a CSV row whose fields do not match the header line";
	case AU_CSV_LARGE:
		return "a CSV row larger than 2 MB: not read";
	case AU_CSV_CUT:
		return "a CSV row cut short (a quoted field never closed at the end of the file)";
	case AU_AVRO_NOBODY:
		return "an Event Hub Capture message without a body";
	case AU_AVRO_LARGE:
		return "an Event Hub Capture message body larger than 2 MB: not read";
	case AU_AVRO_NOTTEXT:
		return "an Event Hub Capture message body that is not JSON text";
	default:
		return "not an audit Event object (an array element that is not an object or "
		       "text outside any JSON value)";
	}
}

/* An input opened (and peeked) before the reader starts: pipes cannot be reopened. */
struct input {
	struct instream s;
	struct strbuf pre; /* bytes already read from s */
	bool open;
	bool peek_failed; /* a read error while peeking: reported by the reader */
	bool gz;	  /* seen compressed while peeking */
	bool read_err;	  /* read() failed or found it shrunk after its map (mu) */
	struct err peek_err;
	int64_t ts;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/*
	 * The calling thread's once it has read the input (consume_wait()): told
	 * when a consuming turn ends; the scanning threads consume all before,
	 * and a wake-up at every block (hundreds for a file of small Avro
	 * batches) only cost the cores time.
	 */
	pthread_cond_t end_cv;
	/*
	 * The scanning threads', waiting for a filled block: told by submit()
	 * alone. On the one cv every block consumed, scanned or done woke them
	 * too, for nothing.
	 */
	pthread_cond_t work_cv;
	const struct audit_stream_ops *ops;
	struct audit_block *blocks;
	size_t nblocks;
	uint64_t nseq; /* blocks handed out so far */
	uint64_t next; /* next block to consume */
	bool reader_done;
	bool inline_mode; /* no scanning thread: submit() scans and consumes */
	bool combine;	  /* one reader: the scanning threads consume (consume_ready()) */
	bool consuming;	  /* one of them is consuming */
	char *const *files;
	size_t nfiles;
	size_t *order;
	struct input *in;
	uint64_t raw_total;
	struct strbuf errs; /* "<file index> <message>\0" from the reader */
	size_t nerrs;
	size_t *rank; /* per file: its position in order */
	/* lanes mode (lanes > 1): several readers, see the top of this file */
	int lanes;
	size_t cur_slots; /* slots the input being consumed may hold */
	uint64_t *nsub;	  /* per position: blocks submitted */
	bool *fdone;	  /* per position: read to its end (or not opened) */
	size_t next_pos;  /* the next position a reader takes */
	size_t cur;	  /* the position being consumed */
	uint64_t cur_idx;
	uint64_t done_base; /* raw bytes of the inputs consumed (progress) */
	size_t ntext;	    /* text buffers: the pool of one reader */
	size_t *wt;	    /* per slot: the weight of its scanned data */
	size_t budget;
	struct spare {
		char *buf;
		size_t cap;
	} * spare; /* text buffers given back by scanned blocks */
	size_t nspare;
	/* consuming: the blocks of this input and epoch are void (a batch stopped) */
	bool cut_on;
	int cut_file;
	uint32_t cut_epoch;
	int nworkers;	 /* scanning threads started */
	bool batch_wait; /* a reader waits for a batch (audit_doc_done()) */
	bool free_wait;	 /* the one reader waits for a free slot (get_free()) */
};

static void pipe_error(struct pipe *pp, size_t f, const char *msg)
{
	pthread_mutex_lock(&pp->mu);
	/* by position: readers of several inputs may fail in any order */
	strbuf_addf(&pp->errs, "%zu %zu %s", pp->rank[f], f, msg);
	strbuf_addch(&pp->errs, '\0');
	pp->nerrs++;
	pthread_mutex_unlock(&pp->mu);
}

/*
 * Lanes mode, mu held: a free slot for input f, or NULL while it must wait.
 * The input being consumed may hold cur_slots slots (text being filled or
 * scanned, or records waiting for their turn), a reader ahead AHEAD_TEXT
 * slots with text: LANES_TEXT in all, one reader's pool on two CPUs. A
 * reader ahead goes on only while all the scanned records waiting, its own
 * and the input being consumed's, weigh less than the budget: records as
 * large as their text (anonymous lines with long URIs) leave no room ahead.
 */
static struct audit_block *lane_slot(const struct pipe *pp, size_t f)
{
	uint64_t k = pp->rank[f];
	size_t mine = 0, text = 0, ahead = 0, wt = 0;
	struct audit_block *fr = NULL;

	for (size_t i = 0; i < pp->nblocks; i++) {
		struct audit_block *b = &pp->blocks[i];
		uint64_t bk = b->seq >> SEQ_SHIFT;

		if (b->state == B_FREE) {
			if (!fr)
				fr = b;
			continue;
		}
		if (bk == k) {
			mine++;
			text += b->state != B_SCANNED; /* a scanned block gave its text back */
		}
		ahead += bk > pp->cur;
		wt += pp->wt[i];
	}
	if (!fr)
		return NULL;
	if (k == pp->cur)
		return mine < pp->cur_slots ? fr : NULL;
	if (text >= AHEAD_TEXT || wt >= pp->budget || ahead >= pp->nblocks - LANES_TEXT)
		return NULL;
	return fr;
}

/*
 * A block's text buffer: BLOCK_SIZE bytes at a 2 MB boundary, in one huge
 * page where the kernel gives one (transparent huge pages in "madvise"
 * mode, Debian's default). Filled by copies (CSV rows, Avro bodies, read()
 * into it), each of the pool's buffers faulted in 4 KB at a time cost 512
 * faults: 2700 faults, a sixth of the CPU time of a 60 MB AKSAudit CSV
 * export on a virtual machine, where a fault is dear. It is still an
 * ordinary malloc() block (realloc(), free()). Not for a buffer that is
 * mostly left empty (audit_doc_batch()): its huge page is cleared whole.
 */
static char *block_buf_new(void)
{
	void *p = NULL;

	if (posix_memalign(&p, BLOCK_SIZE, BLOCK_SIZE) != 0)
		return xmalloc(BLOCK_SIZE);
#ifdef MADV_HUGEPAGE
	madvise(p, BLOCK_SIZE, MADV_HUGEPAGE); /* advice: refused (EINVAL) is fine */
#endif
	return p;
}

static struct audit_block *get_free(struct pipe *pp, size_t f, bool huge)
{
	struct audit_block *b = NULL;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		if (pp->lanes > 1)
			b = lane_slot(pp, f);
		for (size_t i = 0; pp->lanes <= 1 && i < pp->nblocks && !b; i++)
			if (pp->blocks[i].state == B_FREE)
				b = &pp->blocks[i];
		if (b)
			break;
		pp->free_wait = true;
		pthread_cond_wait(&pp->cv, &pp->mu);
	}
	b->state = B_BUSY;
	if (pp->lanes > 1) {
		b->seq = (uint64_t)pp->rank[f] << SEQ_SHIFT; /* counted as f's from now on */
		if (!b->buf && pp->nspare) {
			pp->nspare--;
			b->buf = pp->spare[pp->nspare].buf;
			b->cap = pp->spare[pp->nspare].cap;
		}
	}
	pthread_mutex_unlock(&pp->mu);
	if (!b->buf) {
		b->cap = BLOCK_SIZE;
		b->buf = huge ? block_buf_new() : xmalloc(b->cap);
	}
	b->len = 0;
	b->text_bytes = 0;
	b->doc = false;
	b->reduced = false;
	b->last_of_file = false;
	b->doc_lines = 0;
	b->batch = NULL;
	b->stop = false;
	b->epoch = 0;
	return b;
}

/* A map given back by the reader or a block: the last one unmaps it. */
static void map_put(struct pipe *pp, size_t f, struct filemap *m)
{
	char msg[320];
	bool told;

	if (!filemap_put(m))
		return;
	pthread_mutex_lock(&pp->mu);
	told = pp->in[f].read_err;
	pthread_mutex_unlock(&pp->mu);
	/* a cut map, unless read() went on after it and said so (the reader puts its ref last) */
	if (filemap_cut(m) && !told) {
		snprintf(msg, sizeof(msg),
			 "'%.160s' shrank while read (truncated, e.g. by copytruncate rotation): "
			 "what it held past that was not read",
			 pp->files[f]);
		pipe_error(pp, f, msg);
	}
	filemap_destroy(m);
}

/* A block read from a map, consumed: its pages go back, the slot gets its own buffer again. */
static void block_unmap(struct pipe *pp, struct audit_block *b)
{
	filemap_drop(b->map, (uint64_t)(b->buf + b->len - filemap_data(b->map)));
	map_put(pp, (size_t)b->file, b->map);
	b->map = NULL;
	b->buf = b->own;
	b->cap = b->own_cap;
	b->own = NULL;
	b->own_cap = 0;
}

/*
 * In input order: is b void, handed on by a reader before it knew that a
 * batch before it stopped (it redid them from there, in a new epoch)?
 */
static bool block_void(struct pipe *pp, const struct audit_block *b)
{
	if (pp->cut_on && b->file == pp->cut_file && b->epoch == pp->cut_epoch)
		return true;
	if (b->stop) {
		pp->cut_on = true;
		pp->cut_file = b->file;
		pp->cut_epoch = b->epoch;
	}
	return false;
}

static void consume(struct pipe *pp, struct audit_block *b)
{
	uint64_t done = b->raw_done;

	if (pp->lanes > 1) {
		/* readers of several inputs count each input's bytes from 0 */
		done += pp->done_base;
		if (b->last_of_file)
			pp->done_base = done;
	}
	if (!block_void(pp, b)) {
		pp->ops->consume(pp->ops->ctx, b);
	} else if (pp->ops->release) {
		/* scanned but never aggregated: what it holds goes */
		pp->ops->release(pp->ops->ctx, b->data);
		b->data = NULL;
	}
	if (b->map)
		block_unmap(pp, b);
	/* a file that grows while read: never more than 100 % */
	if (done > pp->raw_total)
		pp->raw_total = done;
	if (pp->ops->progress)
		pp->ops->progress(pp->ops->progress_ctx, done, pp->raw_total, false);
}

static void block_prepare(struct pipe *pp, struct audit_block *b);
static void block_text_back(struct audit_block *b);
static void block_batch_done(struct pipe *pp, struct audit_block *b);

static void submit(struct pipe *pp, struct audit_block *b, int file, uint64_t raw)
{
	b->file = file;
	b->raw_done = raw;
	/* a document's input bytes come with its last block (read_doc, read_container) */
	if (!b->text_bytes && !b->doc)
		b->text_bytes = b->len;
	if (pp->inline_mode) {
		b->seq = pp->nseq++;
		block_prepare(pp, b);
		pp->ops->scan(pp->ops->ctx, b);
		block_text_back(b);
		if (b->batch) {
			pthread_mutex_lock(&pp->mu);
			block_batch_done(pp, b);
			pthread_mutex_unlock(&pp->mu);
		}
		consume(pp, b);
		pthread_mutex_lock(&pp->mu);
		b->state = B_FREE;
		pp->next++;
		pthread_mutex_unlock(&pp->mu);
		return;
	}
	pthread_mutex_lock(&pp->mu);
	if (pp->lanes > 1) {
		size_t k = pp->rank[file];
		b->seq = (uint64_t)k << SEQ_SHIFT | pp->nsub[k]++;
	} else {
		b->seq = pp->nseq++;
	}
	b->state = B_FILLED;
	pthread_cond_signal(&pp->work_cv);
	pthread_mutex_unlock(&pp->mu);
}

static void grow_block(struct audit_block *b, size_t need)
{
	if (b->cap >= need)
		return;
	while (b->cap < need)
		b->cap = size_add(b->cap, b->cap, 0);
	b->buf = xrealloc(b->buf, b->cap);
}

/* ------------------------------------------------------------ JSON lines */

/*
 * What a line longer than a block becomes: its audit keys, streamed with
 * bounded memory wherever they are in the line (a 2.4 MB requestURI of
 * "\u0026" can come before user). A key that decides a verdict and is
 * itself too long makes the line unread, never clean; a long user agent or
 * query string is cut, a long sourceIPs (X-Forwarded-For is the client's)
 * keeps its first addresses and the last one, the peer; RBAC bodies too long
 * to keep are both left out (the subjects are then unknown).
 */
static void long_line_out(struct audit_block *b, struct jsonl_reduce *r)
{
	const uint32_t cut_ok =
	    1u << JK_USERAGENT | 1u << JK_REQUESTURI | 1u << JK_REQOBJ | 1u << JK_RESPOBJ;
	const uint32_t bodies = 1u << JK_REQOBJ | 1u << JK_RESPOBJ;
	struct strbuf out = STRBUF_INIT;
	uint32_t drop = (r->over & bodies) ? bodies : 0;
	struct strbuf *uri = &r->val[JK_REQUESTURI];
	bool unread = (r->over & ~(cut_ok | (r->kept_last & 1u << JK_SOURCEIPS))) != 0;

	/* a cut requestURI keeps its path (what classifies the request) only if '?' was seen */
	if ((r->over & (1u << JK_REQUESTURI)) && !memchr(uri->buf, '?', uri->len))
		unread = true;
	strbuf_addch(&out, AUDIT_LINE_REDUCED);
	if (unread || !jsonl_reduce_finish(r, &out, drop)) {
		strbuf_reset(&out);
		strbuf_addch(&out, AUDIT_LINE_UNREAD);
		strbuf_addch(&out, unread ? AU_LONG_FIELD : AU_LONG_NOT_OBJECT);
	}
	strbuf_addch(&out, '\n');
	grow_block(b, out.len);
	memcpy(b->buf, out.buf, out.len);
	b->len = out.len;
	b->reduced = true;
	strbuf_release(&out);
}

static int long_line(struct pipe *pp, size_t f, struct instream *s, struct audit_block *b,
		     struct strbuf *carry, bool *eof)
{
	struct err e = {0};
	struct jsonl_reduce r;
	int rc = 0;

	jsonl_reduce_init(&r, FIELD_KEEP);
	jsonl_reduce_feed(&r, b->buf, b->len);
	b->text_bytes = b->len;
	for (;;) {
		ssize_t n = instream_read(s, b->buf, b->cap, &e);
		const char *nl;
		size_t m;

		if (n <= 0) {
			if (n < 0) {
				pipe_error(pp, f, e.msg);
				rc = -1;
			}
			*eof = true;
			break;
		}
		nl = memchr(b->buf, '\n', (size_t)n);
		m = nl ? (size_t)(nl - b->buf) : (size_t)n;
		jsonl_reduce_feed(&r, b->buf, m);
		b->text_bytes += m + (nl != NULL);
		if (nl) {
			strbuf_add(carry, nl + 1, (size_t)n - m - 1);
			break;
		}
	}
	long_line_out(b, &r);
	jsonl_reduce_release(&r);
	return rc;
}

/*
 * The bytes of a regular file are its pages (filemap.h), mapped if nothing
 * but the peeked start was taken from it yet (KANON_TEST_NO_MMAP: never,
 * for the tests that compare both ways).
 */
static struct filemap *map_input(const struct pipe *pp, const struct instream *s,
				 const struct strbuf *carry)
{
	struct stat st;

	/* carry: all that was taken from the stream, its buffer holds the bytes after it */
	if (pp->lanes > 1 || s->gz || s->fd < 0 || s->eof || s->in_len < s->in_pos ||
	    carry->len != s->raw_read - (s->in_len - s->in_pos) || fstat(s->fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || lseek(s->fd, 0, SEEK_CUR) != (off_t)s->raw_read ||
	    getenv("KANON_TEST_NO_MMAP"))
		return NULL;
	return filemap_create(s->fd, (uint64_t)st.st_size);
}

/*
 * The unit whose mapping tells small folios from large ones (its end, in
 * units): readahead makes a file's first megabytes small folios and grows
 * them to 2 MB as it goes on (the first 30 MB of a 223 MB log read once by
 * cat, on Linux 6.18 and ext4), so an earlier unit would say small of any
 * file. A file up to 48 MB stays mapped.
 */
#define MAP_ASK_UNIT 24

/*
 * Past this many ns of CPU time a page to read the file's first MAP_PROBE
 * bytes once mapped, the file is read with read() from its start: its copy
 * costs less than the first reads of mapped pages on a machine that traps
 * them (filemap_touch_ns(); 480 ns here, where 4 KB are copied in about
 * 400 ns and the copy, on the reading thread, leaves the text in the
 * caches). The 223 MB log: 0.93x the wall time with two scanning threads,
 * 0.88x with one. A machine that maps pages in hardware reads them in a few
 * ns. A file under MAP_PROBE_MIN is not timed (a few pages' time is mostly
 * the clock's own) and stays mapped.
 */
#define MAP_TOUCH_NS 200
/* the pages timed: the file's first 256 KB (16 us here, a few elsewhere) */
#define MAP_PROBE (256u << 10)
#define MAP_PROBE_MIN (64u << 10)

/*
 * Whether reading the map costs more than read() would: the first reads of
 * the map's first pages, made resident. KANON_TEST_MAP_TOUCH ("fast" or
 * "slow") decides instead, for the tests of either way on any machine.
 */
static bool map_dear(struct filemap *m)
{
	const char *t = getenv("KANON_TEST_MAP_TOUCH");
	size_t n = filemap_size(m) < MAP_PROBE ? (size_t)filemap_size(m) : MAP_PROBE;

	if (t)
		return !strcmp(t, "slow");
	if (n < MAP_PROBE_MIN)
		return false;
	/* (a file cut meanwhile: the caller's own populate finds it) */
	return filemap_populate(m, 0, n) == 0 && filemap_touch_ns(m, 0, n) > MAP_TOUCH_NS;
}

/*
 * Blocks of whole lines pointing into the map, nothing copied. Where the
 * map cannot go on (a line longer than a block, the file's last line
 * without its newline), the stream is put there and read() goes on from
 * it, as for a file never mapped: a file still being written is read to
 * its end then. A file that shrank is read no further (its map is cut,
 * which the last block of it reports).
 */
static void read_mapped(struct pipe *pp, size_t f, struct instream *s, struct strbuf *carry,
			uint64_t base, struct filemap *m)
{
	const char *d = filemap_data(m);
	uint64_t size = filemap_size(m), pos = 0;
	/* the tests: ask at this unit, and take the answer as "small" */
	const char *t = getenv("KANON_TEST_MAP_SMALL");
	uint64_t ask = (uint64_t)filemap_unit(m) * (t ? strtoull(t, NULL, 10) : MAP_ASK_UNIT);
	bool asked = false;

	while (pos < size) {
		size_t n = size - pos > BLOCK_SIZE ? BLOCK_SIZE : (size_t)(size - pos);
		const char *nl;
		struct audit_block *b;

		if ((!pos && map_dear(m)) || filemap_populate(m, pos, n) < 0)
			break;
		/*
		 * The 24th unit resident (and not given back yet: the blocks before
		 * this one are not all consumed), and not mapped 2 MB at a time: the
		 * file's pages are small folios (a log written by appends, still
		 * cached), which cost more to map than to copy: read() from here (on
		 * this machine 0.17 s instead of 0.20 s for 223 MB).
		 */
		if (!asked && pos + n >= ask) {
			asked = true;
			if (t || filemap_large_pages(m) == 0)
				break;
		}
		nl = memrchr(d + pos, '\n', n);
		if (!nl || filemap_cut(m))
			break;
		b = get_free(pp, f, true);
		b->own = b->buf;
		b->own_cap = b->cap;
		b->buf = (char *)d + pos;
		b->len = b->cap = (size_t)(nl + 1 - (d + pos));
		b->map = m;
		filemap_hold(m);
		pos += b->len;
		submit(pp, b, (int)f, base + pos);
	}
	/* from pos on, read(): the stream's buffer and carry are bytes before it */
	if (filemap_cut(m))
		s->eof = true;
	if (pos) {
		strbuf_reset(carry);
		s->in_pos = s->in_len = 0;
		s->raw_read = pos;
		if (lseek(s->fd, (off_t)pos, SEEK_SET) < 0)
			s->eof = true; /* cannot happen to a regular file: nothing more is read */
	}
}

static int read_lines(struct pipe *pp, size_t f, struct instream *s, struct strbuf *carry,
		      uint64_t base)
{
	struct filemap *m = map_input(pp, s, carry);
	struct err e = {0};
	bool eof = false;
	int rc = 0;

	if (m)
		read_mapped(pp, f, s, carry, base, m);
	while (!eof || carry->len) {
		struct audit_block *b = get_free(pp, f, true);
		const char *nl;

		/* the carry is the start of a line and never longer than a block */
		grow_block(b, carry->len);
		memcpy(b->buf, carry->buf ? carry->buf : "", carry->len);
		b->len = carry->len;
		strbuf_reset(carry);
		while (b->len < b->cap && !eof) {
			ssize_t n = instream_read(s, b->buf + b->len, b->cap - b->len, &e);
			if (n < 0) {
				pipe_error(pp, f, e.msg);
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
			} else if (long_line(pp, f, s, b, carry, &eof) < 0) {
				rc = -1;
			}
		}
		b->last_of_file = eof && !carry->len;
		submit(pp, b, (int)f, base + s->raw_read);
	}
	if (m) {
		pthread_mutex_lock(&pp->mu);
		pp->in[f].read_err = rc < 0;
		pthread_mutex_unlock(&pp->mu);
		map_put(pp, f, m);
	}
	return rc;
}

/* ------------------------------------------------------------ documents */

struct audit_doc {
	struct pipe *pp;
	const struct jsplit *sp;
	struct audit_block *b;
	int f;
	uint64_t raw;
	const struct instream *s; /* the container readers': progress from it */
	uint64_t base;
	struct strbuf pre; /* a line put in front of every block (audit_doc_preamble()) */
	size_t room;	   /* audit_doc_room(): where its line starts in the block */
	uint32_t epoch;	   /* of the blocks handed on (struct audit_block) */
	bool fixed;	   /* a scanning thread's block: it grows, never handed on */
};

/*
 * The block being filled, taken when first needed (its preamble first): a
 * container's reader that hands on batches holds no slot between them.
 */
static void doc_open_as(struct audit_doc *c, bool huge)
{
	if (c->b)
		return;
	c->b = get_free(c->pp, (size_t)c->f, huge);
	c->b->doc = true;
	if (c->pre.len) {
		grow_block(c->b, c->pre.len);
		memcpy(c->b->buf, c->pre.buf, c->pre.len);
		c->b->len = c->pre.len;
	}
}

static void doc_open(struct audit_doc *c)
{
	doc_open_as(c, true);
}

static void doc_submit(struct audit_doc *c)
{
	c->b->epoch = c->epoch;
	submit(c->pp, c->b, c->f, c->raw);
	c->b = NULL;
}

/* The document's next block (the one filled so far submitted), its preamble first. */
static void doc_next(struct audit_doc *c)
{
	if (c->fixed)
		return; /* it grows: grow_block() after this */
	doc_submit(c);
	doc_open(c);
}

/* How far the input was read: the block being filled stands for that much (progress). */
static void doc_at_input(struct audit_doc *d)
{
	if (d->s) /* a scanning thread's block of a batch has none */
		d->raw = d->base + d->s->raw_read;
}

/* "<line> " into num (24 bytes): snprintf was a tenth of reading a CSV export */
int audit_doc_prefix(char num[24], uint64_t line)
{
	char t[24];
	int k = 0, n = 0;

	do {
		t[k++] = (char)('0' + line % 10);
		line /= 10;
	} while (line);
	while (k)
		num[n++] = t[--k];
	num[n++] = ' ';
	return n;
}

static void doc_emit(void *ctx, const char *obj, size_t n, uint64_t line)
{
	struct audit_doc *c = ctx;
	char num[24];
	int k = audit_doc_prefix(num, line);
	size_t need = size_add((size_t)k, obj ? n : 2, 1);

	doc_open(c);
	if (c->b->len + need > c->b->cap && c->b->len)
		doc_next(c);
	grow_block(c->b, size_add(c->b->len, need, 0));
	memcpy(c->b->buf + c->b->len, num, (size_t)k);
	c->b->len += (size_t)k;
	/* a value that starts with a marker byte is not JSON: never a marker */
	if (obj && n &&
	    (obj[0] == AUDIT_LINE_UNREAD || obj[0] == AUDIT_LINE_REDUCED ||
	     obj[0] == AUDIT_LINE_AKS || obj[0] == AUDIT_LINE_CSV_HEAD ||
	     obj[0] == AUDIT_LINE_CSV_ROW))
		obj = NULL, n = 0;
	if (obj) {
		memcpy(c->b->buf + c->b->len, obj, n);
		c->b->len += n;
	} else {
		c->b->buf[c->b->len++] = AUDIT_LINE_UNREAD;
		c->b->buf[c->b->len++] = (char)(n ? AU_DOC_LARGE : AU_DOC_ELEMENT);
	}
	c->b->buf[c->b->len++] = '\n';
}

/* jsplit reports an unreadable value as (NULL, 0); a too large one is told apart here. */
static void doc_emit_sized(void *ctx, const char *obj, size_t n, uint64_t line)
{
	struct audit_doc *c = ctx;
	doc_emit(c, obj, obj ? n : c->sp->overflow, line);
}

static int read_doc(struct pipe *pp, size_t f, struct instream *s, struct strbuf *pre,
		    uint64_t base)
{
	struct err e = {0};
	struct jsplit sp;
	struct audit_doc c = {pp, &sp, NULL, (int)f, 0, s, base, STRBUF_INIT, 0, 0, false};
	char *in = xmalloc(1u << 20);
	int rc = 0;
	char last = '\n';

	jsplit_init(&sp, MAX_OBJECT);
	if (pre->len)
		last = pre->buf[pre->len - 1];
	c.b = get_free(pp, f, true);
	c.b->doc = true;
	jsplit_feed(&sp, pre->buf ? pre->buf : "", pre->len, doc_emit_sized, &c);
	for (;;) {
		ssize_t n = instream_read(s, in, 1u << 20, &e);
		if (n < 0) {
			pipe_error(pp, f, e.msg);
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		c.raw = base + s->raw_read;
		last = in[n - 1];
		jsplit_feed(&sp, in, (size_t)n, doc_emit_sized, &c);
	}
	if (jsplit_truncated(&sp))
		doc_emit(&c, NULL, sp.overflow ? 1 : 0, sp.cap_line ? sp.cap_line : sp.line);
	c.b->doc_lines = sp.line - 1 + (last != '\n');
	c.b->last_of_file = true;
	c.b->text_bytes = s->out_read;
	submit(pp, c.b, (int)f, base + s->raw_read);
	jsplit_release(&sp);
	free(in);
	return rc;
}

/* ------------------------------------------------------------ containers */

void audit_doc_object(struct audit_doc *d, const char *obj, size_t n, uint64_t line)
{
	doc_at_input(d);
	doc_emit(d, obj, n, line);
}

char *audit_doc_room(struct audit_doc *d, size_t n, uint64_t line)
{
	char num[24];
	int k = audit_doc_prefix(num, line);
	size_t need = size_add((size_t)k, n, 1);

	doc_at_input(d);
	doc_open(d);
	if (d->b->len + need > d->b->cap && d->b->len)
		doc_next(d);
	grow_block(d->b, size_add(d->b->len, need, 0));
	d->room = d->b->len;
	memcpy(d->b->buf + d->b->len, num, (size_t)k);
	d->b->len += need;
	d->b->buf[d->b->len - 1] = '\n';
	return d->b->buf + d->room + k;
}

void audit_doc_unroom(struct audit_doc *d)
{
	d->b->len = d->room;
}

char *audit_doc_tail(struct audit_doc *d, size_t n)
{
	grow_block(d->b, size_add(d->b->len, n, 0));
	return d->b->buf + d->b->len;
}

void audit_doc_add(struct audit_doc *d, size_t n)
{
	d->b->len += n;
}

void audit_doc_unread(struct audit_doc *d, int code, uint64_t line)
{
	char num[24];
	int k = audit_doc_prefix(num, line);

	doc_open(d);
	if (d->b->len + (size_t)k + 3 > d->b->cap)
		doc_next(d);
	grow_block(d->b, size_add(d->b->len, (size_t)k, 3));
	memcpy(d->b->buf + d->b->len, num, (size_t)k);
	d->b->len += (size_t)k;
	d->b->buf[d->b->len++] = AUDIT_LINE_UNREAD;
	d->b->buf[d->b->len++] = (char)code;
	d->b->buf[d->b->len++] = '\n';
}

/* "<line> " marker, the n bytes at text, tail (0: none) and a newline */
static void doc_marked(struct audit_doc *d, char marker, const char *text, size_t n, char tail,
		       uint64_t line)
{
	char num[24];
	int k = audit_doc_prefix(num, line);
	size_t need = size_add((size_t)k, n, 3);

	doc_at_input(d);
	doc_open(d);
	if (d->b->len + need > d->b->cap && d->b->len)
		doc_next(d);
	grow_block(d->b, size_add(d->b->len, need, 0));
	memcpy(d->b->buf + d->b->len, num, (size_t)k);
	d->b->len += (size_t)k;
	d->b->buf[d->b->len++] = marker;
	memcpy(d->b->buf + d->b->len, text, n);
	d->b->len += n;
	if (tail)
		d->b->buf[d->b->len++] = tail;
	d->b->buf[d->b->len++] = '\n';
}

void audit_doc_marked(struct audit_doc *d, char marker, const char *text, size_t n, uint64_t line)
{
	doc_marked(d, marker, text, n, 0, line);
}

void audit_doc_csv_row(struct audit_doc *d, const char *row, size_t n, uint64_t line)
{
	/* the marker after it too: the scanning thread strips blanks at a line's end */
	doc_marked(d, AUDIT_LINE_CSV_ROW, row, n, AUDIT_LINE_CSV_ROW, line);
}

void audit_doc_preamble(struct audit_doc *d, char marker, const char *text, size_t n)
{
	strbuf_reset(&d->pre);
	strbuf_add(&d->pre, "0 ", 2);
	strbuf_addch(&d->pre, marker);
	strbuf_add(&d->pre, text, n);
	strbuf_addch(&d->pre, marker);
	strbuf_addch(&d->pre, '\n');
	if (!d->b) {
		doc_open(d); /* the preamble first in it */
		return;
	}
	if (d->b->len + d->pre.len > d->b->cap && d->b->len) {
		doc_next(d);
		return;
	}
	grow_block(d->b, size_add(d->b->len, d->pre.len, 0));
	memcpy(d->b->buf + d->b->len, d->pre.buf, d->pre.len);
	d->b->len += d->pre.len;
}

void audit_doc_error(struct audit_doc *d, const char *msg)
{
	pipe_error(d->pp, (size_t)d->f, msg);
}

void audit_doc_batch(struct audit_doc *d, struct audit_batch *bt)
{
	doc_at_input(d);
	if (d->b && d->b->len)
		doc_submit(d);
	/* a batch's lines (AV_BATCH_AIM, 256 KB) fill an eighth of it: a huge page
	 * would be cleared whole for them */
	doc_open_as(d, false);
	d->b->len = 0; /* its lines are the batch's */
	d->b->batch = bt;
	doc_submit(d);
}

bool audit_doc_done(struct audit_doc *d, struct audit_batch *bt, bool wait)
{
	bool done;

	pthread_mutex_lock(&d->pp->mu);
	while (wait && !bt->done) {
		d->pp->batch_wait = true;
		pthread_cond_wait(&d->pp->cv, &d->pp->mu);
	}
	done = bt->done;
	pthread_mutex_unlock(&d->pp->mu);
	return done;
}

void audit_doc_epoch(struct audit_doc *d)
{
	d->epoch++;
}

int audit_doc_workers(const struct audit_doc *d)
{
	return d->pp->inline_mode ? 0 : d->pp->nworkers;
}

size_t audit_doc_len(const struct audit_doc *d)
{
	return d->b->len;
}

void audit_doc_cut(struct audit_doc *d, size_t len)
{
	if (len < d->b->len)
		d->b->len = len;
}

/*
 * The text buffer of the thread that makes a batch's lines and scans them:
 * a slot's buffer, last written by the other thread, was cold in this
 * core's cache, where the thread's own still holds its last batch (256 KB,
 * AV_BATCH_AIM): the lines are inflated into it, scanned, and forgotten
 * (consume() reads the records only). Swapped with the slot's meanwhile.
 */
static _Thread_local struct text_buf {
	char *buf;
	size_t cap;
	bool in_use;
} tl_text;

static void text_release(void)
{
	free(tl_text.buf);
	tl_text.buf = NULL;
	tl_text.cap = 0;
}

static void text_swap(struct audit_block *b)
{
	char *buf = b->buf;
	size_t cap = b->cap;

	b->buf = tl_text.buf;
	b->cap = tl_text.cap;
	tl_text.buf = buf;
	tl_text.cap = cap;
	tl_text.in_use = !tl_text.in_use;
}

/*
 * A thread keeps its text buffer when its batch made at most this much: a
 * batch aims at 256 KB of lines (AV_BATCH_AIM), and 16 threads each keeping
 * 2 MB of written pages would break the 64 MB bound.
 */
#define TEXT_KEEP (512u << 10)

/*
 * After the scan: the batch told how many bytes of lines it made (before
 * the lock that tells it done), the slot's own buffer back in b (its text
 * empty: the thread's text is not the slot's), the thread's kept or freed.
 */
static void block_text_back(struct audit_block *b)
{
	bool keep;

	if (!tl_text.in_use)
		return;
	b->batch->text = b->len;
	keep = b->len <= TEXT_KEEP && b->cap <= BLOCK_SIZE;
	text_swap(b);
	b->len = 0;
	if (!keep)
		text_release();
}

/*
 * A scanning thread, before it scans b: the lines of b's batch made into
 * b, then the reader told (it waits on the batches it handed on).
 */
static void block_prepare(struct pipe *pp, struct audit_block *b)
{
	struct audit_doc d = {pp, NULL, b, b->file, b->raw_done, NULL, 0, STRBUF_INIT, 0, 0, true};
	struct audit_batch *bt = b->batch;

	if (!bt)
		return;
	text_swap(b);
	if (!b->buf) {
		b->cap = BLOCK_SIZE;
		b->buf = xmalloc(b->cap);
	}
	b->len = 0;
	b->stop = audit_avro_expand(&d, bt);
}

/*
 * mu held, b scanned: its batch is done (the reader waits on the batches
 * it handed on), told with the lock the scanned block takes anyway.
 */
static void block_batch_done(struct pipe *pp, struct audit_block *b)
{
	struct audit_batch *bt = b->batch;

	if (!bt)
		return;
	b->batch = NULL; /* the reader's: it may free it once done */
	bt->stopped = b->stop;
	bt->done = true;
	/* only a reader waiting is told: a wake-up per batch of every thread cost 2-4% */
	if (pp->batch_wait) {
		pp->batch_wait = false;
		pthread_cond_broadcast(&pp->cv);
	}
}

/* A CSV export or an Avro file: objects out of a container that is not JSON text. */
static void read_container(struct pipe *pp, size_t f, struct instream *s, struct strbuf *pre,
			   uint64_t base, bool avro)
{
	struct audit_doc c = {pp, NULL, NULL, (int)f, base, s, base, STRBUF_INIT, 0, 0, false};
	/* read before c.b is named: the reader hands blocks on and takes others */
	uint64_t n = avro ? audit_avro_read(&c, s, pre) : audit_csv_read(&c, s, pre);

	doc_open(&c);
	c.b->doc_lines = n;
	c.b->last_of_file = true;
	c.b->text_bytes = s->out_read;
	c.b->epoch = c.epoch;
	submit(pp, c.b, (int)f, base + s->raw_read);
	strbuf_release(&c.pre);
	audit_avro_thread_end(); /* this thread's, when no other scanned (inline) */
}

/* ------------------------------------------------------------ format */

enum { FMT_UNDECIDED, FMT_LINES, FMT_DOC, FMT_CSV, FMT_AVRO };

/*
 * In a string at p: the first quote, backslash or newline at or after it,
 * 16 bytes at a time (a CloudWatch page is one object of megabytes of
 * escaped messages, looked at to its end before this), or end.
 */
static size_t str_stop(const char *p, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n');

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b)),
				 _mm_cmpeq_epi8(v, nl)));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (p[i] == '"' || p[i] == '\\' || p[i] == '\n')
			return i;
	return n;
}

/*
 * JSON lines or a document, from the structure of the start, however long
 * the first event is: a '[' is a document; a first object that has a
 * newline inside (pretty-printed) or another value after it on the same
 * line (concatenated) is a document; one that ends its line is JSON lines.
 * Needs the bytes up to the end of the first line; past one block the first
 * line is taken as a long JSON line (a document object that long could not
 * be read either).
 */
static int detect_format(const char *p, size_t n, bool at_eof)
{
	size_t i = 0;
	int depth = 0;
	bool in_str = false, esc = false, closed = false, more;

	if (audit_avro_magic(p, n))
		return FMT_AVRO;
	if (n && n < 4 && !at_eof && !memcmp(p, "Obj\x01", n))
		return FMT_UNDECIDED;
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= n)
		return at_eof ? FMT_LINES : FMT_UNDECIDED;
	if (p[i] == '[')
		return FMT_DOC;
	if (p[i] != '{') {
		/* a CSV export whose header names an audit column; else text lines */
		if (audit_csv_header(p, n, at_eof, &more))
			return FMT_CSV;
		return more ? FMT_UNDECIDED : FMT_LINES;
	}
	for (; i < n; i++) {
		char c;
		if (in_str && !esc && (i = str_stop(p, i, n)) == n)
			break;
		c = p[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			else if (c == '\n')
				return FMT_DOC;
		} else if (closed) {
			if (c == '\n')
				return FMT_LINES;
			if (c != ' ' && c != '\t' && c != '\r')
				return FMT_DOC;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			closed = --depth <= 0;
		} else if (c == '\n') {
			return FMT_DOC;
		}
	}
	if (at_eof)
		return closed ? FMT_LINES : FMT_DOC;
	return n >= BLOCK_SIZE ? FMT_LINES : FMT_UNDECIDED;
}

/* Reads into pre until the format is known; returns FMT_LINES or FMT_DOC. */
static int peek_format(struct pipe *pp, size_t f, struct instream *s, struct strbuf *pre)
{
	struct err e = {0};
	int fmt;

	while ((fmt = detect_format(pre->buf ? pre->buf : "", pre->len, false)) == FMT_UNDECIDED) {
		size_t room = BLOCK_SIZE - pre->len, want = room < (64u << 10) ? room : (64u << 10);
		ssize_t n;

		strbuf_grow(pre, want);
		n = instream_read(s, pre->buf + pre->len, want, &e);
		if (n < 0) {
			pipe_error(pp, f, e.msg);
			n = 0;
		}
		if (n == 0)
			return detect_format(pre->buf ? pre->buf : "", pre->len, true);
		pre->len += (size_t)n;
		pre->buf[pre->len] = '\0';
	}
	return fmt;
}

/* Input f through the caller's opener (a provider, inside its root), or by path. */
static int input_open(const struct pipe *pp, size_t f, struct instream *s, struct err *e)
{
	int fd;

	if (!pp->ops->open || !strcmp(pp->files[f], "-"))
		return instream_open(s, pp->files[f], e);
	fd = pp->ops->open(pp->ops->ctx, f, e);
	if (fd < 0)
		return fd;
	return instream_open_fd(s, fd, pp->files[f], e);
}

/* The input at position k of the read order, into blocks; returns its raw bytes read. */
static uint64_t read_input(struct pipe *pp, size_t k, uint64_t base)
{
	size_t f = pp->order[k];
	struct input *in = &pp->in[f];
	struct err e = {0};
	uint64_t raw;
	int fmt;

	if (!in->open) {
		if (input_open(pp, f, &in->s, &e) < 0) {
			pipe_error(pp, f, e.msg);
			return 0;
		}
		in->open = true;
	}
	if (in->peek_failed)
		pipe_error(pp, f, in->peek_err.msg);
	fmt = peek_format(pp, f, &in->s, &in->pre);
	if (fmt == FMT_DOC)
		read_doc(pp, f, &in->s, &in->pre, base);
	else if (fmt == FMT_CSV || fmt == FMT_AVRO)
		read_container(pp, f, &in->s, &in->pre, base, fmt == FMT_AVRO);
	else
		read_lines(pp, f, &in->s, &in->pre, base);
	raw = in->s.raw_read;
	instream_close(&in->s);
	in->open = false;
	strbuf_release(&in->pre);
	return raw;
}

static void *reader_main(void *arg)
{
	struct pipe *pp = arg;
	uint64_t base = 0;

	for (size_t k = 0; k < pp->nfiles; k++)
		base += read_input(pp, k, base);
	pthread_mutex_lock(&pp->mu);
	pp->reader_done = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_cond_broadcast(&pp->work_cv);
	pthread_cond_broadcast(&pp->end_cv);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* Lanes mode: one of the readers, taking the next input in read order. */
static void *lane_main(void *arg)
{
	struct pipe *pp = arg;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&pp->mu);
		k = pp->next_pos < pp->nfiles ? pp->next_pos++ : pp->nfiles;
		pthread_mutex_unlock(&pp->mu);
		if (k == pp->nfiles)
			return NULL;
		read_input(pp, k, 0);
		pthread_mutex_lock(&pp->mu);
		pp->fdone[k] = true;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
}

/*
 * mu held, a slot freed: one reader waiting for a slot is woken once two
 * are free, or when nothing in flight is left to free one. Woken for each,
 * it took one, handed on a batch and slept again: a wake-up per batch, an
 * interrupt to the other CPU and the lock passed back and forth.
 */
static void slot_freed(struct pipe *pp)
{
	size_t nfree = 0, flight = 0;

	if (pp->lanes > 1) {
		pthread_cond_broadcast(&pp->cv);
		return;
	}
	if (!pp->free_wait)
		return;
	for (size_t i = 0; i < pp->nblocks; i++) {
		nfree += pp->blocks[i].state == B_FREE;
		flight += pp->blocks[i].state != B_FREE && pp->blocks[i].state != B_BUSY;
	}
	if (nfree >= 2 || !flight) {
		pp->free_wait = false;
		pthread_cond_broadcast(&pp->cv);
	}
}

/*
 * mu held: the scanned blocks that are next in order, consumed by the
 * calling scanning thread, one thread at a time (consuming). A third busy
 * thread that only consumed made the two cores of a small machine take
 * turns between three threads, and either scanner waited on it.
 */
static void consume_ready(struct pipe *pp)
{
	if (pp->consuming)
		return; /* the thread consuming takes this block after its own */
	pp->consuming = true;
	for (;;) {
		struct audit_block *b = NULL;
		for (size_t i = 0; i < pp->nblocks && !b; i++)
			if (pp->blocks[i].state == B_SCANNED && pp->blocks[i].seq == pp->next)
				b = &pp->blocks[i];
		if (!b)
			break;
		pthread_mutex_unlock(&pp->mu);
		consume(pp, b);
		pthread_mutex_lock(&pp->mu);
		b->state = B_FREE;
		pp->next++;
		slot_freed(pp);
	}
	pp->consuming = false;
	if (pp->reader_done)
		pthread_cond_broadcast(&pp->end_cv);
}

/*
 * A text buffer grown past a block (an Avro batch's lines, a long object)
 * is not kept for the next block: five such slots kept the bound of 64 MB
 * only just. The text is not read after the scan (consume() reads b->data).
 */
static void block_shrink(struct audit_block *b)
{
	free(b->buf);
	b->buf = NULL;
	b->cap = 0;
}

/* mu held: the oldest block filled, waiting for one; NULL once the reader is done. */
static struct audit_block *work_next(struct pipe *pp)
{
	for (;;) {
		struct audit_block *b = NULL;

		for (size_t i = 0; i < pp->nblocks; i++)
			if (pp->blocks[i].state == B_FILLED && (!b || pp->blocks[i].seq < b->seq))
				b = &pp->blocks[i];
		if (b || pp->reader_done)
			return b;
		pthread_cond_wait(&pp->work_cv, &pp->mu);
	}
}

/*
 * A scanning thread. The lock is taken once per block: the block scanned,
 * its batch done, the blocks next in order consumed and the next block
 * taken in one go (it was three times, and a thread woken then waited on
 * the mutex: half the futex calls of an Event Hub Capture file).
 */
static void *worker_main(void *arg)
{
	struct pipe *pp = arg;
	struct audit_block *b;

	pthread_mutex_lock(&pp->mu);
	while ((b = work_next(pp)) != NULL) {
		size_t wt;

		b->state = B_SCANNING;
		pthread_mutex_unlock(&pp->mu);
		block_prepare(pp, b);
		pp->ops->scan(pp->ops->ctx, b);
		block_text_back(b);
		/* the text is not read again: a map's pages go back now, not when consumed */
		if (b->map)
			filemap_drop_range(b->map, (uint64_t)(b->buf - filemap_data(b->map)),
					   b->len);
		else if (b->cap > BLOCK_SIZE)
			block_shrink(b);
		wt = pp->lanes > 1 ? pp->ops->weight(pp->ops->ctx, b->data) : 0;
		pthread_mutex_lock(&pp->mu);
		block_batch_done(pp, b);
		b->state = B_SCANNED;
		if (pp->lanes > 1) {
			/* the records are all that is left to consume: the text goes back */
			pp->wt[b - pp->blocks] = wt;
			pp->spare[pp->nspare].buf = b->buf;
			pp->spare[pp->nspare++].cap = b->cap;
			b->buf = NULL;
			b->cap = 0;
		}
		if (pp->combine)
			consume_ready(pp);
		else
			pthread_cond_broadcast(&pp->cv); /* lanes_consume() waits for it */
	}
	pthread_mutex_unlock(&pp->mu);
	audit_avro_thread_end();
	text_release();
	return NULL;
}

/* ------------------------------------------------------------ order */

/*
 * The first stageTimestamp of an input, to merge several logs by time. A
 * regular file is opened again by the reader; anything else (a pipe, a
 * FIFO, `<(...)`) stays open with the bytes read here kept for it.
 */
static void input_peek(const struct pipe *pp, size_t f)
{
	struct input *in = &pp->in[f];
	const char *path = pp->files[f];
	struct stat st;
	struct err e = {0};
	bool keep;

	in->ts = TS_NONE;
	if (!strcmp(path, "-") || input_open(pp, f, &in->s, &e) < 0)
		return; /* stdin comes last; an open error is reported by the reader */
	in->gz = in->s.gz;
	keep = !(fstat(in->s.fd, &st) == 0 && S_ISREG(st.st_mode));
	strbuf_grow(&in->pre, PEEK_SIZE);
	while (in->pre.len < PEEK_SIZE) {
		ssize_t n =
		    instream_read(&in->s, in->pre.buf + in->pre.len, PEEK_SIZE - in->pre.len, &e);
		if (n < 0 && keep) {
			in->peek_failed = true;
			in->peek_err = e;
		}
		if (n <= 0)
			break;
		in->pre.len += (size_t)n;
	}
	in->pre.buf[in->pre.len] = '\0';
	for (const char *p = in->pre.buf, *end = p + in->pre.len; p < end && in->ts == TS_NONE;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span fl[JK__COUNT];
		const char *v;
		size_t vn;
		if (!nl)
			break;
		if (jsonl_walk(p, nl, fl) == 0 && jsonl_str(&fl[JK_STAGETS], &v, &vn))
			in->ts = ts_parse(v, vn);
		p = nl + 1;
	}
	if (keep) {
		in->open = true;
		return;
	}
	instream_close(&in->s);
	strbuf_release(&in->pre);
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

static void plan_order(struct pipe *pp)
{
	struct ordkey *ord = xcalloc(pp->nfiles + 1, sizeof(*ord));

	for (size_t i = 0; i < pp->nfiles; i++) {
		struct stat st;
		strbuf_init(&pp->in[i].pre);
		pp->in[i].ts = TS_NONE;
		if (pp->nfiles > 1)
			input_peek(pp, i);
		ord[i].ts = pp->in[i].ts == TS_NONE ? INT64_MAX : pp->in[i].ts;
		ord[i].i = i; /* unknown start: after the others, in given order */
		/* the total for progress (which only the command line shows) */
		if (!pp->ops->open && strcmp(pp->files[i], "-") && stat(pp->files[i], &st) == 0 &&
		    S_ISREG(st.st_mode))
			pp->raw_total += (uint64_t)st.st_size;
	}
	qsort(ord, pp->nfiles, sizeof(*ord), ord_cmp);
	for (size_t i = 0; i < pp->nfiles; i++) {
		pp->order[i] = ord[i].i;
		pp->rank[ord[i].i] = i;
	}
	free(ord);
}

/* ------------------------------------------------------------ threads */

/*
 * pthread_create, which fails under a process limit (EAGAIN). The
 * KANON_TEST_MAX_THREADS environment variable makes it fail after that many
 * threads, for the tests.
 */
static int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	static int started;
	const char *lim = getenv("KANON_TEST_MAX_THREADS");

	if (lim && *lim && started >= (int)strtol(lim, NULL, 10))
		return EAGAIN;
	if (pthread_create(t, NULL, fn, arg))
		return EAGAIN;
	started++;
	return 0;
}

/*
 * The calling thread, until the reader is done and every block consumed:
 * the scanning threads consume (consume_ready()); this one takes a turn
 * when it wakes and none of them is at it.
 */
static void consume_wait(struct pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	for (;;) {
		consume_ready(pp);
		if (pp->reader_done && pp->next == pp->nseq && !pp->consuming)
			break;
		pthread_cond_wait(&pp->end_cv, &pp->mu);
	}
	pthread_mutex_unlock(&pp->mu);
}

/*
 * Lanes mode: the calling thread consumes the inputs' blocks in order, each
 * input's once it is read to its end and its blocks consumed.
 */
static void lanes_consume(struct pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	while (pp->cur < pp->nfiles) {
		uint64_t want = (uint64_t)pp->cur << SEQ_SHIFT | pp->cur_idx;
		struct audit_block *b = NULL;
		void *drop = NULL;

		for (size_t i = 0; i < pp->nblocks && !b; i++)
			if (pp->blocks[i].state == B_SCANNED && pp->blocks[i].seq == want)
				b = &pp->blocks[i];
		if (!b) {
			if (pp->fdone[pp->cur] && pp->cur_idx == pp->nsub[pp->cur]) {
				pp->cur++;
				pp->cur_idx = 0;
				pthread_cond_broadcast(&pp->cv); /* readers ahead may go on */
			} else {
				pthread_cond_wait(&pp->cv, &pp->mu);
			}
			continue;
		}
		pthread_mutex_unlock(&pp->mu);
		consume(pp, b);
		/* records of the slots past the text pool are not kept for reuse */
		if ((size_t)(b - pp->blocks) >= pp->ntext) {
			drop = b->data;
			b->data = NULL;
		}
		if (drop && pp->ops->release)
			pp->ops->release(pp->ops->ctx, drop);
		pthread_mutex_lock(&pp->mu);
		b->state = B_FREE;
		pp->wt[b - pp->blocks] = 0;
		pp->cur_idx++;
		pthread_cond_broadcast(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mu);
}

/* Lanes mode's readers: one per thread, for two compressed inputs or more. */
static int lanes_wanted(const struct pipe *pp, int n)
{
	size_t ngz = 0;

	if (!pp->ops->weight)
		return 0;
	for (size_t i = 0; i < pp->nfiles; i++)
		ngz += pp->in[i].gz;
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	if (n > MAX_LANES)
		n = MAX_LANES;
	if (ngz < 2 || n < 2)
		return 0;
	return (size_t)n > ngz ? (int)ngz : n;
}

/* Lanes mode's state; the pool grows to MAX_SLOTS slots, the text stays ntext buffers. */
static void lanes_init(struct pipe *pp, int lanes)
{
	const char *b = getenv("KANON_TEST_AHEAD_BUDGET"); /* the tests' small budget */
	size_t ahead = (size_t)AHEAD_TEXT * (size_t)(lanes - 1);

	pp->lanes = lanes;
	pp->cur_slots = LANES_TEXT > ahead + 2 ? LANES_TEXT - ahead : 2;
	pp->nblocks = MAX_SLOTS;
	pp->nsub = xcalloc(pp->nfiles + 1, sizeof(*pp->nsub));
	pp->fdone = xcalloc(pp->nfiles + 1, sizeof(*pp->fdone));
	pp->wt = xcalloc(MAX_SLOTS, sizeof(*pp->wt));
	pp->spare = xcalloc(MAX_SLOTS, sizeof(*pp->spare));
	pp->budget = b && *b ? (size_t)strtoull(b, NULL, 10) : AHEAD_BUDGET;
}

static int workers_wanted(const struct pipe *pp, int n)
{
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	if (pp->raw_total && pp->raw_total < 2 * BLOCK_SIZE)
		n = 1;
	return n;
}

static int run_threads(struct pipe *pp, int want)
{
	pthread_t workers[MAX_WORKERS], lanes[MAX_LANES];
	int nw = 0, nl = 0;

	while (nw < want && thread_start(&workers[nw], worker_main, pp) == 0)
		nw++;
	pp->nworkers = nw; /* before any reader starts */
	while (nw && nl < pp->lanes && thread_start(&lanes[nl], lane_main, pp) == 0)
		nl++;
	if (nl) {
		lanes_consume(pp);
		for (int i = 0; i < nl; i++)
			pthread_join(lanes[i], NULL);
		pthread_mutex_lock(&pp->mu);
		pp->reader_done = true; /* the workers may stop */
		pthread_cond_broadcast(&pp->work_cv);
		pthread_mutex_unlock(&pp->mu);
		goto out;
	}
	/* no reader of several inputs could be started: one reader, as without lanes */
	pthread_mutex_lock(&pp->mu);
	pp->lanes = 0;
	pp->nblocks = pp->ntext;
	pp->combine = nw > 0;
	pthread_mutex_unlock(&pp->mu);
	/*
	 * This thread reads: a reader thread of its own was started after the
	 * scanning threads, and its first block came 0.4 ms later (of a 90 ms
	 * run); this thread only waited meanwhile. Without a scanning thread it
	 * also scans and consumes, in order.
	 */
	if (!nw)
		pp->inline_mode = true;
	reader_main(pp);
	if (pp->inline_mode)
		text_release();
	else
		consume_wait(pp);
out:
	for (int i = 0; i < nw; i++)
		pthread_join(workers[i], NULL);
	return pp->inline_mode ? 0 : nw;
}

struct perr {
	size_t rank, n, f;
	const char *msg;
};

static int perr_cmp(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* The readers' errors, input by input in read order, as one reader meets them. */
static void report_errors(struct pipe *pp)
{
	struct perr *v = xcalloc(pp->nerrs + 1, sizeof(*v));
	const char *msg = pp->errs.buf;

	for (size_t i = 0; i < pp->nerrs; i++) {
		char *sp;

		v[i].rank = strtoul(msg, &sp, 10);
		v[i].f = strtoul(sp + 1, &sp, 10);
		v[i].msg = sp + 1;
		v[i].n = i;
		msg += strlen(msg) + 1;
	}
	qsort(v, pp->nerrs, sizeof(*v), perr_cmp);
	for (size_t i = 0; i < pp->nerrs; i++)
		pp->ops->error(pp->ops->ctx, (int)v[i].f, v[i].msg);
	free(v);
}

/*
 * The scanning threads allocate the details of anonymous lines and the
 * thread aggregating frees them (any scanning thread, or the calling one:
 * consume_ready()): glibc's arena per thread would keep each one's
 * high-water mark (100 MB peak RSS at --threads 16 on anonymous reads with
 * long URIs, 61 MB with two arenas). Two arenas keep the 64 MB bound
 * whatever the thread count. Up to two scanning threads, four: the reading
 * thread and the two scanning threads shared one arena's lock, a futex
 * call every fourth batch of an Event Hub Capture file (and 2.5 MB more at
 * 16 threads, too close to the bound: t909).
 */
static void limit_arenas(int workers)
{
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, workers <= 2 ? 4 : 2);
#endif
}

int audit_stream_run(char *const *files, size_t nfiles, const struct audit_stream_ops *ops)
{
	struct pipe pp;
	int want, used, lanes;

	memset(&pp, 0, sizeof(pp));
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.cv, NULL);
	pthread_cond_init(&pp.end_cv, NULL);
	pthread_cond_init(&pp.work_cv, NULL);
	pp.ops = ops;
	pp.files = files;
	pp.nfiles = nfiles;
	pp.order = xcalloc(nfiles + 1, sizeof(size_t));
	pp.in = xcalloc(nfiles + 1, sizeof(*pp.in));
	pp.rank = xcalloc(nfiles + 1, sizeof(*pp.rank));
	strbuf_init(&pp.errs);
	plan_order(&pp);
	want = workers_wanted(&pp, ops->threads);
	pp.ntext = (size_t)want * 2 + 1 > MAX_BLOCKS ? MAX_BLOCKS : (size_t)want * 2 + 1;
	limit_arenas(want);
	pp.nblocks = pp.ntext;
	lanes = lanes_wanted(&pp, ops->threads);
	if (lanes > 1) {
		/*
		 * inflating (~400 MB/s a reader) is the bottleneck, a worker scans
		 * 1 GB/s: more workers would only hold more memory (their malloc arenas)
		 */
		if (want > lanes + 1)
			want = lanes + 1;
		lanes_init(&pp, lanes);
	}
	pp.blocks = xcalloc(pp.nblocks, sizeof(*pp.blocks));

	used = run_threads(&pp, want);
	if (ops->progress)
		ops->progress(ops->progress_ctx, pp.raw_total, pp.raw_total, true);
	report_errors(&pp);
	for (size_t i = 0; i < pp.nspare; i++)
		free(pp.spare[i].buf);
	for (size_t i = 0; i < pp.nblocks; i++) {
		free(pp.blocks[i].buf);
		if (pp.blocks[i].data && ops->release)
			ops->release(ops->ctx, pp.blocks[i].data);
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (pp.in[i].open)
			instream_close(&pp.in[i].s);
		strbuf_release(&pp.in[i].pre);
	}
	free(pp.in);
	free(pp.blocks);
	free(pp.order);
	free(pp.rank);
	free(pp.nsub);
	free(pp.fdone);
	free(pp.wt);
	free(pp.spare);
	strbuf_release(&pp.errs);
	pthread_mutex_destroy(&pp.mu);
	pthread_cond_destroy(&pp.cv);
	pthread_cond_destroy(&pp.end_cv);
	pthread_cond_destroy(&pp.work_cv);
	return used;
}
