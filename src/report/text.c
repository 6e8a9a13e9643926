/* The text reporter: findings, report sections, the summary line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/section.h"
#include "core/util.h"
#include "model/provenance.h"
#include "parsers/jsonl.h"
#include "report/model.h"
#include "report/report.h"
#include "core/banned.h"

#define C_RESET	  "\033[0m"
#define C_BOLD	  "\033[1m"
#define C_RED	  "\033[31m"
#define C_GREEN	  "\033[32m"
#define C_YELLOW  "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_DIM	  "\033[2m"

#define WRAP 100

/*
 * Every string from the input (names, paths, values, URIs, user agents)
 * goes through strbuf_add_clean(): a crafted name cannot move the
 * cursor, set the title, write the clipboard or forge a line.
 */
#define add_clean    strbuf_add_clean
#define add_cleanstr strbuf_add_cleanstr

static const char *status_color(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return C_GREEN;
	case STATUS_FAIL:
		return C_BOLD C_RED;
	case STATUS_WARN:
		return C_YELLOW;
	case STATUS_UNKNOWN:
		return C_MAGENTA;
	case STATUS_INVALID:
		return C_BOLD C_MAGENTA;
	default:
		return "";
	}
}

static void paint(struct strbuf *out, const struct report_opts *o, const char *color,
		  const char *text, int width)
{
	if (o->color)
		strbuf_addstr(out, color);
	strbuf_addf(out, "%-*s", width, text);
	if (o->color)
		strbuf_addstr(out, C_RESET);
}

/* Word-wrap text at WRAP columns, each line indented by `indent`. */
static void wrapped(struct strbuf *out, const char *first, const char *text, int indent)
{
	size_t col, lead = strlen(first);
	const char *p = text;

	strbuf_addf(out, "%*s%s", indent, "", first);
	col = (size_t)indent + lead;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t wl = sp ? (size_t)(sp - p) : strlen(p);
		if (col > (size_t)indent + lead && col + 1 + wl > WRAP) {
			strbuf_addf(out, "\n%*s", indent + (int)lead, "");
			col = (size_t)indent + lead;
		} else if (col > (size_t)indent + lead) {
			strbuf_addch(out, ' ');
			col++;
		}
		strbuf_add_clean(out, p, wl);
		col += wl;
		p += wl;
		while (*p == ' ')
			p++;
	}
	strbuf_addch(out, '\n');
}

static void evidence_line(struct strbuf *out, const struct evidence *e, const struct report_opts *o)
{
	strbuf_addstr(out, "      ");
	strbuf_add_cleanstr(out, e->kind);
	strbuf_addf(out, "%*s ", strlen(e->kind) < 8 ? (int)(8 - strlen(e->kind)) : 0, "");
	if (e->path) {
		strbuf_add_cleanstr(out, e->path);
		if (e->line)
			strbuf_addf(out, ":%d", e->line);
		if (e->key || e->value)
			strbuf_addch(out, ' ');
	}
	if (e->kind == SRC_FLAG && e->value && (e->value[0] == '-' || !e->key)) {
		strbuf_add_cleanstr(out, e->value);
	} else if (e->key && e->value) {
		strbuf_add_cleanstr(out, e->key);
		strbuf_addstr(out, e->kind == SRC_FLAG ? " " : " = ");
		strbuf_add_cleanstr(out, e->value);
	} else if (e->key) {
		strbuf_add_cleanstr(out, e->key);
	} else if (e->value) {
		strbuf_add_cleanstr(out, e->value);
	}
	if (e->note) {
		if (o->color)
			strbuf_addstr(out, C_DIM);
		strbuf_addstr(out, "  (");
		strbuf_add_cleanstr(out, e->note);
		strbuf_addch(out, ')');
		if (o->color)
			strbuf_addstr(out, C_RESET);
	}
	strbuf_addch(out, '\n');
}

/* ------------------------------------------------ fixes printed once */

/*
 * The (rule, fix) pairs already printed by a finding that is not PASS.
 * Long reports (one finding per audited request, per node) print each
 * fix once; an open-addressing hash set keeps that linear in the number
 * of findings.
 */
struct fixset {
	const struct finding **slot;
	size_t mask;
};

static uint64_t fix_hash(const struct finding *f)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)f->rule;

	for (const unsigned char *p = (const unsigned char *)f->remediation; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static void fixset_init(struct fixset *s, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n + 2)
		cap *= 2;
	s->slot = xcalloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
}

