#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cluster.h"
#include "cli/fix_cli.h"
#include "core/util.h"
#include "fix/fix.h"
#include "fix/fix_rbac.h"
#include "sources/file.h"
#include "sources/kubeapi.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon fix rbac [--yaml [--apply]] FILE...\n"
    "   or: kanon fix rbac --kubeconfig FILE [--context NAME]\n"
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
    "\n"
    "      --kubeconfig FILE  read the bindings of a live cluster instead (as\n"
    "                         kanon cluster reads them; list clusterrolebindings\n"
    "                         and rolebindings) and print the kubectl commands;\n"
    "                         nothing is changed; no --yaml, no --apply\n"
    "      --context NAME     this context of FILE (default: current-context)\n"
    "\n" FIX_HELP;

struct fix_rbac_args {
	bool yaml;
	struct fix_opts fo;
	struct cluster_opts co;
};

static const struct cli_opt opts[] = {
    CLI_FLAG("yaml", struct fix_rbac_args, yaml),
    CLI_STR("kubeconfig", struct fix_rbac_args, co.kubeconfig),
    CLI_STR("context", struct fix_rbac_args, co.context),
    FIX_OPTS(struct fix_rbac_args, fo),
    {NULL, 0, 0, 0, 0},
};

static void print_cmds(int fixed, const struct strbuf *cmds, const struct strbuf *notes)
{
	fputs(fixed ? cmds->buf
		    : "nothing to change: no binding grants to anonymous "
		      "subjects\n",
	      stdout);
	fputs(strbuf_str(notes), stdout);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pages cluster_fetch_bindings wrote in dir/rbac/, in name order. */
static int live_pages(const char *dir, struct path_list *pages)
{
	struct strbuf sb = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&sb, "%s/rbac", dir);
	d = opendir(sb.buf);
	strbuf_release(&sb);
	if (!d)
		return errno == ENOENT
			   ? 0
			   : cli_error("cannot read the bindings read: %s", strerror(errno));
	while ((de = readdir(d)))
		if (ends_with(de->d_name, ".json")) {
			ALLOC_GROW(pages->v, pages->n + 1, pages->alloc);
			pages->v[pages->n++] = xstrdup(de->d_name);
		}
	closedir(d);
	if (pages->n)
		qsort(pages->v, pages->n, sizeof(*pages->v), cmp_name);
	return 0;
}

/* cluster_dir_fn: the commands for the bindings of a live cluster. */
static int live(const char *dir, const char *context, void *ctx)
{
	struct path_list pages = {0};
	struct strbuf cmds = STRBUF_INIT, notes = STRBUF_INIT, origin = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	struct err e = {0};
	int ret, fixed = 0;

	(void)ctx;
	strbuf_addf(&origin, "live, context %s", context);
	ret = live_pages(dir, &pages);
	for (size_t i = 0; i < pages.n && !ret; i++) {
		int r;
		strbuf_reset(&path);
		strbuf_reset(&buf);
		strbuf_addf(&path, "%s/rbac/%s", dir, pages.v[i]);
		/* the pages are API answers, at most KUBEAPI_MAX_BODY each */
		if (file_read(path.buf, pages.v[i], KUBEAPI_MAX_BODY, &buf, &e) < 0)
			r = -1;
		else
			r = fix_rbac_live(&buf, origin.buf, &cmds, &notes, &e);
		if (r < 0)
			ret = fix_refuse("RBAC", &e);
		fixed += r > 0 ? r : 0;
	}
	if (!ret)
		print_cmds(fixed, &cmds, &notes);
	path_list_release(&pages);
	strbuf_release(&cmds);
	strbuf_release(&notes);
	strbuf_release(&origin);
	strbuf_release(&path);
	strbuf_release(&buf);
	return ret;
}

/* --kubeconfig: the live mode, which only prints commands. */
static int run_live(struct fix_rbac_args *a, int n, struct result *res)
{
	if (a->yaml || a->fo.apply || a->fo.backup_dir || a->fo.follow_symlinks)
		return usage_error("fix rbac", "--kubeconfig prints kubectl commands for a live "
					       "cluster: --yaml, --apply, --backup-dir and "
					       "--follow-symlinks are for manifest files");
	if (n)
		return usage_error("fix rbac", "--kubeconfig reads the cluster: no FILE operands");
	return cluster_with_bindings(&a->co, live, NULL, res);
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct fix_rbac_args *a = ctx;
	struct fix_plan plan;
	struct strbuf cmds = STRBUF_INIT, notes = STRBUF_INIT;
	struct err e = {0};
	bool wrote;
	int ret = 0, fixed = 0;

	if (fix_text_only("fix rbac", co))
		return 2;
	if (a->co.kubeconfig)
		return run_live(a, n, res);
	if (a->co.context)
		return usage_error("fix rbac", "--context goes with --kubeconfig");
	if (!n)
		return usage_error("fix rbac", "give the manifests to fix: kanon fix rbac FILE... "
					       "(or --kubeconfig FILE for a live cluster)");
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
	else if (!ret)
		print_cmds(fixed, &cmds, &notes);
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
    .missing = NULL, /* none with --kubeconfig: run() checks */
    .max = -1,
    .ctx_size = sizeof(struct fix_rbac_args),
};

int cmd_fix_rbac(int argc, char **argv)
{
	return cli_main(&cmd, argc, argv);
}
