#ifndef KANON_HTTP_H
#define KANON_HTTP_H

/*
 * An HTTP(S) source on libcurl: GET requests to servers, for checks that
 * ask a running component instead of reading its files (kanon probe, a
 * later live-cluster mode). It knows nothing of Kubernetes.
 *
 * It never sends a credential: no client certificate, no Authorization
 * header, no cookies, no .netrc, no user:password in a URL (refused). A
 * proxy is used only when the environment names one (https_proxy,
 * http_proxy, all_proxy, minus no_proxy), and each response says which.
 * Redirects are never followed: the response carries the Location. The
 * server certificate is verified against a CA file or the system store,
 * unless the caller asked for an insecure client; a failure names the
 * certificate problem. Bodies are capped; requests are counted and capped.
 * One client reuses its connections to a host.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

#define HTTP_MAX_BODY (1024 * 1024)

struct http_opts {
	const char *cacert;  /* PEM file of CAs to trust; NULL: the system store */
	bool insecure;	     /* do not verify the server certificate */
	long timeout_ms;     /* per request, connecting included; 0: 10 s */
	size_t max_body;     /* body bytes kept; 0: HTTP_MAX_BODY */
	size_t max_requests; /* requests in all; 0: no limit */
	/* a kubeconfig's tls-server-name: the name sent in SNI and checked
	 * against the certificate instead of the URL's host; NULL: the host */
	const char *tls_server_name;
};

/* The server's (leaf) certificate, as the TLS library printed it. */
struct http_cert {
	char *subject;
	char *issuer;
	char *sans; /* "DNS:a, IP Address:1.2.3.4", or NULL */
	char *not_before;
	char *not_after;
	int64_t expires; /* seconds since the epoch; INT64_MIN: unparsed */
	int64_t starts;	 /* seconds since the epoch; INT64_MIN: unparsed */
};

void http_cert_release(struct http_cert *c);

/* Why a request got no response (http_get()'s negative returns). */
enum http_error {
	HTTP_OK,
	HTTP_E_URL,	/* not an http(s) URL, or one with credentials */
	HTTP_E_CONNECT, /* name not resolved, connection refused, no route */
	HTTP_E_TIMEOUT, /* no (complete) answer within the timeout */
	HTTP_E_VERIFY,	/* the server certificate failed verification */
	HTTP_E_TLS,	/* the TLS handshake failed otherwise */
	HTTP_E_LIMIT,	/* max_requests reached: not sent */
	HTTP_E_OTHER,
};

struct http_response {
	long code; /* the HTTP status */
	struct strbuf body;
	bool truncated;	       /* the body was longer than max_body */
	char *content_type;    /* or NULL */
	char *location;	       /* a redirect's target, not followed; or NULL */
	char *proxy;	       /* the proxy used (without user:password), or NULL */
	const char *proxy_var; /* the environment variable that named it */
	int os_errno;	       /* a failed connection's errno (ECONNREFUSED), or 0 */
	bool has_cert;	       /* cert holds the certificate of a new TLS connection */
	struct http_cert cert;
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

struct http_client;

/* NULL, or why there is no HTTP client (libcurl could not be loaded) */
const char *http_unavailable(void);
/* A client; opts is copied (cacert is borrowed). destroy accepts NULL. */
struct http_client *http_client_create(const struct http_opts *opts);
void http_client_destroy(struct http_client *c);

/*
 * GET url without credentials. Returns 0 when the server answered (any
 * status: r->code), or -enum http_error with *e saying why, e.g. "cannot
 * connect to https://h:6443: Connection refused" or "cannot verify the
 * certificate of https://h:6443: it expired on ...". On a verification
 * failure r->cert is filled when the certificate could be read.
 */
int http_get(struct http_client *c, const char *url, struct http_response *r, struct err *e);

/* Requests sent so far. */
size_t http_client_requests(const struct http_client *c);

/*
 * The proxy the environment names for url ("http://p:3128", without
 * user:password; caller frees) and the variable (*var), or NULL when
 * none applies (no variable, or no_proxy matches the host).
 */
char *http_env_proxy(const char *url, const char **var);

/* Does no_proxy (comma-separated names, ".suffix", "*") cover host? */
bool http_no_proxy_match(const char *no_proxy, const char *host);

#endif
