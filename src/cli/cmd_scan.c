#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/baseline.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "cli/scan.h"
#include "cli/scan_node.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon scan [options] [DIR]\n"
    "       kanon scan [options] --root NODE\n"
    "\n"
    "Without DIR: audit the node kanon runs on. The running kubelet and\n"
    "kube-apiserver processes are found in /proc (their files read through\n"
    "/proc/PID/root), and the API server's audit log (--audit-log-path, with\n"
    "its rotated and gzipped files). RBAC is not on a node: it is skipped\n"
    "with a warning. Finding neither component is an error (exit 2).\n"
    "      --root NODE        the same offline, from a copy of a node's /: the\n"
    "                         command lines its systemd units, k3s/RKE2 config\n"
    "                         or static pod manifest would start\n"
    "\n"
    "With DIR: audit a cluster snapshot directory (docs/snapshot.md; kanon\n"
    "collect writes one):\n"
    "  DIR/kubelet/<node>/   cmdline, config.yaml|config.json, conf.d/,\n"
    "                        configz.json, root/ (node paths)\n"
    "  DIR/apiserver/<name>/ kube-apiserver.yaml|.json or cmdline, k8s-version,\n"
    "                        root/ (node paths the flags name)\n"
    "  DIR/rbac/             RBAC objects: kubectl get clusterroles,\n"
    "                        clusterrolebindings,roles,rolebindings -A -o json\n"
    "                        (any *.yaml, *.yml, *.json; after apiserver/)\n"
    "  DIR/audit/            API server audit logs (JSON lines, .gz, rotated\n"
    "                        files, EventLists): see kanon audit --help\n"
    "Every part present is audited; the report covers them all.\n"
    "\n"
    "      --probe URL        also probe this API server from outside, as kanon\n"
    "                         probe --server URL does: the report then carries\n"
    "                         the proof (requests without credentials)\n"
    "      --probe-cacert FILE  verify its certificate against these CAs\n"
    "      --probe-insecure   do not verify it (reported)\n"
    "\n"
    "      --kubeconfig FILE  also read the live cluster as kanon cluster does\n"
    "      --context NAME     (with either: kanon cluster; then DIR or --root\n"
    "                         if given)\n"
    "\n"
    "      --baseline FILE    an earlier report (kanon scan -f json): show only the\n"
    "                         findings that are new since, and list the fixed ones;\n"
    "                         the exit status is that of the new findings\n";

static const struct scan_part parts[] = {
    {"kubelet", NULL, scan_kubelet_node},
    {"apiserver", NULL, scan_apiserver_one},
    {"rbac", scan_rbac, NULL},
    {"audit", scan_audit, NULL},
    {"cluster", scan_cluster, NULL},
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

struct scan_args {
	const char *root;
	const char *probe, *probe_cacert;
	bool probe_insecure;
	const char *kubeconfig, *context;
	const char *baseline;
};

static const struct cli_opt opts[] = {
    CLI_STR("root", struct scan_args, root),
    CLI_STR("probe", struct scan_args, probe),
    CLI_STR("probe-cacert", struct scan_args, probe_cacert),
    CLI_FLAG("probe-insecure", struct scan_args, probe_insecure),
    CLI_STR("kubeconfig", struct scan_args, kubeconfig),
    CLI_STR("context", struct scan_args, context),
    CLI_STR("baseline", struct scan_args, baseline),
    {NULL, 0, 0, 0, 0},
};

int scan_snapshot(const char *dir, const char *display, struct result *res)
{
	struct provider *snap;
	int code;

	if (!file_is_dir(dir))
		return cli_error("cannot read snapshot '%s': not a directory", dir);
	/* opened once; its node roots keep their paths inside them */
	snap = provider_snapshot_create(dir);
	if (display) {
		free(snap->dir);
		snap->dir = xstrdup(display);
	}
	code = run_parts(snap, display ? display : dir, res);
	provider_destroy(snap);
	return code;
}

/* No snapshot: this node (/proc), or the node tree --root names. */
static int run_node(const char *root, struct result *res)
{
	struct node_scan s;
	int n, code = CLI_REPORT;

	node_scan_init(&s);
	n = node_scan_find(&s, root, res);
	if (n < 0) {
		code = 2;
	} else if (!n && root) {
		code =
		    cli_error("no kubelet or kube-apiserver found below '%s': no kubelet.service "
			      "unit, k3s or RKE2 config, or kube-apiserver static pod manifest",
			      root);
	} else if (!n) {
		/* k3s runs both inside its own process: no kubelet in /proc */
		code =
		    cli_error("no running kubelet or kube-apiserver found in /proc: nothing to "
			      "audit on this machine; give a snapshot directory (kanon scan DIR) "
			      "or a node's files (kanon scan --root DIR; on k3s, whose kubelet "
			      "and API server run inside the k3s process: kanon scan --root /)");
	} else {
		node_scan_run(&s, res);
	}
	node_scan_release(&s);
	return code;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct scan_args *a = ctx;
	int code;

	(void)co;
	res->verdict = true;
	if (n && a->root)
		return usage_error("scan", "--root scans a node's files, DIR a snapshot; give one");
	if (a->kubeconfig || a->context) {
		/* the live cluster, plus the local parts given */
		struct cluster_opts o = {a->kubeconfig, a->context, NULL, 0, 0, 0, 0,
					 false,		NULL,	    0};
		code = cluster_run(&o, res);
		if (code == CLI_REPORT && (n || a->root))
			code = n ? scan_snapshot(operands[0], NULL, res) : run_node(a->root, res);
		if (code == CLI_REPORT && a->baseline)
			code = cli_or_report(baseline_apply(a->baseline, res));
		return code;
	}
	code = n ? scan_snapshot(operands[0], NULL, res) : run_node(a->root, res);
	if (code == CLI_REPORT && a->probe)
		code = cli_or_report(scan_probe(a->probe, a->probe_cacert, a->probe_insecure, res));
	if (code == CLI_REPORT && a->baseline)
		code = cli_or_report(baseline_apply(a->baseline, res));
	return code;
}

static const struct cli_cmd scan_cmd = {
    .name = "scan",
    .help = help,
    .opts = opts,
    .max = 1,
    .too_many = "give one snapshot directory",
    .run = run,
    .ctx_size = sizeof(struct scan_args),
};

int cmd_scan(int argc, char **argv)
{
	return cli_main(&scan_cmd, argc, argv);
}
