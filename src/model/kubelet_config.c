/*
 * Effective kubelet configuration. Upstream facts this file reproduces
 * (kubernetes/kubernetes, see docs/rules/kubelet-*.md for the citations):
 *  - without --config, cmd/kubelet/app/options applyLegacyDefaults():
 *    anonymous auth true, webhook authn false, mode AlwaysAllow, port 10255;
 *  - with a v1beta1 file, pkg/kubelet/apis/config/v1beta1/defaults.go:
 *    anonymous false, webhook true, mode Webhook; readOnlyPort is not
 *    defaulted (0, disabled);
 *  - --config-dir drop-ins: only "*.conf", filepath.WalkDir order
 *    (lexical, recursive), each a JSON merge patch over the result so far;
 *  - kubeletConfigFlagPrecedence() re-applies the command-line flags last;
 *  - decoding is strict, then lenient: unknown or wrong-case keys are
 *    ignored, type errors stop the kubelet;
 *  - BuildAuthz accepts only AlwaysAllow and Webhook.
 */
#include "model/kubelet_config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/flags.h"
#include "parsers/yaml.h"
#include "sources/provider.h"
#include "core/banned.h"

enum ktype { KT_BOOL, KT_STRING, KT_INT };

static const struct kdef {
	struct kubelet_key_info info;
	const char *path[3];
	enum ktype type;
	long long legacy_i, file_i;   /* bools and ints */
	const char *legacy_s, *file_s; /* strings */
} kdefs[KK__COUNT] = {
	[KK_ANONYMOUS] = { { "authentication.anonymous.enabled", "anonymous-auth" },
			   { "authentication", "anonymous", "enabled" }, KT_BOOL,
			   1, 0, NULL, NULL },
	[KK_WEBHOOK_AUTHN] = { { "authentication.webhook.enabled",
				 "authentication-token-webhook" },
			       { "authentication", "webhook", "enabled" }, KT_BOOL,
			       0, 1, NULL, NULL },
	[KK_AUTHZ_MODE] = { { "authorization.mode", "authorization-mode" },
			    { "authorization", "mode", NULL }, KT_STRING,
			    0, 0, "AlwaysAllow", "Webhook" },
	[KK_READ_ONLY_PORT] = { { "readOnlyPort", "read-only-port" },
				{ "readOnlyPort", NULL, NULL }, KT_INT,
				10255, 0, NULL, NULL },
};

const struct kubelet_key_info *kubelet_key_info(enum kubelet_key k)
{
	return &kdefs[k].info;
}

static const struct flag_spec kubelet_flags[] = {
	{ "anonymous-auth", FLAG_BOOL },
	{ "authentication-token-webhook", FLAG_BOOL },
	{ "authorization-mode", FLAG_STRING },
	{ "read-only-port", FLAG_STRING },
	{ "config", FLAG_STRING },
	{ "config-dir", FLAG_STRING },
	/* other kubelet booleans, so that "--flag word" is read as pflag does */
	{ "register-node", FLAG_BOOL },
	{ "register-schedulable", FLAG_BOOL },
	{ "fail-swap-on", FLAG_BOOL },
	{ "rotate-certificates", FLAG_BOOL },
	{ "rotate-server-certificates", FLAG_BOOL },
	{ "enable-server", FLAG_BOOL },
	{ "enable-debugging-handlers", FLAG_BOOL },
	{ "cgroups-per-qos", FLAG_BOOL },
	{ "protect-kernel-defaults", FLAG_BOOL },
	{ "make-iptables-util-chains", FLAG_BOOL },
	{ "serialize-image-pulls", FLAG_BOOL },
	{ "enable-controller-attach-detach", FLAG_BOOL },
	{ "keep-terminated-pod-volumes", FLAG_BOOL },
	{ "exit-on-lock-contention", FLAG_BOOL },
	{ "seccomp-default", FLAG_BOOL },
	{ "cpu-cfs-quota", FLAG_BOOL },
	{ "logtostderr", FLAG_BOOL },
	{ "alsologtostderr", FLAG_BOOL },
	{ "fail-cgroupv1", FLAG_BOOL },
	{ "kernel-memcg-notification", FLAG_BOOL },
	{ "local-storage-capacity-isolation", FLAG_BOOL },
	{ "enable-load-reader", FLAG_BOOL },
	{ "log-flush-frequency", FLAG_STRING },
	{ "add-dir-header", FLAG_BOOL },
	{ "skip-headers", FLAG_BOOL },
	{ "skip-log-headers", FLAG_BOOL },
	{ "one-output", FLAG_BOOL },
	{ "log-text-split-stream", FLAG_BOOL },
	{ "log-json-split-stream", FLAG_BOOL },
	{ "experimental-mounter-path", FLAG_STRING },
	{ "help", FLAG_BOOL },
	/* a version flag: bare, or --version=raw; never takes the next word */
	{ "version", FLAG_BOOL },
};

