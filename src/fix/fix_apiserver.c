#include <stdlib.h>
#include <string.h>

#include "checks/apiserver.h"
#include "core/util.h"
#include "fix/fix.h"
#include "fix/fix_apiserver.h"
#include "fix/fix_overlay.h"
#include "fix/fix_text.h"
#include "fix/fix_yaml.h"
#include "parsers/flags.h"
#include "sources/provider.h"
#include "core/banned.h"

/*
 * The kube-apiserver's anonymous authentication, in its static pod
 * manifest. The semantics are those of apiserver_config.c
 * (pkg/kubeapiserver/options/authentication.go): --anonymous-auth
 * defaults to true; an `anonymous` block in the --authentication-config
 * file decides instead, and the two together stop the server ("--anonymous-auth
 * flag cannot be set when anonymous field is configured in authentication
 * configuration file"); conditions need enabled: true
 * (staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go).
 * Like fix_kubelet.c, one edit per round, then everything is loaded again
 * through an overlay of the plan.
 */

#define AUTHN_PATH   "/etc/kubernetes/authentication-config.yaml"
#define AUTHN_VOLUME "kanon-authentication-config"
#define CLUSTER_INFO "/api/v1/namespaces/kube-public/configmaps/cluster-info"

static const char *const health_paths[] = {"/livez", "/readyz", "/healthz"};

void fix_api_load_release(struct fix_api_load *l)
{
	if (l->loaded) {
		apiserver_model_release(&l->m);
		apiserver_context_release(&l->ctx);
	}
	apiserver_pods_release(&l->pods);
	node_layout_release(&l->layout);
	blob_release(&l->b);
	strbuf_release(&l->vsrc);
	result_release(&l->res);
	memset(l, 0, sizeof(*l));
}

/* k3s: the command line from config.yaml's kube-apiserver-arg. */
static int load_layout(const struct fix_apiserver_src *s, const struct provider *p,
		       struct fix_api_load *l, struct err *e)
{
	if (node_find_apiserver(p, &l->layout, &l->res) <= 0 || l->layout.manifest)
		return err_set(e, NULL, 0, "no k3s/RKE2 kube-apiserver command line in the root");
	if (l->layout.unknown)
		return err_set(e, NULL, 0, "%s", l->layout.unknown);
	l->in.argv = &l->layout.argv;
	l->in.node = p;
	l->in.layout = &l->layout;
	apiserver_pick_version(&l->in, s->user_minor, NULL, NULL, NULL, &l->vsrc, &l->res);
	return 0;
}

static int load_manifest(const struct fix_apiserver_src *s, const struct provider *p,
			 struct fix_api_load *l, struct err *e)
{
	const struct apiserver_pod *pod;

	if (provider_read(p, s->manifest, NULL, FIX_MAX_FILE, 0, &l->b, e) < 0 ||
	    apiserver_manifest_parse(l->b.data, l->b.len, l->b.name, &l->pods, e) < 0)
		return -1;
	if (l->pods.n != 1)
		return err_set(e, l->b.name, 0,
			       "%zu kube-apiserver containers: kanon fix edits a "
			       "static pod manifest with one",
			       l->pods.n);
	pod = &l->pods.v[0];
	if (pod->no_cmdline)
		return err_set(e, l->b.name, 0, "%s", pod->no_cmdline);
	l->file = l->b.name;
	l->in.argv = &pod->argv;
	l->in.argv_lines = pod->lines;
	l->in.argv_file = l->b.name;
	l->in.opaque = &pod->opaque;
	l->in.node = p;
	apiserver_pick_version(&l->in, s->user_minor, NULL, pod, l->b.name, &l->vsrc, &l->res);
	apiserver_pod_context(pod, l->b.name, &l->ctx);
	l->in.context = &l->ctx;
	l->in.ncontext = pod->ncontainers > 1;
	return 0;
}

