/*
 * k3s and RKE2 nodes: the kubelet and kube-apiserver command lines these
 * distributions build from /etc/rancher/{k3s,rke2}/config.yaml (and
 * config.yaml.d), with the flags they set themselves. Both embed the same
 * code (RKE2 vendors k3s): pkg/configfilearg reads the files,
 * pkg/daemons/agent builds the kubelet's flags, pkg/daemons/control the
 * kube-apiserver's, and pkg/util/args.go GetArgs() merges the user's
 * kubelet-arg / kube-apiserver-arg entries into them.
 */
#include "model/node.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/node_rancher.h"
#include "sources/provider.h"
#include "core/banned.h"

/* A systemd unit is read for the guard below only; bounded. */
#define UNIT_MAX (1u << 20)

struct distro {
	const char *kind;		      /* "k3s", "rke2": also version.Program */
	const char *config;		      /* pkg/cli/cmds: DefaultConfig */
	const char *datadir;		      /* pkg/cli/cmds: the default --data-dir for root */
	const char *env_config, *env_datadir; /* what the environment may override */
	/* Units that run it (install.sh's names and places), server first. */
	const char *const *server_units, *const *agent_units;
	const char *const *bins;
	const char *kubelet_fix, *apiserver_fix;
};

static const char *const k3s_server_units[] = {"/etc/systemd/system/k3s.service", NULL};
static const char *const k3s_agent_units[] = {"/etc/systemd/system/k3s-agent.service", NULL};
static const char *const k3s_bins[] = {"/usr/local/bin/k3s", "/usr/bin/k3s", "/opt/bin/k3s", NULL};
/* RKE2 installs both units; the enabled one runs (the tarball puts them in
 * /usr/local/lib/systemd/system, the RPM in /usr/lib/systemd/system). */
static const char *const rke2_server_units[] = {
    "/etc/systemd/system/multi-user.target.wants/rke2-server.service", NULL};
static const char *const rke2_agent_units[] = {
    "/etc/systemd/system/multi-user.target.wants/rke2-agent.service", NULL};
static const char *const rke2_bins[] = {"/usr/local/bin/rke2",
					"/usr/bin/rke2",
					"/opt/rke2/bin/rke2",
					"/usr/local/lib/systemd/system/rke2-server.service",
					"/usr/lib/systemd/system/rke2-server.service",
					"/usr/local/lib/systemd/system/rke2-agent.service",
					"/usr/lib/systemd/system/rke2-agent.service",
					NULL};

static const struct distro distros[] = {
    {"k3s", "/etc/rancher/k3s/config.yaml", "/var/lib/rancher/k3s", "K3S_CONFIG_FILE",
     "K3S_DATA_DIR", k3s_server_units, k3s_agent_units, k3s_bins,
     "k3s: add the flag to the kubelet-arg list in /etc/rancher/k3s/config.yaml (or a "
     "config.yaml.d/*.yaml file, as `kubelet-arg+:` to append), e.g. kubelet-arg: "
     "[\"anonymous-auth=false\"], and restart k3s; a --kubelet-arg in the k3s unit's "
     "ExecStart= comes after these lists and wins",
     "k3s: add the flag to the kube-apiserver-arg list in /etc/rancher/k3s/config.yaml (or "
     "a config.yaml.d/*.yaml file, as `kube-apiserver-arg+:` to append), e.g. "
     "kube-apiserver-arg: [\"anonymous-auth=false\"], and restart k3s; a --kube-apiserver-arg "
     "in the k3s unit's ExecStart= comes after these lists and wins"},
    {"rke2", "/etc/rancher/rke2/config.yaml", "/var/lib/rancher/rke2", "RKE2_CONFIG_FILE",
     "RKE2_DATA_DIR", rke2_server_units, rke2_agent_units, rke2_bins,
     "RKE2: add the flag to the kubelet-arg list in /etc/rancher/rke2/config.yaml (or a "
     "config.yaml.d/*.yaml file, as `kubelet-arg+:` to append), e.g. kubelet-arg: "
     "[\"anonymous-auth=false\"], and restart rke2-server or rke2-agent",
     "RKE2: add the flag to the kube-apiserver-arg list in /etc/rancher/rke2/config.yaml (or "
     "a config.yaml.d/*.yaml file), e.g. kube-apiserver-arg: [\"anonymous-auth=false\"], and "
     "restart rke2-server, which rewrites the kube-apiserver static pod"},
};

