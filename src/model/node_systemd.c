/*
 * The kubelet as systemd would start it from a node's files:
 * kubelet.service, its drop-ins, the environment they set and the
 * EnvironmentFile= they read, and the command line that results. The
 * semantics are systemd's (cited per function); what cannot be known
 * offline is out->unknown with the reason, never a guess.
 */
#include "model/node.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/envfile.h"
#include "parsers/unit.h"
#include "sources/provider.h"
#include "core/banned.h"

static const char unit_name[] = "kubelet.service";

/*
 * The system unit search path, highest priority first
 * (src/basic/path-lookup.c lookup_paths_init, RUNTIME_SCOPE_SYSTEM; /lib
 * only on split-/usr systems, where it is not a link to /usr/lib).
 */
static const char *const unit_dirs[] = {
    "/etc/systemd/system.control",   "/run/systemd/system.control",  "/run/systemd/transient",
    "/run/systemd/generator.early",  "/etc/systemd/system",	     "/etc/systemd/system.attached",
    "/run/systemd/system",	     "/run/systemd/system.attached", "/run/systemd/generator",
    "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",	     "/lib/systemd/system",
    "/run/systemd/generator.late",
};

/* Bounds for hostile trees: drop-ins, the bytes of unit files read in
 * all, the EnvironmentFile= files loaded and the variables set in all. */
#define MAX_DROPINS    256
#define MAX_UNIT_FILE  (1u << 20)
#define MAX_READ_TOTAL (16u << 20)
#define MAX_ENVFILES   64
#define MAX_ENV_TOTAL  (4 * ENV_MAX_VARS)

/* Where each remediation sentence applies (node.h: fix). */
static const char fix_kubeadm[] =
    "set it in the kubelet config file /var/lib/kubelet/config.yaml (kubeadm "
    "writes it from the cluster's kubelet-config ConfigMap: change that too, or 'kubeadm "
    "upgrade' puts the old value back); a flag wins over the file: flags come from "
    "/var/lib/kubelet/kubeadm-flags.env (KUBELET_KUBEADM_ARGS, rewritten by kubeadm from "
    "nodeRegistration.kubeletExtraArgs) and KUBELET_EXTRA_ARGS in /etc/default/kubelet "
    "(Debian) or /etc/sysconfig/kubelet (RPM); an Environment=\"KUBELET_EXTRA_ARGS=...\" "
    "drop-in does nothing when that file sets the variable, because EnvironmentFile= wins; "
    "then systemctl daemon-reload && systemctl restart kubelet";
static const char fix_eks_al2[] =
    "set it in /etc/kubernetes/kubelet/kubelet-config.json (the --config "
    "file), or as a flag with --kubelet-extra-args to /etc/eks/bootstrap.sh in the launch "
    "template's user data (bootstrap.sh writes KUBELET_EXTRA_ARGS to "
    "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf; KUBELET_ARGS in "
    "10-kubelet-args.conf is rewritten on every bootstrap); a node edited by hand loses the "
    "change when it is replaced";
static const char fix_eks_al2023[] =
    "set it in the NodeConfig of the launch template's user data "
    "(spec.kubelet.config for the config file, spec.kubelet.flags for flags); nodeadm "
    "regenerates /etc/kubernetes/kubelet/config.json, its config.json.d drop-ins and "
    "/etc/eks/kubelet/environment (NODEADM_KUBELET_ARGS) at every boot, so edits to those "
    "files do not last";
static const char fix_systemd[] =
    "set it in the kubelet's --config file, or as a flag in the unit's "
    "ExecStart= or the variables it expands (a drop-in in "
    "/etc/systemd/system/kubelet.service.d/ with a later file name wins; a variable from an "
    "EnvironmentFile= wins over any Environment=); then systemctl daemon-reload && "
    "systemctl restart kubelet";

struct cmd_at {
	char *path;
	int line;
};

struct envfile_ref {
	char *spec; /* as written, after specifiers (may start with '-') */
	char *from; /* the unit or drop-in */
	int line;
};