int fix_api_load(const struct fix_apiserver_src *s, const struct provider *p,
		 struct fix_api_load *l, struct err *e)
{
	memset(l, 0, sizeof(*l));
	result_init(&l->res);
	node_layout_init(&l->layout);
	if ((s->from_layout ? load_layout(s, p, l, e) : load_manifest(s, p, l, e)) < 0)
		return -1;
	apiserver_model_init(&l->m);
	l->loaded = true;
	if (apiserver_model_load(&l->in, &l->m, &l->res) < 0)
		return err_set(e, NULL, 0, "cannot read the kube-apiserver's files");
	return 0;
}

/*
 * Where argv word i is written: the manifest's line, or (k3s) the
 * config.yaml line of its kube-apiserver-arg item. NULL when in no file.
 */
static struct fix_file *word_file(struct fix_plan *plan, const struct fix_api_load *l, size_t i,
				  int *line, struct err *e)
{
	const struct argv_origin *at;
	struct fix_file *f;

	if (l->file) {
		*line = l->in.argv_lines[i];
		if ((f = fix_plan_file(plan, l->file, false, e)))
			f->hidden_backup = true;
		return f;
	}
	at = argv_origin(l->in.argv, i);
	if (!at || !at->path || at->line <= 0) {
		err_set(e, NULL, 0, "'%s' is not written in a file kanon can edit",
			l->in.argv->v[i]);
		return NULL;
	}
	*line = at->line;
	return fix_plan_file(plan, at->path, false, e);
}

/* Replace the last --flag by repl, or remove the first when repl is NULL. */
static int edit_flag(struct fix_plan *plan, const struct fix_api_load *l, const char *flag,
		     const char *repl, struct err *e)
{
	static const struct flag_spec specs[] = {{"anonymous-auth", FLAG_BOOL}};
	const struct argv_list *argv = l->in.argv;
	const struct flag_occ *o;
	struct flagset fs;
	struct fix_file *f;
	int ret = -1;

	flagset_init(&fs);
	flags_parse(argv, specs, ARRAY_SIZE(specs), &fs);
	o = repl ? flags_last(&fs, flag) : NULL;
	for (size_t i = 0; !repl && i < fs.n; i++)
		if (!strcmp(fs.f[i].name, flag)) {
			o = &fs.f[i];
			break;
		}
	if (!o) {
		err_set(e, NULL, 0, "--%s is not on the command line", flag);
		goto out;
	}
	{
		const char *word = argv->v[o->argi];
		const char *next = o->value && !strchr(word, '=') ? argv->v[o->argi + 1] : NULL;
		int line;

		if (!(f = word_file(plan, l, o->argi, &line, e)))
			goto out;
		ret = repl ? fix_word_replace(&f->new, line, FIX_WORDS_YAML, word, next, repl, e)
			   : fix_word_remove(&f->new, line, FIX_WORDS_YAML, word, next, e);
	}
out:
	flagset_release(&fs);
	return ret;
}

/* A new item after the last word of the command line a file writes. */
static int add_word(struct fix_plan *plan, const struct fix_api_load *l, const char *word,
		    struct err *e)
{
	const struct argv_list *argv = l->in.argv;

	for (size_t i = argv->n; i-- > 0;) {
		const struct argv_origin *at = argv_origin(argv, i);
		struct fix_file *f;
		int line;

		if (!l->file && (!at || !at->path || at->line <= 0))
			continue;
		if (!(f = word_file(plan, l, i, &line, e)))
			return -1;
		return fix_item_insert_after(&f->new, line, l->file ? word : word + 2, e);
	}
	return err_set(e, NULL, 0, "no kube-apiserver-arg list to add %s to: add it by hand", word);
}

static bool has_flag(const struct fix_api_load *l, const char *flag)
{
	static const struct flag_spec specs[] = {{"anonymous-auth", FLAG_BOOL}};
	struct flagset fs;
	bool r;

	flagset_init(&fs);
	flags_parse(l->in.argv, specs, ARRAY_SIZE(specs), &fs);
	r = flags_last(&fs, flag) != NULL;
	flagset_release(&fs);
	return r;
}

