/*
 * The command line a k3s/RKE2 systemd unit gives k3s: its ExecStart=
 * (parsed with parsers/unit.h, as systemd reads it), the subcommand
 * (`server` or `agent`) and the options after it that change what k3s
 * builds from its config files. k3s's configfilearg inserts the config
 * file's options right after the subcommand (parser.go Parse: prefix +
 * values + suffix), so these come after them: a --kubelet-arg here is
 * appended to the config's kubelet-arg list, a --data-dir wins.
 */
#include "model/node.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "model/node_rancher.h"
#include "parsers/unit.h"
#include "sources/provider.h"
#include "core/banned.h"

void rancher_unit_init(struct rancher_unit *u)
{
	memset(u, 0, sizeof(*u));
	rancher_config_init(&u->flags);
}

void rancher_unit_release(struct rancher_unit *u)
{
	rancher_config_release(&u->flags);
	free(u->unknown);
	rancher_unit_init(u);
}

static void unit_unknown(struct rancher_unit *u, const char *path, int line, const char *why)
{
	struct strbuf sb = STRBUF_INIT;

	if (u->unknown)
		return;
	strbuf_addstr(&sb, path);
	if (line)
		strbuf_addf(&sb, ":%d", line);
	strbuf_addf(&sb, ": %s", why);
	u->unknown = strbuf_detach(&sb);
}

/* The options kanon follows, with or without a value (Go's flag package
 * takes -name and --name, a value after '=' or in the next word). */
static const char *const valued[] = {"kubelet-arg", "kube-apiserver-arg", "config",
				     "c",	    "data-dir",		  "d"};

static const char *option_name(const char *w, size_t *len)
{
	const char *n = w + (w[1] == '-' ? 2 : 1);

	*len = strcspn(n, "=");
	for (size_t i = 0; i < ARRAY_SIZE(valued); i++)
		if (*len == strlen(valued[i]) && !strncmp(n, valued[i], *len))
			return valued[i];
	if (*len == strlen("rootless") && !strncmp(n, "rootless", *len))
		return "rootless";
	return NULL;
}

/* The words after the subcommand. Returns -1 (u->unknown) when not modelled. */
static int take_options(struct rancher_unit *u, const struct argv_list *a, size_t from,
			const char *path, int line)
{
	for (size_t i = from; i < a->n; i++) {
		const char *w = a->v[i], *name, *value;
		size_t len;

		if (strchr(w, '$')) {
			unit_unknown(u, path, line,
				     "ExecStart= expands an environment variable; kanon does not "
				     "model what it gives k3s");
			return -1;
		}
		if (w[0] != '-' || !w[1] || !(name = option_name(w, &len)))
			continue;
		value = strchr(w, '=');
		if (value)
			value++;
		else if (strcmp(name, "rootless"))
			value = i + 1 < a->n ? a->v[++i] : "";
		else
			value = "true";
		rancher_config_add(&u->flags,
				   !strcmp(name, "c")	? "config"
				   : !strcmp(name, "d") ? "data-dir"
							: name,
				   value, path, line);
	}
	return 0;
}

/* The k3s/rke2 command of ExecStart=: its subcommand and options. */
static int take_command(struct rancher_unit *u, const struct unit_cmd *c, const char *path,
			int line)
{
	const struct argv_list *a = &c->argv;

	/* configfilearg findStart(): the first "server" or "agent" word */
	for (size_t i = 1; i < a->n; i++) {
		if (!strcmp(a->v[i], "server") || !strcmp(a->v[i], "agent")) {
			u->role = a->v[i][0] == 's' ? 1 : 2;
			return take_options(u, a, i + 1, path, line);
		}
	}
	unit_unknown(u, path, line, "ExecStart= runs no `server` or `agent` subcommand");
	return -1;
}

/* The last ExecStart= list of the unit ("" resets it: config_parse_exec). */
static void last_exec(const struct unit_file *f, const char *name, const char *path,
		      struct rancher_unit *u, struct unit_cmd **cmds, size_t *n, size_t *alloc,
		      int *line)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct unit_assign *a = &f->a[i];
		struct err e = { 0 };

		if (!a->section || strcmp(a->section, "Service") || strcmp(a->key, "ExecStart"))
			continue;
		if (!*a->value) {
			for (size_t j = 0; j < *n; j++)
				unit_cmd_release(&(*cmds)[j]);
			*n = 0;
			continue;
		}
		/* a second ExecStart= adds a command; Type=notify takes one */
		if (unit_exec_parse(a->value, name, cmds, n, alloc, &e) < 0)
			unit_unknown(u, path, a->line, e.msg);
		*line = a->line;
	}
}

int rancher_unit_read(const struct provider *root, const char *path, struct rancher_unit *u,
		      struct result *res)
{
	struct blob b = {0};
	struct err e = { 0 };
	struct unit_file f;
	struct unit_cmd *cmds = NULL;
	size_t n = 0, alloc = 0;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int line = 0;

	(void)res;
	if (provider_read(root, path, path, UNIT_LINE_MAX, 0, &b, &e) < 0)
		return -1;
	unit_file_init(&f);
	if (unit_parse(b.data, b.len, &f, &e) < 0)
		unit_unknown(u, path, e.line, "systemd does not load this unit");
	else
		last_exec(&f, name, path, u, &cmds, &n, &alloc, &line);
	if (!u->unknown && n != 1)
		unit_unknown(u, path, line,
			     n ? "more than one ExecStart= command is not modelled"
			       : "no ExecStart=: systemd does not start it");
	if (!u->unknown)
		take_command(u, &cmds[0], path, line);
	for (size_t i = 0; i < n; i++)
		unit_cmd_release(&cmds[i]);
	free(cmds);
	unit_file_release(&f);
	blob_release(&b);
	return 0;
}
