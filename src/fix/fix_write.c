#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/util.h"
#include "fix/fix.h"
#include "sources/provider.h"
#include "core/banned.h"

/*
 * Reading and writing the files of a plan. Every path is opened through
 * its directory: below a node root (--root) that directory is resolved
 * inside the root (resolve_in_root: openat2 RESOLVE_IN_ROOT), and the
 * file itself is opened with O_NOFOLLOW, so neither a `..` nor a symlink
 * in the node's files makes kanon write outside it.
 */

void fix_plan_init(struct fix_plan *p, int rootfd, bool follow_symlinks)
{
	memset(p, 0, sizeof(*p));
	p->rootfd = rootfd;
	p->follow_symlinks = follow_symlinks;
}

void fix_plan_release(struct fix_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->f[i]->path);
		free(p->f[i]->display);
		free(p->f[i]->asked);
		strbuf_release(&p->f[i]->old);
		strbuf_release(&p->f[i]->new);
		free(p->f[i]);
	}
	free(p->f);
	memset(p, 0, sizeof(*p));
}

bool fix_file_changed(const struct fix_file *f)
{
	return f->old.len != f->new.len ||
	       memcmp(strbuf_str(&f->old), strbuf_str(&f->new), f->old.len) ||
	       (!f->exists && f->new.len);
}

size_t fix_plan_changed(const struct fix_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += fix_file_changed(p->f[i]);
	return n;
}

/* The directory part of path ("." when none) and the last component. */
static void split_path(const char *path, struct strbuf *dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	strbuf_reset(dir);
	if (!slash) {
		strbuf_addch(dir, '.');
		*base = path;
	} else {
		strbuf_add(dir, path, slash == path ? 1 : (size_t)(slash - path));
		*base = slash + 1;
	}
}

/* The directory holding path, inside the plan's root when it has one. */
static int open_parent(const struct fix_plan *p, const char *path, const char **base)
{
	struct strbuf dir = STRBUF_INIT;
	int fd;

	split_path(path, &dir, base);
	if (p->rootfd >= 0)
		fd = resolve_in_root(p->rootfd, p->rootfd, dir.buf, O_RDONLY | O_DIRECTORY);
	else
		fd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && p->rootfd < 0)
		fd = -errno;
	strbuf_release(&dir);
	return fd;
}

static int read_fd(int fd, struct strbuf *out, const char *name, struct err *e)
{
	char buf[65536];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(errno));
		}
		if (out->len + (size_t)r > FIX_MAX_FILE)
			return err_set(e, NULL, 0, "cannot edit '%s': larger than %u bytes", name,
				       FIX_MAX_FILE);
		strbuf_add(out, buf, (size_t)r);
	}
	return 0;
}

static void hash_of(const struct strbuf *sb, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_add(&c, strbuf_str(sb), sb->len);
	sha256_final(&c, out);
}

/*
 * --follow-symlinks: the link's target as a path inside the root (or a
 * real local path). The target is opened confined first; /proc then
 * names what was opened.
 */
static char *symlink_target(const struct fix_plan *p, const char *path, struct err *e)
{
	char proc[64], real[PATH_MAX], rootreal[PATH_MAX];
	ssize_t n, rn;
	int fd;

	fd = p->rootfd >= 0 ? resolve_in_root(p->rootfd, p->rootfd, path, O_PATH)
			    : open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, NULL, 0, "cannot resolve '%s': %s", path,
			strerror(p->rootfd >= 0 ? -fd : errno));
		return NULL;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof(real) - 1);
	close(fd);
	if (n < 0 || n >= (ssize_t)sizeof(real) - 1) {
		err_set(e, NULL, 0, "cannot resolve '%s': %s", path, strerror(errno));
		return NULL;
	}
	real[n] = '\0';
	if (p->rootfd < 0)
		return xstrdup(real);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p->rootfd);
	rn = readlink(proc, rootreal, sizeof(rootreal) - 1);
	if (rn < 0 || rn >= (ssize_t)sizeof(rootreal) - 1) {
		err_set(e, NULL, 0, "cannot resolve the root: %s", strerror(errno));
		return NULL;
	}
	rootreal[rn] = '\0';
	if (!strcmp(rootreal, "/"))
		return xstrdup(real);
	if (strncmp(real, rootreal, (size_t)rn) || real[rn] != '/') {
		err_set(e, NULL, 0, "'%s' resolves outside the root", path);
		return NULL;
	}
	return xstrdup(real + rn);
}

