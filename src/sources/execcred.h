#ifndef KANON_EXECCRED_H
#define KANON_EXECCRED_H

/*
 * client-go credential plugins (kubeconfig users[].user.exec), run as
 * kubectl runs them (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go):
 * the command with its args, the kubeconfig's env added to kanon's
 * environment, KUBERNETES_EXEC_INFO holding an ExecCredential (apiVersion
 * client.authentication.k8s.io/v1 or v1beta1, spec.interactive, and with
 * provideClusterInfo spec.cluster); standard output is the ExecCredential
 * whose status has a token or a client certificate and key, cached until
 * its expirationTimestamp. kanon runs the command itself (fork/exec, no
 * shell), with a timeout and bounded output; the credential is never
 * printed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "sources/kubeconfig.h"

#define EXECCRED_MAX_OUTPUT (1u << 20)
#define EXECCRED_NO_EXPIRY  INT64_MAX

struct execcred {
	char *token;
	struct kc_bytes cert, key; /* PEM */
	int64_t expires;	   /* seconds since the epoch, or EXECCRED_NO_EXPIRY */
	bool have;
	unsigned runs; /* how often the plugin ran */
};

void execcred_init(struct execcred *c);
void execcred_release(struct execcred *c);

/*
 * The plugin's credential: the cached one while it has not expired (now,
 * seconds since the epoch), else a new run of the plugin. timeout_ms
 * bounds one run.
 */
int execcred_get(const struct kc_exec *x, const struct kc_cluster *cl, long timeout_ms, int64_t now,
		 struct execcred *c, struct err *e);

/* Forget the cached credential (the server answered 401 to it). */
void execcred_invalidate(struct execcred *c);

/* The ExecCredential a plugin printed, checked as exec.go checks it. */
int execcred_parse(const char *buf, size_t len, const char *api_version, struct execcred *out,
		   struct err *e);

/* The KUBERNETES_EXEC_INFO value (caller frees). */
char *execcred_info(const struct kc_exec *x, const struct kc_cluster *cl, bool interactive);

/* RFC 3339 time ("2026-12-01T10:00:00Z", fractions, offsets): 0 or -1. */
int execcred_parse_time(const char *s, int64_t *out);

#endif
