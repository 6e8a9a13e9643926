#ifndef KANON_BASELINE_H
#define KANON_BASELINE_H

#include "core/finding.h"

/*
 * --baseline FILE: compare res with an earlier JSON report of kanon (its
 * findings' "fingerprint", docs/formats.md "The finding identity"; reports
 * without one get it computed from rule and target). Only the findings
 * that are not PASS count. res keeps the new ones (not in the baseline,
 * or PASS there) and gains a "baseline" section with the counts and the
 * fixed ones (in the baseline, PASS or absent now); the verdict is left
 * out, since the report is a difference. Returns 0, or 2 with an error
 * shown when the file cannot be read or is no kanon report.
 */
int baseline_apply(const char *path, struct result *res);

#endif
