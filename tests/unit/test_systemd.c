/* systemd unit and EnvironmentFile= syntax, ExecStart= expansion, and the
 * kubelet command line a node's unit files assemble (model/node_systemd.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/finding.h"
#include "core/strbuf.h"
#include "model/node.h"
#include "parsers/envfile.h"
#include "parsers/unit.h"
#include "sources/provider.h"

static const char *get(const struct env_list *l, const char *name)
{
	const struct env_var *v = env_list_get(l, name, strlen(name));
	return v ? v->value : NULL;
}

static int get_line(const struct env_list *l, const char *name)
{
	const struct env_var *v = env_list_get(l, name, strlen(name));
	return v ? v->line : -1;
}

static void test_envfile_quoting(void **state)
{
	static const char f[] = "# a comment\n"
				"; another\n"
				"A='single  quoted $X \\n'\n"
				"B=\"a\\\"b\\\\c\\q\\$d\"\n"
				"C=   plain value   \n"
				"D=foo\"bar baz\"'q'\n"
				"D2=\"x\"  'y'z\n"
				"  E  = spaced key\n"
				"no equals sign here\n"
				"F=\n"
				"G=\"multi\n"
				"line\"\n";
	struct env_list l;
	(void)state;
	env_list_init(&l);
	assert_int_equal(envfile_parse(f, sizeof(f) - 1, "/e", &l, NULL), 0);
	assert_string_equal(get(&l, "A"), "single  quoted $X \\n");
	assert_string_equal(get(&l, "B"), "a\"b\\c\\q$d");
	assert_string_equal(get(&l, "C"), "plain value");
	/* quotes open only where a value starts (or after a quoted part) */
	assert_string_equal(get(&l, "D"), "foo\"bar baz\"'q'");
	assert_string_equal(get(&l, "D2"), "xyz");
	assert_string_equal(get(&l, "E"), "spaced key");
	assert_string_equal(get(&l, "F"), "");
	assert_string_equal(get(&l, "G"), "multi\nline");
	assert_int_equal(get_line(&l, "A"), 3);
	assert_int_equal(get_line(&l, "G"), 11);
	assert_int_equal(l.n, 8);
	env_list_release(&l);
}

static void test_envfile_continuation_and_later_wins(void **state)
{
	static const char f[] = "ARGS=--a=1 \\\n   --b=2\n"
				"X=first\n"
				"# a comment ending in a backslash \\\n"
				"Y=not part of the comment\n"
				"X=second\n"
				"Z=\"dq \\\n continued\"";
	struct env_list l;
	(void)state;
	env_list_init(&l);
	assert_int_equal(envfile_parse(f, sizeof(f) - 1, "/e", &l, NULL), 0);
	assert_string_equal(get(&l, "ARGS"), "--a=1    --b=2");
	assert_string_equal(get(&l, "X"), "second");
	assert_int_equal(get_line(&l, "X"), 6);
	assert_string_equal(get(&l, "Y"), "not part of the comment");
	assert_string_equal(get(&l, "Z"), "dq  continued"); /* no newline at EOF */
	env_list_release(&l);
}

static void test_envfile_hostile(void **state)
{
	static const char bad[] = "A=\xff\xfe\n";
	static const char nul[] = "A=1\0B=2\n";
	struct env_list l;
	struct err e;
	(void)state;
	env_list_init(&l);
	assert_int_equal(envfile_parse(bad, sizeof(bad) - 1, "/e", &l, &e), -1);
	assert_non_null(strstr(e.msg, "UTF-8"));
	env_list_release(&l);
	env_list_init(&l);
	assert_int_equal(envfile_parse(nul, sizeof(nul) - 1, "/e", &l, NULL), 0);
	assert_string_equal(get(&l, "A"), "1");
	assert_null(get(&l, "B")); /* systemd reads a C string */
	env_list_release(&l);
}

