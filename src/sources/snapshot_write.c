/* Writing a snapshot directory, never outside it (snapshot_write.h). */
#include "sources/snapshot_write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static int fail(struct err *e, int errnum, const char *what, const char *dir, const char *rel)
{
	err_set(e, NULL, 0, "cannot %s '%s%s%s': %s", what, dir, rel ? "/" : "", rel ? rel : "",
		strerror(errnum));
	return -errnum;
}

/* Does the directory fd hold anything? */
static int dir_is_empty(int fd)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de;
	int empty = 1;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

int snapshot_writer_open(struct snapshot_writer *w, const char *dir, struct err *e)
{
	int empty;

	memset(w, 0, sizeof(*w));
	w->dirfd = -1;
	w->dir = xstrdup(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(e, errno, "create", dir, NULL);
	/* O_NOFOLLOW: a symlink put at OUTDIR is refused, not followed
	 * (Linux says ENOTDIR or ELOOP for one with O_DIRECTORY) */
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->dirfd < 0) {
		int errnum = errno;
		struct stat st;

		if (errnum == ELOOP || (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))) {
			err_set(e, NULL, 0,
				"cannot write the snapshot to '%s': it is a symbolic link", dir);
			return -ELOOP;
		}
		if (errnum == ENOTDIR) {
			err_set(e, NULL, 0, "cannot write the snapshot to '%s': not a directory",
				dir);
			return -errnum;
		}
		return fail(e, errnum, "open", dir, NULL);
	}
	empty = dir_is_empty(w->dirfd);
	if (empty < 0)
		return fail(e, errno, "read", dir, NULL);
	if (!empty) {
		err_set(e, NULL, 0,
			"cannot write the snapshot to '%s': it is not empty (give a new "
			"directory)",
			dir);
		return -EEXIST;
	}
	return 0;
}

void snapshot_writer_close(struct snapshot_writer *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->dir);
	memset(w, 0, sizeof(*w));
	w->dirfd = -1;
}

int snapshot_path_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return 0;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
				return 0;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return 0; /* a trailing slash */
	}
	return 1;
}

char *snapshot_node_path(const char *prefix, const char *np)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = np;

	strbuf_addstr(&sb, prefix);
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n && !(n == 1 && p[0] == '.')) {
			strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, n);
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (!strcmp(sb.buf, prefix) || !snapshot_path_ok(sb.buf)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/*
 * The directory that will hold rel's last component: each parent created
 * (0700) and opened without following a symlink. *base points into rel.
 */
static int open_parent(struct snapshot_writer *w, const char *rel, const char **base, struct err *e)
{
	struct strbuf comp = STRBUF_INIT;
	const char *p = rel, *slash;
	int fd = openat(w->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (!snapshot_path_ok(rel)) {
		err_set(e, NULL, 0, "cannot write '%s' in the snapshot: not a safe path", rel);
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	while (fd >= 0 && (slash = strchr(p, '/'))) {
		int next;

		strbuf_reset(&comp);
		strbuf_add(&comp, p, (size_t)(slash - p));
		if (mkdirat(fd, comp.buf, 0700) < 0 && errno != EEXIST)
			next = -1;
		else
			next =
			    openat(fd, comp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	strbuf_release(&comp);
	if (fd < 0)
		return fail(e, errno, "create a directory for", w->dir, rel);
	*base = p;
	return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new temporary file in parent: fd, its name in *tmp. */
static int open_tmp(struct snapshot_writer *w, int parent, struct strbuf *tmp)
{
	int fd;

	do {
		strbuf_reset(tmp);
		strbuf_addf(tmp, ".kanon-tmp-%ld-%lu", (long)getpid(), w->ntmp++);
		fd = openat(parent, tmp->buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
	} while (fd < 0 && errno == EEXIST);
	return fd;
}

/* fsync, close and rename tmp to base; on failure remove tmp. */
static int finish(struct snapshot_writer *w, int parent, int fd, const char *tmp, const char *base,
		  const char *rel, int errnum, struct err *e)
{
	if (!errnum && !w->no_sync && fsync(fd) < 0)
		errnum = errno;
	if (close(fd) < 0 && !errnum)
		errnum = errno;
	/* renameat replaces the name itself: it never follows a link */
	if (!errnum && renameat(parent, tmp, parent, base) < 0)
		errnum = errno;
	if (errnum) {
		unlinkat(parent, tmp, 0);
		return errnum == EFBIG ? -EFBIG : fail(e, errnum, "write", w->dir, rel);
	}
	return 0;
}

int snapshot_write(struct snapshot_writer *w, const char *rel, const void *data, size_t len,
		   struct err *e)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *base;
	int parent = open_parent(w, rel, &base, e), fd, ret;

	if (parent < 0)
		return parent;
	fd = open_tmp(w, parent, &tmp);
	if (fd < 0)
		ret = fail(e, errno, "write", w->dir, rel);
	else
		ret = finish(w, parent, fd, tmp.buf, base, rel,
			     write_all(fd, data, len) < 0 ? errno : 0, e);
	close(parent);
	strbuf_release(&tmp);
	return ret;
}

/* Copy src to dst: 0 or an errno (EFBIG past max). */
static int copy_loop(int src, int dst, uint64_t max, struct sha256 *h, uint64_t *size)
{
	char buf[65536];

	*size = 0;
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (!n)
			return 0;
		if (*size + (uint64_t)n > max)
			return EFBIG;
		*size += (uint64_t)n;
		if (h)
			sha256_add(h, buf, (size_t)n);
		if (write_all(dst, buf, (size_t)n) < 0)
			return errno;
	}
}

int snapshot_copy_fd(struct snapshot_writer *w, const char *rel, int fd, uint64_t max,
		     struct sha256 *h, uint64_t *size, struct err *e)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *base;
	int parent = open_parent(w, rel, &base, e), out, ret;

	if (parent < 0)
		return parent;
	out = open_tmp(w, parent, &tmp);
	if (out < 0) {
		ret = fail(e, errno, "write", w->dir, rel);
	} else {
		int errnum = copy_loop(fd, out, max, h, size);

		ret = finish(w, parent, out, tmp.buf, base, rel, errnum, e);
		if (ret == -EFBIG)
			err_set(e, NULL, 0, "'%s' is larger than %llu bytes: not copied", rel,
				(unsigned long long)max);
	}
	close(parent);
	strbuf_release(&tmp);
	return ret;
}

int snapshot_symlink(struct snapshot_writer *w, const char *rel, const char *target, struct err *e)
{
	const char *base;
	int parent = open_parent(w, rel, &base, e), ret = 0;

	if (parent < 0)
		return parent;
	if (symlinkat(target, parent, base) < 0)
		ret = fail(e, errno, "create the symbolic link", w->dir, rel);
	close(parent);
	return ret;
}