/* v1beta1 KubeletConfiguration fields (staging/src/k8s.io/kubelet/config/v1beta1/types.go). */
static const char *const kc_top_keys[] = {
	"apiVersion", "kind", "enableServer", "staticPodPath", "podLogsDir",
	"syncFrequency", "fileCheckFrequency", "httpCheckFrequency",
	"staticPodURL", "staticPodURLHeader", "address", "port", "readOnlyPort",
	"tlsCertFile", "tlsPrivateKeyFile", "tlsCipherSuites",
	"tlsCurvePreferences", "tlsMinVersion", "rotateCertificates",
	"serverTLSBootstrap", "authentication", "authorization",
	"registryPullQPS", "registryBurst",
	"imagePullCredentialsVerificationPolicy",
	"preloadedImagesVerificationAllowlist", "eventRecordQPS", "eventBurst",
	"enableDebuggingHandlers", "enableContentionProfiling", "healthzPort",
	"healthzBindAddress", "oomScoreAdj", "clusterDomain", "clusterDNS",
	"streamingConnectionIdleTimeout", "nodeStatusUpdateFrequency",
	"nodeStatusReportFrequency", "nodeLeaseDurationSeconds",
	"imageMinimumGCAge", "imageMaximumGCAge", "imageGCHighThresholdPercent",
	"imageGCLowThresholdPercent", "volumeStatsAggPeriod", "kubeletCgroups",
	"systemCgroups", "cgroupRoot", "cgroupsPerQOS", "cgroupDriver",
	"cpuManagerPolicy", "singleProcessOOMKill", "cpuManagerPolicyOptions",
	"cpuManagerReconcilePeriod", "draManagerReconcilePeriod",
	"memoryManagerPolicy", "topologyManagerPolicy", "topologyManagerScope",
	"topologyManagerPolicyOptions", "qosReserved", "runtimeRequestTimeout",
	"hairpinMode", "maxPods", "podCIDR", "podPidsLimit", "resolvConf",
	"runOnce", "cpuCFSQuota", "cpuCFSQuotaPeriod", "nodeStatusMaxImages",
	"maxOpenFiles", "contentType", "kubeAPIQPS", "kubeAPIBurst",
	"serializeImagePulls", "maxParallelImagePulls", "evictionHard",
	"evictionSoft", "evictionSoftGracePeriod",
	"evictionPressureTransitionPeriod", "evictionMaxPodGracePeriod",
	"evictionMinimumReclaim", "mergeDefaultEvictionSettings", "podsPerCore",
	"enableControllerAttachDetach", "protectKernelDefaults",
	"makeIPTablesUtilChains", "iptablesMasqueradeBit", "iptablesDropBit",
	"featureGates", "failSwapOn", "memorySwap", "containerLogMaxSize",
	"containerLogMaxFiles", "containerLogMaxWorkers",
	"containerLogMonitorInterval", "configMapAndSecretChangeDetectionStrategy",
	"systemReserved", "kubeReserved", "reservedSystemCPUs",
	"showHiddenMetricsForVersion", "systemReservedCgroup",
	"kubeReservedCgroup", "enforceNodeAllocatable", "allowedUnsafeSysctls",
	"volumePluginDir", "providerID", "kernelMemcgNotification", "logging",
	"enableSystemLogHandler", "enableSystemLogQuery", "shutdownGracePeriod",
	"shutdownGracePeriodCriticalPods", "shutdownGracePeriodByPodPriority",
	"crashLoopBackOff", "reservedMemory", "enableProfilingHandler",
	"enableDebugFlagsHandler", "seccompDefault", "memoryThrottlingFactor",
	"memoryReservationPolicy", "registerWithTaints", "registerNode",
	"tracing", "localStorageCapacityIsolation", "containerRuntimeEndpoint",
	"imageServiceEndpoint", "failCgroupV1", "userNamespaces", NULL,
};
static const char *const authn_keys[] = { "x509", "webhook", "anonymous", NULL };
static const char *const authn_anon_keys[] = { "enabled", NULL };
static const char *const authn_webhook_keys[] = { "enabled", "cacheTTL", NULL };
static const char *const authn_x509_keys[] = { "clientCAFile", NULL };
static const char *const authz_keys[] = { "mode", "webhook", NULL };
static const char *const authz_webhook_keys[] = { "cacheAuthorizedTTL",
						   "cacheUnauthorizedTTL", NULL };

#define KUBELET_API_VERSION "kubelet.config.k8s.io/v1beta1"
#define KUBELET_KIND "KubeletConfiguration"

/* ------------------------------------------------------------------ values */

static void kval_release(struct kval *v)
{
	for (size_t i = 0; i < v->n; i++)
		evidence_release(&v->chain[i]);
	free(v->chain);
	free(v->s);
	free(v->reason);
	memset(v, 0, sizeof(*v));
}

static void model_release(struct kubelet_model *m)
{
	for (int k = 0; k < KK__COUNT; k++)
		kval_release(&m->v[k]);
	free(m->invalid);
	evidence_release(&m->invalid_at);
	memset(m, 0, sizeof(*m));
}

void kubelet_effective_release(struct kubelet_effective *ke)
{
	model_release(&ke->files);
	model_release(&ke->configz);
	for (size_t i = 0; i < ke->nlint; i++) {
		evidence_release(&ke->lint[i].at);
		free(ke->lint[i].msg);
	}
	free(ke->lint);
	memset(ke, 0, sizeof(*ke));
}

const struct kubelet_model *kubelet_effective_model(const struct kubelet_effective *ke)
{
	return ke->have_configz ? &ke->configz : &ke->files;
}

char *kval_display(enum kubelet_key k, const struct kval *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->st != KV_OK)
		return xstrdup("unknown");
	switch (kdefs[k].type) {
	case KT_BOOL: strbuf_addstr(&sb, v->b ? "true" : "false"); break;
	case KT_INT: strbuf_addf(&sb, "%lld", v->i); break;
	case KT_STRING: strbuf_addf(&sb, "%s", v->s ? v->s : ""); break;
	}
	return strbuf_detach(&sb);
}

/* Record a new effective value from a source; earlier ones are overridden. */
static void kval_set(struct kval *v, enum kubelet_key k, bool b, long long i,
		     const char *s, const char *kind, const char *path,
		     int line, const char *key, const char *raw, const char *note)
{
	struct strbuf ov = STRBUF_INIT;

	(void)k;
	if (v->n) {
		struct evidence *last = &v->chain[v->n - 1];
		if (last->note)
			strbuf_addf(&ov, "%s; ", last->note);
		strbuf_addf(&ov, "overridden by %s", kind);
		if (kind == SRC_FLAG)
			strbuf_addf(&ov, " %s", key);
		else if (path)
			strbuf_addf(&ov, " %s", path);
		free(last->note);
		last->note = strbuf_detach(&ov);
	}
	v->st = KV_OK;
	v->b = b;
	v->i = i;
	free(v->s);
	v->s = xstrdup_or_null(s);
	ALLOC_GROW(v->chain, v->n + 1, v->alloc);
	evidence_set(&v->chain[v->n++], kind, path, line, key, raw, note);
	strbuf_release(&ov);
}

static void kval_unknown(struct kval *v, const char *reason)
{
	v->st = KV_UNKNOWN;
	free(v->reason);
	v->reason = xstrdup(reason);
}

