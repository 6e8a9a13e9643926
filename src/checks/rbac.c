/*
 * RBAC rules: what an unauthenticated caller may do, binding by binding,
 * resolved to effective permissions (rbac_model.c), rated with the danger
 * model (rbac_rate.c); plus lint for objects Kubernetes refuses, subjects
 * that look anonymous but match nothing, and rules that can never match.
 */
#include "checks/rbac.h"

#include <stdlib.h>
#include <string.h>

#include "checks/rbac_explain.h"
#include "model/rbac_match.h"
#include "checks/rbac_rate.h"
#include "core/jsonw.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/provider.h"
#include "core/banned.h"

enum {
	R_ANON,
	R_AUTH,
	R_SUBJECT,
	R_RULE,
	R_DUP,
	R_INVALID,
};

static const struct rule rbac_rules[] = {
    [R_ANON] = {"rbac-anonymous-binding",
		"RBAC binding grants permissions to anonymous callers",
		SEV_CRITICAL,
		{"CIS Kubernetes 1.2.1", "CIS Kubernetes 5.1.2", "CIS Kubernetes 5.1.3",
		 "kubescape C-0262", "Trivy KSV-0122"}},
    [R_AUTH] = {"rbac-authenticated-binding",
		"RBAC binding grants permissions to every authenticated identity",
		SEV_MEDIUM,
		{"CIS Kubernetes 5.1.2", "CIS Kubernetes 5.1.3", "kubescape C-0265"}},
    [R_SUBJECT] = {"rbac-ineffective-subject",
		   "RBAC subject looks anonymous but matches no request",
		   SEV_LOW,
		   {"Gatekeeper k8sdisallowanonymous"}},
    [R_RULE] = {"rbac-ineffective-rule",
		"RBAC rule (or part of it) can never match",
		SEV_LOW,
		{"kubernetes/enhancements#4961"}},
    [R_DUP] = {"rbac-duplicate-object", "RBAC object defined more than once", SEV_LOW, {NULL}},
    [R_INVALID] = {"rbac-invalid-object",
		   "RBAC object that Kubernetes would refuse",
		   SEV_MEDIUM,
		   {NULL}},
};

static void rbac_run(const void *input, const char *target, struct result *res);

const struct check check_rbac = {
    "rbac",
    rbac_rules,
    ARRAY_SIZE(rbac_rules),
    rbac_run,
};

/* input: a struct rbac_input; the target is the whole set of objects */
static void rbac_run(const void *input, const char *target, struct result *res)
{
	const struct rbac_input *in = input;
	struct rbac_set set;

	(void)target;
	rbac_set_init(&set);
	for (size_t i = 0; i < in->npaths; i++) {
		char *display = provider_display(in->src, in->paths[i]);
		bool failed = set.input_error;
		int n = rbac_set_load_path(&set, in->src, in->paths[i], res);

		if (!n && in->snapshot) {
			result_diag(res, DIAG_WARNING,
				    "%s: no *.yaml, *.yml or *.json file with RBAC objects",
				    display);
		} else if (!n && set.input_error == failed) {
			result_diag(res, DIAG_ERROR, "'%s' holds no .yaml, .yml or .json file",
				    display);
			set.input_error = true;
		}
		free(display);
	}
	if (!in->snapshot)
		result_diag(res, DIAG_NOTE,
			    "read %zu file%s: %zu roles, %zu bindings, %zu other "
			    "objects skipped",
			    set.files, set.files == 1 ? "" : "s", set.nroles, set.nbindings,
			    set.skipped);
	rbac_check(&set, in->opts, res);
	if (set.input_error)
		res->input_error = true;
	rbac_set_release(&set);
}

/* Evidence lines per finding for matched rules; the rest are counted. */
#define MAX_RULE_EVIDENCE 8
/* Capabilities named in a message; the evidence lists them all. */
#define MAX_CAPS_IN_MESSAGE 4

void rbac_opts_init(struct rbac_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->anon = RBAC_ANON_AUTH_UNKNOWN;
}

int rbac_anon_auth_parse(const char *s, enum rbac_anon_auth *out)
{
	if (!strcmp(s, "true") || !strcmp(s, "enabled") || !strcmp(s, "on"))
		*out = RBAC_ANON_AUTH_ENABLED;
	else if (!strcmp(s, "false") || !strcmp(s, "disabled") || !strcmp(s, "off"))
		*out = RBAC_ANON_AUTH_DISABLED;
	else if (!strcmp(s, "unknown"))
		*out = RBAC_ANON_AUTH_UNKNOWN;
	else
		return -1;
	return 0;
}

/* ===== small helpers ===== */

static void binding_target(struct strbuf *sb, const struct rbac_binding *b)
{
	if (b->cluster)
		strbuf_addf(sb, "ClusterRoleBinding/%s", b->name);
	else if (*b->ns)
		strbuf_addf(sb, "RoleBinding/%s/%s", b->ns, b->name);
	else
		strbuf_addf(sb, "RoleBinding/%s", b->name);
}

