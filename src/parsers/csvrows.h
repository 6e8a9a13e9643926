#ifndef KANON_CSVROWS_H
#define KANON_CSVROWS_H

/*
 * The rows of a CSV export of audit records (docs/audit.md, "Formats"):
 * Log Analytics AKSAudit and AzureDiagnostics tables, CloudWatch Logs
 * Insights results. RFC 4180: the first row (the header) names the
 * columns, a field in double quotes may hold commas, doubled quotes and
 * newlines; a CR outside quotes is dropped. Each row becomes either the
 * Event of an AKSAudit row (aks_event()) or one JSON object of its
 * non-empty fields named by the header, every value a string; a row is at
 * most 2 MB of that JSON (a longer one is unread, the next rows are read).
 *
 * The same decoder runs on the reader thread (src/sources/audit_csv.c: the
 * header, and the rows it does not hand on as they are) and on the scanning
 * threads (src/checks/audit_csv_scan.c: the rows of one line, decoded there
 * in parallel), so both make the same of a row.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum csvrows_kind {
	CSVROWS_OBJECT,	    /* a JSON object of the row's fields */
	CSVROWS_AKS,	    /* the audit Event of an AKSAudit row (aks_event()) */
	CSVROWS_BAD_ROW,    /* fields that do not match the header */
	CSVROWS_LARGE,	    /* a row larger than 2 MB of JSON */
	CSVROWS_CUT,	    /* a quoted field never closed (the end of the input) */
	CSVROWS_AKS_WALKED, /* CSVROWS_AKS, its strict walk known (csvrows_want_walk()) */
};

/* what a row became (text: n bytes, none for the unread kinds), found at `line` */
typedef void (*csvrows_fn)(void *ctx, int kind, const char *text, size_t n, uint64_t line);

struct csvrows;
struct aks_walk;

struct csvrows *csvrows_create(csvrows_fn fn, void *ctx);
void csvrows_destroy(struct csvrows *c);
/* a new emitter context (the scanning side sets its block per row) */
void csvrows_set_ctx(struct csvrows *c, void *ctx);
/*
 * The Events of AKSAudit rows that aks_event() proves the strict walk takes
 * are CSVROWS_AKS_WALKED from now on, the walk's result csvrows_walk()
 * while the emitter runs (the scanning side: it need not walk them).
 */
void csvrows_want_walk(struct csvrows *c);
const struct aks_walk *csvrows_walk(const struct csvrows *c);

/*
 * Decodes the n bytes at p (the input's next bytes). one_row: stops right
 * after the end of a row (its newline). Returns the bytes taken.
 */
size_t csvrows_feed(struct csvrows *c, const char *p, size_t n, bool one_row);
/*
 * A row of one line (n bytes, no newline: csvrows_line_end() found it) at
 * the start of a row,
 * read as csvrows_feed() of it and its newline would: true when it is (the
 * rows of an AKSAudit table whose fields are plain RFC 4180); false and
 * nothing done for the others, which csvrows_feed() then reads.
 */
bool csvrows_one_line(struct csvrows *c, const char *p, size_t n);
/* The end of the input: a row without its newline, or a quoted field cut. */
void csvrows_finish(struct csvrows *c);

/* between two rows (nothing of a row decoded yet) */
bool csvrows_at_row_start(const struct csvrows *c);
/* the line the next row starts at (1 at first); the input's lines so far */
uint64_t csvrows_line(const struct csvrows *c);
void csvrows_set_line(struct csvrows *c, uint64_t line);
/* lines counted after csvrows_finish() */
uint64_t csvrows_lines(const struct csvrows *c);
/* a row of one line handed on by the caller: the lines move on by one */
void csvrows_skip_line(struct csvrows *c);

/*
 * Is the header read, on its one line (then the header as a line of CSV
 * that this decoder reads back into the same columns goes to out, n bytes
 * at most, and true)?
 */
bool csvrows_header_line(const struct csvrows *c, char *out, size_t cap, size_t *n);

/*
 * Where the row that starts at p ends, when it is on one line: its
 * newline. NULL otherwise, *multi set when a quoted field holds a newline
 * (the row goes on on the next lines), clear when the bytes up to end do
 * not tell (a row longer than them). Exactly where the decoder ends it.
 */
const char *csvrows_line_end(const char *p, const char *end, bool *multi);

/* csvrows_line_end() and the decoding with SSE2 (0) or the best the CPU has (1): for the tests */
void csvrows_simd_force(int level);

#endif
