/* The progress line: never past 100 %, even when the file grows while read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/progress.h"

static void test_growing_file(void **state)
{
	char path[] = "/tmp/kanon-test-progress-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct progress p;
	char buf[512] = {0};
	FILE *f;
	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	progress_init(&p, "kanon audit");
	p.last_ms = 0; /* past the redraw interval */
	progress_update(&p, 300u << 20, 100u << 20, false);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	close(fd);
	unlink(path);
	assert_non_null(strstr(buf, "100%"));
	assert_null(strstr(buf, "300%"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_growing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