static void role_target(struct strbuf *sb, const struct rbac_role *r)
{
	if (r->cluster)
		strbuf_addf(sb, "ClusterRole/%s", r->name);
	else if (*r->ns)
		strbuf_addf(sb, "Role/%s/%s", r->ns, r->name);
	else
		strbuf_addf(sb, "Role/%s", r->name);
}

static void scope_text(struct strbuf *sb, const struct rbac_binding *b)
{
	if (b->cluster)
		strbuf_addstr(sb, "cluster-wide");
	else if (*b->ns)
		strbuf_addf(sb, "in namespace %s", b->ns);
	else
		strbuf_addstr(sb, "in the namespace it is applied to (no metadata.namespace)");
}

/* Single-quote for a POSIX shell when needed. */
static void shell_word(struct strbuf *sb, const char *s)
{
	bool plain = *s != '\0';

	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_.:/=@%+,", *p)))
			plain = false;
	if (plain) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

static bool lookalike(const char *name, const char *special)
{
	return !strcasecmp(name, special);
}

/*
 * Subjects a fix removes for `who`: only those that match `who`. A
 * look-alike (Group system:anonymous, User System:Anonymous) matches no
 * anonymous request but may match a real identity (a client certificate
 * with O=system:anonymous is in that group), so removing it could take
 * access away from someone else; rbac-ineffective-subject reports it.
 */
static bool subject_removed(const struct rbac_subject *s, enum rbac_who who)
{
	return rbac_subject_applies(s, who);
}

static void who_text(struct strbuf *sb, const struct rbac_binding *b, enum rbac_who who)
{
	bool first = true;

	strbuf_addstr(sb, who == WHO_ANONYMOUS ? "anonymous callers ("
					       : "every authenticated identity (");
	for (size_t i = 0; i < b->nsubj; i++) {
		if (!rbac_subject_applies(&b->subj[i], who))
			continue;
		strbuf_addf(sb, "%s%s %s", first ? "" : ", ", b->subj[i].kind, b->subj[i].name);
		first = false;
	}
	strbuf_addch(sb, ')');
}

/* One JSON-patch step pair: test that subject i is still `name`, then remove it. */
static void patch_remove(struct jsonw *w, size_t i, const char *name)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "/subjects/%zu/name", i);
	jsonw_object_begin(w);
	jsonw_key(w, "op");
	jsonw_string(w, "test");
	jsonw_key(w, "path");
	jsonw_string(w, path.buf);
	jsonw_key(w, "value");
	jsonw_string(w, name);
	jsonw_object_end(w);
	strbuf_reset(&path);
	strbuf_addf(&path, "/subjects/%zu", i);
	jsonw_object_begin(w);
	jsonw_key(w, "op");
	jsonw_string(w, "remove");
	jsonw_key(w, "path");
	jsonw_string(w, path.buf);
	jsonw_object_end(w);
	strbuf_release(&path);
}

static void remediation(struct strbuf *sb, const struct rbac_binding *b, enum rbac_who who)
{
	const char *kind = b->cluster ? "clusterrolebinding" : "rolebinding";
	size_t others = 0, removed = 0;
	struct strbuf cmdtail = STRBUF_INIT;

	for (size_t i = 0; i < b->nsubj; i++) {
		if (subject_removed(&b->subj[i], who))
			removed++;
		else
			others++;
	}
	shell_word(&cmdtail, b->name);
	if (!b->cluster) {
		strbuf_addstr(&cmdtail, " -n ");
		if (*b->ns)
			shell_word(&cmdtail, b->ns);
		else
			strbuf_addstr(&cmdtail, "NAMESPACE");
	}
	if (b->autoupdate)
		strbuf_addf(sb,
			    "This is a bootstrap binding (annotation "
			    "rbac.authorization.kubernetes.io/autoupdate: \"true\"): the API "
			    "server adds its default subjects back at every start, and recreates "
			    "it if deleted, so first run kubectl annotate %s %s "
			    "rbac.authorization.kubernetes.io/autoupdate=false --overwrite, then "
			    "edit it rather than delete it. ",
			    kind, cmdtail.buf);
	if (!others && !b->autoupdate) {
		strbuf_addf(sb,
			    "Its only subjects are %s, so delete it (nobody else loses "
			    "access): kubectl delete %s %s.",
			    who == WHO_ANONYMOUS ? "anonymous" : "system:authenticated", kind,
			    cmdtail.buf);
	} else {
		struct strbuf patch = STRBUF_INIT;
		struct jsonw w;

		/* remove from the highest index down so the indices stay valid;
		 * each "test" makes the patch fail rather than remove the wrong
		 * subject if the list changed since the export */
		jsonw_init(&w, &patch);
		jsonw_array_begin(&w);
		for (size_t i = b->nsubj; i-- > 0;) {
			if (subject_removed(&b->subj[i], who))
				patch_remove(&w, i, b->subj[i].name);
		}
		jsonw_array_end(&w);
		if (others)
			strbuf_addf(sb, "Remove only the %s subject%s and keep the %zu other%s: ",
				    who == WHO_ANONYMOUS ? "anonymous" : "system:authenticated",
				    removed == 1 ? "" : "s", others, others == 1 ? "" : "s");
		else
			strbuf_addf(sb,
				    "Remove the %s subject%s (the binding stays, without "
				    "subjects): ",
				    who == WHO_ANONYMOUS ? "anonymous" : "system:authenticated",
				    removed == 1 ? "" : "s");
		strbuf_addf(sb, "kubectl patch %s %s --type=json -p ", kind, cmdtail.buf);
		shell_word(sb, patch.buf);
		strbuf_addch(sb, '.');
		strbuf_release(&patch);
	}
	if (b->file && strcmp(b->file, "<stdin>")) /* standard input has no source to fix */
		strbuf_addf(sb,
			    " Fix its source too (defined at %s:%d): the next apply of "
			    "a manifest or chart restores it.",
			    b->file, b->line);
	strbuf_release(&cmdtail);
}

