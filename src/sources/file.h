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

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, then rename over path (over the file a symlink points to). A
 * device, a pipe and /dev/..., /proc/... paths such as /dev/stdout are
 * written directly. Returns 0 or -errno with *e set.
 */
int file_write_atomic(const char *path, const char *data, size_t len,
		      struct err *e);

#endif
