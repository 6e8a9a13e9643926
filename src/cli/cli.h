#ifndef KANON_CLI_H
#define KANON_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "core/finding.h"

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* Options every command accepts. */
struct common_opts {
	const char *format;
	const char *output;
	int fail_on; /* severity, or -1 for none */
	int verbosity;
	enum color_mode color;
};

enum {
	OPT_FAIL_ON = 1000,
	OPT_COLOR,
	OPT_VERSION,
	OPT_CMD_BASE = 1100, /* commands number their own long options from here */
};

#define COMMON_SHORTOPTS "f:o:qvh"
#define COMMON_LONGOPTS                                        \
	{ "format", required_argument, NULL, 'f' },            \
	{ "output", required_argument, NULL, 'o' },            \
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },   \
	{ "quiet", no_argument, NULL, 'q' },                   \
	{ "verbose", no_argument, NULL, 'v' },                 \
	{ "color", required_argument, NULL, OPT_COLOR },       \
	{ "version", no_argument, NULL, OPT_VERSION },         \
	{ "help", no_argument, NULL, 'h' }

#define COMMON_HELP                                                          \
	"Common options:\n"                                                      \
	"  -f, --format FORMAT    text (default) or json\n"                      \
	"  -o, --output FILE      write the report to FILE (atomically)\n"       \
	"      --fail-on SEV      exit 1 when a FAIL or INVALID finding is at\n" \
	"                         or above SEV: info, low (default), medium,\n"  \
	"                         high, critical, or none\n"                     \
	"  -q, --quiet            show only findings that are not PASS\n"        \
	"  -v, --verbose          show evidence and fixes for PASS too\n"        \
	"      --color WHEN       auto (default), always or never; NO_COLOR\n"   \
	"                         in the environment turns auto off\n"          \
	"      --version          print the version and exit\n"                  \
	"  -h, --help             show this help\n"                              \
	"\n"                                                                     \
	"Exit status: 0 no FAIL at or above --fail-on; 1 there is one; 2 usage\n" \
	"error or unreadable input; 3 scan incomplete (UNKNOWN results).\n"

void common_opts_init(struct common_opts *c);

/*
 * Handle opt if it is a common option. Returns 1 when handled, 0 when it
 * is not a common option, and 2 or 0-exit codes through *exit_code when
 * the command must stop (help, version, usage error): then returns -1.
 */
int common_opt_handle(struct common_opts *c, const char *cmd, const char *help,
		      int opt, const char *arg, int *exit_code);

/* Usage error: prints "kanon CMD: msg" and a hint; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Print diagnostics to stderr, render the report in the chosen format to
 * stdout or --output, and return the exit code.
 */
int common_finish(const struct common_opts *c, struct result *res);

struct argv_list;

/*
 * Audit every running process called `name` (/proc discovery): one() is
 * called with each readable command line and the number of processes
 * found; an unreadable one becomes a warning. Returns that number (0: no
 * such process) and sets *audited to how many were passed to one().
 */
size_t cli_each_process(const char *name, struct result *res, size_t *audited,
			void (*one)(long pid, const struct argv_list *argv, size_t nfound,
				    void *ctx),
			void *ctx);

/* Report an unknown option from getopt (opterr is off). */
int bad_option(const char *cmd, char **argv, int optopt_val);

int cmd_kubelet(int argc, char **argv);
int cmd_apiserver(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_rbac(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
