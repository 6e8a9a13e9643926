/* The rows of a CSV export of audit records (csvrows.h). */
#include "parsers/csvrows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parsers/aks.h"
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

#define CSV_MAX_ROW  ((2u << 20) - 64)
#define CSV_MAX_COLS 1024

enum { F_START, F_PLAIN, F_QUOTED, F_QUOTE };

struct csvrows {
	csvrows_fn fn;
	void *ctx;
	bool row_done; /* a row ended (csvrows_feed with one_row) */
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
	bool want_walk; /* CSVROWS_AKS_WALKED wanted (csvrows_want_walk()) */
	struct aks_walk walk;
	size_t fstart, fofs[CSV_MAX_COLS], flen[CSV_MAX_COLS];
	bool fsafe[CSV_MAX_COLS]; /* no byte a JSON string escapes (aks_fields() knows) */
};

/* Field i (n bytes at p) into the row's JSON object, as long as the row fits in a block. */
static void obj_field(struct csvrows *c, size_t i, const char *p, size_t n)
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
static void aks_keep(struct csvrows *c)
{
	c->fofs[c->nfield] = c->fstart;
	c->flen[c->nfield] = c->over ? 0 : c->row.len - c->fstart;
	c->fsafe[c->nfield] = false;
}

static void field_end(struct csvrows *c)
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
static int column(const struct csvrows *c, const char *name, size_t n)
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
static void aks_header(struct csvrows *c)
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
static bool aks_row_event(struct csvrows *c)
{
	struct aks_text col[AKS_NCOLS][2];
	/* a row of empty fields read byte by byte never grew the buffer (found by fuzz_csv) */
	const char *row = c->row.buf ? c->row.buf : "";
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

			col[i][u].p = k >= 0 ? row + c->fofs[k] : NULL;
			col[i][u].n = k >= 0 ? c->flen[k] : 0;
			col[i][u].safe = k >= 0 && c->fsafe[k];
		}
	}
	/* the row reader's "AuditId" and "Stage" members: present when not empty */
	if (!col[0][0].n || !col[1][0].n)
		return false;
	/* no newline in the row's fields (none counted), no NUL: once for the row, not per column
	 */
	return aks_event(&c->ev, col,
			 c->line == c->row_line && !memchr(c->row.buf, '\0', c->row.len), &c->tmp,
			 c->want_walk ? &c->walk : NULL);
}

/* An AKSAudit row, as row_end() reads the others. */
static void aks_row_end(struct csvrows *c)
{
	if (c->nfield == 1 && !c->flen[0] && !c->over)
		return; /* a blank line */
	if (c->nfield != c->ncols || c->bad) {
		c->fn(c->ctx, CSVROWS_BAD_ROW, NULL, 0, c->row_line);
		return;
	}
	if (!c->over && aks_row_event(c)) {
		c->fn(c->ctx, c->want_walk && c->walk.proven ? CSVROWS_AKS_WALKED : CSVROWS_AKS,
		      c->ev.buf, c->ev.len, c->row_line);
		return;
	}
	/* the JSON object field_end() would have made */
	for (size_t i = 0; i < c->nfield && !c->over; i++)
		if (c->flen[i])
			obj_field(c, i, c->row.buf + c->fofs[i], c->flen[i]);
	if (c->over) {
		c->fn(c->ctx, CSVROWS_LARGE, NULL, 0, c->row_line);
	} else {
		strbuf_addch(&c->obj, '}');
		c->fn(c->ctx, CSVROWS_OBJECT, c->obj.buf, c->obj.len, c->row_line);
	}
}

static void row_start(struct csvrows *c)
{
	strbuf_reset(&c->obj);
	strbuf_addch(&c->obj, '{');
	strbuf_reset(&c->row);
	c->fstart = 0;
	c->nfield = 0;
	c->over = c->bad = false;
	c->row_line = c->line;
}

static void row_end(struct csvrows *c)
{
	bool blank = c->nfield == 1 && c->obj.len == 1 && !c->over;

	if (!c->header) {
		c->header = true;
		aks_header(c);
	} else if (c->aks) {
		aks_row_end(c);
	} else if (!blank) {
		if (c->nfield != c->ncols || c->bad)
			c->fn(c->ctx, CSVROWS_BAD_ROW, NULL, 0, c->row_line);
		else if (c->over)
			c->fn(c->ctx, CSVROWS_LARGE, NULL, 0, c->row_line);
		else {
			strbuf_addch(&c->obj, '}');
			c->fn(c->ctx, CSVROWS_OBJECT, c->obj.buf, c->obj.len, c->row_line);
		}
	}
	c->line++;
	c->row_done = true;
	row_start(c);
}