static void test_unit_parse(void **state)
{
	static const char f[] = "\xef\xbb\xbf[Unit]\n"
				"Description = kubelet \n"
				"[Service]\r\n"
				"ExecStart=/usr/bin/kubelet \\\n"
				"# a comment inside the continuation\n"
				"  --a=1 \\\n"
				"  --b=2\n"
				"Environment=X=1\\\\\n"
				"NoEquals\n"
				"; comment\n"
				"Type=simple";
	struct unit_file u;
	(void)state;
	unit_file_init(&u);
	assert_int_equal(unit_parse(f, sizeof(f) - 1, &u, NULL), 0);
	assert_int_equal(u.n, 4);
	assert_string_equal(u.a[0].section, "Unit");
	assert_string_equal(u.a[0].key, "Description");
	assert_string_equal(u.a[0].value, "kubelet");
	assert_string_equal(u.a[1].key, "ExecStart");
	/* the backslash becomes a space; the comment line is skipped */
	assert_string_equal(u.a[1].value, "/usr/bin/kubelet    --a=1    --b=2");
	assert_int_equal(u.a[1].line, 4);
	/* an even number of backslashes does not continue */
	assert_string_equal(u.a[2].value, "X=1\\\\");
	assert_int_equal(u.a[2].line, 8);
	assert_string_equal(u.a[3].value, "simple");
	assert_int_equal(u.nwarn, 1);
	assert_int_equal(u.warn[0].line, 9);
	unit_file_release(&u);
}

static void test_unit_parse_errors(void **state)
{
	static const char hdr[] = "[Service\nExecStart=/x\n";
	static const char outside[] = "ExecStart=/x\n[Service]\n";
	struct unit_file u;
	struct err e;
	char *big;
	(void)state;
	unit_file_init(&u);
	assert_int_equal(unit_parse(hdr, sizeof(hdr) - 1, &u, &e), -1);
	assert_int_equal(e.line, 1);
	unit_file_release(&u);
	unit_file_init(&u);
	assert_int_equal(unit_parse(outside, sizeof(outside) - 1, &u, NULL), 0);
	assert_int_equal(u.n, 0);
	assert_int_equal(u.nwarn, 1);
	unit_file_release(&u);
	/* a continuation that never ends is bounded */
	big = malloc(3u << 20);
	for (size_t i = 0; i < (3u << 20); i++)
		big[i] = i % 64 == 63 ? '\n' : i % 64 == 62 ? '\\' : 'x';
	unit_file_init(&u);
	assert_int_equal(unit_parse(big, 3u << 20, &u, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));
	unit_file_release(&u);
	free(big);
}

static void test_split_words(void **state)
{
	struct argv_list a;
	struct err e;
	(void)state;
	argv_init(&a);
	assert_int_equal(
	    unit_split_words("a\"b c\"d '' \"x\\\"y\" \\x41\\n", UNIT_SPLIT_CUNESCAPE, &a, NULL),
	    0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.v[0], "ab cd");
	assert_string_equal(a.v[1], "");
	assert_string_equal(a.v[2], "x\"y");
	assert_string_equal(a.v[3], "A\n");
	argv_release(&a);
	argv_init(&a);
	assert_int_equal(unit_split_words("a \\q", UNIT_SPLIT_CUNESCAPE, &a, &e), -1);
	argv_release(&a);
	argv_init(&a);
	assert_int_equal(
	    unit_split_words("\\q", UNIT_SPLIT_CUNESCAPE | UNIT_SPLIT_ESCAPE_RELAX, &a, NULL), 0);
	assert_string_equal(a.v[0], "\\q");
	argv_release(&a);
	argv_init(&a);
	assert_int_equal(unit_split_words("'open", 0, &a, NULL), -1);
	argv_release(&a);
	argv_init(&a);
	assert_int_equal(unit_split_words("'open quote", UNIT_SPLIT_RELAX, &a, NULL), 0);
	assert_string_equal(a.v[0], "open quote");
	argv_release(&a);
}

