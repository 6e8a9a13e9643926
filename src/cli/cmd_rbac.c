#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rbac.h"
#include "model/rbac_model.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
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

enum {
	OPT_EXPLAIN = OPT_CMD_BASE,
	OPT_INCLUDE_AUTH,
	OPT_ANON_AUTH,
	OPT_ANON_PATHS,
};

int cmd_rbac(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONGOPTS,
	    {"explain", no_argument, NULL, OPT_EXPLAIN},
	    {"include-authenticated", no_argument, NULL, OPT_INCLUDE_AUTH},
	    {"anonymous-auth", required_argument, NULL, OPT_ANON_AUTH},
	    {"anonymous-paths", required_argument, NULL, OPT_ANON_PATHS},
	    {NULL, 0, NULL, 0},
	};
	struct common_opts co;
	struct rbac_opts ro;
	struct rbac_set set;
	struct result res;
	char **paths = NULL;
	size_t npaths = 0, apaths = 0;
	char *pathbuf = NULL;
	int opt, code = 0;

	common_opts_init(&co);
	rbac_opts_init(&ro);
	rbac_set_init(&set);
	result_init(&res);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "rbac", help, opt, optarg, &code);
		if (h < 0)
			goto out;
		if (h > 0)
			continue;
		switch (opt) {
		case OPT_EXPLAIN:
			ro.explain = true;
			break;
		case OPT_INCLUDE_AUTH:
			ro.include_authenticated = true;
			break;
		case OPT_ANON_AUTH:
			if (rbac_anon_auth_parse(optarg, &ro.anon) < 0) {
				code = usage_error("rbac",
						   "--anonymous-auth must be true, false "
						   "or unknown, not '%s'",
						   optarg);
				goto out;
			}
			break;
		case OPT_ANON_PATHS: {
			char *p;
			free(pathbuf);
			pathbuf = xstrdup(optarg);
			npaths = 0;
			for (p = pathbuf; p && *p;) {
				char *comma = strchr(p, ',');
				if (comma)
					*comma = '\0';
				if (*p != '/') {
					code = usage_error("rbac",
							   "--anonymous-paths: '%s' is not "
							   "a path (it must start with /)",
							   p);
					goto out;
				}
				ALLOC_GROW(paths, npaths + 1, apaths);
				paths[npaths++] = p;
				p = comma ? comma + 1 : NULL;
			}
			break;
		}
		default:
			code = bad_option("rbac", argv, optopt);
			goto out;
		}
	}
	if (optind >= argc) {
		code = usage_error("rbac", "give one or more files or directories of RBAC "
					   "objects ('-' for standard input)");
		goto out;
	}
	if (npaths) {
		if (ro.anon == RBAC_ANON_AUTH_DISABLED) {
			code = usage_error("rbac", "--anonymous-paths contradicts "
						   "--anonymous-auth=false");
			goto out;
		}
		ro.anon = RBAC_ANON_AUTH_PATHS;
		ro.anon_paths = (const char *const *)paths;
		ro.nanon_paths = npaths;
		ro.anon_source = "--anonymous-paths";
	} else if (ro.anon == RBAC_ANON_AUTH_DISABLED) {
		ro.anon_source = "--anonymous-auth=false";
	}
	for (int i = optind; i < argc; i++) {
		bool failed = set.input_error;
		if (rbac_set_load_path(&set, argv[i], &res) == 0 && set.input_error == failed) {
			result_diag(&res, DIAG_ERROR, "'%s' holds no .yaml, .yml or .json file",
				    argv[i]);
			set.input_error = true;
		}
	}
	result_diag(&res, DIAG_NOTE,
		    "read %zu file%s: %zu roles, %zu bindings, %zu other "
		    "objects skipped",
		    set.files, set.files == 1 ? "" : "s", set.nroles, set.nbindings, set.skipped);
	rbac_check(&set, &ro, &res);
	if (set.input_error)
		res.input_error = true;
	code = common_finish(&co, &res);
out:
	rbac_set_release(&set);
	result_release(&res);
	free(paths);
	free(pathbuf);
	return code;
}
