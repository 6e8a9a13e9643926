/*
 * The authenticated API client (sources/kubeapi.h) on libcurl's multi
 * interface. How client-go turns a kubeconfig user into a transport
 * (k8s.io/client-go/rest/transport.go, transport/round_trippers.go):
 * a client certificate, a bearer token (token before tokenFile,
 * tools/clientcmd/client_config.go), basic auth, or an exec plugin's
 * token or certificate; tls-server-name is the name sent in SNI and
 * checked against the certificate; proxy-url replaces the environment's
 * proxy.
 */
#include "sources/kubeapi.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/curl_lazy.h"
#include "core/version.h"
#include "parsers/k8s_body.h"
#include "sources/file.h"
#include "core/banned.h"

/* A secret or CA given as bytes, as a file only this process can open. */
struct memfile {
	int fd;
	char path[64];
};

struct kubeapi {
	const struct kc_target *t;
	struct kubeapi_opts o;
	CURLM *m;
	char *server; /* as the kubeconfig names it, no trailing '/' */
	char *base;   /* the URL prefix requests use (tls-server-name host) */
	struct curl_slist *connect_to;
	struct curl_slist *headers; /* Accept, Authorization */
	const char *cacert, *cert, *key;
	struct memfile ca_mem, cert_mem, key_mem;
	struct execcred cred;
	struct kubeapi_req *head, *tail;
	unsigned running;
	size_t nreq;
	/* the requests in flight (o.concurrency slots), and the body bytes
	 * they hold together (KUBEAPI_HELD_MAX) */
	struct kubeapi_req **run;
	size_t held;
	unsigned long next_seq;
	kubeapi_replay_fn *replay; /* kubeapi_create_replay() */
	void *replay_ctx;
};

static bool curl_ready;

/* ------------------------------------------------ credentials */

static int memfile_make(struct memfile *mf, const char *name, const void *data, size_t len,
			struct err *e)
{
	const char *p = data;

	mf->fd = memfd_create(name, MFD_CLOEXEC);
	if (mf->fd < 0)
		return err_set(e, NULL, 0, "cannot hold %s in memory: %s", name, strerror(errno));
	while (len) {
		ssize_t n = write(mf->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, NULL, 0, "cannot hold %s in memory: %s", name,
				       strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	snprintf(mf->path, sizeof(mf->path), "/proc/self/fd/%d", mf->fd);
	return 0;
}

static void memfile_close(struct memfile *mf)
{
	if (mf->fd >= 0)
		close(mf->fd);
	mf->fd = -1;
	mf->path[0] = '\0';
}

static void add_bearer(struct kubeapi *k, const char *token)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "Authorization: Bearer %s", token);
	k->headers = curl_slist_append(k->headers, sb.buf);
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
}

/* tokenFile: read once; the token is the file's bytes, trimmed. */
static int read_token_file(struct kubeapi *k, const char *path, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;

	if (file_read(path, NULL, 1u << 20, &sb, e) < 0)
		return -1;
	len = sb.len;
	while (len &&
	       (sb.buf[len - 1] == '\n' || sb.buf[len - 1] == '\r' || sb.buf[len - 1] == ' '))
		sb.buf[--len] = '\0';
	if (len)
		add_bearer(k, sb.buf);
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return len ? 0 : err_set(e, NULL, 0, "tokenFile '%s' is empty", path);
}

static int exec_setup(struct kubeapi *k, struct err *e)
{
	const struct kc_user *u = k->t->user;

	if (execcred_get(u->exec, k->t->cluster, k->o.timeout_ms < 30000 ? 30000 : k->o.timeout_ms,
			 (int64_t)time(NULL), &k->cred, e) < 0)
		return -1;
	if (k->cred.token)
		add_bearer(k, k->cred.token);
	if (k->cred.cert.data) {
		memfile_close(&k->cert_mem);
		memfile_close(&k->key_mem);
		if (memfile_make(&k->cert_mem, "kanon-exec-cert", k->cred.cert.data,
				 k->cred.cert.len, e) < 0 ||
		    memfile_make(&k->key_mem, "kanon-exec-key", k->cred.key.data, k->cred.key.len,
				 e) < 0)
			return -1;
		k->cert = k->cert_mem.path;
		k->key = k->key_mem.path;
	}
	return 0;
}

