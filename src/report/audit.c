/* The "audit" section of the report (kanon audit): JSON and text. */
#include <string.h>

#include "checks/audit.h"
#include "core/strbuf.h"
#include "parsers/jsonl.h"
#include "core/banned.h"

static void jts(struct strbuf *out, int64_t t)
{
	char b[32];

	if (t == TS_NONE) {
		strbuf_addstr(out, "null");
		return;
	}
	ts_format(t, b);
	strbuf_add_json_str(out, b);
}

static void jstr_or_null(struct strbuf *out, const char *s)
{
	if (s)
		strbuf_add_json_str(out, s);
	else
		strbuf_addstr(out, "null");
}

static void jtop(struct strbuf *out, const char *name, const char *keyname,
		 const struct audit_top *t, size_t n)
{
	strbuf_addf(out, ",\n   \"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "%s{\"%s\":", i ? "," : "", keyname);
		strbuf_add_json_str(out, t[i].key);
		strbuf_addf(out, ",\"count\":%llu", (unsigned long long)t[i].count);
		if (!strcmp(keyname, "uri")) {
			strbuf_addstr(out, ",\"raw\":[");
			for (size_t j = 0; j < t[i].nraw; j++) {
				if (j)
					strbuf_addch(out, ',');
				strbuf_add_json_str(out, t[i].raw[j]);
			}
			strbuf_addch(out, ']');
		}
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ']');
}

static void jstrings(struct strbuf *out, const char *name, char *const *v, size_t n)
{
	strbuf_addf(out, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_add_json_str(out, v[i]);
	}
	strbuf_addch(out, ']');
}

static void jgrants(struct strbuf *out, const char *name, const struct audit_grant *g, size_t n)
{
	strbuf_addf(out, ",\n  \"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(out, i ? ",\n   {\"time\":" : "\n   {\"time\":");
		jts(out, g[i].time);
		strbuf_addstr(out, ",\"verb\":");
		jstr_or_null(out, g[i].verb);
		strbuf_addstr(out, ",\"resource\":");
		jstr_or_null(out, g[i].resource);
		strbuf_addstr(out, ",\"namespace\":");
		jstr_or_null(out, g[i].ns);
		strbuf_addstr(out, ",\"name\":");
		jstr_or_null(out, g[i].name);
		if (g[i].known) {
			strbuf_addstr(out, ",\"subjects\":[");
			for (size_t j = 0; j < g[i].nsubjects; j++) {
				if (j)
					strbuf_addch(out, ',');
				strbuf_add_json_str(out, g[i].subjects[j]);
			}
			strbuf_addch(out, ']');
		} else {
			strbuf_addstr(out, ",\"subjects\":null,\"note\":\"subjects unknown\"");
		}
		strbuf_addstr(out, ",\"user\":");
		jstr_or_null(out, g[i].user);
		strbuf_addf(out, ",\"code\":%d,\"file\":", g[i].code);
		strbuf_add_json_str(out, g[i].file);
		strbuf_addf(out, ",\"line\":%llu}", (unsigned long long)g[i].line);
	}
	strbuf_addch(out, ']');
}