struct sd {
	const struct provider *root;
	struct node_layout *out;
	struct result *res;
	const char *fragment;
	struct unit_cmd *cmds;
	struct cmd_at *cmd_at;
	size_t ncmds, acmds, acmd_at;
	struct env_list env;	   /* Environment= */
	struct env_list files_env; /* EnvironmentFile= */
	struct envfile_ref *ef;
	size_t nef, aef;
	struct argv_list unset_env, pass_env;
	char *type;
	bool dropin_kubeadm, dropin_eks_args;
	size_t read_total, envfiles_loaded;
};

static void set_unknown(struct sd *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_unknown(struct sd *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (s->out->unknown) /* the first reason is the one that stops systemd */
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	s->out->unknown = strbuf_detach(&sb);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* ------------------------------------------------------------------ files */

/* readlink(2) of path inside the root; -1 when it is not a link. */
static int link_target(const struct provider *p, const char *path, char *buf, size_t n)
{
	char *dir = xstrndup(path, (size_t)(base_name(path) - path));
	int fd = p->ops->open ? p->ops->open(p, *dir ? dir : "/", O_RDONLY | O_DIRECTORY) : -1;
	ssize_t k = -1;

	free(dir);
	if (fd >= 0) {
		k = readlinkat(fd, base_name(path), buf, n - 1);
		close(fd);
	}
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return 0;
}

/*
 * A unit file or drop-in that is a symlink to /dev/null is masked
 * (src/basic/stat-util.c null_or_empty_path, used by unit_load_fragment
 * and conf-files.c): systemd follows the link to the null device, which
 * in a node tree is the link text.
 */
static bool is_null_link(const struct provider *p, const char *path)
{
	char t[PATH_MAX];

	return link_target(p, path, t, sizeof(t)) == 0 && !strcmp(t, "/dev/null");
}

/* /lib/systemd/system is searched only when /lib is its own directory. */
static bool dir_searched(const struct provider *p, const char *dir)
{
	struct stat st;

	if (!strncmp(dir, "/lib/", 5) && provider_lstat(p, "/lib", &st) == 0 && S_ISLNK(st.st_mode))
		return false;
	return true;
}

/*
 * The unit file: the first search directory holding kubelet.service wins
 * (src/shared/unit-file.c unit_file_build_name_map); the others are
 * recorded as overridden. Returns the path (owned by s->out's
 * files) or NULL.
 */
static const char *find_unit(struct sd *s)
{
	const char *found = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(unit_dirs); i++) {
		struct strbuf p = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&p, "%s/%s", unit_dirs[i], unit_name);
		if (dir_searched(s->root, unit_dirs[i]) &&
		    provider_lstat(s->root, p.buf, &st) == 0) {
			if (!found) {
				found =
				    node_layout_file(s->out, NODE_UNIT, p.buf, true, NULL)->path;
			} else {
				struct strbuf why = STRBUF_INIT;
				strbuf_addf(&why, "overridden by %s", found);
				node_layout_file(s->out, NODE_UNIT, p.buf, true, why.buf)->masked =
				    true;
				strbuf_release(&why);
			}
		}
		strbuf_release(&p);
	}
	return found;
}

struct dropin {
	char *name; /* file name, the sort key */
	char *path;
	bool null;
};

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf names of a drop-in directory, sorted (readdir order is the
 * filesystem's); hidden files are skipped (conf-files.c files_add). */
static void dropin_names(struct sd *s, const char *dir, struct argv_list *names)
{
	int fd = s->root->ops->open ? s->root->ops->open(s->root, dir, O_RDONLY | O_DIRECTORY)
				    : -ENOTSUP;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return; /* no such directory: most units have none */
	}
	while ((de = readdir(d)) && names->n <= MAX_DROPINS) {
		struct stat st;
		size_t nl = strlen(de->d_name);

		if (de->d_name[0] == '.' || nl < 6 || strcmp(de->d_name + nl - 5, ".conf"))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		argv_push(names, de->d_name);
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), str_cmp);
}

/* One drop-in directory: a name already seen in a higher-priority
 * directory masks this one (conf_files_list_strv). */
