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
#include "model/apiserver_manifest.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

static char *sub(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", dir, name);
	return strbuf_detach(&sb);
}

/* k8s-version: "1.31", "v1.31.2" or `kubectl version` output's server line. */
static int read_version(const char *path, struct result *res)
{
	struct strbuf buf = STRBUF_INIT;
	struct err e = { { 0 }, 0, { 0 } };
	int minor = -1;

	if (file_read(path, NULL, 4096, &buf, &e) < 0) {
		result_diag(res, DIAG_WARNING, "%s", e.msg);
		goto out;
	}
	while (buf.len && (buf.buf[buf.len - 1] == '\n' || buf.buf[buf.len - 1] == ' '))
		buf.buf[--buf.len] = '\0';
	minor = apiserver_parse_minor(buf.buf);
	if (minor < APISERVER_MINOR_MIN || minor > APISERVER_MINOR_MAX) {
		result_diag(res, DIAG_WARNING, "%s: '%s' is not a Kubernetes version from "
			    "1.%d to 1.%d; ignored", path, buf.buf, APISERVER_MINOR_MIN,
			    APISERVER_MINOR_MAX);
		minor = -1;
	}
out:
	strbuf_release(&buf);
	return minor;
}

static void scan_manifest(const char *file, const char *name, struct apiserver_input *base,
			  int minor, const char *vfile, struct result *res)
{
	struct strbuf buf = STRBUF_INIT, target = STRBUF_INIT;
	struct apiserver_pods pods;
	struct err e = { { 0 }, 0, { 0 } };
	char msg[ERR_FORMAT_MAX];

	memset(&pods, 0, sizeof(pods));
	strbuf_addf(&target, "apiserver/%s", name);
	if (file_read(file, NULL, FILE_MAX_CONFIG, &buf, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		apiserver_check_unknown(target.buf, e.msg, res);
		goto out;
	}
	if (apiserver_manifest_parse(buf.buf, buf.len, file, &pods, &e) < 0) {
		err_format(&e, msg, sizeof(msg));
		result_diag(res, DIAG_ERROR, "%s", msg);
		apiserver_check_unknown(target.buf, msg, res);
		goto out;
	}
	if (!pods.n) {
		snprintf(msg, sizeof(msg), "%s: no kube-apiserver container%s%s", file,
			 pods.skipped ? " in " : "", pods.skipped ? pods.skipped : "");
		result_diag(res, DIAG_ERROR, "%s", msg);
		apiserver_check_unknown(target.buf, msg, res);
		goto out;
	}
	for (size_t i = 0; i < pods.n; i++) {
		struct apiserver_pod *p = &pods.v[i];
		struct apiserver_input in = *base;
		struct strbuf t = STRBUF_INIT, vsrc = STRBUF_INIT;
		struct evidence ctx;
		size_t nctx = p->ncontainers > 1;

		if (pods.n == 1)
			strbuf_addstr(&t, target.buf);
		else
			strbuf_addf(&t, "%s/%s", target.buf, p->pod_name ? p->pod_name : "pod");
		in.argv = &p->argv;
		in.argv_lines = p->lines;
		in.opaque = &p->opaque;
		if (p->no_cmdline) {
			in.argv = NULL;
			in.no_argv_reason = p->no_cmdline;
		}
		in.argv_file = file;
		apiserver_pick_version(&in, minor, minor > 0 ? vfile : NULL, p, file, &vsrc, res);
		apiserver_pod_warn(p, res);
		apiserver_pod_context(p, file, &ctx);
		apiserver_run(&in, t.buf, &ctx, nctx, res);
		apiserver_context_release(&ctx);
		strbuf_release(&t);
		strbuf_release(&vsrc);
	}
out:
	apiserver_pods_release(&pods);
	strbuf_release(&buf);
	strbuf_release(&target);
}

static void scan_one(const char *dir, const char *name, struct result *res)
{
	char *yaml = sub(dir, "kube-apiserver.yaml");
	char *json = sub(dir, "kube-apiserver.json");
	char *cmdline = sub(dir, "cmdline");
	char *root = sub(dir, "root");
	char *version = sub(dir, "k8s-version");
	const char *manifest = file_exists(yaml) ? yaml : file_exists(json) ? json : NULL;
	struct apiserver_input in;
	struct argv_list argv;
	struct strbuf buf = STRBUF_INIT, target = STRBUF_INIT, vsrc = STRBUF_INIT;
	struct err e = { { 0 }, 0, { 0 } };
	int minor = file_exists(version) ? read_version(version, res) : -1;

	memset(&in, 0, sizeof(in));
	argv_init(&argv);
	strbuf_addf(&target, "apiserver/%s", name);
	/* root/ stands in for the node's filesystem; when it is missing, the
	 * files the flags name are UNKNOWN (nothing of the machine running
	 * kanon is read by mistake) */
	in.root = root;
	if (manifest) {
		if (file_exists(cmdline))
			result_diag(res, DIAG_WARNING, "%s: ignored: %s gives the command line",
				    cmdline, manifest);
		scan_manifest(manifest, name, &in, minor, version, res);
		goto out;
	}
	if (!file_exists(cmdline)) {
		const char *why = "the snapshot has neither kube-apiserver.yaml nor cmdline "
				  "for this API server";
		result_diag(res, DIAG_ERROR, "%s: %s", dir, why);
		apiserver_check_unknown(target.buf, why, res);
		goto out;
	}
	if (file_read(cmdline, NULL, 1u << 20, &buf, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		apiserver_check_unknown(target.buf, e.msg, res);
		goto out;
	}
	if (memchr(buf.buf, '\0', buf.len)) {
		cmdline_split_nul(buf.buf, buf.len, &argv);
	} else if (cmdline_split(buf.buf, &argv, &e) < 0) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "%s: %s", cmdline, e.msg);
		result_diag(res, DIAG_ERROR, "%s", why.buf);
		apiserver_check_unknown(target.buf, why.buf, res);
		strbuf_release(&why);
		goto out;
	}
	in.argv = &argv;
	apiserver_pick_version(&in, minor, minor > 0 ? version : NULL, NULL, NULL, &vsrc, res);
	apiserver_run(&in, target.buf, NULL, 0, res);
out:
	argv_release(&argv);
	strbuf_release(&buf);
	strbuf_release(&target);
	strbuf_release(&vsrc);
	free(yaml);
	free(json);
	free(cmdline);
	free(root);
	free(version);
}

int scan_apiserver(const char *partdir, struct result *res)
{
	return scan_each_subdir(partdir, res, scan_one);
}
