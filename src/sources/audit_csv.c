/*
 * CSV exports of audit records (docs/audit.md, "Formats"): Log Analytics
 * AKSAudit and AzureDiagnostics tables, CloudWatch Logs Insights results.
 * RFC 4180: a header line names the columns, a field in double quotes may
 * hold commas, doubled quotes and newlines. Each row becomes one JSON
 * object of its non-empty fields, named by the header, every value a
 * string (the JSON of a dynamic column stays text and is parsed again by
 * the format readers, src/checks/audit_formats.c). A row is at most 2 MB
 * of JSON (a longer one is unread, the next rows are still read).
 */
#include <stdlib.h>
#include <string.h>

#include "sources/audit_doc.h"
#include "sources/audit_stream.h"
#include "core/util.h"
#include "core/banned.h"

#define CSV_MAX_ROW  ((2u << 20) - 64)
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

enum { F_START, F_PLAIN, F_QUOTED, F_QUOTE };

struct csv {
	struct audit_doc *d;
	struct strbuf names[CSV_MAX_COLS];
	size_t ncols, nfield;
	bool header; /* the header line is read */
	int state;
	struct strbuf field, obj;
	bool over, bad, cr;
	uint64_t line, row_line;
};

static void json_string(struct strbuf *o, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	strbuf_grow(o, n + 2);
	strbuf_addch(o, '"');
	while (i < n) {
		size_t j = i;
		unsigned char c;

		/* a run of bytes that need no escape, added at once */
		while (j < n && (unsigned char)p[j] >= 0x20 && p[j] != '"' && p[j] != '\\')
			j++;
		strbuf_add(o, p + i, j - i);
		if (j == n)
			break;
		c = (unsigned char)p[j];
		i = j + 1;
		if (c == '"' || c == '\\') {
			strbuf_addch(o, '\\');
			strbuf_addch(o, (char)c);
		} else if (c == '\n') {
			strbuf_add(o, "\\n", 2);
		} else if (c == '\r') {
			strbuf_add(o, "\\r", 2);
		} else if (c == '\t') {
			strbuf_add(o, "\\t", 2);
		} else {
			strbuf_add(o, "\\u00", 4);
			strbuf_addch(o, hex[c >> 4]);
			strbuf_addch(o, hex[c & 15]);
		}
	}
	strbuf_addch(o, '"');
}

static void field_end(struct csv *c)
{
	struct strbuf *f = &c->field;

	if (!c->header) {
		if (c->ncols < CSV_MAX_COLS)
			strbuf_add(&c->names[c->ncols], f->buf ? f->buf : "", f->len);
		c->ncols++;
	} else if (c->nfield >= c->ncols || c->nfield >= CSV_MAX_COLS) {
		c->bad = true;
	} else if (f->len && !c->over) {
		const struct strbuf *k = &c->names[c->nfield];

		/* at most 6 bytes of JSON per byte of text, and the key */
		if (c->obj.len + k->len + 6 * f->len + 8 > CSV_MAX_ROW) {
			c->over = true;
		} else {
			if (c->obj.len > 1) /* past the '{' */
				strbuf_addch(&c->obj, ',');
			json_string(&c->obj, k->buf ? k->buf : "", k->len);
			strbuf_addch(&c->obj, ':');
			json_string(&c->obj, f->buf, f->len);
		}
	}
	c->nfield++;
	strbuf_reset(f);
}

static void row_start(struct csv *c)
{
	strbuf_reset(&c->obj);
	strbuf_addch(&c->obj, '{');
	c->nfield = 0;
	c->over = c->bad = false;
	c->row_line = c->line;
}

static void row_end(struct csv *c)
{
	bool blank = c->nfield == 1 && c->obj.len == 1 && !c->over;

	if (!c->header) {
		c->header = true;
	} else if (!blank) {
		if (c->nfield != c->ncols || c->bad)
			audit_doc_unread(c->d, AU_CSV_ROW, c->row_line);
		else if (c->over)
			audit_doc_unread(c->d, AU_CSV_LARGE, c->row_line);
		else {
			strbuf_addch(&c->obj, '}');
			audit_doc_object(c->d, c->obj.buf, c->obj.len, c->row_line);
		}
	}
	c->line++;
	row_start(c);
}

