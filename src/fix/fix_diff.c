#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fix/fix.h"
#include "core/banned.h"

/*
 * Unified diffs of the small, local changes kanon fix makes: the common
 * head and tail are cut, and the middle is compared with a longest common
 * subsequence table, bounded (a middle too large for it is shown as all
 * removed, then all added: correct, only less compact).
 */

#define DIFF_CONTEXT   3
#define DIFF_MAX_CELLS (4u << 20)

struct line {
	const char *s;
	size_t len; /* with the newline */
};

struct lines {
	struct line *l;
	size_t n, alloc;
};

static void split_lines(const char *s, size_t len, struct lines *out)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;

		ALLOC_GROW(out->l, out->n + 1, out->alloc);
		out->l[out->n].s = s + i;
		out->l[out->n++].len = end - i;
		i = end;
	}
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/* One edit-script entry: ' ', '-' or '+' and the line. */
struct op {
	char kind;
	const struct line *l;
};

struct ops {
	struct op *o;
	size_t n, alloc;
};

static void op_push(struct ops *ops, char kind, const struct line *l)
{
	ALLOC_GROW(ops->o, ops->n + 1, ops->alloc);
	ops->o[ops->n].kind = kind;
	ops->o[ops->n++].l = l;
}

/* The middle a[0..n) vs b[0..m) by LCS, or all '-' then all '+'. */
static void diff_middle(struct ops *ops, const struct line *a, size_t n, const struct line *b,
			size_t m)
{
	unsigned *t;
	size_t i = 0, j = 0, w = m + 1;

	if (!n || !m || st_mult(n + 1, m + 1) > DIFF_MAX_CELLS) {
		for (i = 0; i < n; i++)
			op_push(ops, '-', &a[i]);
		for (j = 0; j < m; j++)
			op_push(ops, '+', &b[j]);
		return;
	}
	/* t[i][j]: LCS length of a[i..] and b[j..] */
	t = xcalloc(st_mult(n + 1, w), sizeof(*t));
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			t[x * w + y] = line_eq(&a[x], &b[y]) ? t[(x + 1) * w + y + 1] + 1
				       : t[(x + 1) * w + y] >= t[x * w + y + 1] ? t[(x + 1) * w + y]
										: t[x * w + y + 1];
	while (i < n && j < m) {
		if (line_eq(&a[i], &b[j])) {
			op_push(ops, ' ', &a[i]);
			i++, j++;
		} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
			op_push(ops, '-', &a[i++]);
		} else {
			op_push(ops, '+', &b[j++]);
		}
	}
	while (i < n)
		op_push(ops, '-', &a[i++]);
	while (j < m)
		op_push(ops, '+', &b[j++]);
	free(t);
}

static void emit_line(struct strbuf *out, char kind, const struct line *l, bool color)
{
	const char *c = kind == '-' ? "\033[31m" : kind == '+' ? "\033[32m" : NULL;
	size_t len = l->len;
	bool nl = len && l->s[len - 1] == '\n';

	if (nl)
		len--;
	if (color && c)
		strbuf_addstr(out, c);
	strbuf_addch(out, kind);
	/* the file's bytes reach a terminal: escaped, but for tabs */
	for (size_t i = 0; i < len;) {
		const char *tab = memchr(l->s + i, '\t', len - i);
		size_t n = tab ? (size_t)(tab - l->s) - i : len - i;

		strbuf_add_clean(out, l->s + i, n);
		i += n;
		if (tab) {
			strbuf_addch(out, '\t');
			i++;
		}
	}
	if (color && c)
		strbuf_addstr(out, "\033[m");
	strbuf_addch(out, '\n');
	if (!nl)
		strbuf_addstr(out, "\\ No newline at end of file\n");
}

static void emit_hunks(struct strbuf *out, const struct ops *ops, bool color)
{
	size_t i = 0;

	while (i < ops->n) {
		size_t start, end, last, a0 = 0, b0 = 0, na = 0, nb = 0;

		while (i < ops->n && ops->o[i].kind == ' ')
			i++;
		if (i == ops->n)
			break;
		start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		/* extend while the next change is within 2*context lines */
		last = i;
		for (end = i; end < ops->n; end++) {
			if (ops->o[end].kind != ' ')
				last = end;
			else if (end - last > 2 * DIFF_CONTEXT)
				break;
		}
		end = last + DIFF_CONTEXT + 1 < ops->n ? last + DIFF_CONTEXT + 1 : ops->n;
		for (size_t k = 0; k < start; k++) {
			a0 += ops->o[k].kind != '+';
			b0 += ops->o[k].kind != '-';
		}
		for (size_t k = start; k < end; k++) {
			na += ops->o[k].kind != '+';
			nb += ops->o[k].kind != '-';
		}
		if (color)
			strbuf_addstr(out, "\033[36m");
		/* GNU diff's ranges: "N" for one line, "N,COUNT" otherwise */
		strbuf_addf(out, "@@ -%zu", na ? a0 + 1 : a0);
		if (na != 1)
			strbuf_addf(out, ",%zu", na);
		strbuf_addf(out, " +%zu", nb ? b0 + 1 : b0);
		if (nb != 1)
			strbuf_addf(out, ",%zu", nb);
		strbuf_addstr(out, " @@");
		strbuf_addstr(out, color ? "\033[m\n" : "\n");
		for (size_t k = start; k < end; k++)
			emit_line(out, ops->o[k].kind, ops->o[k].l, color);
		i = end;
	}
}

void fix_diff(struct strbuf *out, const char *name, const char *a, size_t alen, const char *b,
	      size_t blen, bool color)
{
	struct lines la = {0}, lb = {0};
	struct ops ops = {0};
	size_t head = 0, tail = 0;

	split_lines(a, alen, &la);
	split_lines(b, blen, &lb);
	while (head < la.n && head < lb.n && line_eq(&la.l[head], &lb.l[head]))
		head++;
	while (tail < la.n - head && tail < lb.n - head &&
	       line_eq(&la.l[la.n - 1 - tail], &lb.l[lb.n - 1 - tail]))
		tail++;
	for (size_t k = 0; k < head; k++)
		op_push(&ops, ' ', &la.l[k]);
	diff_middle(&ops, la.l + head, la.n - head - tail, lb.l + head, lb.n - head - tail);
	for (size_t k = la.n - tail; k < la.n; k++)
		op_push(&ops, ' ', &la.l[k]);
	if (color)
		strbuf_addstr(out, "\033[1m");
	strbuf_addstr(out, "--- ");
	strbuf_add_cleanstr(out, alen || !blen ? name : "/dev/null");
	strbuf_addstr(out, "\n+++ ");
	strbuf_add_cleanstr(out, name);
	strbuf_addstr(out, color ? "\033[m\n" : "\n");
	emit_hunks(out, &ops, color);
	free(la.l);
	free(lb.l);
	free(ops.o);
}

void fix_plan_diff(const struct fix_plan *p, bool color, struct strbuf *out)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct fix_file *f = p->f[i];

		if (!fix_file_changed(f))
			continue;
		fix_diff(out, f->display, f->old.buf, f->old.len, f->new.buf, f->new.len, color);
	}
}
