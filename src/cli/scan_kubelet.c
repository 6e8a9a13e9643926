/* The kubelet/ part of a snapshot: kubelet/<node>/{cmdline,config.yaml,conf.d/,configz.json}. */
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

static char *node_file(const char *nodedir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", nodedir, name);
	return strbuf_detach(&sb);
}

static void scan_node(const char *nodedir, const char *node, struct result *res)
{
	char *cmdline = node_file(nodedir, "cmdline");
	char *yaml = node_file(nodedir, "config.yaml");
	char *json = node_file(nodedir, "config.json");
	char *confd = node_file(nodedir, "conf.d");
	char *configz = node_file(nodedir, "configz.json");
	const char *cfg = file_exists(yaml) ? yaml : file_exists(json) ? json : NULL;
	struct kubelet_input in;
	struct kubelet_effective ke;
	struct argv_list argv;
	struct strbuf buf = STRBUF_INIT, target = STRBUF_INIT;
	struct err e = { { 0 }, 0, { 0 } };

	memset(&in, 0, sizeof(in));
	argv_init(&argv);
	strbuf_addf(&target, "node/%s", node);
	if (file_exists(cmdline)) {
		if (file_read(cmdline, NULL, 1u << 20, &buf, &e) < 0) {
			result_diag(res, DIAG_ERROR, "%s", e.msg);
			in.no_argv_reason = e.msg;
		} else {
			if (memchr(buf.buf, '\0', buf.len))
				cmdline_split_nul(buf.buf, buf.len, &argv);
			else if (cmdline_split(buf.buf, &argv, &e) < 0)
				result_diag(res, DIAG_ERROR, "%s: %s", cmdline, e.msg);
			in.argv = &argv;
		}
	} else {
		in.no_argv_reason = "the snapshot has no cmdline for this node, so the "
				    "flags (which override the config file) are unknown";
	}
	if (in.argv) {
		/* Snapshot files stand in for the paths the command line names. */
		if (kubelet_cmdline_has(in.argv, "config"))
			in.config = cfg ? cfg : yaml;
		else if (cfg)
			result_diag(res, DIAG_WARNING, "%s: the kubelet command line has no "
				    "--config, so the kubelet does not read this file", cfg);
		if (kubelet_cmdline_has(in.argv, "config-dir"))
			in.config_dir = confd;
		else if (file_is_dir(confd))
			result_diag(res, DIAG_WARNING, "%s: the kubelet command line has no "
				    "--config-dir, so the kubelet does not read it", confd);
	} else if (cfg) {
		in.config = cfg;
	}
	if (file_exists(configz))
		in.configz = configz;
	if (kubelet_effective_load(&in, &ke, res) == 0)
		kubelet_check(&ke, target.buf, res);
	kubelet_effective_release(&ke);
	argv_release(&argv);
	strbuf_release(&buf);
	strbuf_release(&target);
	free(cmdline);
	free(yaml);
	free(json);
	free(confd);
	free(configz);
}

int scan_kubelet(const char *partdir, struct result *res)
{
	return scan_each_subdir(partdir, res, scan_node);
}
