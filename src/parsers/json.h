#ifndef KANON_JSON_H
#define KANON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "parsers/node.h"

/*
 * A strict JSON (RFC 8259) reader producing the same `struct node` tree as
 * parsers/yaml.h, with line numbers: strings are quoted scalars; numbers,
 * true, false and null are plain scalars, so node_get_bool() and friends
 * apply Kubernetes' semantics unchanged.
 *
 * It exists because `kubectl get ... -o json` dumps are large: a List of
 * 100,000 objects would need millions of nodes at once. With split_items,
 * the elements of a top-level object's "items" array are handed to the
 * callback one at a time as soon as each is parsed, and are left out of the
 * object, so memory holds one item at a time.
 */

#define JSON_MAX_DEPTH 512
/* Per value handed to the callback (one item, or one top-level value). */
#define JSON_MAX_NODES 500000

/*
 * At least the number of values a parse of p (n bytes) would create, for a
 * caller that must parse a body whole (cJSON) and wants to know first what
 * it would cost: one more than the '[', ',' and ':' outside strings (every
 * value but the first follows one of them; an object's ',' is counted with
 * its ':', so the bound is at most about twice the truth). One pass, no
 * allocation; valid JSON or not.
 */
size_t json_value_bound(const char *p, size_t n);

/*
 * Called for each List item (is_item) and each top-level value (after its
 * items). Takes ownership of n. A nonzero return stops parsing and is
 * returned by json_parse_stream().
 */
typedef int (*json_value_fn)(struct node *n, bool is_item, void *ctx);

/*
 * Parse buf: one or more JSON values separated by whitespace. `name` is used
 * in errors. Returns 0, the callback's nonzero value, or -1 with *e naming
 * the line of a syntax error (values before it were delivered).
 */
int json_parse_stream(const char *buf, size_t len, const char *name, bool split_items,
		      json_value_fn fn, void *ctx, struct err *e);

/* Does buf look like JSON (first non-blank byte is '{' or '[')? */
bool json_sniff(const char *buf, size_t len);

/* Four hex digits of a \uXXXX escape at s (the caller checks length); 0 or -1. */
int json_hex4(const char *s, unsigned *out);

#endif
