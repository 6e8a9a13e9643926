/* Helpers shared by the snapshot parts of `kanon scan`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/cmdline.h"
#include "sources/provider.h"
#include "core/banned.h"

/* Byte order, as provider_list() sorts (Go's filepath.WalkDir). */
static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *scan_file(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", dir, name);
	return strbuf_detach(&sb);
}

void scan_warn_skipped(const struct provider *snap, const char *dir,
		       const struct path_list *skipped, struct result *res)
{
	char *display = provider_display(snap, dir);

	for (size_t i = 0; i < skipped->n; i++)
		result_diag(res, DIAG_WARNING,
			    "%s/%s: skipped: not a regular file (a FIFO, "
			    "a device or a socket)",
			    display, skipped->v[i]);
	free(display);
}

/* Does the directory dirfd/name hold any entry? */
static bool has_entries(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool any = false;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!any && (de = readdir(d)))
		any = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return any;
}

/*
 * The entries of part that are directories holding something, sorted; the
 * others that are not regular files go to *skipped. Only the top level is
 * read: a node's root/ below may hold links to /dev/null (masked units)
 * or to paths of the node, which are not this machine's to look at.
 */
static int list_subdirs(const struct provider *snap, const char *part, struct path_list *out,
			struct path_list *skipped, struct err *e)
{
	char *display = provider_display(snap, part);
	int fd = snap->ops->open(snap, part, O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	struct stat st;

	if (!d) {
		int ret = err_set(e, NULL, 0, "cannot read '%s': %s", display,
				  strerror(fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		free(display);
		return ret;
	}
	while ((de = readdir(d))) {
		struct path_list *to = out;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* a part's subdirectory may be a symlink to where it was collected */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || S_ISREG(st.st_mode))
			continue;
		if (!S_ISDIR(st.st_mode))
			to = skipped;
		else if (!has_entries(dirfd(d), de->d_name))
			continue;
		ALLOC_GROW(to->v, to->n + 1, to->alloc);
		to->v[to->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(display);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_name);
	return 0;
}

int scan_each_subdir(const struct provider *snap, const char *part, struct result *res,
		     scan_one_fn *one)
{
	struct path_list names = {0}, skipped = {0};
	struct err e = { 0 };
	int n;

	if (list_subdirs(snap, part, &names, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		return 0;
	}
	scan_warn_skipped(snap, part, &skipped, res);
	for (size_t i = 0; i < names.n; i++) {
		struct strbuf dir = STRBUF_INIT;

		strbuf_addf(&dir, "%s/%s", part, names.v[i]);
		one(snap, dir.buf, names.v[i], res);
		strbuf_release(&dir);
	}
	if (!names.n) {
		char *display = provider_display(snap, part);
		result_diag(res, DIAG_WARNING,
			    "%s: no subdirectory with files in it (one per "
			    "node or API server, docs/snapshot.md): nothing audited there",
			    display);
		free(display);
	}
	n = (int)names.n;
	path_list_release(&names);
	path_list_release(&skipped);
	return n;
}

/* Why the cmdline file b is not a command line of program (NULL: it is). */
static char *cmdline_problem(const struct blob *b, const char *program, struct argv_list *argv)
{
	struct err e = { 0 };
	struct strbuf why = STRBUF_INIT;

	if (memchr(b->data, '\0', b->len))
		cmdline_split_nul(b->data, b->len, argv);
	else if (cmdline_split(b->data, argv, &e) < 0)
		strbuf_addf(&why, "%s: %s", b->name, e.msg);
	if (!why.len && !argv->n)
		strbuf_addf(&why, "%s is empty: no %s command line (was %s running?)", b->name,
			    program, program);
	else if (!why.len && cmdline_locate(argv, program) < 0)
		strbuf_addf(&why,
			    "%s is not a %s command line (no word '%s' or 'hyperkube %s' "
			    "before the flags)",
			    b->name, program, program, program);
	return why.len ? strbuf_detach(&why) : NULL;
}

int scan_read_cmdline(const struct provider *snap, const char *path, const char *program,
		      struct argv_list *argv, char **why)
{
	struct err e = { 0 };
	struct blob b;

	*why = NULL;
	if (provider_read(snap, path, NULL, 1u << 20, 0, &b, &e) < 0) {
		*why = xstrdup(e.msg);
		return -1;
	}
	*why = cmdline_problem(&b, program, argv);
	blob_release(&b);
	return *why ? -1 : 0;
}
