#ifndef KANON_SERVE_H
#define KANON_SERVE_H

/*
 * `kanon serve` (docs/serve.md): an audit webhook backend for
 * kube-apiserver. HTTP(S) in src/serve/serve.c, alerts in alerts.c, the
 * metrics exposition in metrics.c; the audit engine is checks/audit_live.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"

struct strbuf;
struct err;

struct serve_opts {
	const char *listen; /* ADDR:PORT, [V6]:PORT */
	const char *port_file;
	const char *tls_cert, *tls_key, *client_ca, *token_file;
	bool insecure_http;
	const char *alerts; /* NULL: stdout */
	uint64_t alerts_max_size;
	const char *alert_webhook;
	int64_t gap_us;
	size_t queue, max_body;
	unsigned max_connections, timeout;
	int threads;
	struct audit_opts audit; /* --allow-ip */
};

void serve_opts_init(struct serve_opts *o);

/* Run until SIGTERM/SIGINT, then drain: the exit code (0, or 1 when it cannot start). */
int serve_run(const struct serve_opts *o);

/* "127.0.0.1:8443", "[::1]:0": 0, or -1 with *e set. */
struct sockaddr_storage;
int serve_parse_listen(const char *s, struct sockaddr_storage *ss, struct err *e);
bool serve_addr_loopback(const struct sockaddr_storage *ss);

/*
 * The kubeconfig for kube-apiserver --audit-webhook-config-file: the
 * server URL, its CA (embedded), the client certificate and key (by path,
 * as the apiserver reads them), appended to out. 0, or -1 with *e set.
 */
int serve_webhook_config(const char *server_url, const char *ca_file, const char *client_cert,
			 const char *client_key, struct strbuf *out, struct err *e);

#endif
