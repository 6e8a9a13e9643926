#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/fix_cli.h"
#include "fix/fix.h"
#include "fix/fix_rbac.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon fix rbac [--yaml [--apply]] FILE...\n"
    "\n"
    "Take anonymous subjects (User system:anonymous, Group\n"
    "system:unauthenticated) out of the RoleBindings and ClusterRoleBindings\n"
    "in FILE (YAML or JSON manifests, several documents, Lists, kubectl get\n"
    "-o yaml output).\n"
    "\n"
    "  (default)              print kubectl commands: delete for a binding whose\n"
    "                         subjects are all anonymous, else a JSON patch that\n"
    "                         tests each anonymous subject's kind and name and\n"
    "                         removes them (highest index first)\n"
    "      --yaml             cleaned manifests for a GitOps repository: only the\n"
    "                         anonymous subject items removed, every other byte\n"
    "                         kept; a diff, written with --apply\n"
    "\n"
    "Bindings the API server reconciles (annotation\n"
    "rbac.authorization.kubernetes.io/autoupdate: \"true\") are left, with a note.\n"
    "A live cluster (--kubeconfig) is not supported yet.\n"
    "\n" FIX_HELP;

struct fix_rbac_args {
	bool yaml;
	struct fix_opts fo;
};

static const struct cli_opt opts[] = {
    CLI_FLAG("yaml", struct fix_rbac_args, yaml),
    FIX_OPTS(struct fix_rbac_args, fo),
    {NULL, 0, 0, 0, 0},
};

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct fix_rbac_args *a = ctx;
	struct fix_plan plan;
	struct strbuf cmds = STRBUF_INIT, notes = STRBUF_INIT;
	struct err e = {0};
	bool wrote;
	int ret = 0, fixed = 0;

	(void)res;
	if (a->fo.apply && !a->yaml)
		return usage_error("fix rbac", "--apply writes cleaned manifests: it goes with "
					       "--yaml (the kubectl commands are for you to run)");
	fix_plan_init(&plan, -1, a->fo.follow_symlinks);
	for (int i = 0; i < n && !ret; i++) {
		struct fix_file *f = fix_plan_file(&plan, operands[i], false, &e);
		struct strbuf out = STRBUF_INIT;
		int r;

		if (!f) {
			ret = fix_refuse("RBAC", &e);
			break;
		}
		r = fix_rbac_file(&f->old, f->display, &cmds, &notes, a->yaml ? &out : NULL, &e);
		if (r < 0)
			ret = fix_refuse("RBAC", &e);
		else if (r > 0 && a->yaml) {
			strbuf_release(&f->new);
			f->new = out;
			strbuf_init(&out);
		}
		fixed += r > 0 ? r : 0;
		strbuf_release(&out);
	}
	if (!ret && a->yaml)
		ret = fix_finish(&plan, &a->fo, co, notes.buf, &wrote);
	else if (!ret) {
		fputs(fixed ? cmds.buf
			    : "nothing to change: no binding grants to anonymous "
			      "subjects\n",
		      stdout);
		fputs(strbuf_str(&notes), stdout);
	}
	strbuf_release(&cmds);
	strbuf_release(&notes);
	fix_plan_release(&plan);
	return ret;
}

static const struct cli_cmd cmd = {
    .name = "fix rbac",
    .help = help,
    .opts = opts,
    .run = run,
    .missing = "give the manifests to fix: kanon fix rbac FILE...",
    .max = -1,
    .ctx_size = sizeof(struct fix_rbac_args),
};

int cmd_fix_rbac(int argc, char **argv)
{
	return cli_main(&cmd, argc, argv);
}