static void exec1(const char *v, struct unit_cmd **c, size_t *n)
{
	size_t alloc = 0;
	*c = NULL;
	*n = 0;
	assert_true(unit_exec_parse(v, "kubelet.service", c, n, &alloc, NULL) > 0);
}

static void free_cmds(struct unit_cmd *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		unit_cmd_release(&c[i]);
	free(c);
}

static void test_exec_parse(void **state)
{
	struct unit_cmd *c;
	size_t n, alloc = 0;
	struct err e;
	(void)state;
	exec1("-@/usr/bin/kubelet kubelet --name=%n --pct=%% ; /bin/true \\;", &c, &n);
	assert_int_equal(n, 2);
	assert_true(c[0].flags & UNIT_EXEC_IGNORE);
	assert_true(c[0].flags & UNIT_EXEC_ARGV0);
	assert_string_equal(c[0].path, "/usr/bin/kubelet");
	assert_int_equal(c[0].argv.n, 3);
	assert_string_equal(c[0].argv.v[0], "kubelet");
	assert_string_equal(c[0].argv.v[1], "--name=kubelet.service");
	assert_string_equal(c[0].argv.v[2], "--pct=%");
	assert_string_equal(c[1].argv.v[1], ";");
	free_cmds(c, n);
	exec1(":+/usr/bin/kubelet $A", &c, &n);
	assert_true(c[0].flags & UNIT_EXEC_NO_ENV);
	assert_true(c[0].flags & UNIT_EXEC_PRIVILEGED);
	free_cmds(c, n);
	c = NULL, n = 0;
	assert_int_equal(
	    unit_exec_parse("/usr/bin/kubelet --host=%H", "kubelet.service", &c, &n, &alloc, &e),
	    -2);
	assert_non_null(strstr(e.msg, "%H"));
	assert_int_equal(
	    unit_exec_parse("@/usr/bin/kubelet", "kubelet.service", &c, &n, &alloc, &e), -1);
	assert_int_equal(unit_exec_parse("bin/kubelet", "kubelet.service", &c, &n, &alloc, &e), -1);
	free_cmds(c, n);
}

static void set(struct env_list *l, const char *name, const char *v, int line)
{
	env_list_set(l, name, strlen(name), v, "/etc/k.env", line, "EnvironmentFile=");
}

static void test_expand(void **state)
{
	struct argv_list in, out, unset;
	struct env_list env;
	static const char *const words[] = {
	    "/usr/bin/kubelet", "$ARGS", "--config=${CFG}", "cost=$$5", "$UNSET", "${UNSET}x",
	    "$NOT-A-NAME",	"a$B",	 "${CFG:-x}",	    "$"};
	(void)state;
	argv_init(&in);
	argv_init(&out);
	argv_init(&unset);
	env_list_init(&env);
	set(&env, "ARGS", "--a=1  '--b=two words' \"--c\"", 3);
	set(&env, "CFG", "/etc/k y.yaml", 4);
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		argv_push_at(&in, words[i], "/u.service", 7, NULL);
	assert_int_equal(unit_expand_argv(&in, &env, &out, &unset, NULL), 0);
	assert_int_equal(out.n, 9);
	assert_string_equal(out.v[0], "/usr/bin/kubelet");
	/* $ARGS as a word: split, quotes removed */
	assert_string_equal(out.v[1], "--a=1");
	assert_string_equal(out.v[2], "--b=two words");
	assert_string_equal(out.v[3], "--c");
	assert_string_equal(argv_origin(&out, 2)->path, "/etc/k.env");
	assert_int_equal(argv_origin(&out, 2)->line, 3);
	assert_string_equal(argv_origin(&out, 2)->note, "$ARGS in ExecStart (/u.service:7)");
	/* ${CFG}: one word, even with a space */
	assert_string_equal(out.v[4], "--config=/etc/k y.yaml");
	assert_string_equal(argv_origin(&out, 4)->note, "${CFG} in ExecStart (/u.service:7)");
	assert_string_equal(out.v[5], "cost=$5");
	assert_string_equal(argv_origin(&out, 5)->path, "/u.service");
	/* $UNSET and $NOT-A-NAME as words vanish; ${UNSET} is empty */
	assert_string_equal(out.v[6], "x");
	assert_string_equal(out.v[7], "a$B");	    /* no braces inside a word: kept */
	assert_string_equal(out.v[8], "${CFG:-x}"); /* not supported: kept */
	assert_int_equal(unset.n, 3);		    /* UNSET, NOT-A-NAME, "" */
	argv_release(&in);
	argv_release(&out);
	argv_release(&unset);
	env_list_release(&env);
}

