/* The in-process command harness of the fuzz targets: see harness.h. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"

static char dir[256];
static char paths[4][512];

void fz_setup(void)
{
	const char *t = getenv("TMPDIR");

	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "%s/kanon-fuzz-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

const char *fz_dir(void)
{
	return dir;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag;
	if (f->level > 0)
		remove(p);
	return 0;
}

void fz_clean(void)
{
	/* the fuzzer may write a directory without search permission */
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fz_path(int slot, const char *rel)
{
	snprintf(paths[slot & 3], sizeof(paths[0]), "%s/%s", dir, rel);
	return paths[slot & 3];
}

void fz_write(const char *rel, const void *data, size_t n)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "wb");
	if (!f)
		return; /* a directory of that name from an earlier file: fine */
	if (n)
		fwrite(data, 1, n, f);
	fclose(f);
}

static void fail(const char *what, const char *buf, size_t n, size_t at)
{
	size_t from = at > 40 ? at - 40 : 0;

	fprintf(stderr, "fuzz property broken: %s at byte %zu of %zu\n", what, at, n);
	fwrite(buf + from, 1, (at + 40 < n ? at + 40 : n) - from, stderr);
	fputc('\n', stderr);
	abort();
}

/* One UTF-8 sequence at s[i]: its code point, or -1 when invalid. */
static long utf8_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned c = s[i];
	size_t k;
	long cp, min;

	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07, min = 0x10000;
	else
		return -1;
	if (i + k > n)
		return -1;
	for (size_t j = 1; j < k; j++) {
		if ((s[i + j] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i + j] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return cp;
}

/* What strbuf.c's cleaner escapes, but newline and tab. */
static bool terminal_unsafe(long cp)
{
	if (cp == '\n' || cp == '\t')
		return false;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void check_terminal(const char *what, const char *buf, size_t n)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t len;

	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_at(s, n, i, &len);

		if (cp < 0)
			fail(what, buf, n, i);
		if (terminal_unsafe(cp))
			fail(what, buf, n, i);
	}
}

static void check_json(const char *buf, size_t n)
{
	cJSON *j;

	if (!n)
		return; /* a usage or input error: no document at all */
	j = cJSON_ParseWithLength(buf, n);
	if (!j)
		fail("JSON output is not one JSON document", buf, n, 0);
	cJSON_Delete(j);
	/* JSON escapes every control character; the bidi controls are valid
	 * JSON text but must not reach a terminal through `jq -r` either: the
	 * reporters write them as \u escapes */
	check_terminal("raw control character in JSON output", buf, n);
}

int fz_run(int (*cmd)(int, char **), enum fz_out out, const char *const *argv)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t on = 0, en = 0;
	FILE *saved_out = stdout, *saved_err = stderr;
	char *args[64];
	int argc = 0, rc;

	while (argv[argc] && argc < 63) {
		args[argc] = (char *)argv[argc];
		argc++;
	}
	args[argc] = NULL;
	stdout = open_memstream(&obuf, &on);
	stderr = open_memstream(&ebuf, &en);
	if (!stdout || !stderr)
		abort();
	rc = cmd(argc, args);
	fclose(stdout);
	fclose(stderr);
	stdout = saved_out;
	stderr = saved_err;
	if (rc < 0 || rc > 3)
		fail("exit code out of 0..3", ebuf, en, 0);
	check_terminal("stderr not safe for a terminal", ebuf, en);
	if (out == FZ_JSON)
		check_json(obuf, on);
	else
		check_terminal("text output not safe for a terminal", obuf, on);
	free(obuf);
	free(ebuf);
	return rc;
}