/* ===== lint ===== */

static void lint_issues(const struct rbac_set *s, struct result *res)
{
	for (size_t i = 0; i < s->nissues; i++) {
		const struct rbac_issue *is = &s->issues[i];
		struct finding *f;

		switch (is->kind) {
		case RBAC_ISSUE_INVALID:
			f = finding_add(res, &rbac_rules[R_INVALID], STATUS_INVALID,
					rbac_rules[R_INVALID].severity, is->target,
					"Fix the object; the API server rejects it (kubectl "
					"apply fails), so it grants nothing and is not analysed.",
					"%s: %s", is->target, is->msg);
			finding_add_evidence(f, SRC_FILE, is->file, is->line, is->key, NULL,
					     "rejected by the API server's validation");
			break;
		case RBAC_ISSUE_DUPLICATE:
			f = finding_add(res, &rbac_rules[R_DUP], STATUS_WARN,
					rbac_rules[R_DUP].severity, is->target,
					"Keep one definition: applied in another order, the "
					"other one would win.",
					"%s", is->msg);
			finding_add_evidence(f, SRC_FILE, is->file2, is->line2, NULL, NULL,
					     "earlier definition (replaced)");
			finding_add_evidence(f, SRC_FILE, is->file, is->line, NULL, NULL,
					     "later definition (used)");
			break;
		case RBAC_ISSUE_AGGREGATION:
			f = finding_add(res, &rbac_rules[R_RULE], STATUS_WARN,
					rbac_rules[R_RULE].severity, is->target,
					"Narrow the aggregation selectors: they must not select "
					"each other in a cycle, nor more roles than needed.",
					"%s", is->msg);
			finding_add_evidence(f, SRC_FILE, is->file, is->line, is->key, is->value,
					     NULL);
			break;
		}
	}
}

static void lint_role(const struct rbac_role *r, struct result *res)
{
	struct strbuf t = STRBUF_INIT, v = STRBUF_INIT, key = STRBUF_INIT;

	role_target(&t, r);
	for (size_t i = 0; i < r->nrules; i++) {
		const struct rbac_rule *ru = &r->rules[i];
		const char *why = rbac_rule_ineffective(ru, true);
		struct finding *f;

		for (size_t j = 0; j < ru->resources.n; j++) {
			const char *rs = ru->resources.v[j];
			if (!rbac_resource_bogus(rs))
				continue;
			strbuf_reset(&key);
			strbuf_addf(&key, "rules[%zu].resources", i);
			f = finding_add(res, &rbac_rules[R_RULE], STATUS_WARN,
					rbac_rules[R_RULE].severity, t.buf,
					"Use \"*\" for all resources, list the subresources by "
					"name (pods/log, pods/exec), or \"*/sub\" for one "
					"subresource of every resource.",
					"'%s' is not a wildcard: Kubernetes matches only \"*\" and "
					"\"*/subresource\", so this entry grants nothing (it would "
					"need a subresource literally named \"*\")",
					rs);
			finding_add_evidence(
			    f, SRC_FILE, ru->file, ru->line, key.buf, rs,
			    "pkg/apis/rbac/v1/evaluation_helpers.go ResourceMatches");
		}
		if (why) {
			strbuf_reset(&key);
			strbuf_reset(&v);
			strbuf_addf(&key, "rules[%zu]", i);
			rbac_rule_format(&v, ru);
			f = finding_add(res, &rbac_rules[R_RULE], STATUS_WARN,
					rbac_rules[R_RULE].severity, t.buf,
					"Drop resourceNames for these verbs, or the verbs for "
					"these resourceNames.",
					"this rule grants nothing: %s", why);
			finding_add_evidence(f, SRC_FILE, ru->file, ru->line, key.buf, v.buf, NULL);
		}
	}
	strbuf_release(&t);
	strbuf_release(&v);
	strbuf_release(&key);
}

