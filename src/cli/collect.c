/* What `kanon collect` copies, records and redacts (collect.h). */
#include "cli/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/scan_node.h"
#include "core/util.h"
#include "model/node.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char REDACTED[] = "REDACTED-BY-KANON";

void collect_init(struct collect *cx, struct result *res, bool no_audit)
{
	memset(cx, 0, sizeof(*cx));
	cx->w.dirfd = -1;
	strbuf_init(&cx->manifest);
	cx->res = res;
	cx->no_audit = no_audit;
}

void collect_release(struct collect *cx)
{
	snapshot_writer_close(&cx->w);
	strbuf_release(&cx->manifest);
	path_list_release(&cx->copied);
}

void collect_src_init(struct collect_src *src, const char *target, const char *role,
		      const char *path)
{
	memset(src, 0, sizeof(*src));
	src->target = target;
	src->role = role;
	src->path = path;
}

static void key_str(struct jsonw *j, const char *key, const char *v)
{
	jsonw_key(j, key);
	jsonw_string_or_null(j, v);
}

static void emit_stat(struct jsonw *j, const struct collect_src *src)
{
	char mode[8];

	if (!src->have_st)
		return;
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(src->st.st_mode & 07777));
	jsonw_key(j, "size");
	jsonw_uint(j, (uint64_t)src->st.st_size);
	key_str(j, "mode", mode);
	jsonw_key(j, "uid");
	jsonw_uint(j, (uint64_t)src->st.st_uid);
	jsonw_key(j, "gid");
	jsonw_uint(j, (uint64_t)src->st.st_gid);
}

void collect_src_emit(struct collect *cx, struct collect_src *src)
{
	struct jsonw *j = &cx->j;

	jsonw_break(j, 4);
	jsonw_object_begin(j);
	key_str(j, "target", src->target);
	key_str(j, "role", src->role);
	key_str(j, "path", src->path);
	key_str(j, "copy", src->copy);
	emit_stat(j, src);
	if (src->sha[0])
		key_str(j, "sha256", src->sha);
	if (src->redacted) {
		jsonw_key(j, "redacted_lines");
		jsonw_uint(j, src->redacted);
		key_str(j, "copy_sha256", src->copy_sha);
	}
	if (src->secret) {
		jsonw_key(j, "secret");
		jsonw_bool(j, true);
	}
	if (src->note)
		key_str(j, "note", src->note);
	if (src->error)
		key_str(j, "error", src->error);
	jsonw_object_end(j);
	if (src->error) {
		cx->nfailed++;
		result_diag(cx->res, DIAG_WARNING, "%s: %s", src->target, src->error);
	} else if (src->copy) {
		cx->ncopied++;
	} else {
		cx->nrecorded++;
	}
	cx->nredacted += src->redacted;
	free(src->copy);
	free(src->note);
	free(src->error);
}

static bool copied_before(struct collect *cx, const char *rel)
{
	for (size_t i = 0; i < cx->copied.n; i++)
		if (!strcmp(cx->copied.v[i], rel))
			return true;
	ALLOC_GROW(cx->copied.v, cx->copied.n + 1, cx->copied.alloc);
	cx->copied.v[cx->copied.n++] = xstrdup(rel);
	return false;
}

void collect_write(struct collect *cx, struct collect_src *src, const char *rel, const char *data,
		   size_t len)
{
	struct err e = { 0 };
	struct sha256 h;

	if (!src->sha[0]) {
		sha256_init(&h);
		sha256_add(&h, data, len);
		sha256_final_hex(&h, src->sha);
	}
	if (snapshot_write(&cx->w, rel, data, len, &e) < 0)
		src->error = xstrdup(e.msg);
	else
		src->copy = xstrdup(rel);
}

/* ------------------------------------------------------------ secrets */

bool collect_has_private_key(const char *data, size_t len)
{
	static const char *const marks[] = {"PRIVATE KEY-----", "client-key-data",
					    "PRIVATE KEY BLOCK"};

	for (size_t i = 0; i < ARRAY_SIZE(marks); i++)
		if (memmem(data, len, marks[i], strlen(marks[i])))
			return true;
	return false;
}

