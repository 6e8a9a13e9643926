#ifndef KANON_KUBECONFIG_H
#define KANON_KUBECONFIG_H

/*
 * kubeconfig files as kubectl reads them (k8s.io/client-go/tools/clientcmd,
 * loader.go: ClientConfigLoadingRules.Load, ResolveLocalPaths):
 *
 *  - --kubeconfig FILE: that file only, which must exist;
 *  - else $KUBECONFIG, a colon-separated list (empty entries and repeats
 *    dropped, missing files ignored), merged: the first file to set a
 *    cluster, user or context name wins it whole, and current-context
 *    comes from the first file that sets it;
 *  - else ~/.kube/config;
 *  - else, inside a pod, the service account (rest.InClusterConfig).
 *
 * Relative paths (certificate-authority, client-certificate, client-key,
 * tokenFile, an exec command with a '/') are resolved against the
 * directory of the file that names them. Secrets stay in memory: nothing
 * here prints, logs or writes one.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum kc_interactive {
	KC_INTERACTIVE_UNSET,
	KC_INTERACTIVE_NEVER,
	KC_INTERACTIVE_IFAVAILABLE,
	KC_INTERACTIVE_ALWAYS,
};

struct kc_exec {
	char *command;
	char **args;
	size_t nargs;
	char **env; /* "NAME=value" */
	size_t nenv;
	char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
	enum kc_interactive interactive;
	bool provide_cluster_info;
	char *install_hint;
};

/* Bytes of a *-data field (base64-decoded), or NULL. */
struct kc_bytes {
	unsigned char *data;
	size_t len;
};

struct kc_cluster {
	char *name;
	char *origin; /* the file it came from */
	char *server;
	char *ca_file;
	struct kc_bytes ca_data;
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
};

struct kc_user {
	char *name;
	char *origin;
	char *cert_file, *key_file;
	struct kc_bytes cert_data, key_data;
	char *token, *token_file;
	char *username, *password;
	struct kc_exec *exec;
	char *auth_provider; /* its name: not supported (removed from kubectl in 1.26) */
};

struct kc_context {
	char *name;
	char *origin;
	char *cluster, *user, *namespace;
};

struct kubeconfig {
	struct kc_cluster *clusters;
	size_t nclusters, aclusters;
	struct kc_user *users;
	size_t nusers, ausers;
	struct kc_context *contexts;
	size_t ncontexts, acontexts;
	char *current_context;
	char *current_origin;
	char **files; /* the files read, in order */
	size_t nfiles, afiles;
	bool in_cluster; /* from the service account, not a file */
};

void kubeconfig_init(struct kubeconfig *kc);
void kubeconfig_release(struct kubeconfig *kc);

/* Parse one file's bytes (name for errors and relative paths) and merge it
 * in: what kc already has wins. */
int kubeconfig_merge_buf(struct kubeconfig *kc, const char *buf, size_t len, const char *name,
			 struct err *e);

/*
 * Load as kubectl does: explicit (--kubeconfig) or NULL; env the value of
 * $KUBECONFIG or NULL; home the value of $HOME or NULL; sa_dir the
 * service account directory to fall back to when no file is found (NULL:
 * none).
 */
int kubeconfig_load(struct kubeconfig *kc, const char *explicit_path, const char *env,
		    const char *home, const char *sa_dir, struct err *e);

/* What one context resolves to (pointers into the kubeconfig). */
struct kc_target {
	const char *context;
	const struct kc_context *ctx;
	const struct kc_cluster *cluster;
	const struct kc_user *user; /* NULL: no credentials */
};

/* The context to use (--context, else current-context). */
int kubeconfig_resolve(const struct kubeconfig *kc, const char *context, struct kc_target *t,
		       struct err *e);

/* Words for the kind of credential a user has ("client certificate",
 * "bearer token", "exec plugin aws", ...), for the report. */
const char *kc_user_auth_kind(const struct kc_user *u);

/* base64 (standard alphabet, padding optional, whitespace ignored). */
int kc_base64_decode(const char *s, size_t len, struct kc_bytes *out);

#endif
