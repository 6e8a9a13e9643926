#ifndef KANON_FILE_H
#define KANON_FILE_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

/* Configuration inputs are small; anything bigger is not what we expect. */
#define FILE_MAX_CONFIG (16u << 20)

/*
 * Read a whole file (or standard input for "-") of at most max bytes into
 * sb. `display` names the file in errors (NULL: path). On failure *e holds
 * "cannot read 'x': reason" and the errno is returned negated.
 */
int file_read(const char *path, const char *display, size_t max,
	      struct strbuf *sb, struct err *e);

/* Read from an open descriptor until EOF; name is for errors. */
int file_read_fd(int fd, const char *name, size_t max, struct strbuf *sb,
		 struct err *e);

/* Is path a directory / a regular file (following symlinks)? */
int file_is_dir(const char *path);
int file_exists(const char *path);

/* A list of owned strings (provider_list() fills one). */
struct path_list {
	char **v;
	size_t n, alloc;
};
void path_list_release(struct path_list *l);

/* file_write_atomic() flags: a new file gets mode 0600 (audit data). */
#define FILE_WRITE_PRIVATE 1u

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, then rename over path. An existing file keeps its mode (and, as
 * root, its owner); a new one gets 0666 & ~umask, or 0600 with
 * FILE_WRITE_PRIVATE. Only a regular file is replaced: a symlink, a FIFO,
 * a device or a directory at path is refused with an error naming it. "-"
 * writes to standard output. Returns 0 or -errno with *e set.
 */
int file_write_atomic(const char *path, const char *data, size_t len, unsigned flags,
		      struct err *e);

#endif
