/* Helpers shared by the snapshot parts of `kanon scan`. */
#include <stdlib.h>
#include <string.h>

#include "cli/scan.h"
#include "core/strbuf.h"
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
