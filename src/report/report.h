#ifndef KANON_REPORT_H
#define KANON_REPORT_H

#include <stdbool.h>

#include "core/finding.h"
#include "core/strbuf.h"

struct report_opts {
	bool color;
	int verbosity; /* -1 quiet, 0 normal, 1 verbose */
};

struct reporter {
	const char *name;
	void (*write)(struct strbuf *out, const struct result *r, const struct report_opts *o);
};

void report_text(struct strbuf *out, const struct result *r, const struct report_opts *o);
struct jsonw;
/* Start a JSON document on out: the opening brace and the "tool" member. */
void report_json_begin(struct jsonw *w, struct strbuf *out);
void report_json(struct strbuf *out, const struct result *r, const struct report_opts *o);
/* SARIF 2.1.0 for GitHub code scanning (sarif.c) */
void report_sarif(struct strbuf *out, const struct result *r, const struct report_opts *o);
/* JUnit XML: a testsuite per area, a testcase per rule and target (junit.c) */
void report_junit(struct strbuf *out, const struct result *r, const struct report_opts *o);
/* Prometheus text exposition for node-exporter's textfile collector */
void report_prometheus(struct strbuf *out, const struct result *r, const struct report_opts *o);
/* one self-contained HTML file: verdict, paths, audit charts, findings */
void report_html(struct strbuf *out, const struct result *r, const struct report_opts *o);
/* name="value" with value made visible and escaped, a comma when more */
void report_prom_label(struct strbuf *out, const char *name, const char *value, bool more);

/*
 * `kanon rules`: every rule of the registry, as JSON when format is
 * "json", else as text (references and doc page at verbosity >= 1).
 */
void report_rules(struct strbuf *out, const char *format, int verbosity);

/*
 * A new output format is one file in src/report/ with its write
 * function, plus its line in the reporter table (report.c).
 */

/* The reporter for a -f/--format name, or NULL. */
const struct reporter *reporter_find(const char *name);
/* The names of the reporter table, "text, json", for help and errors. */
const char *reporter_names(void);

#endif
