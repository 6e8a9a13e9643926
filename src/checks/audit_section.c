/*
 * The "audit" report section (docs/audit.md, "Output"): the summary of
 * struct audit_report as format-neutral data. The key order and the
 * line breaks are the JSON contract; labels and hints are for text.
 */
#include <stdio.h>
#include <string.h>

#include "checks/audit_int.h"
#include "core/section.h"
#include "core/banned.h"

static void strings(struct section *p, const char *key, char *const *v, size_t n)
{
	struct section *l = sec_list(p, key, NULL);

	for (size_t i = 0; i < n; i++)
		sec_str(l, NULL, v[i]);
	sec_flag(l, SEC_HIDE_ZERO);
}

static struct section *top(struct section *p, const char *key, const char *label, const char *col,
			   const struct audit_top *t, size_t n, size_t max)
{
	struct section *l = sec_brk(sec_list(p, key, label), 3);

	for (size_t i = 0; i < n; i++) {
		struct section *row = sec_group(l, NULL, NULL);
		sec_str(row, col, t[i].key);
		sec_uint(row, "count", t[i].count);
		if (!strcmp(col, "uri")) {
			struct section *raw = sec_list(row, "raw", NULL);
			for (size_t j = 0; j < t[i].nraw; j++)
				sec_str(raw, NULL, t[i].raw[j]);
		}
	}
	return sec_text_max(sec_flag(l, SEC_HIDE_ZERO), max);
}

static void grants(struct section *p, const char *key, const char *label,
		   const struct audit_grant *g, size_t n, size_t max)
{
	struct section *l = sec_brk(sec_list(p, key, label), 2);

	sec_text_max(sec_flag(l, SEC_HIDE_ZERO), max);
	for (size_t i = 0; i < n; i++) {
		struct section *row = sec_brk(sec_group(l, NULL, NULL), 3);
		sec_time(row, "time", g[i].time);
		sec_str(row, "verb", g[i].verb);
		sec_str(row, "resource", g[i].resource);
		sec_str(row, "namespace", g[i].ns);
		sec_str(row, "name", g[i].name);
		if (g[i].known) {
			struct section *s = sec_list(row, "subjects", NULL);
			for (size_t j = 0; j < g[i].nsubjects; j++)
				sec_str(s, NULL, g[i].subjects[j]);
		} else {
			sec_null(row, "subjects");
			sec_str(row, "note", "subjects unknown");
		}
		sec_str(row, "user", g[i].user);
		sec_int(row, "code", g[i].code);
		sec_str(row, "file", g[i].file);
		sec_uint(row, "line", loc_line(g[i].line));
		/* only when set: the contract of plain logs stays as it was */
		if (loc_rec(g[i].line))
			sec_uint(row, "record", loc_rec(g[i].line));
		if (g[i].unconfirmed)
			sec_bool(row, "not_confirmed", true);
	}
}

static void classes(struct section *p, const char *key, const char *label, const uint64_t *v)
{
	struct section *g = sec_flag(sec_group(p, key, label), SEC_INLINE);

	for (int c = 0; c < CL__COUNT; c++)
		sec_uint(g, audit_class_name((enum audit_class)c), v[c]);
}

