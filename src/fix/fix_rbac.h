#ifndef KANON_FIX_RBAC_H
#define KANON_FIX_RBAC_H

#include <stdbool.h>

#include "core/err.h"
#include "core/strbuf.h"

/*
 * RoleBindings and ClusterRoleBindings that grant to anonymous requests:
 * subjects User system:anonymous or Group system:unauthenticated, as
 * rbac_subject_applies() (model/rbac_match.c) decides. For each binding
 * of buf (YAML or JSON, several documents, Lists):
 *  - cmds gets the kubectl command: `kubectl delete` when every subject
 *    is anonymous, else `kubectl patch --type=json` that tests each
 *    anonymous subject's kind and name, then removes them from the
 *    highest index down;
 *  - with yaml not NULL, *yaml gets buf with only those subject items
 *    removed (block style), every other byte unchanged.
 * Bindings the API server reconciles at every start (annotation
 * rbac.authorization.kubernetes.io/autoupdate: "true") are skipped, with
 * a note: a removed subject would come back.
 * Returns the number of bindings fixed, or -1 with *e set.
 */
int fix_rbac_file(const struct strbuf *buf, const char *name, struct strbuf *cmds,
		  struct strbuf *notes, struct strbuf *yaml, struct err *e);

/*
 * The same for bindings read from a live cluster (a List page as the API
 * server sent it): the comments and notes name each object with origin
 * ("live, context X") instead of a file and line; no --yaml.
 */
int fix_rbac_live(const struct strbuf *buf, const char *origin, struct strbuf *cmds,
		  struct strbuf *notes, struct err *e);

#endif
