#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/fix_cli.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/util.h"
#include "fix/fix.h"
#include "core/banned.h"

static const char usage[] =
    "usage: kanon fix <target> [options]\n"
    "\n"
    "Make the exact, minimal edit that closes anonymous access, where the\n"
    "effective value really comes from; show it as a diff first, write it\n"
    "only with --apply (atomically, with a backup). See docs/fix.md.\n"
    "\n"
    "Targets:\n"
    "  kubelet        the kubelet's flags, config file and drop-ins\n"
    "  apiserver      the kube-apiserver static pod manifest (--anonymous-auth,\n"
    "                 or an AuthenticationConfiguration)\n"
    "  rbac FILE...   bindings that grant to anonymous subjects (kubectl\n"
    "                 commands, or cleaned manifests)\n"
    "\n"
    "Run 'kanon fix <target> --help' for a target's options.\n";

int fix_text_only(const char *cmd, const struct common_opts *co)
{
	if (!co->format || !strcmp(co->format, "text"))
		return 0;
	/* found by fuzz_cli: "-f json" printed the text diff */
	return usage_error(cmd,
			   "the output is a diff and kubectl commands: -f %s is not "
			   "available (use the default text)",
			   co->format);
}

bool fix_use_color(const struct common_opts *co)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (co->color == COLOR_ALWAYS)
		return true;
	if (co->color == COLOR_NEVER || co->output)
		return false;
	if ((nc && *nc) || (term && !strcmp(term, "dumb")))
		return false;
	return isatty(STDOUT_FILENO);
}

int fix_refuse(const char *what, const struct err *e)
{
	char buf[ERR_FORMAT_MAX];
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_cleanstr(&sb, err_format(e, buf, sizeof(buf)));
	fflush(stdout);
	fprintf(stderr, "kanon: cannot fix %s: %s\nnothing was written\n", what, sb.buf);
	strbuf_release(&sb);
	return 1;
}

/* Lines of text on stdout, each escaped (paths in it come from files). */
static void put_lines(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		strbuf_add_clean(&sb, s, n);
		strbuf_addch(&sb, '\n');
		s += n + !!nl;
	}
	fputs(strbuf_str(&sb), stdout);
	strbuf_release(&sb);
}

int fix_finish(struct fix_plan *plan, const struct fix_opts *fo, const struct common_opts *co,
	       const char *notes, bool *wrote)
{
	struct strbuf out = STRBUF_INIT, log = STRBUF_INIT;
	struct fix_apply_opts ao = {fo->backup_dir};
	struct err e = {0};
	int ret = 0;

	*wrote = false;
	if (!fix_plan_changed(plan)) {
		puts("nothing to change: already fixed");
		return 0;
	}
	fix_plan_diff(plan, fix_use_color(co), &out);
	fwrite(out.buf, 1, out.len, stdout);
	if (!fo->apply) {
		printf("dry run: nothing written; --apply writes %zu file%s\n",
		       fix_plan_changed(plan), fix_plan_changed(plan) == 1 ? "" : "s");
	} else if (fix_plan_apply(plan, &ao, &log, &e) < 0) {
		char buf[ERR_FORMAT_MAX];
		struct strbuf m = STRBUF_INIT;

		put_lines(strbuf_str(&log));
		fflush(stdout);
		strbuf_add_cleanstr(&m, err_format(&e, buf, sizeof(buf)));
		fprintf(stderr, "kanon: error: %s\n", m.buf);
		strbuf_release(&m);
		ret = 2;
	} else {
		put_lines(strbuf_str(&log));
		*wrote = true;
	}
	if (notes && ret == 0)
		put_lines(notes);
	strbuf_release(&out);
	strbuf_release(&log);
	return ret;
}

static enum status status_of(const struct result *r, const struct rule *rule, bool *found)
{
	*found = false;
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].rule == rule) {
			*found = true;
			return r->f[i].status;
		}
	return STATUS_PASS;
}

void fix_show_flip(const struct result *before, const struct result *after)
{
	for (size_t i = 0; i < before->n; i++) {
		const struct rule *rule = before->f[i].rule;
		bool found, seen = false;
		enum status now = status_of(after, rule, &found);

		for (size_t j = 0; j < i; j++)
			seen |= before->f[j].rule == rule;
		if (seen || !found)
			continue;
		printf("%-32s %s -> %s\n", rule->id, status_name(before->f[i].status),
		       status_name(now));
	}
}

int cmd_fix(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "kubelet"))
		return cmd_fix_kubelet(argc - 1, argv + 1);
	if (!strcmp(argv[1], "apiserver"))
		return cmd_fix_apiserver(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rbac"))
		return cmd_fix_rbac(argc - 1, argv + 1);
	return usage_error("fix", "unknown target '%s' (kubelet, apiserver, rbac)", argv[1]);
}