static void lint_subjects(const struct rbac_binding *b, struct result *res)
{
	static const char *const special[] = {RBAC_ANON_USER, RBAC_ANON_GROUP, RBAC_AUTH_GROUP};
	struct strbuf t = STRBUF_INIT;

	for (size_t i = 0; i < b->nsubj; i++) {
		const struct rbac_subject *s = &b->subj[i];
		struct strbuf key = STRBUF_INIT, val = STRBUF_INIT, fix = STRBUF_INIT;
		const char *want = NULL;
		struct finding *f;

		if (rbac_subject_applies(s, WHO_ANONYMOUS) ||
		    rbac_subject_applies(s, WHO_AUTHENTICATED))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(special); j++)
			if (lookalike(s->name, special[j]))
				want = special[j];
		if (!want) {
			strbuf_release(&key);
			strbuf_release(&val);
			strbuf_release(&fix);
			continue;
		}
		if (!t.len)
			binding_target(&t, b);
		strbuf_addf(&key, "subjects[%zu]", i);
		strbuf_addf(&val, "%s %s", s->kind, s->name);
		strbuf_addf(&fix,
			    "If the intent is to grant %s, the subject is %s %s; if it is "
			    "to block them, remove this subject (RBAC only adds permissions: "
			    "there is no deny).",
			    !strcmp(want, RBAC_AUTH_GROUP) ? "every authenticated identity"
							   : "anonymous callers",
			    !strcmp(want, RBAC_ANON_USER) ? "User" : "Group", want);
		f = finding_add(res, &rbac_rules[R_SUBJECT], STATUS_WARN,
				rbac_rules[R_SUBJECT].severity, t.buf, fix.buf,
				"%s %s matches no request: an anonymous request is User %s "
				"in Group %s, and every other caller is in Group %s; the subject "
				"kind, name and case must match exactly",
				s->kind, s->name, RBAC_ANON_USER, RBAC_ANON_GROUP, RBAC_AUTH_GROUP);
		finding_add_evidence(f, SRC_FILE, b->file, s->line, key.buf, val.buf,
				     "pkg/registry/rbac/validation/rule.go appliesToUser");
		strbuf_release(&key);
		strbuf_release(&val);
		strbuf_release(&fix);
	}
	strbuf_release(&t);
}

/* A RoleBinding to a role with nonResourceURL rules: those never apply. */
static void lint_binding_scope(const struct rbac_binding *b, const struct rbac_role *r,
			       struct result *res)
{
	struct strbuf t = STRBUF_INIT, rt = STRBUF_INIT, v = STRBUF_INIT;
	struct finding *f;
	size_t n = 0;

	if (b->cluster || !r)
		return;
	for (size_t i = 0; i < r->neff; i++)
		n += r->eff[i]->urls.n > 0;
	if (!n)
		return;
	binding_target(&t, b);
	role_target(&rt, r);
	f = finding_add(res, &rbac_rules[R_RULE], STATUS_WARN, rbac_rules[R_RULE].severity, t.buf,
			"Bind the role with a ClusterRoleBinding if the URLs are "
			"meant to be granted; otherwise nothing needs to change.",
			"%zu nonResourceURL rule%s of %s take%s no effect through this "
			"RoleBinding: non-resource requests have no namespace, so only "
			"ClusterRoleBindings grant them",
			n, n == 1 ? "" : "s", rt.buf, n == 1 ? "s" : "");
	finding_add_evidence(f, SRC_FILE, b->file, b->ref_line, "roleRef", rt.buf, NULL);
	for (size_t i = 0; i < r->neff; i++) {
		const struct rbac_rule *ru = r->eff[i];
		struct strbuf key = STRBUF_INIT;
		if (!ru->urls.n)
			continue;
		strbuf_reset(&v);
		rbac_rule_format(&v, ru);
		strbuf_addf(&key, "rules[%d]", ru->index);
		finding_add_evidence(f, ru->file ? SRC_FILE : SRC_DEFAULT, ru->file, ru->line,
				     key.buf, v.buf, "no effect through a RoleBinding");
		strbuf_release(&key);
	}
	strbuf_release(&t);
	strbuf_release(&rt);
	strbuf_release(&v);
}

/* ===== exposure ===== */

struct rated_rule {
	const struct rbac_rule *rule;
	struct rbac_grant g[RBAC_MAX_GRANTS];
	size_t ng;
	enum rbac_level level;
	bool reachable; /* with anonymous auth limited to paths */
};

/* Role names OpenShift and others create by default but kanon does not model. */
static const char *const platform_roles[] = {"system:openshift:public-info-viewer"};

static void caps_text(struct strbuf *sb, const struct rbac_grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s%s (%s)", i ? ", " : "", rbac_caps[g[i].cap].id,
			    g[i].named && g[i].cap != CAP_CLUSTER_INFO ? " of named objects" : "",
			    rbac_level_name(g[i].level));
}

static int cmp_grant(const void *a, const void *b)
{
	const struct rbac_grant *x = a, *y = b;
	if (x->level != y->level)
		return (int)y->level - (int)x->level;
	return (int)x->cap - (int)y->cap;
}

static bool url_reachable(const struct rbac_rule *r, const struct rbac_opts *o)
{
	for (size_t i = 0; i < o->nanon_paths; i++) {
		const char *p = o->anon_paths[i];
		if (r->urls.n ? rbac_url_matches(r, p)
			      : starts_with(p, "/api/") || starts_with(p, "/apis/"))
			return true;
	}
	return false;
}

