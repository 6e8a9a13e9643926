#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fix/fix.h"
#include "fix/fix_kubelet.h"
#include "fix/fix_overlay.h"
#include "fix/fix_text.h"
#include "fix/fix_yaml.h"
#include "parsers/flags.h"
#include "sources/provider.h"
#include "core/banned.h"

/*
 * The kubelet's settings are fixed where their effective value comes
 * from (kubelet_config.c keeps the chain of sources of each): the flag
 * word in the drop-in, environment file or k3s/RKE2 config.yaml line
 * that wrote it, the --config file, or the --config-dir drop-in that set
 * it last. Flags win over every file (cmd/kubelet/app/server.go), so with
 * a config file the flags are removed and the file holds the value;
 * without one the flag's value is changed, or the flag added. After each
 * round the files are loaded again, through an overlay of the plan, and
 * the next source is looked at, until every value is safe.
 */

struct safe {
	enum kubelet_key k;
	const char *path[3];
	size_t depth;
	enum fix_scalar type;
	const char *value;
};

static const struct safe safe[] = {
    {KK_ANONYMOUS, {"authentication", "anonymous", "enabled"}, 3, FIX_BOOL, "false"},
    {KK_WEBHOOK_AUTHN, {"authentication", "webhook", "enabled"}, 3, FIX_BOOL, "true"},
    {KK_AUTHZ_MODE, {"authorization", "mode"}, 2, FIX_STRING, "Webhook"},
    {KK_READ_ONLY_PORT, {"readOnlyPort"}, 1, FIX_INT, "0"},
};

static bool is_safe(enum kubelet_key k, const struct kval *v)
{
	switch (k) {
	case KK_ANONYMOUS:
		return !v->b;
	case KK_WEBHOOK_AUTHN:
		return v->b;
	case KK_AUTHZ_MODE:
		return v->s && !strcmp(v->s, "Webhook");
	case KK_READ_ONLY_PORT:
		return v->i == 0;
	default:
		return true;
	}
}

void fix_kubelet_load_release(struct fix_kubelet_load *l)
{
	if (l->loaded)
		kubelet_effective_release(&l->ke);
	node_layout_release(&l->layout);
	result_release(&l->res);
	memset(l, 0, sizeof(*l));
}

int fix_kubelet_load(const struct fix_kubelet_src *s, const struct provider *p,
		     struct fix_kubelet_load *l, struct err *e)
{
	memset(l, 0, sizeof(*l));
	node_layout_init(&l->layout);
	result_init(&l->res);
	l->in.required = true;
	l->in.config = s->config;
	l->in.config_dir = s->config_dir;
	if (s->root) {
		int r = node_find_kubelet(p, &l->layout, &l->res);

		if (r <= 0)
			return err_set(e, NULL, 0, "no kubelet found in the node's files");
		if (l->layout.unknown)
			return err_set(e, NULL, 0, "the kubelet's command line cannot be known: %s",
				       l->layout.unknown);
		l->in.node = p;
		l->in.layout = &l->layout;
		l->in.argv = &l->layout.argv;
	} else {
		l->in.src = p;
		l->in.argv = s->argv;
	}
	kubelet_input_drop_unnamed(&l->in, &l->res);
	if (kubelet_effective_load(&l->in, &l->ke, &l->res) < 0 || l->res.input_error)
		return err_set(e, NULL, 0, "cannot read the kubelet's files");
	l->loaded = true;
	return 0;
}

static enum fix_word_style style_of(const char *path)
{
	return ends_with(path, ".yaml") || ends_with(path, ".yml") ? FIX_WORDS_YAML
								   : FIX_WORDS_SHELL;
}

/* The editable file of argv word i, or NULL with *e saying why. */
static const struct argv_origin *word_origin(const struct argv_list *argv, size_t i, struct err *e)
{
	const struct argv_origin *at = argv_origin(argv, i);

	if (!at || !at->path || at->line <= 0) {
		err_set(e, NULL, 0, "'%s' is not written in a file kanon can edit%s%s%s",
			argv->v[i], at && at->note ? " (" : "", at && at->note ? at->note : "",
			at && at->note ? ")" : "");
		return NULL;
	}
	return at;
}

/* Remove the first occurrence of --flag (config file in use), or set the
 * last one to the safe value (none). One edit: line numbers may move, so
 * the next one is found after loading again. */