static int user_setup(struct kubeapi *k, struct err *e)
{
	const struct kc_user *u = k->t->user;

	if (!u)
		return 0;
	if (u->cert_data.data && memfile_make(&k->cert_mem, "kanon-client-cert", u->cert_data.data,
					      u->cert_data.len, e) < 0)
		return -1;
	if (u->key_data.data &&
	    memfile_make(&k->key_mem, "kanon-client-key", u->key_data.data, u->key_data.len, e) < 0)
		return -1;
	k->cert = u->cert_data.data ? k->cert_mem.path : u->cert_file;
	k->key = u->key_data.data ? k->key_mem.path : u->key_file;
	if ((k->cert != NULL) != (k->key != NULL))
		return err_set(e, NULL, 0,
			       "user '%s' has a client certificate without a key, or a key "
			       "without a certificate",
			       u->name);
	if (u->token)
		add_bearer(k, u->token);
	else if (u->token_file && read_token_file(k, u->token_file, e) < 0)
		return -1;
	if (u->exec)
		return exec_setup(k, e);
	return 0;
}

/* Free the headers, overwriting the token they hold. */
static void headers_free(struct curl_slist *l)
{
	for (struct curl_slist *h = l; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(l);
}

/* The headers every request sends, credentials included. */
static int auth_setup(struct kubeapi *k, struct err *e)
{
	headers_free(k->headers);
	k->headers = curl_slist_append(NULL, "Accept: application/json, */*");
	return user_setup(k, e);
}

/* ------------------------------------------------ the server */

/*
 * tls-server-name: requests go to https://NAME:PORT (SNI and the
 * certificate check use NAME) and CURLOPT_CONNECT_TO sends them to the
 * server's real address.
 */
static int server_setup(struct kubeapi *k, struct err *e)
{
	const struct kc_cluster *c = k->t->cluster;
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *scheme = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(c->server);
	int ret = 0;

	while (len && c->server[len - 1] == '/')
		len--;
	k->server = xstrndup(c->server, len);
	if (curl_url_set(u, CURLUPART_URL, k->server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		const char *why = curl_lazy_error(); /* no libcurl, no URL parser */
		ret = why ? err_set(e, NULL, 0, "cluster '%s': %s", c->name, why)
			  : err_set(e, NULL, 0, "cluster '%s': server '%s' is not a URL", c->name,
				    c->server);
		goto out;
	}
	if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
		ret = err_set(e, NULL, 0, "cluster '%s': server '%s' is not an https URL", c->name,
			      c->server);
		goto out;
	}
	if (c->tls_server_name && *c->tls_server_name) {
		char *path = NULL;
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		strbuf_addf(&sb, "%s:%s:%s:%s", c->tls_server_name, port, host, port);
		k->connect_to = curl_slist_append(NULL, sb.buf);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s://%s:%s%s", scheme, c->tls_server_name, port,
			    path && strcmp(path, "/") ? path : "");
		curl_free(path);
		k->base = strbuf_detach(&sb);
	} else {
		k->base = xstrdup(k->server);
	}
out:
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	strbuf_release(&sb);
	return ret;
}

/* The defaults (10 s, 32 in flight) and nothing to free yet. */
static struct kubeapi *kubeapi_alloc(const struct kubeapi_opts *o)
{
	struct kubeapi *k = xcalloc(1, sizeof(*k));

	k->o = *o;
	if (!k->o.timeout_ms)
		k->o.timeout_ms = 10000;
	if (!k->o.concurrency)
		k->o.concurrency = 32;
	k->run = xcalloc(k->o.concurrency, sizeof(*k->run));
	k->ca_mem.fd = k->cert_mem.fd = k->key_mem.fd = -1;
	execcred_init(&k->cred);
	return k;
}

struct kubeapi *kubeapi_create(const struct kc_target *t, const struct kubeapi_opts *o,
			       struct err *e)
{
	struct kubeapi *k = kubeapi_alloc(o);
	const struct kc_cluster *c = t->cluster;

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	k->t = t;
	k->m = curl_multi_init();
	curl_multi_setopt(k->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)k->o.concurrency);
	curl_multi_setopt(k->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)k->o.concurrency);
	curl_multi_setopt(k->m, CURLMOPT_MAXCONNECTS, (long)k->o.concurrency);
	if (server_setup(k, e) < 0)
		goto fail;
	if (c->ca_data.data) {
		if (memfile_make(&k->ca_mem, "kanon-ca", c->ca_data.data, c->ca_data.len, e) < 0)
			goto fail;
		k->cacert = k->ca_mem.path;
	} else {
		k->cacert = c->ca_file;
	}
	if (auth_setup(k, e) < 0)
		goto fail;
	return k;
fail:
	kubeapi_destroy(k);
	return NULL;
}

struct kubeapi *kubeapi_create_replay(kubeapi_replay_fn *fn, void *ctx,
				      const struct kubeapi_opts *o)
{
	struct kubeapi *k = kubeapi_alloc(o);

	k->server = xstrdup("https://replay.invalid");
	k->base = xstrdup(k->server);
	k->replay = fn;
	k->replay_ctx = ctx;
	return k;
}

