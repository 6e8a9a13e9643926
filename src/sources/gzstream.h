#ifndef KANON_GZSTREAM_H
#define KANON_GZSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/*
 * A byte stream from a file or standard input ("-") that is transparently
 * gunzipped when it starts with the gzip magic. Multi-member gzip files
 * (what `cat a.gz b.gz` and some log shippers produce) are read to the
 * end: after each member the inflater is reset for the next one.
 */
struct instream {
	int fd;
	bool gz;
	bool eof;     /* no more output */
	bool raw_eof; /* the file is exhausted */
	const char *name;
	uint64_t raw_read; /* bytes read from the file (progress) */
	uint64_t out_read; /* bytes instream_read() returned (inflated) */
	uint64_t raw_size; /* file size when known, else 0 */
	void *z;	   /* z_stream */
	unsigned char *in;
	size_t in_len, in_pos, in_cap;
	int members;
	struct err perr; /* an error met after data: returned by the next read */
	bool has_perr;
};

/* Opens path ("-": stdin). Returns 0 or -errno with *e set. */
int instream_open(struct instream *s, const char *path, struct err *e);
/* The same for an open descriptor (owned from now on; STDIN_FILENO is
 * never closed), e.g. one a provider opened inside its root. */
int instream_open_fd(struct instream *s, int fd, const char *name, struct err *e);
/*
 * Up to cap bytes of (decompressed) data into buf. Returns the count,
 * 0 at the end, or -1 with *e set (corrupt gzip, read error, a regular
 * file that shrank while read). Data inflated before an error is returned
 * first; the error comes with the next call, and the stream then ends.
 */
ssize_t instream_read(struct instream *s, char *buf, size_t cap, struct err *e);
void instream_close(struct instream *s);

#endif
