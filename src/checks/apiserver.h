#ifndef KANON_CHECK_APISERVER_H
#define KANON_CHECK_APISERVER_H

#include "model/apiserver_config.h"
#include "core/finding.h"
#include "core/rule.h"

extern const struct check check_apiserver;

/*
 * Turn an effective kube-apiserver model into findings for `target`.
 * `context` (may be NULL) is extra evidence every finding carries, e.g.
 * which container of a Pod is the API server.
 */
void apiserver_check(const struct apiserver_model *m, const char *target,
		     const struct evidence *context, size_t ncontext,
		     struct result *res);

/* All three rules UNKNOWN for `target` (the input could not be read). */
void apiserver_check_unknown(const char *target, const char *reason,
			     struct result *res);

struct apiserver_pod;
struct strbuf;

/*
 * The Kubernetes minor version for `in`: user_minor (> 0) when given (read
 * from user_file, or NULL for kanon's --k8s-version), else
 * the Pod's image tag (clamped to the modelled range, with a warning), else
 * APISERVER_MINOR_DEFAULT. src receives the description in->version_source
 * points to.
 */
void apiserver_pick_version(struct apiserver_input *in, int user_minor,
			    const char *user_file, const struct apiserver_pod *p, const char *file,
			    struct strbuf *src, struct result *res);

/* Evidence naming the Pod's kube-apiserver container; release it after. */
void apiserver_pod_context(const struct apiserver_pod *p, const char *file,
			   struct evidence *ev);
void apiserver_context_release(struct evidence *ev);
/* Diagnose $(VAR) references of the Pod that kanon could not expand. */
void apiserver_pod_warn(const struct apiserver_pod *p, struct result *res);

/* Load the model for `in` and add the findings for `target`. */
void apiserver_run(struct apiserver_input *in, const char *target,
		   const struct evidence *ctx, size_t nctx, struct result *res);

#endif
