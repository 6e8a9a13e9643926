/* Helpers shared by the snapshot parts of `kanon scan`. */
#include <string.h>

#include "cli/scan.h"
#include "core/strbuf.h"
#include "sources/file.h"
#include "core/banned.h"

int scan_each_subdir(const char *partdir, struct result *res,
		     void (*one)(const char *dir, const char *name, struct result *res))
{
	struct path_list entries = { 0 };
	struct err e = { { 0 }, 0, { 0 } };
	int n = 0;

	if (dir_walk(partdir, &entries, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		return 0;
	}
	/* the subdirectories are the first component of every file path;
	 * dir_walk lists a directory's files together, in name order */
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
		strbuf_addf(&dir, "%s/%s", partdir, name.buf);
		one(dir.buf, name.buf, res);
		n++;
		strbuf_release(&name);
		strbuf_release(&dir);
	}
	if (!n)
		result_diag(res, DIAG_WARNING, "%s: no subdirectory with files in it (one per "
			    "node or API server, docs/snapshot.md): nothing audited there",
			    partdir);
	path_list_release(&entries);
	return n;
}
