/* The JSON reporter: docs/json-output.md is its contract. */
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/rule.h"
#include "core/section.h"
#include "core/util.h"
#include "core/version.h"
#include "parsers/jsonl.h"
#include "report/model.h"
#include "report/report.h"
#include "core/banned.h"

static void evidence_json(struct jsonw *w, const struct evidence *e)
{
	jsonw_object_begin(w);
	jsonw_key(w, "source");
	jsonw_string(w, e->kind);
	jsonw_key(w, "path");
	jsonw_string_or_null(w, e->path);
	jsonw_key(w, "line");
	if (e->line)
		jsonw_int(w, e->line);
	else
		jsonw_null(w);
	jsonw_key(w, "key");
	jsonw_string_or_null(w, e->key);
	jsonw_key(w, "value");
	jsonw_string_or_null(w, e->value);
	jsonw_key(w, "note");
	jsonw_string_or_null(w, e->note);
	jsonw_object_end(w);
}

static void finding_json(struct jsonw *w, const struct finding *f)
{
	char doc[256], fp[65];

	jsonw_break(w, 4);
	jsonw_object_begin(w);
	jsonw_key(w, "rule");
	jsonw_string(w, f->rule->id);
	jsonw_key(w, "status");
	jsonw_string(w, status_name(f->status));
	jsonw_key(w, "severity");
	jsonw_string(w, severity_name(f->severity));
	jsonw_key(w, "title");
	jsonw_string(w, f->rule->title);
	jsonw_key(w, "target");
	jsonw_string(w, f->target);
	jsonw_break(w, 5);
	jsonw_key(w, "message");
	jsonw_string(w, f->message);
	jsonw_break(w, 5);
	jsonw_key(w, "evidence");
	jsonw_array_begin(w);
	/* no arithmetic on a NULL ev: clang 14's UBSan at -O1 flags &f->ev[j]
	 * even in a loop that does not run (found by fuzz_cli) */
	for (const struct evidence *e = f->ev; e && e != f->ev + f->nev; e++) {
		jsonw_break(w, 7);
		evidence_json(w, e);
	}
	jsonw_array_end(w);
	jsonw_break(w, 5);
	jsonw_key(w, "remediation");
	jsonw_string_or_null(w, f->remediation);
	jsonw_break(w, 5);
	jsonw_key(w, "references");
	jsonw_array_begin(w);
	for (size_t j = 0; j < RULE_MAX_REFS && f->rule->refs[j]; j++)
		jsonw_string(w, f->rule->refs[j]);
	jsonw_array_end(w);
	jsonw_key(w, "doc");
	jsonw_string(w, rule_doc(f->rule, doc, sizeof(doc)));
	report_fingerprint(f, fp);
	jsonw_key(w, "fingerprint");
	jsonw_string(w, fp);
	jsonw_object_end(w);
}

static void scalar_json(struct jsonw *w, const struct section *s)
{
	char t[32];

	switch (s->type) {
	case SEC_BOOL:
		jsonw_bool(w, s->v.b);
		break;
	case SEC_INT:
		jsonw_int(w, s->v.i);
		break;
	case SEC_UINT:
		jsonw_uint(w, s->v.u);
		break;
	case SEC_NUMBER:
		jsonw_double(w, s->v.d);
		break;
	case SEC_DECIMAL:
		jsonw_fixed(w, s->v.d, s->prec);
		break;
	case SEC_STRING:
		jsonw_string(w, s->v.s);
		break;
	case SEC_TIME:
		if (s->v.i == SEC_TIME_NONE) {
			jsonw_null(w);
			break;
		}
		ts_format(s->v.i, t);
		jsonw_string(w, t);
		break;
	default:
		jsonw_null(w);
		break;
	}
}

/* A section value: groups are objects, lists and series arrays. */
static void section_json(struct jsonw *w, const struct section *s)
{
	if (sec_is_scalar(s)) {
		scalar_json(w, s);
		return;
	}
	if (s->type == SEC_GROUP)
		jsonw_object_begin(w);
	else
		jsonw_array_begin(w);
	for (size_t i = 0; i < s->n; i++) {
		const struct section *k = s->kid[i];
		if (k->json_indent >= 0)
			jsonw_break(w, k->json_indent);
		if (s->type == SEC_GROUP)
			jsonw_key(w, k->key ? k->key : "");
		section_json(w, k);
	}
	if (s->type == SEC_GROUP)
		jsonw_object_end(w);
	else
		jsonw_array_end(w);
}

