/* `kanon rules`: the rule registry as text or JSON. */
#include <string.h>

#include "core/jsonw.h"
#include "core/rule.h"
#include "report/report.h"
#include "core/banned.h"

static void rule_json(struct jsonw *w, const struct check *c, const struct rule *r)
{
	char doc[256];

	jsonw_break(w, 2);
	jsonw_object_begin(w);
	jsonw_key(w, "id");
	jsonw_string(w, r->id);
	jsonw_key(w, "check");
	jsonw_string(w, c->name);
	jsonw_key(w, "severity");
	jsonw_string(w, severity_name(r->severity));
	jsonw_key(w, "title");
	jsonw_string(w, r->title);
	jsonw_key(w, "references");
	jsonw_array_begin(w);
	for (size_t j = 0; j < RULE_MAX_REFS && r->refs[j]; j++)
		jsonw_string(w, r->refs[j]);
	jsonw_array_end(w);
	jsonw_key(w, "doc");
	jsonw_string(w, rule_doc(r, doc, sizeof(doc)));
	jsonw_object_end(w);
}

static void rules_json(struct strbuf *out)
{
	struct jsonw w;

	report_json_begin(&w, out);
	jsonw_key(&w, "rules");
	jsonw_array_begin(&w);
	for (size_t c = 0; c < nchecks; c++)
		for (size_t i = 0; i < checks[c]->nrules; i++)
			rule_json(&w, checks[c], &checks[c]->rules[i]);
	/* the closing bracket has its own line here, unlike the findings */
	strbuf_addch(out, '\n');
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}

static void rules_text(struct strbuf *out, int verbosity)
{
	int width = 0;
	char doc[256];

	for (size_t c = 0; c < nchecks; c++)
		for (size_t i = 0; i < checks[c]->nrules; i++)
			if ((int)strlen(checks[c]->rules[i].id) > width)
				width = (int)strlen(checks[c]->rules[i].id);
	for (size_t c = 0; c < nchecks; c++) {
		for (size_t i = 0; i < checks[c]->nrules; i++) {
			const struct rule *r = &checks[c]->rules[i];
			strbuf_addf(out, "%-*s  %-9s ", width, r->id, severity_name(r->severity));
			strbuf_add_cleanstr(out, r->title);
			strbuf_addch(out, '\n');
			if (verbosity < 1)
				continue;
			for (size_t j = 0; j < RULE_MAX_REFS && r->refs[j]; j++) {
				strbuf_addf(out, "%*s  ", width, "");
				strbuf_add_cleanstr(out, r->refs[j]);
				strbuf_addch(out, '\n');
			}
			strbuf_addf(out, "%*s  ", width, "");
			strbuf_add_cleanstr(out, rule_doc(r, doc, sizeof(doc)));
			strbuf_addch(out, '\n');
		}
	}
}

void report_rules(struct strbuf *out, const char *format, int verbosity)
{
	if (!strcmp(format, "json"))
		rules_json(out);
	else
		rules_text(out, verbosity);
}
