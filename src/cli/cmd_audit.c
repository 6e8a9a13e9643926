#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/audit.h"
#include "checks/audit_part.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "parsers/jsonl.h"
#include "checks/audit_formats.h"
#include "core/banned.h"

static const char help[] =
    "usage: kanon audit [options] FILE...\n"
    "       kanon audit [options] --part-out PART FILE...\n"
    "       kanon audit [options] --merge PART...\n"
    "\n"
    "Find, count and classify anonymous access in Kubernetes API server audit\n"
    "logs (audit.k8s.io/v1 and v1beta1 Events). FILE is a JSON-lines log, a\n"
    "rotated or gzip'ed one (multi-member too), an EventList, a JSON array or a\n"
    "pretty-printed Event; '-' reads standard input. Several files are merged\n"
    "by time; overlapping lines are counted once. Definitions: docs/audit.md.\n"
    "\n"
    "Managed clusters' exports are read too, each record recognized by its\n"
    "structure: EKS (CloudWatch Logs API pages, Firehose/S3 subscription records,\n"
    "export tasks, aws logs tail, Logs Insights JSON/CSV), GKE (Cloud Logging\n"
    "entries), AKS (Azure Monitor records, Event Hub, Log Analytics), CRI and\n"
    "docker container logs, and log shippers nesting the Event under a key.\n"
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
    "      --input-format NAME  read only records of this format, the others are\n"
    "                         counted unread: " AUDIT_FORMAT_NAMES "\n"
    "                         (default auto: each record's own)\n"
    "      --no-progress      no progress bar (it is drawn only when stderr is a\n"
    "                         terminal and the input is large)\n"
    "      --part-out PART    write a partial result (JSON, kind kanon.audit.part)\n"
    "                         to PART instead of a report, for --merge\n"
    "      --merge            FILEs are parts: report as one run over all their\n"
    "                         logs (window, bucket, gap and --allow-ip come from\n"
    "                         the parts)\n";

struct audit_args {
	struct audit_opts ao;
	struct progress prog;
	struct cidr *allow;
	size_t nallow, aallow;
	bool no_progress, merge;
	const char *part_out;
	bool window_set; /* --since, --until, --bucket, --gap, --allow-ip, --input-format */
};

enum { O_ALLOW_IP, O_SINCE, O_UNTIL, O_BUCKET, O_GAP, O_TOP, O_THREADS, O_FORMAT, O_PART_OUT };

static const struct cli_opt opts[] = {
    CLI_ARG("allow-ip", O_ALLOW_IP),
    CLI_ARG("since", O_SINCE),
    CLI_ARG("until", O_UNTIL),
    CLI_ARG("bucket", O_BUCKET),
    CLI_ARG("gap", O_GAP),
    CLI_ARG("top", O_TOP),
    CLI_ARG("threads", O_THREADS),
    CLI_ARG("input-format", O_FORMAT),
    CLI_FLAG("no-progress", struct audit_args, no_progress),
    CLI_ARG("part-out", O_PART_OUT),
    CLI_FLAG("merge", struct audit_args, merge),
    {NULL, 0, 0, 0, 0},
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

static int set_time(struct audit_args *a, int id, const char *arg)
{
	int64_t t = ts_parse(arg, strlen(arg));

	if (t == TS_NONE)
		return usage_error("audit",
				   "--%s needs an RFC 3339 time such as "
				   "2025-06-01T13:00:00Z, not '%s'",
				   id == O_SINCE ? "since" : "until", arg);
	if (id == O_SINCE)
		a->ao.since = t;
	else
		a->ao.until = t;
	return 0;
}

static int set_duration(struct audit_args *a, int id, const char *arg)
{
	int64_t d = go_duration_us(arg);

	if (d <= 0 || (id == O_BUCKET && d < 1000000))
		return usage_error("audit",
				   "--%s needs a duration such as 90s, 5m "
				   "or 1h%s, not '%s'",
				   id == O_GAP ? "gap" : "bucket",
				   id == O_BUCKET ? " (at least 1s)" : "", arg);
	if (id == O_GAP)
		a->ao.gap_us = d;
	else
		a->ao.bucket_us = d;
	return 0;
}

static int set_opt(void *ctx, int id, const char *arg)
{
	struct audit_args *a = ctx;
	long long v;

	if (id != O_TOP && id != O_THREADS && id != O_PART_OUT)
		a->window_set = true;
	switch (id) {
	case O_PART_OUT:
		a->part_out = arg;
		break;
	case O_ALLOW_IP:
		if (add_cidrs(arg, &a->allow, &a->nallow, &a->aallow) < 0)
			return usage_error("audit",
					   "--allow-ip needs addresses or CIDRs "
					   "(10.0.0.0/8, fd00::/8), not '%s'",
					   arg);
		break;
	case O_SINCE:
	case O_UNTIL:
		return set_time(a, id, arg);
	case O_BUCKET:
	case O_GAP:
		return set_duration(a, id, arg);
	case O_TOP:
		if (parse_int(arg, 1, 10000, &v) < 0)
			return usage_error("audit",
					   "--top needs a number from 1 to 10000, "
					   "not '%s'",
					   arg);
		a->ao.top = (int)v;
		break;
	case O_THREADS:
		if (parse_int(arg, 1, 16, &v) < 0)
			return usage_error("audit",
					   "--threads needs a number from 1 to 16, "
					   "not '%s'",
					   arg);
		a->ao.threads = (int)v;
		break;
	case O_FORMAT:
		if ((a->ao.format = audit_format_parse(arg)) < 0)
			return usage_error("audit", "--input-format needs one of %s, not '%s'",
					   AUDIT_FORMAT_NAMES, arg);
		break;
	}
	return 0;
}

/* Operands: '-' at most once; their total size decides the progress bar. */
static int check_files(char **files, int n, uint64_t *total)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (!strcmp(files[i], "-") && i > 0 && !strcmp(files[i - 1], "-"))
			return usage_error("audit", "'-' (stdin) can be given once");
		if (strcmp(files[i], "-") && stat(files[i], &st) == 0)
			*total += (uint64_t)st.st_size;
	}
	return 0;
}

