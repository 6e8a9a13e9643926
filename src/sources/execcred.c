/*
 * Exec credential plugins (sources/execcred.h). Semantics from client-go
 * plugin/pkg/client/auth/exec/exec.go: newAuthenticator (apiVersion must
 * be v1 or v1beta1; v1 requires interactiveMode, v1beta1 defaults to
 * IfAvailable), Authenticator.refreshCredsLocked (the ExecCredential in
 * KUBERNETES_EXEC_INFO, the apiVersion and status checks, the expiry).
 */
#include "sources/execcred.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "sources/file.h"
#include "core/banned.h"

extern char **environ;

#define V1	   "client.authentication.k8s.io/v1"
#define V1BETA1	   "client.authentication.k8s.io/v1beta1"
#define STDERR_MAX 4096

void execcred_init(struct execcred *c)
{
	memset(c, 0, sizeof(*c));
	c->expires = EXECCRED_NO_EXPIRY;
}

static void forget(struct execcred *c)
{
	if (c->token) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	for (int i = 0; i < 2; i++) {
		struct kc_bytes *b = i ? &c->key : &c->cert;
		if (b->data) {
			explicit_bzero(b->data, b->len);
			free(b->data);
		}
		b->data = NULL;
		b->len = 0;
	}
	c->token = NULL;
	c->have = false;
	c->expires = EXECCRED_NO_EXPIRY;
}

void execcred_release(struct execcred *c)
{
	forget(c);
	execcred_init(c);
}

void execcred_invalidate(struct execcred *c)
{
	unsigned runs = c->runs;

	forget(c);
	c->runs = runs;
}

/* ------------------------------------------------ times */

static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

int execcred_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
	return 0;
}

/* ------------------------------------------------ the ExecCredential */

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void take_pem(struct kc_bytes *b, const char *s)
{
	b->len = strlen(s);
	b->data = (unsigned char *)xstrdup(s);
}

static int parse_status(const cJSON *st, struct execcred *out, struct err *e)
{
	const char *tok = json_str(st, "token"), *cert = json_str(st, "clientCertificateData"),
		   *key = json_str(st, "clientKeyData"), *exp = json_str(st, "expirationTimestamp");

	if ((cert && *cert) != (key && *key))
		return err_set(e, NULL, 0, "exec plugin returned %s but not %s",
			       cert && *cert ? "clientCertificateData" : "clientKeyData",
			       cert && *cert ? "clientKeyData" : "clientCertificateData");
	if (!(tok && *tok) && !(cert && *cert))
		return err_set(e, NULL, 0, "exec plugin didn't return a token or cert/key pair");
	if (exp && execcred_parse_time(exp, &out->expires) < 0)
		return err_set(e, NULL, 0,
			       "exec plugin returned an expirationTimestamp that is not an "
			       "RFC 3339 time");
	if (tok && *tok)
		out->token = xstrdup(tok);
	if (cert && *cert) {
		take_pem(&out->cert, cert);
		take_pem(&out->key, key);
	}
	out->have = true;
	return 0;
}

int execcred_parse(const char *buf, size_t len, const char *api_version, struct execcred *out,
		   struct err *e)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);
	const cJSON *st;
	const char *kind, *ver;
	int ret = -1;

	forget(out);
	if (!root) {
		err_set(e, NULL, 0, "exec plugin output is not JSON (an ExecCredential)");
		goto out;
	}
	kind = json_str(root, "kind");
	ver = json_str(root, "apiVersion");
	st = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!kind || strcmp(kind, "ExecCredential"))
		err_set(e, NULL, 0, "exec plugin output is not an ExecCredential (kind '%s')",
			kind ? kind : "");
	else if (!ver || strcmp(ver, api_version))
		err_set(e, NULL, 0,
			"exec plugin is configured to use API version %s, plugin returned "
			"version %s",
			api_version, ver ? ver : "(none)");
	else if (!cJSON_IsObject(st))
		err_set(e, NULL, 0, "exec plugin didn't return a status field");
	else
		ret = parse_status(st, out, e);
out:
	cJSON_Delete(root);
	if (ret < 0)
		forget(out);
	return ret;
}

