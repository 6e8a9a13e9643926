#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* Mark a cut text with "..." (n is what vsnprintf wanted to write). */
static void mark_cut(char *buf, size_t size, int n)
{
	if (n >= 0 && (size_t)n < size)
		return;
	if (size >= 4)
		memcpy(buf + size - 4, "...", 4);
}

static int err_vset(struct err *e, bool limit, const char *file, int line, const char *fmt,
		    va_list ap)
{
	int n;

	if (!e)
		return -1;
	n = snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	mark_cut(e->file, sizeof(e->file), n);
	e->line = line;
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	mark_cut(e->msg, sizeof(e->msg), n);
	e->limit = limit;
	return -1;
}

int err_set(struct err *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, false, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_limit(struct err *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, true, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

const char *err_format(const struct err *e, char *buf, unsigned long size)
{
	int n;

	if (e->file[0] && e->line > 0)
		n = snprintf(buf, size, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0])
		n = snprintf(buf, size, "%s: %s", e->file, e->msg);
	else
		n = snprintf(buf, size, "%s", e->msg);
	mark_cut(buf, size, n);
	return buf;
}
