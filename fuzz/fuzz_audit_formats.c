/*
 * libFuzzer target: the audit formats of issue 10 (src/checks/audit_formats.c,
 * audit_gcp.c): every line of the input through the scanner that recognizes
 * and unwraps CloudWatch, GKE, Azure, CRI, docker and shipper records, with
 * the format given by the first byte (auto or forced).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct block b;
	uint64_t line = 0;

	memset(&b, 0, sizeof(b));
	if (size) {
		b.format = data[0] % AF__COUNT;
		if (data[0] == 0xff)
			b.format = AF_FORCED_NATIVE;
		p++;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		audit_scan_line(&b, p, le, ++line);
		p = nl ? nl + 1 : end;
	}
	audit_fmt_block_end(&b);
	for (size_t i = 0; i < b.nrec; i++) {
		if (b.recs[i].d)
			(void)audit_classify(b.recs[i].d);
		adetail_free(b.recs[i].d);
	}
	free(b.recs);
	strbuf_release(&b.cri);
	strbuf_release(&b.scratch);
	return 0;
}
