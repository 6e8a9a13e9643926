/* The audit/ part of a snapshot: API server audit logs (any names; .gz, rotated, EventLists). */
#include <stdlib.h>
#include <string.h>

#include "checks/audit.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

int scan_audit(const char *partdir, struct result *res)
{
	struct path_list entries = { 0 };
	struct err e = { { 0 }, 0, { 0 } };
	struct audit_opts o;
	char **files;
	size_t n = 0;

	if (dir_walk(partdir, &entries, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		return 0;
	}
	files = xcalloc(entries.n + 1, sizeof(char *));
	for (size_t i = 0; i < entries.n; i++) {
		const char *base = strrchr(entries.v[i], '/');
		struct strbuf p = STRBUF_INIT;

		base = base ? base + 1 : entries.v[i];
		if (base[0] == '.' || ends_with(base, ".md") || ends_with(base, ".txt"))
			continue; /* notes beside the logs */
		strbuf_addf(&p, "%s/%s", partdir, entries.v[i]);
		files[n++] = strbuf_detach(&p);
	}
	if (n) {
		audit_opts_init(&o);
		audit_run(files, n, &o, res);
	} else {
		result_diag(res, DIAG_WARNING, "%s: no audit log files", partdir);
	}
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	path_list_release(&entries);
	return n ? 1 : 0;
}
