/*
 * The kube-apiserver as a static pod. The kubelet runs every file of its
 * staticPodPath (pkg/kubelet/config/file.go extractFromDir: the names that
 * do not start with '.', sorted, regular files or symlinks to them, no
 * subdirectories), whatever their names. So the manifest is looked for in:
 *  - the kubelet's --pod-manifest-path, or the staticPodPath of its
 *    --config, as the node's files start the kubelet (node_find_kubelet);
 *    else of /var/lib/kubelet/config.yaml, the file kubeadm writes and
 *    names with --config in 10-kubeadm.conf (a --config-dir drop-in that
 *    sets staticPodPath is not followed);
 *  - /etc/kubernetes/manifests, kubeadm's (cmd/kubeadm/app/constants
 *    KubernetesDir + ManifestsSubDirName) and the CIS benchmark's path;
 *  - /var/lib/rancher/rke2/agent/pod-manifests, where RKE2 writes its
 *    control plane (pkg/podexecutor/staticpod.go) with its default
 *    data-dir.
 * In a directory, kube-apiserver.yaml is the manifest when it is there;
 * otherwise the first file (in the kubelet's order) whose Pod runs
 * kube-apiserver. Other files that run one too (a backup copy left in the
 * directory is run as well) are named in a warning.
 */
#include "model/node.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/apiserver_manifest.h"
#include "parsers/flags.h"
#include "parsers/yaml.h"
#include "sources/provider.h"
#include "core/banned.h"

#define KUBEADM_KUBELET_CONFIG "/var/lib/kubelet/config.yaml"
#define KUBEADM_MANIFESTS      "/etc/kubernetes/manifests"
#define RKE2_MANIFESTS	       "/var/lib/rancher/rke2/agent/pod-manifests"
/* a static pod directory holds a handful of files */
#define MAX_FILES 256

static const char fix_kubeadm[] =
    "edit the manifest (the kubelet restarts the pod when it changes) and set the same flag in "
    "apiServer.extraArgs of the kubeadm ClusterConfiguration (`kubectl -n kube-system edit "
    "configmap kubeadm-config`), so that `kubeadm upgrade` keeps it";
static const char fix_rke2[] =
    "set kube-apiserver-arg in /etc/rancher/rke2/config.yaml (or config.yaml.d/*.yaml) and "
    "restart rke2-server: RKE2 writes this manifest anew at each start";
static const char fix_static[] = "edit the manifest: the kubelet restarts the pod when it changes";

/* The kubeadm annotation getAPIServerCommand's pod carries
 * (cmd/kubeadm/app/constants KubeAPIServerAdvertiseAddressEndpointAnnotationKey). */
static const char kubeadm_annotation[] =
    "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint";

enum { RUNS_APISERVER = 1, BY_KUBEADM = 2 };

/* Does the file define a Pod that runs kube-apiserver (RUNS_APISERVER), and
 * is it kubeadm's (BY_KUBEADM)? A file that cannot be read or parsed is no
 * Pod the kubelet would run either. */