void kubeapi_destroy(struct kubeapi *k)
{
	if (!k)
		return;
	while (k->head) {
		struct kubeapi_req *r = k->head;
		k->head = r->next;
		strbuf_release(&r->body);
		free(r->path);
		free(r->error);
		free(r);
	}
	if (k->m)
		curl_multi_cleanup(k->m);
	headers_free(k->headers);
	curl_slist_free_all(k->connect_to);
	memfile_close(&k->ca_mem);
	memfile_close(&k->cert_mem);
	memfile_close(&k->key_mem);
	execcred_release(&k->cred);
	free(k->server);
	free(k->base);
	free(k->run);
	free(k);
}

const char *kubeapi_server(const struct kubeapi *k)
{
	return k->server;
}

const char *kubeapi_cacert(const struct kubeapi *k)
{
	return k->cacert;
}

bool kubeapi_insecure(const struct kubeapi *k)
{
	return k->t && k->t->cluster->insecure;
}

size_t kubeapi_requests(const struct kubeapi *k)
{
	return k->nreq;
}

/* ------------------------------------------------ requests */

struct kubeapi_req *kubeapi_submit(struct kubeapi *k, const char *path, kubeapi_done_fn *done,
				   void *ctx)
{
	struct kubeapi_req *r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	r->done = done;
	r->ctx = ctx;
	strbuf_init(&r->body);
	if (k->tail)
		k->tail->next = r;
	else
		k->head = r;
	k->tail = r;
	return r;
}

/* Is r the request in flight that started first? */
static bool oldest(const struct kubeapi *k, const struct kubeapi_req *r)
{
	for (unsigned i = 0; i < k->o.concurrency; i++)
		if (k->run[i] && k->run[i]->seq < r->seq)
			return false;
	return true;
}

static size_t sink(char *data, size_t size, size_t n, void *ctx)
{
	struct kubeapi_req *r = ctx;
	struct kubeapi *k = r->k;
	size_t len = size * n, max = r->max_body ? r->max_body : KUBEAPI_MAX_BODY;

	if (r->body.len + len > max) {
		r->truncated = true;
		return 0;
	}
	if (k->held + len > KUBEAPI_HELD_MAX && !oldest(k, r)) {
		r->paused = true; /* libcurl hands these bytes again on resume */
		return CURL_WRITEFUNC_PAUSE;
	}
	strbuf_add(&r->body, data, len);
	k->held += len;
	return len;
}

/* A request left the flight: its bytes are free, the paused may go on. */
static void run_remove(struct kubeapi *k, struct kubeapi_req *r)
{
	for (unsigned i = 0; i < k->o.concurrency; i++)
		if (k->run[i] == r)
			k->run[i] = NULL;
	k->held -= r->body.len;
	for (unsigned i = 0; i < k->o.concurrency; i++) {
		struct kubeapi_req *p = k->run[i];
		if (p && p->paused) {
			p->paused = false;
			curl_easy_pause(p->easy, CURLPAUSE_CONT);
		}
	}
}

static void set_auth(struct kubeapi *k, CURL *h)
{
	const struct kc_user *u = k->t->user;

	curl_easy_setopt(h, CURLOPT_HTTPHEADER, k->headers);
	if (k->cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, k->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, k->key);
	}
	if (u && u->username && !u->exec) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, u->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, u->password ? u->password : "");
	}
}

