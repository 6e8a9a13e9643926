#include "model/node.h"

#include "core/banned.h"

/* TODO(issue 9): systemd kubelet.service, drop-ins, env files. */
int node_systemd_kubelet(const struct provider *root, struct node_layout *out, struct result *res)
{
	(void)root, (void)out, (void)res;
	return 0;
}
