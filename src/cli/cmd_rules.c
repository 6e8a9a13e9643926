#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "core/banned.h"

static const char help[] =
	"usage: kanon rules [options]\n"
	"\n"
	"List every rule: id, default severity, title, references and doc page.\n";

int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts co;
	struct strbuf out = STRBUF_INIT;
	int opt, code = 0;
	bool json;
	char doc[256];

	common_opts_init(&co);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "rules", help, opt, optarg, &code);
		if (h < 0)
			return code;
		if (h == 0)
			return bad_option("rules", argv, optopt);
	}
	json = !strcmp(co.format, "json");
	if (json)
		strbuf_addstr(&out, "{\"rules\":[");
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
				strbuf_addf(&out, "%-30s %-9s %s\n", r->id,
					    severity_name(r->severity), r->title);
			}
		}
	}
	if (json)
		strbuf_addstr(&out, "\n]}\n");
	fputs(out.buf, stdout);
	strbuf_release(&out);
	return 0;
}
