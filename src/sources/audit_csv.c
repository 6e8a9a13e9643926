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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parsers/aks.h"
#include "parsers/jsonl_fast.h"
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
	/*
	 * An AKSAudit table (aks_header()): each row's fields are read into row
	 * as they are (field i at fofs[i], flen[i] bytes) and the row made into
	 * its Event here (aks_event()), not escaped into a JSON object of
	 * strings that the scanning threads took apart again (8.8x the native
	 * time); a row aks_event() does not take is made into that object.
	 */
	bool aks;
	int aks_col[AKS_NCOLS][2];
	struct strbuf row, ev, tmp;
	size_t fstart, fofs[CSV_MAX_COLS], flen[CSV_MAX_COLS];
};

/* Field i (n bytes at p) into the row's JSON object, as long as the row fits in a block. */
static void obj_field(struct csv *c, size_t i, const char *p, size_t n)
{
	const struct strbuf *k = &c->names[i];

	/* at most 6 bytes of JSON per byte of text, and the key */
	if (c->obj.len + k->len + 6 * n + 8 > CSV_MAX_ROW) {
		c->over = true;
		return;
	}
	if (c->obj.len > 1) /* past the '{' */
		strbuf_addch(&c->obj, ',');
	aks_json_string(&c->obj, k->buf ? k->buf : "", k->len);
	strbuf_addch(&c->obj, ':');
	aks_json_string(&c->obj, p, n);
}

/* An AKSAudit row's field: where its bytes are in c->row (field_put() put them there) */
static void aks_keep(struct csv *c)
{
	c->fofs[c->nfield] = c->fstart;
	c->flen[c->nfield] = c->over ? 0 : c->row.len - c->fstart;
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
	} else if (c->aks) {
		aks_keep(c);
	} else if (f->len && !c->over) {
		obj_field(c, c->nfield, f->buf, f->len);
	}
	c->nfield++;
	c->fstart = c->row.len;
	strbuf_reset(f);
}

/* the column named name (n bytes), or -1 */
static int column(const struct csv *c, const char *name, size_t n)
{
	for (size_t i = 0; i < c->ncols && i < CSV_MAX_COLS; i++)
		if (c->names[i].len == n && (!n || !memcmp(c->names[i].buf, name, n)))
			return (int)i;
	return -1;
}

/*
 * Is the header an AKSAudit table's that audit_fmt_aks_row() would read
 * row by row, whatever the rows hold? AuditId and Stage, no key that makes
 * another reader take a row, each name once (that reader takes the first),
 * at most the columns it reads.
 */
static void aks_header(struct csv *c)
{
	char utc[64];

	c->aks = false;
	if (c->ncols > AKS_MAX_MEMBERS)
		return;
	for (size_t i = 0; i < c->ncols; i++)
		if (column(c, c->names[i].buf ? c->names[i].buf : "", c->names[i].len) != (int)i)
			return;
	for (size_t i = 0; i < AKS_NOT_ROW; i++)
		if (column(c, aks_not_row[i], strlen(aks_not_row[i])) >= 0)
			return;
	for (size_t i = 0; i < AKS_NCOLS; i++) {
		const char *name = aks_columns[i][0];
		int n = snprintf(utc, sizeof(utc), "%s [UTC]", name);

		c->aks_col[i][0] = column(c, name, strlen(name));
		c->aks_col[i][1] = column(c, utc, (size_t)n);
	}
	c->aks = c->aks_col[0][0] >= 0 && c->aks_col[1][0] >= 0;
}

/* The row's Event into c->ev; false when the row is to be made into a JSON object instead. */
static bool aks_row_event(struct csv *c)
{
	struct aks_text col[AKS_NCOLS][2];
	size_t room = 1;

	/* a row whose object field_end() could have found too long is made into it (and told so) */
	for (size_t i = 0; i < c->nfield; i++)
		if (c->flen[i])
			room += c->names[i].len + 6 * c->flen[i] + 8;
	if (room > CSV_MAX_ROW)
		return false;
	for (size_t i = 0; i < AKS_NCOLS; i++) {
		for (int u = 0; u < 2; u++) {
			int k = c->aks_col[i][u];

			col[i][u].p = k >= 0 ? c->row.buf + c->fofs[k] : NULL;
			col[i][u].n = k >= 0 ? c->flen[k] : 0;
		}
	}
	/* the row reader's "AuditId" and "Stage" members: present when not empty */
	if (!col[0][0].n || !col[1][0].n)
		return false;
	/* no newline in the row's fields (none counted), no NUL: once for the row, not per column
	 */
	return aks_event(&c->ev, col,
			 c->line == c->row_line && !memchr(c->row.buf, '\0', c->row.len), &c->tmp);
}

