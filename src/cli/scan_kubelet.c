/* The kubelet/ part of a snapshot: kubelet/<node>/{cmdline,config.yaml,conf.d/,configz.json}. */
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

/* The node's cmdline file: a kubelet command line, or an error for the node. */
static void read_cmdline(const struct provider *snap, const char *path, struct kubelet_input *in,
			 struct argv_list *argv, char **why, struct result *res)
{
	if (scan_read_cmdline(snap, path, "kubelet", argv, why) < 0) {
		result_diag(res, DIAG_ERROR, "%s", *why);
		in->no_argv_reason = *why;
		return;
	}
	in->argv = argv;
}

/* Snapshot files stand in for the paths the command line names. */
static void pick_files(const struct provider *snap, struct kubelet_input *in, const char *cfg,
		       const char *yaml, const char *confd, struct result *res)
{
	in->config = cfg;
	if (!in->argv)
		return;
	/* named but missing: read (and reported UNKNOWN) as config.yaml */
	if (!cfg && kubelet_cmdline_has(in->argv, "config"))
		in->config = yaml;
	if (provider_is_dir(snap, confd) || kubelet_cmdline_has(in->argv, "config-dir"))
		in->config_dir = confd;
	kubelet_input_drop_unnamed(in, res);
}

void scan_kubelet_node(const struct provider *snap, const char *nodedir, const char *node,
		       struct result *res)
{
	char *cmdline = scan_file(nodedir, "cmdline");
	char *yaml = scan_file(nodedir, "config.yaml");
	char *json = scan_file(nodedir, "config.json");
	char *confd = scan_file(nodedir, "conf.d");
	char *configz = scan_file(nodedir, "configz.json");
	const char *cfg = provider_exists(snap, yaml)	? yaml
			  : provider_exists(snap, json) ? json
							: NULL;
	struct kubelet_input in;
	struct argv_list argv;
	struct strbuf target = STRBUF_INIT;
	char *why = NULL;

	memset(&in, 0, sizeof(in));
	argv_init(&argv);
	in.src = snap;
	strbuf_addf(&target, "node/%s", node);
	if (provider_exists(snap, cmdline))
		read_cmdline(snap, cmdline, &in, &argv, &why, res);
	else
		in.no_argv_reason = "the snapshot has no cmdline for this node, so the "
				    "flags (which override the config file) are unknown";
	pick_files(snap, &in, cfg, yaml, confd, res);
	if (provider_exists(snap, configz))
		in.configz = configz;
	check_run(&check_kubelet, &in, target.buf, res);
	argv_release(&argv);
	strbuf_release(&target);
	free(why);
	free(cmdline);
	free(yaml);
	free(json);
	free(confd);
	free(configz);
}
