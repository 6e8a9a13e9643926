/*
 * Event Hub Capture files (docs/audit.md, "Formats"): Azure writes the
 * messages of an Event Hub to storage as Avro object container files
 * (Avro 1.x specification, "Object Container Files"): the magic "Obj" 1, a
 * metadata map (avro.schema: the writer's schema as JSON; avro.codec: null
 * or deflate), a 16-byte sync marker, then blocks: a record count, a byte
 * size, the records (raw deflate for "deflate", RFC 1951) and the marker
 * again. A capture record is EventData: SequenceNumber, Offset,
 * EnqueuedTimeUtc, SystemProperties, Properties, Body; the Body of an AKS
 * diagnostic message is the JSON {"records":[...]} that the Azure format
 * reader reads (src/checks/audit_formats.c).
 *
 * The writer's schema is read to find Body among the fields, whatever
 * comes before it, and every other value is skipped by its type. The input
 * is hostile: every length, count and varint is checked, the schema is
 * refused when a record or an array item could take no bytes at all (a
 * count would then cost time without input), recursion is bounded, nothing
 * but one body (at most 2 MB) and one block (at most 1 MB deflated, 4 MB
 * inflated: AV_WHOLE_IN, AV_WHOLE_OUT) is held, and a larger block is
 * decoded as a stream (64 KB of file, 64 KB inflated), whatever its size.
 * A file that breaks any rule is read up to there and reported incomplete.
 * Inflating is ISA-L's (libisal): 2-3x zlib's speed on these blocks.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/igzip_lib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#endif

#include "sources/audit_doc.h"
#include "sources/audit_stream.h"
#include "core/util.h"
#include "core/banned.h"

#define AV_BUF	     (64u << 10)
#define AV_MAX_META  (1u << 20) /* a metadata value: the schema */
#define AV_MAX_KEYS  1024	/* metadata entries */
#define AV_MAX_TYPES 512
#define AV_MAX_DEPTH 32
#define AV_MAX_BODY  ((2u << 20) - 64)
/*
 * A deflate block of at most 1 MB is read whole and inflated in one call
 * into at most 4 MB (far faster than 64 KB at a time, and its bodies are
 * then used where they are, not copied); a larger one, or one that
 * inflates to more (a bomb), or that is damaged, is streamed as before.
 */
#define AV_WHOLE_IN  (1u << 20)
#define AV_WHOLE_OUT (4u << 20)
/*
 * Blocks read whole are handed on in batches to the scanning threads,
 * which inflate them and make their lines (audit_avro_expand()): the lines
 * of a batch aim at AV_BATCH_AIM bytes (its deflated bytes are chosen from
 * the ratio seen so far) and stop at AV_BATCH_TEXT, where the reader redoes
 * the rest itself, as it does a batch a thread could not read to its end.
 * Lines that fit in the core's L2 cache are still there when the thread
 * scans them: batches of 1 MB of lines took 8-15% more CPU than of 200 KB.
 */
#define AV_BATCH_AIM  (256u << 10)
#define AV_BATCH_TEXT (2u << 20)
/*
 * A block of more deflated data than this is read by the reader, as are
 * all after a few batches stopped: 4 MB of buffers on each of 16 threads,
 * or blocks stopping batch after batch, cost more than they save.
 */
#define AV_BATCH_ONE	(256u << 10)
#define AV_BATCH_STOPS	4
#define AV_BATCH_FIRST	(16u << 10)
#define AV_BATCH_MIN	(4u << 10)
#define AV_BATCH_BLOCKS 8192

enum avk {
	K_NULL,
	K_BOOL,
	K_INT,
	K_LONG,
	K_FLOAT,
	K_DOUBLE,
	K_BYTES,
	K_STRING,
	K_RECORD,
	K_ENUM,
	K_ARRAY,
	K_MAP,
	K_UNION,
	K_FIXED,
};

struct avtype {
	int kind;
	char *name; /* named types: the full name */
	struct avtype **sub;
	size_t nsub;
	int64_t size; /* fixed: its size; enum: its symbols */
	int min;      /* fewest bytes a value takes (-1: being computed) */
};

struct av;

/* A block of a batch: its bytes in the batch's raw, from start; its deflated data */
struct avblk {
	size_t start, data, n;
	int64_t count;
	uint64_t msgs; /* messages before it in the file */
};

/*
 * Blocks read whole, their bytes as they are in the file, handed on
 * (audit_doc.h): a thread that cannot read one of them to its end stops
 * there (stop) and the reader reads the file again from that block's bytes.
 */
struct avbatch {
	struct audit_batch h; /* first: the pipe's view of it */
	struct strbuf raw;
	struct avblk *blk;
	size_t nblk, cap;
	size_t stop;	     /* set by the thread: the block it stopped at */
	const struct av *rd; /* the reader: the schema */
	struct avbatch *next;
};

struct av {
	struct audit_doc *d;
	struct instream *s;
	const char *pre;
	size_t pre_len, pre_pos;
	unsigned char raw[AV_BUF];
	size_t rpos, rlen;
	/* the block being decoded */
	bool in_block, deflate;
	uint64_t left;		/* its (compressed) bytes not yet taken from the file */
	struct inflate_state z; /* ISA-L: 2-3x the speed of zlib's inflate() here */
	bool zend;
	bool cut; /* the file ends inside the block read whole */
	unsigned char out[AV_BUF];
	unsigned char *cur; /* the inflated bytes: out, or blk (the block inflated whole) */
	size_t opos, olen;
	unsigned char *zin, *blk; /* a block read whole, inflated whole */
	size_t zin_cap, blk_cap;
	/* a scanning thread's block inflated whole into its lines' block: lines made in place */
	bool inplace;
	char *bp; /* the body read: in text or in blk */
	size_t bn;
	/* the schema */
	struct avtype types[AV_MAX_TYPES];
	size_t ntypes;
	struct avtype *top;
	size_t body; /* Body's index among the top record's fields */
	char sync[16];
	char why[ERR_MSG_MAX]; /* why the file cannot be read further */
	bool failed;
	uint64_t msgs;
	struct strbuf text;
	/* the reader's batches (deflate): in flight, being filled, its bytes while framed */
	bool par, serial;
	unsigned stops;
	struct avbatch *head, *tail, *fill;
	struct strbuf *capture;
	size_t batch_in, batch_fixed;
	/* bytes read again (a batch stopped), before those not yet taken from raw */
	struct strbuf rep;
	size_t rep_pos;
	bool eof, ioerr;
	char ioerr_msg[ERR_MSG_MAX];
};

