/* The audit/ part of a snapshot: API server audit logs (any names; .gz, rotated, EventLists). */
#include <stdlib.h>
#include <string.h>

#include "checks/audit.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

int scan_audit(const struct provider *snap, const char *part, struct result *res)
{
	struct path_list entries = {0}, skipped = {0};
	struct err e = { 0 };
	struct audit_opts o;
	struct audit_input in;
	char *display = provider_display(snap, part);
	char **files, **paths;
	size_t n = 0;

	if (provider_list(snap, part, &entries, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		free(display);
		return 0;
	}
	/* a FIFO or a device would block the reader or never end */
	scan_warn_skipped(snap, part, &skipped, res);
	files = xcalloc(entries.n + 1, sizeof(char *));
	paths = xcalloc(entries.n + 1, sizeof(char *));
	for (size_t i = 0; i < entries.n; i++) {
		const char *base = strrchr(entries.v[i], '/');

		base = base ? base + 1 : entries.v[i];
		if (base[0] == '.' || ends_with(base, ".md") || ends_with(base, ".txt"))
			continue; /* notes beside the logs */
		/* opened inside the snapshot, as every other part's files */
		paths[n] = scan_file(part, entries.v[i]);
		files[n++] = scan_file(display, entries.v[i]);
	}
	if (n) {
		audit_opts_init(&o);
		in.src = snap;
		in.paths = paths;
		in.files = files;
		in.nfiles = n;
		in.opts = &o;
		check_run(&check_audit, &in, NULL, res);
	} else {
		result_diag(res, DIAG_WARNING, "%s: no audit log files", display);
	}
	for (size_t i = 0; i < n; i++) {
		free(files[i]);
		free(paths[i]);
	}
	free(files);
	free(paths);
	free(display);
	path_list_release(&entries);
	path_list_release(&skipped);
	return n ? 1 : 0;
}
