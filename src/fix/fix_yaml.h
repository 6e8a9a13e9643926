#ifndef KANON_FIX_YAML_H
#define KANON_FIX_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

/*
 * Set one scalar in a YAML or JSON file by a textual edit that keeps
 * everything else: comments, key order, indentation, quoting style, line
 * endings, block or flow style. The existing scalar is replaced where it
 * is written; a missing key (and missing parent mappings) is added in the
 * style of its mapping: a line indented as its siblings in block style,
 * "key: value," after the "{" in flow style and JSON. What it cannot edit
 * without guessing is refused with the reason: anchors, aliases and tags,
 * several documents, a duplicated key on the path, a tab in the
 * indentation, a scalar written with escapes or over several lines.
 * After the edit the file is parsed again and must hold the value at the
 * path.
 */

enum fix_scalar { FIX_BOOL, FIX_INT, FIX_STRING };

/* 0 when buf has no anchor, alias or tag (and one document unless
 * multi); else -1 with *e saying what would have to be guessed. */
int fix_yaml_plain(const struct strbuf *buf, const char *name, bool multi, struct err *e);

int fix_yaml_set(struct strbuf *buf, const char *name, const char *const *path, size_t depth,
		 enum fix_scalar type, const char *value, struct err *e);

/* Does the file's document hold value at path (Kubernetes' decoding)? */
int fix_yaml_check(const struct strbuf *buf, const char *name, const char *const *path,
		   size_t depth, enum fix_scalar type, const char *value, struct err *e);

#endif

/*
 * Add an item at the front of the block sequence at path ("#N" is item N
 * of a sequence), indented as its first item: lines[0] follows the "- ",
 * the others are indented under it. The sequence must exist in block style
 * with an item whose first key starts right after its "- ".
 */
int fix_yaml_seq_prepend(struct strbuf *buf, const char *name, const char *const *path,
			 size_t depth, const char *const *lines, size_t nlines, struct err *e);

/*
 * Append a top-level key of a block-style document: text is its lines
 * without line endings, joined with "\n" (converted to the file's).
 * Refused when the key exists or the document is not a block mapping.
 */
int fix_yaml_append_key(struct strbuf *buf, const char *name, const char *key, const char *text,
			struct err *e);
