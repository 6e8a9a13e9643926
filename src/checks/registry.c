/* Every check of this build; the rule registry is the union of their rules. */
#include "core/rule.h"
#include "checks/kubelet.h"
#include "core/util.h"

const struct check *const checks[] = {
	&check_kubelet,
};
const size_t nchecks = ARRAY_SIZE(checks);