void audit_report_json(struct strbuf *out, const void *p)
{
	const struct audit_report *r = p;

	strbuf_addstr(out, "{\"files\":[");
	for (size_t i = 0; i < r->nfiles; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_add_json_str(out, r->files[i]);
	}
	strbuf_addch(out, ']');
	strbuf_addf(out, ",\n  \"bytes\":%llu,\"lines\":%llu,\"events\":%llu,\"requests\":%llu,"
		    "\"malformed\":%llu,\"duplicates\":%llu,\"outside_window\":%llu",
		    (unsigned long long)r->bytes, (unsigned long long)r->lines,
		    (unsigned long long)r->events, (unsigned long long)r->requests,
		    (unsigned long long)r->malformed, (unsigned long long)r->duplicates,
		    (unsigned long long)r->outside);
	jstrings(out, "malformed_examples", r->malformed_examples, r->nmalformed_examples);
	strbuf_addf(out, ",\n  \"unread_lines\":%llu,\"inputs_incomplete\":%llu",
		    (unsigned long long)r->malformed, (unsigned long long)r->inputs_incomplete);
	strbuf_addstr(out, ",\n  \"time_range\":{\"from\":");
	jts(out, r->from);
	strbuf_addstr(out, ",\"to\":");
	jts(out, r->to);
	strbuf_addstr(out, "},\"window\":{\"since\":");
	jts(out, r->since);
	strbuf_addstr(out, ",\"until\":");
	jts(out, r->until);
	strbuf_addf(out, "},\"bucket_seconds\":%.6g,\"gap_seconds\":%.6g",
		    (double)r->bucket_us / 1e6, (double)r->gap_us / 1e6);
	strbuf_addf(out, ",\n  \"anonymous\":{\"requests\":%llu,\"allowed\":%llu,\"denied\":%llu,"
		    "\"other\":%llu,\"incomplete\":%llu,\"by_class\":{",
		    (unsigned long long)r->anon.requests, (unsigned long long)r->anon.allowed,
		    (unsigned long long)r->anon.denied, (unsigned long long)r->anon.other,
		    (unsigned long long)r->anon.incomplete);
	for (int c = 0; c < CL__COUNT; c++)
		strbuf_addf(out, "%s\"%s\":%llu", c ? "," : "", audit_class_name((enum audit_class)c),
			    (unsigned long long)r->anon.by_class[c]);
	strbuf_addstr(out, "},\"allowed_by_class\":{");
	for (int c = 0; c < CL__COUNT; c++)
		strbuf_addf(out, "%s\"%s\":%llu", c ? "," : "", audit_class_name((enum audit_class)c),
			    (unsigned long long)r->anon.allowed_by_class[c]);
	strbuf_addf(out, "},\"distinct_uris\":%llu,\"distinct_sources\":%llu",
		    (unsigned long long)r->anon.distinct_uris,
		    (unsigned long long)r->anon.distinct_sources);
	jtop(out, "top_uris", "uri", r->anon.uris, r->anon.nuris);
	jtop(out, "top_sources", "ip", r->anon.sources, r->anon.nsources);
	strbuf_addstr(out, ",\"sources_note\":\"the last sourceIPs entry is the address the API "
		      "server saw; earlier entries come from X-Forwarded-For/X-Real-Ip headers the "
		      "client can set\"");
	jtop(out, "top_user_agents", "user_agent", r->anon.agents, r->anon.nagents);
	strbuf_addf(out, ",\n   \"allow_ip_given\":%s", r->allow_ip_given ? "true" : "false");
	jtop(out, "health_unlisted_sources", "ip", r->anon.health_sources,
	     r->anon.nhealth_sources);
	strbuf_addf(out, ",\n   \"disagreements\":{\"forbid_but_success_code\":%llu,"
		    "\"allow_but_401_403\":%llu,\"success_code_without_decision\":%llu",
		    (unsigned long long)r->disagree_forbid_success,
		    (unsigned long long)r->disagree_allow_denied,
		    (unsigned long long)r->success_no_decision);
	jstrings(out, "examples", r->disagree_examples, r->ndisagree_examples);
	strbuf_addstr(out, "}},");
	strbuf_addf(out, "\n  \"impersonated_anonymous\":%llu,\"unauthorized_401\":%llu",
		    (unsigned long long)r->impersonated_anon,
		    (unsigned long long)r->unauthorized_401);
	jstrings(out, "impersonated_anonymous_examples", r->imp_examples, r->nimp_examples);
	jgrants(out, "rbac_anonymous_grants", r->grants, r->ngrants);
	strbuf_addf(out, ",\n  \"rbac_subjects_unknown_total\":%llu",
		    (unsigned long long)r->unknown_grants_total);
	jgrants(out, "rbac_subjects_unknown", r->unknown_grants, r->nunknown_grants);
	strbuf_addstr(out, ",\n  \"gaps\":[");
	for (size_t i = 0; i < r->ngaps; i++) {
		strbuf_addstr(out, i ? ",{\"from\":" : "{\"from\":");
		jts(out, r->gaps[i].from);
		strbuf_addstr(out, ",\"to\":");
		jts(out, r->gaps[i].to);
		strbuf_addf(out, ",\"seconds\":%.6f}", (double)(r->gaps[i].to - r->gaps[i].from) / 1e6);
	}
	strbuf_addf(out, "],\"gaps_total\":%llu,\"gaps_truncated\":%s",
		    (unsigned long long)r->gaps_total, r->gaps_truncated ? "true" : "false");
	/* requests judged before their final stage because the auditID table was full */
	strbuf_addf(out, ",\"evicted_open_requests\":%llu", (unsigned long long)r->evicted_pending);
	/* past the bounds on what is kept (docs/audit.md, "Speed and memory") */
	strbuf_addf(out, ",\"anonymous_not_listed\":%llu,\"anonymous_without_details\":%llu",
		    (unsigned long long)r->access_not_listed,
		    (unsigned long long)r->anon_no_detail);
	strbuf_addstr(out, ",\n  \"timeline\":[");
	for (size_t i = 0; i < r->ntimeline; i++) {
		const struct audit_bucket *b = &r->timeline[i];
		strbuf_addstr(out, i ? ",\n   {\"start\":" : "\n   {\"start\":");
		jts(out, b->start);
		strbuf_addf(out, ",\"total\":%u,\"anonymous\":%u,\"anonymous_allowed\":%u,"
			    "\"unauthorized_401\":%u}", b->total, b->anon, b->anon_allowed, b->u401);
	}
	strbuf_addf(out, "],\"timeline_truncated\":%s}", r->timeline_truncated ? "true" : "false");
}

