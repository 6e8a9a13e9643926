#include "model/node.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

const char NODE_UNIT[] = "unit";
const char NODE_DROPIN[] = "drop-in";
const char NODE_ENVFILE[] = "env-file";
const char NODE_CONFIG[] = "config";
const char NODE_MANIFEST[] = "manifest";
const char NODE_COMPONENT[] = "component";

void node_layout_init(struct node_layout *l)
{
	memset(l, 0, sizeof(*l));
	argv_init(&l->argv);
}

void node_layout_release(struct node_layout *l)
{
	for (size_t i = 0; i < l->nfiles; i++) {
		free(l->files[i].path);
		free(l->files[i].note);
	}
	free(l->files);
	free(l->where);
	free(l->manifest);
	free(l->unknown);
	argv_release(&l->argv);
	node_layout_init(l);
}

struct node_file *node_layout_file(struct node_layout *l, const char *role, const char *path,
				   bool present, const char *note)
{
	struct node_file *f;

	ALLOC_GROW(l->files, l->nfiles + 1, l->afiles);
	f = &l->files[l->nfiles++];
	memset(f, 0, sizeof(*f));
	f->role = role;
	f->path = xstrdup(path);
	f->present = present;
	f->note = note ? xstrdup(note) : NULL;
	return f;
}

typedef int (*node_finder)(const struct provider *, struct node_layout *, struct result *);

/* The first layout that claims the component wins. */
static int find_first(const node_finder *f, size_t n, const struct provider *root,
		      struct node_layout *out, struct result *res)
{
	for (size_t i = 0; i < n; i++) {
		int r = f[i](root, out, res);

		if (r)
			return r;
		node_layout_release(out);
	}
	return 0;
}

int node_find_kubelet(const struct provider *root, struct node_layout *out, struct result *res)
{
	static const node_finder finders[] = {node_systemd_kubelet, node_rancher_kubelet};

	node_layout_init(out);
	return find_first(finders, ARRAY_SIZE(finders), root, out, res);
}

int node_find_apiserver(const struct provider *root, struct node_layout *out, struct result *res)
{
	static const node_finder finders[] = {node_static_pod_apiserver, node_rancher_apiserver};

	node_layout_init(out);
	return find_first(finders, ARRAY_SIZE(finders), root, out, res);
}
