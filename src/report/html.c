/*
 * The HTML reporter: one self-contained file (inline CSS, inline SVG, no
 * script, no external asset; a Content-Security-Policy that allows none)
 * that reads offline in any browser: the verdict, the severity counts, the
 * attack paths, the audit charts (timeline with gaps shaded, anonymous
 * requests by class and outcome, top sources) from the audit section, and
 * the findings by area with their evidence. PASS findings sit in a closed
 * <details>, which needs no script.
 *
 * Every string from the input is made visible as in the text format, then
 * HTML-escaped: a URI holding <script> is text on the page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "parsers/jsonl.h"
#include "report/model.h"
#include "report/report.h"
#include "core/banned.h"

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c1e21}"
    "main{max-width:1100px;margin:0 auto;padding:24px}"
    "h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 10px}"
    "h3{font-size:16px;margin:20px 0 8px}"
    ".verdict{display:inline-block;font-weight:700;font-size:20px;padding:6px 14px;"
    "border-radius:6px;color:#fff;background:#6b7280}"
    ".v-EXPOSED{background:#b91c1c}.v-AT.RISK,.v-PROBLEMS{background:#b45309}"
    ".v-CLEAN{background:#15803d}.v-INCOMPLETE{background:#7c3aed}"
    ".counts span{display:inline-block;margin:4px 8px 4px 0;padding:4px 10px;border-radius:4px;"
    "background:#e5e7eb}"
    ".sev-critical{background:#fecaca!important}.sev-high{background:#fed7aa!important}"
    ".sev-medium{background:#fef08a!important}"
    "ol.paths>li{margin:0 0 10px;background:#fff;padding:10px 12px;border-radius:6px;"
    "border-left:4px solid #b91c1c}ol.paths>li.possible{border-left-color:#d97706}"
    ".tag{font-size:12px;font-weight:700;padding:1px 6px;border-radius:3px;background:#e5e7eb;"
    "margin-right:6px}"
    ".finding{background:#fff;border-radius:6px;padding:10px 12px;margin:0 0 10px;"
    "border-left:4px solid #9ca3af}"
    ".st-FAIL,.st-INVALID{border-left-color:#b91c1c}.st-WARN{border-left-color:#d97706}"
    ".st-UNKNOWN{border-left-color:#7c3aed}.st-PASS{border-left-color:#15803d}"
    ".finding code,.ev code{word-break:break-all}"
    ".ev{margin:4px 0 0 0;padding-left:18px;font-size:13px}"
    ".fix{font-size:14px;color:#374151}.target{font-family:monospace;word-break:break-all}"
    "figure{background:#fff;border-radius:6px;padding:10px;margin:0 0 16px}"
    "figcaption{font-weight:600;margin-bottom:6px}svg text{font:11px sans-serif;fill:#374151}"
    "summary{cursor:pointer;font-weight:600}footer{margin-top:30px;color:#6b7280;"
    "font-size:13px}";

static void head(struct strbuf *out)
{
	strbuf_addstr(out,
		      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
		      "'none'; style-src 'unsafe-inline'\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>kanon report</title>\n<style>");
	strbuf_addstr(out, style);
	strbuf_addstr(out, "</style>\n</head>\n<body>\n<main>\n");
}

static void verdict_html(struct strbuf *out, const struct report_model *m)
{
	static const char *const words[] = {"critical", "high", "medium", "low", "info"};
	char *text = report_verdict_text(m);

	strbuf_addstr(out, "<h1>kanon report</h1>\n");
	strbuf_addf(out, "<p><span class=\"verdict v-%s\" id=\"verdict\">%s</span></p>\n",
		    report_verdict_name(m->verdict), report_verdict_name(m->verdict));
	strbuf_addstr(out, "<p>");
	strbuf_add_markup(out, text);
	strbuf_addstr(out, "</p>\n<div class=\"counts\" id=\"counts\">");
	for (int s = SEV__COUNT - 1; s >= 0; s--)
		strbuf_addf(out, "<span class=\"sev-%s\">%zu %s</span>", words[SEV__COUNT - 1 - s],
			    m->problems[s], severity_name((enum severity)s));
	strbuf_addf(out,
		    "<span>%zu fail</span><span>%zu warn</span><span>%zu pass</span>"
		    "<span>%zu unknown</span><span>%zu invalid</span></div>\n",
		    m->status[STATUS_FAIL], m->status[STATUS_WARN], m->status[STATUS_PASS],
		    m->status[STATUS_UNKNOWN], m->status[STATUS_INVALID]);
	free(text);
}

static void paths_html(struct strbuf *out, const struct report_model *m)
{
	strbuf_addstr(out, "<h2 id=\"paths\">Attack paths</h2>\n");
	if (!m->npath) {
		strbuf_addstr(out, "<p>No anonymous attack path found.</p>\n");
		return;
	}
	strbuf_addstr(out, "<ol class=\"paths\">\n");
	for (size_t i = 0; i < m->npath; i++) {
		const struct report_path *p = &m->path[i];
		strbuf_addf(out, "<li class=\"%s\"><span class=\"tag sev-%s\">%s</span>",
			    p->proved ? "proved" : "possible", severity_name(p->severity),
			    severity_name(p->severity));
		strbuf_addf(out, "<span class=\"tag\">%s</span>",
			    p->proved ? "PROVED" : "possible");
		strbuf_add_markup(out, p->title);
		if (p->njoin)
			strbuf_addstr(out, "<ul>");
		for (size_t j = 0; j < p->njoin; j++) {
			strbuf_addstr(out, "<li>");
			strbuf_add_markup(out, p->join[j]);
			strbuf_addstr(out, "</li>");
		}
		strbuf_addstr(out, p->njoin ? "</ul></li>\n" : "</li>\n");
	}
	strbuf_addstr(out, "</ol>\n");
}

/* ------------------------------------------------ charts */