static void scan_dropin_dir(struct sd *s, const char *dir, struct dropin **ds, size_t *n,
			    size_t *alloc)
{
	struct argv_list names;

	argv_init(&names);
	dropin_names(s, dir, &names);
	for (size_t i = 0; i < names.n; i++) {
		struct strbuf p = STRBUF_INIT;
		size_t k;

		strbuf_addf(&p, "%s/%s", dir, names.v[i]);
		for (k = 0; k < *n && strcmp((*ds)[k].name, names.v[i]); k++)
			;
		if (k < *n) {
			struct strbuf why = STRBUF_INIT;
			strbuf_addf(&why, "masked by %s", (*ds)[k].path);
			node_layout_file(s->out, NODE_DROPIN, p.buf, true, why.buf)->masked = true;
			strbuf_release(&why);
		} else if (*n < MAX_DROPINS) {
			ALLOC_GROW(*ds, *n + 1, *alloc);
			(*ds)[*n].name = xstrdup(names.v[i]);
			(*ds)[*n].path = strbuf_detach(&p);
			(*ds)[*n].null = is_null_link(s->root, (*ds)[*n].path);
			(*n)++;
		} else {
			set_unknown(s, "more than %d drop-ins for %s: not modeled", MAX_DROPINS,
				    unit_name);
		}
		strbuf_release(&p);
	}
	argv_release(&names);
}

/*
 * Drop-ins (src/shared/dropin.c unit_file_find_dropin_paths): every
 * kubelet.service.d/ of the search path, then the top-level service.d/
 * ones (most generic, added last); a file name seen in an earlier
 * directory masks the same name later; the survivors apply sorted by
 * file name (conf_files_list_strv).
 */
static void find_dropins(struct sd *s, struct dropin **ds, size_t *n)
{
	static const char *const dnames[] = {"kubelet.service.d", "service.d"};
	size_t alloc = 0;

	for (size_t j = 0; j < ARRAY_SIZE(dnames); j++) {
		for (size_t i = 0; i < ARRAY_SIZE(unit_dirs); i++) {
			struct strbuf d = STRBUF_INIT;

			if (dir_searched(s->root, unit_dirs[i])) {
				strbuf_addf(&d, "%s/%s", unit_dirs[i], dnames[j]);
				scan_dropin_dir(s, d.buf, ds, n, &alloc);
			}
			strbuf_release(&d);
		}
	}
	if (*n)
		qsort(*ds, *n, sizeof(**ds), dropin_cmp);
}

/* ------------------------------------------------------------ assignments */

static void free_cmds(struct sd *s)
{
	for (size_t i = 0; i < s->ncmds; i++) {
		unit_cmd_release(&s->cmds[i]);
		free(s->cmd_at[i].path);
	}
	s->ncmds = 0;
}

/* ExecStart= (load-fragment.c config_parse_exec): "" resets the list. */
static void apply_exec(struct sd *s, const char *path, const struct unit_assign *a)
{
	struct err e = { 0 };
	size_t before = s->ncmds;
	int r;

	if (!*a->value) {
		free_cmds(s);
		return;
	}
	r = unit_exec_parse(a->value, unit_name, &s->cmds, &s->ncmds, &s->acmds, &e);
	if (r == -2) {
		set_unknown(s, "%s:%d: ExecStart=: %s", path, a->line, e.msg);
		return;
	}
	if (r < 0) {
		/* a '-' command is dropped with a warning; otherwise the unit
		 * fails to load (bad-setting) */
		if (a->value[0] == '-')
			result_diag(s->res, DIAG_WARNING,
				    "%s:%d: ExecStart= ignored by systemd: %s", path, a->line,
				    e.msg);
		else
			set_unknown(s,
				    "%s:%d: systemd refuses ExecStart= (the unit does not "
				    "load): %s",
				    path, a->line, e.msg);
		return;
	}
	ALLOC_GROW(s->cmd_at, s->ncmds, s->acmd_at);
	for (size_t i = before; i < s->ncmds; i++) {
		s->cmd_at[i].path = xstrdup(path);
		s->cmd_at[i].line = a->line;
	}
}

