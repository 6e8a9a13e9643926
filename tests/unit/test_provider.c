/* Providers: paths resolved inside a root (openat2 and the fallback walk), listing, reading. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "sources/provider.h"

static char top[256];

static void path_of(struct strbuf *sb, const char *rel)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s", top, rel);
}

static void mkfile(const char *rel, const char *content)
{
	struct strbuf p = STRBUF_INIT;
	FILE *f;

	path_of(&p, rel);
	f = fopen(p.buf, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	strbuf_release(&p);
}

static void mk(const char *kind, const char *rel, const char *target)
{
	struct strbuf p = STRBUF_INIT;

	path_of(&p, rel);
	if (!strcmp(kind, "dir"))
		assert_int_equal(mkdir(p.buf, 0755), 0);
	else if (!strcmp(kind, "fifo"))
		assert_int_equal(mkfifo(p.buf, 0644), 0);
	else
		assert_int_equal(symlink(target, p.buf), 0);
	strbuf_release(&p);
}

/*
 * top/host.txt         "host"      (outside the root)
 * top/r/host.txt       "inside"
 * top/r/etc/abs -> /host.txt, rel -> ../../../../host.txt, loop1 <-> loop2
 * top/r/etc/up -> /    top/r/a/b/    top/r/file (regular)
 * top/r/d/{b.txt, a.txt, sub/c.txt, fifo, zero -> /dev/zero, dirlink -> /a}
 */
static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/kanon-test-provider-XXXXXX");
	assert_non_null(mkdtemp(top));
	mkfile("host.txt", "host");
	mk("dir", "r", NULL);
	mkfile("r/host.txt", "inside");
	mk("dir", "r/etc", NULL);
	mk("link", "r/etc/abs", "/host.txt");
	mk("link", "r/etc/rel", "../../../../host.txt");
	mk("link", "r/etc/loop1", "loop2");
	mk("link", "r/etc/loop2", "loop1");
	mk("link", "r/etc/up", "/");
	mk("dir", "r/a", NULL);
	mk("dir", "r/a/b", NULL);
	mkfile("r/file", "f");
	mk("dir", "r/d", NULL);
	mkfile("r/d/b.txt", "b");
	mkfile("r/d/a.txt", "a");
	mk("dir", "r/d/sub", NULL);
	mkfile("r/d/sub/c.txt", "c");
	mk("fifo", "r/d/fifo", NULL);
	mk("link", "r/d/zero", "/dev/zero");
	mk("link", "r/d/dirlink", "/a");
	return 0;
}

static int teardown(void **state)
{
	struct strbuf cmd = STRBUF_INIT;

	(void)state;
	strbuf_addf(&cmd, "rm -rf '%s'", top);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&cmd);
	resolve_force_fallback = 0;
	return 0;
}

/* Read what path resolves to inside top/r; "" when it fails (errno in *err). */
static void read_in_root(const char *path, char *buf, size_t size, int *err)
{
	struct strbuf r = STRBUF_INIT;
	int rootfd, fd;
	ssize_t n;

	path_of(&r, "r");
	rootfd = open(r.buf, O_PATH | O_DIRECTORY);
	assert_true(rootfd >= 0);
	fd = resolve_in_root(rootfd, rootfd, path, O_RDONLY);
	buf[0] = '\0';
	*err = fd < 0 ? -fd : 0;
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	close(rootfd);
	strbuf_release(&r);
}