/* Is (f->rule, f->remediation) in the set? Adds it when `add`. */
static bool fixset_seen(struct fixset *s, const struct finding *f, bool add)
{
	size_t i = (size_t)fix_hash(f) & s->mask;

	for (; s->slot[i]; i = (i + 1) & s->mask) {
		const struct finding *g = s->slot[i];
		if (g->rule == f->rule && !strcmp(g->remediation, f->remediation))
			return true;
	}
	if (add)
		s->slot[i] = f;
	return false;
}

static void finding_text(struct strbuf *out, const struct finding *f, int idw, struct fixset *fixes,
			 const struct report_opts *o)
{
	bool pass = f->status == STATUS_PASS;
	bool seen = false;
	char doc[256];

	if (f->remediation)
		seen = fixset_seen(fixes, f, !pass);
	if (pass && o->verbosity < 0)
		return;
	paint(out, o, status_color(f->status), status_name(f->status), 8);
	strbuf_addch(out, ' ');
	paint(out, o, f->severity == SEV_CRITICAL ? C_BOLD C_RED : "", severity_name(f->severity),
	      9);
	strbuf_addf(out, " %-*s ", idw, f->rule->id);
	strbuf_add_cleanstr(out, f->target);
	strbuf_addch(out, '\n');
	wrapped(out, "", f->message, 4);
	if (pass && o->verbosity < 1)
		return;
	if (f->nev) {
		strbuf_addstr(out, "    evidence:\n");
		/* no arithmetic on a NULL ev (see report/json.c) */
		for (const struct evidence *e = f->ev; e && e != f->ev + f->nev; e++)
			evidence_line(out, e, o);
	}
	if (f->remediation && seen)
		strbuf_addf(out, "    fix: as for the first %s finding above\n", f->rule->id);
	else if (f->remediation)
		wrapped(out, "fix: ", f->remediation, 4);
	strbuf_addf(out, "    doc: %s\n", rule_doc(f->rule, doc, sizeof(doc)));
}

/* ------------------------------------------------ sections */

static void indent(struct strbuf *out, int depth)
{
	strbuf_addf(out, "%*s", 2 * depth, "");
}

/* A node's label: its label, else its key with '_' read as a space. */
static void add_name(struct strbuf *out, const struct section *s)
{
	size_t at = out->len;

	strbuf_add_cleanstr(out, sec_name(s));
	if (!s->label)
		for (size_t i = at; i < out->len; i++)
			if (out->buf[i] == '_')
				out->buf[i] = ' ';
}

static bool shown(const struct section *s)
{
	return !(s->flags & SEC_JSON_ONLY) && !((s->flags & SEC_HIDE_ZERO) && sec_is_zero(s));
}

/* Scalars, and lists and groups of them on one line. */
static void add_value(struct strbuf *out, const struct section *s)
{
	char t[32];
	bool first = true;

	switch (s->type) {
	case SEC_NULL:
		strbuf_addch(out, '-');
		return;
	case SEC_BOOL:
		strbuf_addstr(out, s->v.b ? "yes" : "no");
		return;
	case SEC_INT:
		strbuf_addf(out, "%lld", (long long)s->v.i);
		return;
	case SEC_UINT:
		strbuf_addf(out, "%llu", (unsigned long long)s->v.u);
		return;
	case SEC_NUMBER:
		strbuf_addf(out, "%.6g", s->v.d);
		return;
	case SEC_DECIMAL:
		strbuf_addf(out, "%.*f", s->prec, s->v.d);
		return;
	case SEC_STRING:
		strbuf_add_cleanstr(out, s->v.s);
		return;
	case SEC_TIME:
		if (s->v.i == SEC_TIME_NONE) {
			strbuf_addch(out, '-');
			return;
		}
		ts_format(s->v.i, t);
		strbuf_addstr(out, t);
		return;
	default:
		break;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (!shown(s->kid[i]))
			continue;
		strbuf_addstr(out, first ? "" : ", ");
		first = false;
		if (s->type == SEC_GROUP) {
			add_name(out, s->kid[i]);
			strbuf_addch(out, ' ');
		}
		add_value(out, s->kid[i]);
	}
	if (first)
		strbuf_addch(out, '-');
}

/* Can this node be a table cell (one line)? */
static bool flat(const struct section *s)
{
	if (sec_is_scalar(s))
		return true;
	for (size_t i = 0; i < s->n; i++)
		if (!sec_is_scalar(s->kid[i]))
			return false;
	return true;
}

#define MAX_COLS 24

