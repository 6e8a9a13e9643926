#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/rule.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "parsers/cmdline.h"
#include "report/report.h"
#include "sources/file.h"
#include "sources/proc.h"
#include "sources/provider.h"
#include "core/banned.h"

enum {
	OPT_FAIL_ON = 1000,
	OPT_COLOR,
	OPT_VERSION,
	OPT_CMD_BASE = 1100, /* a command's options: OPT_CMD_BASE + index */
};

static const struct option common_longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
};

static void common_opts_init(struct common_opts *c)
{
	c->format = "text";
	c->output = NULL;
	c->fail_on = SEV_LOW;
	c->verbosity = 0;
	c->color = COLOR_AUTO;
}

/* fmt and its arguments, escaped, on stderr after prefix. */
static void eprint_clean(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf raw = STRBUF_INIT, clean = STRBUF_INIT;

	strbuf_vaddf(&raw, fmt, ap);
	strbuf_add_clean(&clean, raw.buf, raw.len);
	fprintf(stderr, "%s%s\n", prefix, strbuf_str(&clean));
	strbuf_release(&raw);
	strbuf_release(&clean);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	struct strbuf prefix = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&prefix, "kanon %s: ", cmd);
	va_start(ap, fmt);
	eprint_clean(prefix.buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'kanon %s --help' for more information.\n", cmd);
	strbuf_release(&prefix);
	return 2;
}

int cli_cmdline(const char *cmd, const char *text, const char *program, struct argv_list *out)
{
	struct err e = { 0 };

	if (cmdline_split(text, out, &e) < 0)
		return usage_error(cmd, "--cmdline: %s", e.msg);
	/* what "$(ps -o args= -C kubelet)" gives when none runs */
	if (!out->n)
		return usage_error(cmd,
				   "--cmdline is empty: give the %s command line "
				   "(is %s running?)",
				   program, program);
	if (cmdline_locate(out, program) < 0)
		return usage_error(cmd,
				   "--cmdline: '%s' is not a %s command line (no word "
				   "'%s' or 'hyperkube %s' before the flags)",
				   text, program, program, program);
	return 0;
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	eprint_clean("kanon: error: ", fmt, ap);
	va_end(ap);
	return 2;
}

/* An unknown option, or one without its argument (opterr is off). */
static int bad_option(const char *cmd, char **argv)
{
	const char *word = argv[optind - 1];

	if (optopt && optopt < 256)
		return usage_error(cmd, "option '-%c' is unknown or needs an argument", optopt);
	return usage_error(cmd, "option '%s' is unknown or needs an argument", word ? word : "?");
}

static int set_fail_on(struct common_opts *c, const char *cmd, const char *arg)
{
	enum severity sev;

	if (!strcmp(arg, "none")) {
		c->fail_on = -1;
	} else if (severity_parse(arg, &sev) == 0) {
		c->fail_on = (int)sev;
	} else {
		return usage_error(cmd,
				   "unknown severity '%s' for --fail-on "
				   "(info, low, medium, high, critical, none)",
				   arg);
	}
	return 0;
}

static int set_color(struct common_opts *c, const char *cmd, const char *arg)
{
	if (!strcmp(arg, "auto"))
		c->color = COLOR_AUTO;
	else if (!strcmp(arg, "always"))
		c->color = COLOR_ALWAYS;
	else if (!strcmp(arg, "never"))
		c->color = COLOR_NEVER;
	else
		return usage_error(cmd, "--color must be auto, always or never, not '%s'", arg);
	return 0;
}

/* A common option: 0 to go on, or the exit code (-1 for 0) to stop with. */
static int common_opt(struct common_opts *c, const struct cli_cmd *cmd, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		if (!reporter_find(arg))
			return usage_error(cmd->name, "unknown format '%s' (choose from %s)", arg,
					   reporter_names());
		c->format = arg;
		return 0;
	case 'o':
		c->output = arg;
		return 0;
	case OPT_FAIL_ON:
		return set_fail_on(c, cmd->name, arg);
	case 'q':
		c->verbosity = -1;
		return 0;
	case 'v':
		c->verbosity = 1;
		return 0;
	case OPT_COLOR:
		return set_color(c, cmd->name, arg);
	case OPT_VERSION:
		printf("kanon %s\n", KANON_VERSION);
		return -1;
	case 'h':
		fputs(cmd->help, stdout);
		/* the formats come from the reporter table */
		printf("\n" COMMON_HELP, reporter_names());
		return -1;
	}
	return 2;
}