/* An AKSAudit row, as row_end() reads the others. */
static void aks_row_end(struct csv *c)
{
	if (c->nfield == 1 && !c->flen[0] && !c->over)
		return; /* a blank line */
	if (c->nfield != c->ncols || c->bad) {
		audit_doc_unread(c->d, AU_CSV_ROW, c->row_line);
		return;
	}
	if (!c->over && aks_row_event(c)) {
		audit_doc_marked(c->d, AUDIT_LINE_AKS, c->ev.buf, c->ev.len, c->row_line);
		return;
	}
	/* the JSON object field_end() would have made */
	for (size_t i = 0; i < c->nfield && !c->over; i++)
		if (c->flen[i])
			obj_field(c, i, c->row.buf + c->fofs[i], c->flen[i]);
	if (c->over) {
		audit_doc_unread(c->d, AU_CSV_LARGE, c->row_line);
	} else {
		strbuf_addch(&c->obj, '}');
		audit_doc_object(c->d, c->obj.buf, c->obj.len, c->row_line);
	}
}

static void row_start(struct csv *c)
{
	strbuf_reset(&c->obj);
	strbuf_addch(&c->obj, '{');
	strbuf_reset(&c->row);
	c->fstart = 0;
	c->nfield = 0;
	c->over = c->bad = false;
	c->row_line = c->line;
}

static void row_end(struct csv *c)
{
	bool blank = c->nfield == 1 && c->obj.len == 1 && !c->over;

	if (!c->header) {
		c->header = true;
		aks_header(c);
	} else if (c->aks) {
		aks_row_end(c);
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

/*
 * n bytes of the current field: into c->field, or for an AKSAudit table's
 * row straight into c->row (not copied there at its end). A field longer
 * than a row, or such a row, is not kept: the row is then too large.
 */
static void field_put(struct csv *c, const char *p, size_t n)
{
	if (c->aks && c->header) {
		if (c->row.len + n <= CSV_MAX_ROW)
			strbuf_add(&c->row, p, n);
		else
			c->over = true;
		return;
	}
	if (c->field.len + n <= CSV_MAX_ROW)
		strbuf_add(&c->field, p, n);
	else
		c->over = true;
}

static void field_add(struct csv *c, char ch)
{
	field_put(c, &ch, 1);
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

/* the first '"' or newline at or after p, or end */
static const char *quote_or_newline(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i kq = _mm_set1_epi8('"'), kn = _mm_set1_epi8('\n');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, kq), _mm_cmpeq_epi8(v, kn)));

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\n')
		p++;
	return p;
}

/* the end of an unquoted field's run: the first ',', newline, CR or '"' at or after p, or end */
static const char *plain_end(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i kc = _mm_set1_epi8(','), kn = _mm_set1_epi8('\n'), kr = _mm_set1_epi8('\r'),
		      kq = _mm_set1_epi8('"');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, kc), _mm_cmpeq_epi8(v, kn)),
				 _mm_or_si128(_mm_cmpeq_epi8(v, kr), _mm_cmpeq_epi8(v, kq))));

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"')
		p++;
	return p;
}

/*
 * The first '"' or newline in the 16 bytes at p (stored at o), or 16;
 * fewer than 16 bytes left: how many when there is none.
 */
static inline size_t qn16(const char *p, const char *end, char *o)
{
	size_t i = 0, n = end - p < 16 ? (size_t)(end - p) : 16;

#ifdef __SSE2__
	if (n == 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));

		_mm_storeu_si128((__m128i *)(void *)o, v);
		return m ? (size_t)__builtin_ctz(m) : 16;
	}
#endif
	while (i < n && p[i] != '"' && p[i] != '\n') {
		o[i] = p[i];
		i++;
	}
	return i;
}

#ifdef __SSE2__
/* bit i: byte i of the 64 at p is c */
static inline uint64_t eq64(const char *p, char c)
{
	const __m128i k = _mm_set1_epi8(c);
	uint64_t m = 0;

	for (int i = 0; i < 4; i++)
		m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			 _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), k))
		     << (16 * i);
	return m;
}

/* n bytes from p to o, 16 at a time (up to 16 more written and read) */
static inline void copy16s(char *o, const char *p, int n)
{
	_mm_storeu_si128((__m128i *)(void *)o, _mm_loadu_si128((const __m128i *)(const void *)p));
	for (int j = 16; j < n; j += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + j),
				 _mm_loadu_si128((const __m128i *)(const void *)(p + j)));
}

/*
 * 64 bytes of a quoted field at p (80 readable) into o + *k at once, the
 * doubled quotes undone (a run of quotes pairs up from its first, as
 * backslashes do in JSON: jsonl_escaping()), newlines counted into *lines.
 * Returns the bytes taken: up to the closing quote (then *closed), 63 when
 * a pair is cut by the 64th byte, else 64. o has room for 80 bytes more.
 */
