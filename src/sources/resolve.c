/*
 * Resolve a path inside a directory that stands for "/" (a node root, a
 * snapshot, /proc/PID/root): absolute symlinks restart at that directory
 * and `..` stops there, as they would for a process chrooted into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "core/strbuf.h"
#include "sources/provider.h"
#include "core/banned.h"

/* Linux's own limit (MAXSYMLINKS), so that a loop fails the same way. */
#define RESOLVE_MAX_SYMLINKS 40

int resolve_force_fallback;

static bool want_fallback(void)
{
	const char *env = getenv("KANON_NO_OPENAT2");

	return resolve_force_fallback || (env && !strcmp(env, "1"));
}

static bool same_inode(int fd, const struct stat *root)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == root->st_dev && st.st_ino == root->st_ino;
}

/* Replace *cur with a new directory descriptor (closing the old one). */
static void move_to(int *cur, int fd)
{
	close(*cur);
	*cur = fd;
}

/*
 * The rest of the path after a symlink: its target, then what was left.
 * An absolute target restarts at the root.
 */
static int follow_link(int linkfd, int rootfd, int *cur, struct strbuf *todo, size_t *pos)
{
	char target[PATH_MAX];
	struct strbuf next = STRBUF_INIT;
	ssize_t n = readlinkat(linkfd, "", target, sizeof(target));
	int fd;

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	if (target[0] == '/') {
		fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		move_to(cur, fd);
	}
	strbuf_add(&next, target, (size_t)n);
	if (todo->buf[*pos]) {
		strbuf_addch(&next, '/');
		strbuf_addstr(&next, todo->buf + *pos);
	}
	strbuf_release(todo);
	*todo = next;
	*pos = 0;
	return 0;
}

/* One step: into directory `name` of *cur, or along a symlink. */
static int step(int rootfd, int *cur, const char *name, bool last, int flags, struct strbuf *todo,
		size_t *pos, int *links, int *result)
{
	struct stat st;
	int fd = openat(*cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
		ret = ++*links > RESOLVE_MAX_SYMLINKS ? -ELOOP
						      : follow_link(fd, rootfd, cur, todo, pos);
		close(fd);
		return ret;
	}
	if (last) {
		close(fd);
		/* O_NOFOLLOW: a link swapped in since the check fails */
		*result = openat(*cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		return *result < 0 ? -errno : 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	move_to(cur, fd);
	return 0;
}

/*
 * The walk for kernels without openat2 (before 5.6, or where seccomp
 * refuses it): one component at a time, never letting the kernel follow
 * a symlink, `..` clamped at the root.
 */
static int resolve_walk(int rootfd, int startfd, const char *path, int flags)
{
	struct strbuf todo = STRBUF_INIT, name = STRBUF_INIT;
	struct stat rst;
	size_t pos = 0;
	int cur, links = 0, ret = 0, result = -1;

	if (fstat(rootfd, &rst) < 0)
		return -errno;
	cur = fcntl(path[0] == '/' ? rootfd : startfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -errno;
	strbuf_addstr(&todo, path);
	while (!ret) {
		size_t end;
		bool last;

		while (todo.buf[pos] == '/')
			pos++;
		if (!todo.buf[pos]) {
			/* the path names a directory ("/", "a/..") */
			result = openat(cur, ".", flags | O_CLOEXEC);
			ret = result < 0 ? -errno : 1;
			break;
		}
		end = pos + strcspn(todo.buf + pos, "/");
		strbuf_reset(&name);
		strbuf_add(&name, todo.buf + pos, end - pos);
		pos = end;
		while (todo.buf[end] == '/')
			end++;
		last = !todo.buf[end];
		if (last && pos != end)
			flags |= O_DIRECTORY; /* "name/" must be a directory */
		if (!strcmp(name.buf, "."))
			continue;
		if (!strcmp(name.buf, "..")) {
			int fd;
			if (same_inode(cur, &rst))
				continue; /* the root's parent is the root */
			fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				ret = -errno;
			else
				move_to(&cur, fd);
			continue;
		}
		ret = step(rootfd, &cur, name.buf, last, flags, &todo, &pos, &links, &result);
	}
	close(cur);
	strbuf_release(&todo);
	strbuf_release(&name);
	return ret == 1 ? result : ret;
}

int resolve_in_root(int rootfd, int startfd, const char *path, int flags)
{
	if (!*path)
		return -ENOENT;
	/* RESOLVE_IN_ROOT makes the dirfd the root: relative paths that
	 * start elsewhere (a process's cwd) take the walk */
	if (!want_fallback() && (path[0] == '/' || startfd == rootfd)) {
		struct open_how how;
		long fd;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		/* no openat2 (ENOSYS), an older open_how (E2BIG, EINVAL), or a
		 * seccomp filter that refuses it (EPERM) */
		if (errno != ENOSYS && errno != EINVAL && errno != E2BIG && errno != EPERM)
			return -errno;
	}
	return resolve_walk(rootfd, startfd, path, flags);
}
