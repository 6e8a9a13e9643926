#include "core/finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/section.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const char *const status_names[STATUS__COUNT] = {
    "PASS", "FAIL", "WARN", "UNKNOWN", "INVALID",
};

const char *status_name(enum status s)
{
	return (unsigned)s < STATUS__COUNT ? status_names[s] : "?";
}

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
}

void evidence_set(struct evidence *e, const char *kind, const char *path, int line, const char *key,
		  const char *value, const char *note)
{
	e->kind = kind;
	e->path = xstrdup_or_null(path);
	e->line = line;
	e->key = xstrdup_or_null(key);
	e->value = xstrdup_or_null(value);
	e->note = xstrdup_or_null(note);
}

void evidence_release(struct evidence *e)
{
	free(e->path);
	free(e->key);
	free(e->value);
	free(e->note);
	memset(e, 0, sizeof(*e));
}

static void finding_release(struct finding *f)
{
	for (size_t j = 0; j < f->nev; j++)
		evidence_release(&f->ev[j]);
	free(f->ev);
	for (size_t j = 0; j < f->nfact; j++)
		free(f->fact[j].value);
	free(f->fact);
	free(f->target);
	free(f->message);
	free(f->remediation);
}

void result_keep(struct result *r, const bool *keep)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (!keep[i]) {
			finding_release(&r->f[i]);
			continue;
		}
		r->f[n++] = r->f[i];
	}
	r->n = n;
}

void result_release(struct result *r)
{
	for (size_t i = 0; i < r->n; i++)
		finding_release(&r->f[i]);
	free(r->f);
	for (size_t i = 0; i < r->nd; i++)
		free(r->d[i].text);
	free(r->d);
	for (size_t i = 0; i < r->nsec; i++)
		section_destroy(r->sec[i]);
	free(r->sec);
	result_init(r);
}

void result_add_section(struct result *r, struct section *s)
{
	ALLOC_GROW(r->sec, r->nsec + 1, r->asec);
	r->sec[r->nsec++] = s;
}

struct finding *finding_add(struct result *r, const struct rule *rule, enum status st,
			    enum severity sev, const char *target, const char *remediation,
			    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;
	va_list ap;

	ALLOC_GROW(r->f, r->n + 1, r->alloc);
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->status = st;
	f->severity = sev;
	f->target = xstrdup(target ? target : "");
	f->remediation = xstrdup_or_null(remediation);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	f->message = strbuf_detach(&sb);
	return f;
}

struct evidence *finding_add_evidence(struct finding *f, const char *kind, const char *path,
				      int line, const char *key, const char *value,
				      const char *note)
{
	struct evidence *e;

	ALLOC_GROW(f->ev, f->nev + 1, f->aev);
	e = &f->ev[f->nev++];
	evidence_set(e, kind, path, line, key, value, note);
	return e;
}

void finding_set_fact(struct finding *f, const char *key, const char *value)
{
	if (!value)
		return;
	for (size_t i = 0; i < f->nfact; i++)
		if (!strcmp(f->fact[i].key, key)) {
			free(f->fact[i].value);
			f->fact[i].value = xstrdup(value);
			return;
		}
	ALLOC_GROW(f->fact, f->nfact + 1, f->afact);
	f->fact[f->nfact].key = key;
	f->fact[f->nfact++].value = xstrdup(value);
}

const char *finding_fact(const struct finding *f, const char *key)
{
	for (size_t i = 0; i < f->nfact; i++)
		if (!strcmp(f->fact[i].key, key))
			return f->fact[i].value;
	return NULL;
}

/* One more diagnostic past the limit: counted in the last one. */
static void diag_drop(struct result *r, enum diag_level lvl)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag *last;

	if (!r->ndropped) {
		ALLOC_GROW(r->d, r->nd + 1, r->ad);
		r->d[r->nd].level = lvl;
		r->d[r->nd].text = NULL;
		r->nd++;
	}
	last = &r->d[r->nd - 1];
	r->ndropped++;
	if (lvl < last->level) /* DIAG_ERROR is the most severe */
		last->level = lvl;
	strbuf_addf(&sb,
		    "%zu more diagnostics not shown (kanon keeps the first %d; "
		    "docs/limits.md)",
		    r->ndropped, RESULT_MAX_DIAGS);
	free(last->text);
	last->text = strbuf_detach(&sb);
}

void result_diag(struct result *r, enum diag_level lvl, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (r->nd >= RESULT_MAX_DIAGS) {
		diag_drop(r, lvl);
		return;
	}
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(r->d, r->nd + 1, r->ad);
	r->d[r->nd].level = lvl;
	r->d[r->nd].text = strbuf_detach(&sb);
	r->nd++;
}

void result_count(const struct result *r, size_t counts[STATUS__COUNT])
{
	memset(counts, 0, sizeof(size_t) * STATUS__COUNT);
	for (size_t i = 0; i < r->n; i++)
		counts[r->f[i].status]++;
}

int result_exit_code(const struct result *r, int fail_on)
{
	bool unknown = false, failed = false;

	if (r->input_error)
		return 2;
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[i];
		if (f->status == STATUS_UNKNOWN)
			unknown = true;
		if ((f->status == STATUS_FAIL || f->status == STATUS_INVALID) && fail_on >= 0 &&
		    (int)f->severity >= fail_on)
			failed = true;
	}
	if (unknown)
		return 3;
	return failed ? 1 : 0;
}
