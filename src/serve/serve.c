/*
 * `kanon serve`: the HTTP(S) side (libmicrohttpd with GnuTLS). A request
 * is authenticated from its headers (client certificate or bearer token),
 * its body read into one buffer (at most --max-body: a larger
 * Content-Length is answered 413, its body not kept), scanned into records
 * on the connection's thread (checks/audit_live.h) and queued whole or not
 * at all: 200 only once queued, 429 when the queue has no room for all of
 * it. One worker thread feeds the queued batches to the audit engine in
 * order and writes the alerts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/jsonw.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "serve/mhd_lazy.h"
#include "serve/serve_int.h"
#include "sources/file.h"
#include "core/banned.h"

const int serve_codes[SERVE_CODES] = {200, 400, 401, 404, 405, 413, 429, 500, 503, 0};
const char *const serve_reasons[RJ__COUNT] = {
    "malformed", "unauthenticated", "method",	"not_found",
    "too_large", "queue_full",	    "draining", "busy"};
const double serve_buckets[SERVE_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
					     0.25,  0.5,    1,	   2.5,	 5,	10};

#define SERVE_MAX_TOKEN 4096

void serve_opts_init(struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "0.0.0.0:8443";
	o->gap_us = INT64_C(5) * 60 * 1000000;
	o->queue = 100000;
	o->max_body = 16u << 20;
	o->max_connections = 256;
	o->timeout = 10;
	audit_opts_init(&o->audit);
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------ addresses */

int serve_parse_listen(const char *s, struct sockaddr_storage *ss, struct err *e)
{
	const char *colon = strrchr(s, ':');
	struct strbuf host = STRBUF_INIT;
	long long port;
	int ret = 0;

	memset(ss, 0, sizeof(*ss));
	if (!colon || parse_int(colon + 1, 0, 65535, &port) < 0)
		return err_set(e, NULL, 0, "--listen '%s' is not ADDR:PORT", s);
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		strbuf_add(&host, s + 1, (size_t)(colon - s - 2));
	else
		strbuf_add(&host, s, (size_t)(colon - s));
	if (inet_pton(AF_INET, host.buf, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host.buf, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	} else {
		ret = err_set(e, NULL, 0, "--listen '%s': '%s' is not an IP address", s, host.buf);
	}
	strbuf_release(&host);
	return ret;
}

bool serve_addr_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return false;
}

/* ------------------------------------------------------------ answers */

struct req {
	struct strbuf body;
	size_t reserved; /* of s->body_bytes */
	uint64_t start_us;
	bool counted_active;
	bool drop; /* a body past --max-body, read and dropped before its 413 */
};

/*
 * Bodies are held whole until scanned: --max-connections bodies of
 * --max-body each would be gigabytes, so all of them together stay within
 * a budget (4 x --max-body, at least 64 MiB). Reserve more for r, or false.
 */
static bool body_reserve(struct server *s, struct req *r, size_t total)
{
	size_t need, cur;

	if (total <= r->reserved)
		return true;
	need = total - r->reserved;
	cur = atomic_load(&s->body_bytes);
	do {
		if (cur + need > s->body_budget)
			return false;
	} while (!atomic_compare_exchange_weak(&s->body_bytes, &cur, cur + need));
	r->reserved = total;
	return true;
}

static void body_release(struct server *s, struct req *r)
{
	strbuf_release(&r->body);
	atomic_fetch_sub(&s->body_bytes, r->reserved);
	r->reserved = 0;
}

static void count_code(struct server *s, int code)
{
	int i;

	for (i = 0; i < SERVE_CODES - 1; i++)
		if (serve_codes[i] == code)
			break;
	s->st.codes[i]++;
}

static void observe(struct server *s, const struct req *r)
{
	uint64_t us = mono_us() - r->start_us;
	double sec = (double)us / 1e6;
	int i;

	for (i = 0; i < SERVE_BUCKETS; i++)
		if (sec <= serve_buckets[i])
			break;
	s->st.buckets[i]++;
	s->st.dur_us += us;
	s->st.dur_count++;
}

static enum MHD_Result reply(struct server *s, struct MHD_Connection *c, struct req *r,
			     unsigned code, const char *ctype, const char *body, size_t len)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (code == MHD_HTTP_TOO_MANY_REQUESTS || code == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	ret = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	count_code(s, (int)code);
	observe(s, r);
	return ret;
}