/* Does the key name a secret (token, secret, password), any case? */
static bool secret_key(const char *k, size_t n)
{
	static const char *const words[] = {"token", "secret", "password", "passwd"};
	char low[128];

	if (!n || n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* Where the value of a secret KEY=value / KEY: value line starts, or NULL. */
static const char *secret_value(const char *line, const char *end)
{
	const char *p = line, *k;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p > 7 && !strncmp(p, "export ", 7))
		p += 7;
	k = p;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
		p++;
	if (!secret_key(k, (size_t)(p - k)))
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || (*p != '=' && *p != ':'))
		return NULL;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	/* empty, or a path to the secret (token-file: /x): nothing to hide */
	if (p == end || *p == '/' || ((*p == '"' || *p == '\'') && p + 1 < end && p[1] == '/'))
		return NULL;
	return p;
}

unsigned collect_redact(struct strbuf *out, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	unsigned n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *v = secret_value(p, eol);

		if (v) {
			strbuf_add(out, p, (size_t)(v - p));
			strbuf_addstr(out, REDACTED);
			n++;
		} else {
			strbuf_add(out, p, (size_t)(eol - p));
		}
		if (nl)
			strbuf_addch(out, '\n');
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* A name that holds a key whatever its content (*.key, pki keys). */
static bool secret_name(const char *path)
{
	return ends_with(path, ".key") || ends_with(path, "-key.pem") ||
	       ends_with(path, "_key.pem") || ends_with(path, ".p12") || ends_with(path, ".pfx");
}

/* ------------------------------------------------------------ files */

static void copy_blob(struct collect *cx, struct collect_src *src, const struct blob *b,
		      const char *rel)
{
	struct strbuf red = STRBUF_INIT;
	struct sha256 h;

	if (collect_has_private_key(b->data, b->len)) {
		src->secret = true;
		src->note = xstrdup("holds a private key or client credentials: not copied "
				    "(path, mode, owner and size recorded)");
		return;
	}
	sha256_init(&h);
	sha256_add(&h, b->data, b->len);
	sha256_final_hex(&h, src->sha);
	src->redacted = collect_redact(&red, b->data, b->len);
	if (src->redacted) {
		sha256_init(&h);
		sha256_add(&h, red.buf, red.len);
		sha256_final_hex(&h, src->copy_sha);
	}
	collect_write(cx, src, rel, red.buf, red.len);
	strbuf_release(&red);
}

/* readlink(2) of path through files, into target: its length, or -1. */
static ssize_t link_target(const struct provider *files, const char *path, char *target,
			   size_t size)
{
	const char *slash = strrchr(path, '/');
	struct strbuf parent = STRBUF_INIT;
	ssize_t n = -1;
	int fd;

	if (!slash)
		return -1;
	strbuf_add(&parent, path, slash == path ? 1 : (size_t)(slash - path));
	fd = files->ops->open(files, parent.buf, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		n = readlinkat(fd, slash + 1, target, size - 1);
		close(fd);
	}
	strbuf_release(&parent);
	if (n >= 0)
		target[n] = '\0';
	return n;
}

/*
 * A symbolic link that must stay one in the snapshot: any when `any` (a
 * --config-dir that is a link: the kubelet does not walk it,
 * kubelet_config.c), else only a link to /dev/null (how systemd masks a
 * unit or a drop-in; node_systemd.c reads the link). Returns false when
 * path is not such a link: then its content is copied.
 */
static bool copy_link(struct collect *cx, const struct provider *files, const char *dir,
		      const char *role, const char *path, bool any)
{
	struct strbuf prefix = STRBUF_INIT;
	struct err e = { 0 };
	struct collect_src src;
	struct stat st;
	char target[4096], *rel;
	ssize_t n;

	if (provider_lstat(files, path, &st) < 0 || !S_ISLNK(st.st_mode))
		return false;
	n = link_target(files, path, target, sizeof(target));
	if (!any && (n < 0 || strcmp(target, "/dev/null")))
		return false;
	strbuf_addf(&prefix, "%s/root", dir);
	rel = snapshot_node_path(prefix.buf, path);
	strbuf_release(&prefix);
	if (rel && copied_before(cx, rel)) {
		free(rel);
		return true;
	}
	collect_src_init(&src, dir, role, path);
	src.st = st;
	src.have_st = true;
	src.note = xstrdup(any ? "a symbolic link (the kubelet does not walk it): kept as one"
			       : "a symbolic link to /dev/null (masked): kept as one");
	if (n <= 0 || !rel || !snapshot_path_ok(target[0] == '/' ? target + 1 : target))
		src.error = xstrdup("cannot copy the symbolic link (unreadable, or a target "
				    "kanon does not write)");
	else if (snapshot_symlink(&cx->w, rel, target, &e) < 0)
		src.error = xstrdup(e.msg);
	else
		src.copy = xstrdup(rel);
	collect_src_emit(cx, &src);
	free(rel);
	return true;
}

/* Why path is not copied before reading it, or NULL. */
static const char *skip_reason(const char *path, const char *rel, struct collect_src *src)
{
	if (path[0] != '/')
		return "relative to the process's working directory, which a snapshot "
		       "does not keep: not copied";
	if (!rel)
		return "the path has '..' or characters kanon does not write: not copied";
	if (secret_name(path)) {
		src->secret = true;
		return "a private key: not copied (path, mode, owner and size recorded)";
	}
	return NULL;
}

void collect_node_file(struct collect *cx, const struct provider *files, const char *dir,
		       const char *role, const char *path)
{
	struct strbuf prefix = STRBUF_INIT;
	struct err e = { 0 };
	struct collect_src src;
	const char *why;
	char *rel;
	struct blob b;

	if (copy_link(cx, files, dir, role, path, false))
		return;
	strbuf_addf(&prefix, "%s/root", dir);
	rel = snapshot_node_path(prefix.buf, path);
	strbuf_release(&prefix);
	if (rel && copied_before(cx, rel)) {
		free(rel);
		return;
	}
	collect_src_init(&src, dir, role, path);
	src.have_st = provider_stat(files, path, &src.st) == 0;
	why = skip_reason(path, rel, &src);
	if (why && !src.secret)
		/* scan of the snapshot will miss a file it reads: say so */
		result_diag(cx->res, DIAG_WARNING, "%s: %s: %s", dir, path, why);
	if (why)
		src.note = xstrdup(why);
	else if (provider_read(files, path, NULL, FILE_MAX_CONFIG, 0, &b, &e) < 0)
		src.error = xstrdup(e.msg);
	else {
		copy_blob(cx, &src, &b, rel);
		blob_release(&b);
	}
	collect_src_emit(cx, &src);
	free(rel);
}

/* Flags that name credentials: kubeconfigs, keys, token files, webhook
 * kubeconfigs, encryption configs. */
static bool secret_flag(const char *role)
{
	static const char *const words[] = {"key",    "token",	    "kubeconfig",
					    "secret", "encryption", "webhook-config"};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(role, words[i]))
			return true;
	return false;
}