static void set_unknown(struct node_layout *out, const char *fmt, const char *a, const char *b);

/* --------------------------------------------------------- the units */

/*
 * An environment file of the unit may point k3s at another config file or
 * data directory (the K3S_CONFIG_FILE / K3S_DATA_DIR variables of
 * configfilearg's EnvName and --data-dir's EnvVar). kanon does not follow
 * them: a word-level scan of the file makes the command line UNKNOWN.
 */
static const char *guard_scan(const struct distro *d, const char *text, size_t len)
{
	const char *vars[] = {d->env_config, d->env_datadir};
	const char *p = text, *end = text + len;

	while (p < end) {
		size_t n;

		while (p < end && strchr(" \t\r\n\\'\"", *p))
			p++;
		for (n = 0; p + n < end && !strchr(" \t\r\n\\'\"", p[n]); n++)
			;
		if (!n)
			break;
		for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
			if (n > strlen(vars[i]) && !strncmp(p, vars[i], strlen(vars[i])) &&
			    p[strlen(vars[i])] == '=')
				return vars[i];
		p += n;
	}
	return NULL;
}

static void guard_envfile(const struct provider *root, const struct distro *d, const char *path,
			  struct node_layout *out)
{
	struct blob b = {0};
	struct err e = { 0 };
	struct strbuf why = STRBUF_INIT;
	const char *w;

	if (provider_read(root, path, path, UNIT_MAX, 0, &b, &e) < 0)
		return;
	node_layout_file(out, NODE_ENVFILE, path, true,
			 "only checked for variables that change what config.yaml says");
	w = guard_scan(d, b.data, b.len);
	if (w && !out->unknown) {
		strbuf_addf(&why,
			    "%s sets %s, which points %s at other files; kanon does not follow "
			    "it: give the running command line (--pid, or ps output)",
			    path, w, d->kind);
		out->unknown = strbuf_detach(&why);
	}
	blob_release(&b);
}

/* The environment files of unit (install.sh's NAME.service.env, and the
 * EnvironmentFile=-/etc/default/%N, /etc/sysconfig/%N of both installers). */
static void guard_envfiles(const struct provider *root, const struct distro *d, const char *unit,
			   struct node_layout *out)
{
	static const char *const fmts[] = {"%s.service.env", "/etc/default/%s", "/etc/sysconfig/%s",
					   "/usr/local/lib/systemd/system/%s.env",
					   "/usr/lib/systemd/system/%s.env"};
	const char *base = strrchr(unit, '/') ? strrchr(unit, '/') + 1 : unit;
	size_t n = strlen(base) - strlen(".service");

	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		struct strbuf name = STRBUF_INIT, p = STRBUF_INIT;

		if (i == 0)
			strbuf_add(&name, unit, strlen(unit) - strlen(".service"));
		else
			strbuf_add(&name, base, n);
		strbuf_addf(&p, fmts[i], name.buf);
		if (provider_exists(root, p.buf))
			guard_envfile(root, d, p.buf, out);
		strbuf_release(&name);
		strbuf_release(&p);
	}
}

