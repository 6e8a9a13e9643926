/*
 * kanon collect OUTDIR [--root DIR]: what `kanon scan` would read on this
 * node (or in a node's files), written as a snapshot (docs/snapshot.md)
 * with a manifest of every source, so that `kanon scan OUTDIR` gives the
 * same verdicts later. Private keys and credentials are never copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/collect.h"
#include "cli/scan_node.h"
#include "core/jsonw.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "sources/provider.h"
#include "sources/snapshot_write.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon collect [options] OUTDIR\n"
    "\n"
    "Write what `kanon scan` reads on this node as a snapshot directory\n"
    "(docs/snapshot.md), so that `kanon scan OUTDIR` gives the same verdicts\n"
    "later and an auditor keeps the evidence:\n"
    "  kubelet/<node>/cmdline      the running kubelet's /proc/PID/cmdline\n"
    "  kubelet/<node>/root/        the files it reads, at their node paths\n"
    "                              (--config, --config-dir; with --root: the\n"
    "                              systemd units, drop-ins, environment files,\n"
    "                              k3s/RKE2 config that give its command line)\n"
    "  apiserver/<node>/           the same for kube-apiserver (cmdline, or the\n"
    "                              static pod manifest below root/)\n"
    "  audit/<node>/               its audit log (--audit-log-path) and the\n"
    "                              rotated files, gzip kept as is\n"
    "  manifest.json               kanon version, time, host, and every source:\n"
    "                              node path, role, size, mode, owner, SHA-256\n"
    "\n"
    "Private keys, kubeconfigs, token files and other credentials named by\n"
    "the flags are never copied: their path, mode, owner and size are\n"
    "recorded. Lines of copied files that set a token, secret or password\n"
    "are redacted (the manifest counts them).\n"
    "\n"
    "OUTDIR must not exist (it is created 0700) or be empty; files are\n"
    "written 0600, never through a symbolic link.\n"
    "\n"
    "      --root DIR         collect from a copy of a node's / instead of\n"
    "                         the running processes\n"
    "      --no-audit         do not copy audit logs (they are recorded)\n";

struct collect_args {
	const char *root;
	bool no_audit;
};

static const struct cli_opt opts[] = {
    CLI_STR("root", struct collect_args, root),
    CLI_FLAG("no-audit", struct collect_args, no_audit),
    {NULL, 0, 0, 0, 0},
};

/* The node's name for the snapshot's directories: [A-Za-z0-9._-] only. */
static char *node_name(const struct node_scan *s)
{
	struct strbuf raw = STRBUF_INIT, name = STRBUF_INIT;
	struct blob b;
	char host[256];

	if (s->root && provider_read(s->root, "/etc/hostname", NULL, 4096, 0, &b, NULL) == 0) {
		strbuf_add(&raw, b.data, strcspn(b.data, "\n"));
		blob_release(&b);
	} else if (!s->root && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		strbuf_addstr(&raw, host);
	}
	for (size_t i = 0; i < raw.len && name.len < 64; i++) {
		char c = raw.buf[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i);

		strbuf_addch(&name, ok ? c : '_');
	}
	if (!name.len)
		strbuf_addstr(&name, "node");
	strbuf_release(&raw);
	return strbuf_detach(&name);
}

/* "kubelet/<node>" (and "-pid<N>" when the node runs several). */
static char *comp_dir(const struct node_scan *s, size_t i, const char *node)
{
	const struct node_comp *c = &s->c[i];
	struct strbuf sb = STRBUF_INIT;
	size_t same = 0;

	for (size_t k = 0; k < s->n; k++)
		same += s->c[k].program == c->program;
	strbuf_addf(&sb, "%s/%s", c->program == NODE_KUBELET ? "kubelet" : "apiserver", node);
	if (same > 1 && c->pid)
		strbuf_addf(&sb, "-pid%ld", c->pid);
	else if (same > 1)
		strbuf_addf(&sb, "-%zu", i);
	return strbuf_detach(&sb);
}

/* The manifest's header: who collected what, when. */
static void manifest_begin(struct collect *cx, const struct node_scan *s, const char *node)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	jsonw_init(&cx->j, &cx->manifest);
	jsonw_object_begin(&cx->j);
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "kanon");
	jsonw_string(&cx->j, KANON_VERSION);
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "format");
	jsonw_int(&cx->j, 1);
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "created");
	if (gmtime_r(&now, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		jsonw_string(&cx->j, when);
	else
		jsonw_null(&cx->j);
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "host");
	jsonw_string(&cx->j, node);
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "root");
	jsonw_string(&cx->j, s->root_dir ? s->root_dir : "/");
	jsonw_break(&cx->j, 2);
	jsonw_key(&cx->j, "sources");
	jsonw_array_begin(&cx->j);
}

static int manifest_finish(struct collect *cx, struct err *e)
{
	jsonw_break(&cx->j, 2);
	jsonw_array_end(&cx->j);
	jsonw_break(&cx->j, 0);
	jsonw_object_end(&cx->j);
	strbuf_addch(&cx->manifest, '\n');
	return snapshot_write(&cx->w, "manifest.json", cx->manifest.buf, cx->manifest.len, e);
}