static void set_invalid(struct kubelet_model *m, const char *kind,
			const char *path, int line, const char *key,
			const char *value, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void set_invalid(struct kubelet_model *m, const char *kind,
			const char *path, int line, const char *key,
			const char *value, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (m->invalid)
		return; /* the first reason is the one the kubelet reports */
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	m->invalid = strbuf_detach(&sb);
	evidence_set(&m->invalid_at, kind, path, line, key, value, NULL);
}

static void lint_add(struct kubelet_effective *ke, const char *kind,
		     const char *path, int line, const char *key,
		     const char *value, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void lint_add(struct kubelet_effective *ke, const char *kind,
		     const char *path, int line, const char *key,
		     const char *value, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct kubelet_lint *l;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(ke->lint, ke->nlint + 1, ke->alint);
	l = &ke->lint[ke->nlint++];
	memset(l, 0, sizeof(*l));
	evidence_set(&l->at, kind, path, line, key, value, NULL);
	l->msg = strbuf_detach(&sb);
	l->drift = ke->linting_drift;
}

static void apply_defaults(struct kubelet_model *m, bool file)
{
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kdef *d = &kdefs[k];
		struct strbuf raw = STRBUF_INIT;
		long long iv = file ? d->file_i : d->legacy_i;
		const char *sv = file ? d->file_s : d->legacy_s;

		switch (d->type) {
		case KT_BOOL: strbuf_addstr(&raw, iv ? "true" : "false"); break;
		case KT_INT: strbuf_addf(&raw, "%lld", iv); break;
		case KT_STRING: strbuf_addstr(&raw, sv); break;
		}
		kval_set(&m->v[k], k, iv != 0, iv, sv, SRC_DEFAULT, NULL, 0,
			 d->info.name, raw.buf,
			 file ? "KubeletConfiguration v1beta1 default: not set in the file"
			      : "legacy flag default: no --config file");
		strbuf_release(&raw);
	}
}

/* ------------------------------------------------------------------ lint */

/*
 * The --config file is decoded case-sensitively (sigs.k8s.io/json), so a
 * wrong-case key is ignored. Drop-ins are different: they are merged as
 * JSON onto json.Marshal(internal config) and decoded with encoding/json,
 * which matches keys case-insensitively (cmd/kubelet/app/server.go,
 * mergeKubeletConfigurations), so there a wrong-case key takes effect.
 */
static void lint_keys(struct kubelet_effective *ke, const char *kind,
		      const char *path, const struct node *map,
		      const char *const *known, const char *prefix)
{
	for (size_t i = 0; i < node_map_len(map); i++) {
		const struct node *k = node_map_key(map, i);
		const char *name = k->str;
		const char *match = NULL, *ci = NULL;
		size_t count;

		for (const char *const *kk = known; *kk; kk++) {
			if (!strcmp(*kk, name))
				match = *kk;
			else if (!strcasecmp(*kk, name))
				ci = *kk;
		}
		if (!match && ci && kind == SRC_DROPIN)
			lint_add(ke, kind, path, k->line, name, NULL,
				 "key '%s%s' takes effect only because drop-ins are "
				 "merged case-insensitively; the --config file would "
				 "ignore it: spell it '%s%s'", prefix, name, prefix, ci);
		else if (!match && ci)
			lint_add(ke, kind, path, k->line, name, NULL,
				 "key '%s%s' is ignored: keys are case-sensitive, "
				 "the kubelet only reads '%s%s'",
				 prefix, name, prefix, ci);
		else if (!match)
			lint_add(ke, kind, path, k->line, name, NULL,
				 "unknown key '%s%s' is ignored by the kubelet",
				 prefix, name);
		if (!match || kind == SRC_DROPIN)
			continue;
		count = node_map_count(map, name);
		if (count > 1 && node_map_get(map, name) != node_map_val(map, i))
			lint_add(ke, kind, path, k->line, name, NULL,
				 "key '%s%s' appears %zu times; only the last one "
				 "takes effect", prefix, name, count);
	}
}

/* Subtrees of map under key: the exact key in the file, any spelling in a drop-in. */
static void lint_sub(struct kubelet_effective *ke, const char *kind,
		     const char *path, const struct node *map, const char *key,
		     const char *const *known, const char *prefix)
{
	for (size_t i = 0; i < node_map_len(map); i++) {
		const struct node *k = node_map_key(map, i), *v = node_map_val(map, i);
		if (v->kind != NODE_MAP)
			continue;
		if (kind == SRC_DROPIN ? strcasecmp(k->str, key) : strcmp(k->str, key))
			continue;
		if (kind != SRC_DROPIN && node_map_get(map, key) != v)
			continue;
		lint_keys(ke, kind, path, v, known, prefix);
	}
}

static void lint_tree(struct kubelet_effective *ke, const char *kind,
		      const char *path, const struct node *root)
{
	lint_keys(ke, kind, path, root, kc_top_keys, "");
	for (size_t i = 0; i < node_map_len(root); i++) {
		const struct node *k = node_map_key(root, i), *v = node_map_val(root, i);
		if (v->kind != NODE_MAP)
			continue;
		if (kind == SRC_DROPIN ? !strcasecmp(k->str, "authentication")
				       : (!strcmp(k->str, "authentication") &&
					  node_map_get(root, "authentication") == v)) {
			lint_keys(ke, kind, path, v, authn_keys, "authentication.");
			lint_sub(ke, kind, path, v, "anonymous", authn_anon_keys,
				 "authentication.anonymous.");
			lint_sub(ke, kind, path, v, "webhook", authn_webhook_keys,
				 "authentication.webhook.");
			lint_sub(ke, kind, path, v, "x509", authn_x509_keys,
				 "authentication.x509.");
		}
		if (kind == SRC_DROPIN ? !strcasecmp(k->str, "authorization")
				       : (!strcmp(k->str, "authorization") &&
					  node_map_get(root, "authorization") == v)) {
			lint_keys(ke, kind, path, v, authz_keys, "authorization.");
			lint_sub(ke, kind, path, v, "webhook", authz_webhook_keys,
				 "authorization.webhook.");
		}
	}
}

/* ------------------------------------------------------------------ files */

/*
 * Convert a scalar for key d. Returns NULL when it decodes, else the
 * reason the kubelet's decoder fails (a static string).
 */
static const char *convert(const struct kdef *d, const struct node *n, bool *b,
			   long long *iv, const char **sv)
{
	switch (d->type) {
	case KT_BOOL:
		if (node_get_bool(n, b) < 0)
			return "must be a boolean";
		*iv = *b;
		return NULL;
	case KT_INT:
		if (node_get_int(n, iv) < 0 || *iv < -2147483648LL || *iv > 2147483647LL)
			return "must be an int32";
		return NULL;
	case KT_STRING:
		if (node_get_string(n, sv) < 0)
			return "must be a string";
		return NULL;
	}
	return "has an unknown type";
}

/*
 * Apply the four settings of the --config file (decoded case-sensitively,
 * then defaulted by v1beta1 SetDefaults). A type error makes the kubelet's
 * decoder fail: the model is INVALID.
 */
static void apply_file_tree(struct kubelet_model *m, const struct node *root,
			    const char *path)
{
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kdef *d = &kdefs[k];
		const struct node *n = root;
		bool b = false;
		long long iv = 0;
		const char *sv = NULL, *why;

		for (int depth = 0; depth < 3 && d->path[depth] && n; depth++) {
			if (n->kind != NODE_MAP) {
				if (!node_is_null(n))
					set_invalid(m, SRC_CONFIG, path, n->line,
						    d->info.name, n->str,
						    "'%s' must be a mapping, not %s",
						    d->path[depth - 1], node_kind_name(n));
				n = NULL;
				break;
			}
			n = node_map_get(n, d->path[depth]);
		}
		if (!n || node_is_null(n))
			continue; /* absent or null: the v1beta1 default applies */
		why = n->kind == NODE_SCALAR ? convert(d, n, &b, &iv, &sv) : "must be a scalar";
		if (why) {
			set_invalid(m, SRC_CONFIG, path, n->line, d->info.name,
				    n->str ? n->str : "", "%s %s, not %s (the kubelet "
				    "cannot decode it)", d->info.name, why,
				    node_kind_name(n));
			continue;
		}
		/* SetDefaults: an empty mode becomes Webhook */
		if (d->type == KT_STRING && !*sv)
			continue;
		kval_set(&m->v[k], k, b, iv, sv, SRC_CONFIG, path, n->line, d->info.name,
			 n->str, NULL);
	}
}

