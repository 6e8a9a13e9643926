#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util.h"
#include "fix/fix.h"
#include "fix/fix_overlay.h"
#include "core/banned.h"

/*
 * The files as they would be after the plan: the plan's new bytes where
 * it has a file, the provider below elsewhere. The models read it like
 * any provider, so the result of an edit is judged by the same loaders
 * that judged the original. A planned file is served from a memfd, a
 * regular file, so every check of provider_read() applies to it too.
 */

struct overlay {
	struct provider p; /* first: the models hold a struct provider * */
	const struct provider *under;
	const struct fix_plan *plan;
};

static int memfd_of(const struct strbuf *sb)
{
	int fd = memfd_create("kanon-fix", MFD_CLOEXEC);
	const char *s = strbuf_str(sb);
	size_t left = sb->len;

	if (fd < 0)
		return -errno;
	while (left) {
		ssize_t w = write(fd, s, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		s += w;
		left -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static int overlay_open(const struct provider *p, const char *path, int flags)
{
	const struct overlay *o = (const struct overlay *)p;

	for (size_t i = 0; i < o->plan->n; i++) {
		const struct fix_file *f = o->plan->f[i];

		if (strcmp(f->path, path) && strcmp(f->asked, path))
			continue;
		if (!f->exists && !f->new.len)
			return -ENOENT;
		return memfd_of(&f->new);
	}
	if (!o->under->ops->open)
		return -ENOTSUP;
	return o->under->ops->open(o->under, path, flags);
}

static const struct provider_ops overlay_ops = {
    .name = "overlay",
    .open = overlay_open,
};

struct provider *fix_overlay_create(const struct provider *under, const struct fix_plan *plan)
{
	struct overlay *o = xcalloc(1, sizeof(*o));

	o->p.ops = &overlay_ops;
	o->p.kind = under->kind;
	o->p.rootfd = -1;
	o->p.cwdfd = -1;
	o->p.dir = xstrdup_or_null(under->dir);
	o->under = under;
	o->plan = plan;
	return &o->p;
}

void fix_overlay_destroy(struct provider *p)
{
	if (!p)
		return;
	free(p->dir);
	free(p);
}