static int disable_step(struct fix_plan *plan, const struct fix_api_load *l, struct err *e)
{
	const struct apiserver_model *m = &l->m;

	if (m->anon_from_file) {
		struct fix_file *f;
		static const char *const path[] = {"anonymous", "enabled"};

		if (m->ncond)
			return err_set(
			    e, m->authn_path, 0,
			    "anonymous.conditions are set: enabled: false with conditions "
			    "stops the server (validation.go: \"enabled should be set to "
			    "true when conditions are defined\"); remove the conditions "
			    "and set enabled: false by hand, or keep them with --mode "
			    "health-only");
		if (!(f = fix_plan_file(plan, m->authn_path, false, e)))
			return -1;
		return fix_yaml_set(&f->new, f->display, path, 2, FIX_BOOL, "false", e);
	}
	if (has_flag(l, "anonymous-auth"))
		return edit_flag(plan, l, "anonymous-auth", "--anonymous-auth=false", e);
	return add_word(plan, l, "--anonymous-auth=false", e);
}

/* Anonymous is limited to the allowed paths (or off). */
static bool health_done(const struct apiserver_model *m, bool join)
{
	if (!m->anon_enabled)
		return true;
	if (!m->anon_from_file || !m->ncond)
		return false;
	for (size_t i = 0; i < m->ncond; i++) {
		bool ok = join && !strcmp(m->cond[i].path, CLUSTER_INFO);

		for (size_t j = 0; j < ARRAY_SIZE(health_paths); j++)
			ok |= !strcmp(m->cond[i].path, health_paths[j]);
		if (!ok)
			return false;
	}
	return true;
}

