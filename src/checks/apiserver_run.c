/*
 * Shared by `kanon apiserver` and the apiserver/ part of `kanon scan`: pick
 * the Kubernetes version, run the model and the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "model/apiserver_manifest.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

void apiserver_pod_warn(const struct apiserver_pod *p, struct result *res)
{
	if (p->warning)
		result_diag(res, DIAG_WARNING, "%s", p->warning);
	if (p->unresolved)
		result_diag(res, DIAG_WARNING, "%s: kanon cannot expand this (an env var "
			    "set with valueFrom, which the kubelet resolves, or one that is "
			    "not defined, which it leaves as written)", p->unresolved);
}

/* Evidence naming the container of a multi-container Pod. */
void apiserver_pod_context(const struct apiserver_pod *p, const char *file,
			struct evidence *ev)
{
	struct strbuf key = STRBUF_INIT, note = STRBUF_INIT;

	memset(ev, 0, sizeof(*ev));
	strbuf_addf(&key, "spec.containers[%zu].name", p->index);
	strbuf_addf(&note, "the kube-apiserver container (%s), one of %zu", p->why,
		    p->ncontainers);
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
void apiserver_pick_version(struct apiserver_input *in, int user_minor,
			    const char *user_file, const struct apiserver_pod *p, const char *file,
			    struct strbuf *src, struct result *res)
{
	int tm = p ? apiserver_image_minor(p->image) : -1;

	in->minor = APISERVER_MINOR_DEFAULT;
	if (user_minor > 0) {
		in->minor = user_minor;
		strbuf_addf(src, "%s 1.%d", user_file ? "the snapshot's k8s-version file"
			    : "--k8s-version", user_minor);
		in->version_source = src->buf;
		in->version_path = user_file;
		in->version_line = user_file ? 1 : 0;
		return;
	}
	if (tm < 0)
		return;
	if (tm < APISERVER_MINOR_MIN || tm > APISERVER_MINOR_MAX) {
		int clamp = tm < APISERVER_MINOR_MIN ? APISERVER_MINOR_MIN
			    : APISERVER_MINOR_MAX;
		result_diag(res, DIAG_WARNING, "%s:%d: image %s is Kubernetes 1.%d; kanon "
			    "models 1.%d to 1.%d and uses 1.%d", file, p->image_line,
			    p->image, tm, APISERVER_MINOR_MIN, APISERVER_MINOR_MAX, clamp);
		tm = clamp;
	}
	in->minor = tm;
	strbuf_addf(src, "the image tag %s", p->image);
	in->version_source = src->buf;
	in->version_path = file;
	in->version_line = p->image_line;
}

void apiserver_run(struct apiserver_input *in, const char *target,
		   const struct evidence *ctx, size_t nctx, struct result *res)
{
	struct apiserver_model m;

	/*
	 * A file that cannot be read leaves what it decides unknown (the
	 * model says why) and sets res->input_error, possibly already set by
	 * another part of a scan: the rest is still judged.
	 */
	apiserver_model_load(in, &m, res);
	apiserver_check(&m, target, ctx, nctx, res);
	apiserver_model_release(&m);
}