static void start(struct kubeapi *k, struct kubeapi_req *r)
{
	const struct kc_cluster *c = k->t->cluster;
	CURL *h = curl_easy_init();
	struct strbuf url = STRBUF_INIT;

	strbuf_addf(&url, "%s%s", k->base, r->path);
	r->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url.buf);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kanon/" KANON_VERSION " (cluster)");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, k->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, k->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
	/* certificate-authority replaces the system store (client-go: RootCAs
	 * is that pool alone); libcurl would add its default CA directory */
	if (k->cacert) {
		curl_easy_setopt(h, CURLOPT_CAINFO, k->cacert);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (k->connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, k->connect_to);
	/* proxy-url replaces the environment's (client-go: http.Transport.Proxy) */
	if (c->proxy_url && *c->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, c->proxy_url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	set_auth(k, h);
	r->easy = h;
	r->k = k;
	r->seq = k->next_seq++;
	r->paused = false;
	for (unsigned i = 0; i < k->o.concurrency; i++)
		if (!k->run[i]) {
			k->run[i] = r;
			break;
		}
	curl_multi_add_handle(k->m, h);
	k->running++;
	k->nreq++;
	strbuf_release(&url);
}

static char *transport_error(struct kubeapi *k, CURL *h, CURLcode rc, const char *errbuf)
{
	struct strbuf sb = STRBUF_INIT;
	long os_errno = 0;
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		strbuf_addf(&sb, "no answer within %ld ms (timeout)", k->o.timeout_ms);
	else if (rc == CURLE_COULDNT_CONNECT && os_errno)
		strbuf_addf(&sb, "cannot connect to %s: %s", k->server, strerror((int)os_errno));
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
		strbuf_addf(&sb, "cannot verify the certificate of %s (%s): %s", k->server,
			    k->t->cluster->ca_file	  ? "certificate-authority"
			    : k->t->cluster->ca_data.data ? "certificate-authority-data"
							  : "the system CA store",
			    detail);
	else
		strbuf_addf(&sb, "%s", detail);
	return strbuf_detach(&sb);
}

/* An exec credential the server refused: run the plugin again, once. */
static bool retry_401(struct kubeapi *k, struct kubeapi_req *r)
{
	struct err e;

	if (r->code != 401 || r->retried || !k->t->user || !k->t->user->exec)
		return false;
	execcred_invalidate(&k->cred);
	if (auth_setup(k, &e) < 0)
		return false;
	r->retried = true;
	r->code = 0;
	strbuf_reset(&r->body);
	r->next = NULL;
	if (k->tail)
		k->tail->next = r;
	else
		k->head = r;
	k->tail = r;
	return true;
}

static void finish(struct kubeapi *k, struct kubeapi_req *r)
{
	if (r->done)
		r->done(k, r);
	strbuf_release(&r->body);
	free(r->path);
	free(r->error);
	free(r);
}

static void complete(struct kubeapi *k, CURL *h, CURLcode rc)
{
	struct kubeapi_req *r = NULL;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(k->m, h);
	k->running--;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && r->truncated))
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->code);
	else
		r->error = transport_error(k, h, rc, r->errbuf);
	curl_easy_cleanup(h);
	r->easy = NULL;
	run_remove(k, r);
	if (retry_401(k, r))
		return;
	finish(k, r);
}

/* kubeapi_create_replay(): one request answered by the replay function. */
static void replay_one(struct kubeapi *k, struct kubeapi_req *r)
{
	const char *body = NULL;
	size_t len = 0, off = 0;

	r->k = k;
	k->replay(k->replay_ctx, r->path, &r->code, &body, &len);
	if (!r->code)
		r->error = xstrdup("no answer");
	while (r->code && off < len) {
		size_t n = len - off < 16384 ? len - off : 16384;
		if (sink((char *)body + off, 1, n, r) != n)
			break;
		off += n;
	}
	k->held -= r->body.len;
	k->nreq++;
	finish(k, r);
}

void kubeapi_loop(struct kubeapi *k)
{
	int still = 0;

	while (k->replay && k->head) {
		struct kubeapi_req *r = k->head;
		k->head = r->next;
		if (!k->head)
			k->tail = NULL;
		r->next = NULL;
		replay_one(k, r);
	}

	for (;;) {
		CURLMsg *msg;
		int left;
		bool finished = false;

		while (k->head && k->running < k->o.concurrency) {
			struct kubeapi_req *r = k->head;
			k->head = r->next;
			if (!k->head)
				k->tail = NULL;
			r->next = NULL;
			start(k, r);
		}
		if (!k->running)
			break;
		curl_multi_perform(k->m, &still);
		while ((msg = curl_multi_info_read(k->m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			complete(k, msg->easy_handle, msg->data.result);
			finished = true;
		}
		/* a finished transfer frees a slot: fill it before waiting */
		if (!finished && still)
			curl_multi_poll(k->m, NULL, 0, 1000, NULL);
	}
}

char *kubeapi_why(const struct kubeapi_req *r)
{
	struct k8s_body b;
	struct strbuf sb = STRBUF_INIT;

	if (r->error)
		return xstrdup(r->error);
	k8s_body_init(&b);
	if (k8s_body_parse(r->body.buf ? r->body.buf : "", r->body.len, &b) == 0 && b.message)
		strbuf_addf(&sb, "%ld %s: %s", r->code, b.reason ? b.reason : "", b.message);
	else if (r->body.len)
		strbuf_addf(&sb, "%ld: %.*s", r->code,
			    (int)strcspn(r->body.buf, "\n") > 200 ? 200
								  : (int)strcspn(r->body.buf, "\n"),
			    r->body.buf);
	else
		strbuf_addf(&sb, "%ld", r->code);
	k8s_body_release(&b);
	return strbuf_detach(&sb);
}
