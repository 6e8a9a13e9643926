#ifndef KANON_ERR_H
#define KANON_ERR_H

#include <limits.h>
#include <stdbool.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/*
 * Error detail for functions that return int (0 ok, negative failure).
 * Callers that do not care pass NULL.
 *
 * The buffers are fixed but sized for the longest path the kernel accepts
 * (PATH_MAX) in `file` and for two such paths plus text in `msg` (messages
 * such as "cannot resolve '%s' under '%s'"): a struct err is filled deep in
 * parsers and sources, copied and read by code of every layer, and often
 * lives on a stack that is left by return; heap strings would need an
 * err_release() on each of those paths. A longer text (a path the kernel
 * would refuse anyway) is cut and ends in "...", so a cut is visible.
 */
#define ERR_MSG_MAX (2 * PATH_MAX + 512)
/* A buffer that holds any err_format() result in full. */
#define ERR_FORMAT_MAX (PATH_MAX + ERR_MSG_MAX + 32)

struct err {
	char file[PATH_MAX];
	int line; /* 1-based, 0 when unknown */
	char msg[ERR_MSG_MAX];
	/*
	 * The input went past one of kanon's own bounds (docs/limits.md), not
	 * past what the component accepts: the kubelet or API server may read
	 * it, so a verdict built on it is UNKNOWN, never INVALID.
	 */
	bool limit;
};

/* Fill *e (when non-NULL) and return -1 so that `return err_set(...)` works. */
int err_set(struct err *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for a kanon limit: also sets e->limit. */
int err_set_limit(struct err *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "file:line: msg" (or less, when parts are unknown) into buf; use a buffer
 * of ERR_FORMAT_MAX bytes to never cut it. */
const char *err_format(const struct err *e, char *buf, unsigned long size);

#endif