static enum MHD_Result text(struct server *s, struct MHD_Connection *c, struct req *r,
			    unsigned code, const char *msg)
{
	return reply(s, c, r, code, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* A refusal: counted by reason (and its events, when the body was read). */
static enum MHD_Result refuse(struct server *s, struct MHD_Connection *c, struct req *r,
			      unsigned code, enum reject_reason why, size_t events, const char *msg)
{
	struct strbuf line = STRBUF_INIT;
	enum MHD_Result ret;

	s->st.rejected[why]++;
	s->st.rejected_events[why] += events;
	strbuf_addstr(&line, msg);
	strbuf_addch(&line, '\n');
	ret = text(s, c, r, code, line.buf);
	strbuf_release(&line);
	return ret;
}

/* ------------------------------------------------------------ authentication */

static bool peer_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t ses;
	/* the certificate must be one for TLS clients (extendedKeyUsage clientAuth) */
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
					 (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
	unsigned status = 0, n = 0;

	if (!ci || !ci->tls_session)
		return false;
	ses = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_type_get(ses) != GNUTLS_CRT_X509 ||
	    !gnutls_certificate_get_peers(ses, &n) || !n)
		return false;
	return gnutls_certificate_verify_peers(ses, &purpose, 1, &status) == 0 && status == 0;
}

/* Constant time in the token's contents (its length is not secret enough to hide). */
static bool token_ok(const struct server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *t;
	size_t n;
	unsigned char diff;

	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	t = h + 7;
	n = strlen(t);
	diff = n != s->token.len;
	for (size_t i = 0; i < s->token.len; i++)
		diff |= (unsigned char)(s->token.buf[i] ^ (i < n ? t[i] : 0));
	return diff == 0;
}

/* The verdict on a connection's certificate, kept for its later requests. */
enum { PEER_UNKNOWN, PEER_OK, PEER_BAD };

/* The socket context is the connection's deadline, whose first member is the peer cache. */
static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = deadline_add(&s->dl, ci ? ci->connect_fd : -1, mono_us());
	} else {
		deadline_remove(&s->dl, *socket_context);
		*socket_context = NULL;
	}
}

