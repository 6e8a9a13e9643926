/* pflag semantics and command-line splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parsers/cmdline.h"
#include "parsers/flags.h"

static const struct flag_spec specs[] = {
    {"anonymous-auth", FLAG_BOOL},
    {"authorization-mode", FLAG_STRING},
    {"config", FLAG_STRING},
};

static void parse(const char *line, struct argv_list *a, struct flagset *fs)
{
	argv_init(a);
	flagset_init(fs);
	assert_int_equal(cmdline_split(line, a, NULL), 0);
	flags_parse(a, specs, 3, fs);
}

static void test_split_quotes(void **state)
{
	struct argv_list a;
	(void)state;
	argv_init(&a);
	assert_int_equal(cmdline_split("kubelet  --a='x y' \"--b=q\\\"r\" c\\ d", &a, NULL), 0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.v[1], "--a=x y");
	assert_string_equal(a.v[2], "--b=q\"r");
	assert_string_equal(a.v[3], "c d");
	argv_release(&a);
	argv_init(&a);
	assert_int_equal(cmdline_split("kubelet --a='x", &a, NULL), -1);
	argv_release(&a);
}

/* A pasted line starts at the program's word (issue 9: ps -ef, hyperkube, k3s log lines). */
static void locate_is(const char *line, const char *program, int rc, const char *first, size_t n)
{
	struct argv_list a;

	argv_init(&a);
	assert_int_equal(cmdline_split(line, &a, NULL), 0);
	assert_int_equal(cmdline_locate(&a, program), rc);
	if (!rc) {
		assert_string_equal(a.v[0], first);
		assert_int_equal(a.n, n);
	}
	argv_release(&a);
}

static void test_locate_program(void **state)
{
	(void)state;
	locate_is("kubelet --a=1", "kubelet", 0, "kubelet", 2);
	locate_is("root 1234 1 2 10:00 ? 00:01:00 /usr/bin/kubelet --a=1 --b", "kubelet", 0,
		  "/usr/bin/kubelet", 3);
	locate_is("/usr/local/bin/hyperkube kubelet --a=1", "kubelet", 0, "kubelet", 2);
	locate_is("level=info msg=\"Running kubelet --a=1 --b=2\"", "kubelet", 0, "kubelet", 3);
	locate_is("kube-proxy --config=/kubelet", "kubelet", -1, NULL, 0);
	locate_is("kubelet-wrapper --a", "kubelet", -1, NULL, 0);
	locate_is("root 9 1 kube-apiserver --x", "kube-apiserver", 0, "kube-apiserver", 2);
}

static void test_split_nul(void **state)
{
	struct argv_list a;
	(void)state;
	argv_init(&a);
	cmdline_split_nul("kubelet\0--config=/x y\0", 22, &a);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.v[1], "--config=/x y");
	argv_release(&a);
}

static void test_last_wins(void **state)
{
	struct argv_list a;
	struct flagset fs;
	(void)state;
	parse("kubelet --anonymous-auth=false --anonymous-auth=true", &a, &fs);
	assert_int_equal(flags_count(&fs, "anonymous-auth"), 2);
	assert_string_equal(flags_last(&fs, "anonymous-auth")->value, "true");
	flagset_release(&fs);
	argv_release(&a);
}

static void test_bare_bool_and_separate_word(void **state)
{
	struct argv_list a;
	struct flagset fs;
	(void)state;
	parse("kubelet --anonymous-auth false", &a, &fs);
	assert_null(flags_last(&fs, "anonymous-auth")->value); /* bare: true */
	assert_int_equal(fs.positional.n, 1);
	assert_string_equal(fs.positional.v[0], "false");
	flagset_release(&fs);
	argv_release(&a);
	/* a string flag takes the next word */
	parse("kubelet --authorization-mode Webhook --config /c", &a, &fs);
	assert_string_equal(flags_last(&fs, "authorization-mode")->value, "Webhook");
	assert_string_equal(flags_last(&fs, "config")->value, "/c");
	assert_int_equal(fs.positional.n, 0);
	flagset_release(&fs);
	argv_release(&a);
}

static void test_normalize_and_shorthand(void **state)
{
	struct argv_list a;
	struct flagset fs;
	(void)state;
	parse("kubelet --anonymous_auth=true -anonymous-auth=false -- x", &a, &fs);
	assert_string_equal(flags_last(&fs, "anonymous-auth")->value, "true");
	assert_int_equal(fs.shorthand.n, 1);
	assert_int_equal(fs.positional.n, 1);
	flagset_release(&fs);
	argv_release(&a);
}

static void test_go_parse_bool(void **state)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
	static const char *const bad[] = {"yes", "on", "tRUE", "", "2", " true"};
	bool b;
	(void)state;
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(go_parse_bool(t[i], &b), 0);
		assert_true(b);
		assert_int_equal(go_parse_bool(f[i], &b), 0);
		assert_false(b);
		assert_int_equal(go_parse_bool(bad[i], &b), -1);
	}
}

static void test_go_parse_int(void **state)
{
	long long v;
	(void)state;
	assert_int_equal(go_parse_int("10255", 32, &v), 0);
	assert_int_equal(v, 10255);
	assert_int_equal(go_parse_int("0x10", 32, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(go_parse_int("010", 32, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(go_parse_int("-1", 32, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(go_parse_int("1_000", 32, &v), -1);
	assert_int_equal(go_parse_int("0x1_0", 32, &v), 0);
	assert_int_equal(go_parse_int("2147483648", 32, &v), -1);
	assert_int_equal(go_parse_int("", 32, &v), -1);
	assert_int_equal(go_parse_int("12a", 32, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_quotes),
	    cmocka_unit_test(test_split_nul),
	    cmocka_unit_test(test_locate_program),
	    cmocka_unit_test(test_last_wins),
	    cmocka_unit_test(test_bare_bool_and_separate_word),
	    cmocka_unit_test(test_normalize_and_shorthand),
	    cmocka_unit_test(test_go_parse_bool),
	    cmocka_unit_test(test_go_parse_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
