/*
 * Effective kube-apiserver anonymous-auth and authorization settings.
 * Upstream facts reproduced here (kubernetes/kubernetes unless noted):
 *  - pkg/kubeapiserver/options/authentication.go: --anonymous-auth is a
 *    bool flag defaulting to true, FlagsSet records that it was given;
 *    ToAuthenticationConfig(): a file `anonymous` plus the flag is
 *    "Forbidden: --anonymous-auth flag cannot be set when anonymous field is
 *    configured in authentication configuration file", a file `anonymous`
 *    wins, else the flag; validateOIDCOptions(): the file needs
 *    StructuredAuthenticationConfiguration and excludes --oidc-* flags;
 *    ApplyAuthorization(): AlwaysAllow in the modes resets the flag value;
 *    the file is decoded strictly (serializer.EnableStrict).
 *  - pkg/kubeapiserver/options/authorization.go: --authorization-mode is a
 *    pflag StringSlice (comma-separated; a repeated flag appends), Complete()
 *    defaults it to AlwaysAllow when neither it nor --authorization-config
 *    is set; Validate() rejects unknown or repeated modes, ABAC without
 *    --authorization-policy-file, Webhook without
 *    --authorization-webhook-config-file, and --authorization-config
 *    together with --authorization-mode or --authorization-webhook-* flags.
 *  - staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go:
 *    ValidateAuthenticationConfiguration() (anonymous needs the
 *    AnonymousAuthConfigurableEndpoints gate; conditions need enabled: true;
 *    no check of the paths themselves) and ValidateAuthorizationConfiguration().
 *  - pkg/kubeapiserver/authorizer/config.go LoadAndValidateData(): a
 *    non-Webhook authorizer must be named as its lower-cased type.
 *  - Feature gate stages (kubernetes/website, content/en/docs/reference/
 *    command-line-tools-reference/feature-gates/):
 *    AnonymousAuthConfigurableEndpoints alpha 1.31, beta 1.32, GA 1.34;
 *    StructuredAuthenticationConfiguration alpha 1.29, beta 1.30, GA 1.34;
 *    StructuredAuthorizationConfiguration alpha 1.29, beta 1.30, GA 1.32.
 */
#include "model/apiserver_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/flags.h"
#include "parsers/yaml.h"
#include "sources/provider.h"
#include "core/banned.h"

#define API_GROUP "apiserver.config.k8s.io/"
#define MAX_CONDITIONS 4096
#define MAX_AUTHORIZERS 1024

/* Boolean flags of kube-apiserver: "--flag word" does not take "word". */
static const struct flag_spec apiserver_flags[] = {
	{ "anonymous-auth", FLAG_BOOL },
	{ "allow-privileged", FLAG_BOOL },
	{ "enable-bootstrap-token-auth", FLAG_BOOL },
	{ "profiling", FLAG_BOOL },
	{ "contention-profiling", FLAG_BOOL },
	{ "enable-aggregator-routing", FLAG_BOOL },
	{ "enable-garbage-collector", FLAG_BOOL },
	{ "enable-priority-and-fairness", FLAG_BOOL },
	{ "enable-logs-handler", FLAG_BOOL },
	{ "service-account-lookup", FLAG_BOOL },
	{ "service-account-extend-token-expiration", FLAG_BOOL },
	{ "watch-cache", FLAG_BOOL },
	{ "audit-log-compress", FLAG_BOOL },
	{ "audit-log-batch-throttle-enable", FLAG_BOOL },
	{ "audit-webhook-batch-throttle-enable", FLAG_BOOL },
	{ "audit-log-truncate-enabled", FLAG_BOOL },
	{ "audit-webhook-truncate-enabled", FLAG_BOOL },
	{ "disable-http2-serving", FLAG_BOOL },
	{ "permit-port-sharing", FLAG_BOOL },
	{ "permit-address-sharing", FLAG_BOOL },
	{ "shutdown-send-retry-after", FLAG_BOOL },
	{ "encryption-provider-config-automatic-reload", FLAG_BOOL },
	{ "aggregator-reject-forwarding-redirect", FLAG_BOOL },
	{ "log-json-split-stream", FLAG_BOOL },
	{ "log-text-split-stream", FLAG_BOOL },
	{ "emulation-forward-compatible", FLAG_BOOL },
	{ "runtime-config-emulation-forward-compatible", FLAG_BOOL },
	{ "logtostderr", FLAG_BOOL },
	{ "alsologtostderr", FLAG_BOOL },
	{ "help", FLAG_BOOL },
	{ "version", FLAG_STRING },
};

/* authzmodes.AuthorizationModeChoices (pkg/kubeapiserver/authorizer/modes). */
static const char *const mode_choices[] = {
	"AlwaysAllow", "AlwaysDeny", "ABAC", "Webhook", "RBAC", "Node", NULL,
};

/* The flags AreLegacyFlagsSet() looks at (authorization.go). */
static const char *const legacy_authz_flags[] = {
	"authorization-mode", "authorization-webhook-config-file",
	"authorization-webhook-version", "authorization-webhook-cache-authorized-ttl",
	"authorization-webhook-cache-unauthorized-ttl", NULL,
};

static const char *const oidc_flags[] = {
	"oidc-issuer-url", "oidc-client-id", "oidc-ca-file", "oidc-username-claim",
	"oidc-username-prefix", "oidc-groups-claim", "oidc-groups-prefix",
	"oidc-signing-algs", "oidc-required-claim", NULL,
};

enum gate { G_ANON, G_AUTHN, G_AUTHZ, G__COUNT };

static const struct gate_def {
	const char *name;
	int alpha, beta, ga; /* 1.x minor of each stage */
	unsigned dom;
} gate_defs[G__COUNT] = {
	[G_ANON] = { "AnonymousAuthConfigurableEndpoints", 31, 32, 34, DOM_ANON | DOM_AUTHN },
	[G_AUTHN] = { "StructuredAuthenticationConfiguration", 29, 30, 34,
		      DOM_ANON | DOM_AUTHN },
	[G_AUTHZ] = { "StructuredAuthorizationConfiguration", 29, 30, 32, DOM_AUTHZ },
};

/* ------------------------------------------------------------ helpers */

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

void api_ev_add(struct api_evlist *l, const char *kind, const char *path,
		int line, const char *key, const char *value, const char *note)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	evidence_set(&l->v[l->n++], kind, path, line, key, value, note);
}