static int edit_flags(struct fix_plan *plan, const struct fix_kubelet_load *l, const char *flag,
		      const char *value, bool remove, struct err *e)
{
	const struct argv_list *argv = l->in.argv;
	size_t nspecs, last = (size_t)-1;
	const struct flag_spec *specs = kubelet_flag_specs(&nspecs);
	struct flagset fs;
	int ret = 0;

	flagset_init(&fs);
	flags_parse(argv, specs, nspecs, &fs);
	for (size_t i = 0; i < fs.n; i++)
		if (!strcmp(fs.f[i].name, flag))
			last = i;
	for (size_t i = 0; i < fs.n && !ret; i++) {
		const struct flag_occ *o = &fs.f[i];
		const char *word = argv->v[o->argi];
		const char *next = o->value && !strchr(word, '=') ? argv->v[o->argi + 1] : NULL;
		const struct argv_origin *at;
		struct fix_file *f;
		struct strbuf repl = STRBUF_INIT;

		if (strcmp(o->name, flag) || (!remove && i != last))
			continue;
		if (!(at = word_origin(argv, o->argi, e)) ||
		    !(f = fix_plan_file(plan, at->path, false, e))) {
			ret = -1;
			break;
		}
		strbuf_addf(&repl, "--%s=%s", flag, value);
		ret = remove ? fix_word_remove(&f->new, at->line, style_of(at->path), word, next, e)
			     : fix_word_replace(&f->new, at->line, style_of(at->path), word, next,
						repl.buf, e);
		strbuf_release(&repl);
		break;
	}
	flagset_release(&fs);
	return ret;
}

/* No config file and no flag: the legacy default is unsafe; the flag is
 * added after the last word a file of the node wrote. */
static int add_flag(struct fix_plan *plan, const struct fix_kubelet_load *l, const char *flag,
		    const char *value, struct err *e)
{
	const struct argv_list *argv = l->in.argv;
	struct strbuf w = STRBUF_INIT, repl = STRBUF_INIT;
	struct fix_file *f;
	int ret = -1;

	for (size_t i = argv ? argv->n : 0; i-- > 1;) {
		const struct argv_origin *at = argv_origin(argv, i);

		if (!at || !at->path || at->line <= 0)
			continue;
		if (!(f = fix_plan_file(plan, at->path, false, e)))
			goto out;
		strbuf_addf(&w, "--%s=%s", flag, value);
		if (style_of(at->path) == FIX_WORDS_YAML) {
			ret = fix_item_insert_after(&f->new, at->line, w.buf + 2, e);
		} else {
			strbuf_addf(&repl, "%s %s", argv->v[i], w.buf);
			ret = fix_word_replace(&f->new, at->line, FIX_WORDS_SHELL, argv->v[i], NULL,
					       repl.buf, e);
		}
		goto out;
	}
	err_set(e, NULL, 0,
		"the kubelet has no --config file and no file of the node writes its flags: add "
		"--%s=%s to its command line by hand",
		flag, value);
out:
	strbuf_release(&w);
	strbuf_release(&repl);
	return ret;
}

static int set_in_file(struct fix_plan *plan, const char *path, const struct safe *sf,
		       struct err *e)
{
	struct fix_file *f = fix_plan_file(plan, path, false, e);

	if (!f)
		return -1;
	return fix_yaml_set(&f->new, f->display, sf->path, sf->depth, sf->type, sf->value, e);
}

/* One step for key sf->k, chosen by where its value now comes from. */
static int step(struct fix_plan *plan, const struct fix_kubelet_load *l, const struct safe *sf,
		struct err *e)
{
	const struct kubelet_model *m = &l->ke.files;
	const struct kval *v = &m->v[sf->k];
	const struct evidence *last = v->n ? &v->chain[v->n - 1] : NULL;
	const char *flag = kubelet_key_info(sf->k)->flag;

	if (!last)
		return err_set(e, NULL, 0, "%s: no source known", kubelet_key_info(sf->k)->name);
	if (last->kind == SRC_FLAG) {
		if (!last->path && !l->in.layout)
			return err_set(e, NULL, 0,
				       "--%s is set on the command line given with --cmdline: "
				       "change it where the kubelet's service defines it (--root "
				       "DIR finds that file)",
				       flag);
		return edit_flags(plan, l, flag, sf->value, m->config_file, e);
	}
	if (last->kind == SRC_CONFIG || last->kind == SRC_DROPIN)
		return set_in_file(plan, last->path, sf, e);
	if (last->kind == SRC_DEFAULT && !m->config_file)
		return add_flag(plan, l, flag, sf->value, e);
	return err_set(e, NULL, 0, "%s comes from %s: kanon cannot edit that",
		       kubelet_key_info(sf->k)->name, last->kind);
}

