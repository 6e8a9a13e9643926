/*
 * The HTTP source (sources/http.h) on libcurl. Every option that could make
 * libcurl send a credential is set explicitly to its "none" value, so that
 * no default or environment adds one; proxies are chosen here from the
 * environment (and given to libcurl explicitly) so that the report can say
 * which one carried each request.
 */
#include "sources/http.h"
#include "sources/curl_lazy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util.h"
#include "core/version.h"
#include "core/banned.h"

struct http_client {
	CURL *h;
	struct curl_slist *headers;
	struct curl_slist *connect_to; /* tls_server_name */
	struct http_opts o;
	size_t nreq;
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	struct strbuf *body;
	size_t max;
	bool truncated;
};

void http_cert_release(struct http_cert *c)
{
	free(c->subject);
	free(c->issuer);
	free(c->sans);
	free(c->not_before);
	free(c->not_after);
	memset(c, 0, sizeof(*c));
	c->expires = c->starts = INT64_MIN;
}

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body);
	r->cert.expires = r->cert.starts = INT64_MIN;
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	free(r->content_type);
	free(r->location);
	free(r->proxy);
	http_cert_release(&r->cert);
	http_response_init(r);
}

static bool curl_ready;

const char *http_unavailable(void)
{
	return curl_lazy_error();
}

struct http_client *http_client_create(const struct http_opts *opts)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	c->o = *opts;
	if (!c->o.timeout_ms)
		c->o.timeout_ms = 10000;
	if (!c->o.max_body)
		c->o.max_body = HTTP_MAX_BODY;
	c->h = curl_easy_init();
	if (!c->h) {
		free(c);
		return NULL;
	}
	c->headers = curl_slist_append(NULL, "Accept: application/json, */*");
	return c;
}

void http_client_destroy(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->h);
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->connect_to);
	free(c);
}

size_t http_client_requests(const struct http_client *c)
{
	return c->nreq;
}

/* ------------------------------------------------ proxies */

/* One no_proxy entry (len bytes at ent) against host: as libcurl's noproxy.c. */
static bool no_proxy_entry(const char *ent, size_t len, const char *host)
{
	size_t hl = strlen(host);

	if (len && ent[0] == '.') {
		ent++;
		len--;
	}
	if (!len)
		return false;
	if (hl == len)
		return !strncasecmp(ent, host, len);
	/* a domain matches its subdomains: "example.com" covers "a.example.com" */
	return hl > len && host[hl - len - 1] == '.' && !strncasecmp(host + hl - len, ent, len);
}

bool http_no_proxy_match(const char *no_proxy, const char *host)
{
	const char *p = no_proxy;

	while (p && *p) {
		size_t len;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, ", \t");
		if (len == 1 && *p == '*')
			return true;
		if (len && no_proxy_entry(p, len, host))
			return true;
		p += len;
	}
	return false;
}

static const char *env_first(const char *const *names, const char **var)
{
	for (size_t i = 0; names[i]; i++) {
		const char *v = getenv(names[i]);
		if (v && *v) {
			*var = names[i];
			return v;
		}
	}
	return NULL;
}

/* The URL with any user:password removed; NULL when it is not a URL. */
static char *strip_userinfo(const char *url, unsigned flags)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, flags) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
		if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
			out = xstrdup(s);
	}
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

/* The host of url, brackets of an IPv6 address removed; caller frees. */
static char *url_host(const char *url, char **scheme)
{
	CURLU *u = curl_url();
	char *h = NULL, *s = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK) {
		size_t n = strlen(h);
		out = h[0] == '[' && n > 1 ? xstrndup(h + 1, n - 2) : xstrdup(h);
		if (scheme)
			*scheme = xstrdup(s);
	}
	curl_free(h);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