/* Environment= (config_parse_environ): words of NAME=VALUE; "" resets. */
static void apply_environment(struct sd *s, const char *path, const struct unit_assign *a)
{
	struct argv_list w;
	struct err e = { 0 };
	bool bad;

	if (!*a->value) {
		env_list_release(&s->env);
		return;
	}
	argv_init(&w);
	/* words before a syntax error are already applied */
	bad = unit_split_words(a->value, UNIT_SPLIT_CUNESCAPE, &w, &e) < 0;
	for (size_t i = 0; i < w.n; i++) {
		struct strbuf v = STRBUF_INIT;
		struct err se = { 0 };
		const char *eq;

		if (unit_specifiers(w.v[i], unit_name, &v, &se) < 0) {
			set_unknown(s, "%s:%d: Environment=: %s", path, a->line, se.msg);
		} else if (!(eq = strchr(v.buf, '=')) ||
			   !env_name_valid(v.buf, (size_t)(eq - v.buf))) {
			result_diag(s->res, DIAG_WARNING,
				    "%s:%d: invalid environment assignment, ignored by systemd: %s",
				    path, a->line, v.buf);
		} else if (s->env.n >= MAX_ENV_TOTAL) {
			set_unknown(s,
				    "%s:%d: Environment= sets more than %d variables: not modeled",
				    path, a->line, MAX_ENV_TOTAL);
		} else {
			env_list_set(&s->env, v.buf, (size_t)(eq - v.buf), eq + 1, path, a->line,
				     "Environment=");
		}
		strbuf_release(&v);
	}
	if (bad)
		result_diag(s->res, DIAG_WARNING,
			    "%s:%d: Environment=: %s; systemd ignores the rest of the line", path,
			    a->line, e.msg);
	argv_release(&w);
}

/* EnvironmentFile= (config_parse_unit_env_file): one path; "" resets. */
static void apply_envfile(struct sd *s, const char *path, const struct unit_assign *a)
{
	struct strbuf v = STRBUF_INIT;
	struct err e = { 0 };

	if (!*a->value) {
		for (size_t i = 0; i < s->nef; i++)
			free(s->ef[i].spec), free(s->ef[i].from);
		s->nef = 0;
		return;
	}
	if (unit_specifiers(a->value, unit_name, &v, &e) < 0) {
		set_unknown(s, "%s:%d: EnvironmentFile=: %s", path, a->line, e.msg);
	} else if (v.buf[v.buf[0] == '-'] != '/') {
		result_diag(s->res, DIAG_WARNING,
			    "%s:%d: EnvironmentFile=%s is not an absolute path: ignored by systemd",
			    path, a->line, v.buf);
	} else {
		ALLOC_GROW(s->ef, s->nef + 1, s->aef);
		s->ef[s->nef].spec = strbuf_detach(&v);
		s->ef[s->nef].from = xstrdup(path);
		s->ef[s->nef++].line = a->line;
	}
	strbuf_release(&v);
}

/* UnsetEnvironment= / PassEnvironment=: lists of words; "" resets. */
static void apply_list(struct argv_list *l, const struct unit_assign *a)
{
	if (!*a->value) {
		argv_release(l);
		return;
	}
	unit_split_words(a->value, UNIT_SPLIT_CUNESCAPE, l, NULL);
}

static void apply(struct sd *s, const char *path, const struct unit_file *u)
{
	for (size_t i = 0; i < u->nwarn; i++)
		result_diag(s->res, DIAG_WARNING, "%s:%d: %s", path, u->warn[i].line,
			    u->warn[i].text);
	for (size_t i = 0; i < u->n; i++) {
		const struct unit_assign *a = &u->a[i];

		if (strcmp(a->section, "Service"))
			continue;
		if (!strcmp(a->key, "ExecStart"))
			apply_exec(s, path, a);
		else if (!strcmp(a->key, "Environment"))
			apply_environment(s, path, a);
		else if (!strcmp(a->key, "EnvironmentFile"))
			apply_envfile(s, path, a);
		else if (!strcmp(a->key, "UnsetEnvironment"))
			apply_list(&s->unset_env, a);
		else if (!strcmp(a->key, "PassEnvironment"))
			apply_list(&s->pass_env, a);
		else if (!strcmp(a->key, "Type") && *a->value)
			free(s->type), s->type = xstrdup(a->value);
	}
}

