/*
 * `kanon scan` without a snapshot: the node kanon runs on (/proc) or a
 * node's files (--root DIR). Also what `kanon collect` copies.
 */
#include "cli/scan_node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/apiserver.h"
#include "checks/audit.h"
#include "checks/kubelet.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "model/apiserver_manifest.h"
#include "sources/proc.h"
#include "sources/provider.h"
#include "core/banned.h"

/* A directory of audit logs with more entries than this is not read whole. */
#define AUDIT_DIR_MAX 100000 /* entries of the audit log directory looked at */

const char *node_program_name(enum node_program p)
{
	return p == NODE_KUBELET ? "kubelet" : "kube-apiserver";
}

void node_scan_init(struct node_scan *s)
{
	memset(s, 0, sizeof(*s));
}

void node_comp_init(struct node_comp *c, enum node_program p)
{
	memset(c, 0, sizeof(*c));
	c->program = p;
	argv_init(&c->argv);
	argv_init(&c->pod_argv);
	node_layout_init(&c->layout);
}

void node_comp_release(struct node_comp *c)
{
	provider_destroy(c->proc);
	argv_release(&c->argv);
	argv_release(&c->pod_argv);
	node_layout_release(&c->layout);
	free(c->target);
	node_comp_init(c, c->program);
}

void node_scan_release(struct node_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		node_comp_release(&s->c[i]);
	free(s->c);
	provider_destroy(s->root);
	node_scan_init(s);
}

static struct node_comp *comp_add(struct node_scan *s, enum node_program p)
{
	struct node_comp *c;

	ALLOC_GROW(s->c, s->n + 1, s->alloc);
	c = &s->c[s->n++];
	node_comp_init(c, p);
	return c;
}

const char *node_argv_flag(const struct argv_list *argv, const char *name)
{
	const char *v = NULL;
	size_t len = strlen(name);

	for (size_t i = 1; argv && i < argv->n; i++) {
		const char *w = argv->v[i];

		if (strncmp(w, "--", 2) || strncmp(w + 2, name, len))
			continue;
		if (w[2 + len] == '=')
			v = w + 3 + len;
		else if (!w[2 + len] && i + 1 < argv->n)
			v = argv->v[++i]; /* pflag: "--flag value" */
	}
	return v;
}

/* ------------------------------------------------------------ /proc */

static void find_running(struct node_scan *s, enum node_program p, struct result *res)
{
	struct pid_list pids = {0};
	size_t n = proc_find(node_program_name(p), &pids);

	for (size_t i = 0; i < n; i++) {
		struct node_comp *c = comp_add(s, p);
		struct err e = {0};
		struct strbuf t = STRBUF_INIT;

		c->pid = pids.v[i];
		if (proc_read_cmdline(c->pid, &c->argv, &e) < 0) {
			/* exited since, or not readable: shown, not audited */
			result_diag(res, DIAG_WARNING, "%s", e.msg);
			node_comp_release(c);
			s->n--;
			continue;
		}
		c->proc = provider_proc_create(c->pid);
		c->files = c->proc;
		c->cmd = &c->argv;
		if (p == NODE_KUBELET)
			strbuf_addf(&t, "kubelet pid %ld", c->pid);
		else
			strbuf_addf(&t, "apiserver/pid-%ld", c->pid);
		c->target = strbuf_detach(&t);
	}
	pid_list_release(&pids);
}

/* ------------------------------------------------------------ --root */

/* The static pod's kube-apiserver command line (its first Pod), for the
 * audit log path and for collect; the check reads the manifest itself. */
