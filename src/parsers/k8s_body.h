#ifndef KANON_K8S_BODY_H
#define KANON_K8S_BODY_H

/*
 * What kanon reads of a Kubernetes API response body: the type (kind,
 * apiVersion), a Status object's fields (reason, message, code,
 * details.kind) and, for a List, how many items it holds; never the items
 * themselves (each is parsed, counted and freed, so memory holds one at a
 * time). Strings are cut at K8S_BODY_MAX_STR bytes.
 */

#include <stdbool.h>
#include <stddef.h>

#define K8S_BODY_MAX_STR 1024

struct k8s_body {
	bool object; /* the body is a JSON object */
	char *kind, *api_version;
	/* kind Status (k8s.io/apimachinery/pkg/apis/meta/v1 types.go: Status) */
	char *status, *reason, *message, *details_kind;
	long long code; /* 0 when absent */
	/* a List: its "items" array, counted */
	bool has_items;
	size_t items;
	bool complete; /* the whole body parsed (else items is a lower bound) */
};

void k8s_body_init(struct k8s_body *b);
void k8s_body_release(struct k8s_body *b);

/*
 * Parse the len bytes at buf. Returns 0 when they began a JSON object
 * (b->complete tells whether all of it parsed: a body cut at a size cap
 * still gives its first fields and items), -1 when they are not JSON.
 */
int k8s_body_parse(const char *buf, size_t len, struct k8s_body *b);

/*
 * The user a 403 names: kube-apiserver's Status message `... User
 * "system:anonymous" cannot list ...` (k8s.io/apiserver/pkg/endpoints/
 * handlers/responsewriters/errors.go: forbiddenMessage, Go %q), or the
 * kubelet's plain "Forbidden (user=system:anonymous, verb=get, ...)"
 * (pkg/kubelet/server/server.go: InstallAuthFilter). Caller frees; NULL
 * when there is none.
 */
char *k8s_forbidden_user(const char *msg, size_t len);

#endif