/*
 * Drop-ins. The kubelet keeps one JSON document: json.Marshal of the
 * internal config (Go field names: "Authentication", "ReadOnlyPort"),
 * merge-patches each drop-in onto it as written (no conversion, no
 * defaulting), and decodes the result once at the end with encoding/json,
 * which matches keys case-insensitively and, since json.Marshal sorts map
 * keys, applies differently spelled keys in byte order ("Authentication"
 * before "authentication"). A null deletes the spelling it names; a value
 * deleted that way falls back to what the --config file (or the default)
 * gave. So we keep, per setting, one entry per exact spelling.
 */
struct dentry {
	char *seg[3];
	int nseg;       /* < the key's depth: a scalar where a mapping belongs */
	bool b;
	long long i;
	char *s;
	char *raw;
	const char *bad; /* why the final decode fails, or NULL */
	char *file;
	int line;
	size_t order;    /* drop-in number, for the surprise lint */
};

struct dropins {
	struct dentry *e[KK__COUNT];
	size_t n[KK__COUNT], alloc[KK__COUNT];
};

static void dentry_clear(struct dentry *e)
{
	for (int i = 0; i < 3; i++)
		free(e->seg[i]);
	free(e->s);
	free(e->raw);
	free(e->file);
}

static void dropins_release(struct dropins *di)
{
	for (int k = 0; k < KK__COUNT; k++) {
		for (size_t i = 0; i < di->n[k]; i++)
			dentry_clear(&di->e[k][i]);
		free(di->e[k]);
	}
}

static bool prefix_eq(const struct dentry *e, const char *const *seg, int nseg)
{
	if (e->nseg < nseg)
		return false;
	for (int i = 0; i < nseg; i++)
		if (strcmp(e->seg[i], seg[i]))
			return false;
	return true;
}

/* Remove the entries of key k under seg[0..nseg) (exact = only that path). */
static void dropins_remove(struct dropins *di, int k, const char *const *seg,
			   int nseg, bool exact)
{
	size_t j = 0;

	for (size_t i = 0; i < di->n[k]; i++) {
		struct dentry *e = &di->e[k][i];
		if (prefix_eq(e, seg, nseg) && (!exact || e->nseg == nseg))
			dentry_clear(e);
		else
			di->e[k][j++] = *e;
	}
	di->n[k] = j;
}

static void dropins_walk(struct dropins *di, int k, const struct node *map,
			 const char **seg, int depth, const char *file, size_t order)
{
	const struct kdef *d = &kdefs[k];
	int last = depth == 2 || d->path[depth + 1] == NULL;

	for (size_t i = 0; i < node_map_len(map); i++) {
		const struct node *key = node_map_key(map, i), *v = node_map_val(map, i);
		struct dentry *e;
		long long iv = 0;
		bool b = false;
		const char *sv = NULL;

		if (strcasecmp(key->str, d->path[depth]))
			continue;
		seg[depth] = key->str;
		if (node_is_null(v)) {
			dropins_remove(di, k, seg, depth + 1, false);
			continue;
		}
		if (!last && v->kind == NODE_MAP) {
			dropins_remove(di, k, seg, depth + 1, true);
			dropins_walk(di, k, v, seg, depth + 1, file, order);
			continue;
		}
		/* a leaf value, or a scalar/list where a mapping belongs */
		dropins_remove(di, k, seg, depth + 1, false);
		ALLOC_GROW(di->e[k], di->n[k] + 1, di->alloc[k]);
		e = &di->e[k][di->n[k]++];
		memset(e, 0, sizeof(*e));
		e->nseg = depth + 1;
		for (int j = 0; j <= depth; j++)
			e->seg[j] = xstrdup(seg[j]);
		e->raw = xstrdup(v->str ? v->str : node_kind_name(v));
		e->file = xstrdup(file);
		e->line = v->line;
		e->order = order;
		if (!last)
			e->bad = "must be a mapping";
		else if (v->kind != NODE_SCALAR)
			e->bad = "must be a scalar";
		else
			e->bad = convert(d, v, &b, &iv, &sv);
		e->b = b;
		e->i = iv;
		e->s = xstrdup_or_null(sv);
	}
}

static int dentry_cmp(const void *a, const void *b)
{
	const struct dentry *x = a, *y = b;

	for (int i = 0; i < 3; i++) {
		int c;
		if (i >= x->nseg || i >= y->nseg)
			return x->nseg - y->nseg;
		c = strcmp(x->seg[i], y->seg[i]);
		if (c)
			return c;
	}
	return 0;
}

static void dropins_apply(struct kubelet_effective *ke, struct kubelet_model *m,
			  struct dropins *di)
{
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kdef *d = &kdefs[k];
		struct dentry *e = di->e[k], *win;
		size_t n = di->n[k];

		if (!n)
			continue;
		/* encoding/json decodes every key; one bad value fails it all */
		for (size_t i = 0; i < n; i++) {
			if (e[i].bad) {
				set_invalid(m, SRC_DROPIN, e[i].file, e[i].line, d->info.name,
					    e[i].raw, "%s %s, not '%s' (the kubelet cannot "
					    "decode the merged drop-ins)", d->info.name,
					    e[i].bad, e[i].raw);
				break;
			}
		}
		qsort(e, n, sizeof(*e), dentry_cmp);
		for (size_t i = 0; i < n; i++) {
			struct strbuf sp = STRBUF_INIT;
			const char *note = NULL;
			for (int j = 0; j < e[i].nseg; j++)
				strbuf_addf(&sp, "%s%s", j ? "." : "", e[i].seg[j]);
			if (strcmp(sp.buf, d->info.name))
				note = "spelled differently; drop-ins are merged "
				       "case-insensitively, in byte order of the spelling";
			if (!e[i].bad)
				kval_set(&m->v[k], k, e[i].b, e[i].i, e[i].s, SRC_DROPIN,
					 e[i].file, e[i].line, sp.buf, e[i].raw, note);
			strbuf_release(&sp);
		}
		win = &e[n - 1];
		for (size_t i = 0; i + 1 < n; i++)
			if (e[i].order > win->order)
				lint_add(ke, SRC_DROPIN, e[i].file, e[i].line, d->info.name,
					 e[i].raw, "%s = %s here is overridden by %s:%d, an "
					 "earlier drop-in, because the kubelet applies "
					 "differently spelled keys in byte order; use one "
					 "spelling (%s)", d->info.name, e[i].raw, win->file,
					 win->line, d->info.name);
	}
}