/* Drop-ins of the unit (NAME.service.d/ *.conf) are not read: UNKNOWN. */
static void guard_dropins(const struct provider *root, const char *unit, struct node_layout *out)
{
	static const char *const dirs[] = {"/etc/systemd/system", "/run/systemd/system",
					   "/usr/local/lib/systemd/system",
					   "/usr/lib/systemd/system", "/lib/systemd/system"};
	const char *base = strrchr(unit, '/') ? strrchr(unit, '/') + 1 : unit;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !out->unknown; i++) {
		struct strbuf d = STRBUF_INIT;
		struct path_list files = {0};

		strbuf_addf(&d, "%s/%s.d", dirs[i], base);
		if (provider_is_dir(root, d.buf) &&
		    provider_list(root, d.buf, &files, NULL, NULL) == 0) {
			for (size_t j = 0; j < files.n && !out->unknown; j++)
				if (ends_with(files.v[j], ".conf"))
					set_unknown(
					    out,
					    "%s has drop-ins, which kanon does not read for "
					    "%s; give the running command line (--pid)",
					    d.buf, base);
		}
		path_list_release(&files);
		strbuf_release(&d);
	}
}

/*
 * The unit that runs d: the first of the server units, then the agent
 * units (install.sh's names). Returns 1 for `server`, 2 for `agent` (the
 * subcommand of its ExecStart=, else the unit's name), 0 for no unit.
 */
static int read_units(const struct provider *root, const struct distro *d, struct rancher_unit *u,
		      struct node_layout *out, struct result *res)
{
	const char *const *lists[] = {d->server_units, d->agent_units};
	const char *used = NULL;
	int role = 0;

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		for (const char *const *p = lists[l]; *p; p++) {
			if (!provider_exists(root, *p))
				continue;
			if (used) {
				node_layout_file(out, NODE_UNIT, *p, true,
						 "not read: another unit was found first");
				continue;
			}
			used = *p;
			node_layout_file(out, NODE_UNIT, *p, true, NULL);
			if (rancher_unit_read(root, *p, u, res) < 0)
				set_unknown(out, "%s: cannot read the %s unit", *p, d->kind);
			guard_dropins(root, *p, out);
			guard_envfiles(root, d, *p, out);
			role = u->role ? u->role : (int)l + 1;
		}
	}
	if (u->unknown && !out->unknown)
		out->unknown = xstrdup(u->unknown);
	return role;
}

/* ----------------------------------------------------------- the finders */

static bool distro_present(const struct provider *root, const struct distro *d)
{
	struct strbuf dir = STRBUF_INIT;
	bool yes;

	strbuf_addf(&dir, "%s.d", d->config);
	yes = provider_exists(root, d->config) || provider_is_dir(root, dir.buf);
	strbuf_release(&dir);
	for (const char *const *u = d->server_units; !yes && *u; u++)
		yes = provider_exists(root, *u);
	for (const char *const *u = d->agent_units; !yes && *u; u++)
		yes = provider_exists(root, *u);
	for (const char *const *b = d->bins; !yes && *b; b++)
		yes = provider_exists(root, *b);
	return yes;
}

static void set_unknown(struct node_layout *out, const char *fmt, const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;

	if (out->unknown)
		return;
	strbuf_addf(&sb, fmt, a, b);
	out->unknown = strbuf_detach(&sb);
}

/*
 * The data directory: --data-dir (pkg/cli/cmds/server.go / agent.go, default
 * /var/lib/rancher/<program> for root). Returns NULL (and out->unknown)
 * when config.yaml sets one kanon cannot use.
 */
static const char *data_dir(const struct distro *d, const struct rancher_config *c,
			    struct node_layout *out)
{
	const struct rancher_key *k = rancher_config_get(c, "data-dir");
	const struct rancher_key *k1 = rancher_config_get(c, "d");

	if (k1 && (!k || k1 > k))
		k = k1;
	if (!k || !k->n)
		return d->datadir;
	if (k->list || k->n != 1 || k->v[0].inexact || k->v[0].s[0] != '/') {
		set_unknown(out, "%s: data-dir is not an absolute path; %s resolves it at start",
			    k->v[0].path, d->kind);
		return NULL;
	}
	return k->v[0].s;
}

