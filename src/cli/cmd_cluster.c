/*
 * `kanon cluster`: a live cluster through a kubeconfig. The API answers
 * are written as a snapshot (--save DIR, or a private temporary directory
 * removed afterwards) and judged by the snapshot scan, so that `kanon scan
 * DIR` gives the same verdicts offline; then the API server is probed
 * without credentials (checks/probe.c) and /metrics gives the 401/403
 * rates (docs/cluster.md).
 */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include "cli/cli.h"
#include "cli/cluster.h"
#include "cli/scan.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/kubeapi.h"
#include "sources/kubeconfig.h"
#include "sources/snapshot_write.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon cluster [options]\n"
    "\n"
    "Read a live cluster through a kubeconfig and judge it: RBAC (the four\n"
    "kinds, paged), every node's kubelet configuration (/configz through the\n"
    "API server's node proxy), the kube-apiserver pods of kube-system; then\n"
    "probe the API server without credentials, and read /metrics twice for\n"
    "the 401/403 rates. Needs read-only access: deploy/kanon-reader.yaml.\n"
    "What cannot be read is UNKNOWN (cluster-read) with the permission named.\n"
    "\n"
    "      --kubeconfig FILE  this kubeconfig only (default: $KUBECONFIG, a\n"
    "                         colon-separated list merged as kubectl merges\n"
    "                         it, else ~/.kube/config, else the pod's service\n"
    "                         account)\n"
    "      --context NAME     this context (default: current-context)\n"
    "      --concurrency N    node requests in flight (default 32)\n"
    "      --timeout S        seconds per request and exec plugin run (default 10)\n"
    "      --save DIR         keep what was read as a snapshot (docs/snapshot.md):\n"
    "                         kanon scan DIR gives the same verdicts; no\n"
    "                         credential is written\n"
    "      --audit FILE       also audit these API server audit logs (repeat)\n"
    "      --metrics-interval S  seconds between the two /metrics reads\n"
    "                         (default 5; 0: read once)\n"
    "      --page-limit N     items per list page (default 500)\n"
    "      --no-probe         do not probe the server without credentials\n";

enum { OPT_CONCURRENCY = 1, OPT_TIMEOUT, OPT_AUDIT, OPT_METRICS, OPT_PAGE };

struct cluster_args {
	struct cluster_opts o;
	size_t aaudit;
};

static const struct cli_opt opts[] = {
    CLI_STR("kubeconfig", struct cluster_args, o.kubeconfig),
    CLI_STR("context", struct cluster_args, o.context),
    CLI_STR("save", struct cluster_args, o.save),
    CLI_FLAG("no-probe", struct cluster_args, o.no_probe),
    CLI_ARG("concurrency", OPT_CONCURRENCY),
    CLI_ARG("timeout", OPT_TIMEOUT),
    CLI_ARG("audit", OPT_AUDIT),
    CLI_ARG("metrics-interval", OPT_METRICS),
    CLI_ARG("page-limit", OPT_PAGE),
    {NULL, 0, 0, 0, 0},
};