static const struct node *find_duplicate(const struct node *n, int depth)
{
	const struct node *dup;

	if (depth > YAML_MAX_DEPTH)
		return NULL;
	if (n->kind == NODE_MAP)
		for (size_t i = 0; i < node_map_len(n); i++)
			if (node_map_get(n, node_map_key(n, i)->str) != node_map_val(n, i))
				return node_map_key(n, i);
	for (size_t i = 0; i < n->n; i++)
		if ((dup = find_duplicate(n->kids[i], depth + 1)))
			return dup;
	return NULL;
}

/* Where one input is read: a provider, the path it knows, read flags. */
struct kin {
	const struct provider *p;
	const char *path;
	unsigned flags;
};

/*
 * Read and parse one KubeletConfiguration document. Returns 0 with
 * *root set, 1 when the kubelet would reject it (model INVALID), -1 when
 * it cannot be read (the values it could set become UNKNOWN).
 */
static int read_doc(struct kubelet_effective *ke, struct kubelet_model *m,
		    const struct kin *at, const char *display, const char *kind,
		    struct yaml_docs *docs, const struct node **rootp, struct result *res)
{
	struct blob buf = { 0 };
	struct err e = { 0 };
	struct strbuf why = STRBUF_INIT;
	const struct node *root, *av, *kd;
	const char *s;
	int ret = 1;

	if (provider_read(at->p, at->path, display, FILE_MAX_CONFIG, at->flags, &buf, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		for (int k = 0; k < KK__COUNT; k++)
			kval_unknown(&m->v[k], e.msg);
		ret = -1;
		goto out;
	}
	if (yaml_parse(buf.data, buf.len, display, docs, &e) < 0) {
		char msg[ERR_FORMAT_MAX];
		result_diag(res, DIAG_ERROR, "%s", err_format(&e, msg, sizeof(msg)));
		if (e.limit) {
			/* kanon's bound, not the kubelet's: it may well load the file */
			strbuf_addf(&why, "kanon does not read %s: %s (docs/limits.md)", display,
				    e.msg);
			for (int k = 0; k < KK__COUNT; k++)
				kval_unknown(&m->v[k], why.buf);
			ret = -1;
			goto out;
		}
		set_invalid(m, kind, display, e.line, NULL, NULL,
			    "the kubelet cannot parse %s: %s", display, e.msg);
		goto out;
	}
	if (!docs->n) {
		if (kind == SRC_CONFIG)
			set_invalid(m, kind, display, 1, NULL, NULL,
				    "%s is empty (\"kubelet config file was empty\")",
				    display);
		else
			set_invalid(m, kind, display, 1, "kind", NULL,
				    "%s is empty: the kubelet cannot decode a drop-in "
				    "without kind (\"Object 'Kind' is missing\")", display);
		goto out;
	}
	root = docs->doc[0];
	if (docs->n > 1)
		lint_add(ke, kind, display, docs->doc[1]->line, NULL, NULL,
			 "%s has %zu YAML documents; the kubelet reads only the first",
			 display, docs->n);
	if (root->kind != NODE_MAP) {
		set_invalid(m, kind, display, root->line, NULL, NULL,
			    "%s is %s, not a KubeletConfiguration mapping", display,
			    node_kind_name(root));
		goto out;
	}
	av = node_map_get(root, "apiVersion");
	kd = node_map_get(root, "kind");
	if (kind == SRC_DROPIN) {
		const struct node *dup = find_duplicate(root, 0);
		/* decoded strictly into Unstructured, with no lenient retry
		 * (pkg/kubelet/kubeletconfig/util/codec DecodeKubeletConfigurationIntoJSON):
		 * only a kind is required, and duplicate keys are fatal */
		if (!kd || node_get_string(kd, &s) < 0 || !*s) {
			set_invalid(m, kind, display, root->line, "kind", NULL,
				    "%s has no kind: the kubelet cannot decode the "
				    "drop-in (\"Object 'Kind' is missing\")", display);
			goto out;
		}
		if (dup) {
			set_invalid(m, kind, display, dup->line, dup->str, NULL,
				    "%s: key '%s' appears twice; drop-ins are decoded "
				    "strictly and the kubelet refuses them", display,
				    dup->str);
			goto out;
		}
		if (strcmp(s, KUBELET_KIND) || !av || node_get_string(av, &s) < 0 ||
		    strcmp(s, KUBELET_API_VERSION))
			lint_add(ke, kind, display, kd->line, "kind", kd->str,
				 "%s should declare apiVersion %s and kind %s; the "
				 "kubelet merges it anyway", display,
				 KUBELET_API_VERSION, KUBELET_KIND);
	} else {
		if (!kd || node_get_string(kd, &s) < 0 || strcmp(s, KUBELET_KIND)) {
			set_invalid(m, kind, display, kd ? kd->line : root->line, "kind",
				    kd ? kd->str : NULL,
				    "%s: kind must be %s (the kubelet refuses to decode it)",
				    display, KUBELET_KIND);
			goto out;
		}
		if (!av || node_get_string(av, &s) < 0 ||
		    strcmp(s, KUBELET_API_VERSION)) {
			set_invalid(m, kind, display, av ? av->line : root->line,
				    "apiVersion", av ? av->str : NULL,
				    "%s: apiVersion must be %s (the kubelet refuses to "
				    "decode it)", display, KUBELET_API_VERSION);
			goto out;
		}
	}
	lint_tree(ke, kind, display, root);
	*rootp = root;
	ret = 0;
out:
	blob_release(&buf);
	strbuf_release(&why);
	return ret;
}

static int load_config_file(struct kubelet_effective *ke, struct kubelet_model *m,
			    const struct kin *at, const char *display,
			    struct result *res)
{
	struct yaml_docs docs = { 0 };
	const struct node *root = NULL;
	int ret = read_doc(ke, m, at, display, SRC_CONFIG, &docs, &root, res);

