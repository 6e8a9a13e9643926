/*
 * Alert output of `kanon serve` (alerts.h). Lines are gathered in a buffer
 * and written at each flush (after each batch the worker feeds, and before
 * a rotation); alerts_sync() fsyncs what was written, from the main
 * thread every 100 ms: an fsync costs milliseconds (5 ms on this test
 * machine's disk), once per batch it limited the worker to 200 batches a
 * second. The webhook forwarder keeps at most FWD_MAX alerts; when
 * the receiver is slow or down the newest are dropped and counted.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "serve/alerts.h"
#include "core/banned.h"

#define FWD_MAX	       4096  /* alerts waiting for the webhook */
#define FWD_TRIES      4     /* attempts per alert */
#define FWD_TIMEOUT_MS 5000L /* per attempt */
#define BUF_FLUSH      (64u << 10)

struct alerts {
	pthread_mutex_t lock;
	char *path; /* NULL: stdout */
	int fd;
	uint64_t size, max_size;
	struct strbuf buf;
	bool dirty; /* written since the last fsync */
	struct alert_counts c;
	/* the webhook forwarder */
	char *url;
	pthread_t fwd;
	bool fwd_started, stopping;
	pthread_cond_t fwd_cond;
	char **ring;
	size_t head, n;
	uint64_t deadline_ns; /* when stopping: give up after */
};

const char *alert_kind_name(enum alert_kind k)
{
	static const char *const names[AK__COUNT] = {"anonymous_request", "rbac_grant", "gap",
						     "gap_end"};
	return (unsigned)k < AK__COUNT ? names[k] : "?";
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int open_file(struct alerts *a, struct err *e)
{
	struct stat st;
	int fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_set(e, NULL, 0, "cannot open '%s': %s", a->path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, NULL, 0, "'%s' is not a regular file", a->path);
	}
	a->fd = fd;
	a->size = (uint64_t)st.st_size;
	return 0;
}

/* Write the buffer out; the caller holds the lock. */
static void write_out(struct alerts *a, bool sync)
{
	size_t off = 0;

	while (off < a->buf.len) {
		ssize_t w = write(a->fd, a->buf.buf + off, a->buf.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* count the lines lost: the buffer holds whole lines */
			for (size_t i = off; i < a->buf.len; i++)
				a->c.write_errors += a->buf.buf[i] == '\n';
			break;
		}
		off += (size_t)w;
	}
	a->size += off;
	a->dirty = a->dirty || off;
	strbuf_reset(&a->buf);
	if (sync && a->path) {
		fsync(a->fd);
		a->dirty = false;
	}
}

/* FILE -> FILE.1 (replacing it), then a new FILE; the caller holds the lock. */
static void rotate(struct alerts *a)
{
	struct strbuf old = STRBUF_INIT;

	write_out(a, true);
	strbuf_addf(&old, "%s.1", a->path);
	if (rename(a->path, old.buf) == 0) {
		close(a->fd);
		a->fd = -1;
		if (open_file(a, NULL) < 0) {
			/* keep writing somewhere rather than lose alerts: the rotated file */
			a->fd = open(old.buf, O_WRONLY | O_APPEND | O_CLOEXEC);
		}
	}
	strbuf_release(&old);
}

static void fwd_push(struct alerts *a, const char *line, size_t len)
{
	if (a->n == FWD_MAX) {
		a->c.dropped++;
		return;
	}
	a->ring[(a->head + a->n) % FWD_MAX] = xstrndup(line, len);
	a->n++;
	pthread_cond_signal(&a->fwd_cond);
}

void alerts_emit(struct alerts *a, enum alert_kind kind, const char *line, size_t len)
{
	pthread_mutex_lock(&a->lock);
	if (a->path && a->max_size && a->size + a->buf.len + len + 1 > a->max_size &&
	    a->size + a->buf.len > 0)
		rotate(a);
	strbuf_add(&a->buf, line, len);
	strbuf_addch(&a->buf, '\n');
	a->c.kinds[kind]++;
	if (a->url)
		fwd_push(a, line, len);
	if (a->buf.len >= BUF_FLUSH)
		write_out(a, false);
	pthread_mutex_unlock(&a->lock);
}

void alerts_flush(struct alerts *a)
{
	pthread_mutex_lock(&a->lock);
	if (a->buf.len)
		write_out(a, false);
	pthread_mutex_unlock(&a->lock);
}

