/*
 * The JUnit XML reporter, for CI systems that show test results: one
 * testsuite per area (report/model.h), one testcase per rule and target
 * (findings with the same identity are one testcase, with the worst
 * status); FAIL and INVALID are failures with the fix, WARN and UNKNOWN
 * skipped with the reason, PASS a plain testcase. The element and
 * attribute names are those of the de facto schema (Ant's JUnit task, as
 * Jenkins and GitLab read it).
 */
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "report/model.h"
#include "report/report.h"
#include "core/banned.h"

/* How bad a status is for a testcase: FAIL/INVALID > UNKNOWN > WARN > PASS. */
static int badness(enum status s)
{
	static const int rank[STATUS__COUNT] = {
	    [STATUS_PASS] = 0, [STATUS_WARN] = 1,    [STATUS_UNKNOWN] = 2,
	    [STATUS_FAIL] = 3, [STATUS_INVALID] = 3,
	};
	return rank[s];
}

struct tcase {
	const struct finding *worst;
	size_t first; /* index in the report order */
	size_t count;
};

/*
 * One testcase per identity; tc[] in report order of first appearance.
 * An open-addressing table from fingerprint to testcase keeps it linear
 * (an audit log can give thousands of findings).
 */
static size_t group_cases(const struct report_model *m, struct tcase *tc)
{
	const struct result *r = m->r;
	char(*fp)[65] = xcalloc(r->n ? r->n : 1, sizeof(*fp));
	size_t cap = 16, n = 0, *slot;

	while (cap < 2 * r->n + 2)
		cap *= 2;
	slot = xcalloc(cap, sizeof(*slot)); /* testcase index + 1, 0 empty */
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[m->order[i]];
		size_t h;
		report_fingerprint(f, fp[i]);
		h = (size_t)strtoull(fp[i] + 48, NULL, 16) & (cap - 1);
		while (slot[h] && strcmp(fp[tc[slot[h] - 1].first], fp[i]))
			h = (h + 1) & (cap - 1);
		if (!slot[h]) {
			slot[h] = n + 1;
			tc[n].worst = f;
			tc[n].first = i;
			tc[n++].count = 1;
			continue;
		}
		tc[slot[h] - 1].count++;
		if (badness(f->status) > badness(tc[slot[h] - 1].worst->status))
			tc[slot[h] - 1].worst = f;
	}
	free(slot);
	free(fp);
	return n;
}

static void evidence_text(struct strbuf *out, const struct finding *f)
{
	for (size_t j = 0; j < f->nev; j++) {
		const struct evidence *e = &f->ev[j];
		struct strbuf l = STRBUF_INIT;
		strbuf_addstr(out, "\n  ");
		strbuf_addstr(&l, e->kind);
		if (e->path)
			strbuf_addf(&l, " %s", e->path);
		if (e->path && e->line)
			strbuf_addf(&l, ":%d", e->line);
		if (e->key)
			strbuf_addf(&l, " %s", e->key);
		if (e->value)
			strbuf_addf(&l, " = %s", e->value);
		if (e->note)
			strbuf_addf(&l, " (%s)", e->note);
		strbuf_add_markup(out, l.buf);
		strbuf_release(&l);
	}
}

static void testcase_xml(struct strbuf *out, const struct tcase *t, enum report_area a)
{
	const struct finding *f = t->worst;
	struct strbuf name = STRBUF_INIT;
	char doc[256];

	strbuf_addf(&name, "%s %s", f->rule->id, f->target);
	if (finding_fact(f, "id")) /* part of the identity (report/model.h) */
		strbuf_addf(&name, " %s", finding_fact(f, "id"));
	strbuf_addstr(out, "    <testcase name=\"");
	strbuf_add_markup(out, name.buf);
	strbuf_addf(out, "\" classname=\"kanon.%s.%s\" time=\"0\">\n", report_area_name(a),
		    f->rule->id);
	if (f->status == STATUS_FAIL || f->status == STATUS_INVALID) {
		strbuf_addf(out, "      <failure type=\"%s\" message=\"", status_name(f->status));
		strbuf_add_markup(out, f->message);
		strbuf_addstr(out, "\">");
		strbuf_addf(out, "%s %s: ", status_name(f->status), severity_name(f->severity));
		strbuf_add_markup(out, f->message);
		if (t->count > 1)
			strbuf_addf(out, "\n(%zu findings of this rule and target)", t->count);
		strbuf_addstr(out, "\nfix: ");
		strbuf_add_markup(out, f->remediation ? f->remediation : "-");
		strbuf_addstr(out, "\nevidence:");
		evidence_text(out, f);
		strbuf_addf(out, "\ndoc: %s</failure>\n", rule_doc(f->rule, doc, sizeof(doc)));
	} else if (f->status != STATUS_PASS) {
		strbuf_addf(out, "      <skipped message=\"%s: ", status_name(f->status));
		strbuf_add_markup(out, f->message);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "    </testcase>\n");
	strbuf_release(&name);
}

static void suite_xml(struct strbuf *out, const struct tcase *tc, size_t from, size_t to,
		      enum report_area a)
{
	size_t fail = 0, skip = 0;

	for (size_t i = from; i < to; i++) {
		enum status s = tc[i].worst->status;
		fail += s == STATUS_FAIL || s == STATUS_INVALID;
		skip += s == STATUS_WARN || s == STATUS_UNKNOWN;
	}
	strbuf_addf(out,
		    "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		    "skipped=\"%zu\" time=\"0\">\n",
		    report_area_name(a), to - from, fail, skip);
	for (size_t i = from; i < to; i++)
		testcase_xml(out, &tc[i], a);
	strbuf_addstr(out, "  </testsuite>\n");
}

void report_junit(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	struct report_model m;
	struct tcase *tc = xcalloc(r->n ? r->n : 1, sizeof(*tc));
	size_t n, fail = 0, skip = 0;

	(void)o;
	report_model_init(&m, r);
	n = group_cases(&m, tc);
	for (size_t i = 0; i < n; i++) {
		enum status s = tc[i].worst->status;
		fail += s == STATUS_FAIL || s == STATUS_INVALID;
		skip += s == STATUS_WARN || s == STATUS_UNKNOWN;
	}
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out,
		    "<testsuites name=\"kanon\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		    "skipped=\"%zu\" time=\"0\">\n",
		    n, fail, skip);
	for (size_t i = 0; i < n;) {
		enum report_area a = m.area[m.order[tc[i].first]];
		size_t j = i;
		while (j < n && m.area[m.order[tc[j].first]] == a)
			j++;
		suite_xml(out, tc, i, j, a);
		i = j;
	}
	strbuf_addstr(out, "</testsuites>\n");
	free(tc);
	report_model_release(&m);
}
