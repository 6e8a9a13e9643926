#ifndef KANON_CHECK_CLUSTER_H
#define KANON_CHECK_CLUSTER_H

#include <stddef.h>

#include "core/rule.h"

/*
 * What `kanon cluster` could not read from the API (a list it may not
 * make, a node whose /configz failed): each is an UNKNOWN cluster-read
 * finding that names the request, the answer and the permission that
 * would allow it, so that no part of the cluster passes unseen.
 */
struct cluster_unreadable {
	const char *target;	/* "rbac/rolebindings", "node/n2", "apiserver" */
	const char *request;	/* "GET /apis/rbac.authorization.k8s.io/v1/rolebindings" */
	const char *why;	/* "403 Forbidden: rolebindings.rbac... is forbidden: ..." */
	const char *permission; /* "list rolebindings.rbac.authorization.k8s.io", or NULL */
};

struct cluster_input {
	const struct cluster_unreadable *u;
	size_t n;
	const char *source; /* the file they were read from, for evidence */
};

extern const struct check check_cluster;

#endif
