/*
 * Shared by `kanon apiserver` and the apiserver/ part of `kanon scan`: pick
 * the Kubernetes version, run the model and the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "model/apiserver_manifest.h"
#include "model/node.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

void apiserver_pod_warn(const struct apiserver_pod *p, struct result *res)
{
	if (p->warning)
		result_diag(res, DIAG_WARNING, "%s", p->warning);
	if (p->unresolved)
		result_diag(res, DIAG_WARNING,
			    "%s: kanon cannot expand this (an env var "
			    "set with valueFrom, which the kubelet resolves, or one that is "
			    "not defined, which it leaves as written)",
			    p->unresolved);
}

/* Evidence naming the container of a multi-container Pod. */
void apiserver_pod_context(const struct apiserver_pod *p, const char *file, struct evidence *ev)
{
	struct strbuf key = STRBUF_INIT, note = STRBUF_INIT;

	memset(ev, 0, sizeof(*ev));
	strbuf_addf(&key, "spec.containers[%zu].name", p->index);
	strbuf_addf(&note, "the kube-apiserver container (%s), one of %zu", p->why, p->ncontainers);
	ev->kind = SRC_FILE;
	ev->path = xstrdup(file);
	ev->line = p->container_line;
	ev->key = strbuf_detach(&key);
	ev->value = xstrdup(p->container ? p->container : "");
	ev->note = strbuf_detach(&note);
}

void apiserver_context_release(struct evidence *ev)
{
	free(ev->path);
	free(ev->key);
	free(ev->value);
	free(ev->note);
}

/*
 * The Kubernetes version: --k8s-version, else the image tag, else the
 * default. A tag outside the modelled range is clamped with a warning.
 */
void apiserver_pick_version(struct apiserver_input *in, int user_minor, const char *user_file,
			    const struct apiserver_pod *p, const char *file, struct strbuf *src,
			    struct result *res)
{
	int tm = p ? apiserver_image_minor(p->image) : -1;

	in->minor = APISERVER_MINOR_DEFAULT;
	if (user_minor > 0) {
		in->minor = user_minor;
		strbuf_addf(src, "%s 1.%d",
			    user_file ? "the snapshot's k8s-version file" : "--k8s-version",
			    user_minor);
		in->version_source = src->buf;
		in->version_path = user_file;
		in->version_line = user_file ? 1 : 0;
		return;
	}
	if (tm < 0)
		return;
	apiserver_use_version(in, tm, "image", p->image, "the image tag", file, p->image_line, src,
			      res);
}

void apiserver_use_version(struct apiserver_input *in, int minor, const char *what,
			   const char *value, const char *src_what, const char *file, int line,
			   struct strbuf *src, struct result *res)
{
	if (minor < APISERVER_MINOR_MIN || minor > APISERVER_MINOR_MAX) {
		int clamp = minor < APISERVER_MINOR_MIN ? APISERVER_MINOR_MIN : APISERVER_MINOR_MAX;
		result_diag(res, DIAG_WARNING,
			    "%s:%d: %s %s is Kubernetes 1.%d; kanon models 1.%d to 1.%d and uses "
			    "1.%d",
			    file, line, what, value, minor, APISERVER_MINOR_MIN,
			    APISERVER_MINOR_MAX, clamp);
		minor = clamp;
	}
	in->minor = minor;
	strbuf_addf(src, "%s %s", src_what, value);
	in->version_source = src->buf;
	in->version_path = file;
	in->version_line = line;
}

/*
 * How settings are changed on the node layout kanon found (model/node.h:
 * fix), after each finding's advice, in the words the kubelet rules use, so
 * that the advice works on this node.
 */
static void add_layout(struct result *res, size_t from, const struct node_layout *l)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = from; l && l->kind && i < res->n; i++) {
		struct finding *f = &res->f[i];
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%skanon found the %s layout",
			    f->remediation ? f->remediation : "", f->remediation ? " " : "",
			    l->kind);
		if (l->where)
			strbuf_addf(&sb, " (%s)", l->where);
		strbuf_addch(&sb, l->fix ? ':' : '.');
		if (l->fix)
			strbuf_addf(&sb, " %s.", l->fix);
		free(f->remediation);
		f->remediation = xstrdup(sb.buf);
	}
	strbuf_release(&sb);
}

/* The check's run function. input: a struct apiserver_input */
void apiserver_run(const void *input, const char *target, struct result *res)
{
	const struct apiserver_input *in = input;
	struct apiserver_model m;
	size_t from = res->n;

	/*
	 * A file that cannot be read leaves what it decides unknown (the
	 * model says why) and sets res->input_error, possibly already set by
	 * another part of a scan: the rest is still judged.
	 */
	apiserver_model_load(in, &m, res);
	apiserver_check(&m, target, in->context, in->ncontext, res);
	add_layout(res, from, in->layout);
	apiserver_model_release(&m);
}

static void run_pod(const struct apiserver_pod *p, const struct apiserver_input *base,
		    const struct apiserver_manifest_run *r, size_t npods, struct result *res)
{
	struct apiserver_input in = *base;
	struct strbuf target = STRBUF_INIT, vsrc = STRBUF_INIT;
	struct evidence ctx;

	if (npods == 1)
		strbuf_addstr(&target, r->target);
	else
		strbuf_addf(&target, "%s/%s", r->prefix, p->pod_name ? p->pod_name : r->unnamed);
	in.argv = &p->argv;
	in.argv_lines = p->lines;
	in.opaque = &p->opaque;
	if (p->no_cmdline) {
		in.argv = NULL;
		in.no_argv_reason = p->no_cmdline;
	}
	in.argv_file = r->display;
	apiserver_pick_version(&in, r->minor, r->minor > 0 ? r->version_file : NULL, p, r->display,
			       &vsrc, res);
	apiserver_pod_warn(p, res);
	apiserver_pod_context(p, r->display, &ctx);
	in.context = &ctx;
	in.ncontext = p->ncontainers > 1;
	if (in.ncontext && r->note_containers)
		result_diag(res, DIAG_NOTE,
			    "%s:%d: the Pod has %zu containers; "
			    "auditing spec.containers[%zu] (%s): %s",
			    r->display, p->container_line, p->ncontainers, p->index,
			    p->container ? p->container : "unnamed", p->why);
	check_run(&check_apiserver, &in, target.buf, res);
	apiserver_context_release(&ctx);
	strbuf_release(&target);
	strbuf_release(&vsrc);
}

int apiserver_run_manifest(const struct blob *b, const struct apiserver_input *base,
			   const struct apiserver_manifest_run *r, struct result *res,
			   struct err *e)
{
	struct apiserver_pods pods;
	int ret = 0;

	memset(&pods, 0, sizeof(pods));
	if (apiserver_manifest_parse(b->data, b->len, r->display, &pods, e) < 0) {
		ret = -1;
		goto out;
	}
	if (!pods.n) {
		err_set(e, NULL, 0, "%s: no kube-apiserver container%s%s%s", r->display,
			r->explain ? " (a container whose command or args run kube-apiserver, "
				     "named kube-apiserver, or with a kube-apiserver image)"
				   : "",
			pods.skipped ? " in " : "", pods.skipped ? pods.skipped : "");
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < pods.n; i++)
		run_pod(&pods.v[i], base, r, pods.n, res);
out:
	apiserver_pods_release(&pods);
	return ret;
}
