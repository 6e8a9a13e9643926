#ifndef KANON_ENVFILE_H
#define KANON_ENVFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * A systemd service's environment as its unit files build it: each
 * variable with the file and line that set it. Environment= and
 * EnvironmentFile= both fill one (node_systemd.c merges them with
 * systemd's precedence).
 */
struct env_var {
	char *name;
	char *value;
	char *path;	 /* where it was written (unit, drop-in or env file) */
	int line;	 /* 1-based */
	const char *how; /* static: "Environment=", "EnvironmentFile=" */
};

struct env_list {
	struct env_var *v;
	size_t n, alloc;
};

void env_list_init(struct env_list *l);
void env_list_release(struct env_list *l);
/*
 * Set name (its first nlen bytes) to value, replacing an earlier
 * assignment in place as systemd's strv_env_replace_consume()
 * (src/basic/env-util.c) does. Strings are copied.
 */
void env_list_set(struct env_list *l, const char *name, size_t nlen, const char *value,
		  const char *path, int line, const char *how);
const struct env_var *env_list_get(const struct env_list *l, const char *name, size_t nlen);
void env_list_unset(struct env_list *l, const char *name);
/* Copy every variable of src into dst, src's replacing dst's (strv_env_merge). */
void env_list_merge(struct env_list *dst, const struct env_list *src);

/*
 * A valid variable name for systemd (env-util.c env_name_is_valid): not
 * empty, [A-Za-z0-9_] only, not starting with a digit.
 */
bool env_name_valid(const char *s, size_t n);

/* An EnvironmentFile= bigger than this is refused (UNKNOWN). */
#define ENVFILE_MAX (256u << 10)
/* Distinct variables one env file may set: lookups are linear, so the
 * bound keeps a hostile file's cost at (lines x this). */
#define ENV_MAX_VARS 1024

/*
 * Parse an EnvironmentFile= as systemd's load_env_file()
 * (src/basic/env-file.c parse_env_file_internal) does: KEY=VALUE lines;
 * '#' or ';' starts a comment line; whitespace around the key and around
 * an unquoted value is dropped; '...' keeps everything, "..." unescapes
 * \" \\ \` \$ and keeps other backslashes; quoted parts and unquoted
 * parts join into one value; a backslash-newline continues the value; a
 * line without '=' is ignored; parsing stops at a NUL byte. A later
 * assignment of the same key replaces an earlier one. Each variable
 * records path and the line its key starts on.
 *
 * Returns 0, or -1 with *e set when systemd would fail to load the file
 * (a key or value that is not valid UTF-8: check_utf8ness_and_warn).
 */
int envfile_parse(const char *buf, size_t len, const char *path, struct env_list *out,
		  struct err *e);

#endif
