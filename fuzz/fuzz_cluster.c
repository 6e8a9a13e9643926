/*
 * libFuzzer target: what `kanon cluster` reads from an API server that may
 * not be the real one. The input is the server's answers, NUL-separated, to
 * the requests in the order kanon makes them (/version, /metrics, the four
 * RBAC lists, nodes, kube-apiserver pods, each node's /configz, the next
 * pages...): each answer's first byte picks the status code, the rest is
 * the body; past the last one, 404. The fetch writes its snapshot as over
 * HTTP (src/cli/cluster_fetch.c through the replay client of
 * src/sources/kubeapi.c), then `kanon scan` reads that snapshot in text and
 * JSON, with the harness' output checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cluster.h"
#include "core/finding.h"
#include "harness.h"
#include "sources/kubeapi.h"
#include "sources/snapshot_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct answers {
	const char *p, *end;
};

static const char not_found[] = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
				"\"Failure\",\"reason\":\"NotFound\",\"code\":404}";

static void answer(void *ctx, const char *path, long *code, const char **body, size_t *len)
{
	static const long codes[8] = {200, 200, 200, 200, 403, 410, 503, 0};
	struct answers *a = ctx;
	const char *nul;

	(void)path;
	if (a->p >= a->end) {
		*code = 404;
		*body = not_found;
		*len = sizeof(not_found) - 1;
		return;
	}
	nul = memchr(a->p, '\0', (size_t)(a->end - a->p));
	if (!nul)
		nul = a->end;
	*code = codes[(unsigned char)*a->p % 8];
	*body = a->p + 1 <= nul ? a->p + 1 : nul;
	*len = (size_t)(nul - *body);
	a->p = nul + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answers a = {(const char *)data, (const char *)data + size};
	struct kubeapi_opts ko = {0, 4};
	struct cluster_opts o = {0};
	struct cluster_stats st = {0};
	struct snapshot_writer w;
	struct result res;
	struct kubeapi *api;
	struct err e = {0};
	const char *snap;

	fz_setup();
	fz_clean();
	snap = fz_path(0, "snap");
	o.metrics_interval_ms = -1; /* /metrics once: no waiting */
	o.no_probe = true;
	if (snapshot_writer_open(&w, snap, &e) < 0)
		return 0;
	w.no_sync = true;
	api = kubeapi_create_replay(answer, &a, &ko);
	result_init(&res);
	(void)cluster_fetch(api, &w, &o, "fuzz", &st, &res);
	result_release(&res);
	free(st.version);
	kubeapi_destroy(api);
	snapshot_writer_close(&w);
	{
		const char *text[] = {"scan", snap, "--color", "never", "-v", NULL};
		const char *json[] = {"scan", snap, "-f", "json", NULL};
		fz_run(cmd_scan, FZ_TEXT, text);
		fz_run(cmd_scan, FZ_JSON, json);
	}
	return 0;
}
