#ifndef KANON_FIX_KUBELET_H
#define KANON_FIX_KUBELET_H

#include "core/err.h"
#include "core/finding.h"
#include "core/strbuf.h"
#include "model/kubelet_config.h"
#include "model/node.h"

struct fix_plan;
struct provider;

/*
 * Where the kubelet's inputs come from, so that the plan can be judged by
 * loading them again through an overlay (fix_overlay.h): a node root
 * (its layout is found again each time), or a command line and files
 * named by the user (local paths).
 */
struct fix_kubelet_src {
	const struct provider *root;  /* --root, or NULL */
	const struct argv_list *argv; /* --cmdline, without origins; or NULL */
	const char *config, *config_dir;
};

/* One load of the kubelet's settings through provider p (the real files
 * or an overlay). init/release. */
struct fix_kubelet_load {
	struct node_layout layout;
	struct kubelet_input in;
	struct kubelet_effective ke;
	struct result res;
	bool loaded;
};

int fix_kubelet_load(const struct fix_kubelet_src *s, const struct provider *p,
		     struct fix_kubelet_load *l, struct err *e);
void fix_kubelet_load_release(struct fix_kubelet_load *l);

/*
 * Plan the edits that make the four settings safe (anonymous off,
 * webhook authentication on, Webhook authorization, read-only port 0)
 * where their effective values come from; notes gets what the user must
 * know (restart, client CA). The plan is verified by loading it again.
 * Returns 0, or -1 with *e saying why it cannot be done safely.
 */
int fix_kubelet_plan(const struct fix_kubelet_src *s, struct fix_plan *plan, struct strbuf *notes,
		     struct err *e);

#endif
