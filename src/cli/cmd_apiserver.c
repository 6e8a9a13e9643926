#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "model/kubeadm_config.h"
#include "model/node.h"
#include "sources/file.h"
#include "sources/proc.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon apiserver [options]\n"
    "\n"
    "Audit a kube-apiserver's anonymous access: whether requests without\n"
    "credentials are accepted (--anonymous-auth, the AuthenticationConfiguration\n"
    "anonymous block and its path conditions) and which authorizers decide\n"
    "(--authorization-mode or --authorization-config), as the API server of\n"
    "the given Kubernetes version computes them.\n"
    "\n"
    "Where the command line comes from (at most one):\n"
    "      --manifest FILE    static pod manifest (kubeadm:\n"
    "                         /etc/kubernetes/manifests/kube-apiserver.yaml; a\n"
    "                         directory means its kube-apiserver.yaml) or\n"
    "                         `kubectl get pod -n kube-system NAME -o yaml|json`;\n"
    "                         flags are the container's command + args. A kubeadm\n"
    "                         config is read as --config-file reads it\n"
    "      --config-file FILE a kubeadm config (`kubeadm init --config FILE`:\n"
    "                         ClusterConfiguration, with InitConfiguration and\n"
    "                         others) or `kubectl -n kube-system get configmap\n"
    "                         kubeadm-config -o yaml`: the command line kubeadm\n"
    "                         would write, its defaults and apiServer.extraArgs\n"
    "      --cmdline '...'    a full command line as ps shows it\n"
    "      --pid PID          read /proc/PID/cmdline; files it names are read\n"
    "                         through /proc/PID/root and /proc/PID/cwd\n"
    "      --root DIR         alone: a node's files (an image, a copy of /):\n"
    "                         the static pod manifest (the kubelet's\n"
    "                         staticPodPath, /etc/kubernetes/manifests, RKE2's\n"
    "                         pod-manifests) or the k3s/RKE2 config\n"
    "  (none)                 find running kube-apiserver processes in /proc,\n"
    "                         unless only files are given below\n"
    "\n"
    "Files (each replaces the path the command line names; a command line\n"
    "that names none does not read it, so it is ignored with a warning):\n"
    "      --authentication-config FILE  AuthenticationConfiguration\n"
    "      --authorization-config FILE   AuthorizationConfiguration\n"
    "      --root DIR         with a command line above: read the paths the\n"
    "                         flags name below DIR (a copy of the control-plane\n"
    "                         node's filesystem)\n"
    "\n"
    "      --k8s-version X.Y  the API server's version, 1.28 to 1.35 (default:\n"
    "                         the manifest's image tag or the kubeadm config's\n"
    "                         kubernetesVersion, else 1.34)\n"
    "      --name NAME        name the target in the report\n";

struct apiserver_args {
	struct apiserver_input in;
	const char *cmdline, *manifest, *config_file, *name, *root;
	long pid;
	int user_minor;
	struct argv_list args;
	struct strbuf vsrc;
	struct provider *root_files;
	struct node_layout layout;
	struct kubeadm_apiserver kubeadm;
	struct node_layout kubeadm_layout; /* the kubeadm config, as a layout */
	struct result *res;
};

enum { O_PID, O_K8S_VERSION };

static const struct cli_opt opts[] = {
    CLI_STR("manifest", struct apiserver_args, manifest),
    CLI_STR("config-file", struct apiserver_args, config_file),
    CLI_STR("cmdline", struct apiserver_args, cmdline),
    CLI_ARG("pid", O_PID),
    CLI_STR("authentication-config", struct apiserver_args, in.authn_config),
    CLI_STR("authorization-config", struct apiserver_args, in.authz_config),
    CLI_STR("root", struct apiserver_args, root),
    CLI_ARG("k8s-version", O_K8S_VERSION),
    CLI_STR("name", struct apiserver_args, name),
    {NULL, 0, 0, 0, 0},
};

