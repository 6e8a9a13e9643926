/*
 * kubeconfig loading and merging (sources/kubeconfig.h). The semantics are
 * client-go's: tools/clientcmd/loader.go (ClientConfigLoadingRules.Load:
 * the precedence list, "the first file to set a particular map key wins",
 * current-context from the first file that sets it; ResolveLocalPaths) and
 * tools/clientcmd/client_config.go (token before tokenFile). Within one
 * file a name given twice keeps the last entry, as decoding the named
 * lists into Go maps does (api/v1/conversion.go).
 */
#include "sources/kubeconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/yaml.h"
#include "sources/file.h"
#include "core/banned.h"

void kubeconfig_init(struct kubeconfig *kc)
{
	memset(kc, 0, sizeof(*kc));
}

/* Overwrite secret bytes before freeing them. */
static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void bytes_release(struct kc_bytes *b)
{
	if (b->data) {
		explicit_bzero(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

static void exec_destroy(struct kc_exec *x)
{
	if (!x)
		return;
	free(x->command);
	for (size_t i = 0; i < x->nargs; i++)
		free(x->args[i]);
	free(x->args);
	for (size_t i = 0; i < x->nenv; i++)
		free_secret(x->env[i]);
	free(x->env);
	free(x->api_version);
	free(x->install_hint);
	free(x);
}

static void cluster_release(struct kc_cluster *c)
{
	free(c->name);
	free(c->origin);
	free(c->server);
	free(c->ca_file);
	bytes_release(&c->ca_data);
	free(c->tls_server_name);
	free(c->proxy_url);
	memset(c, 0, sizeof(*c));
}

static void user_release(struct kc_user *u)
{
	free(u->name);
	free(u->origin);
	free(u->cert_file);
	free(u->key_file);
	bytes_release(&u->cert_data);
	bytes_release(&u->key_data);
	free_secret(u->token);
	free(u->token_file);
	free(u->username);
	free_secret(u->password);
	exec_destroy(u->exec);
	free(u->auth_provider);
	memset(u, 0, sizeof(*u));
}

static void context_release(struct kc_context *c)
{
	free(c->name);
	free(c->origin);
	free(c->cluster);
	free(c->user);
	free(c->namespace);
	memset(c, 0, sizeof(*c));
}

void kubeconfig_release(struct kubeconfig *kc)
{
	for (size_t i = 0; i < kc->nclusters; i++)
		cluster_release(&kc->clusters[i]);
	for (size_t i = 0; i < kc->nusers; i++)
		user_release(&kc->users[i]);
	for (size_t i = 0; i < kc->ncontexts; i++)
		context_release(&kc->contexts[i]);
	for (size_t i = 0; i < kc->nfiles; i++)
		free(kc->files[i]);
	free(kc->clusters);
	free(kc->users);
	free(kc->contexts);
	free(kc->files);
	free(kc->current_context);
	free(kc->current_origin);
	kubeconfig_init(kc);
}

/* ------------------------------------------------ base64 */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int kc_base64_decode(const char *s, size_t len, struct kc_bytes *out)
{
	unsigned char *buf = xmalloc(len / 4 * 3 + 4);
	unsigned acc = 0, bits = 0;
	size_t n = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad)
			goto bad;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (pad > 2 || bits >= 6)
		goto bad;
	out->data = buf;
	out->len = n;
	return 0;
bad:
	explicit_bzero(buf, len / 4 * 3 + 4);
	free(buf);
	return -1;
}

/* ------------------------------------------------ one file */

struct kc_file {
	const char *name;
	char *dir; /* for relative paths: the file's directory */
	struct err *e;
};

/* A string field (NULL when absent); -1 with the error set when not a string. */
static int get_str(const struct kc_file *f, const struct node *map, const char *key, char **out)
{
	const struct node *v = node_map_get(map, key);
	const char *s;

	*out = NULL;
	if (!v || node_is_null(v))
		return 0;
	if (node_get_string(v, &s) < 0 || v->nul)
		return err_set(f->e, f->name, v->line, "%s: not a string", key);
	*out = xstrdup(s);
	return 0;
}

/* A path field, made absolute against the file's directory (ResolvePaths). */
static int get_path(const struct kc_file *f, const struct node *map, const char *key, char **out)
{
	struct strbuf sb = STRBUF_INIT;

	if (get_str(f, map, key, out) < 0)
		return -1;
	if (!*out || !**out || (*out)[0] == '/')
		return 0;
	strbuf_addf(&sb, "%s/%s", f->dir, *out);
	free(*out);
	*out = strbuf_detach(&sb);
	return 0;
}

static int get_bool(const struct kc_file *f, const struct node *map, const char *key, bool *out)
{
	const struct node *v = node_map_get(map, key);

	*out = false;
	if (!v || node_is_null(v))
		return 0;
	if (node_get_bool(v, out) < 0)
		return err_set(f->e, f->name, v->line, "%s: not a boolean", key);
	return 0;
}

/* A *-data field: base64 in the file (a Go []byte in JSON). */
static int get_data(const struct kc_file *f, const struct node *map, const char *key,
		    struct kc_bytes *out)
{
	const struct node *v = node_map_get(map, key);
	const char *s;

	if (!v || node_is_null(v))
		return 0;
	if (node_get_string(v, &s) < 0 || kc_base64_decode(s, strlen(s), out) < 0)
		/* the value is a secret: not quoted in the message */
		return err_set(f->e, f->name, v->line, "%s: not base64 data", key);
	return 0;
}

static const struct node *get_map(const struct kc_file *f, const struct node *map, const char *key,
				  int *bad)
{
	const struct node *v = node_map_get(map, key);

	if (!v || node_is_null(v))
		return NULL;
	if (v->kind != NODE_MAP) {
		*bad = err_set(f->e, f->name, v->line, "%s: not a mapping", key);
		return NULL;
	}
	return v;
}

static int parse_cluster(const struct kc_file *f, const struct node *m, struct kc_cluster *c)
{
	int bad = 0;
	const struct node *cl = get_map(f, m, "cluster", &bad);

	if (bad || !cl)
		return bad ? -1 : 0;
	if (get_str(f, cl, "server", &c->server) < 0 ||
	    get_path(f, cl, "certificate-authority", &c->ca_file) < 0 ||
	    get_data(f, cl, "certificate-authority-data", &c->ca_data) < 0 ||
	    get_bool(f, cl, "insecure-skip-tls-verify", &c->insecure) < 0 ||
	    get_str(f, cl, "tls-server-name", &c->tls_server_name) < 0 ||
	    get_str(f, cl, "proxy-url", &c->proxy_url) < 0)
		return -1;
	return 0;
}

static int parse_strlist(const struct kc_file *f, const struct node *v, char ***out, size_t *n)
{
	size_t alloc = 0;

	if (!v || node_is_null(v))
		return 0;
	if (v->kind != NODE_SEQ)
		return err_set(f->e, f->name, v->line, "exec args: not a list");
	for (size_t i = 0; i < v->n; i++) {
		const char *s;
		if (node_get_string(v->kids[i], &s) < 0 || v->kids[i]->nul)
			return err_set(f->e, f->name, v->kids[i]->line, "exec args: not a string");
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static int parse_env(const struct kc_file *f, const struct node *v, struct kc_exec *x)
{
	size_t alloc = 0;

	if (!v || node_is_null(v))
		return 0;
	if (v->kind != NODE_SEQ)
		return err_set(f->e, f->name, v->line, "exec env: not a list");
	for (size_t i = 0; i < v->n; i++) {
		char *name = NULL, *value = NULL;
		struct strbuf sb = STRBUF_INIT;
		if (v->kids[i]->kind != NODE_MAP || get_str(f, v->kids[i], "name", &name) < 0 ||
		    get_str(f, v->kids[i], "value", &value) < 0 || !name || !*name ||
		    strchr(name, '=')) {
			free(name);
			free_secret(value);
			return err_set(f->e, f->name, v->kids[i]->line,
				       "exec env: each entry needs a name (without '=') and a "
				       "value");
		}
		strbuf_addf(&sb, "%s=%s", name, value ? value : "");
		free(name);
		free_secret(value);
		ALLOC_GROW(x->env, x->nenv + 1, alloc);
		x->env[x->nenv++] = strbuf_detach(&sb);
	}
	return 0;
}

static int parse_interactive(const struct kc_file *f, const struct node *ex, struct kc_exec *x)
{
	static const char *const names[] = {"", "Never", "IfAvailable", "Always"};
	char *mode = NULL;

	if (get_str(f, ex, "interactiveMode", &mode) < 0)
		return -1;
	x->interactive = KC_INTERACTIVE_UNSET;
	for (size_t i = 1; mode && i < ARRAY_SIZE(names); i++)
		if (!strcmp(mode, names[i]))
			x->interactive = (enum kc_interactive)i;
	if (mode && *mode && x->interactive == KC_INTERACTIVE_UNSET) {
		err_set(f->e, f->name, node_map_get(ex, "interactiveMode")->line,
			"exec interactiveMode '%s': not Never, IfAvailable or Always", mode);
		free(mode);
		return -1;
	}
	free(mode);
	return 0;
}

/* An exec command is resolved only when it names a path (loader.go:
 * GetAuthInfoFileReferences: "only resolve exec command if it isn't PATH based"). */
static int parse_exec(const struct kc_file *f, const struct node *ex, struct kc_exec **out)
{
	struct kc_exec *x = xcalloc(1, sizeof(*x));

	*out = x;
	if (get_str(f, ex, "command", &x->command) < 0 ||
	    get_str(f, ex, "apiVersion", &x->api_version) < 0 ||
	    get_str(f, ex, "installHint", &x->install_hint) < 0 ||
	    get_bool(f, ex, "provideClusterInfo", &x->provide_cluster_info) < 0 ||
	    parse_strlist(f, node_map_get(ex, "args"), &x->args, &x->nargs) < 0 ||
	    parse_env(f, node_map_get(ex, "env"), x) < 0 || parse_interactive(f, ex, x) < 0)
		return -1;
	if (!x->command || !*x->command)
		return err_set(f->e, f->name, ex->line, "exec: no command");
	if (x->command[0] != '/' && strchr(x->command, '/')) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/%s", f->dir, x->command);
		free(x->command);
		x->command = strbuf_detach(&sb);
	}
	return 0;
}

static int parse_user(const struct kc_file *f, const struct node *m, struct kc_user *u)
{
	int bad = 0;
	const struct node *us = get_map(f, m, "user", &bad), *ex, *ap;

	if (bad || !us)
		return bad ? -1 : 0;
	if (get_path(f, us, "client-certificate", &u->cert_file) < 0 ||
	    get_data(f, us, "client-certificate-data", &u->cert_data) < 0 ||
	    get_path(f, us, "client-key", &u->key_file) < 0 ||
	    get_data(f, us, "client-key-data", &u->key_data) < 0 ||
	    get_str(f, us, "token", &u->token) < 0 ||
	    get_path(f, us, "tokenFile", &u->token_file) < 0 ||
	    get_str(f, us, "username", &u->username) < 0 ||
	    get_str(f, us, "password", &u->password) < 0)
		return -1;
	ex = get_map(f, us, "exec", &bad);
	if (bad || (ex && parse_exec(f, ex, &u->exec) < 0))
		return -1;
	ap = get_map(f, us, "auth-provider", &bad);
	if (bad || (ap && get_str(f, ap, "name", &u->auth_provider) < 0))
		return -1;
	if (ap && !u->auth_provider)
		u->auth_provider = xstrdup("");
	return 0;
}

static int parse_context(const struct kc_file *f, const struct node *m, struct kc_context *c)
{
	int bad = 0;
	const struct node *cx = get_map(f, m, "context", &bad);

	if (bad || !cx)
		return bad ? -1 : 0;
	if (get_str(f, cx, "cluster", &c->cluster) < 0 || get_str(f, cx, "user", &c->user) < 0 ||
	    get_str(f, cx, "namespace", &c->namespace) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------ merging */

/* The index of the entry called key (n: none). Every entry struct starts
 * with its name. */
static size_t find_named(const void *arr, size_t n, size_t stride, const char *key)
{
	const char *p = arr;
	size_t i = 0;

	while (i < n && strcmp(*(char *const *)(const void *)(p + i * stride), key))
		i++;
	return i;
}

#define FIND_NAMED(arr, n, key) find_named((arr), (n), sizeof(*(arr)), (key))

/* Which entries kc had before this file: those win over it. */
struct kc_before {
	size_t clusters, users, contexts;
};

/*
 * Add entry `item` (already parsed) to an array unless an earlier file set
 * that name; a repeat within this file replaces the entry.
 */
#define MERGE_NAMED(arr, n, alloc, before, item, release)                                          \
	do {                                                                                       \
		size_t at_ = FIND_NAMED(arr, n, (item).name);                                      \
		if (at_ < (before)) {                                                              \
			release(&(item));                                                          \
		} else if (at_ < (n)) {                                                            \
			release(&(arr)[at_]);                                                      \
			(arr)[at_] = (item);                                                       \
		} else {                                                                           \
			ALLOC_GROW(arr, (n) + 1, alloc);                                           \
			(arr)[(n)++] = (item);                                                     \
		}                                                                                  \
	} while (0)

/* The items of a named list ("clusters"), each { name: X, <kind>: {...} }. */
static const struct node *named_list(const struct kc_file *f, const struct node *doc,
				     const char *key, int *bad)
{
	const struct node *v = node_map_get(doc, key);

	if (!v || node_is_null(v))
		return NULL;
	if (v->kind != NODE_SEQ) {
		*bad = err_set(f->e, f->name, v->line, "%s: not a list", key);
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct node *name;
		const char *s;
		if (v->kids[i]->kind != NODE_MAP || !(name = node_map_get(v->kids[i], "name")) ||
		    node_get_string(name, &s) < 0 || !*s) {
			*bad = err_set(f->e, f->name, v->kids[i]->line,
				       "%s: an entry without a name", key);
			return NULL;
		}
	}
	return v;
}

static const char *entry_name(const struct node *m)
{
	const char *s = NULL;

	node_get_string(node_map_get(m, "name"), &s);
	return s;
}

static int merge_clusters(struct kubeconfig *kc, const struct kc_file *f, const struct node *l,
			  size_t before)
{
	for (size_t i = 0; l && i < l->n; i++) {
		struct kc_cluster c;
		memset(&c, 0, sizeof(c));
		c.name = xstrdup(entry_name(l->kids[i]));
		c.origin = xstrdup(f->name);
		if (parse_cluster(f, l->kids[i], &c) < 0) {
			cluster_release(&c);
			return -1;
		}
		MERGE_NAMED(kc->clusters, kc->nclusters, kc->aclusters, before, c, cluster_release);
	}
	return 0;
}

static int merge_users(struct kubeconfig *kc, const struct kc_file *f, const struct node *l,
		       size_t before)
{
	for (size_t i = 0; l && i < l->n; i++) {
		struct kc_user u;
		memset(&u, 0, sizeof(u));
		u.name = xstrdup(entry_name(l->kids[i]));
		u.origin = xstrdup(f->name);
		if (parse_user(f, l->kids[i], &u) < 0) {
			user_release(&u);
			return -1;
		}
		MERGE_NAMED(kc->users, kc->nusers, kc->ausers, before, u, user_release);
	}
	return 0;
}

static int merge_contexts(struct kubeconfig *kc, const struct kc_file *f, const struct node *l,
			  size_t before)
{
	for (size_t i = 0; l && i < l->n; i++) {
		struct kc_context c;
		memset(&c, 0, sizeof(c));
		c.name = xstrdup(entry_name(l->kids[i]));
		c.origin = xstrdup(f->name);
		if (parse_context(f, l->kids[i], &c) < 0) {
			context_release(&c);
			return -1;
		}
		MERGE_NAMED(kc->contexts, kc->ncontexts, kc->acontexts, before, c, context_release);
	}
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int merge_doc(struct kubeconfig *kc, const struct kc_file *f, const struct node *doc)
{
	struct kc_before b = {kc->nclusters, kc->nusers, kc->ncontexts};
	const struct node *cl, *us, *cx;
	char *cur = NULL;
	int bad = 0;

	if (doc->kind != NODE_MAP)
		return err_set(f->e, f->name, doc->line, "not a kubeconfig (a mapping)");
	cl = named_list(f, doc, "clusters", &bad);
	us = bad ? NULL : named_list(f, doc, "users", &bad);
	cx = bad ? NULL : named_list(f, doc, "contexts", &bad);
	if (bad || get_str(f, doc, "current-context", &cur) < 0)
		return -1;
	if (merge_clusters(kc, f, cl, b.clusters) < 0 || merge_users(kc, f, us, b.users) < 0 ||
	    merge_contexts(kc, f, cx, b.contexts) < 0) {
		free(cur);
		return -1;
	}
	if (cur && *cur && !kc->current_context) {
		kc->current_context = cur;
		kc->current_origin = xstrdup(f->name);
	} else {
		free(cur);
	}
	return 0;
}

int kubeconfig_merge_buf(struct kubeconfig *kc, const char *buf, size_t len, const char *name,
			 struct err *e)
{
	struct yaml_docs docs = {0};
	struct kc_file f = {name, dir_of(name), e};
	int ret = 0;

	if (yaml_parse(buf, len, name, &docs, e) < 0) {
		ret = -1;
		goto out;
	}
	/* an empty file is an empty config (loader.go: Load of zero bytes) */
	if (docs.n)
		ret = merge_doc(kc, &f, docs.doc[0]);
	ALLOC_GROW(kc->files, kc->nfiles + 1, kc->afiles);
	kc->files[kc->nfiles++] = xstrdup(name);
out:
	yaml_docs_release(&docs);
	free(f.dir);
	return ret;
}

/* ------------------------------------------------ loading */

static int merge_file(struct kubeconfig *kc, const char *path, bool must_exist, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int r = file_read(path, NULL, FILE_MAX_CONFIG, &sb, e);

	if (r == -ENOENT && !must_exist)
		r = 0; /* loader.go: a missing file of the list is skipped */
	else if (r >= 0)
		r = kubeconfig_merge_buf(kc, sb.buf, sb.len, path, e);
	/* the buffer held keys and tokens */
	if (sb.buf)
		explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

static bool seen(const struct kubeconfig *kc, const char *path)
{
	for (size_t i = 0; i < kc->nfiles; i++)
		if (!strcmp(kc->files[i], path))
			return true;
	return false;
}

/* rest.InClusterConfig: KUBERNETES_SERVICE_HOST/PORT and the service account. */
static int in_cluster(struct kubeconfig *kc, const char *sa_dir, struct err *e)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	struct strbuf server = STRBUF_INIT, ca = STRBUF_INIT, tok = STRBUF_INIT;
	bool v6 = host && strchr(host, ':');

	if (!host || !*host || !port || !*port)
		return err_set(e, NULL, 0,
			       "no kubeconfig: $KUBECONFIG is empty and ~/.kube/config does "
			       "not exist (give --kubeconfig FILE)");
	strbuf_addf(&server, "https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
	strbuf_addf(&ca, "%s/ca.crt", sa_dir);
	strbuf_addf(&tok, "%s/token", sa_dir);
	ALLOC_GROW(kc->clusters, 1, kc->aclusters);
	ALLOC_GROW(kc->users, 1, kc->ausers);
	ALLOC_GROW(kc->contexts, 1, kc->acontexts);
	memset(&kc->clusters[0], 0, sizeof(kc->clusters[0]));
	memset(&kc->users[0], 0, sizeof(kc->users[0]));
	memset(&kc->contexts[0], 0, sizeof(kc->contexts[0]));
	kc->clusters[0] = (struct kc_cluster){.name = xstrdup("in-cluster"),
					      .origin = xstrdup(sa_dir),
					      .server = strbuf_detach(&server),
					      .ca_file = strbuf_detach(&ca)};
	kc->users[0] = (struct kc_user){.name = xstrdup("in-cluster"),
					.origin = xstrdup(sa_dir),
					.token_file = strbuf_detach(&tok)};
	kc->contexts[0] = (struct kc_context){.name = xstrdup("in-cluster"),
					      .origin = xstrdup(sa_dir),
					      .cluster = xstrdup("in-cluster"),
					      .user = xstrdup("in-cluster")};
	kc->nclusters = kc->nusers = kc->ncontexts = 1;
	kc->current_context = xstrdup("in-cluster");
	kc->in_cluster = true;
	return 0;
}

int kubeconfig_load(struct kubeconfig *kc, const char *explicit_path, const char *env,
		    const char *home, const char *sa_dir, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	if (explicit_path)
		return merge_file(kc, explicit_path, true, e);
	if (env && *env) {
		const char *p = env;
		while (ret == 0 && *p) {
			size_t len = strcspn(p, ":");
			strbuf_reset(&sb);
			strbuf_add(&sb, p, len);
			if (len && !seen(kc, sb.buf))
				ret = merge_file(kc, sb.buf, false, e);
			p += len + (p[len] == ':');
		}
	} else if (home && *home) {
		strbuf_addf(&sb, "%s/.kube/config", home);
		ret = merge_file(kc, sb.buf, false, e);
	}
	strbuf_release(&sb);
	if (ret < 0)
		return ret;
	if (!kc->nfiles && sa_dir)
		return in_cluster(kc, sa_dir, e);
	if (!kc->nfiles)
		return err_set(e, NULL, 0, "no kubeconfig: %s (give --kubeconfig FILE)",
			       env && *env ? "no file $KUBECONFIG names exists"
					   : "~/.kube/config does not exist");
	return 0;
}

int kubeconfig_resolve(const struct kubeconfig *kc, const char *context, struct kc_target *t,
		       struct err *e)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->context = context ? context : kc->current_context;
	if (!t->context || !*t->context)
		return err_set(e, NULL, 0,
			       "no current-context in the kubeconfig and no --context given");
	i = FIND_NAMED(kc->contexts, kc->ncontexts, t->context);
	if (i == kc->ncontexts)
		return err_set(e, NULL, 0, "context '%s' not found in the kubeconfig%s", t->context,
			       context ? " (--context)" : " (current-context)");
	t->ctx = &kc->contexts[i];
	i = t->ctx->cluster ? FIND_NAMED(kc->clusters, kc->nclusters, t->ctx->cluster)
			    : kc->nclusters;
	if (i == kc->nclusters)
		return err_set(e, NULL, 0, "context '%s': cluster '%s' not found in the kubeconfig",
			       t->context, t->ctx->cluster ? t->ctx->cluster : "");
	t->cluster = &kc->clusters[i];
	if (!t->cluster->server || !*t->cluster->server)
		return err_set(e, NULL, 0, "cluster '%s' (%s) has no server", t->cluster->name,
			       t->cluster->origin);
	if (t->ctx->user && *t->ctx->user) {
		i = FIND_NAMED(kc->users, kc->nusers, t->ctx->user);
		if (i == kc->nusers)
			return err_set(e, NULL, 0,
				       "context '%s': user '%s' not found in the kubeconfig",
				       t->context, t->ctx->user);
		t->user = &kc->users[i];
	}
	if (t->user && t->user->auth_provider)
		return err_set(e, NULL, 0,
			       "user '%s' uses auth-provider '%s', which kubectl removed in "
			       "1.26: use its exec plugin (gke-gcloud-auth-plugin, kubelogin)",
			       t->user->name, t->user->auth_provider);
	return 0;
}

const char *kc_user_auth_kind(const struct kc_user *u)
{
	if (!u)
		return "no credentials";
	if (u->exec)
		return "exec plugin";
	if (u->cert_file || u->cert_data.data)
		return "client certificate";
	if (u->token)
		return "bearer token";
	if (u->token_file)
		return "bearer token file";
	if (u->username)
		return "basic authentication";
	return "no credentials";
}
