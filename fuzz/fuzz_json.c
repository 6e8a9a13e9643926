/*
 * libFuzzer target: the JSON tree parser, the audit-line field scanner, the
 * long-line reducer, and the decoders of the wrapped formats' strings
 * (jsonl_decode_fast, jsonl_check_string) against jsonl_decode_string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/json.h"
#include "parsers/jsonl.h"
#include "parsers/jsonl_fast.h"

static int drop(struct node *n, bool is_item, void *ctx)
{
	(void)is_item;
	(void)ctx;
	node_destroy(n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct span f[JK__COUNT];
	struct err e;

	(void)json_parse_stream(p, size, "fuzz", true, drop, NULL, &e);
	memset(f, 0, sizeof(f));
	if (jsonl_walk(p, end, f) == 0) {
		for (int k = 0; k < JK__COUNT; k++) {
			struct span v;
			size_t it = 0;
			long long i;
			free(jsonl_unescape(&f[k]));
			(void)jsonl_int(&f[k], &i);
			(void)jsonl_obj_get(&f[k], "username", &v);
			while (jsonl_array_next(&f[k], &it, &v))
				free(jsonl_unescape(&v));
		}
	}
	{
		/*
		 * the streaming reducer, fed in two pieces (it does not validate
		 * scalars: what it writes may still be refused by the scanner, which
		 * then counts the line as unread)
		 */
		struct jsonl_reduce r;
		struct strbuf out = STRBUF_INIT;
		jsonl_reduce_init(&r, 256);
		jsonl_reduce_feed(&r, p, size / 2);
		jsonl_reduce_feed(&r, p + size / 2, size - size / 2);
		if (jsonl_reduce_finish(&r, &out, 0))
			(void)jsonl_walk(out.buf, out.buf + out.len, f);
		jsonl_reduce_release(&r);
		strbuf_release(&out);
	}
	{
		/* the input as a string's text (a quote in front): all three agree */
		struct strbuf in = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
		const char *ea, *eb, *ec;

		strbuf_addch(&in, '"');
		strbuf_add(&in, p, size);
		ea = jsonl_decode_string(in.buf, in.buf + in.len, &a);
		eb = jsonl_decode_fast(in.buf, in.buf + in.len, &b);
		ec = jsonl_check_string(in.buf, in.buf + in.len);
		if (ea != eb || ea != ec || a.len != b.len ||
		    (a.len && memcmp(a.buf, b.buf, a.len)))
			abort();
		(void)jsonl_valid_value(p, end);
		strbuf_release(&in);
		strbuf_release(&a);
		strbuf_release(&b);
	}
	(void)ts_parse(p, size > 64 ? 64 : size);
	if (size < 64) {
		char buf[65];
		memcpy(buf, p, size);
		buf[size] = '\0';
		(void)go_duration_us(buf);
	}
	return 0;
}
