/*
 * kube-apiserver rules: CIS Kubernetes 1.2.1 (anonymous auth), 1.2.6-1.2.8
 * (authorization mode). The values come from apiserver_config.c; this
 * file only judges them.
 */
#include "checks/apiserver.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

enum { R_ANONYMOUS, R_AUTHZ_MODE, R_AUTHN_CONFIG };

static const struct rule apiserver_rules[] = {
	[R_ANONYMOUS] = { "apiserver-anonymous-auth",
			  "API server accepts anonymous requests", SEV_HIGH,
			  { "CIS Kubernetes 1.2.1" } },
	[R_AUTHZ_MODE] = { "apiserver-authorization-mode",
			   "API server authorizes requests with AlwaysAllow", SEV_CRITICAL,
			   { "CIS Kubernetes 1.2.6", "CIS Kubernetes 1.2.7",
			     "CIS Kubernetes 1.2.8" } },
	[R_AUTHN_CONFIG] = { "apiserver-authentication-config",
			     "API server AuthenticationConfiguration is invalid or suspicious",
			     SEV_MEDIUM, { "CIS Kubernetes 1.2.1" } },
};

const struct check check_apiserver = {
	"apiserver", apiserver_rules, ARRAY_SIZE(apiserver_rules), apiserver_run,
};

static const char *const fix_anonymous =
	"Either turn anonymous authentication off: add --anonymous-auth=false to the "
	"kube-apiserver command (kubeadm: apiServer.extraArgs anonymous-auth: \"false\" "
	"in the ClusterConfiguration, so that upgrades keep it). Or, from Kubernetes "
	"1.32 (1.31 with --feature-gates=AnonymousAuthConfigurableEndpoints=true), "
	"remove --anonymous-auth and pass --authentication-config=FILE with an "
	"AuthenticationConfiguration whose anonymous block is enabled: true with "
	"conditions for path /healthz, /livez and /readyz only (paths match exactly). "
	"Before turning it off entirely, check who calls without credentials: "
	"load-balancer HTTP health probes and the kubelet's liveness/readiness probes "
	"of the API server pod (kubeadm probes /livez and /readyz) get 401 and mark "
	"the server down, so scope to the health paths instead or use TCP probes; "
	"node bootstrap with token discovery (kubeadm join) reads the cluster-info "
	"ConfigMap in kube-public anonymously, so use file discovery (--discovery-file) "
	"instead. Also remove RBAC bindings to system:anonymous and "
	"system:unauthenticated beyond system:public-info-viewer.";

static const char *const fix_authz =
	"Use --authorization-mode=Node,RBAC (the kubeadm default) without AlwaysAllow, "
	"or an AuthorizationConfiguration (--authorization-config) whose authorizers "
	"are Node (name node), RBAC (name rbac) and Webhooks as needed. The first "
	"authorizer with a decision wins and Node and RBAC never deny, so AlwaysAllow "
	"anywhere after them allows everything they do not. Removing AlwaysAllow from "
	"--authorization-mode brings anonymous authentication back on unless "
	"--anonymous-auth=false is set too: the API server only turned it off because "
	"of AlwaysAllow.";

static const char *const fix_authz_cis =
	"Include Node and RBAC in --authorization-mode (e.g. Node,RBAC) or as "
	"authorizers of the AuthorizationConfiguration: Node limits kubelets to their "
	"own node's objects, RBAC gives the role-based permissions the rest of the "
	"checks assume.";

static const char *const fix_authn =
	"Correct the AuthenticationConfiguration so that the API server accepts it: "
	"it is decoded strictly (field names are case-sensitive, unknown and "
	"duplicate fields are errors), the anonymous block needs the "
	"AnonymousAuthConfigurableEndpoints feature (1.32+, or 1.31 with the gate on) "
	"and --anonymous-auth must not be set beside it; conditions need enabled: "
	"true. Anonymous condition paths match exactly: list each health path once, "
	"starting with '/'.";

static const char *const fix_invalid =
	"Correct the configuration so that the API server starts; then re-run kanon.";

static void add_evs(struct finding *f, const struct evidence *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		finding_add_evidence(f, v[i].kind, v[i].path, v[i].line, v[i].key,
				     v[i].value, v[i].note);
}