/* A file kanon does not read (a kubeconfig, a key, a CA): recorded only. */
static void record(struct collect *cx, const struct provider *files, const char *dir,
		   const char *role, const char *path)
{
	struct collect_src src;

	collect_src_init(&src, dir, role, path);
	src.have_st = provider_stat(files, path, &src.st) == 0;
	src.secret = secret_name(path) || secret_flag(role);
	src.note = xstrdup(src.have_st ? "not read by kanon (keys, kubeconfigs and tokens are "
					 "never copied): path, mode, owner and size recorded"
				       : "not read by kanon; not found on the node");
	collect_src_emit(cx, &src);
}

/* --config-dir: the *.conf drop-ins the kubelet reads (kubelet_config.c). */
static void collect_dir(struct collect *cx, const struct provider *files, const char *dir,
			const char *path)
{
	struct path_list list = {0}, skipped = {0};
	struct err e = { 0 };
	struct collect_src src;

	if (copy_link(cx, files, dir, "--config-dir", path, true))
		return;
	if (provider_list(files, path, &list, &skipped, &e) < 0) {
		collect_src_init(&src, dir, "--config-dir", path);
		src.error = xstrdup(e.msg);
		collect_src_emit(cx, &src);
	}
	for (size_t i = 0; i < list.n && i < 1000; i++) {
		struct strbuf p = STRBUF_INIT;

		if (!ends_with(list.v[i], ".conf"))
			continue;
		strbuf_addf(&p, "%s/%s", path, list.v[i]);
		collect_node_file(cx, files, dir, "--config-dir", p.buf);
		strbuf_release(&p);
	}
	path_list_release(&list);
	path_list_release(&skipped);
}

/* Flags whose files kanon reads, so a snapshot must hold them. */
static bool read_flag(enum node_program p, const char *name)
{
	if (p == NODE_KUBELET)
		return !strcmp(name, "config") || !strcmp(name, "config-dir");
	return !strcmp(name, "authentication-config") || !strcmp(name, "authorization-config");
}

/* Flag i of argv as name (without dashes) and value; false when it is not
 * "--name=value" or "--name value". */
