/*
 * Kubelet rules: CIS Kubernetes 4.2.1 (anonymous auth), 4.2.2
 * (authorization mode), 4.2.4 (read-only port); CIS EKS 3.2.1, 3.2.2.
 * The values come from kubelet_config.c; this file only judges them.
 */
#include "checks/kubelet.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/node.h"
#include "core/banned.h"

enum {
	R_ANONYMOUS,
	R_AUTHZ_MODE,
	R_WEBHOOK_AUTHN,
	R_READ_ONLY_PORT,
	R_LINT,
	R_DRIFT,
};

static const struct rule kubelet_rules[] = {
    [R_ANONYMOUS] = {"kubelet-anonymous-auth",
		     "Kubelet accepts anonymous requests",
		     SEV_HIGH,
		     {"CIS Kubernetes 4.2.1", "CIS EKS 3.2.1"}},
    [R_AUTHZ_MODE] = {"kubelet-authorization-mode",
		      "Kubelet authorizes every request (AlwaysAllow)",
		      SEV_HIGH,
		      {"CIS Kubernetes 4.2.2", "CIS EKS 3.2.2"}},
    [R_WEBHOOK_AUTHN] = {"kubelet-webhook-authn",
			 "Kubelet does not authenticate bearer tokens (webhook authentication off)",
			 SEV_MEDIUM,
			 {"CIS Kubernetes 4.2.2", "CIS EKS 3.2.2"}},
    [R_READ_ONLY_PORT] = {"kubelet-read-only-port",
			  "Kubelet serves the unauthenticated read-only port",
			  SEV_MEDIUM,
			  {"CIS Kubernetes 4.2.4", "CIS EKS 3.2.4"}},
    [R_LINT] = {"kubelet-config-lint",
		"Kubelet configuration has settings the kubelet ignores",
		SEV_LOW,
		{"CIS Kubernetes 4.2.1"}},
    [R_DRIFT] = {"kubelet-configz-drift",
		 "Running kubelet (/configz) differs from its configuration files",
		 SEV_MEDIUM,
		 {"CIS Kubernetes 4.2.1"}},
};

static void kubelet_run(const void *input, const char *target, struct result *res);

const struct check check_kubelet = {
    "kubelet",
    kubelet_rules,
    ARRAY_SIZE(kubelet_rules),
    kubelet_run,
};

/* input: a struct kubelet_input */
static void kubelet_run(const void *input, const char *target, struct result *res)
{
	struct kubelet_effective ke;

	const struct kubelet_input *in = input;

	if (kubelet_effective_load(in, &ke, res) == 0)
		kubelet_check_layout(&ke, in->layout, target, res);
	kubelet_effective_release(&ke);
}

static const char *const fix_anonymous =
    "Set authentication.anonymous.enabled: false in the kubelet config file "
    "(--config, e.g. /var/lib/kubelet/config.yaml) and restart the kubelet. "
    "Flags override the file: remove --anonymous-auth=true (or a bare "
    "--anonymous-auth) from the command line, the systemd drop-ins "
    "(/etc/systemd/system/kubelet.service.d/*.conf) and the environment files "
    "they read (/var/lib/kubelet/kubeadm-flags.env, /etc/default/kubelet, "
    "/etc/sysconfig/kubelet); on a node without a config file add "
    "--anonymous-auth=false. Check --config-dir drop-ins too: a later *.conf "
    "wins over the file.";

static const char *const fix_authz =
    "Set authorization.mode: Webhook in the kubelet config file (the kubelet "
    "then asks the API server, via SubjectAccessReview, whether each caller may "
    "use the node API) and restart the kubelet; or pass --authorization-mode=Webhook. "
    "Without a config file the legacy flag default is AlwaysAllow. Webhook "
    "mode needs webhook authentication and a client CA "
    "(authentication.x509.clientCAFile) so that callers are identified.";

static const char *const fix_webhook =
    "Set authentication.webhook.enabled: true in the kubelet config file, or "
    "pass --authentication-token-webhook (=true), and restart the kubelet. "
    "Without it the kubelet cannot verify service-account and other bearer "
    "tokens (TokenReview), so token-bearing callers are treated as anonymous "
    "or rejected.";

static const char *const fix_roport =
    "Set readOnlyPort: 0 in the kubelet config file, or pass --read-only-port=0, "
    "and restart the kubelet. Without a config file the legacy flag default "
    "opens 10255 with no authentication at all. Move monitoring that scrapes "
    ":10255 to the authenticated port 10250 (/metrics, /stats).";