/* The chain, without the entry that repeats the INVALID evidence. */
static void add_evs_except(struct finding *f, const struct evidence *v, size_t n,
			   const struct evidence *skip)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == skip->kind && v[i].line == skip->line &&
		    str_eq(v[i].path, skip->path) && str_eq(v[i].key, skip->key) &&
		    str_eq(v[i].value, skip->value))
			continue;
		finding_add_evidence(f, v[i].kind, v[i].path, v[i].line, v[i].key,
				     v[i].value, v[i].note);
	}
}

static void add_context(struct finding *f, const struct apiserver_model *m,
			const struct evidence *ctx, size_t nctx, bool version)
{
	add_evs(f, ctx, nctx);
	if (version)
		add_evs(f, &m->version_at, 1);
}

static struct finding *invalid_finding(struct result *res, const struct rule *r,
				       const struct api_invalid *iv, const char *target)
{
	struct finding *f;

	f = finding_add(res, r, STATUS_INVALID, r->severity, target, fix_invalid,
			"the API server would refuse to start: %s", iv->msg);
	finding_add_evidence(f, iv->at.kind, iv->at.path, iv->at.line, iv->at.key,
			     iv->at.value, iv->at.note);
	return f;
}

/* Is AlwaysAllow reached by some request, and does a deny-capable
 * authorizer come before it? Node, RBAC and ABAC only allow or have no
 * opinion; Webhook may deny; AlwaysDeny denies everything. */
struct chain_view {
	bool allow_reached; /* an AlwaysAllow is reached */
	bool webhook_before;
	bool deny_before;   /* AlwaysDeny before it: unreachable */
	bool node, rbac;
	bool abac; /* ABAC is consulted (its policy is not read) */
	struct strbuf list;
};

static void chain_view(const struct apiserver_model *m, struct chain_view *cv)
{
	memset(cv, 0, sizeof(*cv));
	strbuf_init(&cv->list);
	for (size_t i = 0; i < m->nchain; i++) {
		const char *t = m->chain[i].type;
		if (i)
			strbuf_addch(&cv->list, ',');
		strbuf_addstr(&cv->list, t);
		if (!strcmp(t, "ABAC") && !cv->deny_before)
			cv->abac = true;
		if (!strcmp(t, "Node"))
			cv->node = true;
		else if (!strcmp(t, "RBAC"))
			cv->rbac = true;
		else if (!strcmp(t, "Webhook") && !cv->allow_reached && !cv->deny_before)
			cv->webhook_before = true;
		else if (!strcmp(t, "AlwaysDeny") && !cv->allow_reached)
			cv->deny_before = true;
		else if (!strcmp(t, "AlwaysAllow") && !cv->deny_before)
			cv->allow_reached = true;
	}
}

static void authz_source(struct strbuf *sb, const struct apiserver_model *m)
{
	if (m->nchain && m->chain[0].at.kind == SRC_DEFAULT)
		strbuf_addf(sb, "%s", m->chain[0].at.note);
	else if (m->authz_from_file)
		strbuf_addstr(sb, "--authorization-config");
	else
		strbuf_addstr(sb, "--authorization-mode");
}

/* /healthz, /livez, /readyz, or one of their checks (/livez/etcd, ...):
 * the health endpoints of pkg/server/healthz. */
static bool is_health_path(const char *p)
{
	static const char *const roots[] = { "/healthz", "/livez", "/readyz" };

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t l = strlen(roots[i]);
		if (!strncmp(p, roots[i], l) && (!p[l] || (p[l] == '/' && p[l + 1] &&
							    !strchr(p + l + 1, '/'))))
			return true;
	}
	return false;
}