/* Read and apply one unit file or drop-in. */
static void load_file(struct sd *s, const char *path)
{
	struct blob b = {0};
	struct err e = { 0 };
	struct unit_file u;

	unit_file_init(&u);
	if (provider_read(s->root, path, path, MAX_UNIT_FILE, 0, &b, &e) < 0) {
		set_unknown(s, "%s", e.msg);
	} else if ((s->read_total = st_add(s->read_total, b.len)) > MAX_READ_TOTAL) {
		set_unknown(s,
			    "%s: the unit and its drop-ins are larger than %u bytes in all: not "
			    "modeled",
			    path, MAX_READ_TOTAL);
	} else if (unit_parse(b.data, b.len, &u, &e) < 0) {
		set_unknown(s, "%s:%d: %s", path, e.line, e.msg);
	} else {
		apply(s, path, &u);
	}
	unit_file_release(&u);
	blob_release(&b);
}

/* ------------------------------------------------------------ environment */

/* One environment file into into (later files win: strv_env_merge). */
static void load_one_envfile(struct sd *s, const struct envfile_ref *r, const char *path,
			     bool optional, struct env_list *into)
{
	struct blob b = {0};
	struct err e = { 0 };
	struct env_list vars;
	struct strbuf note = STRBUF_INIT;

	env_list_init(&vars);
	if (++s->envfiles_loaded > MAX_ENVFILES) {
		set_unknown(s, "more than %d EnvironmentFile= files: not modeled", MAX_ENVFILES);
		goto out;
	}
	if (provider_read(s->root, path, path, ENVFILE_MAX, 0, &b, &e) == 0 &&
	    envfile_parse(b.data, b.len, path, &vars, &e) == 0) {
		node_layout_file(s->out, NODE_ENVFILE, path, true, NULL);
		if (into->n + vars.n > MAX_ENV_TOTAL)
			set_unknown(s,
				    "the EnvironmentFile= files set more than %d variables: not "
				    "modeled",
				    MAX_ENV_TOTAL);
		else
			env_list_merge(into, &vars);
		goto out;
	}
	if (optional) {
		strbuf_addf(&note, "optional ('-', %s:%d): skipped: %s", r->from, r->line, e.msg);
		node_layout_file(s->out, NODE_ENVFILE, path, false, note.buf);
		goto out;
	}
	strbuf_addf(&note, "required (%s:%d): %s", r->from, r->line, e.msg);
	node_layout_file(s->out, NODE_ENVFILE, path, false, note.buf);
	/* src/core/exec-invoke.c exec_context_load_environment: a required
	 * file that cannot be loaded fails the start */
	set_unknown(s,
		    "EnvironmentFile=%s (%s:%d) cannot be loaded (%s): systemd does not start "
		    "the unit; prefix it with '-' if it is optional",
		    path, r->from, r->line, e.msg);
out:
	strbuf_release(&note);
	env_list_release(&vars);
	blob_release(&b);
}

