#ifndef KANON_SCAN_H
#define KANON_SCAN_H

#include "core/finding.h"

/*
 * One part of a snapshot directory (docs/snapshot.md): `dir` below the
 * snapshot root, and the function that audits it. run() returns the number
 * of targets it audited.
 */
struct scan_part {
	const char *dir;
	int (*run)(const char *partdir, struct result *res);
};

/*
 * Call one() for every subdirectory of partdir that holds files (one per
 * node or API server), in name order. Returns how many.
 */
int scan_each_subdir(const char *partdir, struct result *res,
		     void (*one)(const char *dir, const char *name, struct result *res));

int scan_kubelet(const char *partdir, struct result *res);
int scan_apiserver(const char *partdir, struct result *res);
int scan_audit(const char *partdir, struct result *res);
/* rbac/ must run after apiserver/: it reads the anonymous-auth verdicts. */
int scan_rbac(const char *partdir, struct result *res);

#endif