void api_ev_release(struct api_evlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		evidence_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void apiserver_model_init(struct apiserver_model *m)
{
	memset(m, 0, sizeof(*m));
}

void apiserver_model_release(struct apiserver_model *m)
{
	evidence_release(&m->version_at);
	free(m->anon_reason);
	for (size_t i = 0; i < m->ncond; i++)
		free(m->cond[i].path);
	free(m->cond);
	api_ev_release(&m->anon_ev);
	free(m->authz_reason);
	free(m->anon_flag_opaque);
	free(m->authz_opaque);
	free(m->argv_opaque);
	free(m->no_argv);
	for (size_t i = 0; i < m->nchain; i++) {
		free(m->chain[i].type);
		free(m->chain[i].name);
		evidence_release(&m->chain[i].at);
	}
	free(m->chain);
	api_ev_release(&m->authz_ev);
	free(m->authn_path);
	free(m->authn_reason);
	free(m->authn_version);
	for (size_t i = 0; i < m->nlint; i++) {
		evidence_release(&m->lint[i].at);
		free(m->lint[i].msg);
	}
	free(m->lint);
	for (size_t i = 0; i < m->ninv; i++) {
		evidence_release(&m->inv[i].at);
		free(m->inv[i].msg);
	}
	free(m->inv);
	memset(m, 0, sizeof(*m));
}

static void inv_add(struct apiserver_model *m, unsigned dom, const char *kind,
		    const char *path, int line, const char *key, const char *value,
		    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static void inv_add(struct apiserver_model *m, unsigned dom, const char *kind,
		    const char *path, int line, const char *key, const char *value,
		    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct api_invalid *iv;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(m->inv, m->ninv + 1, m->ainv);
	iv = &m->inv[m->ninv++];
	memset(iv, 0, sizeof(*iv));
	iv->dom = dom;
	iv->msg = strbuf_detach(&sb);
	evidence_set(&iv->at, kind, path, line, key, value, "rejected by the API server");
}

static void lint_add(struct apiserver_model *m, const char *path, int line,
		     const char *key, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void lint_add(struct apiserver_model *m, const char *path, int line,
		     const char *key, const char *value, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct api_lint *l;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(m->lint, m->nlint + 1, m->alint);
	l = &m->lint[m->nlint++];
	memset(l, 0, sizeof(*l));
	evidence_set(&l->at, SRC_CONFIG, path, line, key, value, NULL);
	l->msg = strbuf_detach(&sb);
}

const struct api_invalid *apiserver_invalid_for(const struct apiserver_model *m,
						unsigned dom)
{
	for (size_t i = 0; i < m->ninv; i++)
		if (m->inv[i].dom & dom)
			return &m->inv[i];
	return NULL;
}

int apiserver_parse_minor(const char *s)
{
	long long major = 0, minor = 0;
	const char *p = s;
	int digits = 0;

	if (!s)
		return -1;
	if (*p == 'v' || *p == 'V')
		p++;
	while (isdigit((unsigned char)*p) && digits < 4) {
		major = major * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p++ != '.')
		return -1;
	digits = 0;
	while (isdigit((unsigned char)*p) && digits < 4) {
		minor = minor * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || (*p && *p != '.' && *p != '-' && *p != '+'))
		return -1;
	return major == 1 ? (int)minor : -1;
}

bool apiserver_argv0_is(const char *word)
{
	const char *base = strrchr(word, '/');

	return !strcmp(base ? base + 1 : word, "kube-apiserver");
}

/* ------------------------------------------------------------ flags */

struct flagctx {
	const struct apiserver_input *in;
	struct flagset fs;
};

static int occ_line(const struct flagctx *fc, const struct flag_occ *o)
{
	const struct argv_origin *at = argv_origin(fc->in->argv, o->argi);

	if (at)
		return at->line;
	if (!fc->in->argv_lines || o->argi >= fc->in->argv->n)
		return 0;
	return fc->in->argv_lines[o->argi];
}

/* The file a flag was written in: the manifest, or an assembled word's. */
static const char *occ_file(const struct flagctx *fc, const struct flag_occ *o)
{
	const struct argv_origin *at = argv_origin(fc->in->argv, o->argi);

	return at && at->path ? at->path : fc->in->argv_file;
}

static void flag_ev(struct api_evlist *l, const struct flagctx *fc,
		    const struct flag_occ *o, const char *note)
{
	const struct argv_origin *at = argv_origin(fc->in->argv, o->argi);
	struct strbuf key = STRBUF_INIT, n = STRBUF_INIT;

	/* an assembled word says how it got there (a default of kubeadm, a
	 * variable of a unit) before what the model says of it */
	if (at && at->note)
		strbuf_addstr(&n, at->note);
	if (note)
		strbuf_addf(&n, "%s%s", n.len ? "; " : "", note);
	strbuf_addf(&key, "--%s", o->name);
	api_ev_add(l, SRC_FLAG, occ_file(fc, o), occ_line(fc, o), key.buf, o->raw,
		   n.len ? n.buf : NULL);
	strbuf_release(&key);
	strbuf_release(&n);
}

static void inv_flag(struct apiserver_model *m, unsigned dom, const struct flagctx *fc,
		     const struct flag_occ *o, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void inv_flag(struct apiserver_model *m, unsigned dom, const struct flagctx *fc,
		     const struct flag_occ *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&key, "--%s", o->name);
	inv_add(m, dom, SRC_FLAG, occ_file(fc, o), occ_line(fc, o), key.buf, o->raw,
		"%s", sb.buf);
	strbuf_release(&sb);
	strbuf_release(&key);
}

static const struct flag_occ *last_flag(const struct flagctx *fc, const char *name)
{
	return fc->in->argv ? flags_last(&fc->fs, name) : NULL;
}

/*
 * The $(VAR) in s whose value only the kubelet knows (an env var set with
 * valueFrom: pkg/kubelet/kubelet_pods.go makeEnvironmentVariables resolves
 * it, third_party/forked/golang/expansion expands it), or NULL.
 */
static const char *opaque_ref(const struct apiserver_input *in, const char *s)
{
	for (size_t i = 0; s && in->opaque && i < in->opaque->n; i++)
		if (strstr(s, in->opaque->v[i]))
			return in->opaque->v[i];
	return NULL;
}

static char *opaque_reason(const char *what, const char *ref)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s takes its value from %s, which only the kubelet (an env "
		    "var set with valueFrom) or the container's shell resolves at run time; "
		    "give kanon the running API server's command line (--pid, or "
		    "--cmdline from ps)", what, ref);
	return strbuf_detach(&sb);
}

static bool is_bool_flag(const char *word)
{
	char name[128];
	size_t l = strcspn(word, "=");

	if (l >= sizeof(name))
		return false;
	memcpy(name, word, l);
	name[l] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '_')
			*p = '-';
	for (size_t i = 0; i < ARRAY_SIZE(apiserver_flags); i++)
		if (!strcmp(apiserver_flags[i].name, name))
			return apiserver_flags[i].type == FLAG_BOOL;
	return false;
}

static bool is_known_flag(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(apiserver_flags); i++)
		if (!strcmp(apiserver_flags[i].name, word))
			return true;
	return false;
}

/* Is word one of the flags the verdicts depend on? */
static bool swallow_matters(const char *word)
{
	static const char *const names[] = { "anonymous-auth", "authorization-mode",
		"authorization-config", "authentication-config", "authorization-policy-file",
		"authorization-webhook-config-file", "authorization-webhook-version",
		"authorization-webhook-cache-authorized-ttl",
		"authorization-webhook-cache-unauthorized-ttl", "feature-gates",
		"emulated-version", NULL };
	char name[128];
	size_t l;

	if (strncmp(word, "--", 2))
		return false;
	word += 2;
	l = strcspn(word, "=");
	if (l >= sizeof(name))
		return false;
	memcpy(name, word, l);
	name[l] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '_')
			*p = '-';
	return in_list(name, names) || !strncmp(name, "oidc-", 5);
}

/*
 * kube-apiserver takes no arguments (cobra Args: "does not take any
 * arguments", empty ones excepted) and knows only -v and -h as shorthands.
 * The walk consumes values exactly as flags_parse() does, in one pass.
 */
static void check_argv_shape(struct apiserver_model *m, const struct flagctx *fc)
{
	const struct argv_list *argv = fc->in->argv;
	size_t i = argv->n && argv->v[0][0] != '-' ? 1 : 0;
	bool after_dashes = false;

	for (; i < argv->n; i++) {
		const char *w = argv->v[i], *prev = i ? argv->v[i - 1] : "";
		int line = fc->in->argv_lines ? fc->in->argv_lines[i] : 0;

		if (!after_dashes && !strcmp(w, "--")) {
			after_dashes = true;
			continue;
		}
		if (after_dashes || w[0] != '-' || !w[1]) {
			const char *ref = opaque_ref(fc->in, w);
			if (!*w)
				continue;
			if (ref && !after_dashes && !strncmp(w, ref, strlen(ref))) {
				/* $(VAR) may expand to any flag */
				if (!m->argv_opaque) {
					struct strbuf sb = STRBUF_INIT;
					strbuf_addf(&sb, "the command line word '%s'%s%s may "
						    "expand to any flags: only the kubelet (an "
						    "env var set with valueFrom) or the "
						    "container's shell resolves %s at run time; "
						    "give kanon the running API server's command "
						    "line (--pid, or --cmdline from ps)", w,
						    fc->in->argv_file ? " of " : "",
						    fc->in->argv_file ? fc->in->argv_file
						    : "", ref);
					m->argv_opaque = strbuf_detach(&sb);
				}
				continue;
			}
			if (!after_dashes && prev[0] == '-' && prev[1] == '-' &&
			    !strchr(prev, '=') && is_bool_flag(prev + 2)) {
				bool anon = !strcmp(prev, "--anonymous-auth") ||
					    !strcmp(prev, "--anonymous_auth");
				inv_add(m, anon ? DOM_ANON : DOM_ALL, SRC_FLAG,
					fc->in->argv_file, line, prev, w,
					"\"%s\" after %s is an argument, not the flag's value "
					"(kube-apiserver \"does not take any arguments\"); "
					"boolean flags take their value with '=': %s=%s",
					w, prev, prev, w);
			} else {
				inv_add(m, DOM_ALL, SRC_FLAG, fc->in->argv_file, line, NULL, w,
					"kube-apiserver \"does not take any arguments\", got "
					"\"%s\"", w);
			}
			return; /* the first one is what the API server reports */
		}
		if (w[1] != '-') {
			if (w[1] == 'v' && !w[2] && i + 1 < argv->n && argv->v[i + 1][0] != '-')
				i++; /* -v 2: klog's verbosity takes the next word */
			if (w[1] == 'v' || (w[1] == 'h' && !w[2]))
				continue;
			inv_add(m, DOM_ALL, SRC_FLAG, fc->in->argv_file, line, w, NULL,
				"'%s' is parsed as shorthand flags (\"unknown shorthand flag: "
				"'%c'\"); long flags need two dashes", w, w[1]);
			return;
		}
		if (strchr(w, '=') || is_bool_flag(w + 2) || i + 1 >= argv->n)
			continue;
		/* a string flag takes the next word (an unknown one only when it
		 * does not look like a flag), as flags_parse() assumes */
		if (is_known_flag(w + 2) || argv->v[i + 1][0] != '-') {
			i++;
			continue;
		}
		/*
		 * pflag gives a non-boolean flag written without '=' the next
		 * word whatever it looks like (spf13/pflag flag.go parseLongArg):
		 * "--audit-log-path --anonymous-auth=false" sets the log path to
		 * "--anonymous-auth=false". kanon knows the boolean flags only,
		 * so when the next word is a flag that decides a verdict it
		 * cannot tell which happened.
		 */
		if (!m->argv_opaque && swallow_matters(argv->v[i + 1])) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "'%s'%s%s has no value: unless it is a boolean "
				    "flag, kube-apiserver takes the next word '%s' as its "
				    "value and ignores that flag; write %s=VALUE (or %s=true)",
				    w, fc->in->argv_file ? " in " : "",
				    fc->in->argv_file ? fc->in->argv_file : "",
				    argv->v[i + 1], w, w);
			m->argv_opaque = strbuf_detach(&sb);
		}
	}
}

/* ------------------------------------------------------------ feature gates */

static bool gate_exists(enum gate g, int minor)
{
	return minor >= gate_defs[g].alpha;
}