/* EnvironmentFile= with a glob in its file name: the sorted matches (glob(3)). */
static void load_envfile_glob(struct sd *s, const struct envfile_ref *r, const char *path,
			      bool optional, struct env_list *into)
{
	char *dir = xstrndup(path, (size_t)(base_name(path) - path));
	int fd = strpbrk(dir, "*?[") || !s->root->ops->open
		     ? -1
		     : s->root->ops->open(s->root, dir, O_RDONLY | O_DIRECTORY);
	struct argv_list m;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	argv_init(&m);
	if (strpbrk(dir, "*?[")) {
		set_unknown(s,
			    "EnvironmentFile=%s (%s:%d): a glob in a directory name is not "
			    "modeled",
			    path, r->from, r->line);
		goto out;
	}
	if (!d && fd >= 0)
		close(fd);
	while (d && (de = readdir(d)) && m.n < MAX_DROPINS) {
		struct strbuf p = STRBUF_INIT;
		if (!fnmatch(base_name(path), de->d_name, FNM_PERIOD)) {
			strbuf_addf(&p, "%s%s", dir, de->d_name);
			argv_push(&m, p.buf);
		}
		strbuf_release(&p);
	}
	if (m.n)
		qsort(m.v, m.n, sizeof(*m.v), str_cmp);
	for (size_t i = 0; i < m.n; i++)
		load_one_envfile(s, r, m.v[i], optional, into);
	if (!m.n)
		load_one_envfile(s, r, path, optional, into); /* reports it missing */
out:
	if (d)
		closedir(d);
	argv_release(&m);
	free(dir);
}

static void load_envfiles(struct sd *s)
{
	for (size_t i = 0; i < s->nef; i++) {
		const struct envfile_ref *r = &s->ef[i];
		bool optional = r->spec[0] == '-';
		const char *path = r->spec + optional;

		if (strpbrk(path, "*?["))
			load_envfile_glob(s, r, path, optional, &s->files_env);
		else
			load_one_envfile(s, r, path, optional, &s->files_env);
	}
}

/*
 * The service's environment: Environment=, then EnvironmentFile= over it
 * whatever the order of the lines (src/core/exec-invoke.c
 * build_environment / exec_invoke: files_env is merged last; systemd.exec
 * "settings from these files override settings made with Environment="),
 * then UnsetEnvironment=.
 */
static void final_env(struct sd *s, struct env_list *out)
{
	env_list_merge(out, &s->env);
	for (size_t i = 0; i < s->files_env.n; i++) {
		const struct env_var *f = &s->files_env.v[i];
		const struct env_var *v = env_list_get(&s->env, f->name, strlen(f->name));

		if (v)
			result_diag(s->res, DIAG_WARNING,
				    "%s:%d: Environment=\"%s=...\" has no effect: EnvironmentFile= "
				    "%s:%d sets %s, and systemd lets EnvironmentFile= win over "
				    "Environment= (systemd.exec)",
				    v->path, v->line, v->name, f->path, f->line, f->name);
	}
	env_list_merge(out, &s->files_env);
	for (size_t i = 0; i < s->unset_env.n; i++) {
		const char *w = s->unset_env.v[i], *eq = strchr(w, '=');
		const struct env_var *v = env_list_get(out, w, eq ? (size_t)(eq - w) : strlen(w));

		if (v && (!eq || !strcmp(v->value, eq + 1)))
			env_list_unset(out, v->name);
	}
}

/* -------------------------------------------------------------- command */

/* src/core/service.c service_verify: what systemd refuses to start. */
static bool verify_cmds(struct sd *s)
{
	bool oneshot = s->type && !strcmp(s->type, "oneshot");

	if (!s->ncmds) {
		set_unknown(s,
			    "%s has no ExecStart= after its drop-ins: systemd refuses to "
			    "start it (service_verify)",
			    s->fragment);
		return false;
	}
	if (s->ncmds > 1 && !oneshot) {
		set_unknown(s,
			    "%s has %zu ExecStart= commands (%s:%d, %s:%d): systemd refuses a "
			    "unit with more than one unless Type=oneshot (service_verify); a "
			    "drop-in that replaces the command needs an empty \"ExecStart=\" "
			    "line first",
			    unit_name, s->ncmds, s->cmd_at[0].path, s->cmd_at[0].line,
			    s->cmd_at[1].path, s->cmd_at[1].line);
		return false;
	}
	if (s->ncmds > 1) {
		set_unknown(s,
			    "Type=oneshot with %zu ExecStart= commands: which one is the "
			    "kubelet is not modeled",
			    s->ncmds);
		return false;
	}
	if (s->cmds[0].flags & UNIT_EXEC_SHELL) {
		set_unknown(s, "%s:%d: ExecStart= runs through a shell ('|'): not modeled",
			    s->cmd_at[0].path, s->cmd_at[0].line);
		return false;
	}
	return true;
}

