/*
 * The cluster/ part of a snapshot that `kanon cluster --save` wrote:
 * cluster/cluster.json names what could not be read through the API
 * ("unreadable": each an UNKNOWN cluster-read finding) and notes (a
 * managed control plane, /metrics not readable), so that `kanon scan DIR`
 * gives the verdicts the live run gave.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cluster.h"
#include "cli/cluster.h"
#include "cli/scan.h"
#include "core/util.h"
#include "sources/file.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void add_unreadable(const cJSON *arr, const char *name, struct result *res)
{
	struct cluster_unreadable *u = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*u));
	struct cluster_input in = {u, 0, name};
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		struct cluster_unreadable *x = &u[in.n];
		x->target = str(it, "target");
		x->request = str(it, "request");
		x->why = str(it, "why");
		x->permission = str(it, "permission");
		if (!x->target || !x->why) {
			result_diag(res, DIAG_WARNING,
				    "%s: an unreadable entry without target or "
				    "why: ignored",
				    name);
			continue;
		}
		in.n++;
	}
	check_run(&check_cluster, &in, NULL, res);
	free(u);
}

int scan_cluster(const struct provider *snap, const char *part, struct result *res)
{
	char *path = scan_file(part, "cluster.json");
	struct err e;
	struct blob b;
	cJSON *j, *it;

	if (provider_read(snap, path, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		res->input_error = true;
		free(path);
		return 0;
	}
	j = cJSON_ParseWithLength(b.data, b.len);
	if (!cJSON_IsObject(j)) {
		result_diag(res, DIAG_ERROR, "%s: not JSON (what kanon cluster --save writes)",
			    b.name);
		res->input_error = true;
	} else {
		add_unreadable(cJSON_GetObjectItemCaseSensitive(j, "unreadable"), b.name, res);
		cJSON_ArrayForEach(
		    it, cJSON_GetObjectItemCaseSensitive(j, "notes")) if (cJSON_IsString(it))
		    result_diag(res, DIAG_WARNING, "%s", it->valuestring);
	}
	cJSON_Delete(j);
	blob_release(&b);
	free(path);
	return 1;
}
