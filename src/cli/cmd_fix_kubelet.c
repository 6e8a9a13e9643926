#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/fix_cli.h"
#include "core/rule.h"
#include "fix/fix.h"
#include "fix/fix_kubelet.h"
#include "sources/file.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon fix kubelet [options]\n"
    "\n"
    "Turn the kubelet's anonymous access off where each effective value\n"
    "comes from: authentication.anonymous.enabled false, webhook\n"
    "authentication on, authorization mode Webhook, read-only port 0. With\n"
    "a --config file the value goes into it (or into the --config-dir\n"
    "drop-in that sets it) and flags that override it are removed from the\n"
    "drop-in, environment file or k3s/RKE2 config.yaml that writes them;\n"
    "without one the flag is changed (or added). Every plan is checked by\n"
    "loading the edited files again as `kanon kubelet` does.\n"
    "\n"
    "Inputs (as for kanon kubelet):\n"
    "      --root DIR         a node's files: the layout (systemd, kubeadm, EKS,\n"
    "                         k3s, RKE2) is found and edited inside DIR\n"
    "      --cmdline 'kubelet ...'  the command line (its flags cannot be\n"
    "                         edited: they are in no file)\n"
    "      --config FILE      the KubeletConfiguration file, edited in place\n"
    "      --config-dir DIR   its drop-in directory\n"
    "\n" FIX_HELP;

struct fix_kubelet_args {
	const char *root, *cmdline, *config, *config_dir;
	struct fix_opts fo;
	struct provider *root_files;
	struct argv_list args;
};

static const struct cli_opt opts[] = {
    CLI_STR("root", struct fix_kubelet_args, root),
    CLI_STR("cmdline", struct fix_kubelet_args, cmdline),
    CLI_STR("config", struct fix_kubelet_args, config),
    CLI_STR("config-dir", struct fix_kubelet_args, config_dir),
    FIX_OPTS(struct fix_kubelet_args, fo),
    {NULL, 0, 0, 0, 0},
};

/* The kubelet check on the files as they are now. */
static void judge(const struct fix_kubelet_src *s, const struct provider *p, struct result *res)
{
	struct fix_kubelet_load l;
	struct err e = {0};

	if (fix_kubelet_load(s, p, &l, &e) == 0)
		check_run(&check_kubelet, &l.in, "kubelet", res);
	fix_kubelet_load_release(&l);
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct fix_kubelet_args *a = ctx;
	struct fix_kubelet_src s = {0};
	const struct provider *p;
	struct fix_plan plan;
	struct strbuf notes = STRBUF_INIT;
	struct result before, after;
	struct err e = {0};
	bool wrote = false;
	int ret;

	if (fix_text_only("fix kubelet", co))
		return 2;

	(void)operands, (void)n, (void)res;
	if (a->root && a->cmdline)
		return usage_error("fix kubelet", "--root finds the command line in the node's "
						  "files; it does not go with --cmdline");
	if (!a->root && !a->cmdline && !a->config && !a->config_dir)
		return usage_error("fix kubelet", "give --root DIR, or --config/--config-dir "
						  "(with --cmdline)");
	if (a->root) {
		if (!file_is_dir(a->root))
			return cli_error("cannot read '%s': not a directory (--root)", a->root);
		a->root_files = provider_root_create(NULL, a->root);
		/* without its descriptor the plan would take the paths as local */
		if (a->root_files->rootfd < 0)
			return cli_error("cannot open '%s' (--root)", a->root);
		s.root = a->root_files;
	} else if (a->cmdline) {
		if (cli_cmdline("fix kubelet", a->cmdline, "kubelet", &a->args))
			return 2;
		s.argv = &a->args;
	}
	s.config = a->config;
	s.config_dir = a->config_dir;
	p = s.root ? s.root : provider_fs();
	fix_plan_init(&plan, s.root ? s.root->rootfd : -1, a->fo.follow_symlinks);
	result_init(&before);
	result_init(&after);
	if (fix_kubelet_plan(&s, &plan, &notes, &e) < 0) {
		ret = fix_refuse("the kubelet", &e);
		goto out;
	}
	judge(&s, p, &before);
	ret = fix_finish(&plan, &a->fo, co, notes.buf, &wrote);
	if (wrote) {
		judge(&s, p, &after);
		fix_show_flip(&before, &after);
	}
out:
	result_release(&before);
	result_release(&after);
	strbuf_release(&notes);
	fix_plan_release(&plan);
	return ret;
}

static void init(void *ctx)
{
	struct fix_kubelet_args *a = ctx;

	argv_init(&a->args);
}

static void release(void *ctx)
{
	struct fix_kubelet_args *a = ctx;

	argv_release(&a->args);
	provider_destroy(a->root_files);
}

static const struct cli_cmd cmd = {
    .name = "fix kubelet",
    .help = help,
    .opts = opts,
    .run = run,
    .ctx_size = sizeof(struct fix_kubelet_args),
    .init = init,
    .release = release,
};

int cmd_fix_kubelet(int argc, char **argv)
{
	return cli_main(&cmd, argc, argv);
}