/*
 * A key that looks like kubelet-arg / kube-apiserver-arg but is not
 * ("kubelet-args", "kubelet_arg"): k3s never passes it to the component
 * (for `server`, configfilearg's stripInvalidFlags drops unknown keys with a
 * warning; elsewhere the flag parser refuses them), so a hardening flag
 * written there does nothing.
 */
static void warn_near_misses(const struct rancher_config *c, struct result *res)
{
	static const char *const names[] = {"kubelet-arg", "kube-apiserver-arg"};

	for (size_t i = 0; i < c->n; i++) {
		const struct rancher_key *k = &c->k[i];
		char norm[64];
		size_t n = strlen(k->name);

		if (!k->n || n >= sizeof(norm))
			continue;
		for (size_t j = 0; j <= n; j++)
			norm[j] =
			    k->name[j] == '_' ? '-' : (char)tolower((unsigned char)k->name[j]);
		if (n > 1 && norm[n - 1] == 's')
			norm[n - 1] = '\0';
		for (size_t j = 0; j < ARRAY_SIZE(names); j++)
			if (!strcmp(norm, names[j]) && strcmp(k->name, names[j]))
				result_diag(res, DIAG_WARNING,
					    "%s:%d: '%s' is not a k3s option (did you mean "
					    "'%s'?): its values never reach the component",
					    k->v[0].path, k->v[0].line, k->name, names[j]);
	}
}

/* The config file that defines the node: the first one present. */
static const char *where(const struct node_layout *out, const struct distro *d)
{
	for (size_t i = 0; i < out->nfiles; i++)
		if (out->files[i].role == NODE_CONFIG && out->files[i].present &&
		    !out->files[i].note)
			return out->files[i].path;
	return out->nfiles ? out->files[0].path : d->config;
}

static bool is_true(const struct rancher_key *k)
{
	return k && k->n && !strcmp(k->v[k->n - 1].s, "true");
}

/* The config file: --config/-c of the unit's command line, else the default. */
static const char *config_path(const struct distro *d, const struct rancher_unit *u,
			       struct node_layout *out)
{
	const struct rancher_key *k = rancher_config_get(&u->flags, "config");

	if (!k || !k->n)
		return d->config;
	if (k->v[k->n - 1].s[0] != '/') {
		set_unknown(out, "%s: --config is not an absolute path; %s resolves it at start",
			    k->v[k->n - 1].path, d->kind);
		return d->config;
	}
	return k->v[k->n - 1].s;
}

/* Read the config files and the unit; 0 when d is not on this node. */
static int load(const struct provider *root, const struct distro *d, struct node_layout *out,
		struct rancher_config *c, struct result *res, int *role)
{
	struct rancher_unit u;

	if (!distro_present(root, d))
		return 0;
	out->kind = d->kind;
	rancher_unit_init(&u);
	*role = read_units(root, d, &u, out, res);
	rancher_config_read(root, config_path(d, &u, out), out, c, res);
	rancher_config_apply_cli(c, &u.flags);
	rancher_unit_release(&u);
	out->where = xstrdup(where(out, d));
	if (c->fatal && !out->unknown)
		out->unknown = xstrdup(c->fatal);
	if (is_true(rancher_config_get(c, "rootless")))
		set_unknown(out,
			    "%s: rootless %s keeps its data below the user's home and runs the "
			    "kubelet differently; not modelled",
			    d->config, d->kind);
	warn_near_misses(c, res);
	return 1;
}

/*
 * A user value k3s passes on that kanon cannot print as Go would, or too
 * many of them: UNKNOWN. Returns false when the entries are not merged
 * at all (the merge is quadratic).
 */
