#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "cli/fix_cli.h"
#include "fix/fix.h"
#include "fix/fix_apiserver.h"
#include "model/node.h"
#include "sources/file.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon fix apiserver [--manifest FILE] [--mode disable|health-only] [--root DIR]\n"
    "\n"
    "Close the kube-apiserver's anonymous access in its static pod manifest.\n"
    "\n"
    "      --manifest FILE    the static pod manifest (kubeadm:\n"
    "                         /etc/kubernetes/manifests/kube-apiserver.yaml); with\n"
    "                         --root, a path inside DIR (default: the manifest\n"
    "                         kanon apiserver --root finds)\n"
    "      --root DIR         a node's files, edited inside DIR\n"
    "      --mode disable     (default) --anonymous-auth=false, or enabled: false\n"
    "                         in the AuthenticationConfiguration's anonymous block\n"
    "                         when there is one (never both: the server would not\n"
    "                         start)\n"
    "      --mode health-only anonymous only on /livez, /readyz and /healthz: an\n"
    "                         AuthenticationConfiguration (1.31 or later) with\n"
    "                         anonymous conditions, mounted into the pod and named\n"
    "                         by --authentication-config; an existing one is\n"
    "                         extended; --anonymous-auth goes\n"
    "      --allow-join-discovery  with health-only, also the path kubeadm join's\n"
    "                         token discovery reads (kube-public cluster-info)\n"
    "      --k8s-version 1.N  the Kubernetes version (default: the image tag)\n"
    "\n" FIX_HELP;

struct fix_api_args {
	const char *manifest, *root, *mode, *version;
	bool join;
	struct fix_opts fo;
	struct provider *root_files;
	struct node_layout layout;
};

static const struct cli_opt opts[] = {
    CLI_STR("manifest", struct fix_api_args, manifest),
    CLI_STR("root", struct fix_api_args, root),
    CLI_STR("mode", struct fix_api_args, mode),
    CLI_STR("k8s-version", struct fix_api_args, version),
    CLI_FLAG("allow-join-discovery", struct fix_api_args, join),
    FIX_OPTS(struct fix_api_args, fo),
    {NULL, 0, 0, 0, 0},
};

static void judge(const struct fix_apiserver_src *s, const struct provider *p, struct result *res)
{
	struct fix_api_load l;
	struct err e = {0};

	if (fix_api_load(s, p, &l, &e) == 0)
		check_run(&check_apiserver, &l.in, "kube-apiserver", res);
	fix_api_load_release(&l);
}

static int setup(struct fix_api_args *a, struct fix_apiserver_src *s)
{
	if (a->mode && strcmp(a->mode, "disable") && strcmp(a->mode, "health-only"))
		return usage_error("fix apiserver", "--mode is disable or health-only, not '%s'",
				   a->mode);
	s->mode =
	    a->mode && !strcmp(a->mode, "health-only") ? FIX_API_HEALTH_ONLY : FIX_API_DISABLE;
	if (a->join && s->mode != FIX_API_HEALTH_ONLY)
		return usage_error("fix apiserver", "--allow-join-discovery goes with --mode "
						    "health-only");
	s->allow_join_discovery = a->join;
	if (a->version) {
		s->user_minor = apiserver_parse_minor(a->version);
		if (s->user_minor < 0)
			return usage_error("fix apiserver", "--k8s-version needs 1.N, not '%s'",
					   a->version);
	}
	if (!a->root && !a->manifest)
		return usage_error("fix apiserver", "give --manifest FILE or --root DIR");
	s->manifest = a->manifest;
	if (!a->root)
		return 0;
	if (!file_is_dir(a->root))
		return cli_error("cannot read '%s': not a directory (--root)", a->root);
	a->root_files = provider_root_create(NULL, a->root);
	/* without its descriptor the plan would take the paths as local */
	if (a->root_files->rootfd < 0)
		return cli_error("cannot open '%s' (--root)", a->root);
	s->root = a->root_files;
	if (!s->manifest) {
		struct result res;
		int r;

		result_init(&res);
		r = node_find_apiserver(a->root_files, &a->layout, &res);
		result_release(&res);
		if (r > 0 && !a->layout.manifest) {
			/* k3s: the API server runs in-process, its flags come
			 * from config.yaml's kube-apiserver-arg */
			s->from_layout = true;
			s->layout_kind = a->layout.kind;
			return 0;
		}
		if (r <= 0 || !a->layout.manifest)
			return cli_error("no kube-apiserver static pod manifest found below '%s': "
					 "give --manifest",
					 a->root);
		s->manifest = a->layout.manifest;
		s->layout_kind = a->layout.kind;
	}
	return 0;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct fix_api_args *a = ctx;
	struct fix_apiserver_src s = {0};
	struct fix_plan plan;
	struct strbuf notes = STRBUF_INIT;
	struct result before, after;
	struct err e = {0};
	bool wrote = false;
	int ret;

	if (fix_text_only("fix apiserver", co))
		return 2;

	(void)operands, (void)n, (void)res;
	if ((ret = setup(a, &s)))
		return ret;
	fix_plan_init(&plan, s.root ? s.root->rootfd : -1, a->fo.follow_symlinks);
	result_init(&before);
	result_init(&after);
	if (fix_apiserver_plan(&s, &plan, &notes, &e) < 0) {
		ret = fix_refuse("the kube-apiserver", &e);
		goto out;
	}
	judge(&s, s.root ? s.root : provider_fs(), &before);
	ret = fix_finish(&plan, &a->fo, co, notes.buf, &wrote);
	if (wrote) {
		judge(&s, s.root ? s.root : provider_fs(), &after);
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
	struct fix_api_args *a = ctx;

	node_layout_init(&a->layout);
}

static void release(void *ctx)
{
	struct fix_api_args *a = ctx;

	node_layout_release(&a->layout);
	provider_destroy(a->root_files);
}

static const struct cli_cmd cmd = {
    .name = "fix apiserver",
    .help = help,
    .opts = opts,
    .run = run,
    .ctx_size = sizeof(struct fix_api_args),
    .init = init,
    .release = release,
};

int cmd_fix_apiserver(int argc, char **argv)
{
	return cli_main(&cmd, argc, argv);
}