static struct conn_deadline *conn_deadline(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/*
 * The peer's certificate cannot change on a connection (libmicrohttpd does
 * no renegotiation, TLS 1.3 has none): it is verified once, not on every
 * request (the chain check was a tenth of the server's time).
 */
static bool peer_ok_cached(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	int *v = ci ? ci->socket_context : NULL;

	if (!v)
		return peer_cert_ok(c);
	if (*v == PEER_UNKNOWN)
		*v = peer_cert_ok(c) ? PEER_OK : PEER_BAD;
	return *v == PEER_OK;
}

static bool authenticated(const struct server *s, struct MHD_Connection *c)
{
	if (!s->need_auth)
		return true;
	if (s->o->client_ca && peer_ok_cached(c))
		return true;
	return s->token.len && token_ok(s, c);
}

/* ------------------------------------------------------------ the queue */

static void emit_request(void *ctx, const struct live_request *q);
static void gap_over(struct server *s);

static void *worker_main(void *arg)
{
	struct server *s = arg;
	/* tests only: a slow worker, to have a queue to drain or to fill */
	const char *slow = getenv("KANON_SERVE_TEST_WORKER_DELAY_MS");
	long long delay_ms = 0;

	if (slow && parse_int(slow, 0, 10000, &delay_ms) < 0)
		delay_ms = 0;

	for (;;) {
		struct live_batch *b = serve_queue_pop(&s->q);
		size_t n;

		if (!b)
			break;
		n = live_batch_events(b);
		if (delay_ms > 0) {
			struct timespec ts = {(time_t)(delay_ms / 1000),
					      (long)(delay_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
		}
		audit_live_feed(s->live, b);
		alerts_flush(s->alerts);
		gap_over(s);
		serve_queue_done(&s->q, n); /* processed: counted in the metrics now */
	}
	return NULL;
}

/* ------------------------------------------------------------ alerts */

static void key_str(struct jsonw *w, const char *k, const char *v)
{
	jsonw_key(w, k);
	jsonw_string_or_null(w, v);
}

static void emit_request(void *ctx, const struct live_request *q)
{
	struct server *s = ctx;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	char t[32];
	enum alert_kind kind;

	/*
	 * With --allow-ip, a health check from elsewhere is reported too, as kanon
	 * audit lists it (health_unlisted_sources): the expected prober is known.
	 */
	if (q->grant)
		kind = AK_GRANT;
	else if (q->anonymous && q->outcome == LO_ALLOWED &&
		 (q->cls != CL_HEALTH ||
		  (s->o->audit.nallow &&
		   !cidr_match(s->o->audit.allow, s->o->audit.nallow, q->src))))
		kind = AK_ANON;
	else
		return;
	jsonw_init(&w, &out);
	jsonw_object_begin(&w);
	ts_format(wall_us(), t);
	key_str(&w, "time", t);
	key_str(&w, "kind", alert_kind_name(kind));
	key_str(&w, "auditID", q->audit_id);
	ts_format(q->ts, t);
	key_str(&w, "stageTimestamp", t);
	key_str(&w, "user", q->user);
	key_str(&w, "sourceIP", q->src);
	key_str(&w, "verb", q->verb);
	key_str(&w, "uri", q->uri);
	jsonw_key(&w, "code");
	jsonw_int(&w, q->code);
	if (q->anonymous)
		key_str(&w, "class", audit_class_name((enum audit_class)q->cls));
	key_str(&w, "userAgent", q->ua);
	if (kind == AK_GRANT) {
		key_str(&w, "resource", q->resource);
		key_str(&w, "namespace", q->ns);
		key_str(&w, "name", q->name);
		jsonw_key(&w, "subjects");
		jsonw_array_begin(&w);
		for (size_t i = 0; i < q->nsubjects; i++)
			jsonw_string(&w, q->subjects[i]);
		jsonw_array_end(&w);
	}
	jsonw_key(&w, "complete");
	jsonw_bool(&w, q->complete);
	jsonw_object_end(&w);
	alerts_emit(s->alerts, kind, out.buf, out.len);
	strbuf_release(&out);
}

static void gap_alert(struct server *s, enum alert_kind kind, int64_t last_us)
{
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	char t[32];

	jsonw_init(&w, &out);
	jsonw_object_begin(&w);
	ts_format(wall_us(), t);
	key_str(&w, "time", t);
	key_str(&w, "kind", alert_kind_name(kind));
	ts_format(last_us, t);
	key_str(&w, "lastBatch", t);
	jsonw_key(&w, "gapSeconds");
	jsonw_int(&w, s->o->gap_us / 1000000);
	jsonw_object_end(&w);
	alerts_emit(s->alerts, kind, out.buf, out.len);
	alerts_flush(s->alerts);
	alerts_sync(s->alerts);
	strbuf_release(&out);
}

/* Called every 100 ms: no batch for --gap after batches were coming. */
static void gap_check(struct server *s)
{
	int64_t last = s->last_event_wall_us;

	if (!last)
		return; /* the API server was never seen: nothing to say it is up */
	if (wall_us() - last >= s->o->gap_us && !atomic_exchange(&s->gap_active, true))
		gap_alert(s, AK_GAP, last);
}

/* The worker fed a batch: the end of a gap, if one was open. */
static void gap_over(struct server *s)
{
	int64_t last = s->last_event_wall_us;

	s->last_event_wall_us = wall_us();
	if (atomic_exchange(&s->gap_active, false))
		gap_alert(s, AK_GAP_END, last);
}

/* ------------------------------------------------------------ requests */

static enum MHD_Result get(struct server *s, struct MHD_Connection *c, struct req *r,
			   const char *url)
{
	if (!strcmp(url, "/metrics")) {
		struct strbuf out = STRBUF_INIT;
		enum MHD_Result ret;
		serve_metrics(s, &out);
		ret = reply(s, c, r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
			    out.buf, out.len);
		strbuf_release(&out);
		return ret;
	}
	if (!strcmp(url, "/healthz"))
		return text(s, c, r, MHD_HTTP_OK, "ok\n");
	if (!strcmp(url, "/readyz"))
		return s->draining ? text(s, c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "draining\n")
				   : text(s, c, r, MHD_HTTP_OK, "ok\n");
	return refuse(s, c, r, MHD_HTTP_NOT_FOUND, RJ_NOT_FOUND, 0, "not found");
}

/* The whole body is read: scan it, queue it, answer. */
static enum MHD_Result post_done(struct server *s, struct MHD_Connection *c, struct req *r)
{
	struct strbuf why = STRBUF_INIT, msg = STRBUF_INIT;
	struct live_batch *b;
	enum MHD_Result ret;
	size_t n;
	int q;

	if (live_batch_parse(r->body.buf ? r->body.buf : "", r->body.len, &b, &why) < 0) {
		strbuf_addstr(&msg, "malformed: ");
		strbuf_add_clean(&msg, why.buf, why.len);
		ret = refuse(s, c, r, MHD_HTTP_BAD_REQUEST, RJ_MALFORMED, 0, msg.buf);
		goto out;
	}
	body_release(s, r); /* the records hold what is needed */
	n = live_batch_events(b);
	if (n) {
		q = serve_queue_push(&s->q, b, n);
	} else {
		q = s->draining ? SQ_CLOSED : SQ_OK;
		live_batch_destroy(b);
	}
	if (q != SQ_OK && n)
		live_batch_destroy(b);
	if (q == SQ_TOO_BIG) {
		strbuf_addf(&msg, "a batch of %zu events is larger than the queue (%zu)", n,
			    s->o->queue);
		ret = refuse(s, c, r, MHD_HTTP_CONTENT_TOO_LARGE, RJ_TOO_LARGE, n, msg.buf);
	} else if (q == SQ_FULL) {
		ret = refuse(s, c, r, MHD_HTTP_TOO_MANY_REQUESTS, RJ_QUEUE_FULL, n, "queue full");
	} else if (q == SQ_CLOSED) {
		ret = refuse(s, c, r, MHD_HTTP_SERVICE_UNAVAILABLE, RJ_DRAINING, n, "draining");
	} else {
		strbuf_addf(&msg, "{\"accepted\":%zu}\n", n);
		ret = reply(s, c, r, MHD_HTTP_OK, "application/json", msg.buf, msg.len);
	}
out:
	strbuf_release(&why);
	strbuf_release(&msg);
	return ret;
}

/* The first call of a POST: its headers only. */
static enum MHD_Result post_start(struct server *s, struct MHD_Connection *c, struct req *r,
				  const char *url, bool *go_on)
{
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long len = 0;

	*go_on = false;
	if (strcmp(url, "/") && strcmp(url, "/audit"))
		return refuse(s, c, r, MHD_HTTP_NOT_FOUND, RJ_NOT_FOUND, 0, "not found");
	if (!authenticated(s, c))
		return refuse(s, c, r, MHD_HTTP_UNAUTHORIZED, RJ_UNAUTHENTICATED, 0,
			      "unauthenticated: a client certificate of --client-ca or the "
			      "bearer token of --token-file is needed");
	if (cl && parse_int(cl, 0, LLONG_MAX, &len) < 0)
		return refuse(s, c, r, MHD_HTTP_BAD_REQUEST, RJ_MALFORMED, 0,
			      "malformed Content-Length");
	/*
	 * Too large: answered 413 without keeping the body. Up to 4 x --max-body
	 * it is read and dropped first: a connection closed with bytes unread is
	 * reset, and the client (it writes the whole body before it reads) may
	 * get the reset instead of the 413, which the API server retries and a
	 * 413 tells it not to (1-3 % of 200 KB bodies over TLS). Larger: refused
	 * at once, the connection closed.
	 */
	if ((unsigned long long)len > s->o->max_body) {
		if ((unsigned long long)len / 4 > s->o->max_body)
			return refuse(s, c, r, MHD_HTTP_CONTENT_TOO_LARGE, RJ_TOO_LARGE, 0,
				      "body larger than --max-body");
		r->drop = true;
		*go_on = true;
		return MHD_YES;
	}
	if (!body_reserve(s, r, (size_t)len))
		return refuse(s, c, r, MHD_HTTP_TOO_MANY_REQUESTS, RJ_BUSY, 0,
			      "busy: too many large bodies being read at once");
	if (len > 0)
		strbuf_grow(&r->body, (size_t)len + 1);
	*go_on = true;
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	bool go_on;

	(void)version;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		strbuf_init(&r->body);
		r->start_us = mono_us();
		r->counted_active = true;
		s->active++;
		*con_cls = r;
		/* read whole, but a POST's body: no deadline while it is answered */
		if (strcmp(method, MHD_HTTP_METHOD_POST))
			deadline_disarm(conn_deadline(c));
		if (!strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD))
			return get(s, c, r, url);
		if (strcmp(method, MHD_HTTP_METHOD_POST))
			return refuse(s, c, r, MHD_HTTP_METHOD_NOT_ALLOWED, RJ_METHOD, 0,
				      "method not allowed: POST audit events");
		{
			enum MHD_Result ret = post_start(s, c, r, url, &go_on);
			if (!go_on)
				return ret;
		}
		return MHD_YES;
	}
	if (*upload_size && r->drop) {
		*upload_size = 0; /* its length is Content-Length's: MHD reads no more */
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > s->o->max_body) {
			/* a chunked body past the limit: no answer can be queued while it
			 * is read (libmicrohttpd), so the connection is closed */
			s->st.rejected[RJ_TOO_LARGE]++;
			return MHD_NO;
		}
		if (!body_reserve(s, r, r->body.len + *upload_size)) {
			s->st.rejected[RJ_BUSY]++; /* a chunked body: closed, as above */
			return MHD_NO;
		}
		strbuf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	deadline_disarm(conn_deadline(c));
	if (r->drop)
		return refuse(s, c, r, MHD_HTTP_CONTENT_TOO_LARGE, RJ_TOO_LARGE, 0,
			      "body larger than --max-body");
	return post_done(s, c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;

	(void)toe;
	deadline_rearm(&s->dl, conn_deadline(c), mono_us());
	if (!r)
		return;
	if (r->counted_active)
		s->active--;
	body_release(s, r);
	free(r);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct strbuf m = STRBUF_INIT, clean = STRBUF_INIT;

	(void)cls;
	strbuf_vaddf(&m, fmt, ap);
	while (m.len && m.buf[m.len - 1] == '\n')
		m.buf[--m.len] = '\0';
	strbuf_add_clean(&clean, m.buf, m.len);
	/* per-connection noise (a client that went away, a failed handshake) is
	 * visible in the metrics; only a start failure matters here */
	if (getenv("KANON_SERVE_DEBUG"))
		fprintf(stderr, "kanon serve: libmicrohttpd: %s\n", clean.buf);
	strbuf_release(&m);
	strbuf_release(&clean);
}

/* ------------------------------------------------------------ start and stop */

static int read_pem(const char *path, const char *what, struct strbuf *sb)
{
	struct err e;

	if (file_read(path, NULL, 1u << 20, sb, &e) < 0) {
		fprintf(stderr, "kanon serve: %s: %s\n", what, e.msg);
		return -1;
	}
	return 0;
}

static int read_token(struct server *s)
{
	struct err e;
	char *nl;

	if (file_read(s->o->token_file, NULL, SERVE_MAX_TOKEN, &s->token, &e) < 0) {
		fprintf(stderr, "kanon serve: --token-file: %s\n", e.msg);
		return -1;
	}
	nl = memchr(s->token.buf, '\n', s->token.len);
	if (nl)
		s->token.len = (size_t)(nl - s->token.buf);
	while (s->token.len && s->token.buf[s->token.len - 1] == '\r')
		s->token.len--;
	s->token.buf[s->token.len] = '\0';
	if (!s->token.len) {
		fprintf(stderr, "kanon serve: --token-file '%s' has an empty first line\n",
			s->o->token_file);
		return -1;
	}
	return 0;
}

static int write_port(const char *path, unsigned port)
{
	char buf[16];
	struct err e;
	int n = snprintf(buf, sizeof(buf), "%u\n", port);

	if (file_write_atomic(path, buf, (size_t)n, 0, &e) < 0) {
		fprintf(stderr, "kanon serve: --port-file: %s\n", e.msg);
		return -1;
	}
	return 0;
}

struct pem {
	struct strbuf cert, key, ca;
};

static struct MHD_Daemon *start(struct server *s, struct pem *p)
{
	const struct serve_opts *o = s->o;
	struct sockaddr_storage ss;
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = o->threads > 0 ? (unsigned)o->threads : cpus > 0 ? (unsigned)cpus : 2;
	struct MHD_OptionItem opts[16];
	size_t n = 0;
	struct err e;

	if (serve_parse_listen(o->listen, &ss, &e) < 0) {
		fprintf(stderr, "kanon serve: %s\n", e.msg);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
#define OPT(k, v, ptr) opts[n++] = (struct MHD_OptionItem){k, (intptr_t)(v), ptr}
	OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, o->timeout, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, completed, s);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s);
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL);
	if (!o->insecure_http) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, p->cert.buf);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, p->key.buf);
		if (o->client_ca)
			OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, p->ca.buf);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
}