/* The program must be the kubelet for its flags to mean anything. */
static bool runs_kubelet(struct sd *s, const struct argv_list *argv)
{
	const char *prog = base_name(s->cmds[0].path);

	if (!strcmp(prog, "kubelet") ||
	    (!strcmp(prog, "hyperkube") && argv->n > 1 && !strcmp(argv->v[1], "kubelet")))
		return true;
	set_unknown(s,
		    "%s:%d: ExecStart= runs '%s', not the kubelet: the flags it gives the "
		    "kubelet are not known",
		    s->cmd_at[0].path, s->cmd_at[0].line, s->cmds[0].path);
	return false;
}

/* Unset variables expand to nothing; a passed one comes from the manager. */
static void report_unset(struct sd *s, const struct argv_list *unset)
{
	const struct cmd_at *at = &s->cmd_at[0];

	for (size_t i = 0; i < unset->n; i++) {
		for (size_t j = 0; j < s->pass_env.n; j++) {
			if (!strcmp(unset->v[i], s->pass_env.v[j])) {
				set_unknown(s,
					    "ExecStart= uses $%s from PassEnvironment=, the "
					    "service manager's own environment, which a node's "
					    "files do not tell",
					    unset->v[i]);
				return;
			}
		}
		result_diag(s->res, DIAG_NOTE,
			    "%s:%d: ExecStart= uses $%s, which nothing sets: it expands to "
			    "nothing",
			    at->path, at->line, unset->v[i]);
	}
}

static void assemble(struct sd *s)
{
	const struct unit_cmd *c;
	struct argv_list in, unset;
	struct env_list env;
	struct err e = { 0 };

	if (s->out->unknown || !verify_cmds(s))
		return;
	load_envfiles(s);
	if (s->out->unknown)
		return;
	c = &s->cmds[0];
	argv_init(&in);
	argv_init(&unset);
	env_list_init(&env);
	final_env(s, &env);
	for (size_t i = 0; i < c->argv.n; i++)
		argv_push_at(&in, c->argv.v[i], s->cmd_at[0].path, s->cmd_at[0].line, NULL);
	if (c->flags & UNIT_EXEC_NO_ENV) {
		for (size_t i = 0; i < in.n; i++)
			argv_push_from(&s->out->argv, &in, i);
	} else if (unit_expand_argv(&in, &env, &s->out->argv, &unset, &e) < 0) {
		set_unknown(s, "%s:%d: %s", s->cmd_at[0].path, s->cmd_at[0].line, e.msg);
	}
	if (!s->out->unknown) {
		report_unset(s, &unset);
		runs_kubelet(s, &s->out->argv);
	}
	argv_release(&in);
	argv_release(&unset);
	env_list_release(&env);
}

/* ---------------------------------------------------------------- layout */

static bool envfile_named(const struct sd *s, const char *path)
{
	for (size_t i = 0; i < s->nef; i++)
		if (!strcmp(s->ef[i].spec + (s->ef[i].spec[0] == '-'), path))
			return true;
	return false;
}

/*
 * kubeadm: its drop-in 10-kubeadm.conf (kubernetes/release
 * cmd/krel/templates/latest/kubeadm/10-kubeadm.conf) reading
 * /var/lib/kubelet/kubeadm-flags.env; EKS AL2: amazon-eks-ami
 * templates/al2/runtime/kubelet.service with bootstrap.sh's
 * 10-kubelet-args.conf; EKS AL2023: nodeadm's unit
 * (templates/al2023/runtime/rootfs/etc/systemd/system/kubelet.service)
 * reading /etc/eks/kubelet/environment (nodeadm/internal/kubelet/environment.go).
 */
