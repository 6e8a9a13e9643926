/*
 * The rows of a CSV export that the reader handed on as they are
 * (AUDIT_LINE_CSV_ROW, src/sources/audit_csv.c), decoded on the scanning
 * thread by the decoder the reader uses (src/parsers/csvrows.c), after the
 * export's header that starts each of its blocks (AUDIT_LINE_CSV_HEAD).
 * What a row becomes is read as the reader's line of it would be: an
 * AKSAudit row's Event as AUDIT_LINE_AKS, an object as a document's
 * object, an unread row as AUDIT_LINE_UNREAD.
 */
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "parsers/aks.h"
#include "parsers/csvrows.h"
#include "sources/audit_stream.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

struct audit_csv_scan {
	struct csvrows *rows;
	struct strbuf head; /* the header line rows was made from */
};

static void row_read(void *ctx, int kind, const char *text, size_t n, uint64_t line)
{
	struct block *b = ctx;

	if (kind == CSVROWS_OBJECT)
		audit_scan_line(b, text, text + n, line);
	else if (kind == CSVROWS_AKS)
		audit_fmt_aks_event(b, text, n, line);
	else if (kind == CSVROWS_AKS_WALKED)
		audit_fmt_aks_walked(b, text, n, csvrows_walk(b->csv->rows), line);
	else
		audit_malformed(b, line,
				audit_unread_reason(kind == CSVROWS_LARGE ? AU_CSV_LARGE
						    : kind == CSVROWS_CUT ? AU_CSV_CUT
									  : AU_CSV_ROW));
}

/* A new header: a decoder that has read it (the same one as the last block's: kept). */
static void header(struct audit_csv_scan *s, struct block *b, const char *p, size_t n)
{
	if (s->rows && s->head.len == n && !memcmp(s->head.buf, p, n))
		return;
	csvrows_destroy(s->rows);
	s->rows = csvrows_create(row_read, b);
	csvrows_want_walk(s->rows);
	strbuf_reset(&s->head);
	strbuf_add(&s->head, p, n);
	csvrows_feed(s->rows, p, n, false);
	csvrows_feed(s->rows, "\n", 1, false);
}

void audit_csv_scan_line(struct block *b, const char *p, size_t n, uint64_t line)
{
	struct audit_csv_scan *s = b->csv;
	char marker = *p;

	/* the reader's line: the marker at both ends */
	if (n < 2 || p[n - 1] != marker) {
		audit_malformed(b, line, audit_unread_reason(AU_CSV_ROW));
		return;
	}
	if (!s) {
		s = b->csv = xcalloc(1, sizeof(*s));
		strbuf_init(&s->head);
	}
	if (marker == AUDIT_LINE_CSV_HEAD) {
		header(s, b, p + 1, n - 2);
		return;
	}
	if (!s->rows) {
		audit_malformed(b, line, audit_unread_reason(AU_CSV_ROW));
		return;
	}
	csvrows_set_ctx(s->rows, b);
	csvrows_set_line(s->rows, line);
	if (csvrows_one_line(s->rows, p + 1, n - 2))
		return;
	csvrows_feed(s->rows, p + 1, n - 2, false);
	csvrows_feed(s->rows, "\n", 1, false);
	if (!csvrows_at_row_start(s->rows)) {
		/* the reader ends a row where the decoder does (never here): a fresh decoder */
		struct strbuf h = s->head;

		audit_malformed(b, line, audit_unread_reason(AU_CSV_ROW));
		strbuf_init(&s->head);
		header(s, b, h.buf ? h.buf : "", h.len);
		strbuf_release(&h);
	}
}

void audit_csv_scan_free(struct audit_csv_scan *s)
{
	if (!s)
		return;
	csvrows_destroy(s->rows);
	strbuf_release(&s->head);
	free(s);
}
