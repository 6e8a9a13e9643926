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

int scan_kubelet(const char *partdir, struct result *res);

#endif