static uint64_t member_u(const struct section *g, const char *key)
{
	const struct section *k = sec_find(g, key);

	return k && k->type == SEC_UINT ? k->v.u : 0;
}

static int64_t member_t(const struct section *g, const char *key)
{
	const struct section *k = sec_find(g, key);

	return k && k->type == SEC_TIME ? k->v.i : SEC_TIME_NONE;
}

#define CW 1000 /* chart width, SVG units */
#define CH 220
#define CL 50 /* left margin */
#define CB 30 /* bottom margin */

struct tl {
	int64_t t0, t1;
	uint64_t max;
};

static double tl_x(const struct tl *s, int64_t t)
{
	if (s->t1 <= s->t0)
		return CL;
	return CL + (double)(t - s->t0) * (CW - CL - 10) / (double)(s->t1 - s->t0);
}

static double tl_y(const struct tl *s, uint64_t v)
{
	return 10 + (CH - CB - 10) * (1.0 - (double)v / (double)(s->max ? s->max : 1));
}

static void tl_scale(struct tl *s, const struct section *rows, const struct section *gaps,
		     int64_t step)
{
	static const char *const cols[] = {"total", "anonymous", "anonymous_allowed",
					   "unauthorized_401"};

	s->t0 = INT64_MAX;
	s->t1 = INT64_MIN;
	s->max = 1;
	for (size_t i = 0; i < rows->n; i++) {
		int64_t t = member_t(rows->kid[i], "start");
		if (t == SEC_TIME_NONE)
			continue;
		s->t0 = t < s->t0 ? t : s->t0;
		s->t1 = t + step > s->t1 ? t + step : s->t1;
		for (size_t c = 0; c < ARRAY_SIZE(cols); c++)
			if (member_u(rows->kid[i], cols[c]) > s->max)
				s->max = member_u(rows->kid[i], cols[c]);
	}
	for (size_t i = 0; gaps && i < gaps->n; i++) {
		int64_t a = member_t(gaps->kid[i], "from"), b = member_t(gaps->kid[i], "to");
		if (a != SEC_TIME_NONE && a < s->t0)
			s->t0 = a;
		if (b != SEC_TIME_NONE && b > s->t1)
			s->t1 = b;
	}
}

/* One line per column; it breaks where buckets are missing (no events). */
static void tl_series(struct strbuf *out, const struct tl *s, const struct section *rows,
		      int64_t step, const char *col, const char *color)
{
	int64_t prev = SEC_TIME_NONE;

	for (size_t i = 0; i < rows->n; i++) {
		int64_t t = member_t(rows->kid[i], "start");
		if (t == SEC_TIME_NONE)
			continue;
		if (prev == SEC_TIME_NONE || t - prev > step)
			strbuf_addf(out,
				    "%s<polyline fill=\"none\" stroke=\"%s\" "
				    "stroke-width=\"1.5\" points=\"",
				    prev == SEC_TIME_NONE ? "" : "\"/>\n", color);
		strbuf_addf(out, "%.1f,%.1f ", tl_x(s, t), tl_y(s, member_u(rows->kid[i], col)));
		prev = t;
	}
	if (prev != SEC_TIME_NONE)
		strbuf_addstr(out, "\"/>\n");
}

