#ifndef KANON_CMDLINE_H
#define KANON_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Where one word of an assembled command line was written: the unit,
 * drop-in, environment file or config.yaml and its line, and how it got
 * into the command line ("$KUBELET_EXTRA_ARGS in ExecStart of
 * 10-kubeadm.conf:13"). For evidence; all fields may be NULL/0.
 */
struct argv_origin {
	char *path;
	int line;
	char *note;
};

/* An argument vector (owned strings). init/release. */
struct argv_list {
	char **v;
	size_t n, alloc;
	/* NULL, or one origin per word (v's allocation size) */
	struct argv_origin *at;
};

void argv_init(struct argv_list *a);
void argv_release(struct argv_list *a);
void argv_push(struct argv_list *a, const char *s);
/* Push s with where it was written (path/note copied; may be NULL). */
void argv_push_at(struct argv_list *a, const char *s, const char *path, int line, const char *note);
/* Push word i of src with its origin. */
void argv_push_from(struct argv_list *a, const struct argv_list *src, size_t i);
/* The origin of word i, or NULL when it has none. */
const struct argv_origin *argv_origin(const struct argv_list *a, size_t i);

/*
 * Split a command line as `ps` prints it or as a user pastes it from a
 * systemd unit: whitespace separates words; '...', "..." and backslash
 * quote as in sh. No expansion is done. Returns -1 on an unterminated
 * quote.
 */
int cmdline_split(const char *s, struct argv_list *out, struct err *e);
/* Split NUL-separated /proc/PID/cmdline contents. */
void cmdline_split_nul(const char *buf, size_t len, struct argv_list *out);

/*
 * Where the program `name` starts in a pasted line: the first word whose
 * basename is name, or `hyperkube NAME` (so that a `ps -ef` line, with its
 * user, PID and times before the command, or k3s's "Running kubelet ..." log
 * line work). Returns the index of that word, or -1 when there is none.
 */
long cmdline_find_program(const struct argv_list *a, const char *name);
/*
 * Make a start with the program `name`: the words before it are dropped; a
 * log line that quotes the command in one word (k3s: msg="Running kubelet
 * --flag ...") is split again. Returns 0, or -1 when name is not there.
 */
int cmdline_locate(struct argv_list *a, const char *name);

/* Join for display, quoting words that need it. Caller frees. */
char *cmdline_join(const struct argv_list *a);

#endif
