#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

static const char help[] =
	"usage: kanon scan [options] DIR\n"
	"\n"
	"Audit a cluster snapshot directory (layout: docs/snapshot.md):\n"
	"  DIR/kubelet/<node>/   cmdline, config.yaml|config.json, conf.d/,\n"
	"                        configz.json\n"
	"  DIR/apiserver/<name>/ kube-apiserver.yaml|.json or cmdline, k8s-version,\n"
	"                        root/ (node paths the flags name)\n"
	"  DIR/rbac/             RBAC objects: kubectl get clusterroles,\n"
	"                        clusterrolebindings,roles,rolebindings -A -o json\n"
	"                        (any *.yaml, *.yml, *.json; after apiserver/)\n"
	"  DIR/audit/            API server audit logs (JSON lines, .gz, rotated\n"
	"                        files, EventLists): see kanon audit --help\n"
	"Every part present is audited; the report covers them all.\n";

static const struct scan_part parts[] = {
	{ "kubelet", scan_kubelet },
	{ "apiserver", scan_apiserver },
	{ "rbac", scan_rbac },
	{ "audit", scan_audit },
};

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts co;
	struct result res;
	int opt, code = 0, found = 0;
	const char *dir;

	common_opts_init(&co);
	result_init(&res);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "scan", help, opt, optarg, &code);
		if (h < 0)
			goto out;
		if (h == 0) {
			code = bad_option("scan", argv, optopt);
			goto out;
		}
	}
	if (optind != argc - 1) {
		code = usage_error("scan", optind < argc ? "give one snapshot directory"
					   : "missing the snapshot directory");
		goto out;
	}
	dir = argv[optind];
	if (!file_is_dir(dir)) {
		fprintf(stderr, "kanon: error: cannot read snapshot '%s': not a directory\n",
			dir);
		code = 2;
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s/%s", dir, parts[i].dir);
		if (file_is_dir(p.buf)) {
			parts[i].run(p.buf, &res);
			found++;
		}
		strbuf_release(&p);
	}
	if (!found) {
		fprintf(stderr, "kanon: error: '%s' holds no snapshot part (", dir);
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
			fprintf(stderr, "%s%s/", i ? ", " : "", parts[i].dir);
		fprintf(stderr, "); see docs/snapshot.md\n");
		code = 2;
		goto out;
	}
	code = common_finish(&co, &res);
out:
	result_release(&res);
	return code;
}