struct table {
	const char *key[MAX_COLS];
	const struct section *head[MAX_COLS]; /* first cell of the column, for its label */
	size_t width[MAX_COLS];
	bool right[MAX_COLS];
	size_t ncols;
};

static int column_of(const struct table *t, const char *key)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!strcmp(t->key[c], key))
			return (int)c;
	return -1;
}

/* The columns of rows [0, n): the members of all rows, in order of appearance. */
static void table_columns(struct table *t, const struct section *list, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	memset(t, 0, sizeof(*t));
	for (size_t r = 0; r < n; r++) {
		const struct section *row = list->kid[r];
		for (size_t i = 0; i < row->n; i++) {
			const struct section *k = row->kid[i];
			int c;
			if (!k->key || (k->flags & SEC_JSON_ONLY))
				continue;
			c = column_of(t, k->key);
			if (c < 0 && t->ncols < MAX_COLS) {
				c = (int)t->ncols++;
				t->key[c] = k->key;
				t->head[c] = k;
				strbuf_reset(&sb);
				add_name(&sb, k);
				t->width[c] = sb.len;
				t->right[c] = k->type == SEC_UINT || k->type == SEC_INT;
			}
			if (c < 0)
				continue;
			strbuf_reset(&sb);
			add_value(&sb, k);
			if (sb.len > t->width[c])
				t->width[c] = sb.len;
		}
	}
	strbuf_release(&sb);
}

static void table_cell(struct strbuf *out, const struct table *t, size_t c, const char *s,
		       size_t len)
{
	size_t pad = t->width[c] > len ? t->width[c] - len : 0;
	bool last = c + 1 == t->ncols;

	if (c)
		strbuf_addstr(out, "  ");
	if (t->right[c])
		strbuf_addf(out, "%*s", (int)pad, "");
	strbuf_add(out, s, len);
	if (!t->right[c] && !last)
		strbuf_addf(out, "%*s", (int)pad, "");
}

static void table_row(struct strbuf *out, const struct table *t, const struct section *row,
		      int depth)
{
	struct strbuf sb = STRBUF_INIT;

	indent(out, depth);
	for (size_t c = 0; c < t->ncols; c++) {
		const struct section *cell = NULL;
		for (size_t i = 0; i < row->n && !cell; i++)
			if (row->kid[i]->key && !strcmp(row->kid[i]->key, t->key[c]))
				cell = row->kid[i];
		strbuf_reset(&sb);
		if (cell)
			add_value(&sb, cell);
		else
			strbuf_addch(&sb, ' ');
		table_cell(out, t, c, sb.buf, sb.len);
	}
	while (out->len && out->buf[out->len - 1] == ' ')
		out->len--;
	strbuf_addch(out, '\n');
	strbuf_release(&sb);
}

/*
 * A table too wide for the screen: per row, the first column on its own
 * line and the others, labelled, on the next one.
 */
static void stacked_text(struct strbuf *out, const struct table *t, const struct section *list,
			 size_t n, int depth)
{
	for (size_t r = 0; r < n; r++) {
		const struct section *row = list->kid[r];
		bool first = true;

		for (size_t c = 0; c < t->ncols; c++) {
			const struct section *cell = NULL;
			for (size_t i = 0; i < row->n && !cell; i++)
				if (row->kid[i]->key && !strcmp(row->kid[i]->key, t->key[c]))
					cell = row->kid[i];
			if (!cell)
				continue;
			if (c == 0) {
				indent(out, depth);
			} else {
				if (first)
					indent(out, depth + 2);
				strbuf_addstr(out, first ? "" : "  ");
				first = false;
				add_name(out, cell);
				strbuf_addstr(out, ": ");
			}
			add_value(out, cell);
			if (c == 0)
				strbuf_addch(out, '\n');
		}
		if (!first)
			strbuf_addch(out, '\n');
	}
}

static void table_text(struct strbuf *out, const struct section *list, size_t n, int depth)
{
	struct strbuf sb = STRBUF_INIT;
	size_t width = 2 * (size_t)depth;
	struct table t;

	table_columns(&t, list, n);
	for (size_t c = 0; c < t.ncols; c++)
		width += t.width[c] + 2;
	if (width > WRAP + 2) {
		stacked_text(out, &t, list, n, depth);
		return;
	}
	indent(out, depth);
	for (size_t c = 0; c < t.ncols; c++) {
		strbuf_reset(&sb);
		add_name(&sb, t.head[c]);
		table_cell(out, &t, c, sb.buf, sb.len);
	}
	strbuf_addch(out, '\n');
	for (size_t r = 0; r < n; r++)
		table_row(out, &t, list->kid[r], depth);
	strbuf_release(&sb);
}