static bool fail(struct av *a, const char *why)
{
	if (!a->failed)
		snprintf(a->why, sizeof(a->why), "%s", why);
	a->failed = true;
	return false;
}

/* ------------------------------------------------------------ bytes */

/* Up to AV_BUF bytes of src[*pos..len) into raw; false when none are left. */
static bool fill_from(struct av *a, const char *src, size_t *pos, size_t len)
{
	size_t k = len - *pos;

	if (*pos >= len)
		return false;
	if (k > AV_BUF)
		k = AV_BUF;
	memcpy(a->raw, src + *pos, k);
	*pos += k;
	a->rlen = k;
	return true;
}

static bool file_fill(struct av *a)
{
	struct err e = {0};
	ssize_t n;

	a->rpos = a->rlen = 0;
	/* bytes read again (a batch stopped), then those peeked at, then the file's */
	if (fill_from(a, a->rep.buf, &a->rep_pos, a->rep.len) ||
	    fill_from(a, a->pre, &a->pre_pos, a->pre_len))
		return true;
	/* once met, the end or an error stays (the file is not read again after it) */
	if (a->eof)
		return false;
	if (a->ioerr) {
		snprintf(a->why, sizeof(a->why), "%s", a->ioerr_msg);
		a->failed = true;
		return false;
	}
	n = instream_read(a->s, (char *)a->raw, AV_BUF, &e);
	if (n < 0) {
		snprintf(a->ioerr_msg, sizeof(a->ioerr_msg), "%s", e.msg);
		a->ioerr = true;
		return file_fill(a);
	}
	a->eof = n == 0;
	a->rlen = (size_t)n;
	return n > 0;
}

/* n bytes of the file into dst (NULL: skipped) */
static bool file_get(struct av *a, void *dst, uint64_t n)
{
	unsigned char *o = dst;

	while (n) {
		size_t k;

		if (a->rpos == a->rlen && !file_fill(a))
			return fail(a, "the file ends inside a block");
		k = a->rlen - a->rpos;
		if (k > n)
			k = (size_t)n;
		if (o) {
			memcpy(o, a->raw + a->rpos, k);
			o += k;
		}
		if (a->capture)
			strbuf_add(a->capture, (const char *)a->raw + a->rpos, k);
		a->rpos += k;
		n -= k;
	}
	return true;
}

/* Up to n bytes of the file into dst; fewer at its end or on an error. */
static size_t file_take(struct av *a, unsigned char *dst, size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t k;

		if (a->rpos == a->rlen && !file_fill(a))
			break;
		k = a->rlen - a->rpos;
		if (k > n - got)
			k = n - got;
		memcpy(dst + got, a->raw + a->rpos, k);
		a->rpos += k;
		got += k;
	}
	return got;
}

/* Inflated bytes of the block into dst (at most cap); 0 at its end or on an error. */
static size_t inflate_into(struct av *a, unsigned char *dst, size_t cap)
{
	size_t got = 0;

	while (!a->zend && !got && !a->failed) {
		uint32_t in_before;

		if (!a->z.avail_in && a->left) {
			size_t k;
			if (a->rpos == a->rlen && !file_fill(a))
				return fail(a, "the file ends inside a block");
			k = a->rlen - a->rpos;
			if (k > a->left)
				k = (size_t)a->left;
			a->z.next_in = a->raw + a->rpos;
			a->z.avail_in = (uint32_t)k;
			a->rpos += k;
			a->left -= k;
		}
		in_before = a->z.avail_in;
		a->z.next_out = dst;
		a->z.avail_out = (uint32_t)cap;
		if (isal_inflate(&a->z) != ISAL_DECOMP_OK)
			return fail(a, "a block's deflate data is corrupt");
		got = cap - a->z.avail_out;
		if (a->z.block_state == ISAL_BLOCK_FINISH)
			a->zend = true;
		else if (!got && !a->z.avail_in && !a->left)
			return fail(a, a->cut ? "the file ends inside a block"
					      : "a block's deflate data is cut short");
		else if (!got && a->z.avail_in == in_before)
			return fail(a, "a block's deflate data is corrupt"); /* no progress */
	}
	return got;
}

/* More inflated bytes of the block into out; false at its end or on an error. */
static bool inflate_more(struct av *a)
{
	a->cur = a->out;
	a->opos = 0;
	a->olen = inflate_into(a, a->out, AV_BUF);
	return a->olen > 0;
}

/* n bytes of the block (or of the file between blocks) into dst (NULL: skipped) */
static bool get(struct av *a, void *dst, uint64_t n)
{
	unsigned char *o = dst;

	if (!a->in_block)
		return file_get(a, dst, n);
	if (!a->deflate) {
		if (n > a->left)
			return fail(a, "a value runs past the end of its block");
		a->left -= n;
		return file_get(a, dst, n);
	}
	while (n) {
		size_t k;

		if (a->opos == a->olen && o && n >= 1024) {
			/* a body: inflated where it is kept, not copied there from out */
			if (!(k = inflate_into(a, o, n > AV_BUF * 16 ? AV_BUF * 16 : (size_t)n)))
				return fail(a, "a value runs past the end of its block");
			o += k;
			n -= k;
			continue;
		}
		if (a->opos == a->olen && !inflate_more(a))
			return fail(a, "a value runs past the end of its block");
		k = a->olen - a->opos;
		if (k > n)
			k = (size_t)n;
		if (o) {
			memcpy(o, a->cur + a->opos, k);
			o += k;
		}
		a->opos += k;
		n -= k;
	}
	return true;
}