/*
 * --feature-gates as component-base/featuregate parses it: comma-separated
 * key=value pairs, spaces trimmed, strconv.ParseBool values; repeated flags
 * accumulate. Unknown gates we do not model are left alone.
 */
/*
 * --emulated-version (1.31+, component-base/compatibility registry: a
 * StringSlice of "kube=1.X" or a bare "1.X" for kube) makes versioned
 * feature gates take the defaults, stages and locks of that release. The
 * minor the gates are evaluated at; out-of-range values are left to the API
 * server (it refuses them) and ignored here.
 */
static int emulated_minor(const struct apiserver_model *m, const struct flagctx *fc)
{
	int gm = m->minor;

	for (size_t i = 0; m->minor >= 31 && fc->in->argv && i < fc->fs.n; i++) {
		const struct flag_occ *o = &fc->fs.f[i];
		char *copy, *save = NULL, *tok;

		if (strcmp(o->name, "emulated-version") || !o->value)
			continue;
		copy = xstrdup(o->value);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(tok, '=');
			int v;
			if (eq && strncmp(tok, "kube=", 5))
				continue; /* another component */
			v = apiserver_parse_minor(eq ? eq + 1 : tok);
			if (v >= APISERVER_MINOR_MIN && v <= m->minor)
				gm = v;
		}
		free(copy);
	}
	return gm;
}

static void compute_gates(struct apiserver_model *m, const struct flagctx *fc)
{
	bool val[G__COUNT];
	const int gm = m->gate_minor = emulated_minor(m, fc);

	for (int g = 0; g < G__COUNT; g++)
		val[g] = gm >= gate_defs[g].beta;
	for (size_t i = 0; fc->in->argv && i < fc->fs.n; i++) {
		const struct flag_occ *o = &fc->fs.f[i];
		char *copy, *save = NULL, *tok;

		if (strcmp(o->name, "feature-gates") || !o->value || opaque_ref(fc->in, o->value))
			continue; /* an unresolvable $(VAR) is diagnosed later */
		copy = xstrdup(o->value);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(tok, '='), *k = tok, *v, *end;
			bool b;

			while (isspace((unsigned char)*k))
				k++;
			if (!*k)
				continue;
			/* 1.31+: "component:Gate=value"; kube is kube-apiserver's own */
			if (m->minor >= 31 && !strncmp(k, "kube:", 5))
				k += 5;
			if (!eq) {
				inv_flag(m, DOM_ALL, fc, o, "invalid argument \"%s\" for "
					 "\"--feature-gates\" flag: missing bool value for %s",
					 o->value, k);
				break;
			}
			*eq = '\0';
			for (end = eq; end > k && isspace((unsigned char)end[-1]); end--)
				end[-1] = '\0';
			v = eq + 1;
			while (isspace((unsigned char)*v))
				v++;
			for (end = v + strlen(v); end > v && isspace((unsigned char)end[-1]); end--)
				end[-1] = '\0';
			if (go_parse_bool(v, &b) < 0) {
				inv_flag(m, DOM_ALL, fc, o, "invalid argument \"%s\" for "
					 "\"--feature-gates\" flag: invalid value of %s=%s",
					 o->value, k, v);
				break;
			}
			for (int g = 0; g < G__COUNT; g++) {
				if (strcmp(k, gate_defs[g].name))
					continue;
				if (!gate_exists(g, gm))
					inv_flag(m, gate_defs[g].dom, fc, o,
						 "unrecognized feature gate: %s (it exists "
						 "from Kubernetes 1.%d; this is 1.%d)", k,
						 gate_defs[g].alpha, gm);
				else if (gm >= gate_defs[g].ga && !b)
					inv_flag(m, gate_defs[g].dom, fc, o,
						 "cannot set feature gate %s to false, feature "
						 "is locked to true (GA since 1.%d)", k,
						 gate_defs[g].ga);
				else
					val[g] = b;
			}
		}
		free(copy);
	}
	m->gate_anon = val[G_ANON];
	m->gate_authn = val[G_AUTHN];
	m->gate_authz = val[G_AUTHZ];
}

static void gate_note(struct strbuf *sb, const struct apiserver_model *m, enum gate g)
{
	const struct gate_def *d = &gate_defs[g];

	const int gm = m->gate_minor ? m->gate_minor : m->minor;
	const char *emu = gm != m->minor ? " (--emulated-version)" : "";

	if (gm < d->alpha)
		strbuf_addf(sb, "%s does not exist in 1.%d%s", d->name, gm, emu);
	else if (gm < d->beta)
		strbuf_addf(sb, "%s is alpha in 1.%d%s and off unless "
			    "--feature-gates=%s=true", d->name, gm, emu, d->name);
	else if (gm < d->ga)
		strbuf_addf(sb, "%s is beta in 1.%d%s", d->name, gm, emu);
	else
		strbuf_addf(sb, "%s is GA (locked on) in 1.%d%s", d->name, gm, emu);
}

/* ------------------------------------------------------------ paths */

/* Where one file is read: a provider, the path it knows, read flags. */
struct ain {
	const struct provider *p;
	const char *path;
	unsigned flags;
};

/*
 * A path a flag names, on the API server's node: through its process
 * (relative paths from its working directory), below the node root, or
 * on this machine. Returns -1 with *reason when it cannot be located.
 */
static int node_path(const struct apiserver_input *in, const char *p, const char *flag,
		     struct ain *at, char **reason)
{
	struct strbuf sb = STRBUF_INIT;

	if (in->argv_file && strstr(p, "$(")) {
		strbuf_addf(&sb, "--%s '%s' refers to a container env var that kanon "
			    "cannot expand; name the file with kanon's --%s",
			    flag, p, flag);
		*reason = strbuf_detach(&sb);
		return -1;
	}
	at->p = in->node ? in->node : provider_fs();
	at->path = p;
	at->flags = 0;
	if (p[0] != '/' && at->p->kind != PROVIDER_PROC) {
		strbuf_addf(&sb, "--%s '%s' is relative to the API server's working "
			    "directory, which kanon cannot know from here; use --pid, "
			    "or name the file with kanon's --%s", flag, p, flag);
		*reason = strbuf_detach(&sb);
		return -1;
	}
	return 0;
}

/* A file the user named with kanon's --authentication-config & co. */
static void given(const char *path, struct ain *at)
{
	at->p = provider_fs();
	at->path = path;
	at->flags = PROVIDER_READ_NAMED;
}

/* Why a node path could not be read, with where kanon looked. */
static char *unreadable(const struct apiserver_input *in, char *why, const char *flag)
{
	struct strbuf sb = STRBUF_INIT;
	enum provider_kind k = in->node ? in->node->kind : PROVIDER_FS;

	if (k == PROVIDER_ROOT || k == PROVIDER_SNAPSHOT)
		strbuf_addf(&sb, "%s (looked for it below %s)", why, in->node->dir);
	else if (k == PROVIDER_PROC)
		strbuf_addf(&sb, "%s (through /proc/%ld/root)", why, in->node->pid);
	else
		strbuf_addf(&sb, "%s (the path is on the control-plane node: use --root "
			    "DIR, --pid, or kanon's --%s)", why, flag);
	free(why);
	return strbuf_detach(&sb);
}

/* ------------------------------------------------------------ config files */

struct cfgfile {
	const char *display;
	struct blob buf;
	struct yaml_docs docs;
	const struct node *root;
	const char *api_version;
	int api_version_line;
};

/*
 * Read and parse one configuration file and check apiVersion/kind.
 * Returns 1 when the document can be evaluated, 0 when it is INVALID (a
 * reason was added), -1 when it could not be read (*why set).
 */
static int cfg_open(struct apiserver_model *m, struct cfgfile *cf, const struct ain *at,
		    const char *display, const char *kind, unsigned dom,
		    const char *const *versions, const int *since,
		    struct result *res, char **why)
{
	struct err e = { 0 };
	const struct node *av, *kd;
	const char *s;