	if (ret == 0)
		apply_file_tree(m, root, display);
	yaml_docs_release(&docs);
	return ret < 0 ? -1 : 0;
}

/*
 * Drop-ins: every *.conf below dir in filepath.WalkDir order. WalkDir
 * does not follow symlinks, not even for the root: a --config-dir that is
 * a symlink (without a trailing slash) applies nothing.
 */
static int load_dropins(struct kubelet_effective *ke, struct kubelet_model *m,
			const struct kin *at, const char *display,
			bool kubelet_path, struct result *res)
{
	struct path_list files = { 0 }, skipped = { 0 };
	struct err e = { 0 };
	struct dropins di;
	struct stat st;
	int ret = 0;

	memset(&di, 0, sizeof(di));
	/* Only for the kubelet's own path: a copy named with kanon's
	 * --config-dir (or in a snapshot) may be a link for other reasons. */
	if (kubelet_path && !ends_with(at->path, "/") &&
	    provider_lstat(at->p, at->path, &st) == 0 && S_ISLNK(st.st_mode)) {
		lint_add(ke, SRC_DROPIN, display, 0, NULL, NULL,
			 "--config-dir %s is a symbolic link: the kubelet walks it "
			 "with filepath.WalkDir, which does not follow links, so no "
			 "drop-in applies; name the real directory", display);
		return 0;
	}
	if (provider_list(at->p, at->path, &files, &skipped, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		for (int k = 0; k < KK__COUNT; k++)
			kval_unknown(&m->v[k], e.msg);
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < skipped.n; i++)
		result_diag(res, DIAG_WARNING, "%s/%s: skipped: not a regular file (a FIFO, "
			    "a device or a socket)", display, skipped.v[i]);
	for (size_t i = 0; i < files.n; i++) {
		struct strbuf rp = STRBUF_INIT, dp = STRBUF_INIT;
		struct yaml_docs docs = { 0 };
		const struct node *root = NULL;
		struct kin file;
		const char *seg[3];
		int r;

		strbuf_addf(&rp, "%s/%s", at->path, files.v[i]);
		strbuf_addf(&dp, "%s/%s", display, files.v[i]);
		file.p = at->p;
		file.path = rp.buf;
		file.flags = 0; /* found by walking: regular files only */
		if (!ends_with(files.v[i], ".conf")) {
			lint_add(ke, SRC_DROPIN, dp.buf, 0, NULL, NULL,
				 "%s is ignored: the kubelet reads only *.conf files "
				 "from --config-dir", dp.buf);
		} else if ((r = read_doc(ke, m, &file, dp.buf, SRC_DROPIN, &docs,
					 &root, res)) == 0) {
			for (int k = 0; k < KK__COUNT; k++)
				dropins_walk(&di, k, root, seg, 0, dp.buf, i);
		} else if (r < 0) {
			ret = -1;
		}
		yaml_docs_release(&docs);
		strbuf_release(&rp);
		strbuf_release(&dp);
	}
	dropins_apply(ke, m, &di);
out:
	dropins_release(&di);
	path_list_release(&files);
	path_list_release(&skipped);
	return ret;
}

/* ------------------------------------------------------------------ flags */

/*
 * Apply the flags that set our four values. `trusted_from` is the argv
 * index after the last unexpanded "$VAR" word: an occurrence before it
 * may be overridden by whatever the variable expands to.
 */
static void apply_flags(struct kubelet_effective *ke, struct kubelet_model *m,
			const struct flagset *fs, const struct argv_list *argv,
			size_t trusted_from,
			const char *var)
{
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kdef *d = &kdefs[k];
		const struct flag_occ *o = flags_last(fs, d->info.flag);
		struct strbuf key = STRBUF_INIT, why = STRBUF_INIT, note = STRBUF_INIT;
		const struct argv_origin *at;
		const char *op = NULL;
		int ol = 0;
		size_t count = flags_count(fs, d->info.flag);
		bool b = false;
		long long iv = 0;

		if (var && (!o || o->argi < trusted_from)) {
			strbuf_addf(&why, "the command line contains unexpanded '%s', "
				    "which may set --%s; give the running command "
				    "line (--pid, or ps output)", var, d->info.flag);
			if (!o) {
				kval_unknown(&m->v[k], why.buf);
				strbuf_release(&why);
				continue;
			}
		}
		if (!o)
			continue;
		/* an assembled command line knows the file:line of each word */
		at = argv_origin(argv, o->argi);
		if (at) {
			op = at->path;
			ol = at->line;
		}
		strbuf_addf(&key, "--%s", d->info.flag);
		if (count > 1)
			lint_add(ke, SRC_FLAG, op, ol, key.buf, o->value,
				 "%s is given %zu times; the last one (%s) wins",
				 key.buf, count, o->raw);
		switch (d->type) {
		case KT_BOOL:
			if (o->value && go_parse_bool(o->value, &b) < 0) {
				set_invalid(m, SRC_FLAG, op, ol, key.buf, o->raw,
					    "invalid argument \"%s\" for \"%s\" flag: "
					    "strconv.ParseBool: parsing \"%s\": invalid syntax",
					    o->value, key.buf, o->value);
				goto next;
			}
			if (!o->value)
				b = true;
			iv = b;
			break;
		case KT_INT:
			if (!o->value) {
				set_invalid(m, SRC_FLAG, op, ol, key.buf, o->raw,
					    "flag needs an argument: %s", key.buf);
				goto next;
			}
			if (go_parse_int(o->value, 32, &iv) < 0) {
				set_invalid(m, SRC_FLAG, op, ol, key.buf, o->raw,
					    "invalid argument \"%s\" for \"%s\" flag: "
					    "not an int32", o->value ? o->value : "",
					    key.buf);
				goto next;
			}
			break;
		case KT_STRING:
			if (!o->value) {
				set_invalid(m, SRC_FLAG, op, ol, key.buf, o->raw,
					    "flag needs an argument: %s", key.buf);
				goto next;
			}
			break;
		}
		if (at && at->note)
			strbuf_addstr(&note, at->note);
		if (why.len || !o->value)
			strbuf_addf(&note, "%s%s", note.len ? "; " : "",
				    why.len ? "may be overridden by what the later "
					      "unexpanded variable expands to"
					    : "a bare boolean flag means true");
		kval_set(&m->v[k], k, b, iv, o->value, SRC_FLAG, op, ol, key.buf, o->raw,
			 note.len ? note.buf : NULL);
		free(m->v[k].reason);
		m->v[k].reason = NULL;
		if (why.len)
			kval_unknown(&m->v[k], why.buf);
	next:
		strbuf_release(&note);
		strbuf_release(&key);
		strbuf_release(&why);
	}
}

/* The kubelet rejects positional arguments and unknown shorthand flags. */
static void check_argv_shape(struct kubelet_model *m, const struct argv_list *argv,
			     const struct flagset *fs)
{
	if (fs->positional.n) {
		const char *word = fs->positional.v[0];
		const char *prev = NULL;
		for (size_t i = 1; i < argv->n; i++) {
			if (!strcmp(argv->v[i], word)) {
				prev = argv->v[i - 1];
				break;
			}
		}
		if (prev && prev[0] == '-' && !strchr(prev, '='))
			set_invalid(m, SRC_FLAG, NULL, 0, prev, word,
				    "\"%s\" after %s is "
				    "an argument, not the flag's value (\"unknown "
				    "command\"); boolean flags take their value with "
				    "'=': %s=%s", word, prev, prev, word);
		else
			set_invalid(m, SRC_FLAG, NULL, 0, NULL, word,
				    "unknown command "
				    "\"%s\" (the kubelet takes no arguments)", word);
	}
	for (size_t i = 0; i < fs->shorthand.n; i++) {
		const char *w = fs->shorthand.v[i];
		if (w[1] == 'v' || (w[1] == 'h' && !w[2]))
			continue;
		set_invalid(m, SRC_FLAG, NULL, 0, w, NULL,
			    "'%s' is parsed as "
			    "shorthand flags (\"unknown shorthand flag: '%c'\"); "
			    "long flags need two dashes", w, w[1]);
	}
}

/* ------------------------------------------------------------------ configz */

static void validate(struct kubelet_model *m);

static int load_configz(struct kubelet_effective *ke, const struct kin *at,
			struct result *res)
{
	struct kubelet_model *m = &ke->configz;
	struct blob buf = { 0 };
	struct yaml_docs docs = { 0 };
	struct err e = { 0 };
	const struct node *root, *kc;
	char *display = strcmp(at->path, "-") ? provider_display(at->p, at->path)
					       : xstrdup("<stdin>");
	int ret = -1;