static int set_opt(void *ctx, int id, const char *arg)
{
	struct apiserver_args *a = ctx;

	if (id == O_PID)
		return cli_parse_pid("apiserver", arg, &a->pid);
	a->user_minor = apiserver_parse_minor(arg);
	if (a->user_minor < APISERVER_MINOR_MIN || a->user_minor > APISERVER_MINOR_MAX)
		return usage_error("apiserver",
				   "--k8s-version must be 1.%d to 1.%d (X.Y), "
				   "not '%s'",
				   APISERVER_MINOR_MIN, APISERVER_MINOR_MAX, arg);
	return 0;
}

/*
 * The Kubernetes version of a kubeadm config: --k8s-version, else its
 * kubernetesVersion (a label such as "stable" only kubeadm resolves, at
 * init time: then kanon's default, with a note).
 */
static void kubeadm_version(struct apiserver_args *a, const char *display)
{
	const struct kubeadm_apiserver *k = &a->kubeadm;
	struct apiserver_input *in = &a->in;
	int m = kubeadm_version_minor(k->k8s_version);

	if (a->user_minor > 0 || m < 0) {
		apiserver_pick_version(in, a->user_minor, NULL, NULL, NULL, &a->vsrc, a->res);
		if (a->user_minor <= 0)
			result_diag(a->res, DIAG_NOTE,
				    "%s: %s%s%s: kubeadm picks the release at init time; kanon "
				    "assumes Kubernetes 1.%d (give --k8s-version)",
				    display, k->k8s_version ? "kubernetesVersion " : "",
				    k->k8s_version ? k->k8s_version : "no kubernetesVersion",
				    k->k8s_version ? " is a label" : "", in->minor);
		return;
	}
	apiserver_use_version(in, m, "kubernetesVersion", k->k8s_version, "kubernetesVersion",
			      display, k->k8s_version_line, &a->vsrc, a->res);
}

/* A kubeadm config: the command line kubeadm would write, with origins. */
static void run_kubeadm(struct apiserver_args *a, const char *display, const char *target)
{
	/* the rules' advice names the v1beta3 map form; say which form this
	 * file takes (a v1beta4 file with a map is refused by kubeadm) */
	static const char fix_v1beta4[] =
	    "set flags in apiServer.extraArgs of its ClusterConfiguration, a v1beta4 list of "
	    "{name, value} entries such as `- {name: anonymous-auth, value: \"false\"}` (each "
	    "name once: kubeadm writes a repeated name sorted by value); `kubeadm init` or "
	    "`kubeadm upgrade apply` then writes the static pod";
	static const char fix_v1beta3[] =
	    "set flags in apiServer.extraArgs of its ClusterConfiguration, a v1beta3 map such as "
	    "`anonymous-auth: \"false\"` (values quoted); `kubeadm init` or `kubeadm upgrade "
	    "apply` then writes the static pod";
	struct node_layout *l = &a->kubeadm_layout;
	struct apiserver_input in;

	kubeadm_version(a, display);
	in = a->in;
	in.argv = &a->kubeadm.argv;
	/* every word names its origin; kubeadm's defaults have no file */
	in.argv_file = NULL;
	if (a->kubeadm.api_version) {
		node_layout_release(l);
		l->kind = "kubeadm";
		l->where = xstrdup(display);
		l->fix = ends_with(a->kubeadm.api_version, "/v1beta3") ? fix_v1beta3 : fix_v1beta4;
		in.layout = l;
	}
	check_run(&check_apiserver, &in, a->name ? a->name : target, a->res);
}

/* What run_manifest() accepts. */
enum { POD_ONLY, POD_OR_KUBEADM, KUBEADM_ONLY };

/*
 * --manifest and --config-file: a static pod manifest (every Pod with a
 * kube-apiserver container is one target) or a kubeadm config, read from
 * this machine; --root: the static pod manifest found below the root (a
 * Pod only: the kubelet runs nothing else).
 */
