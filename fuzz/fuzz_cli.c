/*
 * libFuzzer target: one input file through the command that reads it, as a
 * user runs it, in text and JSON: the first byte picks the command (a
 * KubeletConfiguration, /configz JSON, a static pod manifest, an
 * AuthenticationConfiguration, an AuthorizationConfiguration, a kubeadm
 * config, RBAC documents, an audit log, a command line), the rest is the
 * file. harness.c checks the output properties.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/cli.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct use {
	int (*cmd)(int, char **);
	const char *name; /* the file's name in the scratch directory */
	const char
	    *args[10]; /* "@": the file, "@d": its directory, "#": the input as an argument */
};

static const struct use uses[] = {
    {cmd_kubelet, "config.yaml", {"kubelet", "--config", "@"}},
    {cmd_kubelet, "configz.json", {"kubelet", "--configz", "@"}},
    {cmd_kubelet, "conf.d/50-x.conf", {"kubelet", "--config-dir", "@d"}},
    {cmd_apiserver, "kube-apiserver.yaml", {"apiserver", "--manifest", "@"}},
    {cmd_apiserver,
     "authn.yaml",
     {"apiserver", "--authentication-config", "@", "--cmdline",
      "kube-apiserver --authorization-mode=Node,RBAC"}},
    {cmd_apiserver,
     "authz.yaml",
     {"apiserver", "--authorization-config", "@", "--cmdline", "kube-apiserver"}},
    {cmd_apiserver, "kubeadm.yaml", {"apiserver", "--config-file", "@"}},
    {cmd_rbac, "rbac.yaml", {"rbac", "@"}},
    {cmd_audit, "audit.log", {"audit", "--threads", "1", "--no-progress", "@"}},
    {cmd_kubelet, "cmdline", {"kubelet", "--cmdline", "#"}},
    {cmd_apiserver, "cmdline", {"apiserver", "--cmdline", "#"}},
    /* the editors of kanon fix, as dry runs (a diff on stdout, nothing written) */
    {cmd_fix, "config.yaml", {"fix", "kubelet", "--config", "@"}},
    {cmd_fix, "kube-apiserver.yaml", {"fix", "apiserver", "--manifest", "@"}},
    {cmd_fix,
     "kube-apiserver.yaml",
     {"fix", "apiserver", "--manifest", "@", "--mode", "health-only", "--k8s-version", "1.34"}},
    {cmd_fix, "rbac.yaml", {"fix", "rbac", "@"}},
    {cmd_fix, "rbac.yaml", {"fix", "rbac", "--yaml", "@"}},
};

#define NUSES (sizeof(uses) / sizeof(uses[0]))

static void run(const struct use *u, const char *file, const char *inline_arg, bool json)
{
	const char *argv[16];
	int n = 0;

	for (int i = 0; i < 10 && u->args[i]; i++) {
		const char *a = u->args[i];
		argv[n++] = !strcmp(a, "@")    ? file
			    : !strcmp(a, "@d") ? fz_path(1, "conf.d")
			    : !strcmp(a, "#")  ? inline_arg
					       : a;
	}
	if (json) {
		argv[n++] = "-f";
		argv[n++] = "json";
	} else {
		argv[n++] = "--color";
		argv[n++] = "never";
		argv[n++] = "-v";
	}
	argv[n] = NULL;
	fz_run(u->cmd, json ? FZ_JSON : FZ_TEXT, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct use *u;
	char arg[4096];

	if (size < 1)
		return 0;
	u = &uses[data[0] % NUSES];
	data++, size--;
	fz_setup();
	fz_clean();
	fz_write(u->name, data, size);
	/* a command line is an argument, not a file: NUL ends it */
	memcpy(arg, data, size < sizeof(arg) - 1 ? size : sizeof(arg) - 1);
	arg[size < sizeof(arg) - 1 ? size : sizeof(arg) - 1] = '\0';
	run(u, fz_path(0, u->name), arg, false);
	run(u, fz_path(0, u->name), arg, true);
	return 0;
}
