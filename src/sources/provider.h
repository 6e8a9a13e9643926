#ifndef KANON_PROVIDER_H
#define KANON_PROVIDER_H

/*
 * Where the models get their inputs. A provider turns a path, as the
 * audited component names it, into bytes (a blob) or a clear error; it
 * also lists directories. Models never open files: they ask a provider.
 *
 *   provider_fs.c    the filesystem kanon runs on (paths as given)
 *   provider_root.c  a copy of a node's filesystem (--root DIR, a
 *                    snapshot's apiserver/<name>/root/): every path
 *                    resolved inside it
 *   provider_snapshot.c  a snapshot directory as the user assembled it
 *   provider_proc.c  a running process: absolute paths through
 *                    /proc/PID/root, relative ones through /proc/PID/cwd
 *
 * A new provider is one file: a `struct provider_ops` and a create
 * function that fills a `struct provider`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "sources/file.h"

/* Where a blob came from (provenance). */
enum provider_kind {
	PROVIDER_FS,	   /* a path on this machine, named by the user */
	PROVIDER_ROOT,	   /* below a node root (--root) */
	PROVIDER_SNAPSHOT, /* below a snapshot directory */
	PROVIDER_PROC,	   /* through /proc/PID */
	PROVIDER__COUNT
};

const char *provider_kind_name(enum provider_kind k);

/* Bytes of one input. data is NUL-terminated (not counted in len). */
struct blob {
	char *data;
	size_t len;
	char *name; /* display name, for evidence and messages */
	enum provider_kind kind;
};
void blob_release(struct blob *b);

struct provider;

struct provider_ops {
	const char *name;
	/*
	 * Open path with open(2) flags (O_CLOEXEC is added). Returns a file
	 * descriptor or -errno. Must not let the path leave the provider's
	 * root, whatever its symlinks and `..` say. NULL for a provider
	 * without files (HTTP): read() then gives the bytes, and listing or
	 * stat fails with -ENOTSUP.
	 */
	int (*open)(const struct provider *p, const char *path, int flags);
	/* Read path (at most max bytes) into out: for providers whose inputs
	 * are not files. NULL: provider_read() reads what open() returns. */
	int (*read)(const struct provider *p, const char *path, size_t max, struct strbuf *out,
		    struct err *e);
	/* Release what create() allocated beyond the fields of struct
	 * provider, which provider_destroy() releases (may be NULL). */
	void (*release)(struct provider *p);
};

struct provider {
	const struct provider_ops *ops;
	enum provider_kind kind;
	/* An error that create() met (the root is missing, /proc/PID is not
	 * readable), returned by every open so that each input says why. */
	int open_errno;
	int rootfd; /* the root or snapshot directory, opened once */
	int cwdfd;  /* provider_proc: where relative paths start */
	long pid;
	char *dir; /* the directory as shown in messages */
};

/* Constructors: one per provider file. destroy accepts NULL. */
const struct provider *provider_fs(void);
/* A snapshot directory (files shown as "DIR/path"). */
struct provider *provider_snapshot_create(const char *dir);
/*
 * A node root: dir, opened once, as the parent
 * provider (NULL: the local filesystem) names it. A dir that cannot be
 * opened still gives a provider: every read fails with the reason.
 */
struct provider *provider_root_create(const struct provider *parent, const char *dir);
struct provider *provider_proc_create(long pid);
void provider_destroy(struct provider *p);

/* Flags for provider_read. */
enum {
	/* The user named this file: a pipe, a terminal or a device is
	 * read as it is ("-", /dev/stdin, <(cmd)). Otherwise only a regular
	 * file is read; a FIFO or a device is refused without blocking. */
	PROVIDER_READ_NAMED = 1 << 0,
};

/*
 * Read path (at most max bytes) into *out. display names it in the blob
 * and in errors (NULL: path). "-" is standard input for the local
 * filesystem. Returns 0, or -errno with *e set ("cannot read 'x': why").
 */
int provider_read(const struct provider *p, const char *path, const char *display, size_t max,
		  unsigned flags, struct blob *out, struct err *e);

/*
 * Open path for reading, for inputs streamed rather than read whole (audit
 * logs): the same checks as provider_read() (a FIFO, a device or a socket
 * is refused unless PROVIDER_READ_NAMED), never leaving the provider's
 * root. Returns a blocking file descriptor, or -errno with *e set.
 */
int provider_open(const struct provider *p, const char *path, unsigned flags, struct err *e);

/*
 * How path is shown in evidence and messages: a snapshot's files as
 * "DIR/path" (DIR as the user named it); other providers show the path
 * as the audited component names it. Caller frees.
 */
char *provider_display(const struct provider *p, const char *path);

/* stat(2)/lstat(2) of path inside the provider. Returns 0 or -errno. */
int provider_stat(const struct provider *p, const char *path, struct stat *st);
int provider_lstat(const struct provider *p, const char *path, struct stat *st);
bool provider_is_dir(const struct provider *p, const char *path);
bool provider_exists(const struct provider *p, const char *path);

/*
 * Every file below dir, recursively, in the order Go's filepath.WalkDir
 * visits them (entries sorted by name byte-wise, a directory's contents
 * right after the directory; symlinks are not followed into
 * directories). Paths are relative to dir. Files that are not regular (a
 * FIFO, a device, a socket, or a symlink to one) are not listed: they go
 * to *skipped (may be NULL), relative to dir too, so that the caller can
 * warn. Returns 0 or -errno with *e set when dir (or a subdirectory)
 * cannot be read.
 */
int provider_list(const struct provider *p, const char *dir, struct path_list *out,
		  struct path_list *skipped, struct err *e);

/*
 * Open path below rootfd as if rootfd were "/": absolute symlinks and
 * `..` stay inside it. Relative paths start at startfd (rootfd, or a
 * directory below it). openat2(RESOLVE_IN_ROOT) when the kernel has it,
 * else a walk component by component. Returns an fd or -errno.
 */
int resolve_in_root(int rootfd, int startfd, const char *path, int flags);

/* Tests: 1 forces the component walk (as on kernels without openat2);
 * also set by KANON_NO_OPENAT2=1 in the environment. */
extern int resolve_force_fallback;

#endif