static int run_manifest(struct apiserver_args *a, const struct provider *from, const char *path,
			const char *target, int accept)
{
	const char *display = strcmp(path, "-") ? path : "<stdin>";
	const char *base_name = strrchr(display, '/');
	struct strbuf one = STRBUF_INIT;
	struct apiserver_manifest_run r;
	struct err e = { 0 };
	struct blob b;
	char msg[ERR_FORMAT_MAX];
	int code = 0, k;

	base_name = base_name ? base_name + 1 : display;
	if (a->name)
		strbuf_addstr(&one, a->name);
	else if (target)
		strbuf_addstr(&one, target);
	else
		strbuf_addf(&one, "apiserver/%s", base_name);
	memset(&r, 0, sizeof(r));
	r.display = display;
	r.target = one.buf;
	r.prefix = a->name ? a->name : target ? target : "apiserver";
	r.unnamed = base_name;
	r.minor = a->user_minor;
	r.note_containers = true;
	r.explain = true;
	if (provider_read(from, path, display, FILE_MAX_CONFIG,
			  from == provider_fs() ? PROVIDER_READ_NAMED : 0, &b, &e) < 0) {
		code = cli_error("%s", err_format(&e, msg, sizeof(msg)));
		goto out;
	}
	k = accept == POD_ONLY
		? 0
		: kubeadm_apiserver_parse(b.data, b.len, display, &a->kubeadm, a->res, &e);
	if (k > 0)
		run_kubeadm(a, display, one.buf);
	else if (k == 0 && accept == KUBEADM_ONLY)
		code = cli_error("%s: not a kubeadm config (no document with apiVersion "
				 "kubeadm.k8s.io/...); a static pod manifest goes with --manifest",
				 display);
	else if (k < 0 || apiserver_run_manifest(&b, &a->in, &r, a->res, &e) < 0)
		code = cli_error("%s", err_format(&e, msg, sizeof(msg)));
	blob_release(&b);
out:
	strbuf_release(&one);
	return code;
}

/* --root alone: the kube-apiserver as the node's files would start it. */
static int run_root(struct apiserver_args *a)
{
	struct node_layout *l = &a->layout;
	int r = node_find_apiserver(a->root_files, l, a->res);

	if (r < 0)
		return 2;
	if (r == 0)
		return cli_error("no kube-apiserver found below '%s': no static pod manifest "
				 "(kube-apiserver.yaml, or a Pod that runs kube-apiserver, in the "
				 "kubelet's staticPodPath, in /etc/kubernetes/manifests or in "
				 "/var/lib/rancher/rke2/agent/pod-manifests), no k3s or RKE2 "
				 "config (/etc/rancher/k3s|rke2/config.yaml)",
				 a->root);
	a->in.layout = l;
	if (l->manifest)
		return run_manifest(a, a->root_files, l->manifest, l->where, POD_ONLY);
	if (l->unknown)
		a->in.no_argv_reason = l->unknown;
	else
		a->in.argv = &l->argv;
	apiserver_pick_version(&a->in, a->user_minor, NULL, NULL, NULL, &a->vsrc, a->res);
	check_run(&check_apiserver, &a->in, a->name ? a->name : l->where, a->res);
	return 0;
}

static void run_pid(long pid, const struct argv_list *argv, const struct provider *files,
		    size_t nfound, void *ctx)
{
	const struct apiserver_args *a = ctx;
	struct apiserver_input in = a->in;
	struct strbuf t = STRBUF_INIT;

	strbuf_addf(&t, "apiserver/pid-%ld", pid);
	in.argv = argv;
	in.node = files;
	check_run(&check_apiserver, &in, a->name && nfound == 1 ? a->name : t.buf, a->res);
	strbuf_release(&t);
}

