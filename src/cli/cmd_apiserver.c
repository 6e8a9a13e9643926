#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "model/apiserver_manifest.h"
#include "cli/cli.h"
#include "cli/scan.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "sources/proc.h"
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
	"                         flags are the container's command + args\n"
	"      --cmdline '...'    a full command line as ps shows it\n"
	"      --pid PID          read /proc/PID/cmdline; files it names are read\n"
	"                         through /proc/PID/root and /proc/PID/cwd\n"
	"  (none)                 find running kube-apiserver processes in /proc,\n"
	"                         unless only files are given below\n"
	"\n"
	"Files (each replaces the path the command line names; a command line\n"
	"that names none does not read it, so it is ignored with a warning):\n"
	"      --authentication-config FILE  AuthenticationConfiguration\n"
	"      --authorization-config FILE   AuthorizationConfiguration\n"
	"      --root DIR         read the paths the flags name below DIR (a copy\n"
	"                         of the control-plane node's filesystem)\n"
	"\n"
	"      --k8s-version X.Y  the API server's version, 1.28 to 1.35 (default:\n"
	"                         the manifest's image tag, else 1.34)\n"
	"      --name NAME        name the target in the report\n";

enum {
	OPT_MANIFEST = OPT_CMD_BASE,
	OPT_CMDLINE,
	OPT_PID,
	OPT_AUTHN,
	OPT_AUTHZ,
	OPT_ROOT,
	OPT_VERSION_K8S,
	OPT_NAME,
};

/* --manifest: every Pod with a kube-apiserver container is one target. */
static int run_manifest(const char *path, struct apiserver_input *base, int user_minor,
			const char *name, struct result *res)
{
	struct strbuf buf = STRBUF_INIT;
	struct apiserver_pods pods;
	struct err e = { { 0 }, 0, { 0 } };
	const char *display = strcmp(path, "-") ? path : "<stdin>";
	const char *base_name = strrchr(display, '/');
	int code = 0;

	memset(&pods, 0, sizeof(pods));
	base_name = base_name ? base_name + 1 : display;
	if (file_read(path, display, FILE_MAX_CONFIG, &buf, &e) < 0) {
		fprintf(stderr, "kanon: error: %s\n", e.msg);
		code = 2;
		goto out;
	}
	if (apiserver_manifest_parse(buf.buf, buf.len, display, &pods, &e) < 0) {
		char msg[ERR_FORMAT_MAX];
		fprintf(stderr, "kanon: error: %s\n", err_format(&e, msg, sizeof(msg)));
		code = 2;
		goto out;
	}
	if (!pods.n) {
		fprintf(stderr, "kanon: error: %s: no kube-apiserver container (a container "
			"whose command or args run kube-apiserver, named kube-apiserver, or "
			"with a kube-apiserver image)%s%s\n", display,
			pods.skipped ? " in " : "", pods.skipped ? pods.skipped : "");
		code = 2;
		goto out;
	}
	for (size_t i = 0; i < pods.n; i++) {
		struct apiserver_pod *p = &pods.v[i];
		struct apiserver_input in = *base;
		struct strbuf target = STRBUF_INIT, vsrc = STRBUF_INIT;
		struct evidence ctx;
		size_t nctx = p->ncontainers > 1;

		if (name && pods.n == 1)
			strbuf_addstr(&target, name);
		else if (pods.n == 1)
			strbuf_addf(&target, "apiserver/%s", base_name);
		else
			strbuf_addf(&target, "%s/%s", name ? name : "apiserver",
				    p->pod_name ? p->pod_name : base_name);
		in.argv = &p->argv;
		in.argv_lines = p->lines;
		in.opaque = &p->opaque;
		if (p->no_cmdline) {
			in.argv = NULL;
			in.no_argv_reason = p->no_cmdline;
		}
		in.argv_file = display;
		apiserver_pick_version(&in, user_minor, NULL, p, display, &vsrc, res);
		apiserver_pod_warn(p, res);
		apiserver_pod_context(p, display, &ctx);
		if (nctx)
			result_diag(res, DIAG_NOTE, "%s:%d: the Pod has %zu containers; "
				    "auditing spec.containers[%zu] (%s): %s", display,
				    p->container_line, p->ncontainers, p->index,
				    p->container ? p->container : "unnamed", p->why);
		apiserver_run(&in, target.buf, &ctx, nctx, res);
		apiserver_context_release(&ctx);
		strbuf_release(&target);
		strbuf_release(&vsrc);
	}
out:
	apiserver_pods_release(&pods);
	strbuf_release(&buf);
	return code;
}

struct discovered {
	const struct apiserver_input *in;
	const char *name;
	struct result *res;
};

static void run_pid(long pid, const struct argv_list *argv, size_t nfound, void *ctx)
{
	const struct discovered *d = ctx;
	struct apiserver_input pin = *d->in;
	struct strbuf t = STRBUF_INIT;

	strbuf_addf(&t, "apiserver/pid-%ld", pid);
	pin.argv = argv;
	pin.pid = pid;
	apiserver_run(&pin, d->name && nfound == 1 ? d->name : t.buf, NULL, 0, d->res);
	strbuf_release(&t);
}