char *http_env_proxy(const char *url, const char **var)
{
	/* libcurl reads http_proxy only in lower case (httpoxy: a CGI sets HTTP_PROXY) */
	static const char *const https_vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy",
						 "ALL_PROXY", NULL};
	static const char *const http_vars[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
	static const char *const no_vars[] = {"no_proxy", "NO_PROXY", NULL};
	char *scheme = NULL, *host = url_host(url, &scheme), *out = NULL;
	const char *proxy, *nv, *no;

	*var = NULL;
	if (!host)
		goto out;
	proxy = env_first(strcmp(scheme, "https") ? http_vars : https_vars, var);
	no = env_first(no_vars, &nv);
	if (proxy && !(no && http_no_proxy_match(no, host)))
		out = strip_userinfo(proxy, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
	if (!out)
		*var = NULL;
out:
	free(host);
	free(scheme);
	return out;
}

/* ------------------------------------------------ certificates */

/* "2026-12-21 06:03:11 UTC" */
static char *cert_time(time_t t)
{
	char buf[64];
	struct tm tm;

	if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		return NULL;
	return xstrdup(buf);
}

/* A distinguished name as RFC 4514 text, bounded. */
static char *cert_dn(gnutls_x509_crt_t crt, bool issuer)
{
	gnutls_datum_t d = {NULL, 0};
	char *out = NULL;

	if ((issuer ? gnutls_x509_crt_get_issuer_dn2(crt, &d) : gnutls_x509_crt_get_dn2(crt, &d)) ==
	    0)
		out = xstrndup((const char *)d.data, d.size < 1024 ? d.size : 1024);
	gnutls_free(d.data);
	return out;
}

/* "DNS:a, IP Address:1.2.3.4", as OpenSSL prints subjectAltName; NULL when none. */
static char *cert_sans(gnutls_x509_crt_t crt)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char buf[1024];

	for (unsigned i = 0; i < 64 && sb.len < 4096; i++) {
		size_t size = sizeof(buf) - 1;
		char ip[64];
		int t = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, NULL);
		if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (t == GNUTLS_SAN_DNSNAME) {
			strbuf_addf(&sb, "%sDNS:%.*s", sb.len ? ", " : "", (int)size, buf);
		} else if (t == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16) &&
			   inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip))) {
			strbuf_addf(&sb, "%sIP Address:%s", sb.len ? ", " : "", ip);
		}
	}
	return sb.len ? strbuf_detach(&sb) : NULL;
}

/* Fill c from the PEM of a certificate (libcurl's certinfo "Cert:"). */
static bool cert_parse(struct http_cert *c, const char *pem)
{
	gnutls_datum_t d = {(unsigned char *)pem, (unsigned)strlen(pem)};
	gnutls_x509_crt_t crt;
	time_t t;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_x509_crt_deinit(crt);
		return false;
	}
	c->subject = cert_dn(crt, false);
	c->issuer = cert_dn(crt, true);
	c->sans = cert_sans(crt);
	t = gnutls_x509_crt_get_activation_time(crt);
	c->not_before = cert_time(t);
	c->starts = t == (time_t)-1 ? INT64_MIN : (int64_t)t;
	t = gnutls_x509_crt_get_expiration_time(crt);
	c->not_after = cert_time(t);
	c->expires = t == (time_t)-1 ? INT64_MIN : (int64_t)t;
	gnutls_x509_crt_deinit(crt);
	return c->subject != NULL;
}

/* The leaf certificate of the last TLS handshake, if h made one. */
static bool cert_read(CURL *h, struct http_cert *c)
{
	struct curl_certinfo *ci = NULL;

	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return false;
	http_cert_release(c);
	for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
		if (starts_with(l->data, "Cert:"))
			return cert_parse(c, l->data + 5);
	return false;
}

/* One SAN pattern (len bytes) against host; "*." covers one label. */
static bool san_match(const char *pat, size_t len, const char *host)
{
	size_t hl = strlen(host);
	const char *dot;

	if (len == hl && !strncasecmp(pat, host, len))
		return true;
	if (len < 3 || strncmp(pat, "*.", 2))
		return false;
	dot = strchr(host, '.');
	return dot && (size_t)(hl - (size_t)(dot - host)) == len - 1 &&
	       !strncasecmp(dot, pat + 1, len - 1);
}