static void check_anonymous(const struct apiserver_model *m, const char *target,
			    const struct evidence *ctx, size_t nctx, struct result *res,
			    const struct chain_view *cv)
{
	const struct rule *r = &apiserver_rules[R_ANONYMOUS];
	const struct api_invalid *iv = apiserver_invalid_for(m, DOM_ANON);
	struct strbuf src = STRBUF_INIT, paths = STRBUF_INIT, beyond = STRBUF_INIT;
	bool allow_all = m->authz_known && cv->allow_reached && !cv->webhook_before;
	bool version_path = false;
	struct finding *f;

	if (iv) {
		f = invalid_finding(res, r, iv, target);
		add_evs_except(f, m->anon_ev.v, m->anon_ev.n, &iv->at);
		add_context(f, m, ctx, nctx, true);
		return;
	}
	if (!m->anon_known) {
		f = finding_add(res, r, STATUS_UNKNOWN, r->severity, target, fix_anonymous,
				"cannot determine whether anonymous requests are accepted: %s",
				m->anon_reason ? m->anon_reason : "an input could not be read");
		add_evs(f, m->anon_ev.v, m->anon_ev.n);
		add_context(f, m, ctx, nctx, false);
		return;
	}
	if (m->anon_from_file)
		strbuf_addf(&src, "anonymous block of %s", m->authn_path);
	else if (m->anon_flag_set)
		strbuf_addstr(&src, "flag --anonymous-auth");
	else
		strbuf_addstr(&src, "default: --anonymous-auth is not set; kubeadm never "
			      "sets it");

	if (!m->anon_enabled) {
		if (m->anon_reset)
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fix_anonymous,
					"anonymous authentication is off, but only because "
					"AlwaysAllow is among the authorization modes: the API "
					"server resets --anonymous-auth (%s) to false and logs a "
					"warning. Replacing AlwaysAllow (see "
					"apiserver-authorization-mode) turns anonymous requests "
					"back on unless --anonymous-auth=false is set too",
					m->anon_flag_opaque ? "given as an env var the kubelet "
					"resolves; false or reset, it is off either way"
					: m->anon_flag_set ? "given as true" : "default true");
		else
			f = finding_add(res, r, STATUS_PASS, r->severity, target, fix_anonymous,
					"anonymous authentication is disabled (%s): requests "
					"without credentials get 401", src.buf);
		add_evs(f, m->anon_ev.v, m->anon_ev.n);
		add_context(f, m, ctx, nctx, false);
		goto out;
	}

	for (size_t i = 0; i < m->ncond; i++) {
		const char *p = m->cond[i].path;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= !strcmp(m->cond[j].path, p);
		/* the authenticator compares req.URL.Path, which has no query or
		 * fragment (staging/.../authentication/request/anonymous): such a
		 * path only matches a percent-encoded request no handler serves */
		if (dup || !*p || p[0] != '/' || strpbrk(p, "?#"))
			continue; /* they match nothing new (lint) */
		if (!strcmp(p, "/version"))
			version_path = true;
		strbuf_addf(&paths, "%s%s", paths.len ? ", " : "", p);
		if (strcmp(p, "/version") && !is_health_path(p))
			strbuf_addf(&beyond, "%s%s", beyond.len ? ", " : "", p);
	}
	if (!m->ncond) {
		f = finding_add(res, r, STATUS_FAIL, allow_all ? SEV_CRITICAL : r->severity,
				target, fix_anonymous,
				"anonymous authentication is enabled for every path (%s): "
				"requests without credentials are served as system:anonymous "
				"(group system:unauthenticated)%s", src.buf,
				!m->authz_known
				? "; the authorizers are unknown"
				: allow_all && m->authz_from_file && !m->anon_from_file
				? ", and AlwaysAllow authorizes them all: anyone who reaches "
				  "the API server can do anything (an AlwaysAllow authorizer in "
				  "--authorization-config does not reset --anonymous-auth as "
				  "--authorization-mode=AlwaysAllow would)"
				: allow_all
				? ", and AlwaysAllow authorizes them all: anyone who reaches "
				  "the API server can do anything"
				: "; the authorizers decide what they may do (RBAC's default "
				  "system:public-info-viewer lets them read /healthz, /livez, "
				  "/readyz and /version; any binding to system:anonymous or "
				  "system:unauthenticated grants more)");
	} else if (!beyond.len) {
		f = finding_add(res, r, STATUS_WARN, SEV_LOW, target, fix_anonymous,
				"anonymous authentication is scoped to health endpoints: %s "
				"(%s); other paths need credentials%s", paths.len ? paths.buf
				: "(no path that can match)", src.buf,
				version_path ? ". /version tells anyone the exact server "
				"version, which helps pick exploits" : "");
	} else {
		f = finding_add(res, r, STATUS_FAIL, allow_all ? SEV_CRITICAL : r->severity,
				target, fix_anonymous,
				"anonymous authentication is enabled beyond the health "
				"endpoints, for %s (%s): requests without credentials to %s "
				"are served as system:anonymous%s", beyond.buf, src.buf,
				beyond.buf, allow_all ? ", and AlwaysAllow authorizes them"
				: " and authorized like any other user");
	}
	add_evs(f, m->anon_ev.v, m->anon_ev.n);
	if (allow_all && f->status == STATUS_FAIL) {
		/* why it is critical: the authorizers that let everything through */
		add_evs(f, m->authz_ev.v, m->authz_ev.n);
		for (size_t i = 0; m->authz_from_file && i < m->nchain; i++)
			add_evs(f, &m->chain[i].at, 1);
	}
	add_context(f, m, ctx, nctx, m->anon_from_file || m->authz_from_file);
