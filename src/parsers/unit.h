#ifndef KANON_UNIT_H
#define KANON_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "parsers/cmdline.h"
#include "parsers/envfile.h"

/*
 * systemd unit file syntax (a unit or a drop-in), as systemd's
 * config_parse() reads it (src/shared/conf-parser.c config_parse,
 * parse_line): [Section] headers; Key=Value assignments with whitespace
 * around key and value dropped; lines starting with '#' or ';' (after
 * whitespace) are comments, also in the middle of a continuation; a line
 * ending in an odd number of backslashes continues on the next line, the
 * backslash becoming a space.
 */
struct unit_assign {
	char *section; /* NULL: before any section header */
	char *key;
	char *value;
	int line; /* where the assignment starts (first line of a continuation) */
};

struct unit_msg {
	int line;
	char *text;
};

struct unit_file {
	struct unit_assign *a;
	size_t n, alloc;
	/* lines systemd ignores with a warning ("Missing '='") */
	struct unit_msg *warn;
	size_t nwarn, awarn;
};

/* A unit line (with its continuations) longer than this makes systemd
 * refuse the file (LONG_LINE_MAX in src/basic/fileio.h). */
#define UNIT_LINE_MAX (1u << 20)
/* Assignments kept from one file: more is refused (not modeled). */
#define UNIT_MAX_ASSIGN 4096

void unit_file_init(struct unit_file *u);
void unit_file_release(struct unit_file *u);
/*
 * Parse buf. Returns 0, or -1 with *e set (line, reason) when systemd
 * fails to load the file: a line longer than UNIT_LINE_MAX, an invalid
 * section header.
 */
int unit_parse(const char *buf, size_t len, struct unit_file *out, struct err *e);

/* How unit_split_words() reads a value (extract_first_word() flags). */
enum {
	/* C escapes: \n \t \x41 \101 \u00e9 ... (EXTRACT_CUNESCAPE); an
	 * unknown escape is an error */
	UNIT_SPLIT_CUNESCAPE = 1 << 0,
	/* an unknown escape stays as written (extract_first_word_and_warn's
	 * retry with EXTRACT_CUNESCAPE_RELAX) */
	UNIT_SPLIT_ESCAPE_RELAX = 1 << 1,
	/* an unterminated quote or trailing backslash ends the word
	 * (EXTRACT_RELAX) instead of being an error */
	UNIT_SPLIT_RELAX = 1 << 2,
};

/*
 * Split a value into words as systemd's extract_first_word() does
 * (src/basic/extract-word.c) with EXTRACT_UNQUOTE and flags: whitespace
 * separates words; quotes may start anywhere in a word and "" is an
 * empty word; a backslash takes the next character as it is (or, with
 * UNIT_SPLIT_CUNESCAPE, as a C escape). Returns 0, or -1 with *e set.
 */
int unit_split_words(const char *s, unsigned flags, struct argv_list *out, struct err *e);

/*
 * Resolve the unit specifiers in s (src/core/unit-printf.c) for the unit
 * name (e.g. "kubelet.service"): %% %n %N %p %i %I %j. Any other
 * specifier depends on the running host and is not modeled: -2 with *e.
 */
int unit_specifiers(const char *s, const char *unit, struct strbuf *out, struct err *e);

/* ExecStart= prefixes (load-fragment.c config_parse_exec). */
enum {
	UNIT_EXEC_IGNORE = 1 << 0,     /* '-' */
	UNIT_EXEC_ARGV0 = 1 << 1,      /* '@': the second word is argv[0] */
	UNIT_EXEC_NO_ENV = 1 << 2,     /* ':': no environment expansion */
	UNIT_EXEC_PRIVILEGED = 1 << 3, /* '+', '!', '!!' */
	UNIT_EXEC_SHELL = 1 << 4,      /* '|': run through a shell (v258+) */
};

/* One command of an ExecStart= line: the executable and the words. */
struct unit_cmd {
	unsigned flags;
	char *path;	       /* the executable as written (prefixes removed) */
	struct argv_list argv; /* argv[0] first; not yet expanded */
};

void unit_cmd_release(struct unit_cmd *c);

/*
 * Parse a non-empty ExecStart= value into commands (a ";" word separates
 * commands, "\;" is a literal ";"). Specifiers are resolved for unit.
 * Returns the number of commands added to *cmds (n, alloc as ALLOC_GROW),
 * -1 with *e set when systemd would reject the line, or -2 when a
 * specifier is not modeled.
 */
int unit_exec_parse(const char *value, const char *unit, struct unit_cmd **cmds, size_t *n,
		    size_t *alloc, struct err *e);

/* Commands one ExecStart= line may hold (';'-separated): more is refused. */
#define UNIT_MAX_CMDS 64

/* Bounds on what one command line expands to. */
#define UNIT_EXPAND_MAX_BYTES (1u << 20)
#define UNIT_EXPAND_MAX_WORDS 65536

/*
 * Expand environment variables in the words of a command as systemd does
 * when it starts it (src/basic/env-util.c replace_env_argv): a word that
 * is "$NAME" as a whole becomes the variable's value split at whitespace
 * (with quotes removed: EXTRACT_RELAX|EXTRACT_UNQUOTE), zero words when
 * unset; elsewhere "${NAME}" is replaced by the value as one piece of the
 * word, "$$" by "$", and any other '$' stays. Each word of out gets an
 * origin: where its text was written (the variable's file:line with a note
 * "$NAME in ExecStart (UNIT:LINE)", or the word's own origin in `in`).
 * Names of unset variables go to unset (may be NULL). Returns 0, or -1
 * with *e set when the result passes the bounds above.
 */
int unit_expand_argv(const struct argv_list *in, const struct env_list *env, struct argv_list *out,
		     struct argv_list *unset, struct err *e);

#endif
