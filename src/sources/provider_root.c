/*
 * A directory that stands for a node's "/": a copy of its filesystem
 * (--root DIR), or apiserver/<name>/root/ inside a snapshot. It is
 * opened once; every path is resolved inside it, so an absolute symlink
 * or `..` in a hostile copy cannot make kanon read this machine's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

static int root_open(const struct provider *p, const char *path, int flags)
{
	if (p->rootfd < 0)
		return -p->open_errno;
	return resolve_in_root(p->rootfd, p->rootfd, path, flags);
}

static const struct provider_ops root_ops = {
    .name = "root",
    .open = root_open,
};

struct provider *provider_root_create(const struct provider *parent, const char *dir)
{
	struct provider *p = xcalloc(1, sizeof(*p));

	if (!parent)
		parent = provider_fs();
	p->ops = &root_ops;
	p->kind = PROVIDER_ROOT;
	p->cwdfd = -1;
	p->dir = provider_display(parent, dir);
	p->rootfd = parent->ops->open(parent, dir, O_PATH | O_DIRECTORY);
	if (p->rootfd < 0)
		p->open_errno = -p->rootfd;
	return p;
}