/* A zigzag varint long (at most 10 bytes, 64 bits). */
static bool get_long(struct av *a, int64_t *v)
{
	uint64_t u = 0;

	if (a->in_block && a->deflate && a->olen - a->opos >= 10) {
		/* all ten bytes at hand: no call per byte */
		const unsigned char *p = a->cur + a->opos;

		for (int i = 0; i < 10; i++) {
			if (i == 9 && p[i] > 1)
				return fail(a, "a number longer than 64 bits");
			u |= (uint64_t)(p[i] & 0x7f) << (7 * i);
			if (!(p[i] & 0x80)) {
				a->opos += (size_t)i + 1;
				*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
				return true;
			}
		}
	}
	for (int i = 0; i < 10; i++) {
		unsigned char c;

		if (!get(a, &c, 1))
			return false;
		if (i == 9 && c > 1)
			return fail(a, "a number longer than 64 bits");
		u |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return true;
		}
	}
	return fail(a, "a number longer than 64 bits");
}

static bool get_len(struct av *a, int64_t *n)
{
	if (!get_long(a, n))
		return false;
	return *n >= 0 || fail(a, "a negative length");
}

/* ------------------------------------------------------------ schema */

static const char *const prim[] = {
    [K_NULL] = "null",	 [K_BOOL] = "boolean",	[K_INT] = "int",     [K_LONG] = "long",
    [K_FLOAT] = "float", [K_DOUBLE] = "double", [K_BYTES] = "bytes", [K_STRING] = "string",
};

static struct avtype *type_new(struct av *a, int kind)
{
	struct avtype *t;

	if (a->ntypes >= AV_MAX_TYPES) {
		fail(a, "the schema has too many types");
		return NULL;
	}
	t = &a->types[a->ntypes++];
	t->kind = kind;
	t->min = -1;
	return t;
}

static struct avtype *named(struct av *a, const char *name, const char *ns)
{
	char full[512];

	snprintf(full, sizeof(full), "%s.%s", ns ? ns : "", name);
	for (size_t i = 0; i < a->ntypes; i++)
		if (a->types[i].name &&
		    (!strcmp(a->types[i].name, name) || !strcmp(a->types[i].name, full)))
			return &a->types[i];
	return NULL;
}

static struct avtype *compile(struct av *a, const cJSON *j, const char *ns, int depth);

static bool compile_subs(struct av *a, struct avtype *t, const cJSON *list, const char *ns,
			 int depth, bool fields)
{
	const cJSON *it;
	size_t n = 0;

	t->nsub = (size_t)cJSON_GetArraySize(list);
	t->sub = xcalloc(t->nsub + 1, sizeof(*t->sub));
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *ty = fields ? cJSON_GetObjectItemCaseSensitive(it, "type") : it;

		if (n >= t->nsub || !(t->sub[n++] = compile(a, ty, ns, depth + 1)))
			return fail(a, "the schema cannot be read");
	}
	return true;
}

/* A record, enum or fixed: registered under its full name before its fields (recursion). */
static struct avtype *compile_named(struct av *a, const cJSON *j, int kind, const char *ns,
				    int depth)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
	const char *nns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "namespace"));
	struct avtype *t;
	char full[512];

	if (!name || !(t = type_new(a, kind)))
		return NULL;
	if (nns)
		ns = nns;
	snprintf(full, sizeof(full), "%s%s%s", strchr(name, '.') || !ns ? "" : ns,
		 strchr(name, '.') || !ns ? "" : ".", name);
	t->name = xstrdup(full);
	if (kind == K_RECORD) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "fields");
		if (!cJSON_IsArray(f) || !compile_subs(a, t, f, ns, depth, true))
			return NULL;
	} else if (kind == K_FIXED) {
		const cJSON *sz = cJSON_GetObjectItemCaseSensitive(j, "size");
		if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble > 1e9)
			return NULL;
		t->size = (int64_t)sz->valuedouble;
	} else {
		const cJSON *sy = cJSON_GetObjectItemCaseSensitive(j, "symbols");
		t->size = cJSON_GetArraySize(sy);
	}
	return t;
}

static struct avtype *compile(struct av *a, const cJSON *j, const char *ns, int depth)
{
	const char *ty;
	struct avtype *t;

	if (!j || depth > AV_MAX_DEPTH)
		return NULL;
	if (cJSON_IsArray(j)) {
		t = type_new(a, K_UNION);
		return t && compile_subs(a, t, j, ns, depth, false) && t->nsub ? t : NULL;
	}
	ty = cJSON_IsString(j) ? j->valuestring
			       : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type"));
	if (!ty)
		return cJSON_IsObject(j)
			   ? compile(a, cJSON_GetObjectItemCaseSensitive(j, "type"), ns, depth + 1)
			   : NULL;
	for (int k = 0; k < (int)ARRAY_SIZE(prim); k++)
		if (!strcmp(ty, prim[k]))
			return type_new(a, k);
	if (cJSON_IsObject(j) && (!strcmp(ty, "record") || !strcmp(ty, "error")))
		return compile_named(a, j, K_RECORD, ns, depth);
	if (cJSON_IsObject(j) && !strcmp(ty, "enum"))
		return compile_named(a, j, K_ENUM, ns, depth);
	if (cJSON_IsObject(j) && !strcmp(ty, "fixed"))
		return compile_named(a, j, K_FIXED, ns, depth);
	if (cJSON_IsObject(j) && (!strcmp(ty, "array") || !strcmp(ty, "map"))) {
		bool arr = !strcmp(ty, "array");
		t = type_new(a, arr ? K_ARRAY : K_MAP);
		if (!t)
			return NULL;
		t->sub = xcalloc(1, sizeof(*t->sub));
		t->nsub = 1;
		t->sub[0] =
		    compile(a, cJSON_GetObjectItemCaseSensitive(j, arr ? "items" : "values"), ns,
			    depth + 1);
		return t->sub[0] ? t : NULL;
	}
	return named(a, ty, ns); /* a reference to a named type defined before */
}