out:
	strbuf_release(&src);
	strbuf_release(&paths);
	strbuf_release(&beyond);
}

static void check_authz(const struct apiserver_model *m, const char *target,
			const struct evidence *ctx, size_t nctx, struct result *res,
			const struct chain_view *cv)
{
	const struct rule *r = &apiserver_rules[R_AUTHZ_MODE];
	const struct api_invalid *iv = apiserver_invalid_for(m, DOM_AUTHZ);
	struct strbuf src = STRBUF_INIT;
	struct finding *f;

	if (iv) {
		f = invalid_finding(res, r, iv, target);
		add_evs_except(f, m->authz_ev.v, m->authz_ev.n, &iv->at);
		add_context(f, m, ctx, nctx, m->authz_from_file);
		return;
	}
	if (!m->authz_known) {
		f = finding_add(res, r, STATUS_UNKNOWN, r->severity, target, fix_authz,
				"cannot determine the authorizers: %s",
				m->authz_reason ? m->authz_reason : "an input could not be read");
		add_evs(f, m->authz_ev.v, m->authz_ev.n);
		add_context(f, m, ctx, nctx, false);
		return;
	}
	authz_source(&src, m);
	if (cv->allow_reached && !cv->webhook_before) {
		const char *who =
			m->anon_known && m->anon_enabled
			? "anonymous authentication is on as well, so anyone who can reach "
			  "the API server can do anything"
			: m->anon_reset
			? "the API server reset anonymous authentication to false because "
			  "of it, so a caller needs some valid credential (any client "
			  "certificate the CA signed, any service-account token), and every "
			  "one is then as powerful as cluster-admin"
			: "every authenticated caller (any client certificate the CA signed, "
			  "any service-account token) is as powerful as cluster-admin";
		f = finding_add(res, r, STATUS_FAIL, SEV_CRITICAL, target, fix_authz,
				"authorizers %s (%s): AlwaysAllow is reached by every request "
				"the authorizers before it do not allow, and none of them can "
				"deny: %s", cv->list.buf, src.buf, who);
	} else if (cv->allow_reached) {
		f = finding_add(res, r, STATUS_FAIL, SEV_HIGH, target, fix_authz,
				"authorizers %s (%s): every request the Webhook authorizer "
				"before AlwaysAllow does not deny is allowed%s", cv->list.buf,
				src.buf, m->anon_known && m->anon_enabled ? ", anonymous ones "
				"included" : "");
	} else if (cv->abac) {
		/* an ABAC policy line for user or group "*" allows like AlwaysAllow
		 * (pkg/auth/authorizer/abac): without reading the policy file a
		 * PASS would be a guess */
		f = finding_add(res, r, STATUS_WARN, SEV_MEDIUM, target, fix_authz,
				"authorizers %s (%s): no AlwaysAllow, but ABAC decides by a "
				"policy file kanon does not evaluate "
				"(--authorization-policy-file); a policy line for user or "
				"group \"*\" or system:unauthenticated allows like AlwaysAllow",
				cv->list.buf, src.buf);
	} else if (!cv->node || !cv->rbac) {
		f = finding_add(res, r, STATUS_WARN, SEV_MEDIUM, target, fix_authz_cis,
				"authorizers %s (%s) do not include %s%s%s (CIS 1.2.7/1.2.8 "
				"expect both)", cv->list.buf, src.buf, cv->node ? "" : "Node",
				!cv->node && !cv->rbac ? " and " : "", cv->rbac ? "" : "RBAC");
	} else {
		f = finding_add(res, r, STATUS_PASS, r->severity, target, fix_authz,
				"authorizers %s (%s): no AlwaysAllow; the first authorizer "
				"with a decision wins", cv->list.buf, src.buf);
	}
	add_evs(f, m->authz_ev.v, m->authz_ev.n);
	if (m->authz_from_file)
		for (size_t i = 0; i < m->nchain; i++)
			add_evs(f, &m->chain[i].at, 1);
	add_context(f, m, ctx, nctx, m->authz_from_file);
	strbuf_release(&src);
}

