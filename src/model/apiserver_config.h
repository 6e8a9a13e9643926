#ifndef KANON_APISERVER_CONFIG_H
#define KANON_APISERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "model/provenance.h"
#include "parsers/cmdline.h"

/*
 * The kube-apiserver's effective anonymous-authentication and authorization
 * settings, computed the way the API server computes them:
 *  - pkg/kubeapiserver/options/authentication.go: --anonymous-auth defaults
 *    to true; an `anonymous` block in --authentication-config wins, and the
 *    two together are refused; ApplyAuthorization() resets the *flag* value
 *    to false when the authorization modes include AlwaysAllow;
 *  - pkg/kubeapiserver/options/authorization.go: --authorization-mode is an
 *    ordered list (AlwaysAllow when neither it nor --authorization-config is
 *    given), mutually exclusive with --authorization-config;
 *  - staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go
 *    for the AuthenticationConfiguration / AuthorizationConfiguration rules.
 */

/* Kubernetes minor versions whose semantics kanon models (1.MIN .. 1.MAX). */
#define APISERVER_MINOR_MIN 28
#define APISERVER_MINOR_MAX 35
#define APISERVER_MINOR_DEFAULT 34

/* What an INVALID reason makes unusable: it is reported by these rules. */
enum {
	DOM_ANON = 1,  /* the anonymous-authentication state */
	DOM_AUTHN = 2, /* the AuthenticationConfiguration file */
	DOM_AUTHZ = 4, /* the authorizer chain */
	DOM_ALL = 7,
};

struct api_evlist {
	struct evidence *v;
	size_t n, alloc;
};

struct api_invalid {
	unsigned dom;
	char *msg;
	struct evidence at;
};

struct api_lint {
	struct evidence at;
	char *msg;
};

struct api_path {
	char *path;
	int line;
};

struct api_authorizer {
	char *type; /* AlwaysAllow, Node, RBAC, Webhook, ... */
	char *name; /* the name in an AuthorizationConfiguration, or NULL */
	struct evidence at;
};

struct apiserver_model {
	int minor;
	struct evidence version_at; /* where the Kubernetes version came from */

	/* Feature gates as the API server sees them, at this minor version
	 * (--emulated-version, else minor). */
	int gate_minor;
	/* Feature gates as the API server sees them. */
	bool gate_anon;  /* AnonymousAuthConfigurableEndpoints */
	bool gate_authn; /* StructuredAuthenticationConfiguration */
	bool gate_authz; /* StructuredAuthorizationConfiguration */

	/* Anonymous authentication. */
	bool anon_known;
	char *anon_reason;   /* why it is unknown */
	bool anon_enabled;
	bool anon_from_file; /* the authentication config's anonymous block decides */
	bool anon_reset;     /* ApplyAuthorization turned the flag value off */
	bool anon_flag_set;  /* --anonymous-auth is on the command line */
	char *anon_flag_opaque; /* its value is this unresolvable $(VAR) */
	struct api_path *cond;
	size_t ncond, acond;
	struct api_evlist anon_ev;

	/* Authorization: the authorizers in order. */
	bool authz_known;
	char *authz_reason;
	bool authz_from_file; /* --authorization-config */
	bool authz_default;   /* nothing given: AlwaysAllow */
	char *authz_opaque;   /* a --authorization-mode value is this $(VAR) */
	struct api_authorizer *chain;
	size_t nchain, achain;
	struct api_evlist authz_ev;

	/* The AuthenticationConfiguration file. */
	bool authn_used;    /* --authentication-config is in effect */
	bool authn_loaded;  /* it was read and parsed */
	char *authn_path;   /* as displayed */
	char *authn_reason; /* why it could not be read */
	char *authn_version;
	size_t njwt;
	struct api_lint *lint;
	size_t nlint, alint;

	/* Why there is no command line (NULL: there is one). */
	char *no_argv;

	/* A whole argv word is an unresolvable $(VAR): it may be any flag. */
	char *argv_opaque;

	/* Reasons the API server would refuse to start. */
	struct api_invalid *inv;
	size_t ninv, ainv;
};

struct provider;
struct node_layout;

struct apiserver_input {
	/* The kube-apiserver command line (argv[0] included), or NULL. */
	const struct argv_list *argv;
	/* For a manifest: the file and the line of every argv word. */
	const char *argv_file;
	const int *argv_lines;
	/* Where the paths the flags name are read: the process
	 * (provider_proc_create), a node root (--root, a snapshot's root/);
	 * NULL: this machine. Borrowed. */
	const struct provider *node;
	/* Files that replace the paths the flags name (read as given). */
	const char *authn_config;
	const char *authz_config;
	/* Kubernetes minor version (1.x) and where it came from. */
	int minor;
	const char *version_source; /* e.g. "--k8s-version 1.31" */
	const char *version_path;   /* a file:line for the evidence, or NULL */
	int version_line;
	/* authn_config/authz_config were named by the user: failing to read
	 * them is an input error (exit 2), not UNKNOWN */
	bool required;
	/* Why argv is missing (NULL: assume a command line without flags). */
	const char *no_argv_reason;
	/* "$(VAR)" references left in argv whose value only the kubelet knows
	 * (env vars set with valueFrom), or NULL */
	const struct argv_list *opaque;
	/* Evidence every finding carries (which container of a Pod is the
	 * API server), or NULL. */
	const struct evidence *context;
	size_t ncontext;
	/* The node layout the command line was found in (model/node.h), for
	 * the remediation; NULL when it came from elsewhere. */
	const struct node_layout *layout;
};

void apiserver_model_init(struct apiserver_model *m);
void apiserver_model_release(struct apiserver_model *m);

/*
 * Compute the model. Problems with the inputs go to res as diagnostics; a
 * required file that can't be read sets res->input_error and returns -1.
 */
int apiserver_model_load(const struct apiserver_input *in,
			 struct apiserver_model *m, struct result *res);

/* Is there an INVALID reason for any of the domains in dom? */
const struct api_invalid *apiserver_invalid_for(const struct apiserver_model *m,
						unsigned dom);

/* "1.31" or "v1.31.2" or "1.31.0-rc.1" -> 31 when the major is 1; -1 otherwise. */
int apiserver_parse_minor(const char *s);

/* Does argv look like a kube-apiserver command line (argv[0] basename)? */
bool apiserver_argv0_is(const char *word);

void api_ev_add(struct api_evlist *l, const char *kind, const char *path,
		int line, const char *key, const char *value, const char *note);
void api_ev_release(struct api_evlist *l);

#endif