	memset(cf, 0, sizeof(*cf));
	cf->display = display;
	if (provider_read(at->p, at->path, display, FILE_MAX_CONFIG, at->flags, &cf->buf, &e) <
	    0) {
		*why = xstrdup(e.msg);
		return -1;
	}
	if (!cf->buf.len) {
		inv_add(m, dom, SRC_CONFIG, display, 1, NULL, NULL,
			"%s is empty (\"empty config data\")", display);
		return 0;
	}
	if (yaml_parse(cf->buf.data, cf->buf.len, display, &cf->docs, &e) < 0) {
		char msg[ERR_FORMAT_MAX];
		result_diag(res, DIAG_ERROR, "%s", err_format(&e, msg, sizeof(msg)));
		if (e.limit) {
			/* kanon's bound, not the API server's: it may load the file */
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "kanon does not read %s: %s (docs/limits.md)", display,
				    e.msg);
			*why = strbuf_detach(&sb);
			return -1;
		}
		inv_add(m, dom, SRC_CONFIG, display, e.line, NULL, NULL,
			"the API server cannot parse %s: %s", display, e.msg);
		return 0;
	}
	if (!cf->docs.n || cf->docs.doc[0]->kind != NODE_MAP) {
		inv_add(m, dom, SRC_CONFIG, display, cf->docs.n ? cf->docs.doc[0]->line : 1,
			NULL, NULL, "%s is not an %s object (no apiVersion and kind)",
			display, kind);
		return 0;
	}
	cf->root = cf->docs.doc[0];
	if (cf->docs.n > 1)
		lint_add(m, display, cf->docs.doc[1]->line, NULL, NULL,
			 "%s has %zu YAML documents; the API server decodes only the first",
			 display, cf->docs.n);
	kd = node_map_get(cf->root, "kind");
	if (!kd || node_get_string(kd, &s) < 0 || strcmp(s, kind)) {
		inv_add(m, dom, SRC_CONFIG, display, kd ? kd->line : cf->root->line, "kind",
			kd ? kd->str : NULL, "%s: kind must be %s", display, kind);
		return 0;
	}
	av = node_map_get(cf->root, "apiVersion");
	if (!av || node_get_string(av, &s) < 0 || !starts_with(s, API_GROUP)) {
		inv_add(m, dom, SRC_CONFIG, display, av ? av->line : cf->root->line,
			"apiVersion", av ? av->str : NULL,
			"%s: apiVersion must be %s{v1alpha1,v1beta1,v1}", display, API_GROUP);
		return 0;
	}
	for (size_t i = 0; versions[i]; i++) {
		if (strcmp(s + strlen(API_GROUP), versions[i]))
			continue;
		if (m->minor < since[i]) {
			inv_add(m, dom, SRC_CONFIG, display, av->line, "apiVersion", s,
				"%s: %s %s is served from Kubernetes 1.%d; 1.%d cannot "
				"decode it", display, kind, s, since[i], m->minor);
			return 0;
		}
		cf->api_version = s;
		cf->api_version_line = av->line;
		return 1;
	}
	inv_add(m, dom, SRC_CONFIG, display, av->line, "apiVersion", s,
		"%s: no kind \"%s\" is registered for version \"%s\"", display, kind, s);
	return 0;
}

static void cfg_close(struct cfgfile *cf)
{
	yaml_docs_release(&cf->docs);
	blob_release(&cf->buf);
}

/*
 * Strict decoding: an unknown or duplicated field is an error. Returns
 * false (and adds the reason) when one is found.
 */
static bool strict_keys(struct apiserver_model *m, unsigned dom, const char *display,
			const struct node *map, const char *const *known, const char *prefix)
{
	for (size_t i = 0; i < node_map_len(map); i++) {
		const struct node *k = node_map_key(map, i);
		const char *name = k->kind == NODE_SCALAR ? k->str : "?";

		if (!in_list(name, known)) {
			inv_add(m, dom, SRC_CONFIG, display, k->line, name, NULL,
				"%s: strict decoding error: unknown field \"%s%s\"",
				display, prefix, name);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			const struct node *k2 = node_map_key(map, j);
			if (k2->kind == NODE_SCALAR && !strcmp(k2->str, name)) {
				inv_add(m, dom, SRC_CONFIG, display, k->line, name, NULL,
					"%s: strict decoding error: duplicate field \"%s%s\"",
					display, prefix, name);
				return false;
			}
		}
	}
	return true;
}

static bool want_kind(struct apiserver_model *m, unsigned dom, const char *display,
		      const struct node *n, enum node_kind kind, const char *what)
{
	if (!n || node_is_null(n) || n->kind == kind)
		return true;
	inv_add(m, dom, SRC_CONFIG, display, n->line, what, n->str,
		"%s: %s must be %s, not %s (the API server cannot decode it)", display,
		what, kind == NODE_MAP ? "an object" : "a list", node_kind_name(n));
	return false;
}

static bool want_string(struct apiserver_model *m, unsigned dom, const char *display,
			const struct node *n, const char *what, const char **out)
{
	*out = NULL;
	if (!n || node_is_null(n))
		return true;
	if (node_get_string(n, out) == 0)
		return true;
	inv_add(m, dom, SRC_CONFIG, display, n->line, what, n->str,
		"%s: %s must be a string, not %s (the API server cannot decode it)",
		display, what, node_kind_name(n));
	return false;
}

struct file_anon {
	bool present;
	bool enabled;
	int line, enabled_line, cond_line;
	const char *enabled_raw;
};

/* A string value of map[k], or NULL. */
static const char *map_str(const struct node *map, const char *k)
{
	const struct node *n = map && map->kind == NODE_MAP ? node_map_get(map, k) : NULL;
	const char *s;

	return n && node_get_string(n, &s) == 0 ? s : NULL;
}

/* validateAudiences(): non-empty, unique, MatchAny for several. */
static bool check_audiences(struct apiserver_model *m, const char *display,
			    const char *what, const struct node *is, const struct node *aud)
{
	const char *pol = map_str(is, "audienceMatchPolicy");
	const unsigned dom = DOM_AUTHN;

	for (size_t i = 0; i < aud->n; i++) {
		const char *ai = NULL, *aj;
		if (node_get_string(aud->kids[i], &ai) < 0 || !*ai) {
			inv_add(m, dom, SRC_CONFIG, display, aud->kids[i]->line,
				"issuer.audiences", NULL, "%s: %s.issuer.audiences[%zu]: "
				"Required value", display, what, i);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (node_get_string(aud->kids[j], &aj) == 0 && !strcmp(ai, aj)) {
				inv_add(m, dom, SRC_CONFIG, display, aud->kids[i]->line,
					"issuer.audiences", ai, "%s: %s.issuer.audiences[%zu]: "
					"Duplicate value: \"%s\"", display, what, i, ai);
				return false;
			}
		}
	}
	if ((aud->n > 1 && (!pol || strcmp(pol, "MatchAny"))) ||
	    (aud->n == 1 && pol && *pol && strcmp(pol, "MatchAny"))) {
		inv_add(m, dom, SRC_CONFIG, display, aud->line, "issuer.audienceMatchPolicy",
			pol, "%s: %s.issuer.audienceMatchPolicy: Invalid value: \"%s\": "
			"audienceMatchPolicy must be %s", display, what, pol ? pol : "",
			aud->n > 1 ? "MatchAny for multiple audiences"
			: "empty or MatchAny for single audience");
		return false;
	}
	return true;
}

/* validatePrefixClaimOrExpression() for claimMappings.username. */
static bool check_username(struct apiserver_model *m, const char *display,
			   const char *what, const struct node *a, const struct node *un)
{
	const char *claim = un && un->kind == NODE_MAP ? map_str(un, "claim") : NULL;
	const char *expr = un && un->kind == NODE_MAP ? map_str(un, "expression") : NULL;
	const struct node *prefix = un && un->kind == NODE_MAP ? node_map_get(un, "prefix") : NULL;
	bool has_prefix = prefix && !node_is_null(prefix);
	const unsigned dom = DOM_AUTHN;
	const char *msg = NULL;

	if (claim && *claim && expr && *expr)
		msg = "Invalid value: \"\": claim and expression can't both be set";
	else if (!(claim && *claim) && !(expr && *expr))
		msg = "Required value: claim or expression is required";
	else if (expr && *expr && has_prefix)
		msg = "prefix: Invalid value: may not be specified when expression is set";
	else if (claim && *claim && !has_prefix)
		msg = "prefix: Required value: prefix is required when claim is set. It can "
		      "be set to an empty string to disable prefixing";
	if (!msg)
		return true;
	inv_add(m, dom, SRC_CONFIG, display, un ? un->line : a->line, "claimMappings.username",
		NULL, "%s: %s.claimMappings.username%s%s", display, what,
		msg[0] == 'p' ? "." : ": ", msg);
	return false;
}

/* The jwt list: only what decides whether the file is accepted at all. */
static void check_jwt(struct apiserver_model *m, const char *display, const struct node *jwt)
{
	static const char *const item_keys[] = { "issuer", "claimValidationRules",
		"claimMappings", "userValidationRules", NULL };
	static const char *const issuer_keys[] = { "url", "discoveryURL",
		"certificateAuthority", "audiences", "audienceMatchPolicy",
		"egressSelectorType", NULL };
	const unsigned dom = DOM_AUTHN;

	if (!jwt || node_is_null(jwt) || !want_kind(m, dom, display, jwt, NODE_SEQ, "jwt"))
		return;
	if (jwt->n > 64) {
		inv_add(m, dom, SRC_CONFIG, display, jwt->line, "jwt", NULL,
			"%s: jwt: Too many: %zu: must have at most 64 items", display, jwt->n);
		return;
	}
	m->njwt = jwt->n;
	for (size_t i = 0; i < jwt->n; i++) {
		const struct node *a = jwt->kids[i], *is, *url, *aud, *cm, *un;
		const char *u = NULL;
		char what[64];

		snprintf(what, sizeof(what), "jwt[%zu]", i);
		/* a null item decodes to an empty authenticator */
		if (!want_kind(m, dom, display, a, NODE_MAP, what) ||
		    !strict_keys(m, dom, display, a, item_keys, "jwt."))
			return;
		is = node_map_get(a, "issuer");
		if (!is || is->kind != NODE_MAP) {
			inv_add(m, dom, SRC_CONFIG, display, a->line, "issuer", NULL,
				"%s: %s.issuer.url: Required value", display, what);
			return;
		}
		if (!strict_keys(m, dom, display, is, issuer_keys, "jwt.issuer."))
			return;
		url = node_map_get(is, "url");
		if (!want_string(m, dom, display, url, "issuer.url", &u))
			return;
		if (!u || !*u) {
			inv_add(m, dom, SRC_CONFIG, display, is->line, "issuer.url", NULL,
				"%s: %s.issuer.url: Required value", display, what);
			return;
		}
		if (!starts_with(u, "https://")) {
			inv_add(m, dom, SRC_CONFIG, display, url->line, "issuer.url", u,
				"%s: %s.issuer.url: Invalid value: \"%s\": URL scheme must "
				"be https", display, what, u);
			return;
		}
		aud = node_map_get(is, "audiences");
		if (!aud || aud->kind != NODE_SEQ || !aud->n) {
			inv_add(m, dom, SRC_CONFIG, display, aud ? aud->line : is->line,
				"issuer.audiences", NULL, "%s: %s.issuer.audiences: Required "
				"value: at least one issuer.audiences is required", display, what);
			return;
		}
		if (strpbrk(u, "?#@")) {
			/* validateURL(): no query, fragment or user info */
			inv_add(m, dom, SRC_CONFIG, display, url->line, "issuer.url", u,
				"%s: %s.issuer.url: Invalid value: \"%s\": URL must not "
				"contain a query, a fragment, a username or password",
				display, what, u);
			return;
		}
		for (size_t j = 0; j < i; j++) {
			const struct node *pi = node_map_get(jwt->kids[j], "issuer");
			const char *pu = pi && pi->kind == NODE_MAP ? map_str(pi, "url") : NULL;
			if (pu && !strcmp(pu, u)) {
				inv_add(m, dom, SRC_CONFIG, display, url->line, "issuer.url", u,
					"%s: %s.issuer.url: Duplicate value: \"%s\"", display,
					what, u);
				return;
			}
		}
		if (!check_audiences(m, display, what, is, aud))
			return;
		cm = node_map_get(a, "claimMappings");
		un = cm && cm->kind == NODE_MAP ? node_map_get(cm, "username") : NULL;
		if (!check_username(m, display, what, a, un))
			return;
	}
}

