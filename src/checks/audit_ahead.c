/*
 * What a scanned block holds in memory, for the input pipeline's reading
 * ahead (src/sources/audit_stream.c): when several compressed logs are
 * inflated at once, the blocks of a file not being aggregated yet wait as
 * records, and their weight bounds how far the readers may run ahead.
 */
#include <string.h>

#include "checks/audit_int.h"
#include "core/banned.h"

/* malloc's own bookkeeping per allocation, on 64-bit glibc */
#define ALLOC_OVERHEAD 16

/* a string: its own allocation (each: ALLOC_OVERHEAD) or in a packed detail's (0) */
static size_t str_weight(const char *s, size_t each)
{
	return s ? strlen(s) + 1 + each : 0;
}

static size_t adetail_weight(const struct adetail *d)
{
	const char *const s[] = {d->uri,      d->verb, d->user, d->ua,	d->srcs,     d->src_last,
				 d->resource, d->ns,   d->name, d->sub, d->decision, d->audit_id};
	/* packed (adetail_pack): the strings are in the struct's allocation, all but audit_id
	 * (last) */
	size_t each = d->packed ? 0 : ALLOC_OVERHEAD, n = sizeof(*d) + ALLOC_OVERHEAD;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		n += str_weight(s[i], i + 1 == sizeof(s) / sizeof(s[0]) ? ALLOC_OVERHEAD : each);
	if (d->subjects)
		n += d->nsubjects * sizeof(*d->subjects) + each;
	for (size_t i = 0; i < d->nsubjects; i++)
		n += str_weight(d->subjects[i], each);
	return n;
}

size_t audit_block_weight(const struct block *b)
{
	size_t n;

	if (!b)
		return 0;
	/* scratch: a docker record's or an Azure message's logs, kept until the block is freed */
	n = sizeof(*b) + ALLOC_OVERHEAD + b->arec * sizeof(*b->recs) + b->cri.alloc +
	    b->scratch.alloc;
	for (size_t i = 0; i < b->nrec; i++)
		if (b->recs[i].d)
			n += adetail_weight(b->recs[i].d);
	return n;
}
