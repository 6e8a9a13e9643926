/*
 * The rbac/ part of a snapshot: every *.yaml, *.yml and *.json below it,
 * e.g. rbac/rbac.json from
 *   kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o json
 * (docs/snapshot.md). Bindings to Group system:authenticated are reported
 * as info.
 *
 * The API server's anonymous state comes from the apiserver/ part, which
 * `scan` audits first: its rule apiserver-anonymous-auth says PASS when
 * anonymous authentication is off, WARN when it is limited to the health
 * endpoints, FAIL when it is on. Reading those results (the JSON contract,
 * not the apiserver code) keeps the two parts independent.
 */
#include <string.h>

#include "checks/rbac.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

/* What apiserver-anonymous-auth WARN allows: the health endpoints and
 * /version (a superset is safe: it only downgrades less). */
static const char *const health_paths[] = {"/healthz", "/livez", "/readyz", "/version"};

static enum rbac_anon_auth scan_rbac_anon_state(const struct result *res, const char **source)
{
	size_t pass = 0, warn = 0, other = 0;

	for (size_t i = 0; i < res->n; i++) {
		const struct finding *f = &res->f[i];
		if (strcmp(f->rule->id, "apiserver-anonymous-auth"))
			continue;
		if (f->status == STATUS_PASS)
			pass++;
		else if (f->status == STATUS_WARN)
			warn++;
		else
			other++;
	}
	*source = NULL;
	if (other || (!pass && !warn))
		return other ? RBAC_ANON_AUTH_ENABLED : RBAC_ANON_AUTH_UNKNOWN;
	if (warn) {
		*source = "kube-apiserver allows anonymous requests to the health endpoints "
			  "only (apiserver-anonymous-auth)";
		return RBAC_ANON_AUTH_PATHS;
	}
	*source = "kube-apiserver --anonymous-auth is off (apiserver-anonymous-auth)";
	return RBAC_ANON_AUTH_DISABLED;
}

int scan_rbac(const struct provider *snap, const char *part, struct result *res)
{
	struct rbac_opts o;
	struct rbac_input in;
	const char *src = NULL;

	rbac_opts_init(&o);
	o.authenticated_info = true;
	o.anon = scan_rbac_anon_state(res, &src);
	o.anon_source = src;
	if (o.anon == RBAC_ANON_AUTH_ENABLED)
		o.anon = RBAC_ANON_AUTH_UNKNOWN; /* no downgrade either way */
	if (o.anon == RBAC_ANON_AUTH_PATHS) {
		o.anon_paths = health_paths;
		o.nanon_paths = ARRAY_SIZE(health_paths);
	}
	memset(&in, 0, sizeof(in));
	in.src = snap;
	in.paths = &part;
	in.npaths = 1;
	in.opts = &o;
	in.snapshot = true;
	check_run(&check_rbac, &in, NULL, res);
	return 1;
}