static void anonymous(struct section *root, const struct audit_report *r)
{
	struct section *a = sec_brk(sec_group(root, "anonymous", "anonymous requests"), 2);
	struct section *d;

	sec_uint(a, "requests", r->anon.requests);
	sec_uint(a, "allowed", r->anon.allowed);
	sec_uint(a, "denied", r->anon.denied);
	sec_uint(a, "other", r->anon.other);
	sec_uint(a, "incomplete", r->anon.incomplete);
	classes(a, "by_class", "by class", r->anon.by_class);
	classes(a, "allowed_by_class", "allowed by class", r->anon.allowed_by_class);
	sec_uint(a, "distinct_uris", r->anon.distinct_uris);
	sec_uint(a, "distinct_sources", r->anon.distinct_sources);
	top(a, "top_uris", "top anonymous URIs (query stripped)", "uri", r->anon.uris,
	    r->anon.nuris, 10);
	top(a, "top_sources",
	    "top anonymous sources (last sourceIPs entry: the peer the API server saw)", "ip",
	    r->anon.sources, r->anon.nsources, 10);
	sec_flag(sec_str(a, "sources_note",
			 "the last sourceIPs entry is the address the API server saw; earlier "
			 "entries come from X-Forwarded-For/X-Real-Ip headers the client can set"),
		 SEC_JSON_ONLY);
	top(a, "top_user_agents", "top anonymous user agents", "user_agent", r->anon.agents,
	    r->anon.nagents, 5);
	sec_flag(sec_brk(sec_bool(a, "allow_ip_given", r->allow_ip_given), 3), SEC_JSON_ONLY);
	top(a, "health_unlisted_sources",
	    r->allow_ip_given ? "health requests from addresses outside --allow-ip"
			      : "health requests by source (no --allow-ip given)",
	    "ip", r->anon.health_sources, r->anon.nhealth_sources, 10);
	d = sec_brk(sec_group(a, "disagreements", "decision/code disagreements"), 3);
	sec_flag(d, SEC_HIDE_ZERO);
	sec_label(sec_uint(d, "forbid_but_success_code", r->disagree_forbid_success),
		  "forbid with success code");
	sec_label(sec_uint(d, "allow_but_401_403", r->disagree_allow_denied), "allow with 401/403");
	sec_label(sec_uint(d, "success_code_without_decision", r->success_no_decision),
		  "success code without decision");
	strings(d, "examples", r->disagree_examples, r->ndisagree_examples);
}

static void gaps(struct section *root, const struct audit_report *r)
{
	struct section *l = sec_brk(sec_list(root, "gaps", NULL), 2);

	sec_text_max(sec_flag(l, SEC_HIDE_ZERO), 20);
	for (size_t i = 0; i < r->ngaps; i++) {
		struct section *g = sec_group(l, NULL, NULL);
		sec_time(g, "from", r->gaps[i].from);
		sec_time(g, "to", r->gaps[i].to);
		sec_decimal(g, "seconds", (double)(r->gaps[i].to - r->gaps[i].from) / 1e6, 6);
	}
	sec_flag(sec_uint(root, "gaps_total", r->gaps_total), SEC_HIDE_ZERO);
	sec_flag(sec_bool(root, "gaps_truncated", r->gaps_truncated), SEC_HIDE_ZERO);
	/* requests judged before their final stage because the auditID table was full */
	sec_flag(sec_uint(root, "evicted_open_requests", r->evicted_pending), SEC_HIDE_ZERO);
	/* past the bounds on what is kept (docs/audit.md, "Speed and memory") */
	sec_flag(sec_label(sec_uint(root, "anonymous_not_listed", r->access_not_listed),
			   "successful anonymous requests past the finding limits (counted, "
			   "not listed)"),
		 SEC_HIDE_ZERO);
	sec_flag(sec_label(sec_uint(root, "anonymous_without_details", r->anon_no_detail),
			   "open anonymous requests judged without their details (counted, in "
			   "no list)"),
		 SEC_HIDE_ZERO);
}

static void timeline(struct section *root, const struct audit_report *r)
{
	struct section *t = sec_brk(sec_series(root, "timeline", NULL, r->bucket_us), 2);

	t->bar = 2; /* anonymous */
	sec_flag(t, SEC_HIDE_ZERO);
	for (size_t i = 0; i < r->ntimeline; i++) {
		const struct audit_bucket *b = &r->timeline[i];
		struct section *row = sec_brk(sec_group(t, NULL, NULL), 3);
		sec_time(row, "start", b->start);
		sec_uint(row, "total", b->total);
		sec_uint(row, "anonymous", b->anon);
		sec_uint(row, "anonymous_allowed", b->anon_allowed);
		sec_label(sec_uint(row, "unauthorized_401", b->u401), "401");
	}
	sec_flag(sec_bool(root, "timeline_truncated", r->timeline_truncated), SEC_HIDE_ZERO);
	/* --merge: what a part's bounds left uncertain (docs/audit.md, "Beyond one machine") */
	sec_flag(sec_label(sec_uint(root, "top_lists_error_bound", r->top_error_bound),
			   "merged parts: top list counts may be low by at most"),
		 SEC_HIDE_ZERO);
	sec_flag(sec_label(sec_uint(root, "merge_open_unchecked", r->merge_unchecked),
			   "merged parts: open requests whose other stages could not be "
			   "checked (overlapping parts)"),
		 SEC_HIDE_ZERO);
}

