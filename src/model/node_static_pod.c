#include "model/node.h"

#include "core/banned.h"

/* TODO(issue 9): /etc/kubernetes/manifests/kube-apiserver.yaml and kin. */
int node_static_pod_apiserver(const struct provider *root, struct node_layout *out,
			      struct result *res)
{
	(void)root, (void)out, (void)res;
	return 0;
}
