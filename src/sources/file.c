#include "sources/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "core/banned.h"

int file_read_fd(int fd, const char *name, size_t max, struct strbuf *sb,
		 struct err *e)
{
	char buf[65536];
	ssize_t got;
	int ret = 0;

	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if (sb->len + (size_t)got > max) {
			ret = -EFBIG;
			err_set(e, NULL, 0, "cannot read '%s': larger than %zu bytes", name,
				(size_t)max);
			break;
		}
		strbuf_add(sb, buf, (size_t)got);
	}
	if (!sb->buf)
		strbuf_addstr(sb, "");
	return ret;
}

int file_read(const char *path, const char *display, size_t max,
	      struct strbuf *sb, struct err *e)
{
	const char *name = display ? display : path;
	int fd, ret;

	if (!strcmp(path, "-"))
		fd = STDIN_FILENO;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(errno));
		if (!sb->buf)
			strbuf_addstr(sb, "");
		return ret;
	}
	ret = file_read_fd(fd, name, max, sb, e);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

int file_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

void path_list_release(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * A terminal, pipe or device (-o /dev/stdout) cannot be renamed over. A
 * regular file reached through /dev/stdout is reopened at offset 0, so
 * append: after `>` it is empty, after `>>` its lines are kept.
 */
static int write_direct(const char *path, const char *data, size_t len, struct err *e)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	err_set(e, NULL, 0, "cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int file_write_atomic(const char *path, const char *data, size_t len,
		      struct err *e)
{
	struct strbuf tmp = STRBUF_INIT;
	struct stat st;
	char *real = NULL;
	const char *user_path = path;
	mode_t um;
	int fd, ret = 0;
	size_t off = 0;

	if ((stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) ||
	    !strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6))
		return write_direct(path, data, len, e) < 0 ? -EIO : 0;
	/* replace what a symlink points to, not the link */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)))
		path = real;
	strbuf_addf(&tmp, "%s.kanon-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		ret = -errno;
		err_set(e, NULL, 0, "cannot write '%s': %s", user_path, strerror(errno));
		goto out;
	}
	um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0)
		goto fail;
	goto out;
fail:
	ret = -errno;
	err_set(e, NULL, 0, "cannot write '%s': %s", user_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	free(real);
	return ret;
}