/* The anonymous block. Returns false when it makes the file INVALID. */
static bool read_anonymous(struct apiserver_model *m, const char *display,
			   const struct node *an, struct file_anon *fa)
{
	static const char *const anon_keys[] = { "enabled", "conditions", NULL };
	static const char *const cond_keys[] = { "path", NULL };
	const unsigned dom = DOM_ANON | DOM_AUTHN;
	const struct node *en, *cs;

	fa->present = true;
	fa->line = an->line;
	if (!want_kind(m, dom, display, an, NODE_MAP, "anonymous"))
		return false;
	if (an->kind != NODE_MAP) { /* anonymous: null decodes to no block */
		fa->present = false;
		return true;
	}
	if (!strict_keys(m, dom, display, an, anon_keys, "anonymous."))
		return false;
	en = node_map_get(an, "enabled");
	if (en && !node_is_null(en)) {
		if (node_get_bool(en, &fa->enabled) < 0) {
			inv_add(m, dom, SRC_CONFIG, display, en->line, "anonymous.enabled",
				en->str, "%s: anonymous.enabled must be a boolean, not %s "
				"(the API server cannot decode it)", display, node_kind_name(en));
			return false;
		}
		fa->enabled_line = en->line;
		fa->enabled_raw = en->str;
	}
	cs = node_map_get(an, "conditions");
	if (!want_kind(m, dom, display, cs, NODE_SEQ, "anonymous.conditions"))
		return false;
	if (cs && cs->kind == NODE_SEQ && cs->n > MAX_CONDITIONS) {
		inv_add(m, dom, SRC_CONFIG, display, cs->line, "anonymous.conditions", NULL,
			"%s: more than %d anonymous conditions", display, MAX_CONDITIONS);
		return false;
	}
	for (size_t i = 0; cs && cs->kind == NODE_SEQ && i < cs->n; i++) {
		const struct node *c = cs->kids[i], *p;
		const char *path = NULL;

		if (!want_kind(m, dom, display, c, NODE_MAP, "anonymous.conditions[]"))
			return false;
		if (c->kind != NODE_MAP) {
			path = ""; /* a null item decodes to an empty condition */
			p = c;
		} else {
			if (!strict_keys(m, dom, display, c, cond_keys, "anonymous.conditions[]."))
				return false;
			p = node_map_get(c, "path");
			if (!want_string(m, dom, display, p, "anonymous.conditions[].path", &path))
				return false;
			if (!p)
				p = c;
		}
		ALLOC_GROW(m->cond, m->ncond + 1, m->acond);
		m->cond[m->ncond].path = xstrdup(path ? path : "");
		m->cond[m->ncond].line = p->line;
		m->ncond++;
	}
	fa->cond_line = cs ? cs->line : an->line;
	return true;
}

/* Lint the condition paths: the API server does not check them. */
static void lint_conditions(struct apiserver_model *m, const char *display)
{
	for (size_t i = 0; i < m->ncond; i++) {
		const char *p = m->cond[i].path;
		int line = m->cond[i].line;

		for (size_t j = 0; j < i; j++) {
			if (!strcmp(m->cond[j].path, p)) {
				lint_add(m, display, line, "anonymous.conditions[].path", p,
					 "path \"%s\" is listed twice (first on line %d)", p,
					 m->cond[j].line);
				break;
			}
		}
		if (!*p)
			lint_add(m, display, line, "anonymous.conditions[].path", p,
				 "an empty path matches no request; remove the condition "
				 "or name a path");
		else if (p[0] != '/')
			lint_add(m, display, line, "anonymous.conditions[].path", p,
				 "path \"%s\" does not start with '/', so it matches no "
				 "request", p);
		else if (strpbrk(p, "?#"))
			lint_add(m, display, line, "anonymous.conditions[].path", p,
				 "paths match the request path without its query or "
				 "fragment: \"%s\" matches no request a handler serves", p);
		else if (strchr(p, '*'))
			lint_add(m, display, line, "anonymous.conditions[].path", p,
				 "paths match exactly: '*' in \"%s\" is not a wildcard", p);
		else if (p[1] && p[strlen(p) - 1] == '/')
			lint_add(m, display, line, "anonymous.conditions[].path", p,
				 "paths match exactly: \"%s\" does not match \"%.*s\"", p,
				 (int)strlen(p) - 1, p);
	}
}

static int load_authn(struct apiserver_model *m, const struct ain *at,
		      const char *display, struct file_anon *fa, struct result *res,
		      char **why)
{
	static const char *const versions[] = { "v1alpha1", "v1beta1", "v1", NULL };
	static const int since[] = { 29, 30, 34 };
	static const char *const keys31[] = { "apiVersion", "kind", "jwt", "anonymous", NULL };
	static const char *const keys29[] = { "apiVersion", "kind", "jwt", NULL };
	struct cfgfile cf;
	const struct node *an;
	int r;

	r = cfg_open(m, &cf, at, display, "AuthenticationConfiguration",
		     DOM_ANON | DOM_AUTHN, versions, since, res, why);
	if (r <= 0)
		goto out;
	m->authn_loaded = true;
	m->authn_version = xstrdup(cf.api_version);
	/* `anonymous` exists in the types from 1.31 (KEP-4633); before that
	 * strict decoding rejects it as an unknown field */
	an = node_map_get(cf.root, "anonymous");
	if (an && m->minor < 31) {
		inv_add(m, DOM_ANON | DOM_AUTHN, SRC_CONFIG, display, an->line - 0,
			"anonymous", NULL, "%s: strict decoding error: unknown field "
			"\"anonymous\" (the anonymous block exists from Kubernetes 1.31; "
			"this is 1.%d)", display, m->minor);
		r = 0;
		goto out;
	}
	if (!strict_keys(m, DOM_ANON | DOM_AUTHN, display, cf.root,
			 m->minor >= 31 ? keys31 : keys29, "")) {
		r = 0;
		goto out;
	}
	check_jwt(m, display, node_map_get(cf.root, "jwt"));
	if (an && !read_anonymous(m, display, an, fa)) {
		r = 0;
		goto out;
	}
	lint_conditions(m, display);
out:
	cfg_close(&cf);
	return r;
}

/* DNS-1123 subdomain (apimachinery IsDNS1123Subdomain). */
static bool dns1123_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (alnum)
			continue;
		if ((c != '-' && c != '.') || i == 0 || i == n - 1)
			return false;
		if (c == '.' && (s[i - 1] == '.' || s[i - 1] == '-' || s[i + 1] == '-'))
			return false;
	}
	return true;
}

