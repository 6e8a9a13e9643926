#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "sources/provider.h"
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
    {"kubelet", NULL, scan_kubelet_node},
    {"apiserver", NULL, scan_apiserver_one},
    {"rbac", scan_rbac, NULL},
    {"audit", scan_audit, NULL},
};

static int run_parts(const struct provider *snap, const char *dir, struct result *res)
{
	struct strbuf names = STRBUF_INIT;
	int found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		if (!provider_is_dir(snap, parts[i].dir))
			continue;
		if (parts[i].one)
			scan_each_subdir(snap, parts[i].dir, res, parts[i].one);
		else
			parts[i].run(snap, parts[i].dir, res);
		found++;
	}
	if (found)
		return CLI_REPORT;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		strbuf_addf(&names, "%s%s/", i ? ", " : "", parts[i].dir);
	cli_error("'%s' holds no snapshot part (%s); see docs/snapshot.md", dir, names.buf);
	strbuf_release(&names);
	return 2;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	const char *dir = operands[0];
	struct provider *snap;
	int code;

	(void)ctx, (void)n, (void)co;
	if (!file_is_dir(dir)) {
		return cli_error("cannot read snapshot '%s': not a directory", dir);
	}
	/* opened once; its node roots keep their paths inside them */
	snap = provider_snapshot_create(dir);
	code = run_parts(snap, dir, res);
	provider_destroy(snap);
	return code;
}

static const struct cli_cmd scan_cmd = {
    .name = "scan",
    .help = help,
    .missing = "missing the snapshot directory",
    .max = 1,
    .too_many = "give one snapshot directory",
    .run = run,
};

int cmd_scan(int argc, char **argv)
{
	return cli_main(&scan_cmd, argc, argv);
}
