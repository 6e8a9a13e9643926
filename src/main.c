#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/version.h"
#include "core/util.h"
#include "core/banned.h"

static const char usage[] =
    "usage: kanon <command> [options]\n"
    "\n"
    "Find, prove and close anonymous access to Kubernetes clusters.\n"
    "\n"
    "Commands:\n"
    "  kubelet        audit a kubelet's anonymous-access settings (CIS 4.2.x)\n"
    "  apiserver      audit a kube-apiserver's anonymous auth and authorizers (CIS 1.2.x)\n"
    "  audit FILE...  find, count and classify anonymous access in audit logs\n"
    "  rbac FILE...   what RBAC lets anonymous callers do, rated binding by binding\n"
    "  scan [DIR]     audit this node, or a cluster snapshot directory\n"
    "  collect OUTDIR write what scan reads on this node as a snapshot\n"
    "  probe          send a stranger's requests (no credentials) to API servers\n"
    "                 and kubelets, and judge the answers\n"
    "  cluster        read a live cluster through a kubeconfig and judge it\n"
    "  rules          list the rules and their documentation pages\n"
    "  fix TARGET     make the minimal edit that closes anonymous access\n"
    "                 (kubelet, apiserver, rbac): a diff, then --apply\n"
    "  serve          receive kube-apiserver's audit webhook: live metrics and alerts\n"
    "  completion SH  print the completion script for bash, zsh or fish\n"
    "\n"
    "Run 'kanon <command> --help' for a command's options.\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
    {"kubelet", cmd_kubelet}, {"apiserver", cmd_apiserver}, {"audit", cmd_audit},
    {"rbac", cmd_rbac},	      {"scan", cmd_scan},	    {"collect", cmd_collect},
    {"rules", cmd_rules},     {"probe", cmd_probe},
    {"fix", cmd_fix},
    {"cluster", cmd_cluster},
    {"serve", cmd_serve},
    {"completion", cmd_completion},
};

int main(int argc, char **argv)
{
	struct strbuf name = STRBUF_INIT;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kanon %s\n", KANON_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	/* argv may come from a script fed hostile names: escape it */
	strbuf_add_cleanstr(&name, argv[1]);
	fprintf(stderr, "kanon: '%s' is not a command\n\n%s", name.buf, usage);
	strbuf_release(&name);
	return 2;
}