/*
 * n bytes of the current field: into c->field, or for an AKSAudit table's
 * row straight into c->row (not copied there at its end). A field longer
 * than a row, or such a row, is not kept: the row is then too large.
 */
static void field_put(struct csvrows *c, const char *p, size_t n)
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

static void field_add(struct csvrows *c, char ch)
{
	field_put(c, &ch, 1);
}

/* One byte of the file (RFC 4180 section 2; a CR outside quotes is dropped). */
static void csv_byte(struct csvrows *c, char ch)
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

static int simd_level(void);
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_CSV512 1
static const char *quoted_loop512(const char *p, const char *end, char *o, size_t *k,
				  uint64_t *lines, bool *closed);
static const char *plain_end512(const char *p, const char *end, bool *esc);
#endif

/*
 * A quoted field's bytes up to its closing quote, doubled quotes undone
 * and newlines counted (the JSON of an AKSAudit dynamic column doubles a
 * quote every few bytes: byte by byte, then a strbuf_add() per quote, that
 * was half of the reading). Returns at the closing quote (or a quote that
 * ends the input so far: csv_byte() decides), or at end.
 */
static const char *quoted_run(struct csvrows *c, const char *p, const char *end)
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
#ifdef HAVE_CSV512
	if (simd_level() == 1) {
		bool closed = false;

		p = quoted_loop512(p, end, o, &k, &c->line, &closed);
		if (closed) {
			o[k] = '\0';
			f->len = k;
			return p;
		}
	}
#endif
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
/*
 * The fields of a row of one line of an AKSAudit table into c->row, as
 * csvrows_feed() puts them there, without its byte by byte state: each
 * quoted field by quoted_run(), each unquoted one copied at once. False
 * (nothing decided, c->row to be reset) for what only the byte by byte
 * reading says the same of: a quote or a CR in an unquoted field, text
 * after a closing quote, a field more than the header has.
 */
static bool aks_fields(struct csvrows *c, const char *p, const char *e)
{
	const char *s = p;

	/* a CR at the end outside quotes (a CRLF export) is dropped, as csv_byte() does */
	if (e > p && e[-1] == '\r')
		e--;
	for (;;) {
		size_t start = c->row.len;
		bool esc = true;

		if (c->nfield >= c->ncols)
			return false;
		if (s < e && *s == '"') {
			s = quoted_run(c, s + 1, e);
			if (s >= e || c->over)
				return false;
			s++; /* the closing quote */
		} else {
			const char *f = s;

			/* not known without AVX-512: json_string_at() looks */
			esc = true;
#ifdef HAVE_CSV512
			if (simd_level() == 1) {
				esc = false;
				f = plain_end512(s, e, &esc);
			} else
#endif
				f = plain_end(s, e);
			if (f < e && *f != ',')
				return false;
			/* csvrows_one_line() made room for the whole line */
			memcpy(c->row.buf + c->row.len, s, (size_t)(f - s));
			c->row.len += (size_t)(f - s);
			s = f;
		}
		c->fsafe[c->nfield] = !esc;
		c->fofs[c->nfield] = start;
		c->flen[c->nfield] = c->row.len - start;
		c->nfield++;
		if (s >= e)
			return true;
		if (*s++ != ',')
			return false;
	}
}

bool csvrows_one_line(struct csvrows *c, const char *p, size_t n)
{
	if (!c->header || !c->aks || !csvrows_at_row_start(c) || n > CSV_MAX_ROW / 8)
		return false;
	strbuf_grow(&c->row, n + 80);
	if (!aks_fields(c, p, p + n)) {
		row_start(c);
		return false;
	}
	/* the row's end, as the newline after it makes it */
	row_end(c);
	return true;
}