static const char *const fix_lint =
    "Fix or remove it: the kubelet silently ignores it, so the value you meant "
    "to set is not in force. Keys are case-sensitive and must sit at their "
    "documented path; drop-ins must end in .conf; only the last of repeated "
    "keys or flags counts.";

static const char *const fix_drift =
    "Find out which is right: if the files are, restart the kubelet so it "
    "loads them; if the running value is, the kubelet reads other files than "
    "these (check --config and --config-dir on its command line).";

static void add_chain(struct finding *f, const struct kval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct evidence *e = &v->chain[i];
		finding_add_evidence(f, e->kind, e->path, e->line, e->key, e->value, e->note);
	}
}

static const struct evidence *effective_ev(const struct kval *v)
{
	return v->n ? &v->chain[v->n - 1] : NULL;
}

/* Where the effective value came from, in words, for the message. */
static void describe_source(struct strbuf *sb, const struct kval *v)
{
	const struct evidence *e = effective_ev(v);

	if (!e)
		return;
	if (e->kind == SRC_FLAG) {
		strbuf_addf(sb, " (flag %s)", e->value);
	} else if (e->kind == SRC_DEFAULT) {
		strbuf_addf(sb, " (%s)", e->note);
	} else if (e->kind == SRC_CONFIGZ) {
		strbuf_addstr(sb, " (running kubelet, /configz)");
	} else {
		strbuf_addf(sb, " (%s %s", e->kind, e->path);
		if (e->line)
			strbuf_addf(sb, ":%d", e->line);
		strbuf_addch(sb, ')');
	}
}

/*
 * The remediation for one value: the rule's advice, then where the value
 * in force was written (a flag from a unit, drop-in or env file: change
 * it there), then how settings are changed on the node layout kanon
 * found (model/node.h: fix), so that the advice works on this node.
 */
static const char *remediation(struct strbuf *sb, const char *base, const struct node_layout *l,
			       const struct kval *v)
{
	const struct evidence *e = v->n ? &v->chain[v->n - 1] : NULL;

	strbuf_reset(sb);
	strbuf_addstr(sb, base);
	if (e && e->kind == SRC_FLAG && e->path) {
		strbuf_addf(sb, " The value in force is %s, set in %s", e->value, e->path);
		if (e->line)
			strbuf_addf(sb, ":%d", e->line);
		if (e->note)
			strbuf_addf(sb, " (%s)", e->note);
		strbuf_addstr(sb, ": change it there.");
	}
	if (l && l->kind) {
		strbuf_addf(sb, " kanon found the %s layout", l->kind);
		if (l->where)
			strbuf_addf(sb, " (%s)", l->where);
		strbuf_addch(sb, l->fix ? ':' : '.');
		if (l->fix)
			strbuf_addf(sb, " %s.", l->fix);
	}
	return sb->buf;
}

/* Shared handling of INVALID / UNKNOWN; returns true when it added one. */
static bool not_evaluable(struct result *res, const struct rule *rule,
			  const struct kubelet_model *m, const struct kval *v, const char *target,
			  const char *fix)
{
	struct finding *f;

	if (m->invalid) {
		f = finding_add(res, rule, STATUS_INVALID, rule->severity, target,
				"Correct the configuration so that the kubelet starts; "
				"then re-run kanon.",
				"the kubelet would refuse to start: %s", m->invalid);
		finding_add_evidence(f, m->invalid_at.kind, m->invalid_at.path, m->invalid_at.line,
				     m->invalid_at.key, m->invalid_at.value,
				     "rejected by the kubelet");
		add_chain(f, v);
		return true;
	}
	if (v->st == KV_UNKNOWN) {
		f = finding_add(res, rule, STATUS_UNKNOWN, rule->severity, target, fix,
				"cannot determine the value: %s",
				v->reason ? v->reason : "an input could not be read");
		add_chain(f, v);
		return true;
	}
	return false;
}

void kubelet_check(const struct kubelet_effective *ke, const char *target, struct result *res)
{
	kubelet_check_layout(ke, NULL, target, res);
}