	if (provider_read(at->p, at->path, display, FILE_MAX_CONFIG, at->flags, &buf, &e) < 0) {
		result_diag(res, DIAG_ERROR, "%s", e.msg);
		goto out;
	}
	if (yaml_parse(buf.data, buf.len, display, &docs, &e) < 0) {
		char msg[ERR_FORMAT_MAX];
		result_diag(res, DIAG_ERROR, "%s", err_format(&e, msg, sizeof(msg)));
		goto out;
	}
	root = docs.n ? docs.doc[0] : NULL;
	kc = root ? node_map_get(root, "kubeletconfig") : NULL;
	if (!kc || kc->kind != NODE_MAP) {
		result_diag(res, DIAG_ERROR, "%s:%d: not a /configz response: no "
			    "\"kubeletconfig\" object", display, root ? root->line : 1);
		goto out;
	}
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kdef *d = &kdefs[k];
		const struct node *n = kc;
		bool b = false;
		long long iv = 0;
		const char *sv = NULL;
		bool ok = false;

		for (int depth = 0; depth < 3 && d->path[depth] && n; depth++)
			n = n->kind == NODE_MAP ? node_map_get(n, d->path[depth]) : NULL;
		if (!n && d->type == KT_INT) {
			/* readOnlyPort is omitempty: absent means 0 */
			kval_set(&m->v[k], k, false, 0, NULL, SRC_CONFIGZ, display, 0,
				 d->info.name, "0", "omitted from /configz, which means 0");
			continue;
		}
		if (n) {
			switch (d->type) {
			case KT_BOOL: ok = node_get_bool(n, &b) == 0; iv = b; break;
			case KT_INT: ok = node_get_int(n, &iv) == 0; break;
			case KT_STRING: ok = node_get_string(n, &sv) == 0; break;
			}
		}
		if (!ok) {
			struct strbuf why = STRBUF_INIT;
			strbuf_addf(&why, "%s: %s is %s in /configz", display,
				    d->info.name, n ? "not readable" : "missing");
			kval_unknown(&m->v[k], why.buf);
			strbuf_release(&why);
			continue;
		}
		kval_set(&m->v[k], k, b, iv, sv, SRC_CONFIGZ, display, n->line,
			 d->info.name, n->str, "the running kubelet's configuration");
	}
	/* values a kubelet cannot run with (an unknown authorization mode
	 * such as "RBAC") make the response INVALID, as they make a config
	 * file INVALID: they are not what a running kubelet reports */
	validate(m);
	ke->have_configz = true;
	ret = 0;
out:
	yaml_docs_release(&docs);
	blob_release(&buf);
	free(display);
	return ret;
}

/* ------------------------------------------------------------------ main */

static void validate(struct kubelet_model *m)
{
	const struct kval *mode = &m->v[KK_AUTHZ_MODE];
	const struct kval *port = &m->v[KK_READ_ONLY_PORT];

	if (mode->st == KV_OK && !*mode->s) {
		const struct evidence *at = &mode->chain[mode->n - 1];
		set_invalid(m, at->kind, at->path, at->line, at->key, at->value,
			    "no authorization mode specified: an empty mode from a "
			    "drop-in or flag is not defaulted, and the kubelet "
			    "refuses to start");
	} else if (mode->st == KV_OK && strcmp(mode->s, "AlwaysAllow") &&
		   strcmp(mode->s, "Webhook")) {
		const struct evidence *at = &mode->chain[mode->n - 1];
		/* a "\u0000" in the value is part of it (node.h): "Webhook\0x"
		 * is not Webhook to the kubelet's Go string comparison */
		set_invalid(m, at->kind, at->path, at->line, at->key, at->value,
			    "unknown authorization mode \"%s\"%s: the kubelet accepts "
			    "only AlwaysAllow and Webhook (case-sensitive) and "
			    "refuses to start", mode->s,
			    strstr(mode->s, "\xc0\x80") ? " (it holds a NUL byte)" : "");
	}
	if (port->st == KV_OK && (port->i < 0 || port->i > 65535)) {
		const struct evidence *at = &port->chain[port->n - 1];
		set_invalid(m, at->kind, at->path, at->line, at->key, at->value,
			    "readOnlyPort %lld is not between 0 and 65535", port->i);
	}
}

/*
 * Where the kubelet's own path p is read: through its process when known
 * (relative paths from its working directory), else on this machine (or
 * the node root given), where a relative path means nothing.
 */
static int resolve_path(const struct kubelet_input *in, const char *p, const char *flag,
			struct kin *at, char **reason)
{
	struct strbuf why = STRBUF_INIT;

	at->p = in->node ? in->node : provider_fs();
	at->path = p;
	at->flags = 0;
	if (p[0] == '/' || at->p->kind == PROVIDER_PROC)
		return 0;
	strbuf_addf(&why, "--%s '%s' is relative to the kubelet's working "
		    "directory, which a command line alone does not tell; use "
		    "--pid, or name the file with kanon's --%s", flag, p, flag);
	*reason = strbuf_detach(&why);
	return -1;
}

/* A file the user named (kanon's --config, a snapshot's file). */
static void given(const struct kubelet_input *in, const char *path, struct kin *at)
{
	at->p = in->src ? in->src : provider_fs();
	at->path = path;
	at->flags = at->p->kind == PROVIDER_FS ? PROVIDER_READ_NAMED : 0;
}