static unsigned manifest_kind(const struct provider *root, const char *path)
{
	struct err e = { 0 };
	struct apiserver_pods pods;
	struct blob b;
	unsigned k = 0;

	if (provider_read(root, path, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0)
		return 0;
	if (memmem(b.data, b.len, "kube-apiserver", strlen("kube-apiserver")) &&
	    apiserver_manifest_parse(b.data, b.len, path, &pods, &e) == 0) {
		if (pods.n)
			k |= RUNS_APISERVER;
		apiserver_pods_release(&pods);
	}
	if (memmem(b.data, b.len, kubeadm_annotation, strlen(kubeadm_annotation)))
		k |= BY_KUBEADM;
	blob_release(&b);
	return k;
}

/*
 * Go's filepath.Clean, which the kubelet's paths go through (filepath.Join
 * in resolveRelativePaths): no "." or "x/.." components, no repeated or
 * trailing slash; ".." at the root stays at the root. Caller frees.
 */
static char *path_clean(const char *p)
{
	char *out = xmalloc(st_add(strlen(p), 2));
	bool rooted = *p == '/';
	size_t o = 0, keep;

	if (rooted)
		out[o++] = '/';
	keep = o; /* what ".." may not remove */
	while (*p) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.' && o > keep) {
			while (o > keep && out[o - 1] != '/')
				o--;
			if (o > keep)
				o--;
		} else if (n == 2 && p[0] == '.' && p[1] == '.' && !rooted) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, "..", 2);
			o += 2;
			keep = o;
		} else if (n && !(n == 1 && p[0] == '.') &&
			   !(n == 2 && p[0] == '.' && p[1] == '.')) {
			if (o > (rooted ? 1u : 0u))
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

/* The staticPodPath of the kubelet config `config`, or NULL (recorded in l). */
static char *config_static_pod_path(const struct provider *root, const char *config,
				    struct node_layout *l, struct result *res)
{
	struct err e = { 0 };
	struct yaml_docs docs = {0};
	const struct node *n;
	const char *s, *slash = strrchr(config, '/');
	char *dir = NULL;
	struct blob b;

	if (!provider_exists(root, config))
		return NULL;
	if (provider_read(root, config, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0) {
		node_layout_file(l, NODE_CONFIG, config, false, e.msg);
		result_diag(res, DIAG_WARNING, "%s (looked for staticPodPath)", e.msg);
		return NULL;
	}
	node_layout_file(l, NODE_CONFIG, config, true, "the kubelet's config: staticPodPath");
	if (yaml_parse(b.data, b.len, config, &docs, &e) == 0 && docs.n == 1 &&
	    docs.doc[0]->kind == NODE_MAP && (n = node_map_get(docs.doc[0], "staticPodPath")) &&
	    node_get_string(n, &s) == 0 && *s) {
		struct strbuf p = STRBUF_INIT;
		/* pkg/kubelet/kubelet.go resolveRelativePaths: relative to the
		 * config file's directory */
		if (*s != '/' && slash)
			strbuf_add(&p, config, (size_t)(slash - config + 1));
		strbuf_addstr(&p, s);
		dir = strbuf_detach(&p);
	}
	yaml_docs_release(&docs);
	blob_release(&b);
	return dir;
}

/*
 * The kubelet's static pod directory: its --pod-manifest-path (a flag wins
 * over the config file), else the staticPodPath of its --config, as the
 * node's files start the kubelet (node_find_kubelet); else kubeadm's
 * config file. NULL when none says (the defaults are tried then).
 */
static char *kubelet_static_pod_path(const struct provider *root, struct node_layout *l, bool *rke2,
				     struct result *res)
{
	struct node_layout kl;
	struct result scratch;
	struct flagset fs;
	const struct flag_occ *o;
	char *dir = NULL, *config = NULL;

	/* the kubelet's own diagnostics belong to `kanon kubelet --root` */
	result_init(&scratch);
	flagset_init(&fs);
	*rke2 = false;
	if (node_find_kubelet(root, &kl, &scratch) == 1 && !kl.unknown) {
		/* RKE2's kubelet: its --pod-manifest-path is below data-dir */
		*rke2 = kl.kind && !strcmp(kl.kind, "rke2");
		flags_parse(&kl.argv, NULL, 0, &fs);
		if ((o = flags_last(&fs, "pod-manifest-path")) && o->value && *o->value)
			dir = xstrdup(o->value);
		else if ((o = flags_last(&fs, "config")) && o->value && *o->value)
			config = xstrdup(o->value);
	}
	if (!dir)
		dir =
		    config_static_pod_path(root, config ? config : KUBEADM_KUBELET_CONFIG, l, res);
	free(config);
	flagset_release(&fs);
	node_layout_release(&kl);
	result_release(&scratch);
	if (dir) {
		char *c = path_clean(dir);
		free(dir);
		dir = c;
	}
	return dir;
}

static char *join(const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
	return strbuf_detach(&p);
}

/* The files of dir the kubelet would run (not recursing), as paths. */
static int list_dir(const struct provider *root, const char *dir, struct path_list *out,
		    struct result *res)
{
	struct path_list all = {0};
	struct err e = { 0 };
	size_t kept = 0;

	if (provider_list(root, dir, &all, NULL, &e) < 0) {
		result_diag(res, DIAG_WARNING, "%s (a static pod directory)", e.msg);
		return -1;
	}
	for (size_t i = 0; i < all.n; i++) {
		const char *f = all.v[i];
		if (strchr(f, '/') || f[0] == '.')
			continue;
		if (++kept > MAX_FILES) {
			result_diag(res, DIAG_WARNING,
				    "%s: more than %d files; the others are not read", dir,
				    MAX_FILES);
			break;
		}
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = join(dir, f);
	}
	path_list_release(&all);
	return 0;
}

/* The kubelet reads regular files (and symlinks to them) only. */
static bool is_regular(const struct provider *root, const char *path)
{
	struct stat st;

	return provider_stat(root, path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The manifest in dir: kube-apiserver.yaml, else the first that runs it. */
static int scan_dir(const struct provider *root, const char *dir, bool rke2, struct node_layout *l,
		    struct result *res)
{
	char *def = join(dir, "kube-apiserver.yaml");
	struct path_list files = {0};
	struct strbuf others = STRBUF_INIT;
	const char *pick = is_regular(root, def) ? def : NULL;
	unsigned kind = pick ? manifest_kind(root, pick) : 0;

	if (!pick)
		node_layout_file(l, NODE_MANIFEST, def, false, NULL);
	if (provider_is_dir(root, dir) && list_dir(root, dir, &files, res) == 0) {
		for (size_t i = 0; i < files.n; i++) {
			unsigned k;
			if (!strcmp(files.v[i], def) ||
			    !((k = manifest_kind(root, files.v[i])) & RUNS_APISERVER))
				continue;
			if (!pick) {
				pick = files.v[i];
				kind = k;
				continue;
			}
			node_layout_file(l, NODE_MANIFEST, files.v[i], true,
					 "also runs kube-apiserver; not audited");
			strbuf_addf(&others, "%s%s", others.len ? ", " : "", files.v[i]);
		}
	}
	if (pick) {
		node_layout_file(l, NODE_MANIFEST, pick, true, NULL);
		l->manifest = xstrdup(pick);
		l->where = xstrdup(pick);
		l->kind = rke2 || !strcmp(dir, RKE2_MANIFESTS) ? "rke2"
			  : kind & BY_KUBEADM		       ? "kubeadm"
							       : "static-pod";
		l->fix = !strcmp(l->kind, "rke2")      ? fix_rke2
			 : !strcmp(l->kind, "kubeadm") ? fix_kubeadm
						       : fix_static;
		if (others.len)
			result_diag(res, DIAG_WARNING,
				    "%s: the kubelet runs every file of its static pod directory "
				    "(pkg/kubelet/config/file.go extractFromDir), and these run "
				    "kube-apiserver too: %s; kanon audits %s only",
				    dir, others.buf, pick);
	}
	strbuf_release(&others);
	path_list_release(&files);
	free(def);
	return pick ? 1 : 0;
}

static void stray_note(const struct provider *root, const char *spp, const char *dir,
		       struct result *res)
{
	char *p = join(dir, "kube-apiserver.yaml");

	if (strcmp(spp, dir) && provider_exists(root, p))
		result_diag(res, DIAG_WARNING,
			    "%s: not run: the kubelet's static pod directory is %s, not %s", p,
			    spp, dir);
	free(p);
}

int node_static_pod_apiserver(const struct provider *root, struct node_layout *out,
			      struct result *res)
{
	bool rke2;
	char *spp = kubelet_static_pod_path(root, out, &rke2, res);
	const char *dirs[] = {spp, KUBEADM_MANIFESTS, RKE2_MANIFESTS};
	int r = 0;

	if (spp) {
		/* the kubelet runs its own directory only: a manifest left in
		 * the usual places is not run (said, not audited) */
		r = scan_dir(root, spp, rke2, out, res);
		for (size_t i = 1; i < ARRAY_SIZE(dirs) && r == 0; i++)
			stray_note(root, spp, dirs[i], res);
		free(spp);
		return r;
	}
	for (size_t i = 1; i < ARRAY_SIZE(dirs) && !r; i++)
		r = scan_dir(root, dirs[i], false, out, res);
	return r;
}
