#ifndef KANON_PROC_H
#define KANON_PROC_H

#include "core/err.h"
#include "parsers/cmdline.h"

/* Read /proc/PID/cmdline into argv. */
int proc_read_cmdline(long pid, struct argv_list *out, struct err *e);

struct pid_list {
	long *v;
	size_t n, alloc;
};
void pid_list_release(struct pid_list *l);

/*
 * Find running processes whose executable name (comm, or the basename of
 * argv[0]) is `name`. Returns the number found.
 */
size_t proc_find(const char *name, struct pid_list *out);

#endif
