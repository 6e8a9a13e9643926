#ifndef KANON_CHECK_KUBELET_H
#define KANON_CHECK_KUBELET_H

#include "model/kubelet_config.h"
#include "core/finding.h"
#include "core/rule.h"

extern const struct check check_kubelet;

/* Turn an effective kubelet configuration into findings for `target`. */
void kubelet_check(const struct kubelet_effective *ke, const char *target,
		   struct result *res);
/* The same, with remediation for the node layout the command line came
 * from (model/node.h; NULL: none). */
struct node_layout;
void kubelet_check_layout(const struct kubelet_effective *ke, const struct node_layout *l,
			  const char *target, struct result *res);

#endif