static void node_text(struct strbuf *out, const struct section *s, int depth);

/* A row holding nested lists: its flat members on one line, the rest below. */
static void record_text(struct strbuf *out, const struct section *row, int depth)
{
	bool first = true;

	indent(out, depth);
	for (size_t i = 0; i < row->n; i++) {
		const struct section *k = row->kid[i];
		if (!flat(k) || !shown(k))
			continue;
		strbuf_addstr(out, first ? "" : ", ");
		first = false;
		add_name(out, k);
		strbuf_addstr(out, ": ");
		add_value(out, k);
	}
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < row->n; i++)
		if (!flat(row->kid[i]))
			node_text(out, row->kid[i], depth + 1);
}

static void list_body(struct strbuf *out, const struct section *s, int depth)
{
	size_t n = s->text_max && s->n > s->text_max ? s->text_max : s->n;
	bool rows = n && s->kid[0]->type == SEC_GROUP, tabular = rows;

	if (!s->n && s->empty) {
		indent(out, depth);
		strbuf_add_cleanstr(out, s->empty);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < n && tabular; i++)
		for (size_t j = 0; j < s->kid[i]->n; j++)
			if (!flat(s->kid[i]->kid[j]))
				tabular = false;
	if (tabular) {
		table_text(out, s, n, depth);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (rows) {
				record_text(out, s->kid[i], depth);
				continue;
			}
			indent(out, depth);
			add_value(out, s->kid[i]);
			strbuf_addch(out, '\n');
		}
	}
	if (n < s->n) {
		indent(out, depth);
		strbuf_addf(out, "... %zu in all\n", s->n);
	}
}

/* Sum the counters of rows [*i, ...) that start before end into sum. */
static void fold_rows(const struct section *s, size_t *i, int64_t end, uint64_t *sum, size_t ncol)
{
	memset(sum, 0, ncol * sizeof(*sum));
	for (; *i < s->n && s->kid[*i]->n && s->kid[*i]->kid[0]->v.i < end; (*i)++)
		for (size_t c = 1; c < ncol && c < s->kid[*i]->n; c++)
			if (s->kid[*i]->kid[c]->type == SEC_UINT)
				sum[c] += s->kid[*i]->kid[c]->v.u;
}

/* The start of the row of width `width` that holds time `at`. */
static int64_t row_start(int64_t at, int64_t width)
{
	return at - ((at % width) + width) % width;
}

/* The row width: a round number of seconds, a multiple of the bucket, <= 30 rows. */
static int64_t fold_width(const struct section *s)
{
	static const int64_t nice[] = {60,    120,   300,   600,   900,	   1800,   3600,   7200,
				       10800, 21600, 43200, 86400, 172800, 604800, 2592000};
	int64_t first = s->kid[0]->kid[0]->v.i, last = s->kid[s->n - 1]->kid[0]->v.i;
	int64_t width = s->step > 0 ? s->step : 1000000;

	for (size_t k = 0; k < ARRAY_SIZE(nice); k++) {
		int64_t w = nice[k] * 1000000LL;
		if (w < width || w % width)
			continue;
		width = w;
		if ((last - first) / w < 30)
			break;
	}
	while ((last - first) / width >= 30)
		width *= 2;
	return width;
}

/* A column's printed width: its label's, at least 8. */
static int column_width(const struct section *head)
{
	struct strbuf sb = STRBUF_INIT;
	int w;

	add_name(&sb, head);
	w = sb.len > 8 ? (int)sb.len : 8;
	strbuf_release(&sb);
	return w;
}

static void series_header(struct strbuf *out, const struct section *s, size_t ncol, int64_t width,
			  int depth)
{
	indent(out, depth - 1);
	add_name(out, s);
	strbuf_addf(out, " (rows of %.0f s):\n", (double)width / 1e6);
	indent(out, depth);
	strbuf_addf(out, "%-19s", "start");
	for (size_t c = 1; c < ncol; c++) {
		struct strbuf sb = STRBUF_INIT;
		add_name(&sb, s->kid[0]->kid[c]);
		strbuf_addf(out, "  %*s", column_width(s->kid[0]->kid[c]), strbuf_str(&sb));
		strbuf_release(&sb);
	}
	strbuf_addch(out, '\n');
}

