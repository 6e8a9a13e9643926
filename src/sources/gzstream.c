#include "sources/gzstream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util.h"
#include "core/banned.h"

#define IN_CAP (1u << 20)

static ssize_t raw_fill(struct instream *s, struct err *e)
{
	ssize_t got;

	if (s->in_pos < s->in_len && s->in_pos > 0) {
		memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
		s->in_len -= s->in_pos;
		s->in_pos = 0;
	} else if (s->in_pos >= s->in_len) {
		s->in_len = s->in_pos = 0;
	}
	for (;;) {
		got = read(s->fd, s->in + s->in_len, s->in_cap - s->in_len);
		if (got < 0 && errno == EINTR)
			continue;
		break;
	}
	if (got < 0)
		return err_set(e, NULL, 0, "cannot read '%s': %s", s->name, strerror(errno));
	if (got == 0)
		s->raw_eof = true;
	s->in_len += (size_t)got;
	s->raw_read += (uint64_t)got;
	return got;
}

int instream_open(struct instream *s, const char *path, struct err *e)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->name = path;
	if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
		s->name = "<stdin>";
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			int ret = -errno;
			err_set(e, NULL, 0, "cannot read '%s': %s", path, strerror(errno));
			return ret;
		}
		if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(s->fd);
			err_set(e, NULL, 0, "cannot read '%s': Is a directory", path);
			return -EISDIR;
		}
		if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode)) {
			s->raw_size = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
			posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		}
	}
	s->in_cap = IN_CAP;
	s->in = xmalloc(s->in_cap);
	/* enough bytes to see the magic, unless the file is shorter */
	while (s->in_len < 2 && !s->raw_eof) {
		if (raw_fill(s, e) < 0) {
			instream_close(s);
			return -EIO;
		}
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		z_stream *z = xcalloc(1, sizeof(*z));
		/* 15 + 16: gzip wrapper only */
		if (inflateInit2(z, 15 + 16) != Z_OK) {
			free(z);
			instream_close(s);
			return err_set(e, NULL, 0, "cannot read '%s': zlib init failed", path);
		}
		s->z = z;
		s->gz = true;
		s->members = 1;
	}
	return 0;
}

ssize_t instream_read(struct instream *s, char *buf, size_t cap, struct err *e)
{
	z_stream *z = s->z;

	if (s->eof || !cap)
		return 0;
	if (!s->gz) {
		size_t n = 0;
		if (s->in_pos < s->in_len) {
			n = s->in_len - s->in_pos < cap ? s->in_len - s->in_pos : cap;
			memcpy(buf, s->in + s->in_pos, n);
			s->in_pos += n;
			return (ssize_t)n;
		}
		for (;;) {
			ssize_t got = read(s->fd, buf, cap);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return err_set(e, NULL, 0, "cannot read '%s': %s", s->name,
					       strerror(errno));
			if (got == 0)
				s->eof = true;
			s->raw_read += (uint64_t)got;
			return got;
		}
	}
	z->next_out = (unsigned char *)buf;
	z->avail_out = (unsigned)(cap > (1u << 30) ? (1u << 30) : cap);
	while (z->avail_out > 0) {
		int rc;

		if (s->in_pos >= s->in_len) {
			if (s->raw_eof) {
				break;
			}
			if (raw_fill(s, e) < 0)
				return -1;
			if (s->in_len == 0 && s->raw_eof)
				break;
		}
		z->next_in = s->in + s->in_pos;
		z->avail_in = (unsigned)(s->in_len - s->in_pos);
		rc = inflate(z, Z_NO_FLUSH);
		s->in_pos = (size_t)(z->next_in - s->in);
		if (rc == Z_STREAM_END) {
			/*
			 * Another member may follow (gzip -c a >x; gzip -c b >>x).
			 * Trailing zero padding (from some tape/copy tools) ends the data.
			 */
			while (s->in_pos >= s->in_len && !s->raw_eof)
				if (raw_fill(s, e) < 0)
					return -1;
			if (s->in_pos < s->in_len && s->in[s->in_pos] == 0x1f) {
				inflateReset(z);
				s->members++;
				continue;
			}
			s->eof = true;
			break;
		}
		if (rc == Z_BUF_ERROR && s->raw_eof && s->in_pos >= s->in_len) {
			err_set(e, NULL, 0, "'%s': gzip data ends early (truncated file)",
				s->name);
			s->eof = true;
			return -1;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			err_set(e, NULL, 0, "'%s': corrupt gzip data: %s", s->name,
				z->msg ? z->msg : "inflate failed");
			s->eof = true;
			return -1;
		}
	}
	if (z->avail_out == (unsigned)(cap > (1u << 30) ? (1u << 30) : cap) && !s->eof &&
	    s->raw_eof && s->in_pos >= s->in_len) {
		err_set(e, NULL, 0, "'%s': gzip data ends early (truncated file)", s->name);
		s->eof = true;
		return -1;
	}
	return (ssize_t)((char *)z->next_out - buf);
}

void instream_close(struct instream *s)
{
	if (s->z) {
		inflateEnd(s->z);
		free(s->z);
	}
	free(s->in);
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