/* Open path's last component, which must be a regular file, and stat it. */
static int open_regular(int dfd, const char *base, const char *name, struct stat *st, struct err *e)
{
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int errnum = errno;

		if (errnum == ELOOP)
			return err_set(e, NULL, 0,
				       "'%s' is a symlink: not edited (--follow-symlinks edits "
				       "its target)",
				       name),
			       -ELOOP;
		err_set(e, NULL, 0, "cannot read '%s': %s", name, strerror(errnum));
		return -errnum;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return err_set(e, NULL, 0, "'%s' is not a regular file: not edited", name), -EINVAL;
	}
	return fd;
}

static int load(struct fix_plan *p, struct fix_file *f, bool create, struct err *e)
{
	const char *base;
	int dfd = open_parent(p, f->path, &base), fd, ret = -1;

	if (dfd < 0)
		return err_set(e, NULL, 0, "cannot open the directory of '%s': %s", f->display,
			       strerror(-dfd));
	fd = open_regular(dfd, base, f->display, &f->st, e);
	if (fd == -ENOENT && create) {
		f->exists = false;
		ret = 0;
		goto out;
	}
	if (fd < 0)
		goto out;
	f->exists = true;
	ret = read_fd(fd, &f->old, f->display, e);
	close(fd);
	hash_of(&f->old, f->hash);
	strbuf_add(&f->new, strbuf_str(&f->old), f->old.len);
out:
	close(dfd);
	return ret;
}

struct fix_file *fix_plan_file(struct fix_plan *p, const char *path, bool create, struct err *e)
{
	struct fix_file *f;
	char *target = NULL;
	struct stat st;
	const char *base;
	int dfd;

	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->f[i]->path, path) || !strcmp(p->f[i]->asked, path))
			return p->f[i];
	dfd = open_parent(p, path, &base);
	if (dfd >= 0 && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		if (!p->follow_symlinks) {
			close(dfd);
			err_set(
			    e, NULL, 0,
			    "'%s' is a symlink: not edited (--follow-symlinks edits its target)",
			    path);
			return NULL;
		}
		target = symlink_target(p, path, e);
		if (!target) {
			close(dfd);
			return NULL;
		}
	}
	if (dfd >= 0)
		close(dfd);
	f = xcalloc(1, sizeof(*f));
	f->path = target ? target : xstrdup(path);
	f->display = xstrdup(f->path);
	f->asked = xstrdup(path);
	if (load(p, f, create, e) < 0) {
		free(f->path);
		free(f->display);
		free(f->asked);
		strbuf_release(&f->old);
		strbuf_release(&f->new);
		free(f);
		return NULL;
	}
	ALLOC_GROW(p->f, p->n + 1, p->alloc);
	p->f[p->n++] = f;
	return f;
}

/* Tests only: KANON_TEST_FAIL_AT / _CRASH_AT / _STOP_AT (fix.h). */
static int fault(const char *point, const char *name, struct err *e)
{
	const char *fail = getenv("KANON_TEST_FAIL_AT"), *crash = getenv("KANON_TEST_CRASH_AT");
	const char *stop = getenv("KANON_TEST_STOP_AT");

	if (stop && !strcmp(stop, point))
		raise(SIGSTOP); /* the test kills it here with SIGKILL */
	if (crash && !strcmp(crash, point))
		_exit(86);
	if (fail && !strcmp(fail, point))
		return err_set(e, NULL, 0,
			       "cannot write '%s': injected failure at %s "
			       "(KANON_TEST_FAIL_AT)",
			       name, point);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The file is still what was read: same bytes, size and mtime. */
static int still_same(int dfd, const char *base, const struct fix_file *f, struct err *e)
{
	struct strbuf now = STRBUF_INIT;
	unsigned char h[SHA256_LEN];
	struct stat st;
	int fd, ret = 0;

	if (!f->exists) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return err_set(e, NULL, 0,
				       "'%s' appeared since kanon looked: not "
				       "overwritten; run kanon fix again",
				       f->display);
		return 0;
	}
	fd = open_regular(dfd, base, f->display, &st, e);
	if (fd < 0)
		return -1;
	ret = read_fd(fd, &now, f->display, e);
	close(fd);
	if (ret < 0)
		goto out;
	hash_of(&now, h);
	if (memcmp(h, f->hash, sizeof(h)) || st.st_size != f->st.st_size ||
	    st.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec || st.st_ino != f->st.st_ino)
		ret = err_set(e, NULL, 0,
			      "'%s' changed since kanon read it: not overwritten; run kanon fix "
			      "again",
			      f->display);
out:
	strbuf_release(&now);
	return ret;
}

