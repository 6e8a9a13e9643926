#ifndef KANON_NODE_H
#define KANON_NODE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A neutral document tree with source positions, built from YAML or JSON.
 * Maps keep every key in document order (duplicates included) so that
 * checks can both apply Kubernetes' last-wins decoding and lint duplicates.
 */
enum node_kind { NODE_SCALAR, NODE_MAP, NODE_SEQ };

struct node {
	enum node_kind kind;
	/*
	 * Scalar value (NUL-terminated), NULL otherwise. Kubernetes compares
	 * Go strings byte-exactly, and "\u0000" (JSON) or "\0" (YAML) put NUL
	 * bytes in them: each such NUL is stored here as the two bytes C0 80
	 * (Java's "modified UTF-8"), never a valid UTF-8 sequence, which the
	 * parsers otherwise never produce. So str stays a C string, compares
	 * with strcmp() as exactly as Go compares the original, and
	 * "system:anonymous\u0000x" is another user, not system:anonymous.
	 */
	char *str;
	size_t len;  /* scalar length (of str as stored) */
	bool nul;    /* the value held NUL bytes (stored as C0 80) */
	bool quoted; /* scalar was quoted or a block scalar: always a string */
	int line;    /* 1-based */
	int col;     /* 1-based */
	/* NODE_MAP: kids[2i] is a key, kids[2i+1] its value; NODE_SEQ: items */
	struct node **kids;
	size_t n, alloc;
};

void node_destroy(struct node *n);

/* Set a scalar's value, taking ownership of s (malloc'd, s[len] == 0);
 * embedded NULs are re-encoded as described at struct node. */
void node_take_str(struct node *n, char *s, size_t len);
/* The scalar's value is exactly s (length-aware). */
bool node_str_is(const struct node *n, const char *s);

size_t node_map_len(const struct node *map);
const struct node *node_map_key(const struct node *map, size_t i);
const struct node *node_map_val(const struct node *map, size_t i);
/* The value of the last occurrence of key (case-sensitive), or NULL. */
const struct node *node_map_get(const struct node *map, const char *key);
/* How often key occurs in map. */
size_t node_map_count(const struct node *map, const char *key);

/* A plain scalar that YAML resolves to null ("", "~", "null", ...). */
bool node_is_null(const struct node *n);

/*
 * Scalar conversions as Kubernetes' YAML decoding (sigs.k8s.io/yaml, YAML
 * 1.1 resolution) performs them. They return 0 on success, -1 when the node
 * is of another type (which makes a strict Go decoder fail).
 */
int node_get_bool(const struct node *n, bool *out);
int node_get_int(const struct node *n, long long *out);
/* A string field: quoted scalars, or plain ones that do not resolve to
 * bool, number or null. The string has no NUL byte inside (see struct
 * node); n->nul tells whether the original value had one. */
int node_get_string(const struct node *n, const char **out);
const char *node_kind_name(const struct node *n);

#endif
