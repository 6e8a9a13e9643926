/*
 * kube-apiserver static pod manifests and Pod objects. The container
 * command line is `command` + `args` (k8s.io/api core/v1 Container: "The
 * container image's ENTRYPOINT is used if [command is] not provided";
 * args are appended). kubeadm writes spec.containers[0].command
 * (cmd/kubeadm/app/phases/controlplane/manifests.go), RKE2 uses `args`.
 */
#include "model/apiserver_manifest.h"

#include <stdlib.h>
#include <string.h>

#include "model/apiserver_config.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/node.h"
#include "parsers/yaml.h"
#include "core/banned.h"

#define MAX_PODS 4096

void apiserver_pods_release(struct apiserver_pods *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct apiserver_pod *a = &p->v[i];
		free(a->pod_name);
		free(a->container);
		free(a->why);
		free(a->image);
		argv_release(&a->argv);
		free(a->lines);
		free(a->unresolved);
		argv_release(&a->opaque);
		free(a->no_cmdline);
		free(a->warning);
	}
	free(p->v);
	free(p->skipped);
	memset(p, 0, sizeof(*p));
}

int apiserver_image_minor(const char *image)
{
	const char *slash, *colon, *at;
	char tag[64];
	size_t l;

	if (!image)
		return -1;
	at = strchr(image, '@'); /* a digest: the tag (if any) is before it */
	l = at ? (size_t)(at - image) : strlen(image);
	slash = NULL;
	for (size_t i = 0; i < l; i++)
		if (image[i] == '/')
			slash = image + i;
	colon = NULL;
	for (const char *p = slash ? slash : image; p < image + l; p++)
		if (*p == ':')
			colon = p;
	if (!colon || (size_t)(image + l - colon - 1) >= sizeof(tag))
		return -1;
	memcpy(tag, colon + 1, (size_t)(image + l - colon - 1));
	tag[image + l - colon - 1] = '\0';
	return apiserver_parse_minor(tag);
}

static bool is_shell(const char *w)
{
	const char *b = strrchr(w, '/');
	b = b ? b + 1 : w;
	return !strcmp(b, "sh") || !strcmp(b, "bash") || !strcmp(b, "ash") ||
	       !strcmp(b, "dash");
}

/* The literal value of env var `name` (len bytes) of the container, or NULL
 * (not defined, or set with valueFrom, which only the kubelet resolves:
 * *from is set then). */
static const char *env_value(const struct node *env, const char *name, size_t len,
			     bool *from)
{
	const char *found = NULL, *s;

	*from = false;
	for (size_t i = 0; env && env->kind == NODE_SEQ && i < env->n; i++) {
		const struct node *e = env->kids[i], *n, *v;
		if (e->kind != NODE_MAP || !(n = node_map_get(e, "name")) ||
		    node_get_string(n, &s) < 0 || strlen(s) != len || memcmp(s, name, len))
			continue;
		v = node_map_get(e, "value");
		found = v && node_get_string(v, &s) == 0 ? s : v && node_is_null(v) ? "" : NULL;
		*from = !v && node_map_get(e, "valueFrom");
		if (!v && !*from)
			found = "";
	}
	return found;
}

/*
 * $(VAR) references in command/args, expanded from the container's env as
 * the kubelet does (third_party/forked/golang/expansion/expand.go): $$ is a
 * literal $, an undefined $(VAR) stays as written.
 */
