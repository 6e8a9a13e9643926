#ifndef KANON_SECTION_H
#define KANON_SECTION_H

/*
 * Report sections: structured output beside the findings (the audit
 * summary, the RBAC permission table). A check builds a tree of typed,
 * format-neutral values; every reporter in src/report/ walks it. Checks
 * never format.
 *
 * A node is a scalar (string, integer, time, ...), a group (named
 * members, in order), a list (elements without names; a list of groups
 * is a table whose typed columns are the members) or a time series (a
 * table whose first column is the bucket start, with a bucket width).
 * Each node has a key (its name in JSON, e.g. "top_uris") and a label
 * (its words in text, e.g. "top anonymous URIs"; the key when unset).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sec_type {
	SEC_NULL,
	SEC_BOOL,
	SEC_INT,     /* int64_t */
	SEC_UINT,    /* uint64_t, a count */
	SEC_NUMBER,  /* double, shortest form (%.6g) */
	SEC_DECIMAL, /* double with a fixed number of decimals (prec) */
	SEC_TIME,    /* microseconds since the epoch, SEC_TIME_NONE when unknown */
	SEC_STRING,  /* any bytes from the input: reporters escape them */
	SEC_GROUP,
	SEC_LIST,
	SEC_SERIES,
};

#define SEC_TIME_NONE INT64_MIN

/* Presentation hints for text reporters; JSON writes every node. */
enum {
	SEC_HIDE_ZERO = 1 << 0, /* omit when 0, false, null or empty */
	SEC_JSON_ONLY = 1 << 1, /* machine detail a reader does not need */
	SEC_INLINE = 1 << 2,	/* a group or list of scalars on one line */
};

struct sec_arena;

/*
 * A tree's nodes and strings come from one arena that its root owns: the
 * audit timeline of a 223 MB log alone is ~8,500 nodes: as separate mallocs
 * on fresh heap pages (over 300 page faults) the tree took 5.5 ms at the end
 * of a run here, 1.0 ms now.
 */
struct section {
	struct sec_arena *arena;
	enum sec_type type;
	char *key;   /* member name in a group; NULL for list elements */
	char *label; /* text label, or NULL for the key */
	unsigned flags;
	int json_indent; /* JSON layout: newline and this indent before it, -1 none */
	int prec;	 /* SEC_DECIMAL: digits after the point */
	size_t text_max; /* lists: text shows at most this many elements, 0 all */
	char *empty;	 /* lists: text line when empty, or NULL to say nothing */
	int64_t step;	 /* SEC_SERIES: bucket width in microseconds */
	int bar;	 /* SEC_SERIES: text draws a bar of this column (0 none) */
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		char *s;
	} v;
	struct section **kid;
	size_t n, alloc;
};

/* A root section of any type: key is its name in the report, label its title. */
struct section *section_create(enum sec_type type, const char *key, const char *label);
/* Frees a root section's whole tree (NULL is fine; the nodes under it are not freed alone). */
void section_destroy(struct section *s);

/*
 * Add a member to a group (key required) or an element to a list (key
 * NULL). Strings are copied; a NULL string adds null. Each returns the
 * new node for hints.
 */
struct section *sec_group(struct section *p, const char *key, const char *label);
struct section *sec_list(struct section *p, const char *key, const char *label);
/* A time series: rows are groups whose first member is a SEC_TIME start. */
struct section *sec_series(struct section *p, const char *key, const char *label, int64_t step_us);
struct section *sec_str(struct section *p, const char *key, const char *s);
struct section *sec_int(struct section *p, const char *key, int64_t v);
struct section *sec_uint(struct section *p, const char *key, uint64_t v);
struct section *sec_number(struct section *p, const char *key, double v);
struct section *sec_decimal(struct section *p, const char *key, double v, int prec);
struct section *sec_time(struct section *p, const char *key, int64_t us);
struct section *sec_bool(struct section *p, const char *key, bool v);
struct section *sec_null(struct section *p, const char *key);

/* Hints; each returns s. */
struct section *sec_label(struct section *s, const char *label);
struct section *sec_brk(struct section *s, int indent);
struct section *sec_flag(struct section *s, unsigned flags);
struct section *sec_empty(struct section *s, const char *text);
/* Lists: text shows at most max elements and how many there are. */
struct section *sec_text_max(struct section *s, size_t max);

/*
 * The member at a dotted path of group keys ("anonymous.by_class.health"),
 * or NULL. For tests and for reporters that pick values.
 */
const struct section *sec_find(const struct section *s, const char *path);
/* The count at path, or 0 when there is none. */
uint64_t sec_find_uint(const struct section *s, const char *path);

/* The text label: label, else key, else "". */
const char *sec_name(const struct section *s);
/* 0, false, null, "", no elements, or a group of such members. */
bool sec_is_zero(const struct section *s);
bool sec_is_scalar(const struct section *s);

#endif
