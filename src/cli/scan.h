#ifndef KANON_SCAN_H
#define KANON_SCAN_H

#include "core/finding.h"
#include "sources/file.h"

struct provider;

/*
 * One part of a snapshot directory (docs/snapshot.md): `dir` below the
 * snapshot root, and the function that reads it through the snapshot's
 * provider and runs the check on what it finds. run() returns the number
 * of targets it audited.
 */
struct scan_part {
	const char *dir;
	int (*run)(const struct provider *snap, const char *part, struct result *res);
};

/*
 * Call one() for every subdirectory of part that holds files (one per
 * node or API server), in name order, with its path in the snapshot
 * ("kubelet/node1") and its name. Returns how many.
 */
int scan_each_subdir(const struct provider *snap, const char *part, struct result *res,
		     void (*one)(const struct provider *snap, const char *dir, const char *name,
				 struct result *res));

/* Warn about files of a snapshot directory that were not read. */
void scan_warn_skipped(const struct provider *snap, const char *dir,
		       const struct path_list *skipped, struct result *res);

/* A file of the snapshot: "dir/name", relative to it. Caller frees. */
char *scan_file(const char *dir, const char *name);

int scan_kubelet(const struct provider *snap, const char *part, struct result *res);
int scan_apiserver(const struct provider *snap, const char *part, struct result *res);
int scan_audit(const struct provider *snap, const char *part, struct result *res);
/* rbac/ must run after apiserver/: it reads the anonymous-auth verdicts. */
int scan_rbac(const struct provider *snap, const char *part, struct result *res);

#endif
