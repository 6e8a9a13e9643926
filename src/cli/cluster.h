#ifndef KANON_CLI_CLUSTER_H
#define KANON_CLI_CLUSTER_H

#include <stdbool.h>

#include "core/finding.h"

struct snapshot_writer;
struct kubeapi;

struct cluster_opts {
	const char *kubeconfig, *context;
	const char *save;	  /* --save DIR, or NULL */
	unsigned concurrency;	  /* 0: 32 */
	long timeout_ms;	  /* 0: 10 s */
	unsigned page_limit;	  /* 0: 500 */
	long metrics_interval_ms; /* 0: 5 s; <0: read /metrics once */
	bool no_probe;
	char **audit; /* --audit FILE...: put in the snapshot's audit/ */
	size_t naudit;
};

/* What a fetch read, for the report's "cluster" section. */
struct cluster_stats {
	char *version;
	size_t nodes, configz, rbac_objects, rbac_pages, restarts, apiserver_pods, unreadable;
	bool metrics[2];
	double m401[2], m403[2];
	double metrics_seconds;
	size_t requests;
	double seconds;
};

/*
 * Read the cluster through api into the snapshot w (docs/snapshot.md:
 * rbac/, kubelet/<node>/configz.json, apiserver/<pod>/, cluster/cluster.json).
 * Returns 0, or 2 with an error printed when the API server cannot be used
 * at all (unreachable, TLS, credentials refused).
 */
int cluster_fetch(struct kubeapi *api, struct snapshot_writer *w, const struct cluster_opts *o,
		  const char *context, struct cluster_stats *st, struct result *res);

/*
 * Only the ClusterRoleBindings and RoleBindings, into w's rbac/ (for
 * `kanon fix rbac --kubeconfig`). Returns 0, or 2 with an error printed
 * when the server cannot be used or a list cannot be read whole.
 */
int cluster_fetch_bindings(struct kubeapi *api, struct snapshot_writer *w,
			   const struct cluster_opts *o, struct cluster_stats *st,
			   struct result *res);

/*
 * Read the bindings of the cluster o names (kubeconfig, context) into a
 * private temporary snapshot, call fn with its directory and the context
 * name, then remove the directory. Returns fn's code, or an exit code.
 */
typedef int cluster_dir_fn(const char *dir, const char *context, void *ctx);
int cluster_with_bindings(const struct cluster_opts *o, cluster_dir_fn *fn, void *ctx,
			  struct result *res);

/* The whole of `kanon cluster` into res: 0, or an exit code. */
int cluster_run(const struct cluster_opts *o, struct result *res);

/* A snapshot directory scanned as `kanon scan DIR` does; display names it
 * in evidence. Returns CLI_REPORT or an exit code. */
int scan_snapshot(const char *dir, const char *display, struct result *res);

struct provider;
/* cluster/: cluster/cluster.json, what kanon cluster could not read. */
int scan_cluster(const struct provider *snap, const char *part, struct result *res);

#endif
