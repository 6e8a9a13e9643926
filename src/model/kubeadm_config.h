#ifndef KANON_KUBEADM_CONFIG_H
#define KANON_KUBEADM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/finding.h"
#include "parsers/cmdline.h"

/*
 * The kube-apiserver command line that kubeadm writes into
 * /etc/kubernetes/manifests/kube-apiserver.yaml from its config file
 * (`kubeadm init --config FILE`: InitConfiguration, ClusterConfiguration
 * and component configs, `---`-separated), so that a GitOps repository or
 * an Ansible role can be checked before `kubeadm init` runs:
 *  - cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand:
 *    kubeadm's default flags (--authorization-mode=Node,RBAC unless
 *    apiServer.extraArgs names authorization-config; never --anonymous-auth);
 *  - cmd/kubeadm/app/util/arguments.go ArgumentsToCommand: an extraArgs
 *    name replaces every default of that name, then all flags are sorted by
 *    name and, for a repeated name (v1beta4 lists allow it), by value;
 *  - cmd/kubeadm/app/util/config/initconfiguration.go
 *    documentMapToInitConfiguration and common.go validateSupportedVersion:
 *    what kubeadm refuses (old API versions, values of the wrong type) and
 *    what it only warns about (unknown fields: strict decoding errors are
 *    warnings for `kubeadm init`).
 */
struct kubeadm_apiserver {
	/* kube-apiserver and its flags; every word has its origin (the
	 * extraArgs entry's file:line, or a note naming kubeadm's default) */
	struct argv_list argv;
	/* the ClusterConfiguration's apiVersion, or NULL (none: defaults) */
	char *api_version;
	int cluster_line; /* its document's `kind` line, or 0 */
	/* kubernetesVersion as written, and its line; NULL when not set */
	char *k8s_version;
	int k8s_version_line;
};

void kubeadm_apiserver_init(struct kubeadm_apiserver *k);
void kubeadm_apiserver_release(struct kubeadm_apiserver *k);

/*
 * If buf (YAML or JSON, possibly several documents) is a kubeadm config (a
 * document with apiVersion kubeadm.k8s.io/...), fill out and return 1;
 * return 0 when it is not one. Returns -1 with *e naming file:line when
 * the file cannot be parsed or kubeadm would refuse it. What kubeadm only
 * warns about goes to res.
 */
int kubeadm_apiserver_parse(const char *buf, size_t len, const char *display,
			    struct kubeadm_apiserver *out, struct result *res, struct err *e);

/*
 * The Kubernetes minor version kubeadm deploys for kubernetesVersion v: "v1.31.2", "1.31",
 * "stable-1.31" (a label for the newest 1.31 release); -1 when only kubeadm
 * can resolve it at `kubeadm init` time ("stable", "latest", "ci/...").
 */
int kubeadm_version_minor(const char *v);

#endif
