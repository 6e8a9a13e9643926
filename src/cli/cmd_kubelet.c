#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/kubelet.h"
#include "cli/cli.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sources/proc.h"
#include "core/banned.h"

static const char help[] =
	"usage: kanon kubelet [options]\n"
	"\n"
	"Audit a kubelet's anonymous-access settings: anonymous authentication,\n"
	"authorization mode, webhook token authentication and the read-only\n"
	"port, computed as the kubelet computes them (defaults, --config file,\n"
	"--config-dir drop-ins, then command-line flags) with the source of\n"
	"every value.\n"
	"\n"
	"Where the command line comes from (at most one):\n"
	"      --cmdline 'kubelet --flag=value ...'\n"
	"                         a full command line as ps shows it\n"
	"      --pid PID          read /proc/PID/cmdline; files it names are read\n"
	"                         through /proc/PID/root and /proc/PID/cwd\n"
	"  (neither)              find running kubelets in /proc, unless only\n"
	"                         files are given below\n"
	"\n"
	"Files (each replaces the path from the command line):\n"
	"      --config FILE      KubeletConfiguration, YAML or JSON\n"
	"      --config-dir DIR   drop-in directory (*.conf, merged in order)\n"
	"      --configz FILE|-   JSON from /api/v1/nodes/NODE/proxy/configz: the\n"
	"                         running truth; drift from the files is reported\n"
	"      --node NAME        name the target in the report\n";

enum {
	OPT_CMDLINE = OPT_CMD_BASE,
	OPT_PID,
	OPT_CONFIG,
	OPT_CONFIG_DIR,
	OPT_CONFIGZ,
	OPT_NODE,
};

static void run_one(struct kubelet_input *in, const char *target,
		    struct result *res)
{
	struct kubelet_effective ke;

	if (kubelet_effective_load(in, &ke, res) == 0)
		kubelet_check(&ke, target, res);
	kubelet_effective_release(&ke);
}

struct discovered {
	const struct kubelet_input *in;
	const char *node;
	struct result *res;
};

static void run_pid(long pid, const struct argv_list *argv, size_t nfound, void *ctx)
{
	const struct discovered *d = ctx;
	struct kubelet_input pin = *d->in;
	struct strbuf t = STRBUF_INIT;

	(void)nfound;
	strbuf_addf(&t, "kubelet pid %ld", pid);
	pin.argv = argv;
	pin.pid = pid;
	run_one(&pin, d->node ? d->node : t.buf, d->res);
	strbuf_release(&t);
}

int cmd_kubelet(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "config-dir", required_argument, NULL, OPT_CONFIG_DIR },
		{ "configz", required_argument, NULL, OPT_CONFIGZ },
		{ "node", required_argument, NULL, OPT_NODE },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts co;
	struct kubelet_input in;
	struct argv_list args;
	struct result res;
	struct err e = { { 0 }, 0, { 0 } };
	const char *cmdline = NULL, *node = NULL;
	long long pid = 0;
	int opt, code = 0;

	common_opts_init(&co);
	memset(&in, 0, sizeof(in));
	argv_init(&args);
	result_init(&res);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "kubelet", help, opt, optarg, &code);
		if (h < 0)
			goto out;
		if (h > 0)
			continue;
		switch (opt) {
		case OPT_CMDLINE: cmdline = optarg; break;
		case OPT_PID:
			if (parse_int(optarg, 1, 1LL << 31, &pid)) {
				code = usage_error("kubelet", "--pid needs a process id, not '%s'",
						   optarg);
				goto out;
			}
			break;
		case OPT_CONFIG: in.config = optarg; break;
		case OPT_CONFIG_DIR: in.config_dir = optarg; break;
		case OPT_CONFIGZ: in.configz = optarg; break;
		case OPT_NODE: node = optarg; break;
		default:
			code = bad_option("kubelet", argv, optopt);
			goto out;
		}
	}
	if (optind < argc) {
		code = usage_error("kubelet", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (cmdline && pid) {
		code = usage_error("kubelet", "--cmdline and --pid both give the "
				   "command line; use one");
		goto out;
	}
	in.required = true;

	if (cmdline) {
		if (cmdline_split(cmdline, &args, &e) < 0) {
			code = usage_error("kubelet", "--cmdline: %s", e.msg);
			goto out;
		}
		in.argv = &args;
		run_one(&in, node ? node : "kubelet", &res);
	} else if (pid) {
		struct strbuf t = STRBUF_INIT;
		if (proc_read_cmdline((long)pid, &args, &e) < 0) {
			fprintf(stderr, "kanon: error: %s\n", e.msg);
			code = 2;
			goto out;
		}
		in.argv = &args;
		in.pid = (long)pid;
		strbuf_addf(&t, "kubelet pid %lld", pid);
		run_one(&in, node ? node : t.buf, &res);
		strbuf_release(&t);
	} else if (in.config || in.config_dir || in.configz) {
		if (!in.configz)
			result_diag(&res, DIAG_NOTE, "no kubelet command line given "
				    "(--cmdline/--pid): assuming no flags override the "
				    "files");
		run_one(&in, node ? node : in.config ? in.config
			    : in.config_dir ? in.config_dir : "kubelet", &res);
	} else {
		struct discovered d = { &in, node, &res };
		size_t audited;

		if (!cli_each_process("kubelet", &res, &audited, run_pid, &d)) {
			fprintf(stderr, "kanon: error: no running kubelet found in /proc; "
				"give its command line with --cmdline or --pid, or its "
				"files with --config, --config-dir or --configz\n");
			code = 2;
			goto out;
		}
		if (!audited) {
			fprintf(stderr, "kanon: error: found kubelet processes but could "
				"not read any command line\n");
			code = 2;
			goto out;
		}
	}
	code = common_finish(&co, &res);
out:
	argv_release(&args);
	result_release(&res);
	return code;
}
