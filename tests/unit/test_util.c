/* core/util size arithmetic and core/err messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"

static volatile size_t sink;

/* Run fn in a child: true when it died of SIGABRT (the overflow path). */
static bool dies(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* the message is expected: keep it out of the test log */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void mult_overflow(void)
{
	sink = st_mult(SIZE_MAX / 2 + 1, 2);
}

static void add_overflow(void)
{
	sink = st_add(SIZE_MAX, 1);
}

static void grow_overflow(void)
{
	char *p = NULL;
	size_t alloc = 0;

	/* elem * need wraps around: must die, not allocate a few bytes */
	grow_array((void **)&p, &alloc, SIZE_MAX / 8 + 2, 16);
	free(p);
}

static void test_size_math(void **state)
{
	(void)state;
	assert_int_equal(st_add(3, 4), 7);
	assert_int_equal(st_mult(3, 4), 12);
	assert_int_equal(st_mult(SIZE_MAX, 0), 0);
	assert_int_equal(st_add3(1, 2, 3), 6);
	assert_true(dies(mult_overflow));
	assert_true(dies(add_overflow));
	assert_true(dies(grow_overflow));
}

/* Issue 8: messages cut paths at 512 bytes. */
static void test_err_long_path(void **state)
{
	struct err e;
	char path[700], buf[ERR_FORMAT_MAX];
	char want[800];
	(void)state;

	memset(path, 'd', sizeof(path) - 1);
	for (size_t i = 0; i < sizeof(path) - 1; i += 50)
		path[i] = '/';
	path[sizeof(path) - 1] = '\0';
	memcpy(path + sizeof(path) - 6, "x.yml", 5);
	assert_int_equal(err_set(&e, path, 3, "cannot read '%s': %s", path, "No such file"), -1);
	assert_string_equal(e.file, path);
	snprintf(want, sizeof(want), "cannot read '%s': No such file", path);
	assert_string_equal(e.msg, want);
	err_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, want));
	assert_int_equal(strncmp(buf, path, strlen(path)), 0);
	assert_non_null(strstr(buf, "x.yml:3: cannot read"));
}

static void test_err_cut_is_marked(void **state)
{
	struct err e;
	char buf[16];
	(void)state;

	err_set(&e, "f", 1, "%s", "a message too long for the buffer");
	err_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "f:1: a messa...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_size_math),
	    cmocka_unit_test(test_err_long_path),
	    cmocka_unit_test(test_err_cut_is_marked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
