#ifndef KANON_COLLECT_H
#define KANON_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/finding.h"
#include "core/jsonw.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "sources/file.h"
#include "sources/snapshot_write.h"

struct node_comp;
struct node_scan;
struct provider;

/* One `kanon collect` run: the snapshot being written and its manifest. */
struct collect {
	struct snapshot_writer w;
	struct strbuf manifest;
	struct jsonw j;
	struct path_list copied; /* snapshot paths written, to copy each once */
	bool no_audit;
	size_t ncopied, nrecorded, nfailed, nredacted;
	struct result *res; /* warnings */
};

void collect_init(struct collect *cx, struct result *res, bool no_audit);
void collect_release(struct collect *cx);

/* One source of the manifest. */
struct collect_src {
	const char *target; /* the snapshot directory it belongs to */
	const char *role;   /* "cmdline", "unit", "--config", "audit-log", ... */
	const char *path;   /* as the node names it */
	char *copy;	    /* its path in the snapshot, or NULL: not copied */
	struct stat st;
	bool have_st;
	bool secret;
	char sha[SHA256_HEX_LEN];      /* of the node's bytes ("" when not read) */
	char copy_sha[SHA256_HEX_LEN]; /* of the copy, when redacted */
	unsigned redacted;
	char *note;  /* why it is not copied, or how it was */
	char *error; /* why it could not be read */
};

void collect_src_init(struct collect_src *src, const char *target, const char *role,
		      const char *path);
/* Write src's manifest entry and release it. */
void collect_src_emit(struct collect *cx, struct collect_src *src);

/* Write data as rel for src (a failure is src->error). */
void collect_write(struct collect *cx, struct collect_src *src, const char *rel, const char *data,
		   size_t len);

/*
 * The node file path, read through files, copied below dir/root/ at its
 * node path, unless it holds credentials (recorded only). Lines that set
 * a token, secret or password are redacted.
 */
void collect_node_file(struct collect *cx, const struct provider *files, const char *dir,
		       const char *role, const char *path);

/* The files c's command line names: copied when kanon reads them, else
 * recorded (path, mode, owner, size). */
void collect_flags(struct collect *cx, const struct node_comp *c, const char *dir);

/* The audit log of the first API server that has one, into audit/<node>/. */
void collect_audit(struct collect *cx, const struct node_scan *s, const char *node);

/* Print the warnings and what was written; returns the exit code. */
int collect_summary(struct collect *cx, const char *outdir);

/*
 * Copy len bytes of data to out with the value of each line that sets a
 * token, secret or password (KEY=value, KEY: value; KEY containing
 * "token", "secret", "password" or "passwd", any case) replaced by
 * REDACTED-BY-KANON; a value that is a path (starts with '/') is kept.
 * Line count and keys stay. Returns how many lines were redacted.
 */
unsigned collect_redact(struct strbuf *out, const char *data, size_t len);

/* Does data hold a private key or a kubeconfig's client key? */
bool collect_has_private_key(const char *data, size_t len);

#endif
