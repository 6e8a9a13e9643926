#ifndef KANON_CHECK_RBAC_H
#define KANON_CHECK_RBAC_H

#include <stdbool.h>
#include <stddef.h>

#include "model/rbac_model.h"
#include "core/finding.h"
#include "core/rule.h"

extern const struct check check_rbac;

/*
 * What is known about the API server's anonymous authentication (from
 * `kanon apiserver` in `scan`, or --anonymous-auth). With DISABLED, an
 * exposure is reported as "exposed only if anonymous auth is enabled" and
 * downgraded; with PATHS (AuthenticationConfiguration anonymous.conditions,
 * KEP-4633), only the listed paths are reachable anonymously.
 */
enum rbac_anon_auth {
	RBAC_ANON_AUTH_UNKNOWN,
	RBAC_ANON_AUTH_ENABLED,
	RBAC_ANON_AUTH_DISABLED,
	RBAC_ANON_AUTH_PATHS,
};

struct rbac_opts {
	bool include_authenticated; /* rbac-authenticated-binding findings */
	bool authenticated_info;    /* ... reported as info (scan) */
	bool explain;		    /* add the effective permission table */
	enum rbac_anon_auth anon;
	const char *const *anon_paths; /* RBAC_ANON_AUTH_PATHS */
	size_t nanon_paths;
	const char *anon_source; /* where the anonymous state comes from */
};

void rbac_opts_init(struct rbac_opts *o);

/*
 * Resolve s (aggregation) and turn it into findings: one
 * rbac-anonymous-binding per binding with an anonymous subject, lint
 * findings, and with o->explain a section "rbac_permissions".
 */
void rbac_check(struct rbac_set *s, const struct rbac_opts *o, struct result *res);

struct provider;

/* What the rbac check reads (its run function's input). */
struct rbac_input {
	const struct provider *src; /* where paths are read */
	const char *const *paths;   /* files or directories */
	size_t npaths;
	const struct rbac_opts *opts;
	/* a part of a snapshot: an empty directory is a warning (an error
	 * for a path the user named), and no "read N files" note */
	bool snapshot;
};

/* The anonymous state by name: "true"/"enabled", "false"/"disabled", "unknown". */
int rbac_anon_auth_parse(const char *s, enum rbac_anon_auth *out);

#endif
