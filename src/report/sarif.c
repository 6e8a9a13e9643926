/*
 * The SARIF 2.1.0 reporter, as GitHub code scanning ingests it
 * (docs.github.com "SARIF support for code scanning"): one run, the
 * registry's rules with their pages as help, one result per finding that
 * is not PASS, each with a physical location and a fingerprint that stays
 * the same across runs (report/model.h: the finding's identity).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/rule.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "report/model.h"
#include "report/report.h"
#include "report/rule_docs.h"
#include "core/banned.h"

/* GitHub reads properties.security-severity: >= 9.0 critical, 7.0 high,
 * 4.0 medium, 0.1 low (the scores the issue fixes for each level). */
static const char *const security_severity[SEV__COUNT] = {
    [SEV_INFO] = "0.0", [SEV_LOW] = "3.0",	[SEV_MEDIUM] = "5.5",
    [SEV_HIGH] = "8.0", [SEV_CRITICAL] = "9.5",
};

/* FAIL and INVALID are errors from medium up, WARN warnings, UNKNOWN notes. */
static const char *result_level(const struct finding *f)
{
	switch (f->status) {
	case STATUS_FAIL:
	case STATUS_INVALID:
		return f->severity >= SEV_MEDIUM ? "error" : "warning";
	case STATUS_WARN:
		return f->severity > SEV_INFO ? "warning" : "note";
	default:
		return "note";
	}
}

/* The first paragraph of the page's "What it means", on one line. */
static void full_description(struct strbuf *sb, const char *doc, const char *fallback)
{
	const char *p = doc ? strstr(doc, "## What it means\n\n") : NULL, *end;

	if (!p) {
		strbuf_addstr(sb, fallback);
		return;
	}
	p += strlen("## What it means\n\n");
	end = strstr(p, "\n\n");
	if (!end)
		end = p + strlen(p);
	for (; p < end; p++)
		strbuf_addch(sb, *p == '\n' ? ' ' : *p);
}

static void rule_json(struct jsonw *w, const struct check *c, const struct rule *r)
{
	const char *doc = rule_doc_markdown(r->id);
	struct strbuf sb = STRBUF_INIT;

	jsonw_break(w, 4);
	jsonw_object_begin(w);
	jsonw_key(w, "id");
	jsonw_string(w, r->id);
	/* a readable name that differs from the opaque id (SARIF 3.49.7) */
	for (const char *p = r->id; *p; p++)
		if (*p != '-')
			strbuf_addch(&sb, p == r->id || p[-1] == '-' ? (char)(*p & ~0x20) : *p);
	jsonw_key(w, "name");
	jsonw_string(w, sb.buf);
	strbuf_reset(&sb);
	jsonw_key(w, "shortDescription");
	jsonw_object_begin(w);
	jsonw_key(w, "text");
	jsonw_string(w, r->title);
	jsonw_object_end(w);
	full_description(&sb, doc, r->title);
	jsonw_key(w, "fullDescription");
	jsonw_object_begin(w);
	jsonw_key(w, "text");
	jsonw_string(w, sb.buf);
	jsonw_object_end(w);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s%s.md", rule_doc_url_base(), r->id);
	jsonw_key(w, "helpUri");
	jsonw_string(w, sb.buf);
	jsonw_key(w, "help");
	jsonw_object_begin(w);
	jsonw_key(w, "text");
	jsonw_string(w, doc ? doc : r->title);
	jsonw_key(w, "markdown");
	jsonw_string(w, doc ? doc : r->title);
	jsonw_object_end(w);
	jsonw_key(w, "defaultConfiguration");
	jsonw_object_begin(w);
	jsonw_key(w, "level");
	jsonw_string(w, r->severity >= SEV_MEDIUM ? "error" : "warning");
	jsonw_object_end(w);
	jsonw_key(w, "properties");
	jsonw_object_begin(w);
	jsonw_key(w, "security-severity");
	jsonw_string(w, security_severity[r->severity]);
	jsonw_key(w, "precision");
	jsonw_string(w, "high");
	jsonw_key(w, "tags");
	jsonw_array_begin(w);
	jsonw_string(w, "security");
	jsonw_string(w, "kubernetes");
	jsonw_string(w, c->name);
	for (size_t j = 0; j < RULE_MAX_REFS && r->refs[j]; j++)
		jsonw_string(w, r->refs[j]);
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_object_end(w);
	strbuf_release(&sb);
}

static size_t rule_index(const struct rule *r)
{
	size_t n = 0;

	for (size_t i = 0; i < nchecks; i++) {
		const struct check *c = checks[i];
		if (r >= c->rules && r < c->rules + c->nrules)
			return n + (size_t)(r - c->rules);
		n += c->nrules;
	}
	return 0;
}

/* RFC 3986: unreserved characters and '/' as they are, the rest %XX. */
static void uri_add(struct strbuf *sb, const char *s, bool slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) || (slash && *p == '/'))
			strbuf_addch(sb, (char)*p);
		else
			strbuf_addf(sb, "%%%02X", *p);
	}
}

/* The evidence that locates a finding: the last one with a file path
 * (the effective setting, docs/json-output.md). */
static const struct evidence *located(const struct finding *f)
{
	for (size_t j = f->nev; j-- > 0;)
		if (f->ev[j].path && *f->ev[j].path && !strstr(f->ev[j].path, "://"))
			return &f->ev[j];
	return NULL;
}