/* A name in dfd that does not exist yet: base + suffix (+ .N). */
static int free_name(int dfd, const char *base, const char *suffix, struct strbuf *out)
{
	struct stat st;

	for (int i = 0; i < 1000; i++) {
		strbuf_reset(out);
		strbuf_addf(out, "%s%s", base, suffix);
		if (i)
			strbuf_addf(out, ".%d", i);
		if (fstatat(dfd, out->buf, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
	}
	return -1;
}

/* Copy the original to --backup-dir, named after its whole path. */
static int backup_copy(const struct fix_file *f, const char *dir, struct strbuf *made,
		       struct err *e)
{
	struct strbuf name = STRBUF_INIT, bak = STRBUF_INIT;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, ret = -1;

	if (dfd < 0)
		return err_set(e, NULL, 0, "cannot open '%s' (--backup-dir): %s", dir,
			       strerror(errno));
	for (const char *s = f->path; *s; s++)
		strbuf_addch(&name, *s == '/' ? '_' : *s);
	if (free_name(dfd, name.buf[0] == '_' ? name.buf + 1 : name.buf, ".kanon-bak", &bak) < 0 ||
	    (fd = openat(dfd, bak.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			 f->st.st_mode & 07777)) < 0 ||
	    write_all(fd, f->old.buf, f->old.len) < 0 || fsync(fd) < 0) {
		err_set(e, NULL, 0, "cannot write a backup of '%s' in '%s': %s", f->display, dir,
			strerror(errno));
		goto out;
	}
	ret = fsync(dfd) < 0 ? -1 : 0;
	if (ret < 0)
		err_set(e, NULL, 0, "cannot sync '%s': %s", dir, strerror(errno));
	strbuf_addf(made, "%s/%s", dir, bak.buf);
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	strbuf_release(&name);
	strbuf_release(&bak);
	return ret;
}

struct one_write {
	int dfd, tmpfd;
	const char *base;
	struct strbuf tmp, bak; /* names in dfd; bak empty: none made there */
	bool renamed;
};

/* The backup: a hard link to the original (its inode, owner, mode and
 * bytes, kept as they are), or a copy in --backup-dir. */
static int make_backup(struct one_write *w, const struct fix_file *f,
		       const struct fix_apply_opts *o, struct strbuf *where, struct err *e)
{
	if (!f->exists)
		return 0;
	if (o->backup_dir)
		return backup_copy(f, o->backup_dir, where, e);
	struct strbuf base = STRBUF_INIT;
	const char *slash = strrchr(f->display, '/');

	strbuf_addf(&base, "%s%s", f->hidden_backup ? "." : "", w->base);
	if (free_name(w->dfd, base.buf, ".kanon-bak", &w->bak) < 0 ||
	    linkat(w->dfd, w->base, w->dfd, w->bak.buf, 0) < 0) {
		err_set(e, NULL, 0, "cannot keep a backup of '%s': %s", f->display,
			strerror(errno));
		strbuf_reset(&w->bak);
		strbuf_release(&base);
		return -1;
	}
	strbuf_addf(where, "%.*s%s", slash ? (int)(slash - f->display + 1) : 0, f->display,
		    w->bak.buf);
	strbuf_release(&base);
	return 0;
}

/*
 * The original's extended attributes on the new file: its SELinux label
 * (security.selinux), POSIX ACLs (system.posix_acl_access), ... A rename
 * would otherwise drop them. An attribute that cannot be copied stops the
 * write.
 */
static int copy_xattrs(int dfd, const char *base, int to)
{
	char names[65536], val[65536];
	ssize_t n;
	int from = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), ret = 0;

	if (from < 0)
		return -1;
	n = flistxattr(from, names, sizeof(names));
	if (n < 0)
		ret = errno == ENOTSUP ? 0 : -1;
	for (ssize_t i = 0; i < n && !ret; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t v = fgetxattr(from, names + i, val, sizeof(val));

		if (v < 0 || fsetxattr(to, names + i, val, (size_t)v, 0) < 0)
			ret = -1;
	}
	close(from);
	return ret;
}

/* The new bytes in a temporary file beside the original, then renamed. */
static int write_new(struct one_write *w, const struct fix_file *f, struct err *e)
{
	static unsigned seq;
	uid_t uid = f->exists ? f->st.st_uid : geteuid();
	gid_t gid = f->exists ? f->st.st_gid : getegid();
	mode_t mode = f->exists ? f->st.st_mode & 07777 : 0600;
	size_t half = f->new.len / 2;

	strbuf_addf(&w->tmp, ".%s.kanon-tmp.%ld.%u", w->base, (long)getpid(), seq++);
	w->tmpfd =
	    openat(w->dfd, w->tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->tmpfd < 0) {
		strbuf_reset(&w->tmp);
		return err_set(e, NULL, 0, "cannot create a file beside '%s': %s", f->display,
			       strerror(errno));
	}
	if (fault("before-write", f->display, e) < 0)
		return -1;
	if (write_all(w->tmpfd, f->new.buf, half) < 0)
		goto fail;
	if (fault("after-write", f->display, e) < 0)
		return -1;
	if (write_all(w->tmpfd, f->new.buf + half, f->new.len - half) < 0)
		goto fail;
	/* owner first: chown clears the set-id bits that fchmod then sets */
	if ((fchown(w->tmpfd, uid, gid) < 0 && f->exists) || fchmod(w->tmpfd, mode) < 0 ||
	    (f->exists && copy_xattrs(w->dfd, w->base, w->tmpfd) < 0) || fsync(w->tmpfd) < 0)
		goto fail;
	if (fault("before-rename", f->display, e) < 0)
		return -1;
	if (renameat(w->dfd, w->tmp.buf, w->dfd, w->base) < 0)
		goto fail;
	w->renamed = true;
	if (fault("after-rename", f->display, e) < 0)
		return -1;
	if (fsync(w->dfd) < 0)
		return err_set(e, NULL, 0, "cannot sync the directory of '%s': %s", f->display,
			       strerror(errno));
	return 0;
fail:
	return err_set(e, NULL, 0, "cannot write '%s': %s", f->display, strerror(errno));
}

static int apply_one(struct fix_plan *p, struct fix_file *f, const struct fix_apply_opts *o,
		     struct strbuf *log, struct err *e)
{
	struct one_write w = {.tmpfd = -1, .tmp = STRBUF_INIT, .bak = STRBUF_INIT};
	struct strbuf where = STRBUF_INIT;
	int ret = -1;

	w.dfd = open_parent(p, f->path, &w.base);
	if (w.dfd < 0)
		return err_set(e, NULL, 0, "cannot open the directory of '%s': %s", f->display,
			       strerror(-w.dfd));
	if (still_same(w.dfd, w.base, f, e) < 0 || make_backup(&w, f, o, &where, e) < 0 ||
	    fault("after-backup", f->display, e) < 0 || write_new(&w, f, e) < 0)
		goto out;
	strbuf_addf(log, "wrote %s", f->display);
	if (where.len)
		strbuf_addf(log, " (backup: %s)", where.buf);
	strbuf_addch(log, '\n');
	ret = 0;
out:
	if (w.tmpfd >= 0)
		close(w.tmpfd);
	if (ret < 0 && !w.renamed) {
		/* nothing changed: leave no temporary file and no backup link */
		if (w.tmp.len)
			unlinkat(w.dfd, w.tmp.buf, 0);
		if (w.bak.len)
			unlinkat(w.dfd, w.bak.buf, 0);
	}
	close(w.dfd);
	strbuf_release(&w.tmp);
	strbuf_release(&w.bak);
	strbuf_release(&where);
	return ret;
}

/* Tests only: another writer changes FILE between the plan and the write. */
static void test_concurrent_writer(void)
{
	const char *path = getenv("KANON_TEST_TOUCH_BEFORE_APPLY");
	int fd;

	if (!path || (fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		return;
	if (write(fd, "#\n", 2) < 0)
		perror("KANON_TEST_TOUCH_BEFORE_APPLY");
	close(fd);
}

int fix_plan_apply(struct fix_plan *p, const struct fix_apply_opts *o, struct strbuf *log,
		   struct err *e)
{
	test_concurrent_writer();
	/* check every file first: none is written when one has changed */
	for (size_t i = 0; i < p->n; i++) {
		const char *base;
		int dfd, r;

		if (!fix_file_changed(p->f[i]))
			continue;
		dfd = open_parent(p, p->f[i]->path, &base);
		if (dfd < 0)
			return err_set(e, NULL, 0, "cannot open the directory of '%s': %s",
				       p->f[i]->display, strerror(-dfd));
		r = still_same(dfd, base, p->f[i], e);
		close(dfd);
		if (r < 0)
			return -1;
	}
	/* new files first: a manifest is written after the file it names */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->n; i++)
			if (p->f[i]->exists == (pass == 1) && fix_file_changed(p->f[i]) &&
			    apply_one(p, p->f[i], o, log, e) < 0)
				return -1;
	return 0;
}
