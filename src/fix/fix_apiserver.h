#ifndef KANON_FIX_APISERVER_H
#define KANON_FIX_APISERVER_H

#include <stdbool.h>

#include "core/err.h"
#include "core/finding.h"
#include "core/strbuf.h"
#include "model/apiserver_config.h"
#include "model/apiserver_manifest.h"
#include "model/node.h"
#include "sources/provider.h"

struct fix_plan;
struct provider;

enum fix_api_mode {
	FIX_API_DISABLE,     /* anonymous off */
	FIX_API_HEALTH_ONLY, /* anonymous only on /livez, /readyz, /healthz */
};

struct fix_apiserver_src {
	const struct provider *root; /* --root, or NULL: local paths */
	const char *manifest;	     /* the static pod manifest */
	int user_minor;		     /* --version, or 0: the image tag */
	enum fix_api_mode mode;
	bool allow_join_discovery;
	/* the node layout the manifest was found in ("rke2", ...), or NULL */
	const char *layout_kind;
	/* no manifest: the command line k3s (or RKE2 without its generated
	 * manifest) assembles from config.yaml's kube-apiserver-arg, found
	 * again in the root on each load */
	bool from_layout;
};

/* One load of the manifest and the model through provider p. */
struct fix_api_load {
	struct blob b;
	struct apiserver_pods pods;
	struct apiserver_input in;
	struct apiserver_model m;
	struct strbuf vsrc;
	struct evidence ctx;
	struct result res;
	struct node_layout layout; /* from_layout */
	const char *file;	   /* the manifest's name, or NULL */
	bool loaded;
};

int fix_api_load(const struct fix_apiserver_src *s, const struct provider *p,
		 struct fix_api_load *l, struct err *e);
void fix_api_load_release(struct fix_api_load *l);

/* Plan the edits of mode (docs/fix.md); notes gets the warnings. */
int fix_apiserver_plan(const struct fix_apiserver_src *s, struct fix_plan *plan,
		       struct strbuf *notes, struct err *e);

#endif