static void add_base64(cJSON *o, const char *key, const struct kc_bytes *bytes)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *d = bytes->data;
	struct strbuf b = STRBUF_INIT;

	for (size_t i = 0; i < bytes->len; i += 3) {
		unsigned v = (unsigned)d[i] << 16;
		size_t left = bytes->len - i;
		v |= left > 1 ? (unsigned)d[i + 1] << 8 : 0;
		v |= left > 2 ? d[i + 2] : 0;
		strbuf_addch(&b, tbl[(v >> 18) & 63]);
		strbuf_addch(&b, tbl[(v >> 12) & 63]);
		strbuf_addch(&b, left > 1 ? tbl[(v >> 6) & 63] : '=');
		strbuf_addch(&b, left > 2 ? tbl[v & 63] : '=');
	}
	cJSON_AddStringToObject(o, key, b.buf ? b.buf : "");
	strbuf_release(&b);
}

char *execcred_info(const struct kc_exec *x, const struct kc_cluster *cl, bool interactive)
{
	cJSON *root = cJSON_CreateObject(), *spec = cJSON_CreateObject();
	char *s, *out;

	cJSON_AddStringToObject(root, "kind", "ExecCredential");
	cJSON_AddStringToObject(root, "apiVersion", x->api_version);
	cJSON_AddItemToObject(root, "spec", spec);
	if (x->provide_cluster_info && cl) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "server", cl->server ? cl->server : "");
		if (cl->tls_server_name)
			cJSON_AddStringToObject(c, "tls-server-name", cl->tls_server_name);
		if (cl->insecure)
			cJSON_AddBoolToObject(c, "insecure-skip-tls-verify", 1);
		struct strbuf file = STRBUF_INIT;
		struct kc_bytes ca = cl->ca_data;
		/* rest.LoadTLSFiles: certificate-authority is read into CAData */
		if (!ca.data && cl->ca_file &&
		    file_read(cl->ca_file, NULL, 1u << 20, &file, NULL) >= 0) {
			ca.data = (unsigned char *)file.buf;
			ca.len = file.len;
		}
		if (ca.data)
			add_base64(c, "certificate-authority-data", &ca);
		strbuf_release(&file);
		if (cl->proxy_url)
			cJSON_AddStringToObject(c, "proxy-url", cl->proxy_url);
		cJSON_AddItemToObject(spec, "cluster", c);
	}
	cJSON_AddBoolToObject(spec, "interactive", interactive);
	s = cJSON_PrintUnformatted(root);
	out = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(root);
	return out;
}

/* ------------------------------------------------ running the plugin */

struct run {
	int out, err; /* read ends */
	pid_t pid;
	struct strbuf stdout_buf, stderr_buf;
	bool too_long, timed_out;
	int status;
};

static char **child_env(const struct kc_exec *x, const char *info)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(st_add(st_add(n, x->nenv), 2), sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (!starts_with(environ[i], "KUBERNETES_EXEC_INFO="))
			env[k++] = environ[i];
	for (size_t i = 0; i < x->nenv; i++)
		env[k++] = x->env[i];
	env[k++] = (char *)info;
	env[k] = NULL;
	return env;
}

static int start(const struct kc_exec *x, const char *info, bool interactive, struct run *r,
		 struct err *e)
{
	int po[2], pe[2];
	char **argv = xcalloc(st_add(x->nargs, 2), sizeof(*argv));
	char **env;