static bool legacy_discovery(const struct rbac_binding *b)
{
	return !strcmp(b->ref_name, "system:discovery") ||
	       !strcmp(b->ref_name, "system:basic-user");
}

static void unresolved(const struct rbac_binding *b, enum rbac_who who, const struct rbac_opts *o,
		       struct result *res)
{
	struct strbuf t = STRBUF_INIT, w = STRBUF_INIT, fix = STRBUF_INIT, ref = STRBUF_INIT;
	const struct rule *rule = &rbac_rules[who == WHO_ANONYMOUS ? R_ANON : R_AUTH];
	bool platform = false;
	enum severity sev = SEV_MEDIUM;
	struct finding *f;

	for (size_t i = 0; i < ARRAY_SIZE(platform_roles); i++)
		platform |= !strcmp(b->ref_name, platform_roles[i]);
	if (platform)
		sev = SEV_LOW;
	if (who == WHO_AUTHENTICATED && o->authenticated_info)
		sev = SEV_INFO;
	binding_target(&t, b);
	who_text(&w, b, who);
	strbuf_addf(&ref, "%s/%s", b->ref_kind, b->ref_name);
	remediation(&fix, b, who);
	strbuf_addf(&fix, " Or export the role with the bindings (kubectl get "
			  "clusterroles,roles -A -o yaml) so kanon can rate it.");
	f = finding_add(res, rule, STATUS_WARN, sev, t.buf, fix.buf,
			"%s binds %s to %s, which is not in the input: it grants nothing "
			"while no such role exists, but it is latent exposure: whoever "
			"creates a role of that name grants it to them%s",
			t.buf, w.buf, ref.buf,
			platform ? " (OpenShift creates a default role of this name for "
				   "public info endpoints: baseline there; export it to confirm)"
				 : "");
	for (size_t i = 0; i < b->nsubj; i++) {
		struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
		if (!rbac_subject_applies(&b->subj[i], who))
			continue;
		strbuf_addf(&key, "subjects[%zu]", i);
		strbuf_addf(&val, "%s %s", b->subj[i].kind, b->subj[i].name);
		finding_add_evidence(f, SRC_FILE, b->file, b->subj[i].line, key.buf, val.buf,
				     who == WHO_ANONYMOUS ? "matches every anonymous request"
							  : "matches every authenticated caller");
		strbuf_release(&key);
		strbuf_release(&val);
	}
	finding_add_evidence(f, SRC_FILE, b->file, b->ref_line, "roleRef", ref.buf,
			     "not in the input (unresolved)");
	strbuf_release(&t);
	strbuf_release(&w);
	strbuf_release(&fix);
	strbuf_release(&ref);
}

static enum status level_status(enum rbac_level l)
{
	if (l <= LVL_BASELINE)
		return STATUS_PASS;
	return l == LVL_LOW ? STATUS_WARN : STATUS_FAIL;
}

/*
 * Facts for the scan verdict's attack paths (core/finding.h): who the
 * binding lets in, where, and the capabilities it grants, most dangerous
 * first (rbac_caps ids, e.g. "secrets-read,read").
 */
static void grant_facts(struct finding *f, const struct rbac_binding *b, enum rbac_who who,
			const struct rbac_grant *all, size_t nall)
{
	struct strbuf ids = STRBUF_INIT;

	finding_set_fact(f, "who", who == WHO_ANONYMOUS ? "anonymous" : "authenticated");
	finding_set_fact(f, "namespace", b->cluster ? "" : b->ns);
	for (size_t i = 0; i < nall; i++)
		if (all[i].level >= LVL_LOW)
			strbuf_addf(&ids, "%s%s", ids.len ? "," : "", rbac_caps[all[i].cap].id);
	if (nall && all[0].level >= LVL_LOW)
		finding_set_fact(f, "grant", rbac_caps[all[0].cap].what);
	finding_set_fact(f, "grants", strbuf_str(&ids));
	strbuf_release(&ids);
}