static void expand(const char *w, const struct node *env, struct strbuf *out,
		   struct strbuf *unresolved, struct argv_list *opaque,
		   const char *display, int line)
{
	const char *p = w;
	bool from;

	strbuf_reset(out);
	while (*p) {
		const char *close, *v;
		if (p[0] != '$' || !p[1]) {
			strbuf_addch(out, *p++);
			continue;
		}
		if (p[1] == '$') {
			strbuf_addch(out, '$');
			p += 2;
			continue;
		}
		if (p[1] != '(' || !(close = strchr(p + 2, ')'))) {
			strbuf_addch(out, *p++);
			continue;
		}
		v = env_value(env, p + 2, (size_t)(close - p - 2), &from);
		if (v) {
			strbuf_addstr(out, v);
		} else {
			if (from) {
				struct strbuf ref = STRBUF_INIT;
				bool seen = false;
				strbuf_add(&ref, p, (size_t)(close - p + 1));
				for (size_t i = 0; i < opaque->n; i++)
					seen |= !strcmp(opaque->v[i], ref.buf);
				if (!seen)
					argv_push(opaque, ref.buf);
				strbuf_release(&ref);
			}
			strbuf_add(out, p, (size_t)(close - p + 1));
			strbuf_addf(unresolved, "%s%s:%d: %.*s", unresolved->len ? "; " : "",
				    display, line, (int)(close - p + 1), p);
		}
		p = close + 1;
	}
}

/* The words of command or args; -1 when an item is not a string. */
static int collect(const struct node *seq, const struct node *env, const char *what,
		   const char *display, struct argv_list *words, int **lines,
		   size_t *nlines, struct strbuf *unresolved, struct argv_list *opaque,
		   struct err *e)
{
	struct strbuf x = STRBUF_INIT;

	if (!seq || node_is_null(seq))
		return 0;
	if (seq->kind != NODE_SEQ)
		return err_set(e, display, seq->line, "%s must be a list of strings, not %s "
			       "(the kubelet cannot decode this Pod)", what,
			       node_kind_name(seq));
	for (size_t i = 0; i < seq->n; i++) {
		const struct node *w = seq->kids[i];
		const char *s;
		if (node_get_string(w, &s) < 0) {
			strbuf_release(&x);
			return err_set(e, display, w->line, "%s[%zu] must be a string, not %s "
				       "(quote it; the kubelet cannot decode this Pod)", what, i,
				       node_kind_name(w));
		}
		expand(s, env, &x, unresolved, opaque, display, w->line);
		argv_push(words, strbuf_str(&x));
		ALLOC_GROW(*lines, words->n, *nlines);
		(*lines)[words->n - 1] = w->line;
	}
	strbuf_release(&x);
	return 0;
}

/* How strongly a container looks like kube-apiserver (0: not at all). */
static int container_score(const struct node *c, const char **why)
{
	const struct node *cmd = node_map_get(c, "command");
	const struct node *args = node_map_get(c, "args");
	const struct node *name = node_map_get(c, "name");
	const struct node *image = node_map_get(c, "image");
	const char *s;

	for (int pass = 0; pass < 2; pass++) {
		const struct node *seq = pass ? args : cmd;
		for (size_t i = 0; seq && seq->kind == NODE_SEQ && i < seq->n; i++) {
			if (node_get_string(seq->kids[i], &s) < 0)
				continue;
			const char *w0 = seq->kids[0]->str ? seq->kids[0]->str : "";
			if (apiserver_argv0_is(s) ||
			    (i == 2 && is_shell(w0) && strstr(s, "kube-apiserver"))) {
				*why = pass ? "its args run kube-apiserver"
					    : "its command runs kube-apiserver";
				return 3;
			}
		}
	}
	if (name && node_get_string(name, &s) == 0 && !strcmp(s, "kube-apiserver")) {
		*why = "it is named kube-apiserver";
		return 2;
	}
	if (image && node_get_string(image, &s) == 0 && strstr(s, "kube-apiserver")) {
		*why = "its image is kube-apiserver";
		return 1;
	}
	return 0;
}

static int pod_add(const struct node *pod, const char *display,
		   struct apiserver_pods *out, struct err *e)
{
	const struct node *meta = node_map_get(pod, "metadata");
	const struct node *spec = node_map_get(pod, "spec");
	const struct node *cs, *best = NULL, *pn, *env;
	const char *why = NULL, *s;
	struct apiserver_pod *p;
	struct argv_list words;
	struct strbuf unresolved = STRBUF_INIT;
	struct argv_list opaque = {0};
	int *lines = NULL, bestscore = 0;
	size_t nlines = 0, bi = 0, start = 0;
	int ret = 0;

