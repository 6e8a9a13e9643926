#include "sources/proc.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

int proc_read_cmdline(long pid, struct argv_list *out, struct err *e)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "/proc/%ld/cmdline", pid);
	ret = file_read(path.buf, NULL, 1u << 20, &buf, e);
	if (!ret && buf.len == 0)
		ret = err_set(e, NULL, 0,
			      "process %ld has an empty command line "
			      "(a kernel thread, or it has exited)",
			      pid);
	if (!ret)
		cmdline_split_nul(buf.buf, buf.len, out);
	strbuf_release(&path);
	strbuf_release(&buf);
	return ret;
}

void pid_list_release(struct pid_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_pid(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static bool proc_is(long pid, const char *name)
{
	struct strbuf p = STRBUF_INIT, buf = STRBUF_INIT;
	bool match = false;

	strbuf_addf(&p, "/proc/%ld/comm", pid);
	if (file_read(p.buf, NULL, 4096, &buf, NULL) == 0) {
		if (buf.len && buf.buf[buf.len - 1] == '\n')
			buf.buf[--buf.len] = '\0';
		match = !strcmp(buf.buf, name);
	}
	if (!match) {
		strbuf_reset(&p);
		strbuf_reset(&buf);
		strbuf_addf(&p, "/proc/%ld/cmdline", pid);
		if (file_read(p.buf, NULL, 1u << 20, &buf, NULL) == 0 && buf.len) {
			const char *argv0 = buf.buf; /* up to the first NUL */
			const char *base = strrchr(argv0, '/');
			match = !strcmp(base ? base + 1 : argv0, name);
		}
	}
	strbuf_release(&p);
	strbuf_release(&buf);
	return match;
}

size_t proc_find(const char *name, struct pid_list *out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long long pid;
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    parse_int(de->d_name, 1, 1LL << 31, &pid))
			continue;
		if (proc_is((long)pid, name)) {
			ALLOC_GROW(out->v, out->n + 1, out->alloc);
			out->v[out->n++] = (long)pid;
		}
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_pid);
	return out->n;
}