static void timeline_chart(struct strbuf *out, const struct section *audit)
{
	static const struct {
		const char *col, *label, *color;
	} lines[] = {{"total", "total", "#6b7280"},
		     {"anonymous", "anonymous", "#d97706"},
		     {"anonymous_allowed", "anonymous allowed", "#b91c1c"},
		     {"unauthorized_401", "401", "#2563eb"}};
	const struct section *rows = sec_find(audit, "timeline"), *gaps = sec_find(audit, "gaps");
	struct tl s;
	char t[32];

	if (!rows || !rows->n)
		return;
	tl_scale(&s, rows, gaps, rows->step);
	strbuf_addf(out,
		    "<figure id=\"timeline\"><figcaption>Audit timeline (requests per %lld s; "
		    "gaps shaded)</figcaption>\n<svg viewBox=\"0 0 %d %d\" width=\"100%%\" "
		    "role=\"img\" aria-label=\"audit timeline\">\n",
		    (long long)(rows->step / 1000000), CW, CH + 20);
	for (size_t i = 0; gaps && i < gaps->n; i++) {
		int64_t a = member_t(gaps->kid[i], "from"), b = member_t(gaps->kid[i], "to");
		if (a == SEC_TIME_NONE || b == SEC_TIME_NONE)
			continue;
		strbuf_addf(out,
			    "<rect class=\"gap\" x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"%d\" "
			    "fill=\"#9ca3af\" fill-opacity=\"0.35\"><title>gap</title></rect>\n",
			    tl_x(&s, a), tl_x(&s, b) - tl_x(&s, a), CH - CB - 10);
	}
	strbuf_addf(out,
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9ca3af\"/>"
		    "<text x=\"4\" y=\"16\">%llu</text><text x=\"4\" y=\"%d\">0</text>\n",
		    CL, CH - CB, CW - 10, CH - CB, (unsigned long long)s.max, CH - CB);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		tl_series(out, &s, rows, rows->step, lines[i].col, lines[i].color);
	ts_format(s.t0, t);
	strbuf_addf(out, "<text x=\"%d\" y=\"%d\">%s</text>", CL, CH - 12, t);
	ts_format(s.t1, t);
	strbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", CW - 10,
		    CH - 12, t);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		strbuf_addf(out,
			    "<rect x=\"%zu\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>"
			    "<text x=\"%zu\" y=\"%d\">%s</text>\n",
			    CL + i * 170, CH + 4, lines[i].color, CL + i * 170 + 16, CH + 9,
			    lines[i].label);
	strbuf_addf(out,
		    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"8\" fill=\"#9ca3af\" "
		    "fill-opacity=\"0.35\"/><text x=\"%d\" y=\"%d\">gap (no events)</text>\n",
		    CL + 4 * 170, CH + 2, CL + 4 * 170 + 16, CH + 9);
	strbuf_addstr(out, "</svg></figure>\n");
}

/* Horizontal bars: label, then one or two stacked values. */
static void bar_row(struct strbuf *out, size_t row, const char *label, uint64_t a, uint64_t b,
		    uint64_t max)
{
	double w = 700.0 / (double)(max ? max : 1);
	int y = 8 + (int)row * 24;

	strbuf_addf(out, "<text x=\"4\" y=\"%d\">", y + 12);
	strbuf_add_markup(out, label);
	strbuf_addf(out,
		    "</text><rect x=\"240\" y=\"%d\" width=\"%.1f\" height=\"16\" "
		    "fill=\"#b91c1c\"/>",
		    y, (double)a * w);
	strbuf_addf(out,
		    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#9ca3af\"/>",
		    240 + (double)a * w, y, (double)b * w);
	strbuf_addf(out, "<text x=\"%.1f\" y=\"%d\">%llu</text>\n", 246 + (double)(a + b) * w,
		    y + 12, (unsigned long long)(a + b));
}

static void classes_chart(struct strbuf *out, const struct section *audit)
{
	const struct section *by = sec_find(audit, "anonymous.by_class");
	const struct section *al = sec_find(audit, "anonymous.allowed_by_class");
	uint64_t max = 1;

	if (!by || !by->n)
		return;
	for (size_t i = 0; i < by->n; i++)
		if (by->kid[i]->type == SEC_UINT && by->kid[i]->v.u > max)
			max = by->kid[i]->v.u;
	strbuf_addf(out,
		    "<figure id=\"classes\"><figcaption>Anonymous requests by class: allowed "
		    "(red) and not allowed (grey)</figcaption>\n<svg viewBox=\"0 0 %d %zu\" "
		    "width=\"100%%\" role=\"img\" aria-label=\"anonymous requests by class\">\n",
		    CW, 16 + by->n * 24);
	for (size_t i = 0; i < by->n; i++) {
		uint64_t all = by->kid[i]->type == SEC_UINT ? by->kid[i]->v.u : 0;
		uint64_t ok = al ? member_u(al, by->kid[i]->key) : 0;
		bar_row(out, i, by->kid[i]->key, ok, all > ok ? all - ok : 0, max);
	}
	strbuf_addstr(out, "</svg></figure>\n");
}