static void expose(struct rbac_set *s, const struct rbac_binding *b, enum rbac_who who,
		   const struct rbac_opts *o, struct rbac_explain *ex, struct result *res)
{
	bool cluster_role = !strcmp(b->ref_kind, "ClusterRole");
	const struct rbac_role *r = rbac_set_find_role(s, cluster_role, b->ns, b->ref_name, true);
	/* A Role without metadata.namespace goes to whatever namespace it is
	 * applied in: most likely the binding's. Rating it beats calling the
	 * reference unresolved (which would under-rate a real grant). */
	bool ns_guess = !r && !cluster_role && *b->ns &&
			(r = rbac_set_find_role(s, false, "", b->ref_name, false));
	const struct rule *rule = &rbac_rules[who == WHO_ANONYMOUS ? R_ANON : R_AUTH];
	struct rbac_scope sc = {b->cluster, b->ns};
	struct rated_rule *rr;
	struct rbac_grant all[RBAC_MAX_GRANTS];
	size_t nall = 0, shown = 0;
	enum rbac_level level = LVL_NONE, reach = LVL_NONE;
	bool has_bind = false;
	struct strbuf t = STRBUF_INIT, w = STRBUF_INIT, rt = STRBUF_INIT, sc_txt = STRBUF_INIT,
		      msg = STRBUF_INIT, fix = STRBUF_INIT, note = STRBUF_INIT;
	enum status st;
	enum severity sev;
	struct finding *f;
	struct rbac_explain_binding *eb = NULL;

	if (!r) {
		unresolved(b, who, o, res);
		if (ex) {
			binding_target(&t, b);
			who_text(&w, b, who);
			strbuf_addf(&rt, "%s/%s (not in the input)", b->ref_kind, b->ref_name);
			scope_text(&sc_txt, b);
			rbac_explain_add(ex, who == WHO_ANONYMOUS ? "anonymous" : "authenticated",
					 t.buf, rt.buf, sc_txt.buf, "unresolved");
		}
		goto out;
	}
	rr = xcalloc(r->neff ? r->neff : 1, sizeof(*rr));
	for (size_t i = 0; i < r->neff; i++) {
		rr[i].rule = r->eff[i];
		rr[i].ng = rbac_rate_rule(r->eff[i], &sc, rr[i].g);
		qsort(rr[i].g, rr[i].ng, sizeof(rr[i].g[0]), cmp_grant);
		for (size_t j = 0; j < rr[i].ng; j++) {
			has_bind |= rr[i].g[j].cap == CAP_BIND_ESCALATE ||
				    (rr[i].g[j].cap == CAP_WILDCARD && !rr[i].g[j].named);
		}
	}
	/* Escalation prevention (pkg/registry/rbac/rolebinding/policybased):
	 * writing bindings only lets a caller bind roles whose permissions it
	 * already holds, unless it may also `bind` (or `escalate`). */
	for (size_t i = 0; i < r->neff; i++) {
		rr[i].level = LVL_NONE;
		for (size_t j = 0; j < rr[i].ng; j++) {
			struct rbac_grant *g = &rr[i].g[j];
			size_t k;
			if (g->cap == CAP_BINDINGS_WRITE && !has_bind && g->level == LVL_CRITICAL)
				g->level = LVL_HIGH;
			if (g->level > rr[i].level)
				rr[i].level = g->level;
			for (k = 0; k < nall; k++)
				if (all[k].cap == g->cap)
					break;
			if (k == nall)
				all[nall++] = *g;
			else if (g->level > all[k].level || (g->level == all[k].level && !g->named))
				all[k] = *g;
		}
		if (rr[i].level > level)
			level = rr[i].level;
		if (who == WHO_ANONYMOUS && o->anon == RBAC_ANON_AUTH_PATHS) {
			rr[i].reachable = url_reachable(rr[i].rule, o);
			if (rr[i].reachable && rr[i].level > reach)
				reach = rr[i].level;
		}
	}
	qsort(all, nall, sizeof(all[0]), cmp_grant);

	binding_target(&t, b);
	who_text(&w, b, who);
	role_target(&rt, r);
	scope_text(&sc_txt, b);
	strbuf_addf(&msg, "%s gives %s %s %s", t.buf, w.buf, rt.buf, sc_txt.buf);
	if (level == LVL_NONE) {
		strbuf_addstr(&msg, r->neff ? ": grants nothing (no rule applies in this scope)"
					    : ": grants nothing (the role has no rules)");
		if (r->aggregated)
			strbuf_addstr(&msg, "; it is aggregated, so any ClusterRole labelled to "
					    "match its selectors would extend it");
	} else {
		strbuf_addstr(&msg, ": ");
		for (size_t i = 0; i < nall && i < MAX_CAPS_IN_MESSAGE; i++)
			strbuf_addf(&msg, "%s%s%s (%s)", i ? ", " : "", rbac_caps[all[i].cap].what,
				    all[i].named && all[i].cap != CAP_CLUSTER_INFO
					? " (named objects only)"
					: "",
				    rbac_level_name(all[i].level));
		if (nall > MAX_CAPS_IN_MESSAGE)
			strbuf_addf(&msg, " and %zu more", nall - MAX_CAPS_IN_MESSAGE);
		strbuf_addf(&msg, " => %s", rbac_level_name(level));
		if (level == LVL_BASELINE)
			strbuf_addstr(&msg,
				      all[0].cap == CAP_CLUSTER_INFO
					  ? ": what kubeadm sets up on every cluster it creates"
					  : ": what every default cluster grants");
	}
	if (who == WHO_ANONYMOUS && legacy_discovery(b) && level >= LVL_LOW)
		strbuf_addstr(&msg,
			      ". This is the pre-1.14 default: Kubernetes 1.14 removed "
			      "system:unauthenticated from system:discovery and "
			      "system:basic-user, but clusters upgraded from older releases keep "
			      "it (kubernetes/kubernetes#73807)");
	st = level_status(level);
	sev = rbac_level_severity(level);
	if (level == LVL_NONE && r->aggregated) {
		/* Not safe either way: the parts are missing from the input, or
		 * any ClusterRole created later with a matching label extends
		 * the grant (latent exposure, like a missing roleRef). */
		if (!r->nparts)
			strbuf_addstr(&msg,
				      "; no ClusterRole in the input or the Kubernetes "
				      "defaults matches its aggregation selectors: export all "
				      "ClusterRoles to rate it");
		else
			strbuf_addstr(
			    &msg, "; that is latent exposure (as with a missing role), not a pass");
		st = STATUS_WARN;
		sev = SEV_MEDIUM;
	}
	if (who == WHO_ANONYMOUS && level >= LVL_LOW) {
		if (o->anon == RBAC_ANON_AUTH_DISABLED ||
		    (o->anon == RBAC_ANON_AUTH_PATHS && reach < LVL_LOW)) {
			strbuf_addf(&msg, "; exposed only if anonymous auth is enabled (%s%s%s)",
				    o->anon == RBAC_ANON_AUTH_DISABLED
					? "it is disabled"
					: "it is limited to paths this binding does not grant",
				    o->anon_source ? ": " : "",
				    o->anon_source ? o->anon_source : "");
			st = STATUS_WARN;
			sev = sev > SEV_INFO ? (enum severity)(sev - 1) : SEV_INFO;
		} else if (o->anon == RBAC_ANON_AUTH_PATHS && reach < level) {
			strbuf_addf(&msg,
				    "; anonymous auth is limited to some paths%s%s, which "
				    "reach only %s of it: the rest is exposed only if anonymous "
				    "auth is enabled for more paths",
				    o->anon_source ? ": " : "",
				    o->anon_source ? o->anon_source : "", rbac_level_name(reach));
			st = level_status(reach);
			sev = rbac_level_severity(reach);
		}
	}
	if (who == WHO_AUTHENTICATED && o->authenticated_info && level >= LVL_LOW) {
		strbuf_addf(&msg, " (reported as info in scan; run kanon rbac "
				  "--include-authenticated for the rating)");
		st = STATUS_WARN;
		sev = SEV_INFO;
	}
	if (level == LVL_BASELINE && nall && all[0].cap == CAP_CLUSTER_INFO)
		strbuf_addstr(&fix,
			      "Nothing to fix: this is what kubeadm sets up, and removing "
			      "it breaks 'kubeadm join --discovery-token' (token-based discovery "
			      "reads this ConfigMap anonymously; switch to file-based discovery "
			      "first). To remove it anyway, follow these steps. ");
	else if (level == LVL_BASELINE)
		strbuf_addstr(&fix,
			      "Nothing to fix: this is a Kubernetes default, and removing "
			      "it breaks unauthenticated health checks (load balancers, probes); "
			      "to narrow anonymous access, limit anonymous authentication to the "
			      "health paths (AuthenticationConfiguration anonymous.conditions). To "
			      "remove it anyway, follow these steps. ");
	remediation(&fix, b, who);
	f = finding_add(res, rule, st, sev, t.buf, fix.buf, "%s", msg.buf);
	grant_facts(f, b, who, all, nall);

	for (size_t i = 0; i < b->nsubj; i++) {
		struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
		if (!rbac_subject_applies(&b->subj[i], who))
			continue;
		strbuf_addf(&key, "subjects[%zu]", i);
		strbuf_addf(&val, "%s %s", b->subj[i].kind, b->subj[i].name);
		finding_add_evidence(f, SRC_FILE, b->file, b->subj[i].line, key.buf, val.buf,
				     who == WHO_ANONYMOUS ? "matches every anonymous request"
							  : "matches every authenticated caller");
		strbuf_release(&key);
		strbuf_release(&val);
	}
	strbuf_addstr(&note, sc_txt.buf);
	if (!r->file)
		strbuf_addstr(&note, "; not in the input: kanon's copy of the Kubernetes default "
				     "(the API server recreates bootstrap roles at startup)");
	if (ns_guess)
		strbuf_addf(&note,
			    "; the Role has no metadata.namespace: taken to be applied in "
			    "namespace %s, like the binding",
			    b->ns);
	if (r->kept_stored) {
		strbuf_addstr(&note,
			      "; aggregated, but no ClusterRole in the input or the Kubernetes "
			      "defaults matches its selectors: its stored rules (as the "
			      "controller last filled them) are used");
	} else if (r->aggregated) {
		strbuf_addstr(&note, "; aggregated from ");
		if (!r->nparts)
			strbuf_addstr(&note, "nothing");
		for (size_t i = 0; i < r->nparts; i++)
			strbuf_addf(&note, "%s%s", i ? ", " : "", r->parts[i]->name);
	}
	finding_add_evidence(f, r->file ? SRC_FILE : SRC_DEFAULT, r->file, r->line, "roleRef",
			     rt.buf, note.buf);
	if (ex) {
		eb = rbac_explain_add(ex, who == WHO_ANONYMOUS ? "anonymous" : "authenticated",
				      t.buf, rt.buf, sc_txt.buf, rbac_level_name(level));
	}
	/* the most dangerous rules first */
	for (enum rbac_level l = LVL_CRITICAL; l >= LVL_BASELINE; l--) {
		for (size_t i = 0; i < r->neff; i++) {
			const struct rbac_rule *ru = rr[i].rule;
			struct strbuf key = STRBUF_INIT, val = STRBUF_INIT, cn = STRBUF_INIT;
			if (rr[i].level != l)
				continue;
			if (shown++ >= MAX_RULE_EVIDENCE)
				continue;
			if (ru->from != r)
				strbuf_addf(&key, "ClusterRole/%s rules[%d]", ru->from->name,
					    ru->index);
			else
				strbuf_addf(&key, "rules[%d]", ru->index);
			rbac_rule_format(&val, ru);
			caps_text(&cn, rr[i].g, rr[i].ng);
			if (o->anon == RBAC_ANON_AUTH_PATHS && who == WHO_ANONYMOUS)
				strbuf_addstr(&cn,
					      rr[i].reachable
						  ? "; reachable"
						  : "; not reachable (anonymous auth path limits)");
			finding_add_evidence(f, ru->file ? SRC_FILE : SRC_DEFAULT, ru->file,
					     ru->line, key.buf, val.buf, cn.buf);
			strbuf_release(&key);
			strbuf_release(&val);
			strbuf_release(&cn);
		}
	}
	if (shown > MAX_RULE_EVIDENCE) {
		struct strbuf more = STRBUF_INIT;
		strbuf_addf(&more, "%zu more matching rules (kanon rbac --explain lists all)",
			    shown - MAX_RULE_EVIDENCE);
		finding_add_evidence(f, SRC_FILE, NULL, 0, NULL, more.buf, NULL);
		strbuf_release(&more);
	}
	if (eb) {
		for (size_t i = 0; i < r->neff; i++) {
			const struct rbac_rule *ru = rr[i].rule;
			struct strbuf val = STRBUF_INIT, cn = STRBUF_INIT, where = STRBUF_INIT;
			const char *why = rbac_rule_ineffective(ru, b->cluster);
			rbac_rule_format(&val, ru);
			if (rr[i].ng)
				caps_text(&cn, rr[i].g, rr[i].ng);
			else
				strbuf_addf(&cn, "no effect%s%s", why ? ": " : "", why ? why : "");
			if (ru->file)
				strbuf_addf(&where, "%s:%d", ru->file, ru->line);
			else
				strbuf_addf(&where, "built-in ClusterRole/%s", ru->from->name);
			rbac_explain_add_rule(eb, val.buf, cn.buf, rbac_level_name(rr[i].level),
					      where.buf);
			strbuf_release(&val);
			strbuf_release(&cn);
			strbuf_release(&where);
		}
	}
	free(rr);
out:
	strbuf_release(&t);
	strbuf_release(&w);
	strbuf_release(&rt);
	strbuf_release(&sc_txt);
	strbuf_release(&msg);
	strbuf_release(&fix);
	strbuf_release(&note);
}

