#ifndef KANON_FIX_H
#define KANON_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/sha256.h"
#include "core/strbuf.h"

/*
 * `kanon fix`: a plan of whole-file edits, shown as unified diffs and
 * written only with --apply (docs/fix.md). Editors (fix_text.c,
 * fix_yaml.c) turn a file's bytes into new bytes with a minimal textual
 * change; this file's functions read the files, show and write them.
 */

/* Largest file kanon fix reads or writes. */
#define FIX_MAX_FILE (4u << 20)

struct fix_file {
	char *path;    /* as the node names it (inside the root, or local) */
	char *display; /* for messages and diff headers */
	char *asked;   /* the path as asked for: a symlink to path, or path */
	struct strbuf old, new;
	bool exists; /* false: the plan creates the file */
	/* the backup's name starts with "." (.FILE.kanon-bak): in a static
	 * pod directory the kubelet runs every file not starting with "."
	 * as a Pod (pkg/kubelet/config/file.go extractFromDir globs "[^.]*") */
	bool hidden_backup;
	/* what the file was when read: compared again before writing */
	unsigned char hash[SHA256_LEN];
	struct stat st;
};

struct fix_plan {
	int rootfd; /* the node root (--root), or -1: paths as given */
	bool follow_symlinks;
	struct fix_file **f; /* stable pointers */
	size_t n, alloc;
};

void fix_plan_init(struct fix_plan *p, int rootfd, bool follow_symlinks);
void fix_plan_release(struct fix_plan *p);

/*
 * The plan's entry for path, read when first asked for (its new content
 * starts as a copy of the old). A symlink is refused unless the plan
 * follows symlinks (then the entry is the link's target, inside the
 * root); so is anything but a regular file, or a file over FIX_MAX_FILE.
 * With create, a missing file gives an empty entry that --apply creates.
 * Returns NULL with *e set.
 */
struct fix_file *fix_plan_file(struct fix_plan *p, const char *path, bool create, struct err *e);

bool fix_file_changed(const struct fix_file *f);
/* Files whose new content differs from the old. */
size_t fix_plan_changed(const struct fix_plan *p);

/* A unified diff (3 lines of context) of every changed file into out. */
void fix_plan_diff(const struct fix_plan *p, bool color, struct strbuf *out);
void fix_diff(struct strbuf *out, const char *name, const char *a, size_t alen, const char *b,
	      size_t blen, bool color);

struct fix_apply_opts {
	const char *backup_dir; /* NULL: FILE.kanon-bak beside the file */
};

/*
 * Write every changed file: the original kept as a backup, a temporary
 * file in the same directory written, given the original's owner, group
 * and mode, fsync'ed and renamed over the file, then the directory
 * fsync'ed. Every file is checked first (still what was read, not a
 * symlink); nothing is written when one is not. Each line of log says
 * what happened to a file. Returns 0, or -1 with *e set (files written
 * before the failing one are named in log).
 *
 * KANON_TEST_FAIL_AT=POINT (tests only) makes the write fail at POINT:
 * after-backup, before-write (the temporary file created, empty),
 * after-write (half the bytes written), before-rename, after-rename;
 * KANON_TEST_CRASH_AT=POINT exits there at once (status 86) without any
 * cleanup, as a crash would; KANON_TEST_STOP_AT=POINT stops the process
 * there (SIGSTOP) for the test to kill it (SIGKILL);
 * KANON_TEST_TOUCH_BEFORE_APPLY=FILE appends to FILE before the checks,
 * as another writer would.
 */
int fix_plan_apply(struct fix_plan *p, const struct fix_apply_opts *o, struct strbuf *log,
		   struct err *e);

#endif
