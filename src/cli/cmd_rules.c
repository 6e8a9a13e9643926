#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/strbuf.h"
#include "report/report.h"
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

	(void)ctx, (void)operands, (void)n, (void)res;
	/* the rule list has no findings: the finding formats do not apply */
	if (strcmp(co.format, "text") && strcmp(co.format, "json"))
		return usage_error("rules", "-f %s does not apply to the rule list: text or json",
				   co.format);
	report_rules(&out, co.format, co.verbosity);
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