static void sources_chart(struct strbuf *out, const struct section *audit)
{
	const struct section *top = sec_find(audit, "anonymous.top_sources");
	uint64_t max = 1;

	if (!top || !top->n)
		return;
	for (size_t i = 0; i < top->n; i++)
		if (member_u(top->kid[i], "count") > max)
			max = member_u(top->kid[i], "count");
	strbuf_addf(out,
		    "<figure id=\"sources\"><figcaption>Top anonymous sources (the address the "
		    "API server saw)</figcaption>\n<svg viewBox=\"0 0 %d %zu\" width=\"100%%\" "
		    "role=\"img\" aria-label=\"top anonymous sources\">\n",
		    CW, 16 + top->n * 24);
	for (size_t i = 0; i < top->n; i++) {
		const struct section *ip = sec_find(top->kid[i], "ip");
		bar_row(out, i, ip && ip->type == SEC_STRING ? ip->v.s : "?", 0,
			member_u(top->kid[i], "count"), max);
	}
	strbuf_addstr(out, "</svg></figure>\n");
}

static void charts_html(struct strbuf *out, const struct result *r)
{
	for (size_t i = 0; i < r->nsec; i++) {
		const struct section *a = r->sec[i];
		if (!a->key || strcmp(a->key, "audit"))
			continue;
		strbuf_addstr(out, "<h2 id=\"audit\">Audit log</h2>\n");
		timeline_chart(out, a);
		classes_chart(out, a);
		sources_chart(out, a);
	}
}

/* ------------------------------------------------ findings */

static void evidence_html(struct strbuf *out, const struct finding *f)
{
	if (!f->nev)
		return;
	strbuf_addstr(out, "<ul class=\"ev\">");
	for (size_t j = 0; j < f->nev; j++) {
		const struct evidence *e = &f->ev[j];
		strbuf_addstr(out, "<li><code>");
		strbuf_add_markup(out, e->kind);
		if (e->path) {
			strbuf_addch(out, ' ');
			strbuf_add_markup(out, e->path);
			if (e->line)
				strbuf_addf(out, ":%d", e->line);
		}
		if (e->key) {
			strbuf_addch(out, ' ');
			strbuf_add_markup(out, e->key);
		}
		if (e->value) {
			strbuf_addstr(out, " = ");
			strbuf_add_markup(out, e->value);
		}
		strbuf_addstr(out, "</code>");
		if (e->note) {
			strbuf_addstr(out, " (");
			strbuf_add_markup(out, e->note);
			strbuf_addch(out, ')');
		}
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul>");
}

static void finding_html(struct strbuf *out, const struct finding *f)
{
	char doc[256];

	strbuf_addf(out, "<div class=\"finding st-%s\"><span class=\"tag\">%s</span>",
		    status_name(f->status), status_name(f->status));
	strbuf_addf(out, "<span class=\"tag sev-%s\">%s</span><b>%s</b> <span class=\"target\">",
		    severity_name(f->severity), severity_name(f->severity), f->rule->id);
	strbuf_add_markup(out, f->target);
	strbuf_addstr(out, "</span><p>");
	strbuf_add_markup(out, f->message);
	strbuf_addstr(out, "</p>");
	evidence_html(out, f);
	if (f->remediation && f->status != STATUS_PASS) {
		strbuf_addstr(out, "<p class=\"fix\"><b>Fix:</b> ");
		strbuf_add_markup(out, f->remediation);
		strbuf_addstr(out, "</p>");
	}
	strbuf_addf(out, "<p class=\"fix\">%s</p></div>\n", rule_doc(f->rule, doc, sizeof(doc)));
}

static void findings_html(struct strbuf *out, const struct report_model *m)
{
	const struct result *r = m->r;
	size_t i = 0;

	strbuf_addstr(out, "<h2 id=\"findings\">Findings</h2>\n");
	while (i < r->n) {
		enum report_area a = m->area[m->order[i]];
		size_t j = i, pass = 0;
		for (; j < r->n && m->area[m->order[j]] == a; j++)
			pass += r->f[m->order[j]].status == STATUS_PASS;
		strbuf_addf(out, "<h3>%s</h3>\n", report_area_title(a));
		for (size_t k = i; k < j; k++)
			if (r->f[m->order[k]].status != STATUS_PASS)
				finding_html(out, &r->f[m->order[k]]);
		if (pass)
			strbuf_addf(out, "<details><summary>%zu PASS</summary>\n", pass);
		for (size_t k = i; k < j; k++)
			if (r->f[m->order[k]].status == STATUS_PASS)
				finding_html(out, &r->f[m->order[k]]);
		if (pass)
			strbuf_addstr(out, "</details>\n");
		i = j;
	}
}

void report_html(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	struct report_model m;

	(void)o;
	report_model_init(&m, r);
	head(out);
	verdict_html(out, &m);
	paths_html(out, &m);
	charts_html(out, r);
	findings_html(out, &m);
	strbuf_addf(out, "<footer>kanon %s</footer>\n</main>\n</body>\n</html>\n", KANON_VERSION);
	report_model_release(&m);
}