static void check_authn(const struct apiserver_model *m, const char *target,
			const struct evidence *ctx, size_t nctx, struct result *res)
{
	const struct rule *r = &apiserver_rules[R_AUTHN_CONFIG];
	const struct api_invalid *iv = apiserver_invalid_for(m, DOM_AUTHN);
	struct finding *f;

	if (m->argv_opaque && !iv) {
		f = finding_add(res, r, STATUS_UNKNOWN, r->severity, target, fix_authn,
				"cannot tell whether an AuthenticationConfiguration is in "
				"use: %s", m->argv_opaque);
		add_context(f, m, ctx, nctx, false);
		return;
	}
	if (!m->authn_used && m->no_argv) {
		f = finding_add(res, r, STATUS_UNKNOWN, r->severity, target, fix_authn,
				"cannot tell whether an AuthenticationConfiguration is in "
				"use: %s", m->no_argv);
		add_context(f, m, ctx, nctx, false);
		return;
	}
	if (!m->authn_used) {
		f = finding_add(res, r, STATUS_PASS, r->severity, target, fix_authn,
				"no AuthenticationConfiguration is in use "
				"(--authentication-config is not set)");
		add_context(f, m, ctx, nctx, false);
		return;
	}
	if (iv) {
		f = invalid_finding(res, r, iv, target);
		add_context(f, m, ctx, nctx, true);
	} else if (!m->authn_loaded) {
		f = finding_add(res, r, STATUS_UNKNOWN, r->severity, target, fix_authn,
				"cannot read the AuthenticationConfiguration: %s",
				m->authn_reason ? m->authn_reason : "unknown reason");
		add_context(f, m, ctx, nctx, false);
	} else {
		f = finding_add(res, r, STATUS_PASS, r->severity, target, fix_authn,
				"%s is a valid AuthenticationConfiguration (%s): %zu JWT "
				"authenticator%s, %s", m->authn_path, m->authn_version, m->njwt,
				m->njwt == 1 ? "" : "s",
				!m->anon_from_file ? "no anonymous block"
				: m->anon_enabled ? "anonymous enabled" : "anonymous disabled");
		finding_add_evidence(f, SRC_CONFIG, m->authn_path, 0, "apiVersion",
				     m->authn_version, NULL);
		add_context(f, m, ctx, nctx, true);
	}
	for (size_t i = 0; i < m->nlint; i++) {
		const struct api_lint *l = &m->lint[i];
		f = finding_add(res, r, STATUS_WARN, SEV_LOW, target, fix_authn, "%s: %s",
				m->authn_path, l->msg);
		finding_add_evidence(f, l->at.kind, l->at.path, l->at.line, l->at.key,
				     l->at.value, NULL);
	}
}

void apiserver_check(const struct apiserver_model *m, const char *target,
		     const struct evidence *context, size_t ncontext,
		     struct result *res)
{
	struct chain_view cv;

	chain_view(m, &cv);
	check_anonymous(m, target, context, ncontext, res, &cv);
	check_authz(m, target, context, ncontext, res, &cv);
	check_authn(m, target, context, ncontext, res);
	strbuf_release(&cv.list);
}

void apiserver_check_unknown(const char *target, const char *reason,
			     struct result *res)
{
	static const char *const fixes[] = { fix_anonymous, fix_authz, fix_authn };

	for (size_t i = 0; i < ARRAY_SIZE(apiserver_rules); i++)
		finding_add(res, &apiserver_rules[i], STATUS_UNKNOWN,
			    apiserver_rules[i].severity, target, fixes[i],
			    "cannot evaluate: %s", reason);
}