/*
 * Findings without a file get a stable synthetic path: node/<host>/kubelet,
 * node/<name>/kube-apiserver, k8s/cluster/<Kind>/<name>.yaml for API
 * objects, probe/<host:port>/<path>, else kanon/<rule>/<target>.
 */
static void synthetic_uri(struct strbuf *sb, const struct finding *f)
{
	const char *t = f->target, *rest;

	if (!strncmp(t, "node/", 5)) {
		strbuf_addstr(sb, "node/");
		uri_add(sb, t + 5, false);
		strbuf_addstr(sb, "/kubelet");
	} else if (!strncmp(t, "apiserver/", 10)) {
		strbuf_addstr(sb, "node/");
		uri_add(sb, t + 10, false);
		strbuf_addstr(sb, "/kube-apiserver");
	} else if ((rest = strstr(t, "://"))) {
		strbuf_addstr(sb, "probe/");
		uri_add(sb, rest + 3, true);
	} else if (strchr(t, '/') && strchr("CRN", t[0]) && !strchr(t, ' ')) {
		strbuf_addstr(sb, "k8s/cluster/");
		uri_add(sb, t, true);
		strbuf_addstr(sb, ".yaml");
	} else {
		strbuf_addf(sb, "kanon/%s/", f->rule->id);
		uri_add(sb, *t ? t : "-", false);
	}
}

static void location_json(struct jsonw *w, const struct finding *f)
{
	const struct evidence *e = located(f);
	struct strbuf uri = STRBUF_INIT;

	if (e && e->path[0] == '/') {
		strbuf_addstr(&uri, "file://");
		uri_add(&uri, e->path, true);
	} else if (e) {
		uri_add(&uri, e->path, true);
	} else {
		synthetic_uri(&uri, f);
	}
	jsonw_key(w, "locations");
	jsonw_array_begin(w);
	jsonw_object_begin(w);
	jsonw_key(w, "physicalLocation");
	jsonw_object_begin(w);
	jsonw_key(w, "artifactLocation");
	jsonw_object_begin(w);
	jsonw_key(w, "uri");
	jsonw_string(w, uri.buf);
	jsonw_object_end(w);
	jsonw_key(w, "region");
	jsonw_object_begin(w);
	jsonw_key(w, "startLine");
	jsonw_int(w, e && e->line > 0 ? e->line : 1);
	jsonw_object_end(w);
	jsonw_object_end(w);
	jsonw_object_end(w);
	jsonw_array_end(w);
	strbuf_release(&uri);
}

static void result_json(struct jsonw *w, const struct finding *f)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[SHA256_HEX_LEN];

	jsonw_break(w, 4);
	jsonw_object_begin(w);
	jsonw_key(w, "ruleId");
	jsonw_string(w, f->rule->id);
	jsonw_key(w, "ruleIndex");
	jsonw_uint(w, rule_index(f->rule));
	jsonw_key(w, "level");
	jsonw_string(w, result_level(f));
	jsonw_key(w, "message");
	jsonw_object_begin(w);
	jsonw_key(w, "text");
	strbuf_addf(&sb, "%s %s: %s", status_name(f->status), f->target, f->message);
	if (f->remediation)
		strbuf_addf(&sb, " Fix: %s", f->remediation);
	jsonw_string(w, sb.buf);
	jsonw_object_end(w);
	location_json(w, f);
	report_fingerprint(f, hex);
	jsonw_key(w, "partialFingerprints");
	jsonw_object_begin(w);
	jsonw_key(w, "kanonFindingId/v1");
	jsonw_string(w, hex);
	jsonw_object_end(w);
	jsonw_key(w, "properties");
	jsonw_object_begin(w);
	jsonw_key(w, "status");
	jsonw_string(w, status_name(f->status));
	jsonw_key(w, "severity");
	jsonw_string(w, severity_name(f->severity));
	jsonw_key(w, "security-severity");
	jsonw_string(w, security_severity[f->severity]);
	jsonw_key(w, "target");
	jsonw_string(w, f->target);
	jsonw_object_end(w);
	jsonw_object_end(w);
	strbuf_release(&sb);
}

void report_sarif(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	struct jsonw w;

	(void)o;
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_key(&w, "$schema");
	jsonw_string(&w, "https://json.schemastore.org/sarif-2.1.0.json");
	jsonw_key(&w, "version");
	jsonw_string(&w, "2.1.0");
	jsonw_break(&w, 1);
	jsonw_key(&w, "runs");
	jsonw_array_begin(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "tool");
	jsonw_object_begin(&w);
	jsonw_key(&w, "driver");
	jsonw_object_begin(&w);
	jsonw_key(&w, "name");
	jsonw_string(&w, "kanon");
	jsonw_key(&w, "version");
	jsonw_string(&w, KANON_VERSION);
	jsonw_key(&w, "semanticVersion");
	jsonw_string(&w, KANON_VERSION);
	jsonw_key(&w, "informationUri");
	jsonw_string(&w, rule_doc_url_base());
	jsonw_break(&w, 3);
	jsonw_key(&w, "rules");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < nchecks; i++)
		for (size_t j = 0; j < checks[i]->nrules; j++)
			rule_json(&w, checks[i], &checks[i]->rules[j]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_break(&w, 2);
	jsonw_key(&w, "results");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].status != STATUS_PASS)
			result_json(&w, &r->f[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}
