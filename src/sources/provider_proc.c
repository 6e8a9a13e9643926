/*
 * A running process: it sees its own mount namespace, so an absolute path
 * it names is read through /proc/PID/root, a relative one from
 * /proc/PID/cwd, and neither may leave that root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

static int proc_open(const struct provider *p, const char *path, int flags)
{
	if (p->rootfd < 0 || (path[0] != '/' && p->cwdfd < 0))
		return -p->open_errno;
	return resolve_in_root(p->rootfd, path[0] == '/' ? p->rootfd : p->cwdfd, path, flags);
}

static const struct provider_ops proc_ops = {
    .name = "proc",
    .open = proc_open,
};

static int open_dir(long pid, const char *what, int *saved)
{
	struct strbuf sb = STRBUF_INIT;
	int fd;

	strbuf_addf(&sb, "/proc/%ld/%s", pid, what);
	fd = open(sb.buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && !*saved)
		*saved = errno;
	strbuf_release(&sb);
	return fd;
}

struct provider *provider_proc_create(long pid)
{
	struct provider *p = xcalloc(1, sizeof(*p));
	struct strbuf sb = STRBUF_INIT;

	p->ops = &proc_ops;
	p->kind = PROVIDER_PROC;
	p->pid = pid;
	strbuf_addf(&sb, "/proc/%ld/root", pid);
	p->dir = strbuf_detach(&sb);
	p->rootfd = open_dir(pid, "root", &p->open_errno);
	p->cwdfd = open_dir(pid, "cwd", &p->open_errno);
	return p;
}
