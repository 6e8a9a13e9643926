/* The AKSAudit table of Log Analytics (aks.h). */
#include "parsers/aks.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parsers/jsonl_fast.h"
#include "core/banned.h"

const char *const aks_columns[AKS_NCOLS][2] = {
    {"AuditId", "auditID"},
    {"Stage", "stage"},
    {"RequestUri", "requestURI"},
    {"Verb", "verb"},
    {"User", "user"},
    {"ImpersonatedUser", "impersonatedUser"},
    {"SourceIps", "sourceIPs"},
    {"UserAgent", "userAgent"},
    {"ObjectRef", "objectRef"},
    {"ResponseStatus", "responseStatus"},
    {"RequestObject", "requestObject"},
    {"ResponseObject", "responseObject"},
    {"RequestReceivedTime", "requestReceivedTimestamp"},
    {"StageReceivedTime", "stageTimestamp"},
    {"Annotations", "annotations"},
    {"Level", "level"},
};

const char *const aks_not_row[AKS_NOT_ROW] = {
    "auditID",	"stage",   "protoPayload", "messageType", "events",
    "@message", "message", "records",	   "properties",  "log_s",
};

bool aks_portal_time(const char *s, char *out, size_t n)
{
	unsigned mo, d, y, h, mi, sec;
	char frac[16] = "", ampm[3] = "";
	int used = 0;

	if (sscanf(s, "%2u/%2u/%4u, %2u:%2u:%2u%n", &mo, &d, &y, &h, &mi, &sec, &used) != 6)
		return false;
	s += used;
	if (*s == '.') {
		size_t k = strspn(s + 1, "0123456789");
		if (!k || k >= sizeof(frac))
			return false;
		memcpy(frac, s, k + 1);
		frac[k + 1] = '\0';
		s += k + 1;
	}
	if (*s++ != ' ' || (strcmp(s, "AM") && strcmp(s, "PM")))
		return false;
	memcpy(ampm, s, 2);
	if (!mo || mo > 12 || !d || d > 31 || y < 1970 || !h || h > 12 || mi > 59 || sec > 60)
		return false;
	h = h % 12 + (ampm[0] == 'P' ? 12 : 0);
	return (size_t)snprintf(out, n, "%04u-%02u-%02uT%02u:%02u:%02u%sZ", y, mo, d, h, mi, sec,
				frac) < n;
}

/* How many bytes from i on need no escape: none below 0x20, no '"', no '\\'. */
static size_t plain_run(const char *p, size_t i, size_t n)
{
	size_t j = i;
#ifdef __SSE2__
	const __m128i kq = _mm_set1_epi8('"'), kb = _mm_set1_epi8('\\'), k1f = _mm_set1_epi8(0x1f);

	while (n - j >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
		/* max(v, 0x1f) == 0x1f: v is below 0x20 (unsigned) */
		__m128i bad =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, kq), _mm_cmpeq_epi8(v, kb)),
				 _mm_cmpeq_epi8(_mm_max_epu8(v, k1f), k1f));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);

		if (m)
			return j + (size_t)__builtin_ctz(m) - i;
		j += 16;
	}
#endif
	while (j < n && (unsigned char)p[j] >= 0x20 && p[j] != '"' && p[j] != '\\')
		j++;
	return j - i;
}

void aks_json_string(struct strbuf *o, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	strbuf_grow(o, n + 2);
	strbuf_addch(o, '"');
	while (i < n) {
		/* a run of bytes that need no escape, added at once */
		size_t j = i + plain_run(p, i, n);
		unsigned char c;

		strbuf_add(o, p + i, j - i);
		if (j == n)
			break;
		c = (unsigned char)p[j];
		i = j + 1;
		if (c == '"' || c == '\\') {
			strbuf_addch(o, '\\');
			strbuf_addch(o, (char)c);
		} else if (c == '\n') {
			strbuf_add(o, "\\n", 2);
		} else if (c == '\r') {
			strbuf_add(o, "\\r", 2);
		} else if (c == '\t') {
			strbuf_add(o, "\\t", 2);
		} else {
			strbuf_add(o, "\\u00", 4);
			strbuf_addch(o, hex[c >> 4]);
			strbuf_addch(o, hex[c & 15]);
		}
	}
	strbuf_addch(o, '"');
}

/* One column's value; false as aks_event() says. */
static bool aks_value(struct strbuf *ev, const struct aks_text *v, bool utc, bool clean,
		      struct strbuf *tmp)
{
	char t[40];

	if (utc) {
		strbuf_reset(tmp);
		strbuf_add(tmp, v->p, v->n);
		if (aks_portal_time(tmp->buf, t, sizeof(t))) {
			strbuf_addch(ev, '"');
			strbuf_addstr(ev, t);
			strbuf_addch(ev, '"');
			return true;
		}
	}
	if (v->p[0] != '{' && v->p[0] != '[') {
		aks_json_string(ev, v->p, v->n);
		return true;
	}
	/* cJSON_Parse would also take one value followed by anything: only exactly one */
	if (jsonl_valid_value(v->p, v->p + v->n) != v->p + v->n ||
	    (!clean && memchr(v->p, '\n', v->n)))
		return false;
	strbuf_add(ev, v->p, v->n);
	return true;
}

bool aks_event(struct strbuf *ev, const struct aks_text col[AKS_NCOLS][2], bool clean,
	       struct strbuf *tmp)
{
	strbuf_reset(ev);
	strbuf_addch(ev, '{');
	for (size_t i = 0; i < AKS_NCOLS; i++) {
		const struct aks_text *v = &col[i][0];
		bool utc = false;
		char key[32];
		size_t kn;

		if (!v->n) {
			v = &col[i][1];
			utc = true;
		}
		if (!v->n)
			continue;
		/* a NUL: the reader's decoded string would end there */
		if (!clean && memchr(v->p, '\0', v->n))
			return false;
		/* ,"key": at once (longest key: 24 bytes) */
		key[0] = ',';
		key[1] = '"';
		kn = strlen(aks_columns[i][1]);
		memcpy(key + 2, aks_columns[i][1], kn);
		memcpy(key + 2 + kn, "\":", 2);
		strbuf_add(ev, key + (ev->len > 1 ? 0 : 1), kn + (ev->len > 1 ? 4 : 3));
		if (!aks_value(ev, v, utc, clean, tmp))
			return false;
	}
	strbuf_addch(ev, '}');
	return true;
}