static void test_expand_bounded(void **state)
{
	struct argv_list in, out;
	struct env_list env;
	struct strbuf big = STRBUF_INIT, word = STRBUF_INIT;
	struct err e;
	(void)state;
	for (int i = 0; i < 4096; i++)
		strbuf_addstr(&big, "--flag=value ");
	for (int i = 0; i < 1000; i++)
		strbuf_addstr(&word, "${BIG}");
	argv_init(&in);
	argv_init(&out);
	env_list_init(&env);
	set(&env, "BIG", big.buf, 1);
	for (int i = 0; i < 1000; i++)
		argv_push(&in, "$BIG");
	assert_int_equal(unit_expand_argv(&in, &env, &out, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "larger than"));
	argv_release(&in);
	argv_release(&out);
	argv_init(&in);
	argv_init(&out);
	argv_push(&in, word.buf);
	assert_int_equal(unit_expand_argv(&in, &env, &out, NULL, &e), -1);
	argv_release(&in);
	argv_release(&out);
	env_list_release(&env);
	strbuf_release(&big);
	strbuf_release(&word);
}

/* ------------------------------------------------------ node trees */

static char root[64];

static void put(const char *path, const char *text)
{
	char p[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void cleanup_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* Assemble the tree and return the argv joined by spaces (caller frees), or
 * "UNKNOWN: reason". */
static char *assemble(void)
{
	struct provider *p = provider_root_create(NULL, root);
	struct node_layout l;
	struct result res;
	char *s;

	result_init(&res);
	node_layout_init(&l);
	assert_int_equal(node_systemd_kubelet(p, &l, &res), 1);
	if (l.unknown) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "UNKNOWN: %s", l.unknown);
		s = strbuf_detach(&sb);
	} else {
		s = cmdline_join(&l.argv);
	}
	node_layout_release(&l);
	result_release(&res);
	provider_destroy(p);
	return s;
}

static void new_root(void)
{
	strcpy(root, "/tmp/kanon-sd-XXXXXX");
	assert_non_null(mkdtemp(root));
}