static void window(struct section *root, const struct audit_report *r)
{
	struct section *g;

	g = sec_flag(sec_brk(sec_group(root, "time_range", NULL), 2), SEC_INLINE);
	sec_time(g, "from", r->from);
	sec_time(g, "to", r->to);
	g = sec_flag(sec_group(root, "window", "--since/--until"), SEC_INLINE | SEC_HIDE_ZERO);
	sec_time(g, "since", r->since);
	sec_time(g, "until", r->until);
	sec_number(root, "bucket_seconds", (double)r->bucket_us / 1e6);
	sec_number(root, "gap_seconds", (double)r->gap_us / 1e6);
}

/*
 * Records by format and lines not read (or skipped) by reason: only when
 * there is something other than native Events, or something not read.
 */
static void formats(struct section *root, const struct audit_report *r)
{
	struct section *g, *l;
	bool wrapped = false;

	for (int f = 1; f < AF__COUNT; f++)
		wrapped = wrapped || r->by_format[f];
	if (wrapped) {
		g = sec_flag(sec_brk(sec_group(root, "formats", "records by format"), 2),
			     SEC_INLINE);
		for (int f = 0; f < AF__COUNT; f++)
			if (r->by_format[f])
				sec_uint(g, audit_format_name(f), r->by_format[f]);
	}
	if (!r->nreasons)
		return;
	sec_flag(sec_label(sec_uint(root, "skipped", r->skipped),
			   "skipped: records that are no event (control messages, headers)"),
		 SEC_HIDE_ZERO);
	l = sec_brk(sec_list(root, "unread_by_reason", "not read or skipped, by reason"), 2);
	for (size_t i = 0; i < r->nreasons; i++) {
		struct section *row = sec_flag(sec_group(l, NULL, NULL), SEC_INLINE);
		sec_str(row, "reason", r->reasons[i].why);
		sec_uint(row, "count", r->reasons[i].count);
		if (r->reasons[i].skipped)
			sec_bool(row, "skipped", true);
	}
}

struct section *audit_section(const struct audit_report *r)
{
	struct section *root = section_create(SEC_GROUP, "audit", "Audit log summary");
	struct section *l = sec_list(root, "files", NULL);

	for (size_t i = 0; i < r->nfiles; i++)
		sec_str(l, NULL, r->files[i]);
	sec_text_max(sec_flag(l, SEC_INLINE), 5);
	sec_brk(sec_uint(root, "bytes", r->bytes), 2);
	sec_uint(root, "lines", r->lines);
	sec_uint(root, "events", r->events);
	sec_label(sec_uint(root, "requests", r->requests), "requests (by auditID)");
	sec_uint(root, "malformed", r->malformed);
	sec_label(sec_uint(root, "duplicates", r->duplicates), "duplicate lines");
	sec_flag(sec_label(sec_uint(root, "outside_window", r->outside),
			   "events outside --since/--until"),
		 SEC_HIDE_ZERO);
	strings(root, "malformed_examples", r->malformed_examples, r->nmalformed_examples);
	/* what was not read: when any, no verdict of this report is clean */
	sec_flag(sec_label(sec_brk(sec_uint(root, "unread_lines", r->malformed), 2),
			   "not read: lines (no verdict here is clean)"),
		 SEC_HIDE_ZERO);
	sec_flag(sec_label(sec_uint(root, "inputs_incomplete", r->inputs_incomplete),
			   "not read: inputs not to the end (no verdict here is clean)"),
		 SEC_HIDE_ZERO);
	formats(root, r);
	window(root, r);
	anonymous(root, r);
	sec_brk(sec_uint(root, "impersonated_anonymous", r->impersonated_anon), 2);
	sec_label(sec_uint(root, "unauthorized_401", r->unauthorized_401),
		  "401 (failed authentication)");
	strings(root, "impersonated_anonymous_examples", r->imp_examples, r->nimp_examples);
	grants(root, "rbac_anonymous_grants", "RBAC grants to anonymous users", r->grants,
	       r->ngrants, 0);
	sec_flag(
	    sec_label(
		sec_brk(sec_uint(root, "rbac_subjects_unknown_total", r->unknown_grants_total), 2),
		"RBAC binding changes without a body (subjects unknown)"),
	    SEC_HIDE_ZERO);
	grants(root, "rbac_subjects_unknown", NULL, r->unknown_grants, r->nunknown_grants, 5);
	gaps(root, r);
	timeline(root, r);
	return root;
}