static void series_row(struct strbuf *out, const struct section *s, size_t ncol, int64_t row,
		       const uint64_t *sum, uint64_t maxbar, int depth)
{
	char t[32];

	ts_format(row, t);
	indent(out, depth);
	strbuf_addf(out, "%.19s", t);
	for (size_t c = 1; c < ncol; c++)
		strbuf_addf(out, "  %*llu", column_width(s->kid[0]->kid[c]),
			    (unsigned long long)sum[c]);
	if (s->bar > 0 && (size_t)s->bar < ncol) {
		strbuf_addstr(out, "  ");
		for (uint64_t k = 0; k < sum[s->bar] * 30 / maxbar; k++)
			strbuf_addch(out, '#');
	}
	strbuf_addch(out, '\n');
}

/*
 * A time series folded into at most 30 rows of a round width (at most
 * 64 printed), with a bar of one column scaled to its largest row.
 */
static void series_text(struct strbuf *out, const struct section *s, int depth)
{
	size_t ncol = s->kid[0]->n < MAX_COLS ? s->kid[0]->n : MAX_COLS;
	int64_t width = fold_width(s);
	uint64_t sum[MAX_COLS], maxbar = 1;
	bool bar = s->bar > 0 && (size_t)s->bar < ncol;
	size_t nrows = 0;

	for (size_t i = 0; i < s->n && nrows < 64; nrows++) {
		fold_rows(s, &i, row_start(s->kid[i]->kid[0]->v.i, width) + width, sum, ncol);
		if (bar && sum[s->bar] > maxbar)
			maxbar = sum[s->bar];
	}
	series_header(out, s, ncol, width, depth);
	nrows = 0;
	for (size_t i = 0; i < s->n && nrows < 64; nrows++) {
		int64_t row = row_start(s->kid[i]->kid[0]->v.i, width);
		fold_rows(s, &i, row + width, sum, ncol);
		series_row(out, s, ncol, row, sum, maxbar, depth);
	}
}

/* Rows of a time start and counts, in time order? Else it is shown as a table. */
static bool series_ok(const struct section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct section *row = s->kid[i];
		if (row->type != SEC_GROUP || !row->n || row->kid[0]->type != SEC_TIME ||
		    row->kid[0]->v.i == SEC_TIME_NONE ||
		    (i && row->kid[0]->v.i < s->kid[i - 1]->kid[0]->v.i))
			return false;
	}
	return s->n > 0;
}