static int load_authz(struct apiserver_model *m, const struct ain *at,
		      const char *display, struct result *res, char **why)
{
	static const char *const versions[] = { "v1alpha1", "v1beta1", "v1", NULL };
	static const int since[] = { 29, 30, 32 };
	static const char *const top_keys[] = { "apiVersion", "kind", "authorizers", NULL };
	static const char *const az_keys[] = { "type", "name", "webhook", NULL };
	/* authorizedTTL and unauthorizedTTL are defaulted (5m, 30s) by
	 * SetDefaults_WebhookConfiguration (staging/src/k8s.io/apiserver/pkg/
	 * apis/apiserver/v1/defaults.go), so they are not required */
	static const char *const wh_required[] = { "timeout",
		"subjectAccessReviewVersion", "failurePolicy", "connectionInfo", NULL };
	const unsigned dom = DOM_AUTHZ;
	struct cfgfile cf;
	const struct node *azs;
	int r;

	r = cfg_open(m, &cf, at, display, "AuthorizationConfiguration", dom,
		     versions, since, res, why);
	if (r <= 0)
		goto out;
	r = 0;
	if (!strict_keys(m, dom, display, cf.root, top_keys, ""))
		goto out;
	azs = node_map_get(cf.root, "authorizers");
	if (!want_kind(m, dom, display, azs, NODE_SEQ, "authorizers"))
		goto out;
	if (!azs || azs->kind != NODE_SEQ || !azs->n) {
		inv_add(m, dom, SRC_CONFIG, display, azs ? azs->line : cf.root->line,
			"authorizers", NULL, "%s: authorizers: Required value: at least "
			"one authorization mode must be defined", display);
		goto out;
	}
	if (azs->n > MAX_AUTHORIZERS) {
		inv_add(m, dom, SRC_CONFIG, display, azs->line, "authorizers", NULL,
			"%s: more than %d authorizers", display, MAX_AUTHORIZERS);
		goto out;
	}
	for (size_t i = 0; i < azs->n; i++) {
		const struct node *a = azs->kids[i], *tn, *nn, *wh;
		const char *type = NULL, *name = NULL;
		char what[64], lower[64];

		snprintf(what, sizeof(what), "authorizers[%zu]", i);
		/* a null item decodes to an empty authorizer: type is required */
		if (!want_kind(m, dom, display, a, NODE_MAP, what) ||
		    !strict_keys(m, dom, display, a, az_keys, "authorizers[]."))
			goto out;
		tn = node_map_get(a, "type");
		nn = node_map_get(a, "name");
		wh = node_map_get(a, "webhook");
		if (!want_string(m, dom, display, tn, "type", &type) ||
		    !want_string(m, dom, display, nn, "name", &name))
			goto out;
		if (!type || !*type) {
			inv_add(m, dom, SRC_CONFIG, display, a->line, "type", NULL,
				"%s: %s.type: Required value", display, what);
			goto out;
		}
		if (!in_list(type, mode_choices)) {
			inv_add(m, dom, SRC_CONFIG, display, tn->line, "type", type,
				"%s: %s.type: Unsupported value: \"%s\": supported values: "
				"\"ABAC\", \"AlwaysAllow\", \"AlwaysDeny\", \"Node\", \"RBAC\", "
				"\"Webhook\" (case-sensitive)", display, what, type);
			goto out;
		}
		for (size_t j = 0; j < m->nchain; j++) {
			if (strcmp(type, "Webhook") && !strcmp(m->chain[j].type, type)) {
				inv_add(m, dom, SRC_CONFIG, display, tn->line, "type", type,
					"%s: %s.type: Duplicate value: \"%s\" (only Webhook "
					"may repeat)", display, what, type);
				goto out;
			}
			if (name && m->chain[j].name && !strcmp(m->chain[j].name, name)) {
				inv_add(m, dom, SRC_CONFIG, display, nn->line, "name", name,
					"%s: %s.name: Duplicate value: \"%s\"", display, what,
					name);
				goto out;
			}
		}
		if (!name || !*name) {
			inv_add(m, dom, SRC_CONFIG, display, a->line, "name", NULL,
				"%s: %s.name: Required value", display, what);
			goto out;
		}
		if (!dns1123_subdomain(name)) {
			inv_add(m, dom, SRC_CONFIG, display, nn->line, "name", name,
				"%s: %s.name: Invalid value: \"%s\": authorizer name is "
				"invalid: must be a lowercase RFC 1123 subdomain", display,
				what, name);
			goto out;
		}
		if (!strcmp(type, "Webhook")) {
			if (!wh || wh->kind != NODE_MAP) {
				inv_add(m, dom, SRC_CONFIG, display, a->line, "webhook", NULL,
					"%s: %s.webhook: Required value: required when "
					"type=Webhook", display, what);
				goto out;
			}
			for (const char *const *k = wh_required; *k; k++) {
				if (!node_map_get(wh, *k)) {
					inv_add(m, dom, SRC_CONFIG, display, wh->line, *k, NULL,
						"%s: %s.webhook.%s: Required value", display,
						what, *k);
					goto out;
				}
			}
		} else {
			size_t l;
			if (wh && !node_is_null(wh)) {
				inv_add(m, dom, SRC_CONFIG, display, wh->line, "webhook", NULL,
					"%s: %s.webhook: Invalid value: \"non-null\": may only "
					"be specified when type=Webhook", display, what);
				goto out;
			}
			for (l = 0; type[l] && l + 1 < sizeof(lower); l++)
				lower[l] = (char)tolower((unsigned char)type[l]);
			lower[l] = '\0';
			if (strcmp(lower, name)) {
				inv_add(m, dom, SRC_CONFIG, display, nn->line, "name", name,
					"%s: expected name %s for authorizer %s instead of %s",
					display, lower, type, name);
				goto out;
			}
		}
		ALLOC_GROW(m->chain, m->nchain + 1, m->achain);
		m->chain[m->nchain].type = xstrdup(type);
		m->chain[m->nchain].name = xstrdup(name);
		memset(&m->chain[m->nchain].at, 0, sizeof(struct evidence));
		evidence_set(&m->chain[m->nchain].at, SRC_CONFIG, display, tn->line,
			"authorizers[].type", type, NULL);
		m->nchain++;
	}
	r = 1;
out:
	cfg_close(&cf);
	return r;
}

/* ------------------------------------------------------------ authorization */

static void chain_add(struct apiserver_model *m, const char *type,
		      const char *kind, const char *path, int line, const char *key,
		      const char *value, const char *note)
{
	ALLOC_GROW(m->chain, m->nchain + 1, m->achain);
	m->chain[m->nchain].type = xstrdup(type);
	m->chain[m->nchain].name = NULL;
	memset(&m->chain[m->nchain].at, 0, sizeof(struct evidence));
	evidence_set(&m->chain[m->nchain].at, kind, path, line, key, value, note);
	m->nchain++;
}

/*
 * The first record of a pflag StringSlice value: spf13/pflag string_slice.go
 * readAsCSV() reads it with Go's encoding/csv (default Reader: ',' separates,
 * a field that starts with '"' is quoted and "" is a quote in it, a '"'
 * inside an unquoted field is an error, blank lines before the record are
 * skipped, everything after its end of line is ignored). So "Node,RBAC,"
 * has a third, empty mode, and "RBAC,\nAlwaysAllow" only RBAC. Returns -1
 * with a message like encoding/csv's on a parse error.
 */
static int csv_first_record(const char *s, struct argv_list *out, struct strbuf *err)
{
	struct strbuf f = STRBUF_INIT;
	const char *p = s;

	/* blank lines are skipped; a value of only newlines is io.EOF */
	while (*p == '\n' || (p[0] == '\r' && p[1] == '\n'))
		p += *p == '\r' ? 2 : 1;
	if (!*p) {
		strbuf_addstr(err, "EOF");
		return -1;
	}
	for (;;) {
		strbuf_reset(&f);
		if (*p != '"') {
			size_t l = strcspn(p, ",\n");
			if (p[l] == '\n' && l && p[l - 1] == '\r')
				l--; /* "\r\n" ends the line */
			strbuf_add(&f, p, l);
			if (memchr(p, '"', l)) {
				strbuf_addstr(err, "parse error on line 1: bare \" in "
					      "non-quoted-field");
				goto fail;
			}
			argv_push(out, f.buf);
			p += l;
			if (*p != ',')
				break;
			p++;
			continue;
		}
		for (p++;;) {
			const char *q = strchr(p, '"');
			if (!q) {
				strbuf_addstr(err, "parse error on line 1: extraneous or missing "
					      "\" in quoted-field");
				goto fail;
			}
			strbuf_add(&f, p, (size_t)(q - p));
			p = q + 1;
			if (*p == '"') {
				strbuf_addch(&f, '"');
				p++;
				continue;
			}
			break;
		}
		argv_push(out, f.buf);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p && *p != '\n' && !(p[0] == '\r' && p[1] == '\n')) {
			strbuf_addstr(err, "parse error on line 1: extraneous or missing \" "
				      "in quoted-field");
			goto fail;
		}
		break;
	}
	strbuf_release(&f);
	return 0;
fail:
	strbuf_release(&f);
	argv_release(out); /* pflag returns the error, not the fields */
	return -1;
}

/*
 * The legacy flags: --authorization-mode is a pflag StringSlice, so every
 * occurrence is split at commas, the first replaces the default and later
 * ones append (spf13/pflag string_slice.go Set()).
 */
