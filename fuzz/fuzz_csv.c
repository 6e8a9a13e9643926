/*
 * libFuzzer target: the rows of a CSV audit export (src/parsers/csvrows.c).
 * The input, after one byte of options, is the rows after an AKSAudit
 * header: where the reader ends each row (csvrows_line_end()) against where
 * the decoder does, and each row of one line read at once by the scanning
 * threads' way (csvrows_one_line()) against the decoder fed it and its
 * newline: the same Events, objects and unread rows at the same lines,
 * with SSE2 or the best the CPU has (the option byte). The scanning
 * threads' decoder says which Events need no walk (csvrows_want_walk()):
 * each of them is walked here, and must give the spans it said.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "parsers/aks.h"
#include "parsers/csvrows.h"
#include "parsers/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	struct strbuf o;
	struct csvrows *c;
};

/* an Event said to need no walk: the walk's spans are the ones said */
static void walked(const struct csvrows *c, const char *text, size_t n)
{
	const struct aks_walk *w = csvrows_walk(c);
	struct span f[JK__COUNT];
	const char *bs;

	if (jsonl_walk_strict(text, text + n, f, &bs) < 0 || (bs && !w->bs))
		abort();
	for (int k = 0; k < JK__COUNT; k++)
		if (f[k].n != w->f[k].n || (f[k].n && f[k].p != w->f[k].p))
			abort();
}

static void keep(void *ctx, int kind, const char *text, size_t n, uint64_t line)
{
	struct out *out = ctx;
	struct strbuf *o = &out->o;
	char t[32];
	int k = 0;

	if (kind == CSVROWS_AKS_WALKED) {
		walked(out->c, text, n);
		kind = CSVROWS_AKS;
	}

	t[k++] = (char)('0' + kind);
	for (int s = 56; s >= 0; s -= 8)
		t[k++] = (char)(line >> s);
	strbuf_add(o, t, (size_t)k);
	if (text)
		strbuf_add(o, text, n);
	strbuf_addch(o, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "AuditId,Stage,User,RequestUri,TimeGenerated\r\n";
	struct out oa = {STRBUF_INIT, NULL}, ob = {STRBUF_INIT, NULL};
	struct strbuf *a = &oa.o, *b = &ob.o;
	struct csvrows *ca, *cb;
	const char *p, *end;

	if (!size)
		return 0;
	csvrows_simd_force(data[0] & 1);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	ca = oa.c = csvrows_create(keep, &oa);
	cb = ob.c = csvrows_create(keep, &ob);
	csvrows_want_walk(cb);
	csvrows_feed(ca, head, strlen(head), false);
	csvrows_feed(cb, head, strlen(head), false);
	while (p < end) {
		bool multi;
		const char *nl = csvrows_line_end(p, end, &multi);
		uint64_t line = csvrows_line(ca);
		size_t k;

		/* the decoder's end of the row */
		k = csvrows_feed(ca, p, (size_t)(end - p), true);
		if (!nl) {
			/* not one line: the decoder's row is not, or goes past the input */
			if (csvrows_at_row_start(ca) && csvrows_line(ca) == line + 1)
				abort();
			if (multi && csvrows_line(ca) == line)
				abort();
			csvrows_feed(cb, p, k, false);
			p += k;
			continue;
		}
		if (p + k != nl + 1 || !csvrows_at_row_start(ca) || csvrows_line(ca) != line + 1)
			abort();
		csvrows_set_line(cb, line);
		if (!csvrows_one_line(cb, p, (size_t)(nl - p)))
			csvrows_feed(cb, p, (size_t)(nl + 1 - p), false);
		if (!csvrows_at_row_start(cb) || csvrows_line(cb) != line + 1 || a->len != b->len ||
		    memcmp(a->buf ? a->buf : "", b->buf ? b->buf : "", a->len))
			abort();
		p = nl + 1;
	}
	csvrows_finish(ca);
	csvrows_finish(cb);
	if (a->len != b->len || memcmp(a->buf ? a->buf : "", b->buf ? b->buf : "", a->len))
		abort();
	csvrows_destroy(ca);
	csvrows_destroy(cb);
	strbuf_release(a);
	strbuf_release(b);
	return 0;
}
