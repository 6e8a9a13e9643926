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
	char *str;   /* scalar value (NUL-terminated), NULL otherwise */
	size_t len;  /* scalar length */
	bool quoted; /* scalar was quoted or a block scalar: always a string */
	int line;    /* 1-based */
	int col;     /* 1-based */
	/* NODE_MAP: kids[2i] is a key, kids[2i+1] its value; NODE_SEQ: items */
	struct node **kids;
	size_t n, alloc;
};

void node_destroy(struct node *n);

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
 * bool, number or null. */
int node_get_string(const struct node *n, const char **out);
const char *node_kind_name(const struct node *n);

#endif