/* A command's own option: stored in ctx, or checked by its set(). */
static int cmd_opt(const struct cli_cmd *cmd, const struct cli_opt *o, void *ctx, const char *arg)
{
	char *at = (char *)ctx + o->offset;

	switch (o->how) {
	case CLI_STRING:
		memcpy(at, &arg, sizeof(arg));
		return 0;
	case CLI_TRUE:
		*(bool *)at = true;
		return 0;
	case CLI_CALL:
		break;
	}
	return cmd->set(ctx, o->id, arg);
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct common_opts *co, void *ctx,
	      int *code)
{
	size_t ncommon = ARRAY_SIZE(common_longopts), n = 0;
	struct option *longopts;
	int opt;

	common_opts_init(co);
	while (cmd->opts && cmd->opts[n].name)
		n++;
	longopts = xcalloc(ncommon + n + 1, sizeof(*longopts));
	memcpy(longopts, common_longopts, sizeof(common_longopts));
	for (size_t i = 0; i < n; i++) {
		longopts[ncommon + i].name = cmd->opts[i].name;
		longopts[ncommon + i].has_arg = cmd->opts[i].has_arg;
		longopts[ncommon + i].val = OPT_CMD_BASE + (int)i;
	}
	*code = 0;
	optind = 1;
	opterr = 0;
	while (!*code && (opt = getopt_long(argc, argv, "f:o:qvh", longopts, NULL)) != -1) {
		if (opt >= OPT_CMD_BASE && opt < OPT_CMD_BASE + (int)n)
			*code = cmd_opt(cmd, &cmd->opts[opt - OPT_CMD_BASE], ctx, optarg);
		else if (opt == '?' || opt == ':')
			*code = bad_option(cmd->name, argv);
		else
			*code = common_opt(co, cmd, opt, optarg);
	}
	free(longopts);
	if (!*code && cmd->missing && optind >= argc)
		*code = usage_error(cmd->name, "%s", cmd->missing);
	else if (!*code && cmd->max >= 0 && argc - optind > cmd->max)
		*code = cmd->too_many ? usage_error(cmd->name, "%s", cmd->too_many)
				      : usage_error(cmd->name, "unexpected argument '%s'",
						    argv[optind + cmd->max]);
	if (*code) {
		if (*code < 0)
			*code = 0;
		return -1;
	}
	return optind;
}

/* Diagnostics to stderr; notes only with notes set (-v, or a stop). */
static void diag_print(const struct result *res, bool notes)
{
	static const char *const levels[] = {"error", "warning", "note"};
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < res->nd; i++) {
		if (res->d[i].level == DIAG_NOTE && !notes)
			continue;
		/* names and paths in diagnostics come from the input too */
		strbuf_add_cleanstr(&out, res->d[i].text);
		fprintf(stderr, "kanon: %s: %s\n", levels[res->d[i].level], out.buf);
		strbuf_reset(&out);
	}
	strbuf_release(&out);
}

/* Wall-clock microseconds since the epoch: the run's times in the metrics. */
static int64_t now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int cli_main(const struct cli_cmd *cmd, int argc, char **argv)
{
	void *ctx = cmd->ctx_size ? xcalloc(1, cmd->ctx_size) : NULL;
	struct common_opts co;
	struct result res;
	int code, first;

	if (cmd->init)
		cmd->init(ctx);
	result_init(&res);
	first = cli_parse(cmd, argc, argv, &co, ctx, &code);
	res.started_us = now_us();
	if (first >= 0)
		code = cmd->run(ctx, argv + first, argc - first, &co, &res);
	res.finished_us = now_us();
	if (code == CLI_REPORT)
		code = common_finish(&co, &res);
	else if (first >= 0)
		/* the command stopped: what it noted on the way explains why */
		diag_print(&res, true);
	result_release(&res);
	if (cmd->release)
		cmd->release(ctx);
	free(ctx);
	return code;
}

int cli_parse_pid(const char *cmd, const char *arg, long *pid)
{
	long long v;

	if (parse_int(arg, 1, 1LL << 31, &v))
		return usage_error(cmd, "--pid needs a process id, not '%s'", arg);
	*pid = (long)v;
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
	const struct reporter *rep = reporter_find(c->format);
	struct report_opts ro = {use_color(c), c->verbosity};
	struct strbuf out = STRBUF_INIT;
	int code = result_exit_code(res, c->fail_on);

	diag_print(res, c->verbosity >= 1);
	rep->write(&out, res, &ro);
	if (cli_write(c, &out, res->nsec ? FILE_WRITE_PRIVATE : 0))
		code = 2;
	strbuf_release(&out);
	return code;
}

int cli_write(const struct common_opts *c, const struct strbuf *out, unsigned flags)
{
	struct err e;

	if (c->output) {
		if (file_write_atomic(c->output, out->buf, out->len, flags, &e) < 0)
			return cli_error("%s", e.msg);
	} else if (fwrite(out->buf, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
		fprintf(stderr, "kanon: error: cannot write the report to "
				"standard output\n");
		return 2;
	}
	return 0;
}

/* One process: its command line and a provider for its files. */
static int run_pid(long pid, size_t nfound, cli_process_fn *one, void *ctx, struct err *e)
{
	struct argv_list argv;
	struct provider *files;

	argv_init(&argv);
	if (proc_read_cmdline(pid, &argv, e) < 0) {
		argv_release(&argv);
		return -1;
	}
	files = provider_proc_create(pid);
	one(pid, &argv, files, nfound, ctx);
	provider_destroy(files);
	argv_release(&argv);
	return 0;
}

int cli_run_process(long pid, const char *name, const char *hint, struct result *res,
		    cli_process_fn *one, void *ctx)
{
	struct err e = { 0 };
	struct pid_list pids = {0};
	size_t n, audited = 0;

	if (pid) {
		if (run_pid(pid, 1, one, ctx, &e) == 0)
			return 0;
		return cli_error("%s", e.msg);
	}
	n = proc_find(name, &pids);
	for (size_t i = 0; i < n; i++) {
		if (run_pid(pids.v[i], n, one, ctx, &e) < 0)
			result_diag(res, DIAG_WARNING, "%s", e.msg);
		else
			audited++;
	}
	pid_list_release(&pids);
	if (!n)
		cli_error("no running %s found in /proc; %s", name, hint);
	else if (!audited)
		cli_error("found %s processes but could not read any command line", name);
	return audited ? 0 : 2;
}