/* The live process's command line, NUL-separated as /proc has it. */
static void collect_cmdline(struct collect *cx, const struct node_comp *c, const char *dir)
{
	struct strbuf data = STRBUF_INIT, proc = STRBUF_INIT, rel = STRBUF_INIT;
	struct collect_src src;
	char cwd[4096];
	ssize_t n;

	for (size_t i = 0; i < c->argv.n; i++)
		strbuf_add(&data, c->argv.v[i], strlen(c->argv.v[i]) + 1);
	strbuf_addf(&proc, "/proc/%ld/cmdline", c->pid);
	strbuf_addf(&rel, "%s/cmdline", dir);
	collect_src_init(&src, dir, "cmdline", proc.buf);
	collect_write(cx, &src, rel.buf, data.buf, data.len);
	/* relative paths on the command line are the process's: say from where */
	strbuf_reset(&rel);
	strbuf_addf(&rel, "/proc/%ld/cwd", c->pid);
	n = readlink(rel.buf, cwd, sizeof(cwd) - 1);
	if (n > 0) {
		cwd[n] = '\0';
		strbuf_reset(&data);
		strbuf_addf(&data, "working directory %s", cwd);
		src.note = strbuf_detach(&data);
	}
	collect_src_emit(cx, &src);
	strbuf_release(&data);
	strbuf_release(&proc);
	strbuf_release(&rel);
}

/*
 * A static pod's kube-apiserver: the node's files find its manifest
 * through the kubelet that runs it (node_static_pod.c follows the kubelet's
 * --pod-manifest-path or its --config's staticPodPath, as the kubelet's
 * unit starts it), so the snapshot of the API server holds those too.
 */
static void collect_kubelet_files(struct collect *cx, const struct node_comp *c, const char *dir)
{
	struct node_layout kl;
	struct result scratch; /* the kubelet's own problems are its target's */

	result_init(&scratch);
	if (node_find_kubelet(c->files, &kl, &scratch) == 1)
		for (size_t k = 0; k < kl.nfiles; k++)
			if (kl.files[k].present)
				collect_node_file(cx, c->files, dir, kl.files[k].role,
						  kl.files[k].path);
	node_layout_release(&kl);
	result_release(&scratch);
}

/* Everything one component reads, below dir. */
static void collect_comp(struct collect *cx, const struct node_scan *s, size_t i, const char *node)
{
	const struct node_comp *c = &s->c[i];
	char *dir = comp_dir(s, i, node);

	if (c->pid)
		collect_cmdline(cx, c, dir);
	for (size_t k = 0; k < c->layout.nfiles; k++) {
		const struct node_file *f = &c->layout.files[k];

		if (f->present)
			collect_node_file(cx, c->files, dir, f->role, f->path);
	}
	if (c->layout.manifest) {
		collect_node_file(cx, c->files, dir, NODE_MANIFEST, c->layout.manifest);
		collect_kubelet_files(cx, c, dir);
	}
	collect_flags(cx, c, dir);
	free(dir);
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct collect_args *a = ctx;
	struct collect cx;
	struct node_scan s;
	struct err e = { 0 };
	char *node = NULL;
	int found, code = 0;

	(void)n;
	if (strcmp(co->format, "text") || co->output)
		return usage_error("collect", "collect writes a snapshot directory, not a report: "
					      "-f and -o do not apply (kanon scan OUTDIR reports)");
	node_scan_init(&s);
	collect_init(&cx, res, a->no_audit);
	found = node_scan_find(&s, a->root, res);
	if (found < 0) {
		code = 2;
		goto out;
	}
	if (!found) {
		code = a->root
			   ? cli_error("no kubelet or kube-apiserver found below '%s': nothing "
				       "to collect",
				       a->root)
			   : cli_error("no running kubelet or kube-apiserver found in /proc: "
				       "nothing to collect; give a node's files with --root DIR "
				       "(on k3s: --root /)");
		goto out;
	}
	if (snapshot_writer_open(&cx.w, operands[0], &e) < 0) {
		code = cli_error("%s", e.msg);
		goto out;
	}
	node = node_name(&s);
	manifest_begin(&cx, &s, node);
	for (size_t i = 0; i < s.n; i++)
		collect_comp(&cx, &s, i, node);
	collect_audit(&cx, &s, node);
	if (manifest_finish(&cx, &e) < 0)
		code = cli_error("%s", e.msg);
	else
		code = collect_summary(&cx, operands[0]);
out:
	free(node);
	collect_release(&cx);
	node_scan_release(&s);
	return code;
}

static const struct cli_cmd collect_cmd = {
    .name = "collect",
    .help = help,
    .opts = opts,
    .missing = "missing the output directory",
    .max = 1,
    .too_many = "give one output directory",
    .run = run,
    .ctx_size = sizeof(struct collect_args),
};

int cmd_collect(int argc, char **argv)
{
	return cli_main(&collect_cmd, argc, argv);
}
