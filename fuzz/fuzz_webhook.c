/*
 * libFuzzer target: a `kanon serve` webhook body (an EventList, an array of
 * Events or one Event) through the one-pass splitter and the audit scanner
 * (live_batch_parse), then fed to a live state kept across inputs, as the
 * server keeps one (stage dedup, the bounded tables). A refused body must
 * say why and keep nothing; an accepted one is counted whole.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_live.h"
#include "core/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judged(void *ctx, const struct live_request *r)
{
	(void)ctx;
	/* what an alert line reads */
	if (r->audit_id)
		(void)strlen(r->audit_id);
	if (r->anonymous && (r->cls < 0 || r->cls >= CL__COUNT))
		abort();
	for (size_t i = 0; i < r->nsubjects; i++)
		(void)strlen(r->subjects[i]);
}

/*
 * The byte-at-a-time reference for live_json_end(). A backslash escapes
 * the next byte wherever it is: outside a string it is not JSON, and the
 * event is refused by the scanner whichever way its end was found.
 */
static const char *ref_end(const char *p, const char *end)
{
	char stack[64];
	int depth = 0;
	bool in_str = false, esc = false;

	if (p >= end || (*p != '{' && *p != '['))
		return NULL;
	for (; p < end; p++) {
		char c = *p;
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '\\') {
			p++;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (depth == 64)
				return (const char *)1; /* deeper: not compared */
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (!depth || stack[depth - 1] != (c == '}' ? '{' : '['))
				return NULL;
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct audit_opts o;
	static struct audit_live *live;
	struct live_batch *b = NULL;
	struct strbuf why = STRBUF_INIT;
	struct live_counts before, after;
	uint64_t n0 = 0, n1 = 0;

	if (!live) {
		audit_opts_init(&o);
		live = audit_live_create(&o, judged, NULL);
	}
	/* the 64-byte splitter agrees with the byte-wise reference */
	{
		const char *p = (const char *)data, *end = p + size;
		const char *want = ref_end(p, end);
		if (want != (const char *)1 && live_json_end(p, end) != want)
			abort();
	}
	audit_live_counts(live, &before);
	if (live_batch_parse((const char *)data, size, &b, &why) < 0) {
		if (b || !why.len)
			abort(); /* a refusal keeps nothing and says why */
	} else {
		size_t n = live_batch_events(b);
		audit_live_feed(live, b);
		audit_live_counts(live, &after);
		for (int i = 0; i < LIVE_STAGES; i++) {
			n0 += before.events[i];
			n1 += after.events[i];
		}
		if (n1 - n0 != n)
			abort(); /* every event of an accepted batch is counted */
	}
	strbuf_release(&why);
	return 0;
}
