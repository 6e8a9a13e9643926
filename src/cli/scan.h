#ifndef KANON_SCAN_H
#define KANON_SCAN_H

#include <stdbool.h>

#include "core/finding.h"
#include "sources/file.h"

struct provider;

typedef void scan_one_fn(const struct provider *snap, const char *dir, const char *name,
			 struct result *res);

/*
 * One part of a snapshot directory (docs/snapshot.md): `dir` below the
 * snapshot root, and how it is read through the snapshot's provider and
 * checked: run() for the whole part, or one() for each subdirectory (a
 * node, an API server).
 */
struct scan_part {
	const char *dir;
	int (*run)(const struct provider *snap, const char *part, struct result *res);
	scan_one_fn *one;
};

/*
 * Call one() for every subdirectory of part that holds files (one per
 * node or API server), in name order, with its path in the snapshot
 * ("kubelet/node1") and its name. Returns how many.
 */
int scan_each_subdir(const struct provider *snap, const char *part, struct result *res,
		     scan_one_fn *one);

/* Warn about files of a snapshot directory that were not read. */
void scan_warn_skipped(const struct provider *snap, const char *dir,
		       const struct path_list *skipped, struct result *res);

/* A file of the snapshot: "dir/name", relative to it. Caller frees. */
char *scan_file(const char *dir, const char *name);

struct argv_list;
/*
 * A snapshot's cmdline file (NUL-separated as /proc/PID/cmdline, or one
 * line as ps or a user prints it) as the command line of `program`,
 * started at the program's word as kanon's --cmdline is (a pasted `ps -ef`
 * line, `hyperkube kubelet ...`). Returns 0, or -1 with *why (caller
 * frees) when it cannot be read, is empty or is another program's.
 */
int scan_read_cmdline(const struct provider *snap, const char *path, const char *program,
		      struct argv_list *argv, char **why);

/* kubelet/<node>/ and apiserver/<name>/ */
scan_one_fn scan_kubelet_node;
scan_one_fn scan_apiserver_one;
int scan_audit(const struct provider *snap, const char *part, struct result *res);
/* rbac/ must run after apiserver/: it reads the anonymous-auth verdicts. */
int scan_rbac(const struct provider *snap, const char *part, struct result *res);

/* --probe URL: probe the API server at url (checks/probe.h) into res.
 * Returns 0, or an exit code after a usage error. */
int scan_probe(const char *url, const char *cacert, bool insecure, struct result *res);
/* The same, with a kubeconfig's tls-server-name (NULL: none). */
int scan_probe_tls(const char *url, const char *cacert, bool insecure, const char *server_name,
		   struct result *res);

#endif