	cs = spec && spec->kind == NODE_MAP ? node_map_get(spec, "containers") : NULL;
	if (!cs || cs->kind != NODE_SEQ)
		return err_set(e, display, spec ? spec->line : pod->line,
			       "a Pod without spec.containers");
	for (size_t i = 0; i < cs->n; i++) {
		const char *w = NULL;
		int sc;
		if (cs->kids[i]->kind != NODE_MAP)
			return err_set(e, display, cs->kids[i]->line, "spec.containers[%zu] "
				       "must be an object, not %s", i,
				       node_kind_name(cs->kids[i]));
		sc = container_score(cs->kids[i], &w);
		if (sc > bestscore) {
			bestscore = sc;
			best = cs->kids[i];
			bi = i;
			why = w;
		}
	}
	pn = meta && meta->kind == NODE_MAP ? node_map_get(meta, "name") : NULL;
	if (!best) {
		struct strbuf sb = STRBUF_INIT;
		if (out->skipped)
			strbuf_addf(&sb, "%s; ", out->skipped);
		strbuf_addf(&sb, "%s:%d %s (containers:", display, pod->line,
			    pn && node_get_string(pn, &s) == 0 ? s : "a Pod");
		for (size_t i = 0; i < cs->n; i++) {
			const struct node *cn = node_map_get(cs->kids[i], "name");
			strbuf_addf(&sb, " %s", cn && node_get_string(cn, &s) == 0 ? s : "?");
		}
		strbuf_addch(&sb, ')');
		free(out->skipped);
		out->skipped = strbuf_detach(&sb);
		return 0;
	}
	argv_init(&words);
	env = node_map_get(best, "env");
	argv_init(&opaque);
	if (collect(node_map_get(best, "command"), env, "command", display, &words,
		    &lines, &nlines, &unresolved, &opaque, e) < 0 ||
	    collect(node_map_get(best, "args"), env, "args", display, &words, &lines,
		    &nlines, &unresolved, &opaque, e) < 0) {
		ret = -1;
		goto out;
	}
	/* `sh -c 'kube-apiserver ...'`: the script's words, all on its line */
	if (words.n >= 3 && is_shell(words.v[0]) && !strcmp(words.v[1], "-c")) {
		struct argv_list sw;
		struct err se = { 0 };
		int line = lines[2];

		argv_init(&sw);
		if (cmdline_split(words.v[2], &sw, &se) < 0) {
			argv_release(&sw);
			ret = err_set(e, display, line, "cannot split the sh -c script: %s",
				      se.msg);
			goto out;
		}
		/* the shell expands $VAR, ${VAR:-x}, $(cmd) and `cmd` at run time:
		 * kanon cannot know what they become (the model treats values
		 * that contain them as unknown, and a word that starts with one
		 * as possibly any flags) */
		for (size_t i = 0; i < sw.n; i++) {
			const char *x = strpbrk(sw.v[i], "$`");
			bool seen = false;
			if (!x)
				continue;
			for (size_t j = 0; j < opaque.n; j++)
				seen |= !strcmp(opaque.v[j], x);
			if (!seen)
				argv_push(&opaque, x);
		}
		argv_release(&words);
		words = sw;
		ALLOC_GROW(lines, words.n ? words.n : 1, nlines);
		for (size_t i = 0; i < words.n; i++)
			lines[i] = line;
	}
	if (out->n >= MAX_PODS) {
		ret = err_set(e, display, pod->line, "more than %d Pods", MAX_PODS);
		goto out;
	}
	ALLOC_GROW(out->v, out->n + 1, out->alloc);
	p = &out->v[out->n++];
	memset(p, 0, sizeof(*p));
	argv_init(&p->argv);
	p->pod_name = pn && node_get_string(pn, &s) == 0 ? xstrdup(s) : NULL;
	pn = node_map_get(best, "name");
	p->container = pn && node_get_string(pn, &s) == 0 ? xstrdup(s) : NULL;
	p->index = bi;
	p->ncontainers = cs->n;
	p->container_line = best->line;
	p->why = xstrdup(why);
	if (unresolved.len)
		p->unresolved = strbuf_detach(&unresolved);
	p->opaque = opaque;
	argv_init(&opaque);
	pn = node_map_get(best, "image");
	if (pn && node_get_string(pn, &s) == 0) {
		p->image = xstrdup(s);
		p->image_line = pn->line;
	}