static int server_init(struct server *s, const struct serve_opts *o, struct pem *p)
{
	struct err e;

	s->o = o;
	serve_queue_init(&s->q, o->queue);
	strbuf_init(&s->token);
	s->need_auth = o->client_ca || o->token_file;
	s->body_budget = o->max_body > (SIZE_MAX / 4) ? SIZE_MAX : o->max_body * 4;
	if (s->body_budget < (64u << 20))
		s->body_budget = 64u << 20;
	if (!o->insecure_http && (read_pem(o->tls_cert, "--tls-cert", &p->cert) < 0 ||
				  read_pem(o->tls_key, "--tls-key", &p->key) < 0))
		return -1;
	if (o->client_ca && read_pem(o->client_ca, "--client-ca", &p->ca) < 0)
		return -1;
	if (o->token_file && read_token(s) < 0)
		return -1;
	s->alerts = alerts_create(o->alerts, o->alerts_max_size, o->alert_webhook, &e);
	if (!s->alerts) {
		fprintf(stderr, "kanon serve: --alerts: %s\n", e.msg);
		return -1;
	}
	s->live = audit_live_create(&o->audit, emit_request, s);
	return 0;
}

static void free_batch(void *b)
{
	live_batch_destroy(b);
}

static void server_release(struct server *s, struct pem *p)
{
	deadlines_release(&s->dl);
	serve_queue_release(&s->q, free_batch);
	audit_live_destroy(s->live);
	alerts_destroy(s->alerts, 5000);
	strbuf_release(&s->token);
	strbuf_release(&p->cert);
	strbuf_release(&p->key);
	strbuf_release(&p->ca);
}

