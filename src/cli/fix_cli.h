#ifndef KANON_FIX_CLI_H
#define KANON_FIX_CLI_H

#include <stdbool.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/strbuf.h"

struct fix_plan;

/* What every `kanon fix TARGET` accepts besides its inputs. */
struct fix_opts {
	bool apply, follow_symlinks;
	const char *backup_dir;
};

#define FIX_OPTS(type, member)                                                                     \
	CLI_FLAG("apply", type, member.apply),                                                     \
	    CLI_FLAG("follow-symlinks", type, member.follow_symlinks),                             \
	    CLI_STR("backup-dir", type, member.backup_dir)

#define FIX_HELP                                                                                   \
	"Writing (the default is a dry run that shows the changes as a diff):\n"                   \
	"      --apply            write them: a temporary file beside each file,\n"                \
	"                         fsync, rename, fsync of the directory; owner,\n"                 \
	"                         group and mode kept; the original kept as\n"                     \
	"                         FILE.kanon-bak (a hard link to it)\n"                            \
	"      --backup-dir DIR   keep the originals in DIR instead\n"                             \
	"      --follow-symlinks  edit a symlink's target (inside --root); a\n"                    \
	"                         symlinked file is refused otherwise\n"                           \
	"      --color WHEN       color the diff: auto (on a terminal), always,\n"                 \
	"                         never\n"                                                         \
	"\n"                                                                                       \
	"Exit status: 0 changes shown or written, or nothing to change; 1 no\n"                    \
	"safe edit (the reason is shown, nothing written); 2 usage error,\n"                       \
	"unreadable input or a failed write.\n"

/*
 * kanon fix shows a diff, not a report: -f text only. Returns 0, or the
 * usage error's exit code (shown) for another format.
 */
int fix_text_only(const char *cmd, const struct common_opts *co);

/* Colors for the diff, by the rules of the reports (--color, NO_COLOR,
 * TERM=dumb, a terminal). */
bool fix_use_color(const struct common_opts *co);

/*
 * Show the plan's diff and notes; with --apply write it. Returns 0, or 2
 * with the error shown. *wrote tells whether files were written.
 */
int fix_finish(struct fix_plan *plan, const struct fix_opts *fo, const struct common_opts *co,
	       const char *notes, bool *wrote);

/* "kanon: cannot fix: MSG" on stderr (escaped); returns 1. */
int fix_refuse(const char *what, const struct err *e);

/* One line per rule whose status changed: "RULE  FAIL -> PASS". */
struct result;
void fix_show_flip(const struct result *before, const struct result *after);

int cmd_fix_kubelet(int argc, char **argv);
int cmd_fix_apiserver(int argc, char **argv);
int cmd_fix_rbac(int argc, char **argv);

#endif
