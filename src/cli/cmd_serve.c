#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "serve/serve.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon serve [options]\n"
    "\n"
    "An audit webhook backend for kube-apiserver (--audit-webhook-config-file):\n"
    "counts anonymous access, 401s and RBAC grants to anonymous users live, as\n"
    "kanon audit does, with Prometheus metrics on /metrics and alerts as JSON\n"
    "lines. See docs/serve.md.\n"
    "\n"
    "Options:\n"
    "      --listen ADDR:PORT    default 0.0.0.0:8443; port 0 picks a free port\n"
    "      --port-file FILE      write the port listened on to FILE\n"
    "      --tls-cert FILE       server certificate (PEM)\n"
    "      --tls-key FILE        its key (PEM)\n"
    "      --client-ca FILE      accept client certificates signed by this CA\n"
    "      --token-file FILE     accept 'Authorization: Bearer' with FILE's first line\n"
    "      --insecure-http       plain HTTP, only on a loopback address\n"
    "      --alerts FILE         alert JSON lines to FILE (default: standard output)\n"
    "      --alerts-max-size N   rotate FILE to FILE.1 past N bytes (default: never)\n"
    "      --alert-webhook URL   also POST each alert to URL (retried, bounded buffer)\n"
    "      --gap DURATION        gap alert after no event for DURATION (default 5m)\n"
    "      --queue N             queue capacity in events (default 100000)\n"
    "      --max-body BYTES      largest request body (default 16777216)\n"
    "      --max-connections N   (default 256)\n"
    "      --timeout SECONDS     idle connection timeout (default 10)\n"
    "      --threads N           HTTP threads (default: one per CPU)\n"
    "      --allow-ip CIDR[,CIDR...]  sources expected to be anonymous (health checks)\n"
    "      --print-webhook-config     print the kubeconfig for\n"
    "                            --audit-webhook-config-file and exit; with\n"
    "      --server-url URL      the URL the API server posts to\n"
    "      --ca-file FILE        the CA of the server certificate (embedded)\n"
    "      --client-cert FILE    the API server's client certificate (path)\n"
    "      --client-key FILE     its key (path)\n"
    "  -h, --help                show this help\n"
    "\n"
    "Exit status: 0 after SIGTERM or SIGINT (the queue drained); 1 cannot\n"
    "start; 2 usage error.\n";

enum { O_GAP = 1, O_QUEUE, O_MAX_BODY, O_MAX_CONN, O_TIMEOUT, O_THREADS, O_ALLOW_IP, O_ALERTS_MAX };

struct serve_args {
	struct serve_opts o;
	bool print_config;
	const char *server_url, *ca_file, *client_cert, *client_key;
	struct cidr *allow;
	size_t nallow, aallow;
};

static const struct cli_opt opts[] = {
    CLI_STR("listen", struct serve_args, o.listen),
    CLI_STR("port-file", struct serve_args, o.port_file),
    CLI_STR("tls-cert", struct serve_args, o.tls_cert),
    CLI_STR("tls-key", struct serve_args, o.tls_key),
    CLI_STR("client-ca", struct serve_args, o.client_ca),
    CLI_STR("token-file", struct serve_args, o.token_file),
    CLI_FLAG("insecure-http", struct serve_args, o.insecure_http),
    CLI_STR("alerts", struct serve_args, o.alerts),
    CLI_ARG("alerts-max-size", O_ALERTS_MAX),
    CLI_STR("alert-webhook", struct serve_args, o.alert_webhook),
    CLI_ARG("gap", O_GAP),
    CLI_ARG("queue", O_QUEUE),
    CLI_ARG("max-body", O_MAX_BODY),
    CLI_ARG("max-connections", O_MAX_CONN),
    CLI_ARG("timeout", O_TIMEOUT),
    CLI_ARG("threads", O_THREADS),
    CLI_ARG("allow-ip", O_ALLOW_IP),
    CLI_FLAG("print-webhook-config", struct serve_args, print_config),
    CLI_STR("server-url", struct serve_args, server_url),
    CLI_STR("ca-file", struct serve_args, ca_file),
    CLI_STR("client-cert", struct serve_args, client_cert),
    CLI_STR("client-key", struct serve_args, client_key),
    {NULL},
};

static void init(void *ctx)
{
	struct serve_args *a = ctx;
	serve_opts_init(&a->o);
}

static int add_cidrs(struct serve_args *a, const char *arg)
{
	char *copy = xstrdup(arg), *p = copy;
	int rc = 0;

	while (p && !rc) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p) {
			ALLOC_GROW(a->allow, a->nallow + 1, a->aallow);
			if (cidr_parse(p, &a->allow[a->nallow]) < 0)
				rc = usage_error("serve",
						 "--allow-ip needs addresses or CIDRs "
						 "such as 10.0.0.0/8, not '%s'",
						 arg);
			else
				a->nallow++;
		}
		p = comma ? comma + 1 : NULL;
	}
	free(copy);
	return rc;
}

