/* Helpers shared by the snapshot parts of `kanon scan`. */
#include <stdlib.h>
#include <string.h>

#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/cmdline.h"
#include "sources/provider.h"
#include "core/banned.h"

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

int scan_each_subdir(const struct provider *snap, const char *part, struct result *res,
		     scan_one_fn *one)
{
	struct path_list entries = {0}, skipped = {0};
	struct err e = {{0}, 0, {0}};
	int n = 0;

	if (provider_list(snap, part, &entries, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		return 0;
	}
	scan_warn_skipped(snap, part, &skipped, res);
	/* the subdirectories are the first component of every file path;
	 * provider_list lists a directory's files together, in name order */
	for (size_t i = 0; i < entries.n; i++) {
		const char *slash = strchr(entries.v[i], '/');
		struct strbuf name = STRBUF_INIT, dir = STRBUF_INIT;

		if (!slash)
			continue;
		strbuf_add(&name, entries.v[i], (size_t)(slash - entries.v[i]));
		if (i > 0 && !strncmp(entries.v[i - 1], name.buf, name.len) &&
		    entries.v[i - 1][name.len] == '/') {
			strbuf_release(&name);
			continue;
		}
		strbuf_addf(&dir, "%s/%s", part, name.buf);
		one(snap, dir.buf, name.buf, res);
		n++;
		strbuf_release(&name);
		strbuf_release(&dir);
	}
	if (!n) {
		char *display = provider_display(snap, part);
		result_diag(res, DIAG_WARNING,
			    "%s: no subdirectory with files in it (one per "
			    "node or API server, docs/snapshot.md): nothing audited there",
			    display);
		free(display);
	}
	path_list_release(&entries);
	path_list_release(&skipped);
	return n;
}

/* Why the cmdline file b is not a command line of program (NULL: it is). */
static char *cmdline_problem(const struct blob *b, const char *program, struct argv_list *argv)
{
	struct err e = {{0}, 0, {0}};
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
	struct err e = {{0}, 0, {0}};
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
