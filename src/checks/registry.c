/* Every check of this build; the rule registry is the union of their rules. */
#include "core/rule.h"
#include "checks/kubelet.h"
#include "checks/apiserver.h"
#include "checks/audit.h"
#include "checks/rbac.h"
#include "checks/probe.h"
#include "checks/cluster.h"
#include "core/util.h"

const struct check *const checks[] = {
    &check_kubelet, &check_apiserver, &check_audit, &check_rbac, &check_probe, &check_cluster,
};
const size_t nchecks = ARRAY_SIZE(checks);

/* The audit check's run function (audit_run keeps its own signature). */
void audit_check_run(const void *input, const char *target, struct result *res)
{
	const struct audit_input *in = input;

	(void)target;
	audit_run_from(in->src, in->paths, in->files, in->nfiles, in->opts, res);
}
