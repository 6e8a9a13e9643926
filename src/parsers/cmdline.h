#ifndef KANON_CMDLINE_H
#define KANON_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* An argument vector (owned strings). init/release. */
struct argv_list {
	char **v;
	size_t n, alloc;
};

void argv_init(struct argv_list *a);
void argv_release(struct argv_list *a);
void argv_push(struct argv_list *a, const char *s);

/*
 * Split a command line as `ps` prints it or as a user pastes it from a
 * systemd unit: whitespace separates words; '...', "..." and backslash
 * quote as in sh. No expansion is done. Returns -1 on an unterminated
 * quote.
 */
int cmdline_split(const char *s, struct argv_list *out, struct err *e);
/* Split NUL-separated /proc/PID/cmdline contents. */
void cmdline_split_nul(const char *buf, size_t len, struct argv_list *out);

/* Join for display, quoting words that need it. Caller frees. */
char *cmdline_join(const struct argv_list *a);

#endif