static void check_confined(void)
{
	char buf[64];
	int err;

	read_in_root("/host.txt", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside");
	read_in_root("/etc/abs", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside"); /* not the host's file */
	read_in_root("/etc/rel", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside");
	read_in_root("/../../../../../host.txt", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside");
	read_in_root("etc/../../host.txt", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside");
	read_in_root("/etc/up/etc/up/host.txt", buf, sizeof(buf), &err);
	assert_string_equal(buf, "inside");
	read_in_root("/etc/loop1", buf, sizeof(buf), &err);
	assert_int_equal(err, ELOOP);
	read_in_root("/missing", buf, sizeof(buf), &err);
	assert_int_equal(err, ENOENT);
	read_in_root("/file/x", buf, sizeof(buf), &err);
	assert_int_equal(err, ENOTDIR);
}

static void test_confined_openat2(void **state)
{
	(void)state;
	resolve_force_fallback = 0;
	check_confined();
}

static void test_confined_fallback(void **state)
{
	(void)state;
	resolve_force_fallback = 1;
	check_confined();
	resolve_force_fallback = 0;
}

/* /proc/PID/cwd: relative paths start below the root, `..` stops at the root. */
static void test_start_below_root(void **state)
{
	struct strbuf r = STRBUF_INIT, a = STRBUF_INIT;
	int rootfd, startfd, fd;
	char buf[16] = "";

	(void)state;
	path_of(&r, "r");
	path_of(&a, "r/a/b");
	rootfd = open(r.buf, O_PATH | O_DIRECTORY);
	startfd = open(a.buf, O_PATH | O_DIRECTORY);
	fd = resolve_in_root(rootfd, startfd, "../../file", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
	assert_string_equal(buf, "f");
	close(fd);
	fd = resolve_in_root(rootfd, startfd, "../../../../../../host.txt", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
	assert_memory_equal(buf, "inside", 6);
	close(fd);
	/* O_NOFOLLOW on the last component gives the link itself */
	fd = resolve_in_root(rootfd, rootfd, "/etc/abs", O_PATH | O_NOFOLLOW);
	assert_true(fd >= 0);
	close(fd);
	close(startfd);
	close(rootfd);
	strbuf_release(&r);
	strbuf_release(&a);
}

static void test_list_walkdir_order(void **state)
{
	struct strbuf r = STRBUF_INIT;
	struct path_list out = {0}, skipped = {0};
	struct provider *p;
	struct err e;

	(void)state;
	path_of(&r, "r/d");
	p = provider_snapshot_create(r.buf);
	assert_int_equal(provider_list(p, ".", &out, &skipped, &e), 0);
	assert_int_equal(out.n, 4);
	assert_string_equal(out.v[0], "a.txt");
	assert_string_equal(out.v[1], "b.txt");
	assert_string_equal(out.v[2], "dirlink"); /* WalkDir does not follow it */
	assert_string_equal(out.v[3], "sub/c.txt");
	assert_int_equal(skipped.n, 2);
	assert_string_equal(skipped.v[0], "fifo");
	assert_string_equal(skipped.v[1], "zero");
	path_list_release(&out);
	path_list_release(&skipped);
	provider_destroy(p);
	strbuf_release(&r);
}

static void test_read_blob(void **state)
{
	struct strbuf r = STRBUF_INIT;
	struct provider *root, *snap;
	struct blob b;
	struct err e;

	(void)state;
	path_of(&r, "r");
	root = provider_root_create(NULL, r.buf);
	assert_int_equal(provider_read(root, "/etc/abs", NULL, 100, 0, &b, &e), 0);
	assert_string_equal(b.data, "inside");
	assert_int_equal(b.len, 6);
	assert_string_equal(b.name, "/etc/abs");
	assert_int_equal(b.kind, PROVIDER_ROOT);
	blob_release(&b);
	/* a FIFO is refused at once, not waited on */
	assert_true(provider_read(root, "/d/fifo", NULL, 100, 0, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "a FIFO, not a regular file"));
	/* inside the root, /dev/zero is the root's (here: missing) */
	assert_int_equal(provider_read(root, "/d/zero", NULL, 100, 0, &b, &e), -ENOENT);
	assert_true(provider_read(root, "/file", NULL, 0, 0, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "larger than 0 bytes"));
	provider_destroy(root);

	snap = provider_snapshot_create(r.buf);
	assert_true(provider_read(snap, "d/zero", NULL, 100, 0, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "a device, not a regular file"));
	assert_int_equal(provider_read(snap, "d/a.txt", NULL, 100, 0, &b, &e), 0);
	assert_int_equal(b.kind, PROVIDER_SNAPSHOT);
	strbuf_addstr(&r, "/d/a.txt");
	assert_string_equal(b.name, r.buf); /* shown as DIR/path */
	blob_release(&b);
	provider_destroy(snap);
	strbuf_release(&r);
}

/* /proc/self: absolute paths from its root, relative ones from its cwd. */
static void test_proc(void **state)
{
	struct strbuf d = STRBUF_INIT, abs = STRBUF_INIT;
	struct provider *p;
	struct blob b;
	struct err e;
	char *old = getcwd(NULL, 0);

	(void)state;
	path_of(&d, "r/a");
	assert_int_equal(chdir(d.buf), 0);
	p = provider_proc_create((long)getpid());
	assert_int_equal(provider_read(p, "../file", NULL, 100, 0, &b, &e), 0);
	assert_string_equal(b.data, "f");
	assert_int_equal(b.kind, PROVIDER_PROC);
	blob_release(&b);
	path_of(&abs, "host.txt");
	assert_int_equal(provider_read(p, abs.buf, NULL, 100, 0, &b, &e), 0);
	assert_string_equal(b.data, "host");
	blob_release(&b);
	provider_destroy(p);
	assert_int_equal(chdir(old), 0);
	free(old);
	strbuf_release(&d);
	strbuf_release(&abs);
}

static void test_missing_root(void **state)
{
	struct provider *p = provider_root_create(NULL, "/nonexistent/kanon/root");
	struct blob b;
	struct err e;

	(void)state;
	assert_true(provider_read(p, "/etc/x", NULL, 100, 0, &b, &e) < 0);
	assert_string_equal(e.msg, "cannot read '/etc/x': No such file or directory");
	provider_destroy(p);
	provider_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_confined_openat2), cmocka_unit_test(test_confined_fallback),
	    cmocka_unit_test(test_start_below_root), cmocka_unit_test(test_list_walkdir_order),
	    cmocka_unit_test(test_read_blob),	     cmocka_unit_test(test_proc),
	    cmocka_unit_test(test_missing_root),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
