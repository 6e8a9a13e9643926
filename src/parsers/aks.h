#ifndef KANON_AKS_H
#define KANON_AKS_H

/*
 * Log Analytics' AKSAudit table (docs/audit.md, "Formats"): the audit
 * Event's fields as typed columns (AuditId, Stage, RequestUri, ...), the
 * dynamic ones (User, ObjectRef, ...) exported as JSON text. Shared by the
 * CSV reader (src/sources/audit_csv.c), which turns a row straight into
 * the Event's text, and the format readers (src/checks/audit_formats.c).
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "parsers/jsonl.h"

#define AKS_NCOLS 16
/* columns of a row that the readers take (audit_fmt_aks_row; more: cJSON's way) */
#define AKS_MAX_MEMBERS 128

/* the AKSAudit columns and the Event's keys they hold, in the order the Event is written */
extern const char *const aks_columns[AKS_NCOLS][2];

/* keys that make another reader take a row (an Event's, another format's): not a row then */
#define AKS_NOT_ROW 10
extern const char *const aks_not_row[AKS_NOT_ROW];

/*
 * A time as the Azure portal shows it, and writes it in a CSV export, in
 * UTC for a column named "... [UTC]": "6/1/2025, 10:00:00.123 AM" (US
 * month/day order, 12-hour clock). Written as RFC 3339 into out; false
 * when s is not of that form (it is then kept as it is).
 */
bool aks_portal_time(const char *s, char *out, size_t n);

/*
 * The n bytes at p as a JSON string literal, as the CSV reader writes a
 * field: '"' and '\\' escaped, \n \r \t, other bytes below 0x20 as \u00XX,
 * every other byte as it is.
 */
void aks_json_string(struct strbuf *o, const char *p, size_t n);

struct aks_walk;

struct aks_text {
	const char *p;
	size_t n;  /* 0: the column is absent or empty */
	bool safe; /* no byte a JSON string escapes ('"', '\\', below 0x20): not looked for */
};

/*
 * The Event's text of one row into ev: for each of aks_columns, col[i][0]
 * is the text of the column of that name, col[i][1] of "<name> [UTC]".
 * Exactly the text audit_formats.c's reader of a JSON row of these
 * strings makes (audit_fmt_aks_row: the columns renamed back, a [UTC]
 * time in RFC 3339, a dynamic column's JSON put in as it is). False when
 * that reader would not take the row (a NUL; a dynamic column that is not
 * exactly one JSON value) or when the text would hold a newline. clean:
 * the caller knows that no text holds a NUL or a newline.
 */
bool aks_event(struct strbuf *ev, const struct aks_text col[AKS_NCOLS][2], bool clean,
	       struct strbuf *tmp, struct aks_walk *w);

/*
 * What the strict walk of an Event made by aks_event() would find, known
 * without walking it (the walk of the text just written was a sixth of
 * reading an AKSAudit export): when aks_event() returns true with
 * proven set, jsonl_walk_strict() of ev takes it, with these spans (into
 * ev) and a backslash somewhere in it if bs (bs may also be set when there
 * is none). Not proven: a dynamic column that is not compact JSON as the
 * strict walk takes it (aks_compact()); the caller then walks the text.
 */
struct aks_walk {
	struct span f[JK__COUNT];
	bool proven, bs;
};

/*
 * Past the JSON value at p when it is exactly what jsonl_walk_strict() takes
 * as a member's value (compact: no blank outside strings; no raw control
 * byte; JSON escapes, no \u0000 and no surrogate; at most 48 levels) and
 * jsonl_valid_value() too, else NULL (the caller decides another way).
 * *bs: a backslash was seen.
 */
const char *aks_compact(const char *p, const char *end, bool *bs);

/* what aks_value() tells of a column's text */
#define AKS_COMPACT 1 /* the strict walk takes it as written */
#define AKS_BS	    2 /* it holds a backslash */

#endif