/* The fewest bytes a value of t takes (a recursive reference counts 0). */
static int min_size(struct avtype *t)
{
	int m = 0;

	if (t->min >= 0)
		return t->min;
	t->min = 0; /* while computing: a reference back here */
	switch (t->kind) {
	case K_NULL:
		m = 0;
		break;
	case K_FLOAT:
		m = 4;
		break;
	case K_DOUBLE:
		m = 8;
		break;
	case K_FIXED:
		m = t->size > 1 ? 1 : (int)t->size;
		break;
	case K_RECORD:
		for (size_t i = 0; i < t->nsub && m < 1; i++)
			m += min_size(t->sub[i]);
		break;
	default:
		m = 1;
	}
	t->min = m;
	return m;
}

/* No count may cost time without bytes: no zero-byte record or array item. */
static bool schema_bounded(struct av *a)
{
	for (size_t i = 0; i < a->ntypes; i++)
		a->types[i].min = -1;
	for (size_t i = 0; i < a->ntypes; i++) {
		struct avtype *t = &a->types[i];
		if (t->kind == K_ARRAY && min_size(t->sub[0]) < 1)
			return false;
	}
	return min_size(a->top) >= 1;
}

static bool is_text(const struct avtype *t)
{
	return t->kind == K_BYTES || t->kind == K_STRING;
}

static bool load_schema(struct av *a, const char *text, size_t n)
{
	cJSON *j = cJSON_ParseWithLength(text, n);
	const cJSON *f, *it;
	size_t k = 0;
	bool ok = false;

	if (!j)
		return fail(a, "its schema is not JSON");
	a->top = compile(a, j, NULL, 0);
	f = cJSON_GetObjectItemCaseSensitive(j, "fields");
	if (!a->top || a->top->kind != K_RECORD) {
		fail(a, "its schema is not a record of the Avro types");
		goto out;
	}
	cJSON_ArrayForEach(it, f)
	{
		const char *name =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
		if (name && !strcmp(name, "Body"))
			break;
		k++;
	}
	if (!it || k >= a->top->nsub) {
		fail(a, "its records have no Body field (not an Event Hub Capture file)");
		goto out;
	}
	a->body = k;
	for (size_t i = 0; a->top->sub[k]->kind == K_UNION && i < a->top->sub[k]->nsub; i++)
		ok = ok || is_text(a->top->sub[k]->sub[i]);
	if (!(ok = ok || is_text(a->top->sub[k])))
		fail(a, "its Body field is not bytes");
	else if (!(ok = schema_bounded(a)))
		fail(a, "its schema has records or array items of no bytes");
out:
	cJSON_Delete(j);
	return ok;
}

/* ------------------------------------------------------------ values */

static bool skip_value(struct av *a, const struct avtype *t, int depth);

/* An array's or a map's blocks of items. */
static bool skip_items(struct av *a, const struct avtype *t, int depth)
{
	for (;;) {
		int64_t count, size;

		if (!get_long(a, &count))
			return false;
		if (!count)
			return true;
		if (count < 0) {
			/* a negative count is followed by the block's size in bytes */
			if (count == INT64_MIN || !get_len(a, &size))
				return fail(a, "a bad item count");
			count = -count;
		}
		for (int64_t i = 0; i < count; i++) {
			int64_t n;
			/* a map key, then the value; an array item of at least one byte */
			if (t->kind == K_MAP && (!get_len(a, &n) || !get(a, NULL, (uint64_t)n)))
				return false;
			if (!skip_value(a, t->sub[0], depth + 1))
				return false;
		}
	}
}

static bool skip_value(struct av *a, const struct avtype *t, int depth)
{
	int64_t n;

	if (depth > AV_MAX_DEPTH)
		return fail(a, "values nested too deep");
	switch (t->kind) {
	case K_NULL:
		return true;
	case K_BOOL:
		return get(a, NULL, 1);
	case K_INT:
	case K_LONG:
	case K_ENUM:
		return get_long(a, &n);
	case K_FLOAT:
		return get(a, NULL, 4);
	case K_DOUBLE:
		return get(a, NULL, 8);
	case K_BYTES:
	case K_STRING:
		return get_len(a, &n) && get(a, NULL, (uint64_t)n);
	case K_FIXED:
		return get(a, NULL, (uint64_t)t->size);
	case K_RECORD:
		for (size_t i = 0; i < t->nsub; i++)
			if (!skip_value(a, t->sub[i], depth + 1))
				return false;
		return true;
	case K_UNION:
		if (!get_long(a, &n))
			return false;
		if (n < 0 || (uint64_t)n >= t->nsub)
			return fail(a, "a union branch out of range");
		return skip_value(a, t->sub[n], depth + 1);
	default:
		return skip_items(a, t, depth);
	}
}

enum { BODY_NONE, BODY_TEXT, BODY_LARGE };

/* The Body: kept in a->text when it is bytes or a string of at most 2 MB. */
static bool read_body(struct av *a, const struct avtype *t, int *got)
{
	int64_t n;

	*got = BODY_NONE;
	if (t->kind == K_UNION) {
		if (!get_long(a, &n))
			return false;
		if (n < 0 || (uint64_t)n >= t->nsub)
			return fail(a, "a union branch out of range");
		t = t->sub[n];
	}
	if (!is_text(t))
		return skip_value(a, t, 1);
	if (!get_len(a, &n))
		return false;
	if ((uint64_t)n > AV_MAX_BODY) {
		*got = BODY_LARGE;
		return get(a, NULL, (uint64_t)n);
	}
	*got = BODY_TEXT;
	if (a->in_block && a->deflate && (a->cur == a->blk || a->inplace) &&
	    (uint64_t)n <= a->olen - a->opos) {
		/* in a block inflated whole (never overwritten before its end): used where it is */
		a->bp = (char *)a->cur + a->opos;
		a->bn = (size_t)n;
		a->opos += (size_t)n;
		return true;
	}
	strbuf_reset(&a->text);
	strbuf_grow(&a->text, (size_t)n);
	if (!get(a, a->text.buf, (uint64_t)n))
		return false;
	a->text.len = (size_t)n;
	a->text.buf[n] = '\0';
	a->bp = a->text.buf;
	a->bn = a->text.len;
	return true;
}