int cmd_apiserver(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "manifest", required_argument, NULL, OPT_MANIFEST },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "authentication-config", required_argument, NULL, OPT_AUTHN },
		{ "authorization-config", required_argument, NULL, OPT_AUTHZ },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "k8s-version", required_argument, NULL, OPT_VERSION_K8S },
		{ "name", required_argument, NULL, OPT_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts co;
	struct apiserver_input in;
	struct argv_list args;
	struct result res;
	struct err e = { { 0 }, 0, { 0 } };
	struct strbuf vsrc = STRBUF_INIT;
	const char *cmdline = NULL, *manifest = NULL, *name = NULL;
	long long pid = 0;
	int opt, code = 0, user_minor = 0, sources;

	common_opts_init(&co);
	memset(&in, 0, sizeof(in));
	argv_init(&args);
	result_init(&res);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "apiserver", help, opt, optarg, &code);
		if (h < 0)
			goto out;
		if (h > 0)
			continue;
		switch (opt) {
		case OPT_MANIFEST: manifest = optarg; break;
		case OPT_CMDLINE: cmdline = optarg; break;
		case OPT_PID:
			if (parse_int(optarg, 1, 1LL << 31, &pid)) {
				code = usage_error("apiserver", "--pid needs a process id, "
						   "not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_AUTHN: in.authn_config = optarg; break;
		case OPT_AUTHZ: in.authz_config = optarg; break;
		case OPT_ROOT: in.root = optarg; break;
		case OPT_VERSION_K8S:
			user_minor = apiserver_parse_minor(optarg);
			if (user_minor < APISERVER_MINOR_MIN || user_minor > APISERVER_MINOR_MAX) {
				code = usage_error("apiserver", "--k8s-version must be 1.%d to "
						   "1.%d (X.Y), not '%s'", APISERVER_MINOR_MIN,
						   APISERVER_MINOR_MAX, optarg);
				goto out;
			}
			break;
		case OPT_NAME: name = optarg; break;
		default:
			code = bad_option("apiserver", argv, optopt);
			goto out;
		}
	}
	if (optind < argc) {
		code = usage_error("apiserver", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	sources = !!cmdline + !!pid + !!manifest;
	if (sources > 1) {
		code = usage_error("apiserver", "--manifest, --cmdline and --pid each give "
				   "the command line; use one");
		goto out;
	}
	if (in.root && !file_is_dir(in.root)) {
		fprintf(stderr, "kanon: error: cannot read '%s': not a directory (--root)\n",
			in.root);
		code = 2;
		goto out;
	}
	if (in.root && pid) {
		code = usage_error("apiserver", "--root and --pid both say where files are; "
				   "use one");
		goto out;
	}
	in.required = true;

	if (manifest && file_is_dir(manifest)) {
		/* the static pod directory (kubelet staticPodPath) */
		struct strbuf mp = STRBUF_INIT;
		strbuf_addf(&mp, "%s%skube-apiserver.yaml", manifest,
			    ends_with(manifest, "/") ? "" : "/");
		code = run_manifest(mp.buf, &in, user_minor, name, &res);
		strbuf_release(&mp);
		if (code)
			goto out;
	} else if (manifest) {
		code = run_manifest(manifest, &in, user_minor, name, &res);
		if (code)
			goto out;
	} else if (cmdline) {
		if (cmdline_split(cmdline, &args, &e) < 0) {
			code = usage_error("apiserver", "--cmdline: %s", e.msg);
			goto out;
		}
		in.argv = &args;
		apiserver_pick_version(&in, user_minor, NULL, NULL, NULL, &vsrc, &res);
		apiserver_run(&in, name ? name : "apiserver", NULL, 0, &res);
	} else if (pid) {
		struct strbuf t = STRBUF_INIT;
		if (proc_read_cmdline((long)pid, &args, &e) < 0) {
			fprintf(stderr, "kanon: error: %s\n", e.msg);
			code = 2;
			goto out;
		}
		in.argv = &args;
		in.pid = (long)pid;
		strbuf_addf(&t, "apiserver/pid-%lld", pid);
		apiserver_pick_version(&in, user_minor, NULL, NULL, NULL, &vsrc, &res);
		apiserver_run(&in, name ? name : t.buf, NULL, 0, &res);
		strbuf_release(&t);
	} else if (in.authn_config || in.authz_config) {
		result_diag(&res, DIAG_NOTE, "no kube-apiserver command line given "
			    "(--manifest, --cmdline or --pid): what the flags decide is "
			    "UNKNOWN");
		apiserver_pick_version(&in, user_minor, NULL, NULL, NULL, &vsrc, &res);
		apiserver_run(&in, name ? name : "apiserver", NULL, 0, &res);
	} else {
		struct discovered d = { &in, name, &res };
		size_t audited;

		apiserver_pick_version(&in, user_minor, NULL, NULL, NULL, &vsrc, &res);
		if (!cli_each_process("kube-apiserver", &res, &audited, run_pid, &d)) {
			fprintf(stderr, "kanon: error: no running kube-apiserver found in /proc; "
				"give its static pod manifest with --manifest (kubeadm: "
				"/etc/kubernetes/manifests/kube-apiserver.yaml), its command line "
				"with --cmdline or --pid, or its files with "
				"--authentication-config / --authorization-config\n");
			code = 2;
			goto out;
		}
		if (!audited) {
			fprintf(stderr, "kanon: error: found kube-apiserver processes but could "
				"not read any command line\n");
			code = 2;
			goto out;
		}
	}
	code = common_finish(&co, &res);
out:
	argv_release(&args);
	result_release(&res);
	strbuf_release(&vsrc);
	return code;
}
