#ifndef KANON_FIX_OVERLAY_H
#define KANON_FIX_OVERLAY_H

#include "sources/provider.h"

struct fix_plan;

/* A provider showing under's files as the plan would leave them (both
 * borrowed; the plan may change while it lives). */
struct provider *fix_overlay_create(const struct provider *under, const struct fix_plan *plan);
void fix_overlay_destroy(struct provider *p);

#endif