/*
 * The n bytes of a body at p made one line at o: newlines (blanks outside
 * JSON strings, not allowed inside them) made spaces; false at a NUL. With
 * o == p (a scanning thread's lines, line_inplace()) nothing is written but
 * the rare newline: a body used to be copied into the block as it was
 * flattened, 9 % of the CPU time of an Event Hub Capture file with the
 * faults of the pages it was copied to. The reader copies (emit_body()).
 */
static bool flat_bytes(char *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (!c)
			return false;
		o[i] = c == '\n' || c == '\r' ? ' ' : c;
	}
	return true;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_FLAT512 1
/* the same, 64 bytes at a time (AVX-512BW), the last ones with a mask */
__attribute__((target("avx512f,avx512bw"))) static bool flat512(char *o, const char *p, size_t n)
{
	const __m512i nl = _mm512_set1_epi8('\n'), cr = _mm512_set1_epi8('\r'),
		      sp = _mm512_set1_epi8(' ');
	size_t i = 0;

	for (;; i += 64) {
		__mmask64 m = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
		__m512i v = _mm512_maskz_loadu_epi8(m, (const void *)(p + i));
		__mmask64 hit = (_mm512_cmpeq_epi8_mask(v, nl) | _mm512_cmpeq_epi8_mask(v, cr)) & m;

		if (_mm512_mask_testn_epi8_mask(m, v, v))
			return false; /* a NUL */
		if (o != p)
			_mm512_mask_storeu_epi8((void *)(o + i), m,
						_mm512_mask_mov_epi8(v, hit, sp));
		else if (hit)
			_mm512_mask_storeu_epi8((void *)(o + i), hit, sp);
		if (n - i <= 64)
			return true;
	}
}
#endif

static bool flat(char *o, const char *p, size_t n)
{
	size_t i = 0;

#ifdef HAVE_FLAT512
	static int avx512 = -1; /* several threads: atomic */
	int have = __atomic_load_n(&avx512, __ATOMIC_RELAXED);

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
		__atomic_store_n(&avx512, have, __ATOMIC_RELAXED);
	}
	if (have && n)
		return flat512(o, p, n);
#endif
#ifdef __SSE2__
	const __m128i kn = _mm_set1_epi8('\n'), kr = _mm_set1_epi8('\r'), kz = _mm_setzero_si128();

	for (; n - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hit =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, kn), _mm_cmpeq_epi8(v, kr)),
				 _mm_cmpeq_epi8(v, kz));

		if (!_mm_movemask_epi8(hit)) {
			if (o != p)
				_mm_storeu_si128((__m128i *)(void *)(o + i), v);
		} else if (!flat_bytes(o + i, p + i, 16)) {
			return false;
		}
	}
#endif
	return flat_bytes(o + i, p + i, n - i);
}

