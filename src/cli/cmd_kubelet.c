#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "model/node.h"
#include "sources/file.h"
#include "sources/proc.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon kubelet [options]\n"
    "\n"
    "Audit a kubelet's anonymous-access settings: anonymous authentication,\n"
    "authorization mode, webhook token authentication and the read-only\n"
    "port, computed as the kubelet computes them (defaults, --config file,\n"
    "--config-dir drop-ins, then command-line flags) with the source of\n"
    "every value.\n"
    "\n"
    "Where the command line comes from (at most one):\n"
    "      --cmdline 'kubelet --flag=value ...'\n"
    "                         a full command line as ps shows it (a `ps -ef`\n"
    "                         line, `hyperkube kubelet ...` and k3s's\n"
    "                         \"Running kubelet ...\" log line work too)\n"
    "      --pid PID          read /proc/PID/cmdline; files it names are read\n"
    "                         through /proc/PID/root and /proc/PID/cwd\n"
    "      --root DIR         a node's files (an image, a copy of /): the\n"
    "                         command line its service manager would run\n"
    "                         (systemd unit, drop-ins, environment files;\n"
    "                         kubeadm, EKS, k3s, RKE2), files read below DIR\n"
    "  (none)                 find running kubelets in /proc, unless only\n"
    "                         files are given below\n"
    "\n"
    "Files (each stands for the path the command line names; with a command\n"
    "line that names no --config or --config-dir, the kubelet reads no such\n"
    "file, so a file given here is not applied, with a warning):\n"
    "      --config FILE      KubeletConfiguration, YAML or JSON\n"
    "      --config-dir DIR   drop-in directory (*.conf, merged in order)\n"
    "      --configz FILE|-   JSON from /api/v1/nodes/NODE/proxy/configz: the\n"
    "                         running truth; drift from the files is reported\n"
    "      --node NAME        name the target in the report\n";

struct kubelet_args {
	struct kubelet_input in;
	const char *cmdline, *node, *root;
	long pid;
	struct provider *root_files;
	struct node_layout layout;
	struct argv_list args;
	struct result *res;
};

enum { O_PID };

static const struct cli_opt opts[] = {
    CLI_STR("cmdline", struct kubelet_args, cmdline),
    CLI_ARG("pid", O_PID),
    CLI_STR("config", struct kubelet_args, in.config),
    CLI_STR("config-dir", struct kubelet_args, in.config_dir),
    CLI_STR("configz", struct kubelet_args, in.configz),
    CLI_STR("node", struct kubelet_args, node),
    CLI_STR("root", struct kubelet_args, root),
    {NULL, 0, 0, 0, 0},
};

static int set_opt(void *ctx, int id, const char *arg)
{
	struct kubelet_args *a = ctx;

	(void)id; /* O_PID */
	return cli_parse_pid("kubelet", arg, &a->pid);
}

/* One process: its command line, and its files through /proc/PID. */
static void run_pid(long pid, const struct argv_list *argv, const struct provider *files,
		    size_t nfound, void *ctx)
{
	const struct kubelet_args *a = ctx;
	struct kubelet_input in = a->in;
	struct strbuf t = STRBUF_INIT;

	(void)nfound;
	strbuf_addf(&t, "kubelet pid %ld", pid);
	in.argv = argv;
	in.node = files;
	check_run(&check_kubelet, &in, a->node ? a->node : t.buf, a->res);
	strbuf_release(&t);
}

static const char discover_hint[] = "give its command line with --cmdline or --pid, or its "
				    "files with --config, --config-dir or --configz";

/* --root: the kubelet as the node's files would start it. */
static int run_root(struct kubelet_args *a, struct result *res)
{
	struct kubelet_input *in = &a->in;
	int r;

	if (!file_is_dir(a->root))
		return cli_error("cannot read '%s': not a directory (--root)", a->root);
	a->root_files = provider_root_create(NULL, a->root);
	r = node_find_kubelet(a->root_files, &a->layout, res);
	if (r < 0)
		return 2;
	if (r == 0)
		return cli_error("no kubelet found below '%s': no kubelet.service unit "
				 "(etc, run, usr/lib, lib/systemd/system), no k3s or RKE2 "
				 "config",
				 a->root);
	in->node = a->root_files;
	in->layout = &a->layout;
	if (a->layout.unknown)
		in->no_argv_reason = a->layout.unknown;
	else
		in->argv = &a->layout.argv;
	kubelet_input_drop_unnamed(in, res);
	check_run(&check_kubelet, in, a->node ? a->node : a->layout.where, res);
	return CLI_REPORT;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct kubelet_args *a = ctx;
	struct kubelet_input *in = &a->in;

	(void)operands, (void)n, (void)co;
	if (a->cmdline && a->pid)
		return usage_error("kubelet", "--cmdline and --pid both give the "
					      "command line; use one");
	if (a->root && (a->cmdline || a->pid))
		return usage_error("kubelet", "--root finds the command line in the node's "
					      "files; it does not go with --cmdline or --pid");
	a->res = res;
	in->required = true;
	if (a->root)
		return run_root(a, res);
	if (a->pid)
		return cli_or_report(cli_run_process(a->pid, "kubelet", NULL, res, run_pid, a));
	if (a->cmdline) {
		if (cli_cmdline("kubelet", a->cmdline, "kubelet", &a->args))
			return 2;
		in->argv = &a->args;
		kubelet_input_drop_unnamed(in, res);
		check_run(&check_kubelet, in, a->node ? a->node : "kubelet", res);
	} else if (in->config || in->config_dir || in->configz) {
		if (!in->configz)
			result_diag(res, DIAG_NOTE,
				    "no kubelet command line given (--cmdline/--pid): the verdict "
				    "assumes the kubelet loads these files and no flag overrides "
				    "them");
		check_run(&check_kubelet, in,
			  a->node	   ? a->node
			  : in->config	   ? in->config
			  : in->config_dir ? in->config_dir
					   : "kubelet",
			  res);
	} else {
		return cli_or_report(cli_run_process(0, "kubelet", discover_hint, res, run_pid, a));
	}
	return CLI_REPORT;
}

static void init(void *ctx)
{
	struct kubelet_args *a = ctx;

	argv_init(&a->args);
	node_layout_init(&a->layout);
}

static void release(void *ctx)
{
	struct kubelet_args *a = ctx;

	argv_release(&a->args);
	node_layout_release(&a->layout);
	provider_destroy(a->root_files);
}

static const struct cli_cmd kubelet_cmd = {
    .name = "kubelet",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .run = run,
    .ctx_size = sizeof(struct kubelet_args),
    .init = init,
    .release = release,
};

int cmd_kubelet(int argc, char **argv)
{
	return cli_main(&kubelet_cmd, argc, argv);
}