static int set_num(int id, const char *arg, long long *v)
{
	static const struct {
		int id;
		const char *name;
		long long min, max;
	} lim[] = {
	    {O_QUEUE, "queue", 1, 100000000},
	    {O_MAX_BODY, "max-body", 1024, 1LL << 31},
	    {O_MAX_CONN, "max-connections", 1, 65536},
	    {O_TIMEOUT, "timeout", 1, 86400},
	    {O_THREADS, "threads", 1, 256},
	    {O_ALERTS_MAX, "alerts-max-size", 4096, 1LL << 50},
	};

	for (size_t i = 0; i < ARRAY_SIZE(lim); i++)
		if (lim[i].id == id && parse_int(arg, lim[i].min, lim[i].max, v) < 0)
			return usage_error("serve",
					   "--%s needs a number from %lld to %lld, not '%s'",
					   lim[i].name, lim[i].min, lim[i].max, arg);
	return 0;
}

static int set_opt(void *ctx, int id, const char *arg)
{
	struct serve_args *a = ctx;
	long long v = 0;
	int rc;

	if (id == O_ALLOW_IP)
		return add_cidrs(a, arg);
	if (id == O_GAP) {
		int64_t d = go_duration_us(arg);
		if (d < 1000000)
			return usage_error("serve",
					   "--gap needs a duration such as 30s, 5m or 1h (at "
					   "least 1s), not '%s'",
					   arg);
		a->o.gap_us = d;
		return 0;
	}
	if ((rc = set_num(id, arg, &v)) != 0)
		return rc;
	switch (id) {
	case O_QUEUE:
		a->o.queue = (size_t)v;
		break;
	case O_MAX_BODY:
		a->o.max_body = (size_t)v;
		break;
	case O_MAX_CONN:
		a->o.max_connections = (unsigned)v;
		break;
	case O_TIMEOUT:
		a->o.timeout = (unsigned)v;
		break;
	case O_THREADS:
		a->o.threads = (int)v;
		break;
	case O_ALERTS_MAX:
		a->o.alerts_max_size = (uint64_t)v;
		break;
	}
	return 0;
}

static int print_config(const struct serve_args *a)
{
	struct strbuf out = STRBUF_INIT;
	struct err e;

	if (!a->server_url)
		return usage_error("serve", "--print-webhook-config needs --server-url URL");
	if (serve_webhook_config(a->server_url, a->ca_file, a->client_cert, a->client_key, &out,
				 &e) < 0) {
		strbuf_release(&out);
		return cli_error("%s", e.msg);
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	return fflush(stdout) ? cli_error("cannot write the configuration") : 0;
}

/* The combinations that cannot work, refused before anything starts. */
static int check(const struct serve_args *a)
{
	struct sockaddr_storage ss;
	struct err e;

	if (serve_parse_listen(a->o.listen, &ss, &e) < 0)
		return usage_error("serve", "%s", e.msg);
	if (a->o.insecure_http) {
		if (!serve_addr_loopback(&ss))
			return usage_error("serve",
					   "--insecure-http serves plain HTTP on loopback "
					   "addresses only (127.0.0.0/8, ::1), not '%s'",
					   a->o.listen);
		if (a->o.tls_cert || a->o.tls_key || a->o.client_ca)
			return usage_error("serve", "--insecure-http does not take "
						    "--tls-cert, --tls-key or --client-ca");
		return 0;
	}
	if (!a->o.tls_cert || !a->o.tls_key)
		return usage_error("serve", "HTTPS needs --tls-cert and --tls-key "
					    "(or --insecure-http on loopback)");
	if (!a->o.client_ca && !a->o.token_file)
		return usage_error("serve", "nothing would authenticate the API server: give "
					    "--client-ca or --token-file");
	return 0;
}

static int run(void *ctx, char **operands, int n, const struct common_opts *co, struct result *res)
{
	struct serve_args *a = ctx;
	int rc;

	(void)operands, (void)n, (void)co, (void)res;
	if (a->print_config)
		return print_config(a);
	if ((rc = check(a)) != 0)
		return rc;
	a->o.audit.allow = a->allow;
	a->o.audit.nallow = a->nallow;
	a->o.audit.gap_us = a->o.gap_us;
	return serve_run(&a->o);
}

static void release(void *ctx)
{
	struct serve_args *a = ctx;
	free(a->allow);
}

static const struct cli_cmd serve_cmd = {
    .name = "serve",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .max = 0,
    .run = run,
    .ctx_size = sizeof(struct serve_args),
    .init = init,
    .release = release,
};

int cmd_serve(int argc, char **argv)
{
	return cli_main(&serve_cmd, argc, argv);
}