static bool flag_at(const struct argv_list *a, size_t *i, struct strbuf *name, const char **v)
{
	const char *w = a->v[*i], *eq;

	if (strncmp(w, "--", 2) || !w[2])
		return false;
	eq = strchr(w, '=');
	strbuf_reset(name);
	strbuf_add(name, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
	if (eq) {
		*v = eq + 1;
	} else if (*i + 1 < a->n && a->v[*i + 1][0] != '-') {
		*v = a->v[++*i];
	} else {
		*v = NULL;
	}
	return *v != NULL;
}

void collect_flags(struct collect *cx, const struct node_comp *c, const char *dir)
{
	struct strbuf name = STRBUF_INIT, role = STRBUF_INIT;
	const char *v;

	for (size_t i = 1; c->cmd && i < c->cmd->n; i++) {
		if (!flag_at(c->cmd, &i, &name, &v) || !*v)
			continue;
		strbuf_reset(&role);
		strbuf_addf(&role, "--%s", name.buf);
		if (read_flag(c->program, name.buf) && !strcmp(name.buf, "config-dir"))
			collect_dir(cx, c->files, dir, v);
		else if (read_flag(c->program, name.buf))
			collect_node_file(cx, c->files, dir, role.buf, v);
		else if (v[0] == '/' && strcmp(name.buf, "audit-log-path"))
			record(cx, c->files, dir, role.buf, v);
	}
	strbuf_release(&name);
	strbuf_release(&role);
}

/* ------------------------------------------------------------ audit */

static void copy_audit_file(struct collect *cx, const struct node_comp *c, const char *dir,
			    const char *path)
{
	const char *base = strrchr(path, '/');
	struct err e = { 0 };
	struct strbuf rel = STRBUF_INIT;
	struct collect_src src;
	struct sha256 h;
	uint64_t size = 0;
	int fd;

	base = base ? base + 1 : path;
	strbuf_addf(&rel, "%s/%s", dir, base);
	collect_src_init(&src, dir, "audit-log", path);
	src.have_st = provider_stat(c->files, path, &src.st) == 0;
	if (cx->no_audit) {
		src.note = xstrdup("--no-audit: not copied");
	} else if ((fd = provider_open(c->files, path, 0, &e)) < 0) {
		src.error = xstrdup(e.msg);
	} else {
		sha256_init(&h);
		/* as is: a gzipped backup stays gzipped */
		if (snapshot_copy_fd(&cx->w, rel.buf, fd, UINT64_MAX, &h, &size, &e) < 0) {
			src.error = xstrdup(e.msg);
		} else {
			sha256_final_hex(&h, src.sha);
			src.copy = strbuf_detach(&rel);
		}
		close(fd);
	}
	collect_src_emit(cx, &src);
	strbuf_release(&rel);
}

void collect_audit(struct collect *cx, const struct node_scan *s, const char *node)
{
	struct strbuf dir = STRBUF_INIT;

	strbuf_addf(&dir, "audit/%s", node);
	for (size_t i = 0; i < s->n; i++) {
		const struct node_comp *c = &s->c[i];
		const char *path = node_argv_flag(c->cmd, "audit-log-path");
		struct path_list files = {0};

		if (c->program != NODE_APISERVER || !path || !strcmp(path, "-"))
			continue;
		node_audit_files(c->files, path, &files, cx->res);
		for (size_t k = 0; k < files.n; k++)
			copy_audit_file(cx, c, dir.buf, files.v[k]);
		path_list_release(&files);
		if (files.n)
			break; /* as scan: one API server's log */
	}
	strbuf_release(&dir);
}

int collect_summary(struct collect *cx, const char *outdir)
{
	static const char *const levels[] = {"error", "warning", "note"};
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < cx->res->nd; i++) {
		if (cx->res->d[i].level == DIAG_NOTE)
			continue;
		strbuf_add_cleanstr(&out, cx->res->d[i].text);
		fprintf(stderr, "kanon: %s: %s\n", levels[cx->res->d[i].level], out.buf);
		strbuf_reset(&out);
	}
	strbuf_add_cleanstr(&out, outdir);
	printf("kanon: collected %zu files into %s (%zu recorded only, %zu unreadable, %zu "
	       "lines redacted); see %s/manifest.json, audit with: kanon scan %s\n",
	       cx->ncopied, out.buf, cx->nrecorded, cx->nfailed, cx->nredacted, out.buf, out.buf);
	strbuf_release(&out);
	return fflush(stdout) ? 2 : 0;
}