const struct flag_spec *kubelet_flag_specs(size_t *n)
{
	*n = ARRAY_SIZE(kubelet_flags);
	return kubelet_flags;
}

static void mark_unknown(struct kubelet_model *m, const char *reason)
{
	for (int k = 0; k < KK__COUNT; k++)
		kval_unknown(&m->v[k], reason);
}

static void compute_files(const struct kubelet_input *in,
			  struct kubelet_effective *ke, struct result *res)
{
	struct kubelet_model *m = &ke->files;
	struct flagset fs;
	struct argv_list clean;
	const char *var = NULL;
	size_t trusted_from = 0;
	const struct flag_occ *cfg = NULL, *dir = NULL;
	struct kin at;

	flagset_init(&fs);
	argv_init(&clean);
	if (in->argv) {
		/* "$VAR" words are what a systemd unit expands at start; a
		 * command line a node layout assembled (model/node.h) is
		 * already expanded, so a '$' there is part of a value */
		for (size_t i = 0; i < in->argv->n; i++) {
			if (!in->layout && strchr(in->argv->v[i], '$')) {
				var = in->argv->v[i];
				trusted_from = clean.n;
				continue;
			}
			argv_push_from(&clean, in->argv, i);
		}
		flags_parse(&clean, kubelet_flags, ARRAY_SIZE(kubelet_flags), &fs);
		cfg = flags_last(&fs, "config");
		dir = flags_last(&fs, "config-dir");
		check_argv_shape(m, &clean, &fs);
	}

	m->config_file = in->config || (cfg && cfg->value && *cfg->value);
	apply_defaults(m, m->config_file);
	if (dir && (!dir->value || !*dir->value))
		set_invalid(m, SRC_FLAG, NULL, 0, "--config-dir", dir->raw,
			    "flag needs an argument: --config-dir");
	if (cfg && !cfg->value)
		set_invalid(m, SRC_FLAG, NULL, 0, "--config", cfg->raw,
			    "flag needs an argument: --config");

	if (in->config) {
		char *display = provider_display(in->src, in->config);
		given(in, in->config, &at);
		if (load_config_file(ke, m, &at, display, res) < 0 && in->required)
			res->input_error = true;
		free(display);
	} else if (m->config_file) {
		char *reason = NULL;
		if (resolve_path(in, cfg->value, "config", &at, &reason) < 0) {
			mark_unknown(m, reason);
			result_diag(res, DIAG_WARNING, "%s", reason);
			free(reason);
		} else {
			load_config_file(ke, m, &at, cfg->value, res);
		}
	}
	if (in->config_dir) {
		char *display = provider_display(in->src, in->config_dir);
		given(in, in->config_dir, &at);
		if (load_dropins(ke, m, &at, display, false, res) < 0 && in->required)
			res->input_error = true;
		free(display);
	} else if (dir && dir->value && *dir->value) {
		char *reason = NULL;
		if (resolve_path(in, dir->value, "config-dir", &at, &reason) < 0) {
			mark_unknown(m, reason);
			result_diag(res, DIAG_WARNING, "%s", reason);
			free(reason);
		} else {
			load_dropins(ke, m, &at, dir->value, true, res);
		}
	}
	if (in->argv)
		apply_flags(ke, m, &fs, &clean, trusted_from, var);
	else if (in->no_argv_reason)
		mark_unknown(m, in->no_argv_reason); /* flags override everything */
	validate(m);
	ke->have_files = true;
	flagset_release(&fs);
	argv_release(&clean);
}

static void compare_drift(struct kubelet_effective *ke)
{
	const struct kubelet_model *f = &ke->files, *z = &ke->configz;

	ke->linting_drift = true;
	if (f->invalid) {
		lint_add(ke, f->invalid_at.kind, f->invalid_at.path,
			 f->invalid_at.line, f->invalid_at.key, f->invalid_at.value,
			 "the running kubelet (/configz) differs from its files: "
			 "with the current files it would refuse to start on "
			 "restart: %s", f->invalid);
		ke->linting_drift = false;
		return;
	}
	for (int k = 0; k < KK__COUNT; k++) {
		const struct kval *a = &f->v[k], *b = &z->v[k];
		char *va, *vb;
		const struct evidence *at;

		if (a->st != KV_OK || b->st != KV_OK)
			continue;
		va = kval_display(k, a);
		vb = kval_display(k, b);
		if (strcmp(va, vb)) {
			at = &a->chain[a->n - 1];
			lint_add(ke, at->kind, at->path, at->line, kdefs[k].info.name,
				 va, "%s is %s in the running kubelet "
				 "(/configz) but %s from its %s; the files take effect "
				 "on the next restart, or the kubelet runs with other "
				 "files than these", kdefs[k].info.name, vb, va,
				 at->kind);
		}
		free(va);
		free(vb);
	}
	ke->linting_drift = false;
}

int kubelet_effective_load(const struct kubelet_input *in,
			   struct kubelet_effective *out, struct result *res)
{
	struct kin at;

	memset(out, 0, sizeof(*out));
	if (in->configz)
		given(in, in->configz, &at);
	if (in->configz && load_configz(out, &at, res) < 0 && in->required) {
		res->input_error = true;
		/* the files and flags given beside it are still judged */
		if (!in->argv && !in->config && !in->config_dir)
			return -1;
	}
	/* without a usable /configz the files are all there is */
	if (in->argv || in->config || in->config_dir || !out->have_configz)
		compute_files(in, out, res);
	if (out->have_configz && out->have_files)
		compare_drift(out);
	return 0;
}

bool kubelet_cmdline_has(const struct argv_list *argv, const char *flag)
{
	struct flagset fs;
	const struct flag_occ *o;
	bool has;

	flagset_init(&fs);
	flags_parse(argv, kubelet_flags, ARRAY_SIZE(kubelet_flags), &fs);
	o = flags_last(&fs, flag);
	has = o && o->value && *o->value;
	flagset_release(&fs);
	return has;
}

void kubelet_input_drop_unnamed(struct kubelet_input *in, struct result *res)
{
	char *display;

	if (!in->argv)
		return;
	if (in->config && !kubelet_cmdline_has(in->argv, "config")) {
		display = provider_display(in->src, in->config);
		result_diag(res, DIAG_WARNING,
			    "%s: the kubelet command line has no --config, so the kubelet does "
			    "not read this file",
			    display);
		free(display);
		in->config = NULL;
	}
	if (in->config_dir && !kubelet_cmdline_has(in->argv, "config-dir")) {
		display = provider_display(in->src, in->config_dir);
		result_diag(res, DIAG_WARNING,
			    "%s: the kubelet command line has no --config-dir, so the kubelet "
			    "does not read it",
			    display);
		free(display);
		in->config_dir = NULL;
	}
}