/* ------------------------------------------------------------ text */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static void heading(struct strbuf *out, const char *h, bool color)
{
	if (color)
		strbuf_addf(out, C_BOLD "%s" C_RESET "\n", h);
	else
		strbuf_addf(out, "%s\n", h);
}

static void ttop(struct strbuf *out, const char *title, const struct audit_top *t, size_t n,
		 size_t max)
{
	if (!n)
		return;
	strbuf_addf(out, "  %s:\n", title);
	for (size_t i = 0; i < n && i < max; i++) {
		strbuf_addf(out, "    %8llu  %s", (unsigned long long)t[i].count, t[i].key);
		for (size_t j = 0; j < t[i].nraw; j++)
			strbuf_addf(out, "%s%s", j ? ", " : "  (raw: ", t[i].raw[j]);
		strbuf_addstr(out, t[i].nraw ? ")\n" : "\n");
	}
}

static void tgrants(struct strbuf *out, const struct audit_grant *g, size_t n)
{
	char t[32];

	for (size_t i = 0; i < n; i++) {
		ts_format(g[i].time, t);
		strbuf_addf(out, "    %s %s %s %s%s%s by %s (code %d): ", t, g[i].verb ? g[i].verb : "?",
			    g[i].resource ? g[i].resource : "?", g[i].ns ? g[i].ns : "",
			    g[i].ns ? "/" : "", g[i].name ? g[i].name : "?",
			    g[i].user ? g[i].user : "?", g[i].code);
		if (!g[i].known)
			strbuf_addstr(out, "subjects unknown");
		for (size_t j = 0; j < g[i].nsubjects; j++)
			strbuf_addf(out, "%s%s", j ? ", " : "", g[i].subjects[j]);
		strbuf_addf(out, "  [%s:%llu]\n", g[i].file, (unsigned long long)g[i].line);
	}
}

