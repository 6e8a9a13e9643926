/*
 * CSV exports of audit records (docs/audit.md, "Formats"): Log Analytics
 * AKSAudit and AzureDiagnostics tables, CloudWatch Logs Insights results.
 * The rows are decoded by src/parsers/csvrows.c; this reader finds where
 * they end and hands the rows of one line on as they are, to be decoded
 * by the scanning threads (src/checks/audit_csv_scan.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/csvrows.h"
#include "sources/audit_doc.h"
#include "sources/audit_stream.h"
#include "core/util.h"
#include "core/banned.h"

#define CSV_MAX_COLS 1024
#define CSV_MAX_NAME 256
#define CSV_HEAD_MAX (64u << 10)

/* A column name: what Log Analytics and Logs Insights write ("TimeGenerated [UTC]", "@message") */
static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '@' || c == '.' || c == '-' || c == ' ' || c == '[' || c == ']' ||
	       c == '$';
}

static bool audit_column(const char *p, size_t n)
{
	static const char *const cols[] = {"AuditId", "log_s", "@message"};

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		if (n == strlen(cols[i]) && !memcmp(p, cols[i], n))
			return true;
	return false;
}

bool audit_csv_header(const char *p, size_t n, bool at_eof, bool *more)
{
	const char *nl = memchr(p, '\n', n), *end;
	size_t ncols = 0;
	bool audit = false;

	*more = false;
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		n -= 3;
		nl = memchr(p, '\n', n);
	}
	if (!nl && !at_eof && n < CSV_HEAD_MAX) {
		*more = true;
		return false;
	}
	end = nl ? nl : p + n;
	if (end > p && end[-1] == '\r')
		end--;
	while (p < end) {
		const char *q;
		bool quoted = *p == '"';

		if (quoted)
			p++;
		for (q = p; q < end && name_char((unsigned char)*q); q++)
			;
		if (q == p || q - p > CSV_MAX_NAME)
			return false;
		audit = audit || audit_column(p, (size_t)(q - p));
		if (quoted && (q >= end || *q++ != '"'))
			return false;
		ncols++;
		if (q < end && *q != ',')
			return false;
		p = q < end ? q + 1 : q;
	}
	return audit && ncols >= 2 && ncols <= CSV_MAX_COLS;
}

/*
 * A row of one line at most this long goes to the scanning threads as it is
 * (AUDIT_LINE_CSV_ROW): they decode it, not this one thread that the two of
 * them waited for (issue 10). A longer row, one whose quoted field holds a
 * newline, and the header are decoded here (the same decoder, streamed).
 */
#define CSV_RAW_MAX (128u << 10)
#define CSV_IN	    (128u << 10)
#define CSV_HEAD    (64u << 10)

struct reader {
	struct audit_doc *d;
	struct csvrows *rows;
	bool raw;  /* the header is read: rows of one line are handed on */
	bool slow; /* a row is being decoded here */
	bool head; /* the header's row is read */
};

static int unread_code(int kind)
{
	return kind == CSVROWS_LARGE ? AU_CSV_LARGE : kind == CSVROWS_CUT ? AU_CSV_CUT : AU_CSV_ROW;
}

static void emit(void *ctx, int kind, const char *text, size_t n, uint64_t line)
{
	struct audit_doc *d = ctx;

	if (kind == CSVROWS_OBJECT)
		audit_doc_object(d, text, n, line);
	else if (kind == CSVROWS_AKS || kind == CSVROWS_AKS_WALKED)
		audit_doc_marked(d, AUDIT_LINE_AKS, text, n, line);
	else
		audit_doc_unread(d, unread_code(kind), line);
}

/* After the header: its columns go in front of every block, for the rows handed on. */
static void header_read(struct reader *r)
{
	char *h = xmalloc(CSV_HEAD);
	size_t n;

	if (csvrows_header_line(r->rows, h, CSV_HEAD, &n)) {
		audit_doc_preamble(r->d, AUDIT_LINE_CSV_HEAD, h, n);
		r->raw = true;
	}
	free(h);
}

/* The rows from p on (end: the bytes read so far); returns where a row not complete starts. */
static const char *csv_rows(struct reader *r, const char *p, const char *end)
{
	while (p < end) {
		const char *nl;
		bool multi;

		if (r->slow || !r->raw) {
			p += csvrows_feed(r->rows, p, (size_t)(end - p), true);
			if (!csvrows_at_row_start(r->rows))
				continue;
			r->slow = false;
			if (!r->head) {
				r->head = true;
				header_read(r);
			}
			continue;
		}
		nl = csvrows_line_end(p, end, &multi);
		if (nl && (size_t)(nl - p) <= CSV_RAW_MAX) {
			audit_doc_csv_row(r->d, p, (size_t)(nl - p), csvrows_line(r->rows));
			csvrows_skip_line(r->rows);
			p = nl + 1;
		} else if (nl || multi || (size_t)(end - p) > CSV_RAW_MAX) {
			r->slow = true;
		} else {
			break;
		}
	}
	return p;
}

uint64_t audit_csv_read(struct audit_doc *d, struct instream *s, struct strbuf *pre)
{
	struct reader r = {d, csvrows_create(emit, d), false, false, false};
	struct err e = {0};
	char *in = xmalloc(CSV_IN + CSV_RAW_MAX);
	const char *p = pre->buf ? pre->buf : "", *q;
	size_t n = pre->len, have;
	uint64_t lines;

	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		n -= 3;
	}
	q = csv_rows(&r, p, p + n);
	/* what is left is a row's start, at most CSV_RAW_MAX bytes */
	have = (size_t)(p + n - q);
	memmove(in, q, have);
	for (;;) {
		ssize_t got = instream_read(s, in + have, CSV_IN, &e);

		if (got < 0)
			audit_doc_error(d, e.msg);
		if (got <= 0)
			break;
		have += (size_t)got;
		q = csv_rows(&r, in, in + have);
		have = (size_t)(in + have - q);
		memmove(in, q, have);
	}
	/* the last row without its newline: the decoder ends it */
	csvrows_feed(r.rows, in, have, false);
	csvrows_finish(r.rows);
	lines = csvrows_lines(r.rows);
	csvrows_destroy(r.rows);
	free(in);
	return lines;
}
