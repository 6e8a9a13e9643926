#include <string.h>

#include "core/rule.h"
#include "core/util.h"
#include "core/version.h"
#include "report/report.h"
#include "core/banned.h"

static void str_or_null(struct strbuf *out, const char *s)
{
	if (s)
		strbuf_add_json_str(out, s);
	else
		strbuf_addstr(out, "null");
}

static void evidence_json(struct strbuf *out, const struct evidence *e)
{
	strbuf_addstr(out, "{\"source\":");
	strbuf_add_json_str(out, e->kind);
	strbuf_addstr(out, ",\"path\":");
	str_or_null(out, e->path);
	strbuf_addstr(out, ",\"line\":");
	if (e->line)
		strbuf_addf(out, "%d", e->line);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"key\":");
	str_or_null(out, e->key);
	strbuf_addstr(out, ",\"value\":");
	str_or_null(out, e->value);
	strbuf_addstr(out, ",\"note\":");
	str_or_null(out, e->note);
	strbuf_addch(out, '}');
}

static void finding_json(struct strbuf *out, const struct finding *f)
{
	char doc[256];

	strbuf_addstr(out, "    {\"rule\":");
	strbuf_add_json_str(out, f->rule->id);
	strbuf_addstr(out, ",\"status\":");
	strbuf_add_json_str(out, status_name(f->status));
	strbuf_addstr(out, ",\"severity\":");
	strbuf_add_json_str(out, severity_name(f->severity));
	strbuf_addstr(out, ",\"title\":");
	strbuf_add_json_str(out, f->rule->title);
	strbuf_addstr(out, ",\"target\":");
	strbuf_add_json_str(out, f->target);
	strbuf_addstr(out, ",\n     \"message\":");
	strbuf_add_json_str(out, f->message);
	strbuf_addstr(out, ",\n     \"evidence\":[");
	for (size_t j = 0; j < f->nev; j++) {
		strbuf_addstr(out, j ? ",\n       " : "\n       ");
		evidence_json(out, &f->ev[j]);
	}
	strbuf_addstr(out, "],\n     \"remediation\":");
	str_or_null(out, f->remediation);
	strbuf_addstr(out, ",\n     \"references\":[");
	for (size_t j = 0; j < RULE_MAX_REFS && f->rule->refs[j]; j++) {
		if (j)
			strbuf_addch(out, ',');
		strbuf_add_json_str(out, f->rule->refs[j]);
	}
	strbuf_addstr(out, "],\"doc\":");
	strbuf_add_json_str(out, rule_doc(f->rule, doc, sizeof(doc)));
	strbuf_addch(out, '}');
}

void report_json(struct strbuf *out, const struct result *r,
		 const struct report_opts *o)
{
	static const char *const levels[] = { "error", "warning", "note" };
	size_t counts[STATUS__COUNT];

	(void)o;
	strbuf_addstr(out, "{\"tool\":{\"name\":\"kanon\",\"version\":");
	strbuf_add_json_str(out, KANON_VERSION);
	strbuf_addstr(out, "},\n \"findings\":[");
	for (size_t i = 0; i < r->n; i++) {
		strbuf_addstr(out, i ? ",\n" : "\n");
		finding_json(out, &r->f[i]);
	}
	result_count(r, counts);
	strbuf_addf(out, "],\n \"summary\":{\"pass\":%zu,\"fail\":%zu,\"warn\":%zu,"
		    "\"unknown\":%zu,\"invalid\":%zu},\n \"diagnostics\":[",
		    counts[STATUS_PASS], counts[STATUS_FAIL], counts[STATUS_WARN],
		    counts[STATUS_UNKNOWN], counts[STATUS_INVALID]);
	for (size_t i = 0; i < r->nd; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_addstr(out, "\n  {\"level\":");
		strbuf_add_json_str(out, levels[r->d[i].level]);
		strbuf_addstr(out, ",\"message\":");
		strbuf_add_json_str(out, r->d[i].text);
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ']');
	for (size_t i = 0; i < r->nsec; i++) {
		strbuf_addstr(out, ",\n ");
		strbuf_add_json_str(out, r->sec[i].key);
		strbuf_addch(out, ':');
		r->sec[i].json(out, r->sec[i].data);
	}
	strbuf_addstr(out, "}\n");
}