/* Is host among the certificate's SANs ("DNS:a, IP Address:1.2.3.4")? */
static bool cert_names(const struct http_cert *c, const char *host)
{
	const char *p = c->sans;

	while (p && *p) {
		const char *colon, *end;
		while (*p == ' ' || *p == ',')
			p++;
		end = p + strcspn(p, ",");
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon && san_match(colon + 1, (size_t)(end - colon - 1), host))
			return true;
		p = end;
	}
	return false;
}

/* Why verification failed, in words, from the certificate itself. */
static void verify_reason(struct strbuf *sb, const struct http_cert *c, const char *host,
			  const char *cacert)
{
	int64_t now = (int64_t)time(NULL);

	if (c->expires != INT64_MIN && now > c->expires) {
		strbuf_addf(sb, "the certificate expired on %s", c->not_after);
	} else if (c->starts != INT64_MIN && now < c->starts) {
		strbuf_addf(sb, "the certificate is not valid before %s", c->not_before);
	} else if (!cert_names(c, host)) {
		strbuf_addf(sb, "the certificate is not for '%s' (subject '%s', SANs %s)", host,
			    c->subject, c->sans ? c->sans : "none");
	} else {
		if (c->issuer && !strcmp(c->subject, c->issuer))
			strbuf_addf(sb, "the certificate is self-signed ('%s') and", c->subject);
		else
			strbuf_addf(sb, "its issuer '%s' is", c->issuer ? c->issuer : "?");
		if (cacert)
			strbuf_addf(sb, " not trusted by --cacert '%s'", cacert);
		else
			strbuf_addstr(sb, " not in the system CA store (give the cluster's CA "
					  "with --cacert)");
	}
}

/* ------------------------------------------------ requests */

static size_t sink_write(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n, room = s->max - s->body->len;

	if (len > room) {
		strbuf_add(s->body, data, room);
		s->truncated = true;
		return 0; /* stop reading: the cap is reached */
	}
	strbuf_add(s->body, data, len);
	return len;
}

/* The options that keep every request credential-free and bounded. */
static void base_options(CURL *h, const struct http_opts *o, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
	curl_easy_setopt(h, CURLOPT_PROXYAUTH, (long)CURLAUTH_NONE);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kanon/" KANON_VERSION " (probe)");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
}

/* Handshake only (no request) without verification, to read the certificate. */
static bool fetch_cert(const struct http_client *c, const char *url, const char *proxy,
		       struct http_cert *cert)
{
	struct http_opts o = c->o;
	char errbuf[CURL_ERROR_SIZE];
	CURL *h = curl_easy_init();
	bool ok = false;

	if (!h)
		return false;
	o.insecure = true;
	base_options(h, &o, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		ok = cert_read(h, cert);
	curl_easy_cleanup(h);
	return ok;
}

static enum http_error classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return HTTP_E_URL;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HTTP_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
		return HTTP_E_VERIFY;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return HTTP_E_TLS;
	default:
		return HTTP_E_OTHER;
	}
}

/* A URL libcurl may fetch: http or https, no user:password in it. */
static int check_url(const char *url, struct err *e)
{
	CURLU *u = curl_url();
	char *s = NULL, *user = NULL;
	int ret = 0;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK)
		ret = err_set(e, NULL, 0, "'%s' is not a URL", url);
	else if (strcmp(s, "https") && strcmp(s, "http"))
		ret = err_set(e, NULL, 0, "'%s' is not an http or https URL", url);
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		ret = err_set(e, NULL, 0, "'%s' carries a user name: kanon sends no credentials",
			      url);
	curl_free(s);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

static void response_info(CURL *h, struct http_response *r)
{
	char *s = NULL;
	long conns = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->code);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s)
		r->content_type = xstrndup(s, strnlen(s, 256));
	s = NULL;
	if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &s) == CURLE_OK && s)
		r->location = xstrndup(s, strnlen(s, 2048));
	/* certinfo is of the last handshake: only a new connection made one */
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK && conns > 0)
		r->has_cert = cert_read(h, &r->cert);
}

