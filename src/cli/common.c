#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "core/version.h"
#include "report/report.h"
#include "sources/file.h"
#include "sources/proc.h"
#include "core/banned.h"

void common_opts_init(struct common_opts *c)
{
	c->format = "text";
	c->output = NULL;
	c->fail_on = SEV_LOW;
	c->verbosity = 0;
	c->color = COLOR_AUTO;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kanon %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kanon %s --help' for more information.\n", cmd);
	return 2;
}

int bad_option(const char *cmd, char **argv, int optopt_val)
{
	extern int optind;
	const char *word = argv[optind - 1];

	if (optopt_val && optopt_val < 256)
		return usage_error(cmd, "option '-%c' is unknown or needs an argument",
				   optopt_val);
	return usage_error(cmd, "option '%s' is unknown or needs an argument",
			   word ? word : "?");
}

int common_opt_handle(struct common_opts *c, const char *cmd, const char *help,
		      int opt, const char *arg, int *exit_code)
{
	enum severity sev;

	switch (opt) {
	case 'f':
		if (!reporter_find(arg)) {
			*exit_code = usage_error(cmd, "unknown format '%s' (choose from %s)",
						 arg, reporter_names());
			return -1;
		}
		c->format = arg;
		return 1;
	case 'o':
		c->output = arg;
		return 1;
	case OPT_FAIL_ON:
		if (!strcmp(arg, "none")) {
			c->fail_on = -1;
		} else if (severity_parse(arg, &sev) == 0) {
			c->fail_on = (int)sev;
		} else {
			*exit_code = usage_error(cmd, "unknown severity '%s' for --fail-on "
						 "(info, low, medium, high, critical, none)", arg);
			return -1;
		}
		return 1;
	case 'q':
		c->verbosity = -1;
		return 1;
	case 'v':
		c->verbosity = 1;
		return 1;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			c->color = COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			c->color = COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			c->color = COLOR_NEVER;
		else {
			*exit_code = usage_error(cmd, "--color must be auto, always or "
						 "never, not '%s'", arg);
			return -1;
		}
		return 1;
	case OPT_VERSION:
		printf("kanon %s\n", KANON_VERSION);
		*exit_code = 0;
		return -1;
	case 'h':
		fputs(help, stdout);
		fputs("\n" COMMON_HELP, stdout);
		*exit_code = 0;
		return -1;
	}
	return 0;
}

static bool use_color(const struct common_opts *c)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (c->color == COLOR_ALWAYS)
		return true;
	if (c->color == COLOR_NEVER || c->output)
		return false;
	if (nc && *nc)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(STDOUT_FILENO);
}

int common_finish(const struct common_opts *c, struct result *res)
{
	static const char *const levels[] = { "error", "warning", "note" };
	const struct reporter *rep = reporter_find(c->format);
	struct report_opts ro = { use_color(c), c->verbosity };
	struct strbuf out = STRBUF_INIT;
	struct err e;
	int code = result_exit_code(res, c->fail_on);

	for (size_t i = 0; i < res->nd; i++) {
		if (res->d[i].level == DIAG_NOTE && c->verbosity < 1)
			continue;
		fprintf(stderr, "kanon: %s: %s\n", levels[res->d[i].level],
			res->d[i].text);
	}
	rep->write(&out, res, &ro);
	if (c->output) {
		if (file_write_atomic(c->output, out.buf, out.len,
				      res->nsec ? FILE_WRITE_PRIVATE : 0, &e) < 0) {
			fprintf(stderr, "kanon: error: %s\n", e.msg);
			code = 2;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len ||
		   fflush(stdout) != 0) {
		fprintf(stderr, "kanon: error: cannot write the report to "
			"standard output\n");
		code = 2;
	}
	strbuf_release(&out);
	return code;
}

size_t cli_each_process(const char *name, struct result *res, size_t *audited,
			void (*one)(long pid, const struct argv_list *argv, size_t nfound,
				    void *ctx),
			void *ctx)
{
	struct pid_list pids = { 0 };
	size_t n = proc_find(name, &pids);

	*audited = 0;
	for (size_t i = 0; i < n; i++) {
		struct argv_list argv;
		struct err e = { { 0 }, 0, { 0 } };

		argv_init(&argv);
		if (proc_read_cmdline(pids.v[i], &argv, &e) < 0) {
			result_diag(res, DIAG_WARNING, "%s", e.msg);
		} else {
			one(pids.v[i], &argv, n, ctx);
			(*audited)++;
		}
		argv_release(&argv);
	}
	pid_list_release(&pids);
	return n;
}