static void read_pod_argv(struct node_comp *c)
{
	struct apiserver_pods pods;
	struct err e = {0};
	struct blob b;

	memset(&pods, 0, sizeof(pods));
	if (provider_read(c->files, c->layout.manifest, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0)
		return; /* the check says why */
	if (apiserver_manifest_parse(b.data, b.len, b.name, &pods, &e) == 0 && pods.n) {
		for (size_t i = 0; i < pods.v[0].argv.n; i++)
			argv_push_at(&c->pod_argv, pods.v[0].argv.v[i], c->layout.manifest,
				     pods.v[0].lines ? pods.v[0].lines[i] : 0, NULL);
		c->cmd = &c->pod_argv;
	}
	apiserver_pods_release(&pods);
	blob_release(&b);
}

int node_comp_find(struct node_comp *c, const struct provider *root, const char *target,
		   struct result *res)
{
	struct strbuf t = STRBUF_INIT;
	int r = c->program == NODE_KUBELET ? node_find_kubelet(root, &c->layout, res)
					   : node_find_apiserver(root, &c->layout, res);

	if (r <= 0)
		return r;
	c->files = root;
	if (c->layout.manifest)
		read_pod_argv(c);
	else if (!c->layout.unknown)
		c->cmd = &c->layout.argv;
	if (target)
		strbuf_addstr(&t, target);
	else /* as kanon kubelet --root and kanon apiserver --root name it */
		strbuf_addstr(&t,
			      c->layout.where ? c->layout.where : node_program_name(c->program));
	c->target = strbuf_detach(&t);
	return 1;
}

static int find_layout(struct node_scan *s, enum node_program p, struct result *res)
{
	struct node_comp *c = comp_add(s, p);
	int r = node_comp_find(c, s->root, NULL, res);

	if (r <= 0) {
		node_comp_release(c);
		s->n--;
	}
	return r;
}

/* What the scan did not find is said: every node runs a kubelet; only a
 * control-plane node runs a kube-apiserver. */
static void say_missing(const struct node_scan *s, struct result *res)
{
	bool have[2] = {false, false};
	const char *where = s->root_dir ? "in the node's files" : "running (/proc)";

	for (size_t i = 0; i < s->n; i++)
		have[s->c[i].program == NODE_KUBELET ? 0 : 1] = true;
	if (!s->n)
		return;
	if (!have[0])
		result_diag(res, DIAG_WARNING, "kubelet: none found %s; not audited", where);
	if (!have[1])
		result_diag(res, DIAG_NOTE, "kube-apiserver: none found %s (a worker node?)",
			    where);
}

int node_scan_find(struct node_scan *s, const char *root_dir, struct result *res)
{
	if (!root_dir) {
		find_running(s, NODE_KUBELET, res);
		find_running(s, NODE_APISERVER, res);
		say_missing(s, res);
		return (int)s->n;
	}
	if (!file_is_dir(root_dir))
		return cli_error("cannot read '%s': not a directory (--root)", root_dir), -1;
	s->root_dir = root_dir;
	s->root = provider_root_create(NULL, root_dir);
	if (find_layout(s, NODE_KUBELET, res) < 0 || find_layout(s, NODE_APISERVER, res) < 0)
		return -1;
	say_missing(s, res);
	return (int)s->n;
}

/* ------------------------------------------------------------ audit logs */

/*
 * kube-apiserver writes --audit-log-path through lumberjack
 * (k8s.io/apiserver/pkg/server/options/audit.go, getWriter), which renames
 * a full file to NAME-<time>EXT, time in the layout
 * "2006-01-02T15-04-05.000", and gzips it to NAME-<time>EXT.gz with
 * --audit-log-compress (gopkg.in/natefinch/lumberjack.v2, lumberjack.go:
 * backupName, backupTimeFormat, compressSuffix).
 */
static bool is_backup(const char *entry, const char *base)
{
	static const char layout[] = "dddd-dd-ddTdd-dd-dd.ddd";
	const char *ext = strrchr(base, '.');
	size_t plen = ext ? (size_t)(ext - base) : strlen(base);
	const char *p = entry;

	if (!ext)
		ext = "";
	if (strncmp(p, base, plen) || p[plen] != '-')
		return false;
	p += plen + 1;
	for (size_t i = 0; i < sizeof(layout) - 1; i++, p++) {
		bool digit = *p >= '0' && *p <= '9';

		if (layout[i] == 'd' ? !digit : *p != layout[i])
			return false;
	}
	if (strncmp(p, ext, strlen(ext)))
		return false;
	p += strlen(ext);
	return !*p || !strcmp(p, ".gz");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t node_audit_files(const struct provider *files, const char *path, struct path_list *out,
			struct result *res)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	const char *base = slash ? slash + 1 : path;
	size_t seen = 0, first = out->n;
	struct dirent *de;
	DIR *d = NULL;
	int fd = files->ops->open(files, dir, O_RDONLY | O_DIRECTORY);

	if (fd >= 0)
		d = fdopendir(fd);
	while (d && (de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;

		if (seen++ >= AUDIT_DIR_MAX) {
			if (res)
				result_diag(res, DIAG_WARNING,
					    "%s: more than %d directory entries: the rotated audit "
					    "logs past them are not read (docs/limits.md)",
					    dir, AUDIT_DIR_MAX);
			break;
		}
		if (!is_backup(de->d_name, base))
			continue;
		strbuf_addf(&p, "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = strbuf_detach(&p);
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	/* the time in the name sorts them oldest first */
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_str);
	if (provider_exists(files, path)) {
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = xstrdup(path);
	}
	free(dir);
	return out->n - first;
}

/* ------------------------------------------------------------ checks */

static void run_kubelet(const struct node_comp *c, struct result *res)
{
	struct kubelet_input in;

	memset(&in, 0, sizeof(in));
	in.node = c->files;
	if (!c->pid)
		in.layout = &c->layout;
	if (c->cmd)
		in.argv = c->cmd;
	else
		in.no_argv_reason = c->layout.unknown;
	check_run(&check_kubelet, &in, c->target, res);
}

/* A static pod: the check reads the manifest as `kanon apiserver` does. */
static void run_manifest(const struct node_comp *c, struct apiserver_input *in, struct result *res)
{
	struct apiserver_manifest_run r;
	struct err e = {0};
	char msg[ERR_FORMAT_MAX];
	struct blob b;

	memset(&r, 0, sizeof(r));
	if (provider_read(c->files, c->layout.manifest, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		apiserver_check_unknown(c->target, e.msg, res);
		return;
	}
	r.display = b.name;
	r.target = c->target;
	r.prefix = c->target;
	r.unnamed = "pod";
	r.minor = -1;
	if (apiserver_run_manifest(&b, in, &r, res, &e) < 0) {
		err_format(&e, msg, sizeof(msg));
		result_diag(res, DIAG_ERROR, "%s", msg);
		apiserver_check_unknown(c->target, msg, res);
	}
	blob_release(&b);
}

static void run_apiserver(const struct node_comp *c, struct result *res)
{
	struct apiserver_input in;
	struct strbuf vsrc = STRBUF_INIT;

	memset(&in, 0, sizeof(in));
	in.node = c->files;
	if (c->layout.manifest) {
		run_manifest(c, &in, res);
	} else if (!c->cmd) {
		apiserver_check_unknown(c->target, c->layout.unknown, res);
	} else {
		in.argv = c->cmd;
		apiserver_pick_version(&in, -1, NULL, NULL, NULL, &vsrc, res);
		check_run(&check_apiserver, &in, c->target, res);
	}
	strbuf_release(&vsrc);
}

/* The audit log files c writes, in *files; false with the reason shown. */
static bool audit_of(const struct node_comp *c, struct path_list *files, struct result *res)
{
	const char *path = node_argv_flag(c->cmd, "audit-log-path");

	if (!c->cmd)
		return false;
	if (!path || !*path) {
		result_diag(res, DIAG_WARNING,
			    "%s: no --audit-log-path: the API server writes no audit log, so "
			    "there is none to audit",
			    c->target);
		return false;
	}
	if (!strcmp(path, "-")) {
		result_diag(res, DIAG_WARNING,
			    "%s: --audit-log-path=- writes the audit log to standard output "
			    "(the container log): not read; give it to kanon audit",
			    c->target);
		return false;
	}
	if (!node_audit_files(c->files, path, files, res)) {
		result_diag(res, DIAG_WARNING, "%s: audit log %s: not found (read through %s)",
			    c->target, path, c->files->dir ? c->files->dir : "/");
		return false;
	}
	return true;
}

static void run_audit(const struct node_comp *c, const struct path_list *files, struct result *res)
{
	char **names = xcalloc(files->n + 1, sizeof(char *));
	struct audit_opts o;
	struct audit_input in;

	for (size_t i = 0; i < files->n; i++)
		names[i] = provider_display(c->files, files->v[i]);
	audit_opts_init(&o);
	memset(&in, 0, sizeof(in));
	in.src = c->files;
	in.paths = files->v;
	in.files = names;
	in.nfiles = files->n;
	in.opts = &o;
	check_run(&check_audit, &in, NULL, res);
	for (size_t i = 0; i < files->n; i++)
		free(names[i]);
	free(names);
}

/* The audit logs: those of the first API server that has any (one audit
 * section per report); the others are named, not read. */
static void run_audits(const struct node_scan *s, struct result *res)
{
	const struct node_comp *done = NULL;

	for (size_t i = 0; i < s->n; i++) {
		struct path_list files = {0};

		if (s->c[i].program != NODE_APISERVER || !audit_of(&s->c[i], &files, res)) {
			path_list_release(&files);
			continue;
		}
		if (!done) {
			run_audit(&s->c[i], &files, res);
			done = &s->c[i];
		} else {
			result_diag(res, DIAG_WARNING,
				    "%s: audit log %s: skipped: the report has the audit log of "
				    "%s; run kanon audit on this one",
				    s->c[i].target, files.v[files.n - 1], done->target);
		}
		path_list_release(&files);
	}
}

void node_comp_check(const struct node_comp *c, struct result *res)
{
	if (c->program == NODE_KUBELET)
		run_kubelet(c, res);
	else
		run_apiserver(c, res);
}

void node_scan_run(const struct node_scan *s, struct result *res)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].program == NODE_KUBELET)
			run_kubelet(&s->c[i], res);
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].program == NODE_APISERVER)
			run_apiserver(&s->c[i], res);
	run_audits(s, res);
	/* never a silent pass: RBAC is not on a node */
	result_diag(res, DIAG_WARNING,
		    "rbac: skipped: RBAC objects are kept by the API server, not in a node's "
		    "files; export them into a snapshot's rbac/ (docs/snapshot.md) or run kanon "
		    "rbac on them");
}