static int quoted64(const char *p, char *o, size_t *k, uint64_t *lines, bool *closed)
{
	uint64_t q = eq64(p, '"'), first = jsonl_escaping(q), closing, m;
	int lim = 64, seg = 0;
	size_t kk;

	/* a first quote not followed by another closes the field (the 64th: not known yet) */
	closing = first & ~(q >> 1) & ~(1ull << 63);
	if (closing) {
		lim = __builtin_ctzll(closing);
		*closed = true;
	} else if (first >> 63) {
		lim = 63;
	}
	m = lim == 64 ? first : first & ((1ull << lim) - 1);
	kk = *k; /* a local: the stores through o could alias *k */
	while (m) {
		int i = __builtin_ctzll(m);

		m &= m - 1;
		copy16s(o + kk, p + seg, i + 1 - seg);
		kk += (size_t)(i + 1 - seg);
		seg = i + 2;
	}
	if (lim > seg) {
		copy16s(o + kk, p + seg, lim - seg);
		kk += (size_t)(lim - seg);
	}
	*k = kk;
	/* newlines are rare (popcount is a call without -mpopcnt) */
	if ((m = eq64(p, '\n')) != 0)
		*lines += (uint64_t)__builtin_popcountll(lim == 64 ? m : m & ((1ull << lim) - 1));
	return lim;
}
#endif

/*
 * A quoted field's bytes up to its closing quote, doubled quotes undone
 * and newlines counted (the JSON of an AKSAudit dynamic column doubles a
 * quote every few bytes: byte by byte, then a strbuf_add() per quote, that
 * was half of the reading). Returns at the closing quote (or a quote that
 * ends the input so far: csv_byte() decides), or at end.
 */
static const char *quoted_run(struct csv *c, const char *p, const char *end)
{
	struct strbuf *f = c->aks && c->header ? &c->row : &c->field;
	size_t k;
	char *o;

	/* what could pass the row's limit goes by field_put(), which stops there */
	if (c->over || f->len + (size_t)(end - p) > CSV_MAX_ROW) {
		for (;;) {
			const char *q = quote_or_newline(p, end);

			if (q >= end) {
				field_put(c, p, (size_t)(q - p));
				return end;
			}
			if (*q == '\n') {
				c->line++;
			} else if (q + 1 >= end || q[1] != '"') {
				field_put(c, p, (size_t)(q - p));
				return q;
			}
			/* the newline, or the first quote of two */
			field_put(c, p, (size_t)(q + 1 - p));
			p = q + 1 + (*q == '"');
		}
	}
	/* the field never grows more than the input: room for all of it and 80 bytes of stores */
	strbuf_grow(f, (size_t)(end - p) + 80);
	o = f->buf;
	k = f->len;
#ifdef __SSE2__
	while (end - p >= 80) {
		bool closed = false;

		p += quoted64(p, o, &k, &c->line, &closed);
		if (closed) {
			o[k] = '\0';
			f->len = k;
			return p;
		}
	}
#endif
	for (;;) {
		size_t i = qn16(p, end, o + k);

		p += i;
		k += i;
		if (p >= end)
			break;
		if (i == 16)
			continue;
		if (*p == '\n') {
			c->line++;
		} else if (p + 1 >= end || p[1] != '"') {
			break;
		}
		o[k++] = *p;
		p += 1 + (*p == '"');
	}
	o[k] = '\0';
	f->len = k;
	return p;
}

/* The runs of plain bytes are taken at once, what ends them byte by byte. */
static void csv_feed(struct csv *c, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		const char *e = p;

		if (c->state == F_QUOTED) {
			p = quoted_run(c, p, end);
			if (p < end)
				csv_byte(c, *p++);
			continue;
		}
		if (c->state == F_PLAIN)
			e = plain_end(p, end);
		if (e > p) {
			field_put(c, p, (size_t)(e - p)); /* no newline: plain_end() stops there */
			p = e;
			continue;
		}
		csv_byte(c, *p++);
	}
}

uint64_t audit_csv_read(struct audit_doc *d, struct instream *s, struct strbuf *pre)
{
	struct csv *c = xcalloc(1, sizeof(*c));
	struct err e = {0};
	char *in = xmalloc(1u << 20);
	const char *p = pre->buf ? pre->buf : "";
	size_t n = pre->len;
	uint64_t lines;

	c->d = d;
	c->line = 1;
	strbuf_init(&c->field);
	strbuf_init(&c->obj);
	strbuf_init(&c->row);
	strbuf_init(&c->ev);
	strbuf_init(&c->tmp);
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
	strbuf_release(&c->row);
	strbuf_release(&c->ev);
	strbuf_release(&c->tmp);
	free(c);
	free(in);
	return lines;
}