static bool check_exact(const struct rancher_key *k, struct node_layout *out)
{
	if (k && k->n > RANCHER_MAX_ARGS) {
		set_unknown(out, "%s: more than 4096 %s entries; kanon does not model them",
			    k->v[0].path, k->name);
		return false;
	}
	for (size_t i = 0; k && i < k->n; i++)
		if (k->v[i].inexact)
			set_unknown(out,
				    "%s: a %s entry that is not a string, a number or a "
				    "boolean; kanon does not print it as k3s would",
				    k->v[i].path, k->name);
	return true;
}

/* ------------------------------------------------------------- kubelet */

/* pkg/daemons/agent/agent.go defaultKubeletConfig(): what k3s writes to
 * 00-<program>-defaults.conf in the kubelet's --config-dir at every start. */
static const struct {
	const char *flag, *value, *field;
} kubelet_dropin[] = {
    {"anonymous-auth", "false", "authentication.anonymous.enabled: false"},
    {"authentication-token-webhook", "true", "authentication.webhook.enabled: true"},
    {"authorization-mode", "Webhook", "authorization.mode: Webhook"},
};

static bool extra_names(const struct rancher_key *extra, const char *flag)
{
	size_t len = strlen(flag);

	for (size_t i = 0; extra && i < extra->n; i++) {
		const char *s =
		    starts_with(extra->v[i].s, "--") ? extra->v[i].s + 2 : extra->v[i].s;

		/* GetArgs' cleanedArg: the name without trailing '-'/'+' */
		if (!strncmp(s, flag, len) && strspn(s + len, "-+") == strcspn(s + len, "="))
			return true;
	}
	return false;
}

/*
 * The drop-in k3s writes is not in DIR (a node image, a config repo): its
 * values are applied as the flags older k3s passed (agent_linux.go
 * kubeletArgs), before all others, and only where no user flag of the
 * same name follows: the kubelet lets any flag override a drop-in.
 */
static void push_dropin_as_flags(const char *dropin, const struct rancher_key *extra,
				 const char *kind, struct argv_list *argv)
{
	for (size_t i = 0; i < ARRAY_SIZE(kubelet_dropin); i++) {
		struct strbuf w = STRBUF_INIT, note = STRBUF_INIT;

		if (extra_names(extra, kubelet_dropin[i].flag))
			continue;
		strbuf_addf(&w, "--%s=%s", kubelet_dropin[i].flag, kubelet_dropin[i].value);
		/* no path: the file is k3s's to rewrite, not the user's to edit */
		strbuf_addf(&note,
			    "set by %s: it writes %s to the kubelet drop-in %s at every start "
			    "(pkg/daemons/agent/agent.go defaultKubeletConfig), which is not in "
			    "the node's files, so kanon applies it as this flag (older releases "
			    "passed the flag: agent_linux.go kubeletArgs)",
			    kind, kubelet_dropin[i].field, dropin);
		argv_push_at(argv, w.buf, NULL, 0, note.buf);
		strbuf_release(&w);
		strbuf_release(&note);
	}
}

/* Drop-ins in the --config-dir besides k3s's own: they would follow it. */
static bool other_dropins(const struct provider *root, const char *dir, const char *own)
{
	struct path_list files = {0};
	bool yes = false;

	if (provider_list(root, dir, &files, NULL, NULL) < 0)
		return true;
	for (size_t i = 0; i < files.n && !yes; i++)
		yes = ends_with(files.v[i], ".conf") && strcmp(files.v[i], own);
	path_list_release(&files);
	return yes;
}

