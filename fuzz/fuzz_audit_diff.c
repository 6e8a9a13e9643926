/*
 * libFuzzer target, differential: the fast audit-line scanner (the SSE2
 * walker and the span decoders behind audit_scan_line()) against the tree
 * parser (cJSON, audit_scan_event()) on the same line. When cJSON reads the
 * line as one JSON object, both must make the same records: auditID, stage,
 * stageTimestamp, response code, flags and, for the events kanon keeps the
 * details of, every detail. Also the SSE2 walker against its token-by-token
 * reference (jsonl_walk_until_scalar) for every stop key.
 *
 * Records are compared on JSON text (what cJSON parses, without raw control
 * characters, which cJSON takes and JSON does not). On any other line the
 * scanner's gate, the strict walk (jsonl_walk_strict), must have refused:
 * a line it takes is JSON text cJSON parses, and a line cJSON refuses is
 * never an event on the fast side ({"a":g""} was one, issue 16). The
 * lenient walkers (jsonl_walk_until, only used to peek at timestamps) may
 * still take such text.
 */
#include <stddef.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "checks/audit_int.h"
#include "parsers/jsonl.h"
#include "sources/audit_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void differ(const char *what, size_t i)
{
	fprintf(stderr, "fast scanner and tree parser differ: %s (record %zu)\n", what, i);
	abort();
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void same_str(const char *what, const char *a, const char *b, size_t i)
{
	if (str_eq(a, b))
		return;
	fprintf(stderr, "detail %s: fast \"%s\", tree \"%s\"\n", what, a ? a : "(null)",
		b ? b : "(null)");
	differ(what, i);
}

static void same_detail(const struct adetail *a, const struct adetail *b, size_t i)
{
	if (!a || !b) {
		if (a || b)
			differ("details kept by one side only", i);
		return;
	}
	same_str("uri", a->uri, b->uri, i);
	same_str("verb", a->verb, b->verb, i);
	same_str("user", a->user, b->user, i);
	same_str("ua", a->ua, b->ua, i);
	same_str("srcs", a->srcs, b->srcs, i);
	same_str("src_last", a->src_last, b->src_last, i);
	same_str("resource", a->resource, b->resource, i);
	same_str("ns", a->ns, b->ns, i);
	same_str("name", a->name, b->name, i);
	same_str("sub", a->sub, b->sub, i);
	same_str("decision", a->decision, b->decision, i);
	if (a->rbac != b->rbac || a->nsubjects != b->nsubjects)
		differ("RBAC subjects", i);
	for (size_t k = 0; k < a->nsubjects; k++)
		if (!str_eq(a->subjects[k], b->subjects[k]))
			differ("RBAC subject", i);
}

static void same_records(const struct block *f, const struct block *t)
{
	if (f->nrec != t->nrec)
		differ("number of records", 0);
	for (size_t i = 0; i < f->nrec; i++) {
		const struct arec *a = &f->recs[i], *b = &t->recs[i];

		if ((a->flags & R_MALFORMED) && (b->flags & R_MALFORMED))
			continue; /* unread by both: the rest of the record is not used */
		if (a->hi != b->hi || a->lo != b->lo)
			differ("auditID", i);
		if (a->stage != b->stage || a->ts != b->ts || a->code != b->code)
			differ("stage, stageTimestamp or code", i);
		if (a->flags != b->flags) {
			fprintf(stderr, "flags: fast %#x, tree %#x\n", a->flags, b->flags);
			differ("flags", i);
		}
		same_detail(a->d, b->d, i);
	}
}

static void walkers_agree(const char *p, const char *end)
{
	for (int stop = -1; stop < JK__COUNT; stop++) {
		struct span a[JK__COUNT], b[JK__COUNT];
		bool bs;
		int ra = jsonl_walk_until_bs(p, end, a, stop, &bs);
		int rb = jsonl_walk_until_scalar(p, end, b, stop);

		if (ra != rb) {
			fprintf(stderr, "stop %d: SSE2 %d, reference %d\n", stop, ra, rb);
			differ("SSE2 walker result", (size_t)(stop + 1));
		}
		if (ra < 0)
			continue;
		for (int k = 0; k < JK__COUNT; k++)
			if (a[k].n != b[k].n || (a[k].n && a[k].p != b[k].p))
				differ("SSE2 walker span", (size_t)k);
	}
}

/*
 * cJSON takes every byte up to space as whitespace, raw control characters
 * inside strings and any escape (an invalid \u as U+0000); JSON (RFC 8259)
 * and Go take none of them. Compare only on text without them.
 */
static bool json_text_strict(const char *p, const char *end)
{
	for (; p < end; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r')
			return false;
		if (*p != '\\')
			continue;
		/* cJSON also takes any escape and a \u without 4 hex digits (as U+0000) */
		if (++p >= end || !strchr("\"\\/bfnrtu", *p))
			return false;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (p + i >= end || !isxdigit((unsigned char)p[i]))
					return false;
			p += 4;
		}
	}
	return true;
}