/*
 * The fsync runs on a duplicate of the descriptor, outside the lock: it
 * takes milliseconds, and the worker writing the next batch's alerts must
 * not wait for it (nor must a rotation close the descriptor under it).
 */
void alerts_sync(struct alerts *a)
{
	int fd = -1;

	pthread_mutex_lock(&a->lock);
	if (a->path && a->dirty) {
		fd = dup(a->fd);
		a->dirty = false;
	}
	pthread_mutex_unlock(&a->lock);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int alerts_reopen(struct alerts *a)
{
	int ret = 0;
	struct err e;

	if (!a->path)
		return 0;
	pthread_mutex_lock(&a->lock);
	write_out(a, true);
	close(a->fd);
	a->fd = -1;
	if (open_file(a, &e) < 0) {
		fprintf(stderr, "kanon serve: %s\n", e.msg);
		a->fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		ret = -1;
	}
	pthread_mutex_unlock(&a->lock);
	return ret;
}

void alerts_counts(struct alerts *a, struct alert_counts *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->c;
	pthread_mutex_unlock(&a->lock);
}

static bool post_once(CURL *h, const char *url, const char *body)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	long code = 0;
	CURLcode rc;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, FWD_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	return rc == CURLE_OK && code >= 200 && code <= 299;
}

/* Wait ms, or less when stopping past the deadline; the caller holds the lock. */
static void backoff(struct alerts *a, unsigned ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&a->fwd_cond, &a->lock, &ts);
}

static bool past_deadline(const struct alerts *a)
{
	return a->stopping && now_ns() >= a->deadline_ns;
}

static void *fwd_main(void *arg)
{
	struct alerts *a = arg;
	CURL *h = curl_easy_init();

	pthread_mutex_lock(&a->lock);
	for (;;) {
		char *line;
		bool ok = false;

		while (!a->n && !a->stopping)
			pthread_cond_wait(&a->fwd_cond, &a->lock);
		if (!a->n || past_deadline(a))
			break;
		line = a->ring[a->head];
		for (int t = 0; t < FWD_TRIES && !ok && !past_deadline(a); t++) {
			if (t)
				backoff(a, 250u << t);
			pthread_mutex_unlock(&a->lock);
			ok = h && post_once(h, a->url, line);
			pthread_mutex_lock(&a->lock);
		}
		a->ring[a->head] = NULL;
		a->head = (a->head + 1) % FWD_MAX;
		a->n--;
		if (ok)
			a->c.forwarded++;
		else
			a->c.dropped++;
		free(line);
	}
	/* not delivered in time: dropped, and counted */
	while (a->n) {
		free(a->ring[a->head]);
		a->head = (a->head + 1) % FWD_MAX;
		a->n--;
		a->c.dropped++;
	}
	pthread_mutex_unlock(&a->lock);
	curl_easy_cleanup(h);
	return NULL;
}

struct alerts *alerts_create(const char *path, uint64_t max_size, const char *webhook,
			     struct err *e)
{
	struct alerts *a = xcalloc(1, sizeof(*a));

	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->fwd_cond, NULL);
	strbuf_init(&a->buf);
	a->max_size = max_size;
	a->fd = 1;
	if (path && strcmp(path, "-")) {
		a->path = xstrdup(path);
		if (open_file(a, e) < 0)
			goto fail;
	}
	if (webhook) {
		a->url = xstrdup(webhook);
		a->ring = xcalloc(FWD_MAX, sizeof(*a->ring));
		if (pthread_create(&a->fwd, NULL, fwd_main, a)) {
			err_set(e, NULL, 0, "cannot start the alert webhook thread");
			goto fail;
		}
		a->fwd_started = true;
	}
	return a;
fail:
	if (a->path && a->fd > 1)
		close(a->fd);
	free(a->path);
	free(a->url);
	free(a->ring);
	strbuf_release(&a->buf);
	free(a);
	return NULL;
}

void alerts_destroy(struct alerts *a, unsigned wait_ms)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	write_out(a, true);
	pthread_mutex_unlock(&a->lock);
	if (a->fwd_started) {
		pthread_mutex_lock(&a->lock);
		a->stopping = true;
		a->deadline_ns = now_ns() + (uint64_t)wait_ms * 1000000u;
		pthread_cond_broadcast(&a->fwd_cond);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->fwd, NULL);
	}
	if (a->path && a->fd > 2)
		close(a->fd);
	free(a->path);
	free(a->url);
	free(a->ring);
	strbuf_release(&a->buf);
	pthread_cond_destroy(&a->fwd_cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
