#ifndef KANON_SNAPSHOT_WRITE_H
#define KANON_SNAPSHOT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sha256;

/*
 * Writing a snapshot directory (`kanon collect`, docs/snapshot.md). The
 * directory must not exist (it is created 0700) or be empty; it is opened
 * once and every file is created below it by openat() with O_NOFOLLOW at
 * each component, so no symlink (one there before, or one a node's copy
 * holds) leads a write outside it. Files are written 0600 under a
 * temporary name and renamed into place (atomic per file).
 */
struct snapshot_writer {
	int dirfd;
	char *dir; /* as named, for messages */
	unsigned long ntmp;
	/* no fsync per file (kanon cluster writes thousands: one syncfs() at
	 * the end instead, or none for a temporary snapshot) */
	bool no_sync;
};

int snapshot_writer_open(struct snapshot_writer *w, const char *dir, struct err *e);
void snapshot_writer_close(struct snapshot_writer *w);

/*
 * Is rel a safe path below the snapshot: relative, components not empty,
 * "." or "..", no control characters (C0, DEL) or bytes that are not
 * printable ASCII? Node file names may be anything; kanon only copies the
 * ones it can name back without surprises.
 */
int snapshot_path_ok(const char *rel);

/*
 * prefix + "/" + the node path np (absolute, or relative to the
 * component's working directory), with repeated and "." components
 * dropped. NULL when the result is not snapshot_path_ok() (a ".." in np, a
 * control character). Caller frees.
 */
char *snapshot_node_path(const char *prefix, const char *np);

/* Write data as rel (parents created 0700, the file 0600). */
int snapshot_write(struct snapshot_writer *w, const char *rel, const void *data, size_t len,
		   struct err *e);

/*
 * Copy what fd holds, to its end, as rel; at most max bytes (more: -EFBIG,
 * nothing left behind). The bytes are added to *h (may be NULL) and
 * counted in *size.
 */
int snapshot_copy_fd(struct snapshot_writer *w, const char *rel, int fd, uint64_t max,
		     struct sha256 *h, uint64_t *size, struct err *e);

/* A symbolic link rel -> target (target kept as the node has it). */
int snapshot_symlink(struct snapshot_writer *w, const char *rel, const char *target, struct err *e);

#endif