size_t csvrows_feed(struct csvrows *c, const char *p, size_t n, bool one_row)
{
	const char *start = p, *end = p + n;

	c->row_done = false;
	while (p < end && !(one_row && c->row_done)) {
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
	return (size_t)(p - start);
}

struct csvrows *csvrows_create(csvrows_fn fn, void *ctx)
{
	struct csvrows *c = xcalloc(1, sizeof(*c));

	c->fn = fn;
	c->ctx = ctx;
	c->line = 1;
	strbuf_init(&c->field);
	strbuf_init(&c->obj);
	strbuf_init(&c->row);
	strbuf_init(&c->ev);
	strbuf_init(&c->tmp);
	row_start(c);
	return c;
}

void csvrows_destroy(struct csvrows *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CSV_MAX_COLS; i++)
		strbuf_release(&c->names[i]);
	strbuf_release(&c->field);
	strbuf_release(&c->obj);
	strbuf_release(&c->row);
	strbuf_release(&c->ev);
	strbuf_release(&c->tmp);
	free(c);
}

void csvrows_set_ctx(struct csvrows *c, void *ctx)
{
	c->ctx = ctx;
}

void csvrows_want_walk(struct csvrows *c)
{
	c->want_walk = true;
}

const struct aks_walk *csvrows_walk(const struct csvrows *c)
{
	return &c->walk;
}

void csvrows_finish(struct csvrows *c)
{
	if (c->state == F_QUOTED) {
		c->fn(c->ctx, CSVROWS_CUT, NULL, 0, c->row_line);
	} else if (c->state != F_START || c->nfield) {
		/* the last row without its newline */
		field_end(c);
		row_end(c);
		c->line--;
	}
}

bool csvrows_at_row_start(const struct csvrows *c)
{
	return c->state == F_START && !c->nfield && !c->row.len && !c->field.len && !c->over;
}

uint64_t csvrows_line(const struct csvrows *c)
{
	return c->line;
}

void csvrows_set_line(struct csvrows *c, uint64_t line)
{
	c->line = c->row_line = line;
}

uint64_t csvrows_lines(const struct csvrows *c)
{
	return c->line - 1;
}

void csvrows_skip_line(struct csvrows *c)
{
	c->line++;
	c->row_line = c->line;
}

bool csvrows_header_line(const struct csvrows *c, char *out, size_t cap, size_t *n)
{
	size_t k = 0;

	/* the header's row on the first line, every column named */
	if (!c->header || c->line != 2 || c->ncols > CSV_MAX_COLS)
		return false;
	for (size_t i = 0; i < c->ncols; i++) {
		const struct strbuf *nm = &c->names[i];

		if (k + 3 > cap)
			return false;
		if (i)
			out[k++] = ',';
		out[k++] = '"';
		for (size_t j = 0; j < nm->len; j++) {
			if (k + (nm->buf[j] == '"') + 2 > cap)
				return false;
			if (nm->buf[j] == '"')
				out[k++] = '"';
			out[k++] = nm->buf[j];
		}
		out[k++] = '"';
	}
	*n = k;
	return true;
}

/*
 * Outside quotes from s on (p: the row's start): the next newline, or a
 * quote that opens a field (at the row's start or after a comma: elsewhere
 * a quote is a byte of the field, csv_byte()), or end.
 */
static const char *open_or_newline(const char *s, const char *p, const char *end)
{
#ifdef __SSE2__
	while (end - s >= 64) {
		uint64_t start = (uint64_t)(s == p || s[-1] == ',') | (eq64(s, ',') << 1);
		uint64_t m = (eq64(s, '"') & start) | eq64(s, '\n');

		if (m)
			return s + __builtin_ctzll(m);
		s += 64;
	}
#endif
	for (; s < end; s++)
		if (*s == '\n' || (*s == '"' && (s == p || s[-1] == ',')))
			return s;
	return end;
}

/*
 * Inside a quoted field from s on (past its opening quote, or a pair of
 * quotes): its closing quote or a newline in it, or end (also when the
 * quote before end could be the first of a pair). A run of quotes pairs up
 * from its first, as in quoted64().
 */
static const char *close_or_newline(const char *s, const char *end)
{
#ifdef __SSE2__
	while (end - s >= 64) {
		uint64_t q = eq64(s, '"'), first = jsonl_escaping(q);
		uint64_t m = (first & ~(q >> 1)) | eq64(s, '\n');
		int step = 64;

		/* the 64th byte a quote that starts a pair: what follows is not known */
		if (first >> 63) {
			m &= ~(1ull << 63);
			step = 63;
		}
		if (m)
			return s + __builtin_ctzll(m);
		s += step;
	}
#endif
	while (s < end) {
		if (*s == '\n')
			return s;
		if (*s == '"') {
			if (s + 1 >= end)
				return end;
			if (s[1] != '"')
				return s;
			s++;
		}
		s++;
	}
	return end;
}