static void anonymous_block(struct strbuf *t, bool join)
{
	strbuf_addstr(t, "anonymous:\n  enabled: true\n  conditions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(health_paths); i++)
		strbuf_addf(t, "  - path: %s\n", health_paths[i]);
	if (join)
		strbuf_addstr(t, "  - path: " CLUSTER_INFO "\n");
}

static const char *authn_api_version(int minor)
{
	/* AnonymousAuthConfigurableEndpoints: alpha 1.31, beta 1.32, GA 1.34
	 * (pkg/features/kube_features.go); the anonymous field is in
	 * v1alpha1 from 1.31, v1beta1 from 1.32, v1 from 1.34 */
	return minor >= 34   ? "apiserver.config.k8s.io/v1"
	       : minor >= 32 ? "apiserver.config.k8s.io/v1beta1"
			     : "apiserver.config.k8s.io/v1alpha1";
}

/* 1.31: the alpha gate, on --feature-gates (a word added to it, or a new flag). */
static int add_gate(struct fix_plan *plan, const struct fix_api_load *l, struct err *e)
{
	const struct argv_list *argv = l->in.argv;
	struct strbuf w = STRBUF_INIT;
	int ret;

	for (size_t i = argv->n; i-- > 1;)
		if (starts_with(argv->v[i], "--feature-gates=")) {
			int line;
			struct fix_file *f = word_file(plan, l, i, &line, e);

			if (!f)
				return -1;
			strbuf_addf(&w, "%s%sAnonymousAuthConfigurableEndpoints=true", argv->v[i],
				    argv->v[i][16] ? "," : "");
			ret = fix_word_replace(&f->new, line, FIX_WORDS_YAML, argv->v[i], NULL,
					       w.buf, e);
			strbuf_release(&w);
			return ret;
		}
	return add_word(plan, l, "--feature-gates=AnonymousAuthConfigurableEndpoints=true", e);
}

/* No --authentication-config: write one, mount it, point the flag at it. */
static int create_config(struct fix_plan *plan, const struct fix_api_load *l, bool join,
			 struct err *e)
{
	static const char *const mounts[] = {"spec", "containers", NULL, "volumeMounts"};
	static const char *const vols[] = {"spec", "volumes"};
	const char *mount_item[] = {"mountPath: " AUTHN_PATH, "name: " AUTHN_VOLUME,
				    "readOnly: true"};
	const char *vol_item[] = {"hostPath:", "  path: " AUTHN_PATH, "  type: File",
				  "name: " AUTHN_VOLUME};
	const char *mpath[4];
	struct fix_file *cfg, *man;
	struct strbuf idx = STRBUF_INIT;
	int ret = -1;

	if (!(cfg = fix_plan_file(plan, AUTHN_PATH, true, e)))
		return -1;
	if (cfg->exists)
		return err_set(e, AUTHN_PATH, 0,
			       "exists but the API server does not use it: not "
			       "overwritten; point --authentication-config at "
			       "it, or move it away");
	strbuf_reset(&cfg->new);
	strbuf_addf(&cfg->new,
		    "# Written by kanon fix apiserver --mode health-only: requests without\n"
		    "# credentials are authenticated (as system:anonymous) only on these paths,\n"
		    "# and get 401 everywhere else (KEP-4633).\n"
		    "apiVersion: %s\nkind: AuthenticationConfiguration\n",
		    authn_api_version(l->in.minor));
	anonymous_block(&cfg->new, join);
	if (!(man = fix_plan_file(plan, l->b.name, false, e)))
		return -1;
	man->hidden_backup = true;
	memcpy(mpath, mounts, sizeof(mpath));
	strbuf_addf(&idx, "#%zu", l->pods.v[0].index);
	mpath[2] = idx.buf;
	/* the flag first: it is found by its line, which the mounts move */
	if (add_word(plan, l, "--authentication-config=" AUTHN_PATH, e) < 0 ||
	    fix_yaml_seq_prepend(&man->new, man->display, mpath, 4, mount_item, 3, e) < 0 ||
	    fix_yaml_seq_prepend(&man->new, man->display, vols, 2, vol_item, 4, e) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&idx);
	return ret;
}

static int health_step(struct fix_plan *plan, const struct fix_api_load *l,
		       const struct fix_apiserver_src *s, struct err *e)
{
	const struct apiserver_model *m = &l->m;

	if (l->in.minor < 31)
		return err_set(
		    e, NULL, 0,
		    "Kubernetes 1.%d cannot limit anonymous requests to paths (anonymous "
		    "conditions arrived in 1.31, AnonymousAuthConfigurableEndpoints): "
		    "use --mode disable",
		    l->in.minor);
	if (!l->file)
		return err_set(e, NULL, 0,
			       "health-only on k3s/RKE2 is not built yet: write an "
			       "AuthenticationConfiguration and name it with "
			       "authentication-config=FILE in kube-apiserver-arg by hand, or use "
			       "--mode disable");
	if (m->anon_from_file)
		return err_set(e, m->authn_path, 0,
			       "the anonymous block allows more than the health paths: edit its "
			       "conditions by hand, or use --mode disable");
	if (l->in.minor == 31 && !m->gate_anon)
		return add_gate(plan, l, e);
	if (m->authn_used) {
		struct strbuf t = STRBUF_INIT;
		struct fix_file *f = fix_plan_file(plan, m->authn_path, false, e);
		int r;

		if (!f)
			return -1;
		anonymous_block(&t, s->allow_join_discovery);
		t.len--; /* the last newline: fix_yaml_append_key ends each line */
		t.buf[t.len] = '\0';
		r = fix_yaml_append_key(&f->new, f->display, "anonymous", t.buf, e);
		strbuf_release(&t);
		return r;
	}
	return create_config(plan, l, s->allow_join_discovery, e);
}

static bool is_kubeadm(const struct fix_api_load *l)
{
	return l->file && strstr(l->b.data, "kubeadm.kubernetes.io/") != NULL;
}

static void add_notes(const struct fix_apiserver_src *s, const struct fix_api_load *l,
		      struct strbuf *notes)
{
	if (l->file)
		strbuf_addstr(notes, "then: the kubelet restarts the static pod when the manifest "
				     "changes; wait until https://NODE:6443/readyz answers ok\n");
	else
		strbuf_addf(notes,
			    "then: systemctl restart %s (the server unit); wait until "
			    "https://NODE:6443/readyz answers ok\n",
			    l->layout.kind ? l->layout.kind : "k3s");
	strbuf_addstr(notes, "warning: HA control plane: change one control-plane node at a "
			     "time, and wait for /readyz on it before the next\n");
	if (s->mode == FIX_API_DISABLE)
		strbuf_addstr(notes, "warning: load balancers and monitors that check GET /healthz "
				     "(/livez, /readyz) without credentials get 401 from now on: "
				     "give them credentials, use a TCP check, or use --mode "
				     "health-only instead\n");
	if (is_kubeadm(l)) {
		if (!s->allow_join_discovery)
			strbuf_addstr(
			    notes,
			    "note: kubeadm cluster: 'kubeadm join' with token discovery "
			    "reads " CLUSTER_INFO
			    " without credentials and fails from now on; join with 'kubeadm join "
			    "--discovery-file FILE' (a kubeconfig holding the cluster CA, copied "
			    "to "
			    "the node), or rerun with --mode health-only --allow-join-discovery\n");
		strbuf_addstr(notes, "note: kubeadm rewrites this manifest on 'kubeadm upgrade': "
				     "put the change into the ClusterConfiguration too (apiServer "
				     "extraArgs / extraVolumes)\n");
	}
}

int fix_apiserver_plan(const struct fix_apiserver_src *s, struct fix_plan *plan,
		       struct strbuf *notes, struct err *e)
{
	const struct provider *under = s->root ? s->root : provider_fs();
	struct provider *ov = fix_overlay_create(under, plan);
	struct fix_api_load l;
	int ret = -1;

	memset(&l, 0, sizeof(l));
	/* RKE2 writes its pod manifests from config.yaml at every start
	 * (pkg/podexecutor/staticpod.go APIServer): an edit of the manifest
	 * would be undone */
	if (!s->from_layout && ((s->layout_kind && !strcmp(s->layout_kind, "rke2")) ||
				strstr(s->manifest, "/rancher/"))) {
		err_set(e, s->manifest, 0,
			"RKE2 rewrites this manifest from its config.yaml at every start: set "
			"anonymous-auth=false in the kube-apiserver-arg list of "
			"/etc/rancher/rke2/config.yaml (or a config.yaml.d file), then systemctl "
			"restart rke2-server; kanon fix does not edit generated manifests");
		goto out;
	}
	for (int round = 0; round < 16; round++) {
		const struct apiserver_model *m;

		if (fix_api_load(s, ov, &l, e) < 0)
			break;
		m = &l.m;
		if (round == 0 && s->mode == FIX_API_HEALTH_ONLY && !l.in.version_source &&
		    l.file) {
			err_set(e, NULL, 0,
				"the Kubernetes version is not known (no tag on the "
				"image): give --k8s-version 1.N");
			break;
		}
		/* the flag beside a file `anonymous` block stops the server */
		if (m->anon_from_file && m->anon_flag_set) {
			if (edit_flag(plan, &l, "anonymous-auth", NULL, e) < 0)
				break;
			fix_api_load_release(&l);
			continue;
		}
		if (apiserver_invalid_for(m, DOM_ANON | DOM_AUTHN)) {
			err_set(e, NULL, 0, "the API server would refuse this configuration: %s",
				apiserver_invalid_for(m, DOM_ANON | DOM_AUTHN)->msg);
			break;
		}
		if (!m->anon_known) {
			err_set(e, NULL, 0, "anonymous authentication is not known: %s",
				m->anon_reason ? m->anon_reason : "no reason given");
			break;
		}
		if (s->mode == FIX_API_DISABLE ? !m->anon_enabled
					       : health_done(m, s->allow_join_discovery)) {
			if (fix_plan_changed(plan))
				add_notes(s, &l, notes);
			ret = 0;
			break;
		}
		if ((s->mode == FIX_API_DISABLE ? disable_step(plan, &l, e)
						: health_step(plan, &l, s, e)) < 0)
			break;
		fix_api_load_release(&l);
	}
	if (ret < 0 && !e->msg[0])
		err_set(e, NULL, 0, "no safe edit found within 16 steps");
out:
	fix_api_load_release(&l);
	fix_overlay_destroy(ov);
	return ret;
}