static void node_text(struct strbuf *out, const struct section *s, int depth)
{
	if (!shown(s))
		return;
	if (s->type == SEC_SERIES && series_ok(s)) {
		series_text(out, s, depth + 1);
		return;
	}
	indent(out, depth);
	add_name(out, s);
	strbuf_addch(out, ':');
	if (flat(s) && (sec_is_scalar(s) || (s->flags & SEC_INLINE) || !s->n)) {
		size_t at = out->len;
		strbuf_addch(out, ' ');
		if (!s->n && s->empty)
			strbuf_add_cleanstr(out, s->empty);
		else
			add_value(out, s);
		/* a long list reads better one element per line */
		if (s->type != SEC_LIST || out->len - at + 2 * (size_t)depth < WRAP) {
			strbuf_addch(out, '\n');
			return;
		}
		out->len = at;
		out->buf[at] = '\0';
	}
	strbuf_addch(out, '\n');
	if (s->type == SEC_LIST || s->type == SEC_SERIES) {
		list_body(out, s, depth + 1);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		node_text(out, s->kid[i], depth + 1);
}

static void section_text(struct strbuf *out, const struct section *s, const struct report_opts *o)
{
	if (o->color)
		strbuf_addstr(out, C_BOLD);
	add_name(out, s);
	if (o->color)
		strbuf_addstr(out, C_RESET);
	strbuf_addch(out, '\n');
	if (s->type == SEC_LIST) {
		list_body(out, s, 1);
		return;
	}
	if (sec_is_scalar(s) || s->type == SEC_SERIES) {
		node_text(out, s, 1);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		node_text(out, s->kid[i], 1);
}

static size_t id_width(const struct result *r)
{
	size_t idw = 4;

	for (size_t i = 0; i < r->n; i++) {
		size_t l = strlen(r->f[i].rule->id);
		if (l > idw)
			idw = l;
	}
	return idw;
}

/* ------------------------------------------------ the verdict (scan) */

static const char *verdict_color(enum report_verdict v)
{
	return v == VERDICT_EXPOSED ? C_BOLD C_RED : v == VERDICT_CLEAN ? C_GREEN : C_YELLOW;
}

static void verdict_text(struct strbuf *out, const struct report_model *m,
			 const struct report_opts *o)
{
	char *why = report_verdict_text(m);
	char num[32];

	strbuf_addstr(out, "verdict: ");
	paint(out, o, verdict_color(m->verdict), report_verdict_name(m->verdict), 0);
	strbuf_addch(out, '\n');
	wrapped(out, "", why, 2);
	free(why);
	strbuf_addstr(out, "problems (FAIL, INVALID):");
	for (int s = SEV__COUNT - 1, n = 0; s >= 0; s--)
		if (m->problems[s])
			strbuf_addf(out, "%s %zu %s", n++ ? "," : "", m->problems[s],
				    severity_name((enum severity)s));
	if (!m->status[STATUS_FAIL] && !m->status[STATUS_INVALID])
		strbuf_addstr(out, " none");
	strbuf_addch(out, '\n');
	if (!m->npath)
		return;
	strbuf_addstr(out, "\nattack paths (most severe first):\n");
	for (size_t i = 0; i < m->npath; i++) {
		const struct report_path *p = &m->path[i];
		struct strbuf head = STRBUF_INIT;
		snprintf(num, sizeof(num), "%zu. ", i + 1);
		strbuf_addf(&head, "%s%s %s: ", num, severity_name(p->severity),
			    p->proved ? "PROVED" : "possible");
		wrapped(out, head.buf, p->title, 2);
		for (size_t j = 0; j < p->njoin; j++)
			wrapped(out, "- ", p->join[j], 2 + (int)strlen(num));
		strbuf_release(&head);
	}
}

static void area_text(struct strbuf *out, const struct report_model *m, enum report_area a,
		      size_t *at, struct fixset *fixes, const struct report_opts *o)
{
	const struct result *r = m->r;
	size_t n[STATUS__COUNT] = {0}, folded = 0, idw = id_width(r);

	for (size_t i = *at; i < r->n && m->area[m->order[i]] == a; i++)
		n[r->f[m->order[i]].status]++;
	strbuf_addch(out, '\n');
	if (o->color)
		strbuf_addstr(out, C_BOLD);
	strbuf_addstr(out, report_area_title(a));
	if (o->color)
		strbuf_addstr(out, C_RESET);
	strbuf_addf(out, ": %zu fail, %zu warn, %zu pass, %zu unknown, %zu invalid\n",
		    n[STATUS_FAIL], n[STATUS_WARN], n[STATUS_PASS], n[STATUS_UNKNOWN],
		    n[STATUS_INVALID]);
	for (; *at < r->n && m->area[m->order[*at]] == a; (*at)++) {
		const struct finding *f = &r->f[m->order[*at]];
		if (f->status == STATUS_PASS && o->verbosity < 1) {
			folded++;
			continue;
		}
		finding_text(out, f, (int)idw, fixes, o);
	}
	if (folded && o->verbosity >= 0)
		strbuf_addf(out, "%zu PASS not shown (-v shows them)\n", folded);
}

static void report_verdict_first(struct strbuf *out, const struct result *r,
				 const struct report_opts *o)
{
	struct report_model m;
	struct fixset fixes;
	size_t at = 0;

	report_model_init(&m, r);
	verdict_text(out, &m, o);
	fixset_init(&fixes, r->n);
	while (at < r->n)
		area_text(out, &m, m.area[m.order[at]], &at, &fixes, o);
	free(fixes.slot);
	report_model_release(&m);
}

static void sections_and_summary(struct strbuf *out, const struct result *r,
				 const struct report_opts *o)
{
	size_t counts[STATUS__COUNT];

	for (size_t i = 0; i < r->nsec; i++) {
		strbuf_addch(out, '\n');
		section_text(out, r->sec[i], o);
	}
	result_count(r, counts);
	if (r->n && o->verbosity >= 0)
		strbuf_addch(out, '\n');
	strbuf_addf(out, "summary: %zu fail, %zu warn, %zu pass, %zu unknown, %zu invalid\n",
		    counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_PASS],
		    counts[STATUS_UNKNOWN], counts[STATUS_INVALID]);
}

void report_text(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	struct fixset fixes;
	size_t idw = id_width(r);

	if (r->verdict) {
		report_verdict_first(out, r, o);
		sections_and_summary(out, r, o);
		return;
	}
	fixset_init(&fixes, r->n);
	for (size_t i = 0; i < r->n; i++)
		finding_text(out, &r->f[i], (int)idw, &fixes, o);
	free(fixes.slot);
	sections_and_summary(out, r, o);
}
