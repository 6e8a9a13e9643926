#ifndef KANON_AUDIT_STREAM_H
#define KANON_AUDIT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

/*
 * The input side of `kanon audit`: read audit logs (files, FIFOs, "-" for
 * stdin; gzip or not; JSON lines or JSON documents) in time order, cut them
 * into blocks of whole events and hand each block to the caller twice:
 * scan() on any thread, then consume() strictly in input order, one call
 * at a time (on any thread, never two at once). The caller
 * (src/checks/audit*.c) owns what is done with the text; nothing here knows
 * about verdicts.
 *
 * A block holds complete lines. In document mode (a JSON array, an
 * EventList, pretty-printed or concatenated objects) each line is
 * "<first line number> <one event object>". Two markers start a line the
 * reader made itself (only in document blocks and in a block of one
 * reduced line: in a plain block of the log's own lines they are just bytes,
 * which a hostile log could otherwise use to forge a reason or a reduced line):
 *   AUDIT_LINE_REDUCED  then a compact object: the audit keys of a line
 *                       longer than a block, streamed (jsonl_reduce)
 *   AUDIT_LINE_UNREAD   then one enum audit_unread letter: nothing of it
 *                       could be read (see audit_unread_reason())
 */

#define AUDIT_LINE_UNREAD  '\x01'
#define AUDIT_LINE_REDUCED '\x02'
/*
 *   AUDIT_LINE_AKS      then the audit Event a CSV export's AKSAudit row
 *                       holds, made by the CSV reader (aks_event()): read
 *                       as that row would be (format azure)
 */
#define AUDIT_LINE_AKS '\x03'
/*
 *   AUDIT_LINE_CSV_HEAD then a CSV export's header as a line of CSV, and
 *                       the marker again: first in each block of the export
 *   AUDIT_LINE_CSV_ROW  then one row of that export as it is in the file
 *                       (one line), and the marker again: decoded by the
 *                       scanning thread as the reader would (csvrows.h)
 */
#define AUDIT_LINE_CSV_HEAD '\x1f'
#define AUDIT_LINE_CSV_ROW  '\x1e'

enum audit_unread {
	AU_DOC_ELEMENT = 'd',	  /* document: not an object, or text outside any value */
	AU_DOC_LARGE = 'D',	  /* document: an object larger than a block */
	AU_LONG_NOT_OBJECT = 'L', /* a line longer than a block that is not one object */
	AU_LONG_FIELD = 'F',	  /* a line longer than a block with a deciding field too large */
	AU_CSV_ROW = 'c',	  /* CSV: a row whose fields do not match the header */
	AU_CSV_LARGE = 'C',	  /* CSV: a row larger than a block */
	AU_CSV_CUT = 't',	  /* CSV: a quoted field never closed (the file is cut) */
	AU_AVRO_NOBODY = 'a',	  /* Avro: a message without a body */
	AU_AVRO_LARGE = 'A',	  /* Avro: a message body larger than a block */
	AU_AVRO_NOTTEXT = 'b',	  /* Avro: a body that is not JSON text */
};

const char *audit_unread_reason(int code);

struct audit_block {
	char *buf;
	size_t len, cap;
	int file; /* index into the files given */
	uint64_t seq;
	bool doc; /* lines carry file line numbers */
	/* one line the reader made of a line longer than a block (a marker first) */
	bool reduced;
	bool last_of_file;
	uint64_t raw_done;   /* input bytes consumed when the block was filled */
	/*
	 * the input's bytes it stands for, gzip inflated (a reduced long line: all
	 * of it; a document's, CSV export's or Avro file's: all of them, on its
	 * last block, and 0 on the others: the lines made of them are longer)
	 */
	uint64_t text_bytes;
	uint64_t doc_lines;  /* document mode: lines of the file, on its last block */
	int state;
	void *data; /* the caller's, per slot, kept across reuse */
	/* the reader's: buf points into this map of the file (own: the slot's buffer) */
	struct filemap *map;
	char *own;
	size_t own_cap;
	/*
	 * A container's data whose lines a scanning thread makes before it
	 * scans them (Avro blocks inflated there: audit_doc.h), else NULL. Its
	 * reader's blocks are numbered by epoch: a batch that stops before its
	 * end (stop) makes the blocks of its epoch handed on after it void, the
	 * reader having gone back to redo them in the next epoch.
	 */
	struct audit_batch *batch;
	uint32_t epoch;
	bool stop;
};

struct audit_stream_ops {
	/* phase 1, any thread: b->data is the caller's (NULL the first time) */
	void (*scan)(void *ctx, struct audit_block *b);
	/* phase 2, in input order, one call at a time (any thread) */
	void (*consume)(void *ctx, struct audit_block *b);
	/* frees b->data at the end */
	void (*release)(void *ctx, void *data);
	/*
	 * The bytes b->data holds after scan(). Given, several compressed
	 * inputs are read at once (one reader each, up to the threads), their
	 * blocks scanned and kept as data, within a budget, until consumed in
	 * order; NULL: one reader.
	 */
	size_t (*weight)(void *ctx, const void *data);
	/* an input that could not be read, or not to its end (calling thread) */
	void (*error)(void *ctx, int file, const char *msg);
	/*
	 * Open input `file` (an index into the files given, which are then only
	 * names): a file descriptor, or -errno with *e set. NULL: files are
	 * paths of this machine, opened as they are ("-": stdin).
	 */
	int (*open)(void *ctx, size_t file, struct err *e);
	/* progress, calling thread; NULL for none */
	void (*progress)(void *ctx, uint64_t done, uint64_t total, bool final);
	void *ctx, *progress_ctx;
	int threads; /* scanning threads; 0: one per CPU */
};

/*
 * Reads the files through ops. Returns the number of scanning threads used
 * (0: all was done on the calling thread because no thread could be
 * started).
 */
int audit_stream_run(char *const *files, size_t nfiles, const struct audit_stream_ops *ops);

#endif