static const char discover_hint[] =
    "give its static pod manifest with --manifest (kubeadm: "
    "/etc/kubernetes/manifests/kube-apiserver.yaml), its command line "
    "with --cmdline or --pid, or its files with "
    "--authentication-config / --authorization-config";

static int check_args(const struct apiserver_args *a)
{
	if (!!a->cmdline + !!a->pid + !!a->manifest + !!a->config_file > 1)
		return usage_error("apiserver", "--manifest, --config-file, --cmdline and --pid "
						"each give the command line; use one");
	if (a->root && !file_is_dir(a->root)) {
		return cli_error("cannot read '%s': not a directory (--root)", a->root);
	}
	if (a->root && a->pid)
		return usage_error("apiserver", "--root and --pid both say where files are; "
						"use one");
	return 0;
}

static int run_input(struct apiserver_args *a)
{
	struct apiserver_input *in = &a->in;
	int code = 0;

	if (a->manifest && file_is_dir(a->manifest)) {
		/* the static pod directory (kubelet staticPodPath) */
		struct strbuf mp = STRBUF_INIT;
		strbuf_addf(&mp, "%s%skube-apiserver.yaml", a->manifest,
			    ends_with(a->manifest, "/") ? "" : "/");
		code = run_manifest(a, provider_fs(), mp.buf, NULL, POD_OR_KUBEADM);
		strbuf_release(&mp);
		return code;
	}
	if (a->manifest || a->config_file)
		return run_manifest(a, provider_fs(), a->manifest ? a->manifest : a->config_file,
				    NULL, a->manifest ? POD_OR_KUBEADM : KUBEADM_ONLY);
	if (a->root && !a->cmdline)
		return run_root(a);
	if (a->cmdline) {
		if (cli_cmdline("apiserver", a->cmdline, "kube-apiserver", &a->args))
			return 2;
		in->argv = &a->args;
	} else if (!a->pid && (in->authn_config || in->authz_config)) {
		result_diag(a->res, DIAG_NOTE,
			    "no kube-apiserver command line given "
			    "(--manifest, --cmdline or --pid): what the flags decide is "
			    "UNKNOWN");
	}
	apiserver_pick_version(in, a->user_minor, NULL, NULL, NULL, &a->vsrc, a->res);
	if (a->pid || (!a->cmdline && !in->authn_config && !in->authz_config))
		return cli_run_process(a->pid, "kube-apiserver", discover_hint, a->res, run_pid, a);
	check_run(&check_apiserver, in, a->name ? a->name : "apiserver", a->res);
	return 0;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct apiserver_args *a = ctx;
	int code = check_args(a);

	(void)operands, (void)n, (void)co;
	if (code)
		return code;
	if (a->root) {
		/* opened once; every path the flags name is resolved inside it */
		a->root_files = provider_root_create(NULL, a->root);
		a->in.node = a->root_files;
	}
	a->res = res;
	a->in.required = true;
	return cli_or_report(run_input(a));
}

static void init(void *ctx)
{
	struct apiserver_args *a = ctx;

	argv_init(&a->args);
	strbuf_init(&a->vsrc);
	node_layout_init(&a->layout);
	node_layout_init(&a->kubeadm_layout);
	kubeadm_apiserver_init(&a->kubeadm);
}

static void release(void *ctx)
{
	struct apiserver_args *a = ctx;

	provider_destroy(a->root_files);
	argv_release(&a->args);
	strbuf_release(&a->vsrc);
	node_layout_release(&a->layout);
	node_layout_release(&a->kubeadm_layout);
	kubeadm_apiserver_release(&a->kubeadm);
}

static const struct cli_cmd apiserver_cmd = {
    .name = "apiserver",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .run = run,
    .ctx_size = sizeof(struct apiserver_args),
    .init = init,
    .release = release,
};

int cmd_apiserver(int argc, char **argv)
{
	return cli_main(&apiserver_cmd, argc, argv);
}
