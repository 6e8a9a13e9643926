#ifndef KANON_SCAN_NODE_H
#define KANON_SCAN_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "model/node.h"
#include "parsers/cmdline.h"
#include "sources/file.h"

struct provider;

/*
 * The components of one node, as `kanon scan` (no snapshot) and `kanon
 * collect` find them: the running kubelets and kube-apiservers in /proc
 * (their files through /proc/PID/root), or those a node's files would
 * start (--root DIR, model/node.h).
 */
enum node_program { NODE_KUBELET, NODE_APISERVER };

struct node_comp {
	enum node_program program;
	long pid;		      /* the process, or 0 (--root) */
	struct provider *proc;	      /* /proc/PID (owned), or NULL */
	const struct provider *files; /* where the paths it names are read */
	struct argv_list argv;	      /* /proc/PID/cmdline */
	struct node_layout layout;    /* --root: what the node's files give */
	/* The command line to audit: &argv, &layout.argv, or the static
	 * pod's (below); NULL when unknown (layout.unknown says why). */
	const struct argv_list *cmd;
	struct argv_list pod_argv; /* the manifest's kube-apiserver command */
	char *target;		   /* "kubelet pid 12", "apiserver/pid-40" */
};

struct node_scan {
	struct provider *root; /* --root DIR (owned), or NULL: this node */
	const char *root_dir;
	struct node_comp *c;
	size_t n, alloc;
};

void node_comp_init(struct node_comp *c, enum node_program p);
void node_comp_release(struct node_comp *c);
/*
 * The component c->program as the node tree root configures it
 * (node_find_kubelet/node_find_apiserver); target names it (NULL: from
 * the layout). Returns node_find_*()'s 1, 0 or -1.
 */
int node_comp_find(struct node_comp *c, const struct provider *root, const char *target,
		   struct result *res);
/* Run c's check (kubelet or kube-apiserver) into res. */
void node_comp_check(const struct node_comp *c, struct result *res);

void node_scan_init(struct node_scan *s);
void node_scan_release(struct node_scan *s);

/*
 * Find the components: in /proc when root_dir is NULL, else in the node
 * tree root_dir. Returns how many, or -1 with an error printed (root_dir
 * is not a directory, a finder failed).
 */
int node_scan_find(struct node_scan *s, const char *root_dir, struct result *res);

/* "kubelet" or "kube-apiserver" */
const char *node_program_name(enum node_program p);

/* The last value of --name in argv ("--name=v" or "--name v"), or NULL. */
const char *node_argv_flag(const struct argv_list *argv, const char *name);

/*
 * The audit log files of an API server writing to `path` (its
 * --audit-log-path, a node path read through files): path itself and its
 * lumberjack backups NAME-<timestamp>EXT, gzipped or not, oldest first.
 * Returns how many (0: none there). A directory of more than AUDIT_DIR_MAX
 * entries is read that far, with a warning into res (NULL: none).
 */
size_t node_audit_files(const struct provider *files, const char *path, struct path_list *out,
			struct result *res);

/*
 * Run every check that applies to what node_scan_find() found, into one
 * report: each kubelet and kube-apiserver, their audit logs, and a
 * warning that RBAC (objects in the cluster, not on a node) is skipped.
 */
void node_scan_run(const struct node_scan *s, struct result *res);

#endif