	argv[0] = x->command;
	for (size_t i = 0; i < x->nargs; i++)
		argv[i + 1] = x->args[i];
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		free(argv);
		return err_set(e, NULL, 0, "cannot run exec plugin '%s': %s", x->command,
			       strerror(errno));
	}
	env = child_env(x, info);
	r->pid = fork();
	if (r->pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (!interactive && null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		if (!interactive)
			dup2(pe[1], 2);
		execvpe(x->command, argv, env);
		_exit(127);
	}
	free(argv);
	free(env);
	close(po[1]);
	close(pe[1]);
	r->out = po[0];
	r->err = pe[0];
	if (r->pid < 0) {
		close(r->out);
		close(r->err);
		return err_set(e, NULL, 0, "cannot run exec plugin '%s': %s", x->command,
			       strerror(errno));
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read both pipes until they close, the output is too long or time is up. */
static void collect(struct run *r, long timeout_ms)
{
	int64_t until = now_ms() + timeout_ms;
	struct pollfd p[2] = {{r->out, POLLIN, 0}, {r->err, POLLIN, 0}};
	char buf[8192];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int64_t left = until - now_ms();
		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		if (poll(p, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			struct strbuf *sb = i ? &r->stderr_buf : &r->stdout_buf;
			size_t cap = i ? STDERR_MAX : EXECCRED_MAX_OUTPUT;
			ssize_t n;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (sb->len + (size_t)n > cap) {
				if (!i)
					r->too_long = true; /* stops the loop below */
				n = (ssize_t)(cap - sb->len);
			}
			strbuf_add(sb, buf, (size_t)n);
		}
		if (r->too_long)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	if (r->timed_out || r->too_long)
		kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR)
		;
}

/* The plugin's standard error: its first line, for the message. */
static const char *first_line(struct strbuf *sb)
{
	if (!sb->len)
		return "";
	sb->buf[strcspn(sb->buf, "\n")] = '\0';
	return sb->buf;
}

static int finish(const struct kc_exec *x, struct run *r, long timeout_ms, struct err *e)
{
	const char *hint = x->install_hint ? x->install_hint : "";

	if (r->timed_out)
		return err_set(e, NULL, 0, "exec plugin '%s' did not finish within %ld ms: killed",
			       x->command, timeout_ms);
	if (r->too_long)
		return err_set(e, NULL, 0, "exec plugin '%s' wrote more than %u bytes: killed",
			       x->command, EXECCRED_MAX_OUTPUT);
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 127 && !r->stdout_buf.len)
		return err_set(e, NULL, 0, "exec plugin '%s' could not be run (not found?)%s%s",
			       x->command, *hint ? ": " : "", hint);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status))
		return err_set(e, NULL, 0, "exec plugin '%s' failed (%s %d)%s%s", x->command,
			       WIFEXITED(r->status) ? "exit status" : "signal",
			       WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status),
			       r->stderr_buf.len ? ": " : "", first_line(&r->stderr_buf));
	return 0;
}

/* exec.go newAuthenticator: the versions and the interactive mode. */
static int check_config(const struct kc_exec *x, bool *interactive, struct err *e)
{
	enum kc_interactive m = x->interactive;
	bool tty = isatty(0);

	if (!x->api_version || (strcmp(x->api_version, V1) && strcmp(x->api_version, V1BETA1)))
		return err_set(e, NULL, 0,
			       "exec plugin '%s': apiVersion '%s' is not supported (use %s or %s)",
			       x->command, x->api_version ? x->api_version : "", V1, V1BETA1);
	if (m == KC_INTERACTIVE_UNSET && !strcmp(x->api_version, V1))
		return err_set(e, NULL, 0,
			       "interactiveMode must be specified for %s to use exec "
			       "authentication plugin",
			       x->command);
	if (m == KC_INTERACTIVE_UNSET)
		m = KC_INTERACTIVE_IFAVAILABLE;
	if (m == KC_INTERACTIVE_ALWAYS && !tty)
		return err_set(e, NULL, 0,
			       "exec plugin '%s' cannot support interactive mode: standard input "
			       "is not a terminal",
			       x->command);
	*interactive = m != KC_INTERACTIVE_NEVER && tty;
	return 0;
}

int execcred_get(const struct kc_exec *x, const struct kc_cluster *cl, long timeout_ms, int64_t now,
		 struct execcred *c, struct err *e)
{
	struct run r = {-1, -1, -1, STRBUF_INIT, STRBUF_INIT, false, false, 0};
	struct strbuf env = STRBUF_INIT;
	bool interactive = false;
	char *info;
	int ret;

	if (c->have && now < c->expires)
		return 0;
	forget(c);
	if (check_config(x, &interactive, e) < 0)
		return -1;
	info = execcred_info(x, cl, interactive);
	strbuf_addf(&env, "KUBERNETES_EXEC_INFO=%s", info);
	free(info);
	ret = start(x, env.buf, interactive, &r, e);
	if (ret == 0) {
		c->runs++;
		collect(&r, timeout_ms);
		ret = finish(x, &r, timeout_ms, e);
	}
	if (ret == 0 && execcred_parse(r.stdout_buf.buf ? r.stdout_buf.buf : "", r.stdout_buf.len,
				       x->api_version, c, e) < 0)
		ret = -1;
	if (r.stdout_buf.buf)
		explicit_bzero(r.stdout_buf.buf, r.stdout_buf.len);
	strbuf_release(&r.stdout_buf);
	strbuf_release(&r.stderr_buf);
	strbuf_release(&env);
	return ret;
}
