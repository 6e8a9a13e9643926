/* The cluster-read rule (checks/cluster.h). */
#include "checks/cluster.h"

#include <string.h>

#include "core/finding.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const struct rule cluster_rules[] = {
    {"cluster-read", "Part of the cluster could not be read through the API", SEV_MEDIUM, {NULL}},
};

static void cluster_run(const void *input, const char *target, struct result *res);

const struct check check_cluster = {
    "cluster",
    cluster_rules,
    ARRAY_SIZE(cluster_rules),
    cluster_run,
};

static void one(const struct cluster_input *in, const struct cluster_unreadable *u,
		struct result *res)
{
	struct strbuf fix = STRBUF_INIT;
	struct finding *f;
	bool forbidden = strstr(u->why, ": forbidden") != NULL;

	if (u->permission && forbidden)
		strbuf_addf(&fix,
			    "Grant kanon's identity '%s' (deploy/kanon-reader.yaml holds the "
			    "read-only ClusterRole kanon needs), then run kanon cluster again.",
			    u->permission);
	else
		strbuf_addstr(&fix, "Run kanon cluster again when the request can succeed (a "
				    "timeout: --timeout; a node that is down: check it with "
				    "kubectl get --raw), or collect this part by hand "
				    "(docs/snapshot.md).");
	f = finding_add(res, &cluster_rules[0], STATUS_UNKNOWN, SEV_MEDIUM, u->target, fix.buf,
			"%s", u->why);
	finding_add_evidence(f, "api", in->source, 0, u->request, u->why,
			     u->permission ? u->permission : NULL);
	strbuf_release(&fix);
}

static void cluster_run(const void *input, const char *target, struct result *res)
{
	const struct cluster_input *in = input;

	(void)target;
	for (size_t i = 0; i < in->n; i++)
		one(in, &in->u[i], res);
}
