#ifndef KANON_TEST_TMPDIR_H
#define KANON_TEST_TMPDIR_H
/*
 * A scratch directory for a unit test file: tmpdir_setup() makes it (as a
 * cmocka setup function), tmpdir_teardown() removes it with what is in it.
 */
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kanon-unit-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