static void legacy_modes(struct apiserver_model *m, const struct flagctx *fc)
{
	const struct flag_occ *pf = last_flag(fc, "authorization-policy-file");
	const struct flag_occ *wf = last_flag(fc, "authorization-webhook-config-file");
	bool any = false, abac = false, webhook = false, parse_error = false;
	struct strbuf cerr = STRBUF_INIT;

	for (size_t i = 0; i < fc->fs.n; i++) {
		const struct flag_occ *o = &fc->fs.f[i];
		struct argv_list modes;

		if (strcmp(o->name, "authorization-mode"))
			continue;
		any = true;
		flag_ev(&m->authz_ev, fc, o, NULL);
		if (opaque_ref(fc->in, o->value)) {
			if (!m->authz_opaque)
				m->authz_opaque = xstrdup(opaque_ref(fc->in, o->value));
			continue;
		}
		if (!o->value) {
			inv_flag(m, DOM_AUTHZ, fc, o, "flag needs an argument: "
				 "--authorization-mode");
			strbuf_release(&cerr);
			return;
		}
		argv_init(&modes);
		if (*o->value && csv_first_record(o->value, &modes, &cerr) < 0) {
			/* a flag parse error: kube-apiserver exits before anything */
			inv_flag(m, DOM_ALL, fc, o, "invalid argument \"%s\" for "
				 "\"--authorization-mode\" flag: %s", o->value, cerr.buf);
			strbuf_reset(&cerr);
			parse_error = true;
		}
		for (size_t k = 0; k < modes.n; k++) {
			const char *mode = modes.v[k];

			if (!in_list(mode, mode_choices)) {
				inv_flag(m, DOM_AUTHZ, fc, o, "authorization-mode \"%s\" is "
					 "not a valid mode (modes are case-sensitive and "
					 "comma-separated without spaces: AlwaysAllow, "
					 "AlwaysDeny, ABAC, Webhook, RBAC, Node)", mode);
			} else {
				for (size_t j = 0; j < m->nchain; j++)
					if (!strcmp(m->chain[j].type, mode))
						inv_flag(m, DOM_AUTHZ, fc, o, "authorization-mode "
							 "has mode \"%s\" specified more than once",
							 mode);
				abac |= !strcmp(mode, "ABAC");
				webhook |= !strcmp(mode, "Webhook");
			}
			if (*mode)
				chain_add(m, mode, SRC_FLAG, occ_file(fc, o),
					  occ_line(fc, o), "--authorization-mode", o->raw, NULL);
		}
		argv_release(&modes);
	}
	strbuf_release(&cerr);
	if (m->authz_opaque) {
		/* the modes are unknown: so are the checks that depend on them */
		m->authz_known = false;
		m->authz_reason = opaque_reason("--authorization-mode", m->authz_opaque);
		return;
	}
	if (!m->nchain && !parse_error) {
		/* Complete(): no modes and no --authorization-config */
		m->authz_default = !any;
		chain_add(m, "AlwaysAllow", SRC_DEFAULT, NULL, 0, "--authorization-mode",
			  "AlwaysAllow", any ? "an empty --authorization-mode means the "
			  "default" : "default: no --authorization-mode and no "
			  "--authorization-config");
		api_ev_add(&m->authz_ev, SRC_DEFAULT, NULL, 0, "--authorization-mode",
			   "AlwaysAllow", any ? "an empty --authorization-mode means the "
			   "default" : "default: no --authorization-mode and no "
			   "--authorization-config");
	}
	if (abac && (!pf || !pf->value || !*pf->value))
		inv_flag(m, DOM_AUTHZ, fc, last_flag(fc, "authorization-mode"),
			 "authorization-mode ABAC's authorization policy file not "
			 "passed (--authorization-policy-file)");
	if (webhook && (!wf || !wf->value || !*wf->value))
		inv_flag(m, DOM_AUTHZ, fc, last_flag(fc, "authorization-mode"),
			 "authorization-mode Webhook's authorization config file not "
			 "passed (--authorization-webhook-config-file)");
	if (pf && pf->value && *pf->value && !abac)
		inv_flag(m, DOM_AUTHZ, fc, pf, "cannot specify --authorization-policy-file "
			 "without mode ABAC");
	if (wf && wf->value && *wf->value && !webhook)
		inv_flag(m, DOM_AUTHZ, fc, wf, "cannot specify "
			 "--authorization-webhook-config-file without mode Webhook");
}

static void compute_authz(struct apiserver_model *m, const struct apiserver_input *in,
			  const struct flagctx *fc, struct result *res)
{
	const struct flag_occ *cf = last_flag(fc, "authorization-config");
	bool named = cf && cf->value && *cf->value;
	const char *override = in->authz_config;
	const char *display;
	struct ain at;
	char *why = NULL;

	if (override && in->argv && !named) {
		result_diag(res, DIAG_WARNING, "%s: ignored: the kube-apiserver command line "
			    "has no --authorization-config, so the API server does not read "
			    "it", override);
		override = NULL;
	}
	display = override ? override : named ? cf->value : NULL;

	if (!display) {
		if (!in->argv) {
			m->authz_reason = xstrdup(in->no_argv_reason ? in->no_argv_reason :
				"no kube-apiserver command line was given, so its "
				"--authorization-mode is unknown");
			return;
		}
		m->authz_known = true;
		legacy_modes(m, fc);
		return;
	}
	m->authz_from_file = true;
	if (cf)
		flag_ev(&m->authz_ev, fc, cf, override ? "the file is read from "
			"kanon's --authorization-config" : NULL);
	if (m->minor < gate_defs[G_AUTHZ].alpha) {
		inv_add(m, DOM_AUTHZ, cf ? SRC_FLAG : SRC_CONFIG, cf ? occ_file(fc, cf) : display,
			cf ? occ_line(fc, cf) : 0, "--authorization-config", cf ? cf->raw : NULL,
			"unknown flag: --authorization-config (it exists from Kubernetes "
			"1.29; this is 1.%d)", m->minor);
	} else if (!m->gate_authz) {
		struct strbuf note = STRBUF_INIT;
		gate_note(&note, m, G_AUTHZ);
		inv_add(m, DOM_AUTHZ, cf ? SRC_FLAG : SRC_CONFIG, cf ? occ_file(fc, cf) : display,
			cf ? occ_line(fc, cf) : 0, "--authorization-config", cf ? cf->raw : NULL,
			"--authorization-config cannot be used without enabling "
			"StructuredAuthorizationConfiguration feature flag (%s)", note.buf);
		strbuf_release(&note);
	}
	for (const char *const *f = legacy_authz_flags; in->argv && *f; f++) {
		const struct flag_occ *o = last_flag(fc, *f);
		if (o) {
			inv_flag(m, DOM_AUTHZ, fc, o, "--authorization-config can not be "
				 "specified when --authorization-mode or "
				 "--authorization-webhook-* flags are defined");
			break;
		}
	}
	if (override) {
		given(override, &at);
		if (load_authz(m, &at, override, res, &why) < 0) {
			result_diag(res, DIAG_ERROR, "%s", why);
			if (in->required)
				res->input_error = true;
			m->authz_reason = why;
			return;
		}
	} else {
		char *reason = NULL;
		if (node_path(in, display, "authorization-config", &at, &reason) < 0) {
			result_diag(res, DIAG_WARNING, "%s", reason);
			m->authz_reason = reason;
			return;
		}
		if (load_authz(m, &at, display, res, &why) < 0) {
			m->authz_reason = unreadable(in, why, "authorization-config");
			result_diag(res, DIAG_WARNING, "%s", m->authz_reason);
			return;
		}
	}
	if (!in->argv)
		result_diag(res, DIAG_NOTE, "no kube-apiserver command line: cannot check "
			    "that --authorization-mode is absent, as --authorization-config "
			    "requires");
	m->authz_known = true;
}

/* ------------------------------------------------------------ anonymous */

static bool has_mode(const struct apiserver_model *m, const char *mode)
{
	for (size_t i = 0; i < m->nchain; i++)
		if (!strcmp(m->chain[i].type, mode))
			return true;
	return false;
}

