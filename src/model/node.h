#ifndef KANON_MODEL_NODE_H
#define KANON_MODEL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/finding.h"
#include "parsers/cmdline.h"

struct provider;

/*
 * A component as a node's files configure it, before (or without) a
 * running process: the command line its service manager would start, and
 * every file that went into it. `kanon kubelet --root DIR`, `kanon
 * apiserver --root DIR`, `kanon scan --root DIR` and `kanon collect` use
 * it. Each layout (systemd units with kubeadm/EKS files, k3s, RKE2, a
 * static pod manifest) is one file, node_<layout>.c, with one finder
 * listed in node.c.
 */

/* What a file was to the assembly (the role names are in the JSON). */
extern const char NODE_UNIT[];	    /* a systemd unit */
extern const char NODE_DROPIN[];    /* a systemd drop-in (*.service.d/X.conf) */
extern const char NODE_ENVFILE[];   /* an EnvironmentFile= */
extern const char NODE_CONFIG[];    /* a distribution config (k3s config.yaml) */
extern const char NODE_MANIFEST[];  /* a static pod manifest */
extern const char NODE_COMPONENT[]; /* a file the component itself reads */

struct node_file {
	const char *role; /* one of NODE_* */
	char *path;	  /* as the node names it (absolute) */
	bool present;	  /* false: looked for and missing (or unreadable) */
	bool masked;	  /* a same-named file in a higher-priority dir won */
	char *note;	  /* why it is missing/masked/ignored, or NULL */
};

struct node_layout {
	/* "kubeadm", "eks-al2", "eks-al2023", "systemd", "k3s", "rke2",
	 * "static-pod": static strings */
	const char *kind;
	/* The file that defines the component: the unit, config.yaml, the
	 * manifest. */
	char *where;
	/* The assembled command line (argv[0] the program), each word with
	 * its origin (file:line, and the variable it came through). */
	struct argv_list argv;
	/* For a static pod: the manifest to read instead of argv. */
	char *manifest;
	/* Why the command line cannot be known (a required EnvironmentFile
	 * is missing: systemd would not start the unit), or NULL. */
	char *unknown;
	/* Where a user changes a setting on this layout, for remediation:
	 * one sentence, e.g. "kubeadm: set it in /var/lib/kubelet/config.yaml
	 * (the --config file); ..." (static string, may be NULL) */
	const char *fix;
	/* Every file read or looked for, in the order used. */
	struct node_file *files;
	size_t nfiles, afiles;
};

void node_layout_init(struct node_layout *l);
void node_layout_release(struct node_layout *l);
/* Record a file (path/note copied). Returns it. */
struct node_file *node_layout_file(struct node_layout *l, const char *role, const char *path,
				   bool present, const char *note);

/*
 * Find how root configures the kubelet / the kube-apiserver. Returns 1 and
 * fills out when a layout is found, 0 when root has none (out untouched
 * apart from init), -1 on an error that stops the search (reported in
 * res). Problems in files (a line that does not parse, an unreadable
 * drop-in) are diagnostics in res; a command line that cannot be known
 * is out->unknown.
 */
int node_find_kubelet(const struct provider *root, struct node_layout *out, struct result *res);
int node_find_apiserver(const struct provider *root, struct node_layout *out, struct result *res);

/* The finders, one per layout file, tried in node.c's order; same contract. */
int node_rancher_kubelet(const struct provider *root, struct node_layout *out,
			 struct result *res); /* node_rancher.c: k3s, RKE2 */
int node_rancher_apiserver(const struct provider *root, struct node_layout *out,
			   struct result *res);
int node_systemd_kubelet(const struct provider *root, struct node_layout *out,
			 struct result *res); /* node_systemd.c: kubeadm, EKS, any unit */
int node_static_pod_apiserver(const struct provider *root, struct node_layout *out,
			      struct result *res); /* node_static_pod.c */

#endif
