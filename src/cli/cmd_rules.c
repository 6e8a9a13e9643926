#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "core/version.h"
#include "sources/file.h"
#include "core/banned.h"

static const char help[] = "usage: kanon rules [options]\n"
			   "\n"
			   "List every rule: id, default severity and title; with -v (and in\n"
			   "-f json) also its references and documentation page.\n";

static int run(void *ctx, char **operands, int n, const struct common_opts *opts,
	       struct result *res)
{
	const struct common_opts co = *opts;
	struct strbuf out = STRBUF_INIT;
	int code;
	bool json;
	char doc[256];
	int width = 0;

	(void)ctx, (void)operands, (void)n, (void)res;
	json = !strcmp(co.format, "json");
	for (size_t c = 0; c < nchecks; c++)
		for (size_t i = 0; i < checks[c]->nrules; i++)
			if ((int)strlen(checks[c]->rules[i].id) > width)
				width = (int)strlen(checks[c]->rules[i].id);
	if (json)
		strbuf_addstr(&out, "{\"tool\":{\"name\":\"kanon\",\"version\":\"" KANON_VERSION
				    "\"},\"rules\":[");
	for (size_t c = 0, k = 0; c < nchecks; c++) {
		for (size_t i = 0; i < checks[c]->nrules; i++, k++) {
			const struct rule *r = &checks[c]->rules[i];
			if (json) {
				strbuf_addstr(&out, k ? ",\n  {\"id\":" : "\n  {\"id\":");
				strbuf_add_json_str(&out, r->id);
				strbuf_addstr(&out, ",\"check\":");
				strbuf_add_json_str(&out, checks[c]->name);
				strbuf_addstr(&out, ",\"severity\":");
				strbuf_add_json_str(&out, severity_name(r->severity));
				strbuf_addstr(&out, ",\"title\":");
				strbuf_add_json_str(&out, r->title);
				strbuf_addstr(&out, ",\"references\":[");
				for (size_t j = 0; j < RULE_MAX_REFS && r->refs[j]; j++) {
					if (j)
						strbuf_addch(&out, ',');
					strbuf_add_json_str(&out, r->refs[j]);
				}
				strbuf_addstr(&out, "],\"doc\":");
				strbuf_add_json_str(&out, rule_doc(r, doc, sizeof(doc)));
				strbuf_addch(&out, '}');
			} else {
				strbuf_addf(&out, "%-*s  %-9s %s\n", width, r->id,
					    severity_name(r->severity), r->title);
				if (co.verbosity < 1)
					continue;
				for (size_t j = 0; j < RULE_MAX_REFS && r->refs[j]; j++)
					strbuf_addf(&out, "%*s  %s\n", width, "", r->refs[j]);
				strbuf_addf(&out, "%*s  %s\n", width, "",
					    rule_doc(r, doc, sizeof(doc)));
			}
		}
	}
	if (json)
		strbuf_addstr(&out, "\n]}\n");
	code = cli_write(&co, &out, 0);
	strbuf_release(&out);
	return code;
}

static const struct cli_cmd rules_cmd = {
    .name = "rules",
    .help = help,
    .run = run,
};

int cmd_rules(int argc, char **argv)
{
	return cli_main(&rules_cmd, argc, argv);
}