/* --merge PART...: the report of one run over all the parts' logs */
static int merge(struct audit_args *a, char **files, int n, struct result *res)
{
	struct err e = {0};

	if (a->part_out)
		return usage_error("audit", "--merge and --part-out cannot be given together");
	if (a->window_set)
		return usage_error("audit", "--since, --until, --bucket, --gap, --allow-ip and "
					    "--input-format are set when the parts are made, not "
					    "with --merge");
	for (int i = 0; i < n; i++)
		if (!strcmp(files[i], "-"))
			return usage_error("audit", "--merge reads parts from files, not stdin");
	if (audit_merge(files, (size_t)n, &a->ao, res, &e) < 0)
		return cli_error("%s", e.msg);
	return CLI_REPORT;
}

/* --part-out PART FILE...: the partial result instead of a report */
static int part_out(struct audit_args *a, char **files, int n, struct result *res)
{
	struct err e = {0};

	if (audit_part_write(files, (size_t)n, &a->ao, a->part_out, res, &e) < 0)
		return cli_error("%s", e.msg);
	return 0;
}

static int run(void *ctx, char **files, int n, const struct common_opts *co, struct result *res)
{
	struct audit_args *a = ctx;
	struct audit_input in;
	uint64_t total = 0;
	int code;

	(void)co;
	if (a->merge)
		return merge(a, files, n, res);
	if (a->ao.since != TS_NONE && a->ao.until != TS_NONE && a->ao.until <= a->ao.since)
		return usage_error("audit", "--until must be later than --since");
	if ((code = check_files(files, n, &total)))
		return code;
	a->ao.allow = a->allow;
	a->ao.nallow = a->nallow;
	if (!a->no_progress && progress_wanted(total)) {
		progress_init(&a->prog, "kanon audit");
		a->ao.progress = progress_update;
		a->ao.progress_ctx = &a->prog;
	}
	if (a->part_out)
		return part_out(a, files, n, res);
	in.src = NULL; /* paths the user named, pipes included */
	in.paths = NULL;
	in.files = files;
	in.nfiles = (size_t)n;
	in.opts = &a->ao;
	check_run(&check_audit, &in, NULL, res);
	return CLI_REPORT;
}

static void init(void *ctx)
{
	struct audit_args *a = ctx;

	audit_opts_init(&a->ao);
}

static void release(void *ctx)
{
	struct audit_args *a = ctx;

	free(a->allow);
}

static const struct cli_cmd audit_cmd = {
    .name = "audit",
    .help = help,
    .opts = opts,
    .set = set_opt,
    .missing = "give one or more audit log files ('-' for stdin)",
    .max = -1,
    .run = run,
    .ctx_size = sizeof(struct audit_args),
    .init = init,
    .release = release,
};

int cmd_audit(int argc, char **argv)
{
	return cli_main(&audit_cmd, argc, argv);
}
