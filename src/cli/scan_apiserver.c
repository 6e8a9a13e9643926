/*
 * The apiserver/ part of a snapshot (docs/snapshot.md):
 *   apiserver/<name>/kube-apiserver.yaml (or .json)  the static pod manifest
 *                    cmdline                         or the command line
 *                    k8s-version                     optional "1.31"
 *                    root/                           node paths the flags name
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "cli/scan.h"
#include "cli/scan_node.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

/* k8s-version: "1.31", "v1.31.2" or `kubectl version` output's server line. */
static int read_version(const struct provider *snap, const char *path, struct result *res)
{
	struct err e = { 0 };
	struct blob b;
	int minor = -1;

	if (provider_read(snap, path, NULL, 4096, 0, &b, &e) < 0) {
		result_diag(res, DIAG_WARNING, "%s", e.msg);
		return -1;
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	minor = apiserver_parse_minor(b.data);
	if (minor < APISERVER_MINOR_MIN || minor > APISERVER_MINOR_MAX) {
		result_diag(res, DIAG_WARNING,
			    "%s: '%s' is not a Kubernetes version from "
			    "1.%d to 1.%d; ignored",
			    b.name, b.data, APISERVER_MINOR_MIN, APISERVER_MINOR_MAX);
		minor = -1;
	}
	blob_release(&b);
	return minor;
}

/* A target that cannot be judged: an error, and every rule UNKNOWN. */
static void fail(const char *target, const char *why, struct result *res)
{
	result_diag(res, DIAG_ERROR, "%s", why);
	apiserver_check_unknown(target, why, res);
}

static void scan_manifest(const struct provider *snap, const char *file, const char *target,
			  const struct apiserver_input *base, int minor, const char *vfile,
			  struct result *res)
{
	struct apiserver_manifest_run r;
	struct err e = { 0 };
	struct blob b;

	if (provider_read(snap, file, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0) {
		fail(target, e.msg, res);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.display = b.name;
	r.target = target;
	r.prefix = target;
	r.unnamed = "pod";
	r.minor = minor;
	r.version_file = vfile;
	if (apiserver_run_manifest(&b, base, &r, res, &e) < 0) {
		char msg[ERR_FORMAT_MAX];
		fail(target, err_format(&e, msg, sizeof(msg)), res);
	}
	blob_release(&b);
}

static void scan_cmdline(const struct provider *snap, const char *file, const char *target,
			 struct apiserver_input *in, int minor, const char *vfile,
			 struct result *res)
{
	struct strbuf vsrc = STRBUF_INIT;
	struct argv_list argv;
	char *why = NULL;

	argv_init(&argv);
	if (scan_read_cmdline(snap, file, "kube-apiserver", &argv, &why) < 0) {
		fail(target, why, res);
		goto out;
	}
	in->argv = &argv;
	apiserver_pick_version(in, minor, minor > 0 ? vfile : NULL, NULL, NULL, &vsrc, res);
	check_run(&check_apiserver, in, target, res);
out:
	free(why);
	argv_release(&argv);
	strbuf_release(&vsrc);
}

/* Neither manifest nor cmdline: the static pod or k3s/RKE2 config in root/. */
static void from_root(const struct provider *snap, const char *dir, const struct provider *node,
		      const char *target, struct result *res)
{
	struct node_comp c;
	char *d;
	const char *why =
	    node->rootfd >= 0
		? "the snapshot has neither kube-apiserver.yaml nor cmdline for this "
		  "API server, and its root/ holds no static pod manifest or k3s/RKE2 "
		  "config"
		: "the snapshot has neither kube-apiserver.yaml nor cmdline for this "
		  "API server";

	node_comp_init(&c, NODE_APISERVER);
	/* node: root/, opened once (rootfd < 0 when there is none) */
	if (node->rootfd >= 0 && node_comp_find(&c, node, target, res) > 0) {
		node_comp_check(&c, res);
	} else {
		d = provider_display(snap, dir);
		result_diag(res, DIAG_ERROR, "%s: %s", d, why);
		apiserver_check_unknown(target, why, res);
		free(d);
	}
	node_comp_release(&c);
}

void scan_apiserver_one(const struct provider *snap, const char *dir, const char *name,
			struct result *res)
{
	char *yaml = scan_file(dir, "kube-apiserver.yaml");
	char *json = scan_file(dir, "kube-apiserver.json");
	char *cmdline = scan_file(dir, "cmdline");
	char *root = scan_file(dir, "root");
	char *version = scan_file(dir, "k8s-version");
	char *vdisplay = provider_display(snap, version);
	const char *manifest = provider_exists(snap, yaml)   ? yaml
			       : provider_exists(snap, json) ? json
							     : NULL;
	struct apiserver_input in;
	struct strbuf target = STRBUF_INIT;
	int minor = provider_exists(snap, version) ? read_version(snap, version, res) : -1;
	/* root/ stands in for the node's filesystem, opened once; when it is
	 * missing, the files the flags name are UNKNOWN (nothing of the
	 * machine running kanon is read by mistake) */
	struct provider *node = provider_root_create(snap, root);

	memset(&in, 0, sizeof(in));
	strbuf_addf(&target, "apiserver/%s", name);
	in.node = node;
	if (manifest) {
		if (provider_exists(snap, cmdline)) {
			char *c = provider_display(snap, cmdline),
			     *m = provider_display(snap, manifest);
			result_diag(res, DIAG_WARNING, "%s: ignored: %s gives the command line", c,
				    m);
			free(c);
			free(m);
		}
		scan_manifest(snap, manifest, target.buf, &in, minor, vdisplay, res);
	} else if (!provider_exists(snap, cmdline)) {
		from_root(snap, dir, node, target.buf, res);
	} else {
		scan_cmdline(snap, cmdline, target.buf, &in, minor, vdisplay, res);
	}
	provider_destroy(node);
	strbuf_release(&target);
	free(yaml);
	free(json);
	free(cmdline);
	free(root);
	free(version);
	free(vdisplay);
}
