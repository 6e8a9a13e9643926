#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "core/version.h"
#include "sources/file.h"
#include "core/banned.h"

static const char help[] =
	"usage: kanon rules [options]\n"
	"\n"
	"List every rule: id, default severity and title; with -v (and in\n"
	"-f json) also its references and documentation page.\n";

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
	int width = 0;
	struct err e;

	common_opts_init(&co);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "rules", help, opt, optarg, &code);
		if (h < 0)
			return code;
		if (h == 0)
			return bad_option("rules", argv, optopt);
	}
	if (optind < argc)
		return usage_error("rules", "unexpected argument '%s'", argv[optind]);
	json = !strcmp(co.format, "json");
	for (size_t c = 0; c < nchecks; c++)
		for (size_t i = 0; i < checks[c]->nrules; i++)
			if ((int)strlen(checks[c]->rules[i].id) > width)
				width = (int)strlen(checks[c]->rules[i].id);
	if (json)
		strbuf_addstr(&out, "{\"tool\":{\"name\":\"kanon\",\"version\":\""
			      KANON_VERSION "\"},\"rules\":[");
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
	if (co.output) {
		if (file_write_atomic(co.output, out.buf, out.len, 0, &e) < 0) {
			fprintf(stderr, "kanon: error: %s\n", e.msg);
			code = 2;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "kanon: error: cannot write the report to standard output\n");
		code = 2;
	}
	strbuf_release(&out);
	return code;
}