static void detect_layout(struct sd *s)
{
	struct node_layout *l = s->out;

	if (envfile_named(s, "/etc/eks/kubelet/environment")) {
		l->kind = "eks-al2023";
		l->fix = fix_eks_al2023;
	} else if (s->dropin_eks_args) {
		l->kind = "eks-al2";
		l->fix = fix_eks_al2;
	} else if (s->dropin_kubeadm || envfile_named(s, "/var/lib/kubelet/kubeadm-flags.env")) {
		l->kind = "kubeadm";
		l->fix = fix_kubeadm;
	} else {
		l->kind = "systemd";
		l->fix = fix_systemd;
	}
}

/* ------------------------------------------------------------------ main */

/* A masked unit (a link to /dev/null, or an empty file) is not started. */
static bool unit_masked(struct sd *s)
{
	struct stat st;
	bool null = is_null_link(s->root, s->fragment);

	if (!null && (provider_stat(s->root, s->fragment, &st) < 0 || st.st_size))
		return false;
	s->out->files[0].masked = true;
	free(s->out->files[0].note);
	s->out->files[0].note =
	    xstrdup(null ? "masked: a symlink to /dev/null" : "masked: an empty file");
	set_unknown(s, "%s is masked (%s): systemd does not start the kubelet", s->fragment,
		    null ? "a symlink to /dev/null" : "an empty file");
	return true;
}

/*
 * kubelet.service linked to a unit of another name is an alias: systemd
 * loads that unit, with the drop-ins of both names. Not modeled.
 */
static bool unit_alias(struct sd *s)
{
	char t[PATH_MAX];

	if (link_target(s->root, s->fragment, t, sizeof(t)) < 0 || !strcmp(base_name(t), unit_name))
		return false;
	set_unknown(s,
		    "%s is an alias of %s (a symlink): systemd loads that unit with the "
		    "drop-ins of both names; not modeled",
		    s->fragment, t);
	return true;
}

static void load_dropins(struct sd *s)
{
	struct dropin *ds = NULL;
	size_t n = 0;

	find_dropins(s, &ds, &n);
	for (size_t i = 0; i < n; i++) {
		if (ds[i].null) {
			node_layout_file(s->out, NODE_DROPIN, ds[i].path, true,
					 "masked: a symlink to /dev/null")
			    ->masked = true;
		} else {
			node_layout_file(s->out, NODE_DROPIN, ds[i].path, true, NULL);
			load_file(s, ds[i].path);
			s->dropin_kubeadm |= !strcmp(ds[i].name, "10-kubeadm.conf");
			s->dropin_eks_args |= !strcmp(ds[i].name, "10-kubelet-args.conf");
		}
		free(ds[i].name);
		free(ds[i].path);
	}
	free(ds);
}

/* Say which files were overridden, masked or missing (optional ones). */
static void report_files(struct sd *s)
{
	for (size_t i = 0; i < s->out->nfiles; i++) {
		const struct node_file *f = &s->out->files[i];

		if (f->masked || (!f->present && !s->out->unknown))
			result_diag(s->res, DIAG_NOTE, "%s: %s%s", f->path,
				    f->present ? "" : "not read: ", f->note ? f->note : "masked");
	}
}

static void sd_release(struct sd *s)
{
	free_cmds(s);
	free(s->cmds);
	free(s->cmd_at);
	env_list_release(&s->env);
	env_list_release(&s->files_env);
	for (size_t i = 0; i < s->nef; i++)
		free(s->ef[i].spec), free(s->ef[i].from);
	free(s->ef);
	argv_release(&s->unset_env);
	argv_release(&s->pass_env);
	free(s->type);
}

int node_systemd_kubelet(const struct provider *root, struct node_layout *out, struct result *res)
{
	struct sd s;

	memset(&s, 0, sizeof(s));
	s.root = root;
	s.out = out;
	s.res = res;
	s.fragment = find_unit(&s);
	if (!s.fragment)
		return 0;
	out->where = xstrdup(s.fragment);
	if (!unit_masked(&s) && !unit_alias(&s)) {
		load_file(&s, s.fragment);
		load_dropins(&s);
		assemble(&s);
	}
	detect_layout(&s);
	report_files(&s);
	sd_release(&s);
	return 1;
}