static void test_node_precedence_and_resets(void **state)
{
	char *s;
	(void)state;
	new_root();
	put("/lib/systemd/system/kubelet.service", "[Service]\n"
						   "Environment=A=--from-unit B=--b1\n"
						   "ExecStart=/usr/bin/kubelet --old\n");
	put("/etc/systemd/system/kubelet.service.d/10-a.conf",
	    "[Service]\n"
	    "EnvironmentFile=/etc/a.env\n"
	    "EnvironmentFile=/etc/b.env\n"
	    "ExecStart=\n"
	    "ExecStart=/usr/bin/kubelet $A $B $C $D\n");
	/* written after the EnvironmentFile= lines, and still loses to them */
	put("/lib/systemd/system/kubelet.service.d/20-b.conf",
	    "[Service]\nEnvironment=A=--from-dropin C=--c-env\n");
	put("/etc/a.env", "A=--from-a\nD=--d-a\n");
	put("/etc/b.env", "D=--d-b\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet --from-a --b1 --c-env --d-b");
	free(s);
	/* an empty Environment= drops what came before it */
	put("/lib/systemd/system/kubelet.service.d/30-c.conf", "[Service]\nEnvironment=\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet --from-a --d-b");
	free(s);
	/* a second ExecStart= without a reset: systemd refuses the unit */
	put("/lib/systemd/system/kubelet.service.d/40-d.conf",
	    "[Service]\nExecStart=/usr/bin/kubelet\n");
	s = assemble();
	assert_non_null(strstr(s, "UNKNOWN: kubelet.service has 2 ExecStart= commands"));
	free(s);
	/* an empty EnvironmentFile= drops the files; a missing required one
	 * stops the unit */
	put("/lib/systemd/system/kubelet.service.d/40-d.conf",
	    "[Service]\nEnvironmentFile=\nEnvironmentFile=/etc/none.env\n");
	s = assemble();
	assert_non_null(strstr(s, "UNKNOWN: EnvironmentFile=/etc/none.env"));
	free(s);
	put("/lib/systemd/system/kubelet.service.d/40-d.conf",
	    "[Service]\nEnvironmentFile=\nEnvironmentFile=-/etc/none.env\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet");
	free(s);
	/* a glob in the file name: the matches in sorted order, later wins */
	put("/lib/systemd/system/kubelet.service.d/40-d.conf",
	    "[Service]\nEnvironmentFile=\nEnvironmentFile=/etc/env.d/*.env\n");
	put("/etc/env.d/20-b.env", "A=--from-b\n");
	put("/etc/env.d/10-a.env", "A=--from-a\nD=--d\n");
	put("/etc/env.d/.hidden.env", "A=--hidden\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet --from-b --d");
	free(s);
	cleanup_root();
}

static void test_node_masking(void **state)
{
	char *s;
	char p[256];
	(void)state;
	new_root();
	put("/usr/lib/systemd/system/kubelet.service",
	    "[Service]\nExecStart=/usr/bin/kubelet $X\n");
	put("/usr/lib/systemd/system/kubelet.service.d/50-x.conf",
	    "[Service]\nEnvironment=X=--lib\n");
	put("/etc/systemd/system/kubelet.service.d/50-x.conf", "[Service]\nEnvironment=X=--etc\n");
	put("/usr/lib/systemd/system/service.d/60-all.conf", "[Service]\nEnvironment=Y=1\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet --etc");
	free(s);
	snprintf(p, sizeof(p), "%s/etc/systemd/system/kubelet.service.d/50-x.conf", root);
	unlink(p);
	assert_int_equal(symlink("/dev/null", p), 0);
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet");
	free(s);
	/* the top-level service.d/ drop-ins apply to every service */
	put("/usr/lib/systemd/system/service.d/60-all.conf", "[Service]\nEnvironment=X=--all\n");
	s = assemble();
	assert_string_equal(s, "/usr/bin/kubelet --all");
	free(s);
	snprintf(p, sizeof(p), "%s/etc/systemd/system/kubelet.service", root);
	assert_int_equal(symlink("/dev/null", p), 0);
	s = assemble();
	assert_non_null(strstr(s, "is masked"));
	free(s);
	unlink(p);
	assert_int_equal(symlink("/usr/lib/systemd/system/other.service", p), 0);
	s = assemble();
	assert_non_null(strstr(s, "is an alias of"));
	free(s);
	cleanup_root();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envfile_quoting),
	    cmocka_unit_test(test_envfile_continuation_and_later_wins),
	    cmocka_unit_test(test_envfile_hostile),
	    cmocka_unit_test(test_unit_parse),
	    cmocka_unit_test(test_unit_parse_errors),
	    cmocka_unit_test(test_split_words),
	    cmocka_unit_test(test_exec_parse),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_expand_bounded),
	    cmocka_unit_test(test_node_precedence_and_resets),
	    cmocka_unit_test(test_node_masking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
