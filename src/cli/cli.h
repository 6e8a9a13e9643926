#ifndef KANON_CLI_H
#define KANON_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

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

/* A command's own long option; id is passed to the command's set(). */
/* What cli_parse() does with a command's option. */
enum cli_how {
	CLI_CALL,   /* call the command's set() with id */
	CLI_STRING, /* store the argument (const char *) at offset in ctx */
	CLI_TRUE,   /* set the bool at offset in ctx */
};

struct cli_opt {
	const char *name;
	int has_arg; /* no_argument or required_argument */
	enum cli_how how;
	size_t offset;
	int id;
};

/* Table entries: an option stored as is, a flag, one set() checks. */
#define CLI_STR(name, type, member)                                                                \
	{                                                                                          \
		name, required_argument, CLI_STRING, offsetof(type, member), 0                     \
	}
#define CLI_FLAG(name, type, member)                                                               \
	{                                                                                          \
		name, no_argument, CLI_TRUE, offsetof(type, member), 0                             \
	}
#define CLI_ARG(name, id)                                                                          \
	{                                                                                          \
		name, required_argument, CLI_CALL, 0, id                                           \
	}

/*
 * A command's options. cli_parse() handles the common ones and calls set()
 * for the others; set() returns 0, or an exit code (usage_error()) to stop.
 */
struct cli_cmd {
	const char *name;
	const char *help;
	const struct cli_opt *opts; /* ends with { NULL } */
	int (*set)(void *ctx, int id, const char *arg);
	/* Operands (after the options): at least one unless missing is
	 * NULL (the usage error otherwise), at most max (-1: any) */
	const char *missing;
	int max;
	const char *too_many; /* NULL: "unexpected argument 'X'" */
	/* What the command does with its parsed options and operands: add
	 * findings to res and return CLI_REPORT to have them reported with
	 * the common options, or return an exit code. */
	int (*run)(void *ctx, char **operands, int n, const struct common_opts *co,
		   struct result *res);
	/* The command's context: ctx_size bytes, zeroed, then init() (may be
	 * NULL); release() (may be NULL) frees what the options and run()
	 * left in it. */
	size_t ctx_size;
	void (*init)(void *ctx);
	void (*release)(void *ctx);
};

#define CLI_REPORT (-1)

/* An exit code from a step that may fail, or CLI_REPORT when it did not. */
static inline int cli_or_report(int code)
{
	return code ? code : CLI_REPORT;
}

/* A command from argv to exit code: cli_parse(), cmd->run(), the report. */
int cli_main(const struct cli_cmd *cmd, int argc, char **argv);

/*
 * Parse argv[1..] (argv[0] is the command name): common options into *co,
 * the command's into ctx, and check the number of operands. Returns the
 * index of the first operand, or -1 with *code set when the command must
 * stop (help, version: 0; usage error: 2).
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct common_opts *co, void *ctx,
	      int *code);

/* The process id of --pid: 0 and a usage error's exit code when bad. */
int cli_parse_pid(const char *cmd, const char *arg, long *pid);

#define COMMON_HELP                                                                                \
	"Common options:\n"                                                                        \
	"  -f, --format FORMAT    %s (text is the default)\n"                                      \
	"  -o, --output FILE      write the report to FILE (atomically)\n"                         \
	"      --fail-on SEV      exit 1 when a FAIL or INVALID finding is at\n"                   \
	"                         or above SEV: info, low (default), medium,\n"                    \
	"                         high, critical, or none\n"                                       \
	"  -q, --quiet            show only findings that are not PASS\n"                          \
	"  -v, --verbose          show evidence and fixes for PASS too\n"                          \
	"      --color WHEN       auto (default), always or never; NO_COLOR\n"                     \
	"                         in the environment turns auto off\n"                             \
	"      --version          print the version and exit\n"                                    \
	"  -h, --help             show this help\n"                                                \
	"\n"                                                                                       \
	"Exit status: 0 no FAIL at or above --fail-on; 1 there is one; 2 usage\n"                  \
	"error or unreadable input; 3 scan incomplete (UNKNOWN results).\n"

/* Usage error: prints "kanon CMD: msg" and a hint; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * "kanon: error: MSG" on stderr, MSG escaped as every text output is
 * (paths and names in it may come from hostile input). Returns 2.
 */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct argv_list;
/*
 * --cmdline TEXT as the command line of `program`: split as sh would, then
 * started at the program's word (a pasted `ps -ef` line, `hyperkube NAME`,
 * k3s's "Running kubelet ..." log line). Empty text, or the command line of
 * another program, is a usage error: returns 2 (0 when fine).
 */
int cli_cmdline(const char *cmd, const char *text, const char *program, struct argv_list *out);

/*
 * Print diagnostics to stderr, render the report in the chosen format to
 * stdout or --output, and return the exit code.
 */
int common_finish(const struct common_opts *c, struct result *res);

struct strbuf;
/* Write out to --output or standard output: 0, or 2 with an error shown. */
int cli_write(const struct common_opts *c, const struct strbuf *out, unsigned flags);

struct argv_list;
struct provider;

/* Called for each audited process: its command line, and its files. */
typedef void cli_process_fn(long pid, const struct argv_list *argv, const struct provider *files,
			    size_t nfound, void *ctx);

/*
 * Audit the process pid (--pid), or with pid 0 every running process
 * called `name` (/proc discovery; `hint` says what else to give when
 * there is none). one() gets each readable command line, a provider for
 * the files it names (/proc/PID/root and cwd) and the number of processes
 * found; an unreadable one becomes a warning. Returns 0, or 2 with an
 * error printed when nothing could be audited.
 */
int cli_run_process(long pid, const char *name, const char *hint, struct result *res,
		    cli_process_fn *one, void *ctx);

int cmd_kubelet(int argc, char **argv);
int cmd_apiserver(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_rbac(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
