#include <string.h>

#include "core/rule.h"
#include "core/util.h"
#include "model/provenance.h"
#include "report/report.h"
#include "core/banned.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_DIM "\033[2m"

#define WRAP 100

/*
 * Names, paths and values come from the audited files and logs: escape
 * control characters so that a crafted object name cannot move the
 * cursor or recolor the terminal.
 */
static void add_clean(struct strbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(out, "\\x%02x", c);
		else
			strbuf_addch(out, (char)c);
	}
}

static void add_cleanstr(struct strbuf *out, const char *s)
{
	add_clean(out, s, strlen(s));
}

static const char *status_color(enum status s)
{
	switch (s) {
	case STATUS_PASS: return C_GREEN;
	case STATUS_FAIL: return C_BOLD C_RED;
	case STATUS_WARN: return C_YELLOW;
	case STATUS_UNKNOWN: return C_MAGENTA;
	case STATUS_INVALID: return C_BOLD C_MAGENTA;
	default: return "";
	}
}

static void paint(struct strbuf *out, const struct report_opts *o,
		  const char *color, const char *text, int width)
{
	if (o->color)
		strbuf_addstr(out, color);
	strbuf_addf(out, "%-*s", width, text);
	if (o->color)
		strbuf_addstr(out, C_RESET);
}

/* Word-wrap text at WRAP columns, each line indented by `indent`. */
static void wrapped(struct strbuf *out, const char *first, const char *text,
		    int indent)
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
		add_clean(out, p, wl);
		col += wl;
		p += wl;
		while (*p == ' ')
			p++;
	}
	strbuf_addch(out, '\n');
}

static void evidence_line(struct strbuf *out, const struct evidence *e,
			  const struct report_opts *o)
{
	strbuf_addf(out, "      %-8s ", e->kind);
	if (e->path) {
		add_cleanstr(out, e->path);
		if (e->line)
			strbuf_addf(out, ":%d", e->line);
		if (e->key || e->value)
			strbuf_addch(out, ' ');
	}
	if (e->kind == SRC_FLAG && e->value && (e->value[0] == '-' || !e->key)) {
		add_cleanstr(out, e->value);
	} else if (e->key && e->value) {
		add_cleanstr(out, e->key);
		strbuf_addstr(out, e->kind == SRC_FLAG ? " " : " = ");
		add_cleanstr(out, e->value);
	} else if (e->key) {
		add_cleanstr(out, e->key);
	} else if (e->value) {
		add_cleanstr(out, e->value);
	}
	if (e->note) {
		if (o->color)
			strbuf_addstr(out, C_DIM);
		strbuf_addstr(out, "  (");
		add_cleanstr(out, e->note);
		strbuf_addch(out, ')');
		if (o->color)
			strbuf_addstr(out, C_RESET);
	}
	strbuf_addch(out, '\n');
}

/*
 * Has an earlier finding that was printed with its fix (not PASS) the
 * same rule and the same fix? Long reports (one finding per audited
 * request, per node) then print each fix once.
 */
static bool fix_seen(const struct result *r, size_t i)
{
	const struct finding *f = &r->f[i];

	for (size_t j = 0; j < i; j++) {
		const struct finding *g = &r->f[j];
		if (g->rule == f->rule && g->status != STATUS_PASS && g->remediation &&
		    !strcmp(g->remediation, f->remediation))
			return true;
	}
	return false;
}

void report_text(struct strbuf *out, const struct result *r,
		 const struct report_opts *o)
{
	size_t counts[STATUS__COUNT];
	size_t idw = 4, tw = 6;
	char doc[256];

	for (size_t i = 0; i < r->n; i++) {
		size_t l = strlen(r->f[i].rule->id), t = strlen(r->f[i].target);
		if (l > idw)
			idw = l;
		if (t > tw)
			tw = t;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[i];
		bool pass = f->status == STATUS_PASS;

		if (pass && o->verbosity < 0)
			continue;
		paint(out, o, status_color(f->status), status_name(f->status), 8);
		strbuf_addch(out, ' ');
		paint(out, o, f->severity == SEV_CRITICAL ? C_BOLD C_RED : "",
		      severity_name(f->severity), 9);
		strbuf_addf(out, " %-*s ", (int)idw, f->rule->id);
		add_cleanstr(out, f->target);
		strbuf_addch(out, '\n');
		wrapped(out, "", f->message, 4);
		if (pass && o->verbosity < 1)
			continue;
		if (f->nev) {
			strbuf_addstr(out, "    evidence:\n");
			for (size_t j = 0; j < f->nev; j++)
				evidence_line(out, &f->ev[j], o);
		}
		if (f->remediation && fix_seen(r, i))
			strbuf_addf(out, "    fix: as for the first %s finding above\n",
				    f->rule->id);
		else if (f->remediation)
			wrapped(out, "fix: ", f->remediation, 4);
		strbuf_addf(out, "    doc: %s\n", rule_doc(f->rule, doc, sizeof(doc)));
	}
	for (size_t i = 0; i < r->nsec; i++) {
		if (r->sec[i].text) {
			strbuf_addch(out, '\n');
			r->sec[i].text(out, r->sec[i].data, o->color);
		}
	}
	result_count(r, counts);
	if (r->n && o->verbosity >= 0)
		strbuf_addch(out, '\n');
	strbuf_addf(out, "summary: %zu fail, %zu warn, %zu pass, %zu unknown, %zu invalid\n",
		    counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_PASS],
		    counts[STATUS_UNKNOWN], counts[STATUS_INVALID]);
	(void)tw;
}