static void kubelet_argv(const struct provider *root, const struct distro *d, const char *dd,
			 const struct rancher_key *extra, struct node_layout *out)
{
	struct strbuf dir = STRBUF_INIT, own = STRBUF_INIT, dropin = STRBUF_INIT;
	struct strbuf kc = STRBUF_INIT, note = STRBUF_INIT;
	struct rancher_default defs[3];
	size_t nd = 0;
	bool have;

	strbuf_addf(&dir, "%s/agent/etc/kubelet.conf.d", dd);
	strbuf_addf(&own, "00-%s-defaults.conf", d->kind);
	strbuf_addf(&dropin, "%s/%s", dir.buf, own.buf);
	strbuf_addf(&kc, "%s/agent/kubelet.kubeconfig", dd);
	strbuf_addf(&note, "set by %s (pkg/daemons/agent/agent_linux.go kubeletArgsAndConfig)",
		    d->kind);
	have = provider_exists(root, dropin.buf);
	node_layout_file(out, NODE_COMPONENT, dropin.buf, have,
			 have ? NULL : "written by k3s's code at start; not in the node's files");
	argv_push_at(&out->argv, "kubelet", NULL, 0, note.buf);
	if (!have && provider_is_dir(root, dir.buf) && other_dropins(root, dir.buf, own.buf))
		set_unknown(out,
			    "%s has kubelet drop-ins but not %s, which k3s writes before "
			    "them at start; give the running kubelet (--pid) or the node's "
			    "files after a start",
			    dir.buf, own.buf);
	if (!have)
		push_dropin_as_flags(dropin.buf, extra, d->kind, &out->argv);
	else
		defs[nd++] = (struct rancher_default){"config-dir", dir.buf, NULL, note.buf};
	defs[nd++] = (struct rancher_default){"kubeconfig", kc.buf, NULL, note.buf};
	defs[nd++] = (struct rancher_default){"read-only-port", "0", NULL, note.buf};
	rancher_get_args(defs, nd, extra, "kubelet-arg", &out->argv);
	strbuf_release(&dir);
	strbuf_release(&own);
	strbuf_release(&dropin);
	strbuf_release(&kc);
	strbuf_release(&note);
}

static int rancher_kubelet(const struct provider *root, const struct distro *d,
			   struct node_layout *out, struct result *res)
{
	struct rancher_config c;
	const struct rancher_key *extra;
	const char *dd;
	bool usable;
	int role;

	rancher_config_init(&c);
	if (!load(root, d, out, &c, res, &role)) {
		rancher_config_release(&c);
		return 0;
	}
	out->fix = d->kubelet_fix;
	extra = rancher_config_get(&c, "kubelet-arg");
	usable = check_exact(extra, out);
	/* agent.go extractConfigArgs(): k3s copies these into its drop-in
	 * directory, differently from release to release */
	if (extra_names(extra, "config") || extra_names(extra, "config-dir"))
		set_unknown(out,
			    "%s: kubelet-arg sets --config or --config-dir, which %s copies "
			    "into its own kubelet drop-in directory in ways that differ between "
			    "releases; give the running kubelet (--pid)",
			    extra->v[0].path, d->kind);
	dd = data_dir(d, &c, out);
	if (dd && usable)
		kubelet_argv(root, d, dd, extra, out);
	rancher_config_release(&c);
	return 1;
}

int node_rancher_kubelet(const struct provider *root, struct node_layout *out, struct result *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(distros); i++) {
		int r = rancher_kubelet(root, &distros[i], out, res);

		if (r)
			return r;
		node_layout_release(out);
	}
	return 0;
}

/* ------------------------------------------------------- kube-apiserver */

static bool nonempty(const char *s)
{
	return s && *s;
}

static void apiserver_argv(const struct distro *d, const char *dd, const struct rancher_key *extra,
			   struct node_layout *out)
{
	struct strbuf ca = STRBUF_INIT, note = STRBUF_INIT;
	struct rancher_default defs[8];
	size_t nd = 0;

