#ifndef KANON_CHECK_PROBE_H
#define KANON_CHECK_PROBE_H

/*
 * The probe check: what a stranger gets. It sends the requests of an
 * unauthenticated client (sources/http.h: no credential of any kind) to
 * API servers, kubelets (:10250) and kubelet read-only ports (:10255) and
 * judges each answer: 401 anonymous auth is off; 403 anonymous auth is on
 * and the authorizer said no; 200 on a resource path anonymous access is
 * granted; 200 on a health path is what a health allowlist allows. Every
 * endpoint is one finding (a 404 is none); the "probe" report section has
 * one summary line per server.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "core/rule.h"
#include "sources/http.h"

enum probe_role { PROBE_APISERVER, PROBE_KUBELET, PROBE_READ_ONLY, PROBE__ROLES };

struct probe_server {
	enum probe_role role;
	const char *url; /* scheme://host:port, no path */
};

struct probe_input {
	const struct probe_server *servers;
	size_t nservers;
	const char *const *paths; /* --path: more API server paths */
	size_t npaths;
	struct http_opts http; /* max_requests 0: one per endpoint */
	bool expect_locked;    /* a 200 on a health path is a FAIL too */
};

extern const struct check check_probe;

/* The fixed paths probed for a role (NULL-terminated). */
const char *const *probe_paths(enum probe_role role);

/* Number of requests a probe of in sends (every endpoint once). */
size_t probe_count(const struct probe_input *in);

/*
 * scheme://HOST[:PORT] from what the user gave: a URL (its path dropped
 * when it is only "/"), or HOST[:PORT] with the role's scheme (https;
 * http for the read-only port) and port (6443, 10250, 10255). NULL when
 * it is no such thing (a path, a user name, another scheme); *why says
 * what is wrong. Caller frees.
 */
char *probe_server_url(enum probe_role role, const char *arg, const char **why);

/*
 * A path that must never be requested (exec, attach, run, port-forward:
 * they act on containers). Returns the refused word, or NULL when fine.
 */
const char *probe_path_refused(const char *path);

#endif