/* Past the blanks a body may start with (newlines among them). */
static const char *body_start(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* A body as a document line: JSON text, its newlines (blanks outside strings) made spaces. */
static void emit_body(struct av *a, int got)
{
	const char *p = a->bp;
	size_t n = a->bn;
	char *o;

	if (got == BODY_LARGE) {
		audit_doc_unread(a->d, AU_AVRO_LARGE, a->msgs);
		return;
	}
	if (got == BODY_NONE) {
		audit_doc_unread(a->d, AU_AVRO_NOBODY, a->msgs);
		return;
	}
	p = body_start(p, p + n);
	n = a->bn - (size_t)(p - a->bp);
	if (!n || (*p != '{' && *p != '[')) {
		audit_doc_unread(a->d, AU_AVRO_NOTTEXT, a->msgs);
		return;
	}
	/* copied into the block as it is made a line: one pass */
	o = audit_doc_room(a->d, n, a->msgs);
	if (!flat(o, p, n)) {
		audit_doc_unroom(a->d);
		audit_doc_unread(a->d, AU_AVRO_NOTTEXT, a->msgs);
	}
}

/*
 * In a block inflated into the lines' block (inflate_lines()), the record
 * at r..end made its line where it is: "\n<message> " and blanks over the
 * fields before the body, blanks after it; or the line of a message not
 * read. False when the record is too short for that (a tiny hostile
 * record: the reader then reads the block the usual way).
 */
static bool line_inplace(struct av *a, int got, char *r, char *end)
{
	char num[24], *p = end, *be = end;
	int k = audit_doc_prefix(num, a->msgs), code = 0;

	if (got == BODY_TEXT && a->bp >= r && a->bp + a->bn <= end) {
		be = a->bp + a->bn;
		p = (char *)body_start(a->bp, be);
		if (p == be || (*p != '{' && *p != '[') || !flat(p, p, (size_t)(be - p)))
			code = AU_AVRO_NOTTEXT;
	} else if (got != BODY_TEXT) {
		code = got == BODY_LARGE ? AU_AVRO_LARGE : AU_AVRO_NOBODY;
	} else {
		code = AU_AVRO_NOTTEXT; /* never: read_body() takes a body inside the block */
	}
	if (code) {
		/* the whole record blanked: a body cut short by a NUL may hold newlines */
		if (end - r < k + 3)
			return false;
		p = be = r + 1 + k;
		*be++ = AUDIT_LINE_UNREAD;
		*be++ = (char)code;
	} else if (p - r < k + 1) {
		return false;
	}
	r[0] = '\n';
	memcpy(r + 1, num, (size_t)k);
	memset(r + 1 + k, ' ', (size_t)(p - (r + 1 + k)));
	memset(be, ' ', (size_t)(end - be));
	return true;
}

static bool read_record(struct av *a)
{
	int got = BODY_NONE;
	size_t rs = a->opos;

	a->msgs++;
	for (size_t i = 0; i < a->top->nsub; i++) {
		bool ok = i == a->body ? read_body(a, a->top->sub[i], &got)
				       : skip_value(a, a->top->sub[i], 1);
		if (!ok)
			return false;
	}
	if (a->inplace)
		return line_inplace(a, got, (char *)a->cur + rs, (char *)a->cur + a->opos);
	emit_body(a, got);
	return true;
}

/* ------------------------------------------------------------ container */

static bool read_meta(struct av *a)
{
	size_t keys = 0;
	bool deflate = false, schema = false;
	struct strbuf v = STRBUF_INIT;

	for (;;) {
		int64_t count, n;
		char key[32];

		if (!get_long(a, &count))
			goto bad;
		if (!count)
			break;
		if (count < 0 && (count == INT64_MIN || !get_len(a, &n)))
			goto bad;
		count = count < 0 ? -count : count;
		for (int64_t i = 0; i < count; i++) {
			if (++keys > AV_MAX_KEYS || !get_len(a, &n))
				goto bad;
			memset(key, 0, sizeof(key));
			if (!get(a, (uint64_t)n < sizeof(key) ? key : NULL, (uint64_t)n) ||
			    !get_len(a, &n) || (uint64_t)n > AV_MAX_META)
				goto bad;
			strbuf_reset(&v);
			strbuf_grow(&v, (size_t)n);
			if (!get(a, v.buf, (uint64_t)n))
				goto bad;
			v.len = (size_t)n;
			if (!strcmp(key, "avro.schema")) {
				if (schema || !load_schema(a, v.buf, v.len))
					goto bad;
				schema = true;
			} else if (!strcmp(key, "avro.codec")) {
				deflate = v.len == 7 && !memcmp(v.buf, "deflate", 7);
				if (!deflate && !(v.len == 4 && !memcmp(v.buf, "null", 4)))
					fail(a, "its codec is neither null nor deflate");
			}
		}
	}
	strbuf_release(&v);
	a->deflate = deflate;
	if (!schema)
		return fail(a, "its header has no avro.schema");
	return !a->failed;
bad:
	strbuf_release(&v);
	return fail(a, "its header cannot be read");
}

static bool at_end(struct av *a)
{
	return a->rpos == a->rlen && !file_fill(a) && !a->failed;
}

static void inflate_restart(struct av *a)
{
	isal_inflate_reset(&a->z);
	a->z.crc_flag = ISAL_DEFLATE; /* raw RFC 1951 data, 32 KB of history */
	a->z.hist_bits = 0;
}

/* The room first tried for a block inflated whole: JSON deflates to a tenth or so. */
static size_t whole_first(size_t n)
{
	size_t cap = n < AV_WHOLE_OUT / 16 ? n * 16 : AV_WHOLE_OUT;

	return cap < AV_BUF ? AV_BUF : cap;
}

/* The room tried after cap was too small: twice as much, up to AV_WHOLE_OUT. */
static size_t whole_next(size_t cap)
{
	return cap * 2 < AV_WHOLE_OUT ? cap * 2 : AV_WHOLE_OUT;
}

/*
 * The n bytes at in inflated in one call into o (cap bytes): ISA-L's
 * result; when whole, o holds the block's bytes (cur, olen).
 */
static int inflate_at(struct av *a, const unsigned char *in, size_t n, unsigned char *o, size_t cap)
{
	int r;

	inflate_restart(a);
	a->z.next_in = (uint8_t *)(uintptr_t)in; /* ISA-L does not write it */
	a->z.avail_in = (uint32_t)n;
	a->z.next_out = o;
	a->z.avail_out = (uint32_t)cap;
	r = isal_inflate_stateless(&a->z);
	if (r == ISAL_DECOMP_OK) {
		a->cur = o;
		a->olen = cap - a->z.avail_out;
		a->zend = true;
	}
	return r;
}

/* The n bytes at in inflated whole into blk; false: too large or damaged. */
static bool inflate_whole(struct av *a, const unsigned char *in, size_t n)
{
	for (size_t cap = whole_first(n);; cap = whole_next(a->blk_cap)) {
		int r;

		if (a->blk_cap < cap) {
			free(a->blk);
			a->blk = xmalloc(cap);
			a->blk_cap = cap;
		}
		r = inflate_at(a, in, n, a->blk, a->blk_cap);
		if (r == ISAL_DECOMP_OK)
			return true;
		if (r != ISAL_OUT_OVERFLOW || a->blk_cap >= AV_WHOLE_OUT)
			return false;
	}
}

/*
 * A scanning thread: the n bytes at in inflated in one call past the lines
 * of its block (inflate_whole() for the reader), where line_inplace() makes
 * the records lines: the bodies are scanned where they were inflated, a
 * block's worth of memory less, still in the core's cache.
 */
static bool inflate_lines(struct av *a, const unsigned char *in, size_t n)
{
	for (size_t cap = whole_first(n);; cap = whole_next(cap)) {
		/* a byte more: the newline that ends the last record's line */
		unsigned char *o = (unsigned char *)audit_doc_tail(a->d, cap + 1);
		int r = inflate_at(a, in, n, o, cap);

		if (r == ISAL_DECOMP_OK) {
			a->inplace = true;
			return true;
		}
		if (r != ISAL_OUT_OVERFLOW || cap >= AV_WHOLE_OUT)
			return false;
	}
}

/*
 * A deflate block's start: read whole and inflated whole when it is small
 * enough; else (or when that fails: too large inflated, damaged, cut by
 * the end of the file) streamed 64 KB at a time, from the bytes read and
 * then the file, which reads every record up to the damage and says why.
 */
static bool deflate_start(struct av *a)
{
	size_t n = (size_t)a->left, got;

	a->cur = a->out;
	a->opos = a->olen = 0;
	a->zend = a->cut = false;
	inflate_restart(a);
	a->z.avail_in = 0;
	if (a->left > AV_WHOLE_IN)
		return true;
	if (a->zin_cap < n) {
		free(a->zin);
		a->zin = xmalloc(n);
		a->zin_cap = n;
	}
	got = file_take(a, a->zin, n);
	if (a->failed)
		return false; /* the file cannot be read (why is set) */
	a->left = 0;
	if (got == n && inflate_whole(a, a->zin, n))
		return true;
	a->cut = got < n;
	a->cur = a->out;
	a->olen = 0;
	a->zend = false;
	inflate_restart(a);
	a->z.next_in = a->zin;
	a->z.avail_in = (uint32_t)got;
	return true;
}

/* One data block: count, size, the records, the sync marker. */
static bool read_block(struct av *a)
{
	int64_t count, size;
	char sync[16];

	if (!get_long(a, &count) || !get_len(a, &size))
		return false;
	if (count < 0)
		return fail(a, "a negative record count");
	a->in_block = true;
	a->left = (uint64_t)size;
	if (a->deflate && !deflate_start(a))
		return false;
	/* each record takes at least one byte: a count larger than the data ends with it */
	for (int64_t i = 0; i < count; i++)
		if (!read_record(a))
			return false;
	if (a->deflate && (a->opos < a->olen || inflate_more(a) || !a->zend))
		return fail(a, "a block holds more than its records");
	/*
	 * Bytes after the end of the deflate stream are ignored, as zlib-based
	 * readers do: Apache Avro's Python writer leaves 3 bytes of the zlib
	 * checksum there (codecs.py, zlib.compress(data)[2:-1]).
	 */
	if (a->deflate && !file_get(a, NULL, a->left))
		return false;
	if (a->deflate)
		a->left = 0;
	if (!a->deflate && a->left)
		return fail(a, "a block holds more than its records");
	a->in_block = false;
	if (!get(a, sync, sizeof(sync)) || memcmp(sync, a->sync, sizeof(sync)))
		return fail(a, "a block does not end with the file's sync marker");
	return true;
}

/* ------------------------------------------------------------ batches */

/*
 * A scanning thread's decoder (the reader's schema, its own inflater and
 * buffers), kept from one batch to the next.
 */
static _Thread_local struct av *tl_av;

void audit_avro_thread_end(void)
{
	if (!tl_av)
		return;
	strbuf_release(&tl_av->text);
	free(tl_av->blk);
	free(tl_av);
	tl_av = NULL;
}

/*
 * One block of a batch, as read_block() reads a block inflated whole; false
 * where that would not go to the block's end the same way (the reader
 * then reads it itself): inflated larger than AV_WHOLE_OUT or damaged, a
 * record that cannot be read, bytes after the records, too many lines.
 */
static bool expand_block(struct av *w, const struct avbatch *bt, const struct avblk *k)
{
	bool ok = true;

	w->failed = false;
	w->in_block = w->deflate = true;
	w->left = 0;
	w->opos = 0;
	w->msgs = k->msgs;
	if (!inflate_lines(w, (const unsigned char *)bt->raw.buf + k->data, k->n))
		return false;
	for (int64_t i = 0; i < k->count && ok; i++)
		ok = read_record(w);
	w->inplace = false; /* only while the records are made lines */
	if (!ok || w->opos != w->olen || audit_doc_len(w->d) + w->olen > AV_BATCH_TEXT)
		return false;
	w->cur[w->olen] = '\n';
	audit_doc_add(w->d, w->olen + 1);
	return true;
}

bool audit_avro_expand(struct audit_doc *d, struct audit_batch *h)
{
	struct avbatch *bt = (struct avbatch *)h;
	struct av *w = tl_av;
	size_t j;

	if (!w) {
		w = tl_av = xcalloc(1, sizeof(*w));
		strbuf_init(&w->text);
		isal_inflate_init(&w->z);
	}
	w->d = d;
	w->top = bt->rd->top;
	w->body = bt->rd->body;
	for (j = 0; j < bt->nblk; j++) {
		size_t mark = audit_doc_len(d);

		if (!expand_block(w, bt, &bt->blk[j])) {
			audit_doc_cut(d, mark);
			bt->stop = j;
			break;
		}
	}
	/* what a large block took goes back: 16 threads each keeping 4 MB broke the 64 MB bound */
	if (w->blk_cap > AV_WHOLE_IN / 2) {
		free(w->blk);
		w->blk = NULL;
		w->blk_cap = 0;
	}
	if (w->text.alloc > AV_BUF)
		strbuf_release(&w->text);
	return j < bt->nblk;
}

static void batch_free(struct avbatch *bt)
{
	if (!bt)
		return;
	strbuf_release(&bt->raw);
	free(bt->blk);
	free(bt);
}

/* The batch being filled handed on (when it holds a block). */
static void batch_hand_on(struct av *a)
{
	struct avbatch *bt = a->fill;

	if (!bt || !bt->nblk)
		return;
	a->fill = NULL;
	if (a->tail)
		a->tail->next = bt;
	else
		a->head = bt;
	a->tail = bt;
	audit_doc_batch(a->d, &bt->h);
}

/*
 * The batches handed on, all done, are forgotten, from the first one a
 * thread stopped in on read again: its bytes from the block it stopped at,
 * those of the batches after it, then tail (the block being framed), then
 * the bytes not yet taken. Returns whether a thread stopped.
 */
static bool batch_redo(struct av *a, const char *tail, size_t tailn)
{
	struct strbuf r = STRBUF_INIT;
	struct avbatch *bt, *stop = NULL;

	batch_hand_on(a);
	for (bt = a->head; bt; bt = bt->next)
		if (audit_doc_done(a->d, &bt->h, true) && bt->h.stopped && !stop)
			stop = bt;
	for (bt = stop; bt; bt = bt->next) {
		size_t from = bt == stop ? bt->blk[bt->stop].start : 0;
		strbuf_add(&r, bt->raw.buf + from, bt->raw.len - from);
	}
	if (stop)
		a->msgs = stop->blk[stop->stop].msgs;
	if (tailn)
		strbuf_add(&r, tail, tailn);
	strbuf_add(&r, (const char *)a->raw + a->rpos, a->rlen - a->rpos);
	if (a->rep_pos < a->rep.len)
		strbuf_add(&r, a->rep.buf + a->rep_pos, a->rep.len - a->rep_pos);
	a->rpos = a->rlen = 0;
	strbuf_release(&a->rep);
	a->rep = r;
	a->rep_pos = 0;
	while ((bt = a->head)) {
		a->head = bt->next;
		batch_free(bt);
	}
	a->tail = NULL;
	if (stop) {
		audit_doc_epoch(a->d); /* the blocks handed on after it are void */
		a->par = ++a->stops < AV_BATCH_STOPS;
	}
	a->failed = false;
	a->serial = true; /* the next block: read here, as before batches */
	return stop != NULL;
}

/*
 * The batches done at the head forgotten (the size of the next one from
 * their ratio); false when one stopped.
 */
static bool batch_reap(struct av *a)
{
	struct avbatch *bt;

	while ((bt = a->head) && audit_doc_done(a->d, &bt->h, false)) {
		if (bt->h.stopped)
			return false;
		if (!a->batch_fixed && bt->h.text) {
			size_t ratio = bt->h.text / (bt->raw.len ? bt->raw.len : 1) + 1;
			a->batch_in = AV_BATCH_AIM / ratio;
			if (a->batch_in < AV_BATCH_MIN)
				a->batch_in = AV_BATCH_MIN;
		}
		a->head = bt->next;
		if (!a->head)
			a->tail = NULL;
		batch_free(bt);
	}
	return true;
}

static void batch_add(struct av *a, size_t start, size_t data, size_t n, int64_t count)
{
	struct avbatch *bt = a->fill;

	if (bt->nblk == bt->cap) {
		bt->cap = bt->cap ? bt->cap * 2 : 64;
		bt->blk = xrealloc(bt->blk, bt->cap * sizeof(*bt->blk));
	}
	bt->blk[bt->nblk++] = (struct avblk){start, data, n, count, a->msgs};
	a->msgs += (uint64_t)count;
}

/*
 * A block framed (count, size, the deflated data whole, the sync marker)
 * into the batch being filled; one that cannot be (too large, negative, cut,
 * a wrong marker, a read error) is read again by read_block(), after the
 * batches before it are done. The reader never inflates here.
 */
static void frame_block(struct av *a)
{
	struct avbatch *bt = a->fill;
	int64_t count = -1, size = -1;
	size_t start, data = 0;
	char sync[16];
	bool ok;

	if (!bt) {
		bt = a->fill = xcalloc(1, sizeof(*bt));
		strbuf_init(&bt->raw);
		bt->rd = a;
	}
	start = bt->raw.len;
	a->capture = &bt->raw;
	ok = get_long(a, &count) && get_len(a, &size) && count >= 0 &&
	     (uint64_t)size <= AV_BATCH_ONE;
	if (ok) {
		data = bt->raw.len;
		ok = file_get(a, NULL, (uint64_t)size) && file_get(a, sync, sizeof(sync)) &&
		     !memcmp(sync, a->sync, sizeof(sync));
	}
	a->capture = NULL;
	if (ok) {
		batch_add(a, start, data, (size_t)size, count);
		if (bt->raw.len >= a->batch_in || bt->nblk >= AV_BATCH_BLOCKS) {
			batch_hand_on(a);
			if (!batch_reap(a))
				batch_redo(a, NULL, 0);
		}
		return;
	}
	/* its bytes go back in front of the file's, read_block() reads them */
	{
		struct strbuf t = STRBUF_INIT;
		if (bt->raw.len > start)
			strbuf_add(&t, bt->raw.buf + start, bt->raw.len - start);
		bt->raw.len = start;
		batch_redo(a, t.buf, t.len);
		strbuf_release(&t);
	}
}

/* The data blocks to the file's end, or to the first that cannot be read. */
static void read_blocks(struct av *a)
{
	for (;;) {
		if (at_end(a)) {
			/* the batches in flight: one stopped, the file is read again from there */
			if (a->par && batch_redo(a, NULL, 0))
				continue;
			a->serial = false;
			return;
		}
		/* what is read again (after a stop: the blocks that were in flight) is read here */
		if (a->par && !a->serial && a->rep_pos == a->rep.len) {
			frame_block(a);
			continue;
		}
		a->serial = false;
		if (!read_block(a))
			return;
	}
}

uint64_t audit_avro_read(struct audit_doc *d, struct instream *s, struct strbuf *pre)
{
	struct av *a = xcalloc(1, sizeof(*a));
	const char *env;
	char magic[4];
	uint64_t msgs;

	a->d = d;
	a->s = s;
	a->pre = pre->buf ? pre->buf : "";
	a->pre_len = pre->len;
	strbuf_init(&a->text);
	strbuf_init(&a->rep);
	isal_inflate_init(&a->z);
	if (!get(a, magic, 4) || memcmp(magic, "Obj\x01", 4) || !read_meta(a) ||
	    !get(a, a->sync, sizeof(a->sync)))
		goto out;
	/*
	 * one scanning thread (a file under 4 MB, --threads 1) would inflate and
	 * scan in turn, where the reader inflating was a second core's work
	 */
	a->par = a->deflate && !getenv("KANON_TEST_AVRO_SERIAL") &&
		 (audit_doc_workers(d) > 1 || getenv("KANON_TEST_AVRO_BATCH"));
	/* the tests: every block read here, or batches of this many bytes */
	if ((env = getenv("KANON_TEST_AVRO_BATCH")))
		a->batch_fixed = (size_t)strtoull(env, NULL, 10);
	a->batch_in = a->batch_fixed ? a->batch_fixed : AV_BATCH_FIRST;
	read_blocks(a);
out:
	if (a->failed) {
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "cannot read '%s' as an Avro container to its end: %s%s", s->name,
			    a->why, a->msgs ? " (read up to there)" : "");
		audit_doc_error(d, msg.buf);
		strbuf_release(&msg);
	}
	msgs = a->msgs;
	for (size_t i = 0; i < a->ntypes; i++) {
		free(a->types[i].name);
		free(a->types[i].sub);
	}
	strbuf_release(&a->text);
	strbuf_release(&a->rep);
	batch_free(a->fill);
	free(a->zin);
	free(a->blk);
	free(a);
	return msgs;
}

bool audit_avro_magic(const char *p, size_t n)
{
	return n >= 4 && !memcmp(p, "Obj\x01", 4);
}