static int failed(struct http_client *c, const char *url, CURLcode rc, struct http_response *r,
		  struct err *e)
{
	enum http_error why = classify(rc);
	long os_errno = 0;
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	struct strbuf sb = STRBUF_INIT, where = STRBUF_INIT;
	char *host;

	if (curl_easy_getinfo(c->h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK)
		r->os_errno = (int)os_errno;
	strbuf_addstr(&where, url);
	if (r->proxy)
		strbuf_addf(&where, " through the proxy %s (%s)", r->proxy, r->proxy_var);
	if (why == HTTP_E_TIMEOUT) {
		err_set(e, NULL, 0, "no answer from %s within %ld ms (%s)", where.buf,
			c->o.timeout_ms, detail);
	} else if (why == HTTP_E_CONNECT && r->os_errno) {
		err_set(e, NULL, 0, "cannot connect to %s: %s", where.buf, strerror(r->os_errno));
	} else if (why == HTTP_E_CONNECT) {
		err_set(e, NULL, 0, "cannot connect to %s: %s", where.buf, detail);
	} else if (why == HTTP_E_VERIFY) {
		host = url_host(url, NULL);
		if (host && fetch_cert(c, url, r->proxy, &r->cert)) {
			r->has_cert = true;
			verify_reason(&sb, &r->cert, host, c->o.cacert);
		} else {
			strbuf_addstr(&sb, "the certificate could not be read");
		}
		err_set(e, NULL, 0, "cannot verify the certificate of %s: %s (TLS library: %s)",
			url, sb.buf, detail);
		free(host);
	} else if (rc == CURLE_SSL_CACERT_BADFILE) {
		err_set(e, NULL, 0, "cannot read the CA file '%s': %s",
			c->o.cacert ? c->o.cacert : "(system store)", detail);
	} else {
		err_set(e, NULL, 0, "GET %s failed: %s", where.buf, detail);
	}
	strbuf_release(&sb);
	strbuf_release(&where);
	return -(int)why;
}

/*
 * tls-server-name: the request goes to https://NAME:PORT/... (SNI and the
 * certificate check use NAME) and CURLOPT_CONNECT_TO sends it to the URL's
 * own host and port.
 */
static int set_server_name(struct http_client *c, const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_HOST, c->o.tls_server_name, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
		strbuf_addf(&sb, "%s:%s:%s:%s", c->o.tls_server_name, port, host, port);
		curl_slist_free_all(c->connect_to);
		c->connect_to = curl_slist_append(NULL, sb.buf);
		curl_easy_setopt(c->h, CURLOPT_URL, out);
		curl_easy_setopt(c->h, CURLOPT_CONNECT_TO, c->connect_to);
		ret = 0;
	}
	curl_free(host);
	curl_free(port);
	curl_free(out);
	curl_url_cleanup(u);
	strbuf_release(&sb);
	return ret;
}

int http_get(struct http_client *c, const char *url, struct http_response *r, struct err *e)
{
	struct sink sink = {&r->body, c->o.max_body, false};
	CURLcode rc;

	http_response_release(r);
	if (check_url(url, e) < 0)
		return -HTTP_E_URL;
	if (c->o.max_requests && c->nreq >= c->o.max_requests) {
		err_set(e, NULL, 0, "not sent: --max-requests %zu reached", c->o.max_requests);
		return -HTTP_E_LIMIT;
	}
	r->proxy = http_env_proxy(url, &r->proxy_var);
	c->errbuf[0] = '\0';
	base_options(c->h, &c->o, c->errbuf);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->headers);
	/* "" turns libcurl's own reading of the environment off */
	curl_easy_setopt(c->h, CURLOPT_PROXY, r->proxy ? r->proxy : "");
	curl_easy_setopt(c->h, CURLOPT_NOPROXY, "");
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &sink);
	if (c->o.tls_server_name && set_server_name(c, url) < 0) {
		err_set(e, NULL, 0, "'%s' is not a URL", url);
		return -HTTP_E_URL;
	}
	c->nreq++;
	rc = curl_easy_perform(c->h);
	r->truncated = sink.truncated;
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && sink.truncated))
		return failed(c, url, rc, r, e);
	response_info(c->h, r);
	return 0;
}