void kubelet_check_layout(const struct kubelet_effective *ke, const struct node_layout *lay,
			  const char *target, struct result *res)
{
	const struct kubelet_model *m = kubelet_effective_model(ke);
	const struct kval *anon = &m->v[KK_ANONYMOUS];
	const struct kval *mode = &m->v[KK_AUTHZ_MODE];
	const struct kval *hook = &m->v[KK_WEBHOOK_AUTHN];
	const struct kval *port = &m->v[KK_READ_ONLY_PORT];
	const struct rule *r;
	struct finding *f;
	struct strbuf src = STRBUF_INIT, fixb = STRBUF_INIT;
	const char *fx;
	bool anon_on = anon->st == KV_OK && anon->b && !m->invalid;

	/* kubelet-anonymous-auth */
	r = &kubelet_rules[R_ANONYMOUS];
	fx = remediation(&fixb, fix_anonymous, lay, anon);
	if (!not_evaluable(res, r, m, anon, target, fx)) {
		describe_source(&src, anon);
		if (anon->b) {
			bool allow = mode->st == KV_OK && !strcmp(mode->s, "AlwaysAllow");
			f = finding_add(
			    res, r, STATUS_FAIL, allow ? SEV_CRITICAL : SEV_HIGH, target, fx,
			    "anonymous authentication is enabled%s: requests "
			    "without credentials to :10250 are served as "
			    "system:anonymous%s",
			    src.buf,
			    allow ? ", and AlwaysAllow authorizes them all"
				  : "; the Webhook authorizer decides what they may do "
				    "(RBAC for system:anonymous / system:unauthenticated)");
		} else {
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fx,
					"anonymous authentication is disabled%s", src.buf);
		}
		add_chain(f, anon);
	}

	/* kubelet-authorization-mode */
	strbuf_reset(&src);
	r = &kubelet_rules[R_AUTHZ_MODE];
	fx = remediation(&fixb, fix_authz, lay, mode);
	if (!not_evaluable(res, r, m, mode, target, fx)) {
		describe_source(&src, mode);
		if (!strcmp(mode->s, "AlwaysAllow")) {
			const char *why =
			    anon_on ? "anonymous auth is also enabled, so anyone who reaches "
				      ":10250 can read pods and secrets' mounts and exec into "
				      "containers"
			    : anon->st == KV_UNKNOWN
				? "every authenticated caller may use the whole node API "
				  "(anonymous auth could not be determined; if it is on, "
				  "anyone can)"
				: "every authenticated caller (any client certificate the CA "
				  "signed, any valid token) may exec into pods and read "
				  "everything on the node";
			f = finding_add(res, r, STATUS_FAIL, anon_on ? SEV_CRITICAL : SEV_HIGH,
					target, fx, "authorization mode is AlwaysAllow%s: %s",
					src.buf, why);
		} else {
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fx,
					"authorization mode is %s%s: the API server "
					"authorizes each request (SubjectAccessReview)",
					mode->s, src.buf);
		}
		add_chain(f, mode);
	}

	/* kubelet-webhook-authn */
	strbuf_reset(&src);
	r = &kubelet_rules[R_WEBHOOK_AUTHN];
	fx = remediation(&fixb, fix_webhook, lay, hook);
	if (!not_evaluable(res, r, m, hook, target, fx)) {
		describe_source(&src, hook);
		if (!hook->b)
			f = finding_add(res, r, STATUS_FAIL, r->severity, target, fx,
					"webhook token authentication is disabled%s: the "
					"kubelet cannot verify bearer tokens",
					src.buf);
		else
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fx,
					"webhook token authentication is enabled%s", src.buf);
		add_chain(f, hook);
	}

	/* kubelet-read-only-port */
	strbuf_reset(&src);
	r = &kubelet_rules[R_READ_ONLY_PORT];
	fx = remediation(&fixb, fix_roport, lay, port);
	if (!not_evaluable(res, r, m, port, target, fx)) {
		describe_source(&src, port);
		if (port->i != 0)
			f = finding_add(res, r, STATUS_FAIL, r->severity, target, fx,
					"read-only port %lld is open%s: /pods, /spec and "
					"/stats are served without any authentication",
					port->i, src.buf);
		else
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fx,
					"read-only port is disabled (0)%s", src.buf);
		add_chain(f, port);
	}

	for (size_t i = 0; i < ke->nlint; i++) {
		const struct kubelet_lint *l = &ke->lint[i];
		r = &kubelet_rules[l->drift ? R_DRIFT : R_LINT];
		f = finding_add(res, r, STATUS_WARN, r->severity, target,
				l->drift ? fix_drift : fix_lint, "%s", l->msg);
		finding_add_evidence(f, l->at.kind, l->at.path, l->at.line, l->at.key, l->at.value,
				     NULL);
	}
	strbuf_release(&src);
	strbuf_release(&fixb);
}
