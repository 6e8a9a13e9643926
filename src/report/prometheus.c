/*
 * The Prometheus reporter: the text exposition format (version 0.0.4) for
 * node-exporter's textfile collector (write it with -o to a *.prom file in
 * --collector.textfile.directory; kanon's -o writes atomically, as the
 * collector needs). Gauges: the findings by rule, severity and status,
 * the audit log's anonymous requests by class and outcome, the attack
 * paths, the scan's duration and time, and the build.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/version.h"
#include "report/model.h"
#include "report/report.h"
#include "core/banned.h"

/*
 * A label value: made visible as in the text format (no control
 * character or invalid UTF-8 reaches the file), then backslash and
 * double quote escaped as the exposition format requires.
 */
void report_prom_label(struct strbuf *out, const char *name, const char *value, bool more)
{
	struct strbuf c = STRBUF_INIT;

	strbuf_add_cleanstr(&c, value ? value : "");
	strbuf_addf(out, "%s=\"", name);
	for (size_t i = 0; i < c.len; i++) {
		if (c.buf[i] == '\\' || c.buf[i] == '"')
			strbuf_addch(out, '\\');
		strbuf_addch(out, c.buf[i]);
	}
	strbuf_addf(out, "\"%s", more ? "," : "");
	strbuf_release(&c);
}

static void family(struct strbuf *out, const char *name, const char *help)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

struct count {
	const struct finding *f;
	size_t n;
};

static int count_cmp(const void *a, const void *b)
{
	const struct finding *x = ((const struct count *)a)->f, *y = ((const struct count *)b)->f;
	int c = strcmp(x->rule->id, y->rule->id);

	if (c)
		return c;
	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	return x->status < y->status ? -1 : x->status > y->status;
}

/* kanon_findings{rule,severity,status}: one series per combination seen. */
static void findings_metric(struct strbuf *out, const struct result *r)
{
	struct count *c = xcalloc(r->n ? r->n : 1, sizeof(*c));
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		c[n].f = &r->f[i];
		c[n++].n = 1;
	}
	qsort(c, n, sizeof(*c), count_cmp);
	family(out, "kanon_findings", "Findings of the last run by rule, severity and status.");
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !count_cmp(&c[i], &c[j]))
			j++;
		strbuf_addstr(out, "kanon_findings{");
		report_prom_label(out, "rule", c[i].f->rule->id, true);
		report_prom_label(out, "severity", severity_name(c[i].f->severity), true);
		report_prom_label(out, "status", status_name(c[i].f->status), false);
		strbuf_addf(out, "} %zu\n", j - i);
		i = j;
	}
	free(c);
}

static const struct section *audit_section(const struct result *r)
{
	for (size_t i = 0; i < r->nsec; i++)
		if (r->sec[i]->key && !strcmp(r->sec[i]->key, "audit"))
			return r->sec[i];
	return NULL;
}

/* kanon_anonymous_requests{class,outcome}: allowed, and the rest. */
static void anonymous_metric(struct strbuf *out, const struct result *r)
{
	const struct section *a = audit_section(r), *by, *allowed;

	family(out, "kanon_anonymous_requests",
	       "Anonymous requests in the audit log by class (health, discovery, sensitive, "
	       "other) and outcome (allowed, not_allowed: denied or without a decision).");
	by = a ? sec_find(a, "anonymous.by_class") : NULL;
	allowed = a ? sec_find(a, "anonymous.allowed_by_class") : NULL;
	for (size_t i = 0; by && i < by->n; i++) {
		const struct section *k = by->kid[i];
		const struct section *al = allowed ? sec_find(allowed, k->key) : NULL;
		uint64_t total = k->type == SEC_UINT ? k->v.u : 0;
		uint64_t ok = al && al->type == SEC_UINT ? al->v.u : 0;
		strbuf_addstr(out, "kanon_anonymous_requests{");
		report_prom_label(out, "class", k->key, true);
		report_prom_label(out, "outcome", "allowed", false);
		strbuf_addf(out, "} %llu\n", (unsigned long long)ok);
		strbuf_addstr(out, "kanon_anonymous_requests{");
		report_prom_label(out, "class", k->key, true);
		report_prom_label(out, "outcome", "not_allowed", false);
		strbuf_addf(out, "} %llu\n", (unsigned long long)(total > ok ? total - ok : 0));
	}
}

static void paths_metric(struct strbuf *out, const struct result *r)
{
	struct report_model m;
	size_t n[SEV__COUNT][2] = {{0}};

	report_model_init(&m, r);
	for (size_t i = 0; i < m.npath; i++)
		n[m.path[i].severity][m.path[i].proved]++;
	family(out, "kanon_attack_paths",
	       "Anonymous attack paths by severity; proved when the audit log or the probe "
	       "confirms them.");
	for (int s = SEV__COUNT - 1; s >= 0; s--)
		for (int p = 1; p >= 0; p--) {
			strbuf_addstr(out, "kanon_attack_paths{");
			report_prom_label(out, "severity", severity_name((enum severity)s), true);
			report_prom_label(out, "proved", p ? "true" : "false", false);
			strbuf_addf(out, "} %zu\n", n[s][p]);
		}
	report_model_release(&m);
}

void report_prometheus(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	(void)o;
	findings_metric(out, r);
	anonymous_metric(out, r);
	paths_metric(out, r);
	if (r->started_us && r->finished_us >= r->started_us) {
		family(out, "kanon_scan_duration_seconds", "How long the run took.");
		strbuf_addf(out, "kanon_scan_duration_seconds %.6f\n",
			    (double)(r->finished_us - r->started_us) / 1e6);
		family(out, "kanon_last_run_timestamp_seconds",
		       "When the run finished, seconds since the epoch.");
		strbuf_addf(out, "kanon_last_run_timestamp_seconds %.3f\n",
			    (double)r->finished_us / 1e6);
	}
	family(out, "kanon_build_info", "The kanon build that wrote these metrics.");
	strbuf_addstr(out, "kanon_build_info{");
	report_prom_label(out, "version", KANON_VERSION, false);
	strbuf_addstr(out, "} 1\n");
}
