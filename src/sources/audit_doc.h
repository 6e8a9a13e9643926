#ifndef KANON_AUDIT_DOC_H
#define KANON_AUDIT_DOC_H

/*
 * Inside the audit reader (src/sources/audit_*.c only): the container
 * formats that are not text lines (a CSV export whose fields span lines,
 * an Avro file of Event Hub messages) are turned into document-mode lines,
 * "<line> <one JSON object>", which the scanning threads read as any other
 * document's objects. An object never holds a raw newline.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "sources/gzstream.h"

struct audit_doc;

/* One object (n bytes, no newline) found at line (or record) `line`. */
void audit_doc_object(struct audit_doc *d, const char *obj, size_t n, uint64_t line);
/*
 * Room for an object of n bytes at `line` in the block being filled (its
 * "<line> " before, its newline after), for a reader that writes the object
 * there itself rather than copying it from elsewhere; the caller writes
 * all n bytes (no newline, no marker byte first) before the next call, or
 * takes the room back with audit_doc_unroom().
 */
char *audit_doc_room(struct audit_doc *d, size_t n, uint64_t line);
void audit_doc_unroom(struct audit_doc *d);
/* A line the reader made (n bytes, no newline) behind a marker (audit_stream.h). */
void audit_doc_marked(struct audit_doc *d, char marker, const char *text, size_t n, uint64_t line);
/*
 * A CSV row of one line (n bytes, no newline) handed on as it is, behind
 * AUDIT_LINE_CSV_ROW, for the scanning threads to decode.
 */
void audit_doc_csv_row(struct audit_doc *d, const char *row, size_t n, uint64_t line);
/*
 * A line (marker, the n bytes at text, the marker again) put first in
 * every block from this one on: the scanning threads read a block alone.
 */
void audit_doc_preamble(struct audit_doc *d, char marker, const char *text, size_t n);
/* Something at `line` that cannot be read: enum audit_unread `code`. */
void audit_doc_unread(struct audit_doc *d, int code, uint64_t line);
/* The input cannot be read further: msg says why (the input is incomplete). */
void audit_doc_error(struct audit_doc *d, const char *msg);

/*
 * Is the first line of p (n bytes) the header of a CSV export that names
 * an audit column (AuditId, log_s, @message)? *more: the line is not
 * complete yet (and at most 64 KB was seen).
 */
bool audit_csv_header(const char *p, size_t n, bool at_eof, bool *more);
/* Reads a CSV export (pre: the bytes read so far); returns the lines read. */
uint64_t audit_csv_read(struct audit_doc *d, struct instream *s, struct strbuf *pre);

/*
 * A batch of a container's data handed on to the scanning threads, which
 * make its lines (into a block of its own) before scanning them: the
 * inflating of Avro blocks, one reader's work before, is then shared by
 * the threads. The reader owns the batch; done, stopped and text are set
 * under the pipe's lock once the lines are made.
 */
struct audit_batch {
	bool done;
	bool stopped; /* not made to its end: the reader redoes the rest itself */
	size_t text;  /* bytes of lines made */
};

/* Hands bt on in a block of its own (the block being filled is handed on first if not empty). */
void audit_doc_batch(struct audit_doc *d, struct audit_batch *bt);
/* Waits until bt is done (wait), or says whether it is. */
bool audit_doc_done(struct audit_doc *d, struct audit_batch *bt, bool wait);
/* The blocks handed on from now are of a new epoch: those before it from a stopped batch on are
 * void. */
void audit_doc_epoch(struct audit_doc *d);
/* The scanning threads (0: the reader scans what it hands on itself). */
int audit_doc_workers(const struct audit_doc *d);
/* The bytes of lines in the block being filled; audit_doc_cut(): back to len bytes. */
size_t audit_doc_len(const struct audit_doc *d);
void audit_doc_cut(struct audit_doc *d, size_t len);
/*
 * A scanning thread's block (audit_avro_expand()): room for n bytes past
 * its lines, where the caller makes lines itself (the pointer holds until
 * the next call), then audit_doc_add() counts the n bytes it made.
 */
char *audit_doc_tail(struct audit_doc *d, size_t n);
void audit_doc_add(struct audit_doc *d, size_t n);
/* "<line> " into num; its length */
int audit_doc_prefix(char num[24], uint64_t line);

/* Does p start an Avro object container file ("Obj" 1)? */
bool audit_avro_magic(const char *p, size_t n);
/* Reads an Avro file of Event Hub Capture messages; returns the messages read. */
uint64_t audit_avro_read(struct audit_doc *d, struct instream *s, struct strbuf *pre);
/*
 * A scanning thread: the lines of bt into d (a block that is never handed
 * on from here: it grows); true when it stopped before bt's end.
 */
bool audit_avro_expand(struct audit_doc *d, struct audit_batch *bt);
/* The calling thread's inflater (audit_avro_expand()) freed. */
void audit_avro_thread_end(void);

#endif
