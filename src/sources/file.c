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

/* All of data to fd; 0 or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/*
 * What the report at path may be replaced with. Only a regular file (or
 * nothing) is replaced: a final symlink is not followed (as root it would
 * let whoever controls the link pick the file that kanon overwrites), a
 * FIFO would block and a device would be written into. Returns 0 (with
 * *old filled and *exists set when the file is there) or -errno with *e.
 */
static int write_target(const char *path, struct stat *old, bool *exists, struct err *e)
{
	*exists = false;
	if (lstat(path, old) < 0) {
		if (errno == ENOENT)
			return 0;
		err_set(e, NULL, 0, "cannot write '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISLNK(old->st_mode)) {
		err_set(e, NULL, 0, "cannot write '%s': it is a symbolic link, which "
			"kanon does not follow; name the file itself%s", path,
			!strncmp(path, "/dev/", 5) ? " (or -o - for standard output)" : "");
		return -ELOOP;
	}
	if (!S_ISREG(old->st_mode)) {
		err_set(e, NULL, 0, "cannot write '%s': not a regular file%s", path,
			!strncmp(path, "/dev/", 5) ? " (use -o - for standard output)" : "");
		return -EINVAL;
	}
	*exists = true;
	return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, unsigned flags,
		      struct err *e)
{
	struct strbuf tmp = STRBUF_INIT;
	struct stat st;
	bool exists;
	mode_t um, mode;
	int fd = -1, ret;

	if (!strcmp(path, "-")) {
		if (write_all(STDOUT_FILENO, data, len) == 0)
			return 0;
		ret = -errno;
		err_set(e, NULL, 0, "cannot write the report to standard output: %s",
			strerror(errno));
		return ret;
	}
	ret = write_target(path, &st, &exists, e);
	if (ret < 0)
		return ret;
	um = umask(0);
	umask(um);
	/* an existing report keeps its mode (0600 stays 0600); a new one
	 * holding audit data (IPs, URIs, user names) is private */
	if (exists)
		mode = st.st_mode & 07777;
	else
		mode = (flags & FILE_WRITE_PRIVATE ? 0600 : 0666) & ~um;
	strbuf_addf(&tmp, "%s.kanon-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		ret = -errno;
		err_set(e, NULL, 0, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	/* as root, the owner too: a report that root replaces for a user
	 * stays that user's */
	if (exists && geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) < 0)
		goto fail;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* rename() replaces the name itself: a symlink put there since
	 * write_target() is replaced, not followed */
	if (rename(tmp.buf, path) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	ret = -errno;
	err_set(e, NULL, 0, "cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	return ret;
}
