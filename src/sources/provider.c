/* What every provider shares: reading a blob, stat, listing a directory. */
#include "sources/provider.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const char *const kind_names[PROVIDER__COUNT] = {
    "file",
    "node-root",
    "snapshot",
    "process",
};

const char *provider_kind_name(enum provider_kind k)
{
	return (unsigned)k < PROVIDER__COUNT ? kind_names[k] : "?";
}

void blob_release(struct blob *b)
{
	free(b->data);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

void provider_destroy(struct provider *p)
{
	if (!p || p->kind == PROVIDER_FS)
		return; /* the local filesystem is a static instance */
	if (p->ops->release)
		p->ops->release(p);
	if (p->rootfd >= 0)
		close(p->rootfd);
	if (p->cwdfd >= 0)
		close(p->cwdfd);
	free(p->dir);
	free(p);
}

char *provider_display(const struct provider *p, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (p && p->kind == PROVIDER_SNAPSHOT)
		strbuf_addf(&sb, "%s/%s", p->dir, path);
	else
		strbuf_addstr(&sb, path);
	return strbuf_detach(&sb);
}

/* ops->open, or -ENOTSUP for a provider without files. */
static int open_in(const struct provider *p, const char *path, int flags)
{
	return p->ops->open ? p->ops->open(p, path, flags) : -ENOTSUP;
}

static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Open for reading without blocking on a FIFO and without taking a
 * terminal, check the type, then read in blocking mode.
 */
static int open_checked(const struct provider *p, const char *path, const char *name,
			unsigned flags, struct err *e)
{
	bool named = flags & PROVIDER_READ_NAMED;
	struct stat st;
	int fd, fl;

	fd = open_in(p, path, O_RDONLY | O_NOCTTY | (named ? 0 : O_NONBLOCK));
	if (fd < 0) {
		err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!named && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		err_set(e, NULL, 0, "cannot read '%s': %s, not a regular file", name,
			type_name(st.st_mode));
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || ((fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		goto fail;
	return fd;
fail:
	fl = -errno;
	err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(errno));
	close(fd);
	return fl;
}

int provider_open(const struct provider *p, const char *path, unsigned flags, struct err *e)
{
	char *name = provider_display(p, path);
	int fd = open_checked(p, path, name, flags, e);

	free(name);
	return fd;
}

int provider_read(const struct provider *p, const char *path, const char *display, size_t max,
		  unsigned flags, struct blob *out, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char *name = display ? xstrdup(display) : provider_display(p, path);
	bool is_stdin = p->kind == PROVIDER_FS && !strcmp(path, "-");
	int fd, ret;

	memset(out, 0, sizeof(*out));
	if (p->ops->read) {
		ret = p->ops->read(p, path, max, &sb, e);
	} else {
		fd = is_stdin ? STDIN_FILENO : open_checked(p, path, name, flags, e);
		if (fd < 0) {
			free(name);
			return fd;
		}
		ret = file_read_fd(fd, name, max, &sb, e);
		if (!is_stdin)
			close(fd);
	}
	if (ret < 0) {
		strbuf_release(&sb);
		free(name);
		return ret;
	}
	out->len = sb.len;
	out->data = strbuf_detach(&sb);
	out->name = name;
	out->kind = p->kind;
	return 0;
}

static int stat_flags(const struct provider *p, const char *path, int flags, struct stat *st)
{
	int fd = open_in(p, path, O_PATH | flags);
	int ret = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int provider_stat(const struct provider *p, const char *path, struct stat *st)
{
	return stat_flags(p, path, 0, st);
}

int provider_lstat(const struct provider *p, const char *path, struct stat *st)
{
	return stat_flags(p, path, O_NOFOLLOW, st);
}

bool provider_is_dir(const struct provider *p, const char *path)
{
	struct stat st;

	return provider_stat(p, path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool provider_exists(const struct provider *p, const char *path)
{
	struct stat st;

	return provider_stat(p, path, &st) == 0;
}

/* ------------------------------------------------------------ listing */

#define LIST_MAX_DEPTH 32

struct lister {
	const struct provider *p;
	const char *top; /* the directory as the provider names it */
	const char *display;
	struct path_list *out, *skipped;
	struct err *e;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(struct path_list *l, const char *s)
{
	if (!l)
		return;
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = xstrdup(s);
}

/* Read the names of an open directory, sorted as Go's os.ReadDir does. */
static int read_names(int dfd, struct path_list *names)
{
	DIR *d = fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0));
	struct dirent *de;

	if (!d)
		return -errno;
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		push(names, de->d_name);
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	return 0;
}

/*
 * A symlink is a file to WalkDir; list it when what it names (inside the
 * provider) is a regular file, a directory (reading it then fails, as
 * for the kubelet) or missing; skip FIFOs and devices.
 */
static bool link_is_special(const struct lister *l, const char *rel)
{
	struct strbuf full = STRBUF_INIT;
	struct stat st;
	bool special;

	strbuf_addf(&full, "%s/%s", l->top, rel);
	special =
	    provider_stat(l->p, full.buf, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	strbuf_release(&full);
	return special;
}

static int list_dir(const struct lister *l, int dfd, const char *rel, int depth);

static int list_entry(const struct lister *l, int dfd, const char *name, const char *rel, int depth)
{
	struct strbuf child = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (*rel)
		strbuf_addf(&child, "%s/", rel);
	strbuf_addstr(&child, name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		push(l->out, child.buf); /* vanished: reading it says why */
	} else if (S_ISDIR(st.st_mode)) {
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			ret = -errno;
			err_set(l->e, NULL, 0, "cannot read directory '%s/%s': %s", l->display,
				child.buf, strerror(errno));
		} else {
			ret = list_dir(l, sub, child.buf, depth + 1);
			close(sub);
		}
	} else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && !link_is_special(l, child.buf))) {
		push(l->out, child.buf);
	} else {
		push(l->skipped, child.buf);
	}
	strbuf_release(&child);
	return ret;
}

static int list_dir(const struct lister *l, int dfd, const char *rel, int depth)
{
	struct path_list names = {0};
	int ret;

	if (depth > LIST_MAX_DEPTH)
		return err_set(l->e, NULL, 0, "cannot read '%s/%s': too deeply nested", l->display,
			       rel);
	ret = read_names(dfd, &names);
	if (ret < 0)
		err_set(l->e, NULL, 0, "cannot read directory '%s%s%s': %s", l->display,
			*rel ? "/" : "", rel, strerror(-ret));
	for (size_t i = 0; i < names.n && !ret; i++)
		ret = list_entry(l, dfd, names.v[i], rel, depth);
	path_list_release(&names);
	return ret;
}

int provider_list(const struct provider *p, const char *dir, struct path_list *out,
		  struct path_list *skipped, struct err *e)
{
	char *display = provider_display(p, dir);
	struct lister l = {p, dir, display, out, skipped, e};
	int fd = open_in(p, dir, O_RDONLY | O_DIRECTORY);
	int ret;

	if (fd < 0) {
		err_set(e, NULL, 0, "cannot read directory '%s': %s", display, strerror(-fd));
		free(display);
		return fd;
	}
	ret = list_dir(&l, fd, "", 0);
	close(fd);
	free(display);
	return ret;
}