/* The same, following the quotes one by one (any row). */
static const char *line_end_exact(const char *p, const char *end, bool *multi)
{
	const char *s = p;

	*multi = false;
	for (;;) {
		s = open_or_newline(s, p, end);
		if (s >= end)
			return NULL;
		if (*s == '\n')
			return s;
		s = close_or_newline(s + 1, end);
		if (s >= end)
			return NULL;
		if (*s == '\n') {
			*multi = true;
			return NULL;
		}
		s++;
	}
}

#ifdef __SSE2__
/* bit i: byte i of the 64 at p is '"', '\n' */
static inline void masks64(const char *p, uint64_t *q, uint64_t *n)
{
	const __m128i kq = _mm_set1_epi8('"'), kn = _mm_set1_epi8('\n');

	*q = *n = 0;
	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));

		*q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, kq)) << (16 * i);
		*n |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, kn)) << (16 * i);
	}
}
#endif

/*
 * The parity of the quotes tells which bytes are inside a quoted field as
 * long as every quote that makes it odd opens a field (at the row's start
 * or after a comma) or follows a quote (then the two are a doubled quote,
 * and the field goes on as the parity says). *odd: a quote that does not
 * (a quote in an unquoted field, which is one of its bytes): not told.
 */
static const char *line_end_tail(const char *p, const char *s, const char *end, bool in,
				 bool *multi, bool *odd)
{
	/* after a comma, a quote or the row's start */
	bool after = s == p || s[-1] == ',' || s[-1] == '"';

	for (; s < end; s++) {
		if (*s == '"') {
			if (!in && !after) {
				*odd = true;
				return NULL;
			}
			in = !in;
		} else if (*s == '\n') {
			if (!in)
				return s;
			*multi = true;
			return NULL;
		}
		after = *s == ',' || *s == '"';
	}
	return NULL;
}

/*
 * One 64-byte step of the row's end (s: the 64 bytes of the row at p, q and
 * n: their quotes and newlines, x: the bytes inside quotes): where the row
 * ends, or NULL, with *multi or *odd set when it cannot be told this way
 * (neither: go on with the next 64 bytes).
 */
static inline __attribute__((always_inline)) const char *parity_step(const char *p, const char *s,
								     uint64_t q, uint64_t n,
								     uint64_t x, bool *multi,
								     bool *odd)
{
	uint64_t out = n & ~x;
	/* the bytes before the first newline outside quotes, or all */
	uint64_t stop = out ? (out & (0 - out)) - 1 : ~0ull;
	/* the quotes that make the parity odd, not after a quote: after a comma? */
	uint64_t opens = q & x & ~((q << 1) | (uint64_t)(s != p && s[-1] == '"')) & stop;

	while (opens) {
		int i = __builtin_ctzll(opens);

		opens &= opens - 1;
		if (i ? s[i - 1] != ',' : s != p && s[-1] != ',') {
			*odd = true;
			return NULL;
		}
	}
	if (n & x & stop) {
		*multi = true;
		return NULL;
	}
	return out ? s + __builtin_ctzll(out) : NULL;
}

static const char *line_end_parity(const char *p, const char *end, bool *multi, bool *odd)
{
	const char *s = p;
	bool in = false;

#ifdef __SSE2__
	while (end - s >= 64) {
		uint64_t q, n, x;
		const char *r;

		masks64(s, &q, &n);
		x = jsonl_prefix_xor(q) ^ (in ? ~0ull : 0);
		if ((r = parity_step(p, s, q, n, x, multi, odd)) != NULL || *multi || *odd)
			return r;
		in = x >> 63;
		s += 64;
	}
#endif
	return line_end_tail(p, s, end, in, multi, odd);
}

#ifdef HAVE_CSV512
#ifdef __clang__
#pragma clang attribute push(                                                                      \
    __attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,popcnt,bmi,bmi2"))),                \
    apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vbmi2,pclmul,popcnt,bmi,bmi2")
#endif
#include <immintrin.h>

/*
 * quoted64() 64 bytes at a time with AVX-512 VBMI2: the second quote of
 * each pair dropped by one compress of the 64 bytes (a copy per pair was
 * most of the decoding of an AKSAudit row, whose JSON doubles a quote
 * every few bytes). Stops at the closing quote (*closed) or with fewer
 * than 80 bytes left; o has room for 80 bytes more than the field.
 */
