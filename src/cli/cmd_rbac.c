#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rbac.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon rbac [options] FILE|DIR|- ...\n"
    "\n"
    "What may an unauthenticated caller do? Reads RBAC objects as exported\n"
    "(kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A\n"
    "-o json|yaml, single objects, multi-document manifests, directories of\n"
    "*.yaml|*.yml|*.json; '-' is standard input), resolves every binding that\n"
    "matches User system:anonymous or Group system:unauthenticated to its\n"
    "effective rules (aggregated ClusterRoles included) and rates what they\n"
    "allow: baseline, low, medium, high or critical.\n"
    "\n"
    "Options:\n"
    "      --explain          also print the effective permission table\n"
    "      --include-authenticated\n"
    "                         also rate bindings to Group system:authenticated\n"
    "                         (every logged-in identity, any service account)\n"
    "      --anonymous-auth STATE\n"
    "                         the API server's anonymous authentication: true,\n"
    "                         false or unknown (default); with false, exposures\n"
    "                         are downgraded to \"exposed only if anonymous auth\n"
    "                         is enabled\"\n"
    "      --anonymous-paths P1,P2,...\n"
    "                         anonymous auth is limited to these paths\n"
    "                         (AuthenticationConfiguration anonymous.conditions)\n";

struct rbac_args {
	struct rbac_opts ro;
	char **paths; /* into pathbuf */
	size_t npaths, apaths;
	char *pathbuf;
};

enum { O_ANON_AUTH, O_ANON_PATHS };

static const struct cli_opt opts[] = {
    CLI_FLAG("explain", struct rbac_args, ro.explain),
    CLI_FLAG("include-authenticated", struct rbac_args, ro.include_authenticated),
    CLI_ARG("anonymous-auth", O_ANON_AUTH),
    CLI_ARG("anonymous-paths", O_ANON_PATHS),
    {NULL, 0, 0, 0, 0},
};

/* --anonymous-paths P1,P2: every one a path. */
static int set_paths(struct rbac_args *a, const char *arg)
{
	char *p;

	free(a->pathbuf);
	a->pathbuf = xstrdup(arg);
	a->npaths = 0;
	for (p = a->pathbuf; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p != '/')
			return usage_error("rbac",
					   "--anonymous-paths: '%s' is not a path (it "
					   "must start with /)",
					   p);
		ALLOC_GROW(a->paths, a->npaths + 1, a->apaths);
		a->paths[a->npaths++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int set_opt(void *ctx, int id, const char *arg)
{
	struct rbac_args *a = ctx;

	if (id == O_ANON_PATHS)
		return set_paths(a, arg);
	if (rbac_anon_auth_parse(arg, &a->ro.anon) < 0)
		return usage_error("rbac",
				   "--anonymous-auth must be true, false or "
				   "unknown, not '%s'",
				   arg);
	return 0;
}

static int run(void *ctx, char **paths, int n, const struct common_opts *co, struct result *res)
{
	struct rbac_args *a = ctx;
	struct rbac_input in;

	(void)co;
	if (a->npaths) {
		if (a->ro.anon == RBAC_ANON_AUTH_DISABLED)
			return usage_error("rbac", "--anonymous-paths contradicts "
						   "--anonymous-auth=false");
		a->ro.anon = RBAC_ANON_AUTH_PATHS;
		a->ro.anon_paths = (const char *const *)a->paths;
		a->ro.nanon_paths = a->npaths;
		a->ro.anon_source = "--anonymous-paths";
	} else if (a->ro.anon == RBAC_ANON_AUTH_DISABLED) {
		a->ro.anon_source = "--anonymous-auth=false";
	}
	memset(&in, 0, sizeof(in));
	in.src = provider_fs();
	in.paths = (const char *const *)paths;
	in.npaths = (size_t)n;
	in.opts = &a->ro;
	check_run(&check_rbac, &in, NULL, res);
	return CLI_REPORT;
}

static void init(void *ctx)
{
	struct rbac_args *a = ctx;

	rbac_opts_init(&a->ro);
}

static void release(void *ctx)
{
	struct rbac_args *a = ctx;

	free(a->paths);
	free(a->pathbuf);
}

static const struct cli_cmd rbac_cmd = {
    .name = "rbac",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .missing = "give one or more files or directories of RBAC objects ('-' for standard input)",
    .max = -1,
    .run = run,
    .ctx_size = sizeof(struct rbac_args),
    .init = init,
    .release = release,
};

int cmd_rbac(int argc, char **argv)
{
	return cli_main(&rbac_cmd, argc, argv);
}