void report_json_begin(struct jsonw *w, struct strbuf *out)
{
	jsonw_init(w, out);
	jsonw_object_begin(w);
	jsonw_key(w, "tool");
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	jsonw_string(w, "kanon");
	jsonw_key(w, "version");
	jsonw_string(w, KANON_VERSION);
	jsonw_object_end(w);
}

static void path_json(struct jsonw *w, const struct report_path *p)
{
	jsonw_break(w, 3);
	jsonw_object_begin(w);
	jsonw_key(w, "severity");
	jsonw_string(w, severity_name(p->severity));
	jsonw_key(w, "proved");
	jsonw_bool(w, p->proved);
	jsonw_key(w, "kind");
	jsonw_string(w, p->kind);
	jsonw_key(w, "title");
	jsonw_string(w, p->title);
	jsonw_key(w, "joins");
	jsonw_array_begin(w);
	for (size_t j = 0; j < p->njoin; j++)
		jsonw_string(w, p->join[j]);
	jsonw_array_end(w);
	jsonw_key(w, "findings");
	jsonw_array_begin(w);
	for (size_t j = 0; j < p->nfinding; j++)
		jsonw_uint(w, p->finding[j]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* kanon scan: the verdict and the attack paths (report/model.h). */
static void verdict_json(struct jsonw *w, const struct result *r)
{
	struct report_model m;
	char *text;

	report_model_init(&m, r);
	text = report_verdict_text(&m);
	jsonw_break(w, 1);
	jsonw_key(w, "verdict");
	jsonw_object_begin(w);
	jsonw_key(w, "verdict");
	jsonw_string(w, report_verdict_name(m.verdict));
	jsonw_key(w, "text");
	jsonw_string(w, text);
	jsonw_key(w, "incomplete");
	jsonw_bool(w, m.incomplete);
	jsonw_break(w, 2);
	jsonw_key(w, "problems");
	jsonw_object_begin(w);
	for (int s = SEV__COUNT - 1; s >= 0; s--) {
		jsonw_key(w, severity_name((enum severity)s));
		jsonw_uint(w, m.problems[s]);
	}
	jsonw_object_end(w);
	jsonw_break(w, 2);
	jsonw_key(w, "attack_paths");
	jsonw_array_begin(w);
	for (size_t i = 0; i < m.npath; i++)
		path_json(w, &m.path[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
	free(text);
	report_model_release(&m);
}

void report_json(struct strbuf *out, const struct result *r, const struct report_opts *o)
{
	static const char *const levels[] = {"error", "warning", "note"};
	static const char *const sums[] = {"pass", "fail", "warn", "unknown", "invalid"};
	size_t counts[STATUS__COUNT];
	struct jsonw w;

	(void)o;
	report_json_begin(&w, out);
	jsonw_break(&w, 1);
	jsonw_key(&w, "findings");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->n; i++)
		finding_json(&w, &r->f[i]);
	jsonw_array_end(&w);
	result_count(r, counts);
	jsonw_break(&w, 1);
	jsonw_key(&w, "summary");
	jsonw_object_begin(&w);
	for (size_t i = 0; i < STATUS__COUNT; i++) {
		jsonw_key(&w, sums[i]);
		jsonw_uint(&w, counts[i]);
	}
	jsonw_object_end(&w);
	jsonw_break(&w, 1);
	jsonw_key(&w, "diagnostics");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->nd; i++) {
		jsonw_break(&w, 2);
		jsonw_object_begin(&w);
		jsonw_key(&w, "level");
		jsonw_string(&w, levels[r->d[i].level]);
		jsonw_key(&w, "message");
		jsonw_string(&w, r->d[i].text);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	if (r->verdict)
		verdict_json(&w, r);
	for (size_t i = 0; i < r->nsec; i++) {
		jsonw_break(&w, 1);
		jsonw_key(&w, r->sec[i]->key ? r->sec[i]->key : "");
		section_json(&w, r->sec[i]);
	}
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}
