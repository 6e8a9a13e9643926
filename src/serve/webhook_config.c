/*
 * `kanon serve --print-webhook-config`: the file kube-apiserver reads with
 * --audit-webhook-config-file, a kubeconfig whose current context names
 * the server to POST EventLists to and the credentials to present
 * (staging/src/k8s.io/apiserver/plugin/pkg/audit/webhook/webhook.go,
 * loadWebhook -> webhook.NewGenericWebhook, which loads it with
 * clientcmd). The CA is embedded (certificate-authority-data); the client
 * certificate and key stay paths, read by the API server on its host.
 */
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "serve/serve.h"
#include "sources/file.h"
#include "core/banned.h"

static void base64(struct strbuf *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		strbuf_addch(out, tab[(v >> 18) & 63]);
		strbuf_addch(out, tab[(v >> 12) & 63]);
		strbuf_addch(out, left > 1 ? tab[(v >> 6) & 63] : '=');
		strbuf_addch(out, left > 2 ? tab[v & 63] : '=');
	}
}

/* A YAML double-quoted scalar: JSON's string escapes are valid YAML ones. */
static void yaml_str(struct strbuf *out, const char *s)
{
	strbuf_add_json_str(out, s);
}

int serve_webhook_config(const char *server_url, const char *ca_file, const char *client_cert,
			 const char *client_key, struct strbuf *out, struct err *e)
{
	struct strbuf ca = STRBUF_INIT;

	if (strncmp(server_url, "https://", 8) && strncmp(server_url, "http://", 7))
		return err_set(e, NULL, 0, "--server-url '%s' is not an http(s):// URL",
			       server_url);
	if (!client_cert != !client_key)
		return err_set(e, NULL, 0, "--client-cert and --client-key go together");
	if (ca_file && file_read(ca_file, NULL, 1u << 20, &ca, e) < 0)
		return -1;
	if (ca_file && !strstr(ca.buf, "-----BEGIN CERTIFICATE-----")) {
		strbuf_release(&ca);
		return err_set(e, NULL, 0, "--ca-file '%s' has no PEM certificate", ca_file);
	}
	strbuf_addstr(out, "# kube-apiserver --audit-webhook-config-file (kanon serve "
			   "--print-webhook-config)\n"
			   "apiVersion: v1\nkind: Config\nclusters:\n- name: kanon\n  cluster:\n"
			   "    server: ");
	yaml_str(out, server_url);
	strbuf_addch(out, '\n');
	if (ca_file) {
		strbuf_addstr(out, "    certificate-authority-data: ");
		base64(out, (const unsigned char *)ca.buf, ca.len);
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "users:\n- name: kube-apiserver\n  user:");
	if (client_cert) {
		strbuf_addstr(out, "\n    client-certificate: ");
		yaml_str(out, client_cert);
		strbuf_addstr(out, "\n    client-key: ");
		yaml_str(out, client_key);
		strbuf_addch(out, '\n');
	} else {
		strbuf_addstr(out, " {}\n");
	}
	strbuf_addstr(out, "contexts:\n- name: kanon\n  context:\n    cluster: kanon\n"
			   "    user: kube-apiserver\ncurrent-context: kanon\n");
	strbuf_release(&ca);
	return 0;
}