void rbac_check(struct rbac_set *s, const struct rbac_opts *o, struct result *res)
{
	struct rbac_explain *ex = o->explain ? rbac_explain_create() : NULL;

	if (!s->nroles && !s->nbindings && !s->nissues && !s->input_error) {
		/* Nothing to rate is not "nothing exposed": an empty export, a
		 * manifest of other kinds, or objects without apiVersion
		 * rbac.authorization.k8s.io/... say nothing about the cluster. */
		finding_add(res, &rbac_rules[R_ANON], STATUS_UNKNOWN, SEV_INFO, "input",
			    "Export the RBAC objects: kubectl get clusterroles,"
			    "clusterrolebindings,roles,rolebindings -A -o json.",
			    "no RBAC objects (Role, ClusterRole, RoleBinding, "
			    "ClusterRoleBinding with apiVersion rbac.authorization.k8s.io/...) "
			    "in the input: what anonymous callers may do is unknown");
	}
	rbac_set_resolve(s);
	lint_issues(s, res);
	for (size_t i = 0; i < s->nroles; i++)
		if (!s->roles[i]->superseded && s->roles[i]->file)
			lint_role(s->roles[i], res);
	for (size_t i = 0; i < s->nbindings; i++) {
		const struct rbac_binding *b = s->bindings[i];
		bool anon = false, auth = false;

		if (b->superseded)
			continue;
		lint_subjects(b, res);
		for (size_t j = 0; j < b->nsubj; j++) {
			anon |= rbac_subject_applies(&b->subj[j], WHO_ANONYMOUS);
			auth |= rbac_subject_applies(&b->subj[j], WHO_AUTHENTICATED);
		}
		if (anon)
			expose(s, b, WHO_ANONYMOUS, o, ex, res);
		if (auth && (o->include_authenticated || o->authenticated_info))
			expose(s, b, WHO_AUTHENTICATED, o, ex, res);
		if (!b->cluster)
			lint_binding_scope(b,
					   rbac_set_find_role(s,
							      !strcmp(b->ref_kind, "ClusterRole"),
							      b->ns, b->ref_name, true),
					   res);
	}
	if (ex)
		rbac_explain_attach(ex, res);
}