static void block_clear(struct block *b)
{
	for (size_t i = 0; i < b->nrec; i++)
		adetail_free(b->recs[i].d);
	free(b->recs);
	strbuf_release(&b->cri);
	strbuf_release(&b->scratch);
}

/*
 * The strict walk (the fast path's gate) takes only JSON text: where it says
 * 0 the line is RFC 8259 JSON and cJSON parses it too.
 */
static void strict_only_json(const char *p, const char *end, const cJSON *o)
{
	struct span f[JK__COUNT], g[JK__COUNT];
	const char *bs, *bs2; /* the first backslash: the same byte at every level */
	int r;

	/*
	 * the SSE2, AVX2 and AVX-512 walks (where the CPU has them) are one
	 * function; the walk with shapes (level 3) twice: its shape is then kept,
	 * and the lines before in the input kept theirs (one thread's cache)
	 */
	jsonl_simd_force(0);
	r = jsonl_walk_strict(p, end, f, &bs);
	for (int level = 1; level <= 4; level++) {
		jsonl_simd_force(level < 4 ? level : 3);
		if (jsonl_walk_strict(p, end, g, &bs2) != r ||
		    (!r && (bs != bs2 || memcmp(f, g, sizeof(f)))))
			differ("the SSE2 and AVX strict walks differ", (size_t)level);
	}
	jsonl_simd_force(-1);
	if (r != 0)
		return;
	if (!o)
		differ("the strict walk took a line cJSON refuses", 0);
	if (!json_text_strict(p, end))
		differ("the strict walk took a line that is not JSON text", 0);
}

/*
 * A line cJSON refuses is malformed on the fast side too: never an event
 * ({"a":g""} and {"a":{"b":tru}} were events there, not JSON to the tree).
 * Lines another format reads (CRI, docker, ...) are not events either way.
 */
static void refused_by_both(const char *p, const char *end)
{
	struct block fast;

	if (p < end && *p != '{')
		return; /* text formats (CRI, export-task lines): not JSON to start with */
	memset(&fast, 0, sizeof(fast));
	audit_scan_line(&fast, p, end, 1);
	audit_fmt_block_end(&fast);
	for (size_t i = 0; i < fast.nrec; i++)
		if (!(fast.recs[i].flags & R_MALFORMED) && !fast.recs[i].fmt)
			differ("an event read from a line cJSON refuses", i);
	block_clear(&fast);
}

/*
 * The line as one of a block's (audit_scan_block): its walk there is
 * scan_fast()'s, which finds the line's end itself (the values before the
 * first backslash are not searched for an escape on either way).
 */
static void same_as_block(const char *p, size_t size, const struct block *tree)
{
	struct audit_block in;

	memset(&in, 0, sizeof(in));
	in.buf = (char *)p;
	in.len = in.cap = size;
	audit_scan_block(&in, 0);
	same_records(in.data, tree);
	audit_block_free(in.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct block fast, tree;
	cJSON *o;
	char *fixed;
	const char *after = NULL;
	bool rest = false;

	if (memchr(p, '\n', size))
		return 0; /* one line */
	/* the tree side as the scanner runs it (slow_path): cJSON would end a
	 * string at an escaped NUL, "system:anonymous\u0000x" read as system:anonymous */
	fixed = audit_nul_escapes_replaced(p, size);
	o = cJSON_ParseWithLengthOpts(fixed ? fixed : p, size, &after, false);
	/* and it counts what cJSON left after the value as unread (AUDIT_TEXT_AFTER) */
	if (o && after)
		for (const char *q = after, *e = (fixed ? fixed : p) + size; q < e && !rest; q++)
			rest = *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n';
	free(fixed);
	/*
	 * The walkers agree on every valid JSON text. On invalid text they may
	 * not: the SSE2 one does not look inside a value between ':' and ','
	 * ({"a":g""} is one member to it, an error to the reference).
	 */
	strict_only_json(p, end, o);
	if (!o)
		refused_by_both(p, end);
	if (!o || !json_text_strict(p, end)) {
		cJSON_Delete(o);
		return 0;
	}
	walkers_agree(p, end);
	if (!cJSON_IsObject(o) || !cJSON_GetObjectItemCaseSensitive(o, "auditID")) {
		cJSON_Delete(o);
		return 0;
	}
	memset(&fast, 0, sizeof(fast));
	memset(&tree, 0, sizeof(tree));
	audit_scan_line(&fast, p, end, 1);
	audit_fmt_block_end(&fast);
	/* as the scanner's slow path reads an object: an Event, or a record of
	 * another format (an object with an auditID but no stage can carry an
	 * Event under some key, a log shipper's record) */
	audit_scan_object(&tree, o, 1);
	if (rest)
		audit_malformed(&tree, 1, AUDIT_TEXT_AFTER);
	audit_fmt_block_end(&tree);
	same_records(&fast, &tree);
	same_as_block(p, size, &tree);
	block_clear(&fast);
	block_clear(&tree);
	cJSON_Delete(o);
	return 0;
}
