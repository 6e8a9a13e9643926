/* sources/snapshot_write (kanon collect's output) and collect's redaction. */
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

#include "cli/collect.h"
#include "core/strbuf.h"
#include "sources/snapshot_write.h"

#include "tmpdir.h"

/* tmpdir/rel; two calls may be the arguments of one function */
static char *at(const char *rel)
{
	static char p[2][256];
	static int i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, rel);
	return p[i];
}

static void path_ok(void **state)
{
	(void)state;
	assert_true(snapshot_path_ok("kubelet/n1/root/etc/kubernetes/kubelet.conf"));
	assert_true(snapshot_path_ok("a"));
	assert_false(snapshot_path_ok(""));
	assert_false(snapshot_path_ok("/etc/passwd"));
	assert_false(snapshot_path_ok("a/../../b"));
	assert_false(snapshot_path_ok(".."));
	assert_false(snapshot_path_ok("a/./b"));
	assert_false(snapshot_path_ok("a//b"));
	assert_false(snapshot_path_ok("a/"));
	assert_false(snapshot_path_ok("a/b\nc"));
	assert_false(snapshot_path_ok("a/\x1b[31mred"));
	assert_false(snapshot_path_ok("a/\x7f"));
	assert_false(snapshot_path_ok("a/\xe2\x80\xae")); /* a bidi override */
}

static void node_path(void **state)
{
	char *p;

	(void)state;
	p = snapshot_node_path("kubelet/n/root", "/var/lib/kubelet/config.yaml");
	assert_string_equal(p, "kubelet/n/root/var/lib/kubelet/config.yaml");
	free(p);
	p = snapshot_node_path("kubelet/n/root", "//etc/./kubernetes//x.conf");
	assert_string_equal(p, "kubelet/n/root/etc/kubernetes/x.conf");
	free(p);
	assert_null(snapshot_node_path("kubelet/n/root", "/etc/../../../etc/shadow"));
	assert_null(snapshot_node_path("kubelet/n/root", "/etc/x\ny"));
	assert_null(snapshot_node_path("kubelet/n/root", "/"));
	assert_null(snapshot_node_path("kubelet/n/root", ""));
}

static void outdir_rules(void **state)
{
	struct snapshot_writer w;
	struct err e = { 0 };
	struct stat st;

	(void)state;
	/* a new directory: created 0700 */
	assert_int_equal(snapshot_writer_open(&w, at("new"), &e), 0);
	assert_int_equal(snapshot_write(&w, "a/b.txt", "x", 1, &e), 0);
	snapshot_writer_close(&w);
	assert_int_equal(stat(at("new"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(at("new/a"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(at("new/a/b.txt"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* not empty: refused */
	assert_true(snapshot_writer_open(&w, at("new"), &e) < 0);
	assert_non_null(strstr(e.msg, "not empty"));
	snapshot_writer_close(&w);
	/* a symlink to an empty directory: refused, not followed */
	assert_int_equal(mkdir(at("empty"), 0700), 0);
	assert_int_equal(symlink(at("empty"), at("link")), 0);
	assert_true(snapshot_writer_open(&w, at("link"), &e) < 0);
	assert_non_null(strstr(e.msg, "symbolic link"));
	snapshot_writer_close(&w);
	/* an empty directory is fine */
	assert_int_equal(snapshot_writer_open(&w, at("empty"), &e), 0);
	snapshot_writer_close(&w);
}

/* A symlink put inside OUTDIR while collect runs is not followed. */
static void no_symlink_followed(void **state)
{
	struct snapshot_writer w;
	struct err e = { 0 };
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(at("elsewhere"), 0700), 0);
	assert_int_equal(snapshot_writer_open(&w, at("out"), &e), 0);
	assert_int_equal(symlink(at("elsewhere"), at("out/kubelet")), 0);
	assert_true(snapshot_write(&w, "kubelet/x", "secret", 6, &e) < 0);
	assert_true(stat(at("elsewhere/x"), &st) < 0);
	/* a symlink at the file's own name is replaced, not written through */
	assert_int_equal(symlink(at("elsewhere/y"), at("out/y")), 0);
	assert_int_equal(snapshot_write(&w, "y", "data", 4, &e), 0);
	assert_true(stat(at("elsewhere/y"), &st) < 0);
	assert_int_equal(lstat(at("out/y"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* unsafe relative paths are refused before anything is created */
	assert_true(snapshot_write(&w, "../escape", "x", 1, &e) < 0);
	assert_true(stat(at("escape"), &st) < 0);
	snapshot_writer_close(&w);
}

static void copy_capped(void **state)
{
	struct snapshot_writer w;
	struct err e = { 0 };
	struct stat st;
	uint64_t size = 0;
	int fd;

	(void)state;
	fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(snapshot_writer_open(&w, at("cap"), &e), 0);
	assert_int_equal(snapshot_copy_fd(&w, "z", fd, 100000, NULL, &size, &e), -EFBIG);
	/* nothing left behind, not even the temporary file */
	assert_true(stat(at("cap/z"), &st) < 0);
	snapshot_writer_close(&w);
	close(fd);
	assert_int_equal(rmdir(at("cap")), 0);
}

static void redact(void **state)
{
	static const char in[] = "token: K10abc::server:xyz\n"
				 "agent-token: \"s3cr3t\"\n"
				 "token-file: /etc/rancher/k3s/token\n"
				 "write-kubeconfig-mode: \"0644\"\n"
				 "export K3S_TOKEN=abc\n"
				 "DB_PASSWORD = hunter2\n"
				 "KUBELET_EXTRA_ARGS=--node-ip=10.0.0.1\n"
				 "  - --token-auth-file=/etc/k/tokens.csv\n"
				 "empty-secret:\n"
				 "last-secret: x";
	static const char want[] = "token: REDACTED-BY-KANON\n"
				   "agent-token: REDACTED-BY-KANON\n"
				   "token-file: /etc/rancher/k3s/token\n"
				   "write-kubeconfig-mode: \"0644\"\n"
				   "export K3S_TOKEN=REDACTED-BY-KANON\n"
				   "DB_PASSWORD = REDACTED-BY-KANON\n"
				   "KUBELET_EXTRA_ARGS=--node-ip=10.0.0.1\n"
				   "  - --token-auth-file=/etc/k/tokens.csv\n"
				   "empty-secret:\n"
				   "last-secret: REDACTED-BY-KANON";
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(collect_redact(&out, in, strlen(in)), 5);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void private_keys(void **state)
{
	static const char key[] = "-----BEGIN EC PRIVATE KEY-----\nMHc...\n";
	static const char kubeconfig[] = "users:\n- name: x\n  user:\n    client-key-data: LS0t\n";
	static const char config[] = "kind: KubeletConfiguration\nreadOnlyPort: 0\n";

	(void)state;
	assert_true(collect_has_private_key(key, strlen(key)));
	assert_true(collect_has_private_key(kubeconfig, strlen(kubeconfig)));
	assert_false(collect_has_private_key(config, strlen(config)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(path_ok),
	    cmocka_unit_test(node_path),
	    cmocka_unit_test_setup_teardown(outdir_rules, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(no_symlink_followed, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(copy_capped, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test(redact),
	    cmocka_unit_test(private_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
