#ifndef KANON_YAML_H
#define KANON_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "parsers/node.h"

/* Untrusted-input limits. */
#define YAML_MAX_DEPTH 256
#define YAML_MAX_NODES 500000 /* ~50 MB of tree: a KubeletConfiguration has ~100 */
/*
 * Alias expansion (aliases and merge keys are copied into the tree) over
 * all documents of one yaml_parse()/yaml_parse_stream() call: at most this
 * many bytes of copies, and at most go-yaml's share of all nodes (see
 * allowed_alias_ratio() in yaml.c). Going past either fails the parse with
 * the line of the alias.
 */
#define YAML_MAX_ALIAS_BYTES (64 << 20)

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
int yaml_parse(const char *buf, size_t len, const char *name, struct yaml_docs *out, struct err *e);

/*
 * Called for each List item (is_item) and each document (after its items).
 * Takes ownership of n. A nonzero return stops parsing and is returned by
 * yaml_parse_stream().
 */
typedef int (*yaml_value_fn)(struct node *n, bool is_item, void *ctx);

/*
 * Streaming variant of yaml_parse() for large inputs such as
 * `kubectl get ... -o yaml` (a List of 100,000 objects would need millions
 * of nodes at once): each document goes to fn as soon as it is parsed and,
 * with split_items, each element of a document's top-level "items"
 * sequence goes to fn on its own as soon as it is parsed and is left out of
 * the document (which keeps an empty "items"). YAML_MAX_NODES then applies
 * to each tree handed over, so memory holds one item at a time. Anchors
 * defined in an item stay usable by later aliases (kept as copies, under
 * one more YAML_MAX_NODES budget). Empty documents are skipped. Returns 0,
 * the callback's nonzero value, or -1 with *e naming the line of a syntax
 * error (values before it were delivered).
 */
int yaml_parse_stream(const char *buf, size_t len, const char *name, bool split_items,
		      yaml_value_fn fn, void *ctx, struct err *e);

#endif