static const char *quoted_loop512(const char *p, const char *end, char *o, size_t *k,
				  uint64_t *lines, bool *closed)
{
	size_t kk = *k;

	while (p < end) {
		/* the last bytes by a masked load: a quote that ends them is returned at */
		size_t left = (size_t)(end - p);
		uint64_t in = left >= 64 ? ~0ull : _bzhi_u64(~0ull, (unsigned)left);
		const __m512i v = _mm512_maskz_loadu_epi8(in, (const void *)p);
		uint64_t q = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) & in;
		uint64_t first = jsonl_escaping(q), closing, lm, keep, nl;
		int lim = left >= 64 ? 64 : (int)left;

		closing = first & ~(q >> 1) & (left > 64 ? ~(1ull << 63) : ~0ull);
		if (closing)
			lim = __builtin_ctzll(closing);
		else if (left > 64 && first >> 63)
			lim = 63;
		lm = lim == 64 ? ~0ull : (1ull << lim) - 1;
		keep = lm & ~(first << 1);
		_mm512_storeu_si512((void *)(o + kk), _mm512_maskz_compress_epi8(keep, v));
		kk += (size_t)__builtin_popcountll(keep);
		nl = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')) & lm;
		if (nl)
			*lines += (uint64_t)__builtin_popcountll(nl);
		p += lim;
		if (closing) {
			*closed = true;
			break;
		}
	}
	*k = kk;
	return p;
}

/*
 * plain_end() 64 bytes at a time; *esc set when a byte before it is one
 * that a JSON string escapes (a backslash or a control byte)
 */
static const char *plain_end512(const char *p, const char *end, bool *esc)
{
	while (p < end) {
		size_t left = (size_t)(end - p);
		uint64_t in = left >= 64 ? ~0ull : _bzhi_u64(~0ull, (unsigned)left);
		const __m512i v = _mm512_maskz_loadu_epi8(in, (const void *)p);
		uint64_t m = (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(',')) |
			      _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')) |
			      _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
			      _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'))) &
			     in;
		uint64_t x = (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
			      _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1f))) &
			     in;

		if (m) {
			*esc = *esc || (x & ((m & (0 - m)) - 1));
			return p + __builtin_ctzll(m);
		}
		*esc = *esc || x;
		p += left >= 64 ? 64 : left;
	}
	return end;
}

/*
 * line_end_parity() with AVX-512BW: a mask per character from one compare
 * of the 64 bytes, the parity by a carry-less multiply (the loop above was
 * a twentieth of the reading of an AKSAudit export).
 */
static const char *line_end_parity512(const char *p, const char *end, bool *multi, bool *odd)
{
	const char *s = p;
	uint64_t in = 0;

	while (end - s >= 64) {
		const __m512i v = _mm512_loadu_si512((const void *)s);
		uint64_t q = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
		uint64_t n = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
		uint64_t x;
		const char *r;

		x = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
			_mm_cvtsi64_si128((long long)q), _mm_set1_epi8((char)0xff), 0)) ^
		    in;
		if ((r = parity_step(p, s, q, n, x, multi, odd)) != NULL || *multi || *odd)
			return r;
		in = 0 - (x >> 63);
		s += 64;
	}
	/* the rest, fewer than 64 bytes, as line_end_parity() reads them (inside or not) */
	return line_end_tail(p, s, end, in != 0, multi, odd);
}
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

/*
 * 1: AVX-512BW and VBMI2; 0: SSE2; -1 not known yet. KANON_SIMD=sse2 or
 * avx2 (as jsonl.c reads it, for the tests): SSE2.
 */
static int csv_simd = -1;

static int simd_detect(void)
{
#ifdef HAVE_CSV512
	if (jsonl_simd_cap() >= 2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi2") &&
	    __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt") &&
	    __builtin_cpu_supports("bmi2"))
		return 1;
#endif
	return 0;
}

static int simd_level(void)
{
	return jsonl_simd_once(&csv_simd, simd_detect);
}

void csvrows_simd_force(int level)
{
	int have = simd_detect();

	__atomic_store_n(&csv_simd, level < have ? level : have, __ATOMIC_RELAXED);
}

const char *csvrows_line_end(const char *p, const char *end, bool *multi)
{
	int level = simd_level();
	bool odd = false;
	const char *nl;

	*multi = false;
#ifdef HAVE_CSV512
	if (level == 1)
		nl = line_end_parity512(p, end, multi, &odd);
	else
#endif
		nl = line_end_parity(p, end, multi, &odd);
	return odd ? line_end_exact(p, end, multi) : nl;
}
