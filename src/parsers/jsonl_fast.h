#ifndef KANON_JSONL_FAST_H
#define KANON_JSONL_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

/*
 * JSON strings of the wrapped audit formats (an Event held as the text of a
 * JSON string: CloudWatch messages, docker json-file logs, Azure records),
 * where an escape comes every few bytes (each quote of the Event is \").
 * Both take and refuse exactly the strings jsonl_decode_string() does
 * (strict escapes; \u0000 and a lone surrogate refused; any other byte
 * taken as it is), which tests/unit/test_jsonl_fast.c and fuzz_json check.
 */

/*
 * The string at p (its opening quote) decoded and appended to out with a
 * NUL; returns past its closing quote. NULL (out as it was) when it is not
 * a string of the above.
 */
const char *jsonl_decode_fast(const char *p, const char *end, struct strbuf *out);
/*
 * The same; *nul false when the text appended holds no NUL for sure (a
 * reader that has its length then needs no strlen() to stop where a C
 * string would), true when it may (the SSE2 decoder does not look).
 */
const char *jsonl_decode_fast_nul(const char *p, const char *end, struct strbuf *out, bool *nul);

/*
 * Which decoder jsonl_decode_fast() uses: 0 SSE2, 1 AVX-512 VBMI2 (when the
 * CPU has it; the default), -1 the best; returns the one taken (the tests
 * run each).
 */
int jsonl_fast_force(int level);

/* Past the string at p when jsonl_decode_fast() would take it, else NULL; nothing copied. */
const char *jsonl_check_string(const char *p, const char *end);

/*
 * Past the JSON value at p (at most 64 levels deep, strings as above,
 * blanks inside it), or NULL when it is not one.
 */
const char *jsonl_valid_value(const char *p, const char *end);

/* Of the backslashes bs (bit i: byte i of 64), those that escape the byte after them. */
uint64_t jsonl_escaping(uint64_t bs);

#endif
