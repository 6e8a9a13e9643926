/*
 * Strict reading of `kanon audit` partial results (docs/audit.md, "Beyond
 * one machine"). A part is hostile input like a log: its size is bounded,
 * every member is checked for its type and range before it is used, and the
 * first problem stops the merge with one line naming the part.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "checks/audit_part.h"
#include "core/util.h"
#include "core/strbuf.h"
#include "parsers/jsonl.h"
#include "sources/file.h"
#include "core/banned.h"

#define JSON_EXACT_BOUND 9007199254740992.0 /* 2^53: larger numbers are not exact in JSON */

int audit_part_load(const char *path, cJSON **out, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *k, *v;
	cJSON *root = NULL;
	int rc = -1;

	*out = NULL;
	if (file_read(path, NULL, AUDIT_PART_MAX_BYTES, &sb, e) < 0)
		goto out;
	root = cJSON_ParseWithLength(sb.buf, sb.len);
	if (!cJSON_IsObject(root)) {
		err_set(e, NULL, 0, "'%s' is not a kanon audit part: not a JSON object", path);
		goto out;
	}
	k = cJSON_GetObjectItemCaseSensitive(root, "kind");
	v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsString(k) || strcmp(k->valuestring, AUDIT_PART_KIND)) {
		err_set(e, NULL, 0, "'%s' is not a kanon audit part (no \"kind\":\"%s\")", path,
			AUDIT_PART_KIND);
		goto out;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != AUDIT_PART_VERSION) {
		err_set(e, NULL, 0,
			"'%s' is a kanon audit part of another version (this kanon reads "
			"version %d)",
			path, AUDIT_PART_VERSION);
		goto out;
	}
	*out = root;
	root = NULL;
	rc = 0;
out:
	cJSON_Delete(root);
	strbuf_release(&sb);
	return rc;
}

int jrd_fail(struct jrd *j, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (j->bad)
		return -1;
	j->bad = true;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err_set(j->e, NULL, 0, "'%s' is not a valid kanon audit part: %s", j->file, sb.buf);
	strbuf_release(&sb);
	return -1;
}

static const cJSON *member(struct jrd *j, const cJSON *o, const char *k)
{
	const cJSON *v;

	if (j->bad)
		return NULL;
	if (!cJSON_IsObject(o)) {
		jrd_fail(j, "not an object where \"%s\" is expected", k);
		return NULL;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v)
		jrd_fail(j, "\"%s\" is missing", k);
	return v;
}

const cJSON *jrd_obj(struct jrd *j, const cJSON *o, const char *k)
{
	const cJSON *v = member(j, o, k);

	if (v && !cJSON_IsObject(v)) {
		jrd_fail(j, "\"%s\" is not an object", k);
		return NULL;
	}
	return v;
}

const cJSON *jrd_arr(struct jrd *j, const cJSON *o, const char *k, size_t max)
{
	const cJSON *v = member(j, o, k);
	int n;

	if (!v)
		return NULL;
	if (!cJSON_IsArray(v)) {
		jrd_fail(j, "\"%s\" is not an array", k);
		return NULL;
	}
	n = cJSON_GetArraySize(v);
	if (n < 0 || (size_t)n > max) {
		jrd_fail(j, "\"%s\" has %d elements, more than %zu", k, n, max);
		return NULL;
	}
	return v;
}

bool jrd_integral(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= lo &&
	       v->valuedouble <= hi && floor(v->valuedouble) == v->valuedouble;
}

uint64_t jrd_u64(struct jrd *j, const cJSON *o, const char *k, uint64_t max)
{
	const cJSON *v = member(j, o, k);
	double hi = (double)max < JSON_EXACT_BOUND ? (double)max : JSON_EXACT_BOUND;

	if (!v)
		return 0;
	if (!jrd_integral(v, 0, hi)) {
		jrd_fail(j, "\"%s\" is not an integer from 0 to %.0f", k, hi);
		return 0;
	}
	return (uint64_t)v->valuedouble;
}

int64_t jrd_ts(struct jrd *j, const cJSON *o, const char *k)
{
	const cJSON *v = member(j, o, k);

	if (!v || cJSON_IsNull(v))
		return TS_NONE;
	if (!jrd_integral(v, -JSON_EXACT_BOUND, JSON_EXACT_BOUND)) {
		jrd_fail(j, "\"%s\" is not a time in microseconds or null", k);
		return TS_NONE;
	}
	return (int64_t)v->valuedouble;
}

const char *jrd_str(struct jrd *j, const cJSON *o, const char *k, bool null_ok)
{
	const cJSON *v = member(j, o, k);

	if (!v)
		return NULL;
	if (null_ok && cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v) || !v->valuestring) {
		jrd_fail(j, "\"%s\" is not a string%s", k, null_ok ? " or null" : "");
		return NULL;
	}
	return v->valuestring;
}

bool jrd_bool(struct jrd *j, const cJSON *o, const char *k)
{
	const cJSON *v = member(j, o, k);

	if (!v)
		return false;
	if (!cJSON_IsBool(v)) {
		jrd_fail(j, "\"%s\" is not true or false", k);
		return false;
	}
	return cJSON_IsTrue(v);
}

uint64_t jrd_hex64(struct jrd *j, const cJSON *o, const char *k)
{
	const char *s = jrd_str(j, o, k, false);
	uint64_t v = 0;

	if (!s)
		return 0;
	if (strlen(s) != 16)
		goto bad;
	for (int i = 0; i < 16; i++) {
		int h = hex_value(s[i]);
		if (h < 0)
			goto bad;
		v = v << 4 | (uint64_t)h;
	}
	return v;
bad:
	jrd_fail(j, "\"%s\" is not 16 hex digits", k);
	return 0;
}