static void field_add(struct csv *c, char ch)
{
	/* a field that cannot fit in a row is not kept, only its end looked for */
	if (c->field.len < CSV_MAX_ROW)
		strbuf_addch(&c->field, ch);
	else
		c->over = true;
}

/* One byte of the file (RFC 4180 section 2; a CR outside quotes is dropped). */
static void csv_byte(struct csv *c, char ch)
{
	switch (c->state) {
	case F_QUOTED:
		if (ch == '"')
			c->state = F_QUOTE;
		else {
			if (ch == '\n')
				c->line++;
			field_add(c, ch);
		}
		return;
	case F_QUOTE:
		if (ch == '"') {
			field_add(c, '"');
			c->state = F_QUOTED;
			return;
		}
		c->state = F_PLAIN;
		if (ch != ',' && ch != '\n' && ch != '\r')
			c->bad = true; /* text after a closing quote */
		break;
	case F_START:
		if (ch == '"') {
			c->state = F_QUOTED;
			return;
		}
		c->state = F_PLAIN;
		break;
	default:
		break;
	}
	/* F_PLAIN */
	if (ch == ',') {
		field_end(c);
		c->state = F_START;
	} else if (ch == '\n') {
		field_end(c);
		row_end(c);
		c->state = F_START;
	} else if (ch != '\r') {
		field_add(c, ch);
	}
}

/* Bytes of a field, at once (the newlines of a quoted field counted). */
static void field_run(struct csv *c, const char *p, size_t n)
{
	for (const char *q = p, *e = p + n; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
		c->line++;
	if (c->field.len + n <= CSV_MAX_ROW)
		strbuf_add(&c->field, p, n);
	else
		c->over = true;
}

/* The runs of plain bytes are taken at once, what ends them byte by byte. */
static void csv_feed(struct csv *c, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		const char *e = p;

		if (c->state == F_QUOTED) {
			e = memchr(p, '"', (size_t)(end - p));
			if (!e)
				e = end;
		} else if (c->state == F_PLAIN) {
			while (e < end && *e != ',' && *e != '\n' && *e != '\r' && *e != '"')
				e++;
		}
		if (e > p) {
			field_run(c, p, (size_t)(e - p));
			p = e;
			continue;
		}
		csv_byte(c, *p++);
	}
}

uint64_t audit_csv_read(struct audit_doc *d, struct instream *s, struct strbuf *pre)
{
	struct csv *c = xcalloc(1, sizeof(*c));
	struct err e = { 0 };
	char *in = xmalloc(1u << 20);
	const char *p = pre->buf ? pre->buf : "";
	size_t n = pre->len;
	uint64_t lines;

	c->d = d;
	c->line = 1;
	strbuf_init(&c->field);
	strbuf_init(&c->obj);
	row_start(c);
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		n -= 3;
	}
	csv_feed(c, p, n);
	for (;;) {
		ssize_t r = instream_read(s, in, 1u << 20, &e);

		if (r < 0)
			audit_doc_error(d, e.msg);
		if (r <= 0)
			break;
		csv_feed(c, in, (size_t)r);
	}
	if (c->state == F_QUOTED) {
		audit_doc_unread(d, AU_CSV_CUT, c->row_line);
	} else if (c->state != F_START || c->nfield) {
		/* the last row without its newline */
		field_end(c);
		row_end(c);
		c->line--;
	}
	lines = c->line - 1;
	for (size_t i = 0; i < CSV_MAX_COLS; i++)
		strbuf_release(&c->names[i]);
	strbuf_release(&c->field);
	strbuf_release(&c->obj);
	free(c);
	free(in);
	return lines;
}
