/* Every check of this build; the rule registry is the union of their rules. */
#include "core/rule.h"
#include "checks/kubelet.h"
#include "checks/apiserver.h"
#include "checks/audit.h"
#include "checks/rbac.h"
#include "core/util.h"

const struct check *const checks[] = {
	&check_kubelet,
	&check_apiserver,
	&check_audit,
	&check_rbac,
};
const size_t nchecks = ARRAY_SIZE(checks);