void audit_report_text(struct strbuf *out, const void *p, bool color)
{
	const struct audit_report *r = p;
	char t1[32], t2[32];
	int64_t row;
	size_t nrows = 0;

	heading(out, "Audit log summary", color);
	ts_format(r->from, t1);
	ts_format(r->to, t2);
	strbuf_addf(out, "  %llu lines, %llu events, %llu requests (by auditID), %llu malformed, "
		    "%llu duplicate lines\n",
		    (unsigned long long)r->lines, (unsigned long long)r->events,
		    (unsigned long long)r->requests, (unsigned long long)r->malformed,
		    (unsigned long long)r->duplicates);
	for (size_t i = 0; i < r->nmalformed_examples; i++)
		strbuf_addf(out, "    malformed: %s\n", r->malformed_examples[i]);
	if (r->malformed || r->inputs_incomplete)
		strbuf_addf(out, "  not read: %llu line%s, %llu input%s not to the end (no verdict "
			    "here is clean)\n",
			    (unsigned long long)r->malformed, r->malformed == 1 ? "" : "s",
			    (unsigned long long)r->inputs_incomplete,
			    r->inputs_incomplete == 1 ? "" : "s");
	strbuf_addf(out, "  time range: %s .. %s\n", t1, t2);
	if (r->outside)
		strbuf_addf(out, "  %llu events outside --since/--until\n",
			    (unsigned long long)r->outside);
	strbuf_addf(out, "  anonymous requests: %llu (allowed %llu, denied %llu, other %llu)\n",
		    (unsigned long long)r->anon.requests, (unsigned long long)r->anon.allowed,
		    (unsigned long long)r->anon.denied, (unsigned long long)r->anon.other);
	strbuf_addstr(out, "    by class:");
	for (int c = 0; c < CL__COUNT; c++)
		strbuf_addf(out, " %s %llu (allowed %llu)%s", audit_class_name((enum audit_class)c),
			    (unsigned long long)r->anon.by_class[c],
			    (unsigned long long)r->anon.allowed_by_class[c], c + 1 < CL__COUNT ? "," : "\n");
	strbuf_addf(out, "  impersonating anonymous: %llu; 401 (failed authentication): %llu\n",
		    (unsigned long long)r->impersonated_anon, (unsigned long long)r->unauthorized_401);
	for (size_t i = 0; i < r->nimp_examples; i++)
		strbuf_addf(out, "    impersonation: %s\n", r->imp_examples[i]);
	if (r->disagree_forbid_success || r->disagree_allow_denied || r->success_no_decision) {
		strbuf_addf(out, "  decision/code disagreements: %llu forbid with success code, "
			    "%llu allow with 401/403, %llu success code without decision\n",
			    (unsigned long long)r->disagree_forbid_success,
			    (unsigned long long)r->disagree_allow_denied,
			    (unsigned long long)r->success_no_decision);
		for (size_t i = 0; i < r->ndisagree_examples; i++)
			strbuf_addf(out, "    %s\n", r->disagree_examples[i]);
	}
	if (r->access_not_listed)
		strbuf_addf(out, "  %llu successful anonymous requests past the finding limits "
			    "(counted, not listed)\n", (unsigned long long)r->access_not_listed);
	if (r->anon_no_detail)
		strbuf_addf(out, "  %llu open anonymous requests judged without their details "
			    "(counted, in no list)\n", (unsigned long long)r->anon_no_detail);
	ttop(out, "top anonymous URIs (query stripped)", r->anon.uris, r->anon.nuris, 10);
	ttop(out, "top anonymous sources (last sourceIPs entry: the peer the API server saw)",
	     r->anon.sources, r->anon.nsources, 10);
	ttop(out, "top anonymous user agents", r->anon.agents, r->anon.nagents, 5);
	ttop(out, r->allow_ip_given ? "health requests from addresses outside --allow-ip"
				    : "health requests by source (no --allow-ip given)",
	     r->anon.health_sources, r->anon.nhealth_sources, 10);
	if (r->ngrants) {
		strbuf_addstr(out, "  RBAC grants to anonymous users:\n");
		tgrants(out, r->grants, r->ngrants);
	}
	if (r->unknown_grants_total) {
		strbuf_addf(out, "  RBAC binding changes without a body (subjects unknown): %llu\n",
			    (unsigned long long)r->unknown_grants_total);
		tgrants(out, r->unknown_grants, r->nunknown_grants < 5 ? r->nunknown_grants : 5);
	}
	for (size_t i = 0; i < r->ngaps && i < 20; i++) {
		ts_format(r->gaps[i].from, t1);
		ts_format(r->gaps[i].to, t2);
		strbuf_addf(out, "  gap: %s .. %s (%.1f s)\n", t1, t2,
			    (double)(r->gaps[i].to - r->gaps[i].from) / 1e6);
	}
	if (r->gaps_total > 20)
		strbuf_addf(out, "  ... %llu gaps in all\n", (unsigned long long)r->gaps_total);
	if (!r->ntimeline)
		return;
	/* the timeline, folded into at most 30 rows of a round width */
	{
		static const int64_t nice[] = { 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
			21600, 43200, 86400, 172800, 604800, 2592000 };
		int64_t first = r->timeline[0].start, last = r->timeline[r->ntimeline - 1].start;
		int64_t width = r->bucket_us;
		uint64_t maxa = 1;
		size_t i = 0;

		for (size_t k = 0; k < sizeof(nice) / sizeof(nice[0]); k++) {
			int64_t w = nice[k] * 1000000LL;
			if (w < r->bucket_us || w % r->bucket_us)
				continue;
			width = w;
			if ((last - first) / w < 30)
				break;
		}
		while ((last - first) / width >= 30)
			width *= 2;
		strbuf_addf(out, "  timeline (rows of %.0f s): start, total, anonymous, "
			    "anonymous allowed, 401\n", (double)width / 1e6);
		for (int pass = 0; pass < 2; pass++) {
			for (i = 0; i < r->ntimeline && nrows < 64;) {
				uint64_t tot = 0, an = 0, al = 0, u = 0;
				int bar;
				row = r->timeline[i].start - ((r->timeline[i].start % width) + width) % width;
				while (i < r->ntimeline && r->timeline[i].start < row + width) {
					tot += r->timeline[i].total;
					an += r->timeline[i].anon;
					al += r->timeline[i].anon_allowed;
					u += r->timeline[i].u401;
					i++;
				}
				if (pass == 0) {
					if (an > maxa)
						maxa = an;
					continue;
				}
				ts_format(row, t1);
				bar = (int)(an * 30 / maxa);
				strbuf_addf(out, "    %.19s %9llu %8llu %8llu %7llu  ", t1,
					    (unsigned long long)tot, (unsigned long long)an,
					    (unsigned long long)al, (unsigned long long)u);
				for (int k = 0; k < bar; k++)
					strbuf_addch(out, '#');
				strbuf_addch(out, '\n');
				nrows++;
			}
		}
	}
}
