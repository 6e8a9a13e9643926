#ifndef KANON_KUBEAPI_H
#define KANON_KUBEAPI_H

/*
 * An authenticated Kubernetes API client on libcurl's multi interface:
 * one event loop, at most `concurrency` requests in flight, connections
 * kept alive (HTTP/2 when the server offers it). Requests are queued with
 * kubeapi_submit(); kubeapi_loop() runs them and calls each one's done()
 * as it completes, and done() may submit more (the next page of a list).
 * The credentials come from a resolved kubeconfig context; private keys and
 * certificates given as data reach libcurl through memfd files, tokens
 * through a header, and none of them is ever printed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "sources/execcred.h"
#include "sources/kubeconfig.h"

struct kubeapi;
struct kubeapi_req;

/* The largest response body kept (a list page of 500 objects is a few MB). */
#define KUBEAPI_MAX_BODY (32u << 20)
/*
 * The bytes all requests in flight may hold together. A request whose next
 * bytes would pass it is paused (libcurl stops reading its connection)
 * until another completes, except the oldest one, which always proceeds, so
 * the loop never stalls. A server that answers every request with a big
 * body costs this much, not --concurrency times the largest body.
 */
#define KUBEAPI_HELD_MAX (24u << 20)

typedef void kubeapi_done_fn(struct kubeapi *k, struct kubeapi_req *r);

struct kubeapi_req {
	char *path;	 /* "/api/v1/nodes?limit=500", owned */
	size_t max_body; /* 0: KUBEAPI_MAX_BODY */
	kubeapi_done_fn *done;
	void *ctx;
	/* the outcome, for done() */
	long code; /* HTTP status; 0 when there was no answer */
	struct strbuf body;
	bool truncated;
	char *error; /* no answer: why ("timed out after 10000 ms"); owned */
	/* internal */
	struct kubeapi_req *next;
	void *easy;
	struct kubeapi *k;
	unsigned long seq; /* start order: the oldest request never waits */
	bool paused;	   /* waiting for the bodies in flight to shrink */
	bool retried;
	char errbuf[256]; /* CURL_ERROR_SIZE */
};

struct kubeapi_opts {
	long timeout_ms;      /* per request; 0: 10 s */
	unsigned concurrency; /* 0: 32 */
};

/* Set up the client for t: reads tokenFile, runs an exec plugin. */
struct kubeapi *kubeapi_create(const struct kc_target *t, const struct kubeapi_opts *o,
			       struct err *e);
void kubeapi_destroy(struct kubeapi *k);

/*
 * A client without a network (the fuzz target fuzz/fuzz_cluster.c): fn
 * answers each request, in the order submitted, with a status code (0: no
 * answer) and a body, which reaches the request as libcurl would hand it
 * over (16 KB at a time, the same body limits), then done() as over HTTP.
 */
typedef void kubeapi_replay_fn(void *ctx, const char *path, long *code, const char **body,
			       size_t *len);
struct kubeapi *kubeapi_create_replay(kubeapi_replay_fn *fn, void *ctx,
				      const struct kubeapi_opts *o);

/* The server URL (without a trailing '/'). */
const char *kubeapi_server(const struct kubeapi *k);
/* The CA file the client trusts (a memfd path for -data), or NULL. */
const char *kubeapi_cacert(const struct kubeapi *k);
bool kubeapi_insecure(const struct kubeapi *k);

/* Queue a GET of path (copied); ctx is handed to done(). */
struct kubeapi_req *kubeapi_submit(struct kubeapi *k, const char *path, kubeapi_done_fn *done,
				   void *ctx);
/* Run until nothing is queued or in flight. */
void kubeapi_loop(struct kubeapi *k);

/* Requests sent, and how many connections were opened. */
size_t kubeapi_requests(const struct kubeapi *k);

/* The message of a Status body, or the body's first line, or the error (a
 * short text for reports; caller frees). */
char *kubeapi_why(const struct kubeapi_req *r);

#endif