	if (!node_map_get(best, "command") && !node_map_get(best, "args")) {
		/* core/v1 Container: without command and args the image's
		 * ENTRYPOINT runs with its CMD, which may hold any flags */
		struct strbuf w = STRBUF_INIT;
		strbuf_addf(&w, "%s:%d: the container sets neither command nor args, so "
			    "it runs the image's ENTRYPOINT and CMD, whose flags kanon "
			    "cannot see; give the running API server's command line "
			    "(--pid, or --cmdline from ps)", display, best->line);
		p->no_cmdline = strbuf_detach(&w);
	}
	/* a wrapper (go-runner, ...) runs kube-apiserver: start at its word */
	for (size_t i = 0; i < words.n; i++) {
		if (apiserver_argv0_is(words.v[i])) {
			start = i;
			break;
		}
	}
	if (!words.n || (start == 0 && !apiserver_argv0_is(words.v[0]) &&
			 !node_map_get(best, "command"))) {
		/* args only: the image's entrypoint is kube-apiserver */
		argv_push(&p->argv, "kube-apiserver");
		ALLOC_GROW(p->lines, 1, p->alines);
		p->lines[0] = best->line;
	}
	if (words.n && !p->argv.n && !apiserver_argv0_is(words.v[start])) {
		struct strbuf w = STRBUF_INIT;
		strbuf_addf(&w, "%s:%d: the container's command is '%s', not kube-apiserver; "
			    "kanon reads its arguments as kube-apiserver flags", display,
			    lines[start], words.v[start]);
		p->warning = strbuf_detach(&w);
	}
	for (size_t i = start; i < words.n; i++) {
		/* a shell script: stop at a separator or redirection */
		if (words.v[i][0] != '-' && strpbrk(words.v[i], "<>|;&"))
			break;
		argv_push(&p->argv, words.v[i]);
		ALLOC_GROW(p->lines, p->argv.n, p->alines);
		p->lines[p->argv.n - 1] = lines[i];
	}
out:
	argv_release(&words);
	argv_release(&opaque);
	strbuf_release(&unresolved);
	free(lines);
	return ret;
}

static int walk_object(const struct node *obj, const char *display,
		       struct apiserver_pods *out, int depth, struct err *e)
{
	const struct node *kind;
	const char *k = NULL;

	if (obj->kind != NODE_MAP)
		return err_set(e, display, obj->line, "expected a Pod object, not %s",
			       node_kind_name(obj));
	kind = node_map_get(obj, "kind");
	if (kind)
		node_get_string(kind, &k);
	if (k && !strcmp(k, "Pod"))
		return pod_add(obj, display, out, e);
	if (k && ends_with(k, "List") && depth < 2) {
		const struct node *items = node_map_get(obj, "items");
		for (size_t i = 0; items && items->kind == NODE_SEQ && i < items->n; i++)
			if (walk_object(items->kids[i], display, out, depth + 1, e) < 0)
				return -1;
		return 0;
	}
	return err_set(e, display, kind ? kind->line : obj->line,
		       "expected kind: Pod (or a List of Pods), not %s",
		       k ? k : "an object without kind");
}

int apiserver_manifest_parse(const char *buf, size_t len, const char *display,
			     struct apiserver_pods *out, struct err *e)
{
	struct yaml_docs docs = { 0 };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (yaml_parse(buf, len, display, &docs, e) < 0) {
		ret = -1;
		goto out;
	}
	if (!docs.n) {
		ret = err_set(e, display, 1, "the file is empty: no Pod");
		goto out;
	}
	for (size_t i = 0; i < docs.n; i++) {
		if (walk_object(docs.doc[i], display, out, 0, e) < 0) {
			ret = -1;
			goto out;
		}
	}
out:
	yaml_docs_release(&docs);
	return ret;
}
