#include "model/node.h"

#include "core/banned.h"

/* TODO(issue 9): k3s and RKE2 config.yaml. */
int node_rancher_kubelet(const struct provider *root, struct node_layout *out, struct result *res)
{
	(void)root, (void)out, (void)res;
	return 0;
}

int node_rancher_apiserver(const struct provider *root, struct node_layout *out, struct result *res)
{
	(void)root, (void)out, (void)res;
	return 0;
}
