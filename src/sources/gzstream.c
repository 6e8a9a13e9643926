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
/*
 * The first read only looks for the gzip magic: a plain file's bytes are
 * read into the caller's buffer after it (or mapped), and a fresh 1 MB
 * filled at once cost 256 page faults, 2-3 ms of `kanon audit`'s start on
 * a virtual machine. Its 16 pages are backed in one call (mem_populate()):
 * as faults they were 0.2 ms before the first block.
 */
#define FIRST_READ (64u << 10)

/* strerror() is not thread-safe and streams are read on several threads (GNU strerror_r). */
static const char *errstr(int errnum, char *buf, size_t n)
{
	return strerror_r(errnum, buf, n);
}

/*
 * At the end of a regular file: did it shrink under us (copytruncate
 * rotation)? Then what was read is kept and the rest is reported.
 */
static void check_shrunk(struct instream *s, uint64_t offset)
{
	struct stat st;

	if (s->fd < 0 || fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	if ((uint64_t)st.st_size < offset && !s->has_perr) {
		err_set(&s->perr, NULL, 0,
			"'%s' shrank to %llu bytes while read, at byte %llu (truncated, e.g. by "
			"copytruncate rotation): what it held past that was not read",
			s->name, (unsigned long long)st.st_size, (unsigned long long)offset);
		s->has_perr = true;
	}
}

/* An error after some data: the data is returned now, the error on the next call. */
static void defer_err(struct instream *s, const struct err *e)
{
	if (s->has_perr)
		return;
	s->perr = *e;
	s->has_perr = true;
}

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
		size_t room = s->in_cap - s->in_len;

		if (!s->raw_read && room > FIRST_READ)
			room = FIRST_READ;
		got = read(s->fd, s->in + s->in_len, room);
		if (got < 0 && errno == EINTR)
			continue;
		break;
	}
	if (got < 0) {
		char eb[128];
		return err_set(e, NULL, 0, "cannot read '%s': %s", s->name,
			       errstr(errno, eb, sizeof(eb)));
	}
	if (got == 0) {
		s->raw_eof = true;
		check_shrunk(s, s->raw_read);
	}
	s->in_len += (size_t)got;
	s->raw_read += (uint64_t)got;
	return got;
}

int instream_open(struct instream *s, const char *path, struct err *e)
{
	int fd;
	char eb[128];

	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
		path = "<stdin>";
	} else {
		/*
		 * A path given on purpose may be a FIFO or a pipe (`<(zcat x.gz)`):
		 * open() waits for its writer as the user asked; what it is decides
		 * the rest (fstat), a directory or a socket is refused.
		 */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			int ret = -errno;
			err_set(e, NULL, 0, "cannot read '%s': %s", path,
				errstr(errno, eb, sizeof(eb)));
			return ret;
		}
	}
	return instream_open_fd(s, fd, path, e);
}

int instream_open_fd(struct instream *s, int fd, const char *name, struct err *e)
{
	struct stat st;
	char eb[128];
	const char *path = name;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = fd;
	if (fd != STDIN_FILENO) {
		if (fstat(s->fd, &st) < 0) {
			int ret = -errno;
			err_set(e, NULL, 0, "cannot read '%s': %s", path,
				errstr(errno, eb, sizeof(eb)));
			close(s->fd);
			return ret;
		}
		if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode)) {
			close(s->fd);
			err_set(e, NULL, 0, "cannot read '%s': %s", path,
				S_ISDIR(st.st_mode) ? "Is a directory"
						    : "not a file, FIFO or device");
			return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		}
		if (S_ISREG(st.st_mode)) {
			s->raw_size = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
			posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		}
	}
	s->in_cap = IN_CAP;
	s->in = xmalloc(s->in_cap);
	mem_populate(s->in, FIRST_READ);
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

static ssize_t gz_read(struct instream *s, char *buf, size_t cap, struct err *e);

static ssize_t stream_read(struct instream *s, char *buf, size_t cap, struct err *e)
{
	if (s->eof && s->has_perr) {
		s->has_perr = false;
		if (e)
			*e = s->perr;
		return -1;
	}
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
			if (got < 0) {
				char eb[128];
				return err_set(e, NULL, 0, "cannot read '%s': %s", s->name,
					       errstr(errno, eb, sizeof(eb)));
			}
			s->raw_read += (uint64_t)got;
			if (got == 0) {
				s->eof = true;
				check_shrunk(s, s->raw_read);
				if (s->has_perr)
					return stream_read(s, buf, cap, e);
			}
			return got;
		}
	}
	return gz_read(s, buf, cap, e);
}

ssize_t instream_read(struct instream *s, char *buf, size_t cap, struct err *e)
{
	ssize_t n = stream_read(s, buf, cap, e);

	if (n > 0)
		s->out_read += (uint64_t)n;
	return n;
}

/* The end of the inflated bytes of this call; errors are deferred when data came first. */
static ssize_t gz_done(struct instream *s, char *buf, struct err *tmp, bool failed, struct err *e)
{
	z_stream *z = s->z;
	ssize_t n = (ssize_t)((char *)z->next_out - buf);

	if (!failed)
		return n;
	s->eof = true;
	if (n > 0) {
		defer_err(s, tmp);
		return n;
	}
	if (e)
		*e = *tmp;
	return -1;
}

static ssize_t gz_read(struct instream *s, char *buf, size_t cap, struct err *e)
{
	z_stream *z = s->z;
	struct err tmp = { 0 };
	unsigned want = (unsigned)(cap > (1u << 30) ? (1u << 30) : cap);

	z->next_out = (unsigned char *)buf;
	z->avail_out = want;
	while (z->avail_out > 0) {
		int rc;

		if (s->in_pos >= s->in_len) {
			if (s->raw_eof)
				break;
			if (raw_fill(s, &tmp) < 0)
				return gz_done(s, buf, &tmp, true, e);
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
			 * Trailing zero padding (from some tape/copy tools) ends the data;
			 * anything else after a member is reported, as zcat does.
			 */
			while (s->in_pos >= s->in_len && !s->raw_eof)
				if (raw_fill(s, &tmp) < 0)
					return gz_done(s, buf, &tmp, true, e);
			if (s->in_pos < s->in_len && s->in[s->in_pos] == 0x1f) {
				inflateReset(z);
				s->members++;
				continue;
			}
			if (s->in_pos < s->in_len && s->in[s->in_pos] != 0) {
				err_set(&tmp, NULL, 0,
					"'%s': data after gzip member %d is not gzip: not read",
					s->name, s->members);
				return gz_done(s, buf, &tmp, true, e);
			}
			s->eof = true;
			break;
		}
		if (rc == Z_BUF_ERROR && s->raw_eof && s->in_pos >= s->in_len) {
			err_set(&tmp, NULL, 0, "'%s': gzip data ends early (truncated file)",
				s->name);
			return gz_done(s, buf, &tmp, true, e);
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			err_set(&tmp, NULL, 0,
				"'%s': corrupt gzip data in member %d (%s): the rest is not read",
				s->name, s->members, z->msg ? z->msg : "inflate failed");
			return gz_done(s, buf, &tmp, true, e);
		}
	}
	if (z->avail_out == want && !s->eof && s->raw_eof && s->in_pos >= s->in_len) {
		err_set(&tmp, NULL, 0, "'%s': gzip data ends early (truncated file)", s->name);
		return gz_done(s, buf, &tmp, true, e);
	}
	return gz_done(s, buf, &tmp, false, e);
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
