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
		     const struct evidence *context, size_t ncontext, struct result *res);

/* All three rules UNKNOWN for `target` (the input could not be read). */
void apiserver_check_unknown(const char *target, const char *reason, struct result *res);

struct apiserver_pod;
struct strbuf;

/*
 * The Kubernetes minor version for `in`: user_minor (> 0) when given (read
 * from user_file, or NULL for kanon's --k8s-version), else
 * the Pod's image tag (clamped to the modelled range, with a warning), else
 * APISERVER_MINOR_DEFAULT. src receives the description in->version_source
 * points to.
 */
void apiserver_pick_version(struct apiserver_input *in, int user_minor, const char *user_file,
			    const struct apiserver_pod *p, const char *file, struct strbuf *src,
			    struct result *res);
/*
 * Use Kubernetes 1.minor, read as `what value` at file:line (evidence: "src_what
 * value", written to src); a minor kanon does not model is clamped, with a
 * warning.
 */
void apiserver_use_version(struct apiserver_input *in, int minor, const char *what,
			   const char *value, const char *src_what, const char *file, int line,
			   struct strbuf *src, struct result *res);

/* Evidence naming the Pod's kube-apiserver container; release it after. */
void apiserver_pod_context(const struct apiserver_pod *p, const char *file, struct evidence *ev);
void apiserver_context_release(struct evidence *ev);
/* Diagnose $(VAR) references of the Pod that kanon could not expand. */
void apiserver_pod_warn(const struct apiserver_pod *p, struct result *res);

/* The check's run function: input is a struct apiserver_input. */
void apiserver_run(const void *input, const char *target, struct result *res);

struct blob;

/* How apiserver_run_manifest() names targets and where the version is. */
struct apiserver_manifest_run {
	const char *display;	  /* the manifest, as shown in evidence */
	const char *target;	  /* the target when the manifest has one Pod */
	const char *prefix;	  /* with several: prefix/<pod name> */
	const char *unnamed;	  /* ... or prefix/<unnamed> without a name */
	int minor;		  /* > 0: the version given by the user */
	const char *version_file; /* where minor was read, or NULL */
	bool note_containers;	  /* note which container of a Pod is audited */
	bool explain;		  /* say what a kube-apiserver container is */
};

/*
 * Every Pod of manifest b with a kube-apiserver container is one target,
 * judged with base's node and files. Returns -1 with *e set (show it with
 * err_format()) when b is not a manifest or holds no such container.
 */
int apiserver_run_manifest(const struct blob *b, const struct apiserver_input *base,
			   const struct apiserver_manifest_run *r, struct result *res,
			   struct err *e);

#endif