	/* control/deps/deps.go CreateRuntimeCertFiles, below DATA/server */
	strbuf_addf(&ca, "%s/server/tls/client-ca.crt", dd);
	strbuf_addf(&note, "set by %s (pkg/daemons/control/server.go apiServer)", d->kind);
	argv_push_at(&out->argv, "kube-apiserver", NULL, 0, note.buf);
#define DEF(k, v) (defs[nd++] = (struct rancher_default){k, v, NULL, note.buf})
	DEF("allow-privileged", "true");
	/* not set when the user gives an --authentication-config /
	 * --authorization-config file (util.ArgValue(...) == "") */
	if (!nonempty(rancher_arg_value(extra, "authentication-config", NULL)))
		DEF("anonymous-auth", "false");
	if (!nonempty(rancher_arg_value(extra, "authorization-config", NULL)))
		DEF("authorization-mode", "Node,RBAC");
	DEF("client-ca-file", ca.buf);
	DEF("enable-admission-plugins", "NodeRestriction");
	DEF("enable-bootstrap-token-auth", "true");
	DEF("profiling", "false");
#undef DEF
	rancher_get_args(defs, nd, extra, "kube-apiserver-arg", &out->argv);
	strbuf_release(&ca);
	strbuf_release(&note);
}

/* RKE2 writes its kube-apiserver static pod here (pkg/podexecutor/staticpod.go
 * APIServer, into the agent's pod-manifests directory). */
static bool rke2_manifest(const struct provider *root, const char *dd, struct node_layout *out)
{
	struct strbuf m = STRBUF_INIT;
	bool have;

	strbuf_addf(&m, "%s/agent/pod-manifests/kube-apiserver.yaml", dd);
	have = provider_exists(root, m.buf);
	if (have) {
		node_layout_file(out, NODE_MANIFEST, m.buf, true, NULL);
		out->manifest = strbuf_detach(&m);
	}
	strbuf_release(&m);
	return have;
}

static int rancher_apiserver(const struct provider *root, const struct distro *d,
			     struct node_layout *out, struct result *res)
{
	struct rancher_config c;
	const struct rancher_key *extra;
	const char *dd;
	bool bare, usable;
	int role;

	rancher_config_init(&c);
	if (!load(root, d, out, &c, res, &role)) {
		rancher_config_release(&c);
		return 0;
	}
	out->fix = d->apiserver_fix;
	dd = data_dir(d, &c, out);
	if (dd && !strcmp(d->kind, "rke2") && rke2_manifest(root, dd, out)) {
		free(out->where);
		out->where = xstrdup(out->manifest);
	} else if (role == 2 || is_true(rancher_config_get(&c, "disable-apiserver"))) {
		/* an agent runs no kube-apiserver, nor does a server with
		 * disable-apiserver (control/server.go Server: !cfg.DisableAPIServer) */
		result_diag(res, DIAG_NOTE, "%s: a %s %s runs no kube-apiserver", out->where,
			    d->kind, role == 2 ? "agent" : "server with disable-apiserver");
		node_layout_release(out);
		rancher_config_release(&c);
		return 0;
	} else if (!role) {
		set_unknown(out,
			    "no %s server or agent unit below the root, so kanon cannot tell "
			    "whether this node runs a kube-apiserver (`%s server`) at all",
			    d->kind, d->kind);
	}
	extra = rancher_config_get(&c, "kube-apiserver-arg");
	usable = check_exact(extra, out);
	if ((rancher_arg_value(extra, "authentication-config", &bare), bare) ||
	    (rancher_arg_value(extra, "authorization-config", &bare), bare))
		set_unknown(out,
			    "%s: a kube-apiserver-arg entry names an authentication or "
			    "authorization config without '=value', on which %s's "
			    "util.ArgValue fails; give the running kube-apiserver",
			    extra->v[0].path, d->kind);
	if (dd && usable && !out->manifest)
		apiserver_argv(d, dd, extra, out);
	rancher_config_release(&c);
	return 1;
}

int node_rancher_apiserver(const struct provider *root, struct node_layout *out, struct result *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(distros); i++) {
		int r = rancher_apiserver(root, &distros[i], out, res);

		if (r)
			return r;
		node_layout_release(out);
	}
	return 0;
}