/* Text for buffers compared across rounds: did a step change anything? */
static size_t plan_weight(const struct fix_plan *plan, struct strbuf *all)
{
	strbuf_reset(all);
	for (size_t i = 0; i < plan->n; i++) {
		strbuf_add(all, strbuf_str(&plan->f[i]->new), plan->f[i]->new.len);
		strbuf_addch(all, 0);
	}
	return all->len;
}

static const char *restart_of(const struct fix_kubelet_load *l)
{
	const char *k = l->layout.kind ? l->layout.kind : "";

	if (!strcmp(k, "k3s"))
		return "systemctl restart k3s (k3s-agent on an agent node)";
	if (!strcmp(k, "rke2"))
		return "systemctl restart rke2-server (rke2-agent on an agent node)";
	return "systemctl daemon-reload && systemctl restart kubelet";
}

static void add_notes(const struct fix_kubelet_load *l, struct strbuf *notes)
{
	strbuf_addf(notes, "then restart the kubelet: %s\n", restart_of(l));
	strbuf_addstr(notes,
		      "warning: Webhook authorization and anonymous auth off need a client CA: "
		      "authentication.x509.clientCAFile (--client-ca-file) must name the CA of "
		      "the API server's kubelet client certificate, or kubectl logs/exec/"
		      "port-forward and metrics scraping are refused\n");
	if (l->layout.kind && !strcmp(l->layout.kind, "kubeadm"))
		strbuf_addstr(notes,
			      "note: kubeadm writes /var/lib/kubelet/config.yaml from the "
			      "kubelet-config ConfigMap in kube-system: change it there too, "
			      "or 'kubeadm upgrade' puts the old values back\n");
}

/* The first key that is not safe yet, -1 when none; an unknown value is an
 * error. */
static int first_unsafe(const struct fix_kubelet_load *l, struct err *e)
{
	const struct kubelet_model *m = &l->ke.files;

	if (m->invalid)
		return err_set(e, NULL, 0, "the kubelet would refuse this configuration: %s",
			       m->invalid),
		       -2;
	for (size_t i = 0; i < ARRAY_SIZE(safe); i++) {
		const struct kval *v = &m->v[safe[i].k];

		if (v->st != KV_OK)
			return err_set(e, NULL, 0, "%s is not known: %s",
				       kubelet_key_info(safe[i].k)->name,
				       v->reason ? v->reason : "no reason given"),
			       -2;
		if (!is_safe(safe[i].k, v))
			return (int)i;
	}
	return -1;
}

int fix_kubelet_plan(const struct fix_kubelet_src *s, struct fix_plan *plan, struct strbuf *notes,
		     struct err *e)
{
	const struct provider *under = s->root ? s->root : provider_fs();
	struct provider *ov = fix_overlay_create(under, plan);
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;
	struct fix_kubelet_load l;
	int ret = -1;

	for (int round = 0; round < 32; round++) {
		int k;

		if (fix_kubelet_load(s, ov, &l, e) < 0)
			break;
		k = first_unsafe(&l, e);
		if (k == -1) {
			if (fix_plan_changed(plan))
				add_notes(&l, notes);
			ret = 0;
			break;
		}
		if (k < -1)
			break;
		plan_weight(plan, &before);
		if (step(plan, &l, &safe[k], e) < 0)
			break;
		plan_weight(plan, &after);
		if (before.len == after.len && !memcmp(before.buf, after.buf, before.len)) {
			err_set(e, NULL, 0, "the edit of %s changed nothing: refusing to guess",
				kubelet_key_info(safe[k].k)->name);
			break;
		}
		fix_kubelet_load_release(&l);
	}
	if (ret < 0 && !e->msg[0])
		err_set(e, NULL, 0, "no safe edit found within 32 steps");
	fix_kubelet_load_release(&l);
	fix_overlay_destroy(ov);
	strbuf_release(&before);
	strbuf_release(&after);
	return ret;
}