static void compute_anon(struct apiserver_model *m, const struct apiserver_input *in,
			 const struct flagctx *fc, struct result *res)
{
	const struct flag_occ *af = last_flag(fc, "anonymous-auth");
	const struct flag_occ *cf = last_flag(fc, "authentication-config");
	bool named = cf && cf->value && *cf->value;
	const char *override = in->authn_config;
	const char *display;
	struct ain at;
	struct file_anon fa = { 0 };
	bool flag_val = true, flag_known = in->argv != NULL;
	bool file_ok = true;
	size_t reset_ev = SIZE_MAX;
	char *why = NULL;

	if (override && in->argv && !named) {
		result_diag(res, DIAG_WARNING, "%s: ignored: the kube-apiserver command line "
			    "has no --authentication-config, so the API server does not read "
			    "it", override);
		override = NULL;
	}
	display = override ? override : named ? cf->value : NULL;

	/* the flag, or its default */
	if (af) {
		bool b = true;
		m->anon_flag_set = true;
		for (size_t i = 0; i < fc->fs.n; i++)
			if (&fc->fs.f[i] != af && !strcmp(fc->fs.f[i].name, "anonymous-auth"))
				flag_ev(&m->anon_ev, fc, &fc->fs.f[i], "overridden: the last "
					"--anonymous-auth wins");
		if (opaque_ref(in, af->value))
			m->anon_flag_opaque = xstrdup(opaque_ref(in, af->value));
		else if (af->value && go_parse_bool(af->value, &b) < 0)
			inv_flag(m, DOM_ANON, fc, af, "invalid argument \"%s\" for "
				 "\"--anonymous-auth\" flag: strconv.ParseBool: parsing "
				 "\"%s\": invalid syntax", af->value, af->value);
		flag_val = b;
		flag_ev(&m->anon_ev, fc, af, af->value ? NULL : "a bare boolean flag "
			"means true");
	} else if (flag_known) {
		api_ev_add(&m->anon_ev, SRC_DEFAULT, NULL, 0, "--anonymous-auth", "true",
			   "default: kube-apiserver enables anonymous requests unless "
			   "told otherwise");
	}
	/*
	 * ApplyAuthorization() (pkg/controlplane/apiserver/options/options.go
	 * calls it right after Authorization.Complete()): only the legacy modes
	 * count, and only the *flag* value (o.Anonymous.Allow) is reset. An
	 * anonymous block of --authentication-config is not: ToAuthenticationConfig()
	 * uses it instead of the flag (see below, where anon_reset is undone).
	 */
	if (flag_known && flag_val && !m->authz_from_file && m->authz_known &&
	    has_mode(m, "AlwaysAllow")) {
		m->anon_reset = true;
		flag_val = false;
		reset_ev = m->anon_ev.n;
		api_ev_add(&m->anon_ev, m->authz_default ? SRC_DEFAULT : SRC_FLAG,
			   m->authz_default ? NULL
			   : m->authz_ev.n  ? m->authz_ev.v[0].path
					    : in->argv_file,
			   m->authz_default ? 0 : m->authz_ev.n ? m->authz_ev.v[0].line : 0,
			   "--authorization-mode", "AlwaysAllow",
			   "\"AnonymousAuth is not allowed with the AlwaysAllow authorizer. "
			   "Resetting AnonymousAuth to false\"");
	}

	if (display) {
		m->authn_used = true;
		m->authn_path = xstrdup(display);
		if (cf)
			flag_ev(&m->anon_ev, fc, cf, override ? "the file is read "
				"from kanon's --authentication-config" : NULL);
		if (m->minor < gate_defs[G_AUTHN].alpha) {
			inv_add(m, DOM_ANON | DOM_AUTHN, cf ? SRC_FLAG : SRC_CONFIG,
				cf ? occ_file(fc, cf) : display, cf ? occ_line(fc, cf) : 0,
				"--authentication-config", cf ? cf->raw : NULL,
				"unknown flag: --authentication-config (it exists from "
				"Kubernetes 1.29; this is 1.%d)", m->minor);
		} else if (!m->gate_authn) {
			struct strbuf note = STRBUF_INIT;
			gate_note(&note, m, G_AUTHN);
			inv_add(m, DOM_ANON | DOM_AUTHN, cf ? SRC_FLAG : SRC_CONFIG,
				cf ? occ_file(fc, cf) : display, cf ? occ_line(fc, cf) : 0,
				"--authentication-config", cf ? cf->raw : NULL,
				"set --feature-gates=StructuredAuthenticationConfiguration=true "
				"to use authentication-config file (%s)", note.buf);
			strbuf_release(&note);
		}
		for (const char *const *f = oidc_flags; in->argv && *f; f++) {
			const struct flag_occ *o = last_flag(fc, *f);
			if (o) {
				inv_flag(m, DOM_AUTHN, fc, o, "authentication-config file and "
					 "oidc-* flags are mutually exclusive");
				break;
			}
		}
		if (override) {
			int r;
			given(override, &at);
			r = load_authn(m, &at, override, &fa, res, &why);
			if (r < 0) {
				result_diag(res, DIAG_ERROR, "%s", why);
				if (in->required)
					res->input_error = true;
			}
			file_ok = r > 0;
		} else {
			if (node_path(in, display, "authentication-config", &at, &why) == 0) {
				int r = load_authn(m, &at, display, &fa, res, &why);
				if (r < 0)
					why = unreadable(in, why, "authentication-config");
				file_ok = r > 0;
			}
			if (why)
				result_diag(res, DIAG_WARNING, "%s", why);
		}
		if (why) {
			m->authn_reason = why;
			m->anon_reason = xstrdup(why);
			m->anon_reset = false; /* the file may decide instead */
			return; /* the file may set anonymous: unknown */
		}
	}
	if (fa.present) {
		const unsigned dom = DOM_ANON | DOM_AUTHN;
		/* the reset changed the flag value, which the file overrides */
		m->anon_reset = false;
		if (reset_ev < m->anon_ev.n) {
			free(m->anon_ev.v[reset_ev].note);
			m->anon_ev.v[reset_ev].note = xstrdup("the API server logs \"Resetting "
				"AnonymousAuth to false\", but that resets only the flag value; "
				"the anonymous block of the authentication configuration "
				"decides");
		}
		/* ToAuthenticationConfig() checks this before validating */
		if (af)
			inv_flag(m, dom, fc, af, "anonymous: Forbidden: --anonymous-auth flag "
				 "cannot be set when anonymous field is configured in "
				 "authentication configuration file (%s:%d)", display, fa.line);
		if (!m->gate_anon && m->minor >= 31) {
			struct strbuf note = STRBUF_INIT;
			gate_note(&note, m, G_ANON);
			inv_add(m, dom, SRC_CONFIG, display, fa.line, "anonymous", NULL,
				"%s: anonymous: Forbidden: anonymous is not supported when "
				"AnonymousAuthConfigurableEndpoints feature gate is disabled "
				"(%s)", display, note.buf);
			strbuf_release(&note);
		}
		if (m->ncond && !fa.enabled)
			inv_add(m, dom, SRC_CONFIG, display, fa.cond_line, "anonymous.conditions",
				NULL, "%s: anonymous.conditions: Invalid value: enabled should "
				"be set to true when conditions are defined", display);
		m->anon_from_file = true;
		m->anon_enabled = fa.enabled;
		m->anon_known = true;
		api_ev_add(&m->anon_ev, SRC_CONFIG, display,
			   fa.enabled_line ? fa.enabled_line : fa.line, "anonymous.enabled",
			   fa.enabled ? "true" : "false",
			   fa.enabled_line ? "the authentication configuration wins over "
			   "the flag default" : "enabled is not set: false");
		for (size_t i = 0; i < m->ncond; i++)
			api_ev_add(&m->anon_ev, SRC_CONFIG, display, m->cond[i].line,
				   "anonymous.conditions[].path", m->cond[i].path, NULL);
		if (!in->argv)
			result_diag(res, DIAG_NOTE, "no kube-apiserver command line: cannot "
				    "check that --anonymous-auth is absent, as the "
				    "anonymous block requires");
		return;
	}
	if (display && file_ok && m->authn_loaded)
		api_ev_add(&m->anon_ev, SRC_CONFIG, display, 0, "anonymous", NULL,
			   "no anonymous block in the file: the flag or its default decides");
	if (display && !file_ok && !m->authn_loaded) {
		/* the file is INVALID before its anonymous block could be read */
		m->anon_reset = false;
		m->anon_reason = xstrdup("the authentication configuration cannot be "
					 "decoded");
		return;
	}
	if (!flag_known) {
		m->anon_reason = xstrdup(in->no_argv_reason ? in->no_argv_reason :
			"no kube-apiserver command line was given, so --anonymous-auth "
			"and its default are unknown");
		return;
	}
	if (m->anon_flag_opaque && !m->anon_reset) {
		m->anon_reason = opaque_reason("--anonymous-auth", m->anon_flag_opaque);
		return;
	}
	if (m->authz_opaque && flag_val) {
		/* ApplyAuthorization() turns it off if the modes have AlwaysAllow */
		struct strbuf sb = STRBUF_INIT;
		char *r = opaque_reason("--authorization-mode", m->authz_opaque);
		strbuf_addf(&sb, "anonymous authentication is on unless the authorization "
			    "modes include AlwaysAllow, and %s", r);
		free(r);
		m->anon_reason = strbuf_detach(&sb);
		return;
	}
	m->anon_known = true;
	m->anon_enabled = flag_val;
}

/* ------------------------------------------------------------ main */

int apiserver_model_load(const struct apiserver_input *in, struct apiserver_model *m,
			 struct result *res)
{
	struct flagctx fc;

	apiserver_model_init(m);
	memset(&fc, 0, sizeof(fc));
	fc.in = in;
	flagset_init(&fc.fs);
	m->minor = in->minor ? in->minor : APISERVER_MINOR_DEFAULT;
	if (in->version_path)
		evidence_set(&m->version_at, SRC_FILE, in->version_path, in->version_line,
			"kubernetes version", NULL, in->version_source);
	else if (in->version_source)
		evidence_set(&m->version_at, SRC_FLAG, NULL, 0, "kanon --k8s-version", NULL,
			"the Kubernetes version whose semantics apply");
	else
		evidence_set(&m->version_at, SRC_DEFAULT, NULL, 0, "kubernetes version", NULL,
			"kanon's default: the newest modelled; give --k8s-version");
	{
		char v[16];
		snprintf(v, sizeof(v), "1.%d", m->minor);
		m->version_at.value = xstrdup(v);
	}
	if (in->argv) {
		flags_parse(in->argv, apiserver_flags, ARRAY_SIZE(apiserver_flags), &fc.fs);
		check_argv_shape(m, &fc);
	} else {
		m->no_argv = xstrdup(in->no_argv_reason ? in->no_argv_reason :
				     "no kube-apiserver command line was given");
	}
	compute_gates(m, &fc);
	compute_authz(m, in, &fc, res);
	compute_anon(m, in, &fc, res);
	for (size_t i = 0; in->argv && i < fc.fs.n; i++)
		if (!strcmp(fc.fs.f[i].name, "feature-gates") &&
		    opaque_ref(in, fc.fs.f[i].value))
			result_diag(res, DIAG_WARNING, "--feature-gates=%s: kanon cannot "
				    "resolve %s (only the kubelet or the container's shell "
				    "can); it assumes the default feature gates of 1.%d",
				    fc.fs.f[i].value,
				    opaque_ref(in, fc.fs.f[i].value), m->minor);
	if (m->argv_opaque) {
		/* a word that may be any flag: nothing is certain */
		if (m->anon_known) {
			m->anon_known = false;
			free(m->anon_reason);
			m->anon_reason = xstrdup(m->argv_opaque);
		}
		if (m->authz_known) {
			m->authz_known = false;
			free(m->authz_reason);
			m->authz_reason = xstrdup(m->argv_opaque);
		}
	}
	flagset_release(&fc.fs);
	return res->input_error ? -1 : 0;
}
