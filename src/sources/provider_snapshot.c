/*
 * A snapshot directory (docs/snapshot.md) as the user assembled it: its
 * parts may be symlinks to where the files were collected, so paths are
 * followed as the local filesystem does, relative to the directory opened
 * once. The node roots inside it (apiserver/<name>/root/) are copies of
 * another machine: they are opened with provider_root_create(), which
 * keeps every path inside them. Files are shown as "DIR/path".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

static int snapshot_open(const struct provider *p, const char *path, int flags)
{
	int fd;

	if (p->rootfd < 0)
		return -p->open_errno;
	fd = openat(p->rootfd, path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static const struct provider_ops snapshot_ops = {
    .name = "snapshot",
    .open = snapshot_open,
};

struct provider *provider_snapshot_create(const char *dir)
{
	struct provider *p = xcalloc(1, sizeof(*p));

	p->ops = &snapshot_ops;
	p->kind = PROVIDER_SNAPSHOT;
	p->cwdfd = -1;
	p->dir = xstrdup(dir);
	p->rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfd < 0)
		p->open_errno = errno;
	return p;
}
