/* The kubelet/ part of a snapshot: kubelet/<node>/{cmdline,config.yaml,conf.d/,configz.json}. */
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/scan.h"
#include "cli/scan_node.h"
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

/*
 * Snapshot files stand in for the paths the command line names. With a
 * root/ (kanon collect), the paths are read below it where no snapshot
 * file stands in.
 */
static void pick_files(const struct provider *snap, struct kubelet_input *in, const char *cfg,
		       const char *yaml, const char *confd, bool root, struct result *res)
{
	in->config = cfg;
	if (!in->argv)
		return;
	/* named but missing: read (and reported UNKNOWN) as config.yaml */
	if (!cfg && !root && kubelet_cmdline_has(in->argv, "config"))
		in->config = yaml;
	if (provider_is_dir(snap, confd) || (!root && kubelet_cmdline_has(in->argv, "config-dir")))
		in->config_dir = confd;
	kubelet_input_drop_unnamed(in, res);
}

/* No cmdline but a root/: the command line its files would start. */
static void from_root(struct node_comp *c, const struct provider *node, const char *target,
		      struct kubelet_input *in, struct result *res)
{
	int r = node_comp_find(c, node, target, res);

	if (r <= 0) {
		in->no_argv_reason = "the snapshot has no cmdline for this node, and its root/ "
				     "holds no kubelet.service unit or k3s/RKE2 config, so the "
				     "flags (which override the config file) are unknown";
		return;
	}
	in->layout = &c->layout;
	in->argv = c->cmd;
	in->no_argv_reason = c->layout.unknown;
}

void scan_kubelet_node(const struct provider *snap, const char *nodedir, const char *name,
		       struct result *res)
{
	char *cmdline = scan_file(nodedir, "cmdline");
	char *yaml = scan_file(nodedir, "config.yaml");
	char *json = scan_file(nodedir, "config.json");
	char *confd = scan_file(nodedir, "conf.d");
	char *configz = scan_file(nodedir, "configz.json");
	char *rootdir = scan_file(nodedir, "root");
	/* a node's files (kanon collect): paths kept inside it */
	struct provider *node =
	    provider_is_dir(snap, rootdir) ? provider_root_create(snap, rootdir) : NULL;
	struct node_comp comp;
	const char *cfg = provider_exists(snap, yaml)	? yaml
			  : provider_exists(snap, json) ? json
							: NULL;
	struct kubelet_input in;
	struct argv_list argv;
	struct strbuf target = STRBUF_INIT;
	char *why = NULL;

	memset(&in, 0, sizeof(in));
	argv_init(&argv);
	node_comp_init(&comp, NODE_KUBELET);
	in.src = snap;
	in.node = node;
	strbuf_addf(&target, "node/%s", name);
	if (provider_exists(snap, cmdline))
		read_cmdline(snap, cmdline, &in, &argv, &why, res);
	else if (node)
		from_root(&comp, node, target.buf, &in, res);
	else
		in.no_argv_reason = "the snapshot has no cmdline for this node, so the "
				    "flags (which override the config file) are unknown";
	pick_files(snap, &in, cfg, yaml, confd, node != NULL, res);
	if (provider_exists(snap, configz))
		in.configz = configz;
	check_run(&check_kubelet, &in, target.buf, res);
	argv_release(&argv);
	node_comp_release(&comp);
	provider_destroy(node);
	strbuf_release(&target);
	free(why);
	free(rootdir);
	free(cmdline);
	free(yaml);
	free(json);
	free(confd);
	free(configz);
}