static int set(void *ctx, int id, const char *arg)
{
	struct cluster_args *a = ctx;
	long long v;

	switch (id) {
	case OPT_CONCURRENCY:
		if (parse_int(arg, 1, 1024, &v) < 0)
			return usage_error("cluster", "--concurrency '%s': not a number 1-1024",
					   arg);
		a->o.concurrency = (unsigned)v;
		return 0;
	case OPT_TIMEOUT:
		if (parse_int(arg, 1, 3600, &v) < 0)
			return usage_error("cluster", "--timeout '%s': not seconds 1-3600", arg);
		a->o.timeout_ms = (long)v * 1000;
		return 0;
	case OPT_METRICS:
		if (parse_int(arg, 0, 600, &v) < 0)
			return usage_error("cluster", "--metrics-interval '%s': not seconds 0-600",
					   arg);
		a->o.metrics_interval_ms = v ? (long)v * 1000 : -1;
		return 0;
	case OPT_PAGE:
		if (parse_int(arg, 1, 100000, &v) < 0)
			return usage_error("cluster", "--page-limit '%s': not a number 1-100000",
					   arg);
		a->o.page_limit = (unsigned)v;
		return 0;
	default:
		ALLOC_GROW(a->o.audit, a->o.naudit + 1, a->aaudit);
		a->o.audit[a->o.naudit++] = (char *)arg;
		return 0;
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* The report's "cluster" section: what was read, and the /metrics rates. */
static void add_section(const struct cluster_opts *o, const struct kc_target *t,
			const struct cluster_stats *st, struct result *res)
{
	struct section *s = section_create(SEC_GROUP, "cluster", "Cluster (read through the API)");
	struct section *m;

	sec_str(s, "server", t->cluster->server);
	sec_str(s, "context", t->context);
	sec_str(s, "credentials", kc_user_auth_kind(t->user));
	if (st->version)
		sec_str(s, "version", st->version);
	sec_uint(s, "nodes", st->nodes);
	sec_uint(s, "configz_read", st->configz);
	sec_uint(s, "rbac_objects", st->rbac_objects);
	sec_uint(s, "rbac_pages", st->rbac_pages);
	sec_uint(s, "list_restarts", st->restarts);
	sec_uint(s, "apiserver_pods", st->apiserver_pods);
	sec_uint(s, "unreadable", st->unreadable);
	sec_uint(s, "requests", st->requests);
	sec_uint(s, "concurrency", o->concurrency ? o->concurrency : 32);
	sec_decimal(s, "seconds", st->seconds, 2);
	if (st->metrics[0] && st->metrics[1] && st->metrics_seconds > 0) {
		m = sec_group(s, "metrics", "apiserver_request_total (401 and 403 answers)");
		sec_decimal(m, "interval_seconds", st->metrics_seconds, 1);
		sec_number(m, "code_401", st->m401[1]);
		sec_number(m, "code_403", st->m403[1]);
		sec_decimal(m, "code_401_per_second",
			    (st->m401[1] - st->m401[0]) / st->metrics_seconds, 2);
		sec_decimal(m, "code_403_per_second",
			    (st->m403[1] - st->m403[0]) / st->metrics_seconds, 2);
	}
	result_add_section(res, s);
}

/* A snapshot directory: --save DIR, or a private temporary one. */
static int open_dir(const struct cluster_opts *o, struct snapshot_writer *w, char *tmp, size_t size)
{
	struct err e;
	const char *base = getenv("TMPDIR");

	if (!o->save) {
		snprintf(tmp, size, "%s/kanon-cluster-XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmp))
			return cli_error("cannot create a temporary directory in '%s': %s",
					 base && *base ? base : "/tmp", strerror(errno));
	}
	if (snapshot_writer_open(w, o->save ? o->save : tmp, &e) < 0) {
		if (!o->save)
			rmdir(tmp);
		return cli_error("%s", e.msg);
	}
	w->no_sync = true;
	return 0;
}

/*
 * --audit FILE...: into the snapshot's audit/ part, so that the snapshot
 * scan audits them and `kanon scan DIR` of a --save'd one does too: copied
 * with --save (the evidence is kept), linked into a temporary snapshot.
 */
static int add_audit(const struct cluster_opts *o, struct snapshot_writer *w)
{
	struct strbuf rel = STRBUF_INIT;
	struct err e;
	int ret = 0;

	for (size_t i = 0; !ret && i < o->naudit; i++) {
		char *copy = xstrdup(o->audit[i]), *abs = realpath(o->audit[i], NULL);
		int fd = abs ? open(abs, O_RDONLY | O_CLOEXEC) : -1;
		uint64_t size = 0;
		strbuf_reset(&rel);
		strbuf_addf(&rel, "audit/%02zu-%s", i + 1, basename(copy));
		if (fd < 0)
			ret =
			    cli_error("cannot read --audit '%s': %s", o->audit[i], strerror(errno));
		else if ((o->save ? snapshot_copy_fd(w, rel.buf, fd, UINT64_MAX, NULL, &size, &e)
				  : snapshot_symlink(w, rel.buf, abs, &e)) < 0)
			ret = cli_error("%s", e.msg);
		if (fd >= 0)
			close(fd);
		free(abs);
		free(copy);
	}
	strbuf_release(&rel);
	return ret;
}

static int fetch_and_scan(const struct cluster_opts *o, const struct kc_target *t,
			  struct result *res)
{
	struct kubeapi_opts ko = {o->timeout_ms, o->concurrency};
	struct snapshot_writer w;
	struct cluster_stats st;
	struct strbuf display = STRBUF_INIT;
	struct kubeapi *api;
	struct err e;
	char tmp[4200] = "";
	int code;

	memset(&st, 0, sizeof(st));
	api = kubeapi_create(t, &ko, &e);
	if (!api)
		return cli_error("context '%s': %s", t->context, e.msg);
	code = open_dir(o, &w, tmp, sizeof(tmp));
	if (!code)
		code = cluster_fetch(api, &w, o, t->context, &st, res);
	if (!code)
		code = add_audit(o, &w);
	if (!code) {
		/* a kept snapshot reaches the disk once, not file by file */
		if (o->save && syncfs(w.dirfd) < 0)
			result_diag(res, DIAG_WARNING, "cannot sync '%s': %s", o->save,
				    strerror(errno));
		snapshot_writer_close(&w);
		strbuf_addf(&display, "cluster:%s", t->context);
		code = scan_snapshot(o->save ? o->save : tmp, o->save ? NULL : display.buf, res);
		add_section(o, t, &st, res);
	} else if (tmp[0] || o->save) {
		snapshot_writer_close(&w);
	}
	if (code == CLI_REPORT && !o->no_probe)
		code = cli_or_report(scan_probe_tls(
		    kubeapi_server(api), kubeapi_insecure(api) ? NULL : kubeapi_cacert(api),
		    kubeapi_insecure(api), t->cluster->tls_server_name, res));
	if (tmp[0])
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	kubeapi_destroy(api);
	free(st.version);
	strbuf_release(&display);
	return code;
}

static int bindings_of(const struct cluster_opts *o, const struct kc_target *t, cluster_dir_fn *fn,
		       void *ctx, struct result *res)
{
	struct kubeapi_opts ko = {o->timeout_ms, o->concurrency};
	struct snapshot_writer w;
	struct cluster_stats st;
	struct kubeapi *api;
	struct err e;
	char tmp[4200] = "";
	int code;

	(void)res;
	memset(&st, 0, sizeof(st));
	api = kubeapi_create(t, &ko, &e);
	if (!api)
		return cli_error("context '%s': %s", t->context, e.msg);
	code = open_dir(o, &w, tmp, sizeof(tmp));
	if (!code) {
		/* its diagnostics would name the temporary directory: the errors
		 * that matter are shown by cluster_fetch_bindings() */
		struct result scratch;
		result_init(&scratch);
		code = cluster_fetch_bindings(api, &w, o, &st, &scratch);
		result_release(&scratch);
		snapshot_writer_close(&w);
	}
	if (!code)
		code = fn(tmp, t->context, ctx);
	if (tmp[0])
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	kubeapi_destroy(api);
	free(st.version);
	return code;
}

/* The kubeconfig's target, then fetch_and_scan, or with fn the bindings only. */
static int with_target(const struct cluster_opts *o, cluster_dir_fn *fn, void *ctx,
		       struct result *res)
{
	struct kubeconfig kc;
	struct kc_target t;
	struct err e;
	int code;

	kubeconfig_init(&kc);
	if (kubeconfig_load(&kc, o->kubeconfig, getenv("KUBECONFIG"), getenv("HOME"),
			    "/var/run/secrets/kubernetes.io/serviceaccount", &e) < 0 ||
	    kubeconfig_resolve(&kc, o->context, &t, &e) < 0) {
		char buf[ERR_FORMAT_MAX];
		code = cli_error("%s", err_format(&e, buf, sizeof(buf)));
	} else {
		code = fn ? bindings_of(o, &t, fn, ctx, res) : fetch_and_scan(o, &t, res);
	}
	kubeconfig_release(&kc);
	return code;
}

int cluster_run(const struct cluster_opts *o, struct result *res)
{
	return with_target(o, NULL, NULL, res);
}

int cluster_with_bindings(const struct cluster_opts *o, cluster_dir_fn *fn, void *ctx,
			  struct result *res)
{
	struct cluster_opts tmp = *o;

	tmp.save = NULL; /* always a private temporary directory */
	return with_target(&tmp, fn, ctx, res);
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct cluster_args *a = ctx;

	(void)operands, (void)n, (void)co;
	return cluster_run(&a->o, res);
}

static void release(void *ctx)
{
	struct cluster_args *a = ctx;

	free(a->o.audit);
}

static const struct cli_cmd cluster_cmd = {
    .name = "cluster",
    .help = help,
    .opts = opts,
    .set = set,
    .missing = NULL,
    .max = 0,
    .too_many = "kanon cluster takes no operands (--kubeconfig FILE, --context NAME)",
    .run = run,
    .ctx_size = sizeof(struct cluster_args),
    .release = release,
};

int cmd_cluster(int argc, char **argv)
{
	return cli_main(&cluster_cmd, argc, argv);
}