/*
 * SIGTERM: stop accepting (the listening socket is closed), let the
 * requests being answered finish (at most --timeout), stop the HTTP
 * threads, then let the worker empty the queue: every event answered 200
 * is counted and its alerts written before the exit.
 */
static void drain(struct server *s, struct MHD_Daemon *d, pthread_t worker)
{
	MHD_socket ls;
	uint64_t until = mono_us() + (uint64_t)s->o->timeout * 1000000u;

	s->draining = true;
	serve_queue_close(&s->q);
	ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	while (s->active > 0 && mono_us() < until) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d);
	serve_queue_stop(&s->q);
	pthread_join(worker, NULL);
}

/*
 * Wait for signals; SIGHUP reopens the alert file. Every 100 ms the alerts
 * written are fsync'd and the gap is checked.
 */
static void wait_signals(struct server *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		int sig = sigtimedwait(&set, NULL, &ts);

		if (sig == SIGTERM || sig == SIGINT)
			return;
		if (sig == SIGHUP)
			alerts_reopen(s->alerts);
		alerts_sync(s->alerts);
		gap_check(s);
		deadlines_reap(&s->dl, mono_us());
	}
}

int serve_run(const struct serve_opts *o)
{
	struct server s;
	struct pem p;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *di;
	pthread_t worker;
	sigset_t set, old;
	int ret = 1;

	memset(&s, 0, sizeof(s));
	/* each request gets at least --timeout: a longer pause than that is MHD's idle timeout */
	deadlines_init(&s.dl, 2 * (uint64_t)o->timeout * 1000000u);
	memset(&p, 0, sizeof(p));
	strbuf_init(&p.cert);
	strbuf_init(&p.key);
	strbuf_init(&p.ca);
	/* every thread started from here on leaves these signals to wait_signals() */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (server_init(&s, o, &p) < 0)
		goto out;
	if (pthread_create(&worker, NULL, worker_main, &s)) {
		fprintf(stderr, "kanon serve: cannot start the worker thread\n");
		goto out;
	}
	d = start(&s, &p);
	if (!d) {
		if (mhd_lazy_error())
			fprintf(stderr,
				"kanon serve: cannot start the HTTP server (libmicrohttpd): %s\n",
				mhd_lazy_error());
		else
			fprintf(stderr,
				"kanon serve: cannot listen on %s (in use, not an address of "
				"this machine, or a bad certificate or key)\n",
				o->listen);
		serve_queue_stop(&s.q);
		pthread_join(worker, NULL);
		goto out;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->port_file && (!di || write_port(o->port_file, di->port) < 0)) {
		MHD_stop_daemon(d);
		s.draining = true;
		serve_queue_stop(&s.q);
		pthread_join(worker, NULL);
		goto out;
	}
	fprintf(stderr, "kanon serve: listening on %s port %u (%s)\n", o->listen, di ? di->port : 0,
		o->insecure_http ? "plain HTTP" : "HTTPS");
	wait_signals(&s);
	drain(&s, d, worker);
	ret = 0;
out:
	server_release(&s, &p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}
