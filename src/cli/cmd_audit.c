#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/audit.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "core/banned.h"

static const char help[] =
	"usage: kanon audit [options] FILE...\n"
	"\n"
	"Find, count and classify anonymous access in Kubernetes API server audit\n"
	"logs (audit.k8s.io/v1 and v1beta1 Events). FILE is a JSON-lines log, a\n"
	"rotated or gzip'ed one (multi-member too), an EventList, a JSON array or a\n"
	"pretty-printed Event; '-' reads standard input. Several files are merged\n"
	"by time; overlapping lines are counted once. Definitions: docs/audit.md.\n"
	"\n"
	"A request is one auditID, judged at its final stage. Anonymous means user\n"
	"system:anonymous or group system:unauthenticated; 401s (failed\n"
	"authentication) are counted apart.\n"
	"\n"
	"Options:\n"
	"      --allow-ip CIDR[,CIDR...]\n"
	"                         addresses expected to probe health endpoints\n"
	"                         (repeatable); others are listed with their source\n"
	"      --since TIME       ignore events before TIME (RFC 3339)\n"
	"      --until TIME       ignore events at or after TIME\n"
	"      --bucket DURATION  timeline bucket, Go duration (default 1m)\n"
	"      --gap DURATION     report gaps of at least DURATION with no events\n"
	"                         (default 5m; e.g. 90s, 1h)\n"
	"      --top N            length of the top lists (default 20)\n"
	"      --threads N        scanning threads (default: one per CPU)\n"
	"      --no-progress      no progress bar (it is drawn only when stderr is a\n"
	"                         terminal and the input is large)\n";

enum {
	OPT_ALLOW_IP = OPT_CMD_BASE,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_BUCKET,
	OPT_GAP,
	OPT_TOP,
	OPT_THREADS,
	OPT_NO_PROGRESS,
};

static int add_cidrs(const char *arg, struct cidr **v, size_t *n, size_t *alloc)
{
	char *copy = xstrdup(arg), *p = copy;
	int rc = 0;

	while (p) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p) {
			ALLOC_GROW(*v, *n + 1, *alloc);
			if (cidr_parse(p, &(*v)[*n]) < 0) {
				rc = -1;
				break;
			}
			(*n)++;
		}
		p = comma ? comma + 1 : NULL;
	}
	free(copy);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "allow-ip", required_argument, NULL, OPT_ALLOW_IP },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "bucket", required_argument, NULL, OPT_BUCKET },
		{ "gap", required_argument, NULL, OPT_GAP },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts co;
	struct audit_opts ao;
	struct result res;
	struct cidr *allow = NULL;
	size_t nallow = 0, aallow = 0;
	struct progress prog;
	bool no_progress = false;
	uint64_t total = 0;
	long long v;
	int opt, code = 0;

	common_opts_init(&co);
	audit_opts_init(&ao);
	result_init(&res);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = common_opt_handle(&co, "audit", help, opt, optarg, &code);
		if (h < 0)
			goto out;
		if (h > 0)
			continue;
		switch (opt) {
		case OPT_ALLOW_IP:
			if (add_cidrs(optarg, &allow, &nallow, &aallow) < 0) {
				code = usage_error("audit", "--allow-ip needs addresses or CIDRs "
						   "(10.0.0.0/8, fd00::/8), not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_SINCE:
		case OPT_UNTIL: {
			int64_t t = ts_parse(optarg, strlen(optarg));
			if (t == TS_NONE) {
				code = usage_error("audit", "--%s needs an RFC 3339 time such as "
						   "2025-06-01T13:00:00Z, not '%s'",
						   opt == OPT_SINCE ? "since" : "until", optarg);
				goto out;
			}
			if (opt == OPT_SINCE)
				ao.since = t;
			else
				ao.until = t;
			break;
		}
		case OPT_BUCKET:
		case OPT_GAP: {
			int64_t d = go_duration_us(optarg);
			if (d <= 0 || (opt == OPT_BUCKET && d < 1000000)) {
				code = usage_error("audit", "--%s needs a duration such as 90s, 5m "
						   "or 1h%s, not '%s'",
						   opt == OPT_GAP ? "gap" : "bucket",
						   opt == OPT_BUCKET ? " (at least 1s)" : "", optarg);
				goto out;
			}
			if (opt == OPT_GAP)
				ao.gap_us = d;
			else
				ao.bucket_us = d;
			break;
		}
		case OPT_TOP:
			if (parse_int(optarg, 1, 10000, &v) < 0) {
				code = usage_error("audit", "--top needs a number from 1 to 10000, "
						   "not '%s'", optarg);
				goto out;
			}
			ao.top = (int)v;
			break;
		case OPT_THREADS:
			if (parse_int(optarg, 1, 16, &v) < 0) {
				code = usage_error("audit", "--threads needs a number from 1 to 16, "
						   "not '%s'", optarg);
				goto out;
			}
			ao.threads = (int)v;
			break;
		case OPT_NO_PROGRESS:
			no_progress = true;
			break;
		default:
			code = bad_option("audit", argv, optopt);
			goto out;
		}
	}
	if (optind >= argc) {
		code = usage_error("audit", "give one or more audit log files ('-' for stdin)");
		goto out;
	}
	if (ao.since != TS_NONE && ao.until != TS_NONE && ao.until <= ao.since) {
		code = usage_error("audit", "--until must be later than --since");
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (!strcmp(argv[i], "-") && i > optind && !strcmp(argv[i - 1], "-")) {
			code = usage_error("audit", "'-' (stdin) can be given once");
			goto out;
		}
		if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0)
			total += (uint64_t)st.st_size;
	}
	ao.allow = allow;
	ao.nallow = nallow;
	if (!no_progress && progress_wanted(total)) {
		progress_init(&prog, "kanon audit");
		ao.progress = progress_update;
		ao.progress_ctx = &prog;
	}
	audit_run(argv + optind, (size_t)(argc - optind), &ao, &res);
	code = common_finish(&co, &res);
out:
	free(allow);
	result_release(&res);
	return code;
}
