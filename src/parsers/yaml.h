#ifndef KANON_YAML_H
#define KANON_YAML_H

#include <stddef.h>

#include "core/err.h"
#include "parsers/node.h"

/* Untrusted-input limits. */
#define YAML_MAX_DEPTH 256
#define YAML_MAX_NODES 4000000

struct yaml_docs {
	struct node **doc; /* one per YAML document; never NULL entries */
	size_t n, alloc;
};

void yaml_docs_release(struct yaml_docs *d);

/*
 * Parse all documents of buf (YAML 1.1 or JSON). `name` is used in errors.
 * On a syntax error, the documents before it stay in *out, *e names the
 * line, and -1 is returned. Empty documents are skipped.
 */
int yaml_parse(const char *buf, size_t len, const char *name,
	       struct yaml_docs *out, struct err *e);

#endif
