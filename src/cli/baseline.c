/* --baseline FILE: only the findings that are new since an earlier report. */
#include "cli/baseline.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/section.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "report/model.h"
#include "sources/file.h"
#include "core/banned.h"

/* read whole and parsed by cJSON (about 4x its size): 16 MiB keeps memory under 100 MB */
#define BASELINE_MAX (16u << 20)

struct old {
	char fp[65];
	const cJSON *f;
	bool seen;
};

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Its fingerprint, or the one rule and target give (reports before it). */
static void old_fingerprint(const cJSON *f, char fp[65])
{
	const char *v = str(f, "fingerprint");
	struct strbuf sb = STRBUF_INIT;
	struct sha256 c;

	if (v && strlen(v) == 64) {
		memcpy(fp, v, 65);
		return;
	}
	strbuf_addf(&sb, "%s\n%s", str(f, "rule") ? str(f, "rule") : "",
		    str(f, "target") ? str(f, "target") : "");
	sha256_init(&c);
	sha256_add(&c, sb.buf, sb.len);
	sha256_final_hex(&c, fp);
	strbuf_release(&sb);
}

/* The baseline's findings that are not PASS. */
static struct old *load(const cJSON *root, size_t *n)
{
	const cJSON *fs = cJSON_GetObjectItemCaseSensitive(root, "findings"), *f;
	struct old *v = xcalloc((size_t)cJSON_GetArraySize(fs) + 1, sizeof(*v));

	*n = 0;
	cJSON_ArrayForEach(f, fs)
	{
		const char *st = str(f, "status");
		if (!cJSON_IsObject(f) || !st || !strcmp(st, "PASS"))
			continue;
		old_fingerprint(f, v[*n].fp);
		v[(*n)++].f = f;
	}
	return v;
}

static int old_cmp(const void *a, const void *b)
{
	return strcmp(((const struct old *)a)->fp, ((const struct old *)b)->fp);
}

/* The first baseline entry with fingerprint fp not matched yet, else any. */
static struct old *find(struct old *v, size_t n, const char *fp)
{
	struct old key, *o;

	memcpy(key.fp, fp, sizeof(key.fp));
	o = bsearch(&key, v, n, sizeof(*v), old_cmp);
	while (o && o > v && !strcmp(o[-1].fp, fp))
		o--;
	for (struct old *p = o; p && p < v + n && !strcmp(p->fp, fp); p++)
		if (!p->seen)
			return p;
	return o;
}

static void section(struct result *res, const char *path, size_t nnew, size_t same,
		    const struct old *v, size_t n)
{
	struct section *s = section_create(SEC_GROUP, "baseline", "baseline (--baseline)");
	struct section *l;
	size_t fixed = 0;

	for (size_t i = 0; i < n; i++)
		fixed += !v[i].seen;
	sec_str(s, "file", path);
	sec_label(sec_uint(s, "new", nnew), "new findings (shown above)");
	sec_label(sec_uint(s, "fixed", fixed), "fixed since the baseline");
	sec_label(sec_uint(s, "unchanged", same), "unchanged (not shown)");
	l = sec_label(sec_list(s, "fixed_findings", NULL), "fixed");
	sec_empty(sec_brk(l, 2), "none");
	for (size_t i = 0; i < n; i++) {
		struct section *g;
		if (v[i].seen)
			continue;
		g = sec_flag(sec_brk(sec_group(l, NULL, NULL), 3), SEC_INLINE);
		sec_str(g, "rule", str(v[i].f, "rule"));
		sec_str(g, "target", str(v[i].f, "target"));
		sec_str(g, "was", str(v[i].f, "status"));
		sec_str(g, "severity", str(v[i].f, "severity"));
		sec_flag(sec_str(g, "fingerprint", v[i].fp), SEC_JSON_ONLY);
	}
	result_add_section(res, s);
}

int baseline_apply(const char *path, struct result *res)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = { 0 };
	cJSON *root;
	struct old *v;
	size_t n, nnew = 0, same = 0;
	bool *keep;
	int code = 0;

	if (file_read(path, NULL, BASELINE_MAX, &sb, &e) < 0) {
		code = cli_error("%s", e.msg);
		goto out;
	}
	root = cJSON_ParseWithLength(sb.buf, sb.len);
	if (!root || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "findings"))) {
		code = cli_error("'%s' is not a kanon JSON report (kanon ... -f json): no findings",
				 path);
		cJSON_Delete(root);
		goto out;
	}
	v = load(root, &n);
	qsort(v, n, sizeof(*v), old_cmp);
	keep = xcalloc(res->n + 1, sizeof(*keep));
	for (size_t i = 0; i < res->n; i++) {
		char fp[65];
		struct old *o;
		if (res->f[i].status == STATUS_PASS)
			continue;
		report_fingerprint(&res->f[i], fp);
		o = find(v, n, fp);
		if (o && !o->seen) {
			o->seen = true;
			same++;
		} else if (!o) {
			keep[i] = true;
			nnew++;
		}
	}
	result_keep(res, keep);
	res->verdict = false;
	section(res, path, nnew, same, v, n);
	free(keep);
	free(v);
	cJSON_Delete(root);
out:
	strbuf_release(&sb);
	return code;
}
