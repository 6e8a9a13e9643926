/* The audit formats of issue 10: each record recognized by its structure, unwrapped, mapped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "parsers/jsonl.h"

#define LINE(s) (s), (s) + strlen(s)

/* one anonymous list of secrets, allowed: the event every wrapper below holds */
#define EV                                                                                         \
	"{\"kind\":\"Event\",\"auditID\":\"0b1c2d3e-0000-4000-8000-00000000000a\","                \
	"\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/secrets\",\"verb\":\"list\","     \
	"\"user\":{\"username\":\"system:anonymous\"},\"sourceIPs\":[\"1.1.1.1\"],"                \
	"\"objectRef\":{\"resource\":\"secrets\"},\"responseStatus\":{\"code\":200},"              \
	"\"stageTimestamp\":\"2025-06-01T00:00:00Z\","                                             \
	"\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"}}"
/* the same event as the text of a JSON string */
#define EVS                                                                                        \
	"{\\\"kind\\\":\\\"Event\\\",\\\"auditID\\\":\\\"0b1c2d3e-0000-4000-8000-"                 \
	"00000000000a\\\","                                                                        \
	"\\\"stage\\\":\\\"ResponseComplete\\\",\\\"requestURI\\\":\\\"/api/v1/secrets\\\","       \
	"\\\"verb\\\":\\\"list\\\",\\\"user\\\":{\\\"username\\\":\\\"system:anonymous\\\"},"      \
	"\\\"sourceIPs\\\":[\\\"1.1.1.1\\\"],\\\"objectRef\\\":{\\\"resource\\\":\\\"secrets\\\"}" \
	","                                                                                        \
	"\\\"responseStatus\\\":{\\\"code\\\":200},"                                               \
	"\\\"stageTimestamp\\\":\\\"2025-06-01T00:00:00Z\\\","                                     \
	"\\\"annotations\\\":{\\\"authorization.k8s.io/decision\\\":\\\"allow\\\"}}"

static void block_clear(struct block *b)
{
	for (size_t i = 0; i < b->nrec; i++)
		adetail_free(b->recs[i].d);
	free(b->recs);
	strbuf_release(&b->cri);
	strbuf_release(&b->scratch);
	memset(b, 0, sizeof(*b));
}

/* The one record of line: read as the native event, from format f, at loc. */
static void expect_event(const char *line, int f, uint64_t loc)
{
	struct block b;

	memset(&b, 0, sizeof(b));
	audit_scan_line(&b, LINE(line), 7);
	assert_int_equal(b.nrec, 1);
	assert_int_equal(b.recs[0].flags, R_ANON);
	assert_int_equal(b.recs[0].fmt, f);
	assert_int_equal(b.recs[0].code, 200);
	assert_int_equal(b.recs[0].stage, ST_RC);
	assert_int_equal(b.recs[0].hi, 0x0b1c2d3e00004000ULL);
	assert_int_equal(b.recs[0].line, loc);
	assert_non_null(b.recs[0].d);
	assert_string_equal(b.recs[0].d->resource, "secrets");
	assert_string_equal(b.recs[0].d->decision, "allow");
	block_clear(&b);
}

static void test_detect_wrappers(void **state)
{
	(void)state;
	expect_event(EV, AF_NATIVE, 7);
	/* CloudWatch: a page, a subscription record, one event, a Logs Insights row */
	expect_event("{\"events\":[{\"logStreamName\":\"s\",\"timestamp\":1,\"message\":\"" EVS
		     "\",\"ingestionTime\":2,\"eventId\":\"3\"}],\"searchedLogStreams\":[]}",
		     AF_CLOUDWATCH, loc_make(7, 1));
	expect_event("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\","
		     "\"timestamp\":1,\"message\":\"" EVS "\"}]}",
		     AF_CLOUDWATCH, loc_make(7, 1));
	expect_event("{\"timestamp\":1,\"message\":\"" EVS "\",\"ingestionTime\":2}", AF_CLOUDWATCH,
		     7);
	expect_event("{\"@timestamp\":\"2025-06-01 00:00:00.000\",\"@message\":\"" EVS "\"}",
		     AF_CLOUDWATCH, 7);
	/* Azure: a record (string and object), Event Hub, AzureDiagnostics, AKSAudit */
	expect_event("{\"category\":\"kube-audit\",\"properties\":{\"log\":\"" EVS "\"}}", AF_AZURE,
		     7);
	expect_event("{\"category\":\"kube-audit\",\"properties\":{\"log\":" EV "}}", AF_AZURE, 7);
	expect_event("{\"records\":[{\"category\":\"kube-audit\",\"properties\":{\"log\":\"" EVS
		     "\"}}]}",
		     AF_AZURE, loc_make(7, 1));
	expect_event("{\"Category\":\"kube-audit\",\"log_s\":\"" EVS "\"}", AF_AZURE, 7);
	expect_event(
	    "{\"AuditId\":\"0b1c2d3e-0000-4000-8000-00000000000a\",\"Stage\":"
	    "\"ResponseComplete\",\"RequestUri\":\"/api/v1/secrets\",\"Verb\":\"list\","
	    "\"User\":\"{\\\"username\\\":\\\"system:anonymous\\\"}\","
	    "\"SourceIps\":\"[\\\"1.1.1.1\\\"]\",\"ObjectRef\":{\"resource\":\"secrets\"},"
	    "\"ResponseStatus\":{\"code\":200},\"StageReceivedTime\":\"2025-06-01T00:00:00Z\","
	    "\"Annotations\":{\"authorization.k8s.io/decision\":\"allow\"}}",
	    AF_AZURE, 7);
	/* docker json-file, and shippers under any key (text or object, one level down) */
	expect_event("{\"log\":\"" EVS "\\n\",\"stream\":\"stdout\",\"time\":\"x\"}", AF_DOCKER, 7);
	expect_event("{\"date\":1.5,\"log\":\"" EVS
		     "\\n\",\"stream\":\"stdout\",\"kubernetes\":{}}",
		     AF_SHIPPER, 7);
	expect_event("{\"host\":\"h\",\"event\":" EV "}", AF_SHIPPER, 7);
	expect_event("{\"host\":\"h\",\"k8s\":{\"audit\":" EV "}}", AF_SHIPPER, 7);
	/* text lines: CRI, export task, aws logs tail, CSV */
	expect_event("2025-06-01T00:00:00.1Z stdout F " EV, AF_CRI, 7);
	expect_event("2025-06-01T00:00:00.000Z " EV, AF_CLOUDWATCH, 7);
	expect_event("2025-06-01T00:00:00.000000+00:00 kube-apiserver-audit-1 " EV, AF_CLOUDWATCH,
		     7);
}

static void test_csv_and_cri_partial(void **state)
{
	struct block b;
	struct strbuf csv = STRBUF_INIT;
	const char *ev = EV;
	size_t half = strlen(ev) / 2;
	char p1[1024], p2[1024];
	(void)state;

	strbuf_addstr(&csv, "2025-06-01 00:00:00.000,\"");
	for (const char *q = ev; *q; q++) {
		if (*q == '"')
			strbuf_addch(&csv, '"');
		strbuf_addch(&csv, *q);
	}
	strbuf_addch(&csv, '"');
	expect_event(csv.buf, AF_CLOUDWATCH, 7);
	strbuf_release(&csv);

	/* P lines are joined to the F line; the event is at the first of them */
	snprintf(p1, sizeof(p1), "2025-06-01T00:00:00Z stdout P %.*s", (int)half, ev);
	snprintf(p2, sizeof(p2), "2025-06-01T00:00:00Z stdout F %s", ev + half);
	memset(&b, 0, sizeof(b));
	audit_scan_line(&b, LINE(p1), 3);
	audit_scan_line(&b, LINE(p2), 4);
	assert_int_equal(b.nrec, 1);
	assert_int_equal(b.recs[0].flags, R_ANON);
	assert_int_equal(b.recs[0].fmt, AF_CRI);
	assert_int_equal(b.recs[0].line, 3);
	/* docker json-file: a record without its newline is continued by the next one */
	snprintf(p1, sizeof(p1), "{\"log\":\"%.*s\",\"stream\":\"stdout\",\"time\":\"x\"}",
		 (int)half, EVS);
	snprintf(p2, sizeof(p2), "{\"log\":\"%s\\n\",\"stream\":\"stdout\",\"time\":\"x\"}",
		 EVS + half);
	block_clear(&b);
	audit_scan_line(&b, LINE(p1), 8);
	assert_int_equal(b.nrec, 0);
	audit_scan_line(&b, LINE(p2), 9);
	assert_int_equal(b.nrec, 1);
	assert_int_equal(b.recs[0].flags, R_ANON);
	assert_int_equal(b.recs[0].fmt, AF_DOCKER);
	assert_int_equal(b.recs[0].line, 8);
	block_clear(&b);
	snprintf(p1, sizeof(p1), "2025-06-01T00:00:00Z stdout P %.*s", (int)half, ev);
	/* a P line the block ends with: unread, with a reason */
	audit_scan_line(&b, LINE(p1), 5);
	assert_int_equal(b.nrec, 0);
	audit_fmt_block_end(&b);
	assert_int_equal(b.nrec, 1);
	assert_int_equal(b.recs[0].flags, R_MALFORMED);
	assert_int_equal(b.recs[0].line, 5);
	assert_non_null(strstr(b.recs[0].why, "partial"));
	block_clear(&b);
}

static void test_control_and_unknown(void **state)
{
	struct block b;
	(void)state;

	memset(&b, 0, sizeof(b));
	audit_scan_line(
	    &b,
	    LINE("{\"messageType\":\"CONTROL_MESSAGE\",\"logEvents\":[{\"id\":\"\","
		 "\"timestamp\":1,\"message\":\"CWL CONTROL MESSAGE: Checking health\"}]}"),
	    1);
	audit_scan_line(&b, LINE("{\"wrapper\":{\"nothing\":1}}"), 2);
	audit_scan_line(&b, LINE("{\"message\":\"plain text\",\"eventId\":\"1\"}"), 3);
	audit_scan_line(&b, LINE("Dec 01 10:00:00 host kube-apiserver: text"), 4);
	audit_scan_line(&b, LINE("@timestamp,@message"), 5);
	assert_int_equal(b.nrec, 5);
	assert_int_equal(b.recs[0].flags, R_SKIPPED);
	assert_int_equal(b.recs[1].flags, R_MALFORMED);
	assert_int_equal(b.recs[2].flags, R_MALFORMED);
	assert_int_equal(b.recs[2].fmt, AF_CLOUDWATCH);
	assert_int_equal(b.recs[3].flags, R_MALFORMED);
	assert_int_equal(b.recs[4].flags, R_SKIPPED);
	block_clear(&b);
}

/* --input-format: the others are unread, the forced one read */
static void test_forced(void **state)
{
	struct block b;
	(void)state;

	memset(&b, 0, sizeof(b));
	b.format = AF_GCP;
	audit_scan_line(&b, LINE(EV), 1);
	audit_scan_line(&b, LINE("{\"log\":\"" EVS "\\n\",\"stream\":\"stdout\",\"time\":\"x\"}"),
			2);
	assert_int_equal(b.nrec, 2);
	assert_int_equal(b.recs[0].flags, R_MALFORMED);
	assert_int_equal(b.recs[1].flags, R_MALFORMED);
	assert_int_equal(b.recs[1].fmt, AF_DOCKER);
	block_clear(&b);
	b.format = AF_FORCED_NATIVE;
	audit_scan_line(&b, LINE(EV), 1);
	audit_scan_line(&b, LINE("{\"log\":\"" EVS "\\n\",\"stream\":\"stdout\",\"time\":\"x\"}"),
			2);
	assert_int_equal(b.nrec, 2);
	assert_int_equal(b.recs[0].flags, R_ANON);
	assert_int_equal(b.recs[1].flags, R_MALFORMED);
	block_clear(&b);
	b.format = AF_DOCKER;
	audit_scan_line(&b, LINE("{\"log\":\"" EVS "\\n\",\"stream\":\"stdout\",\"time\":\"x\"}"),
			2);
	assert_int_equal(b.nrec, 1);
	assert_int_equal(b.recs[0].flags, R_ANON);
	block_clear(&b);
	assert_int_equal(audit_format_parse("native"), AF_FORCED_NATIVE);
	assert_int_equal(audit_format_parse("auto"), AF_AUTO);
	assert_int_equal(audit_format_parse("eks"), AF_CLOUDWATCH);
	assert_int_equal(audit_format_parse("fluentbit"), AF_SHIPPER);
	assert_int_equal(audit_format_parse("json"), -1);
}

/* GKE: the mapping of docs/audit.md */
static void test_gcp_mapping(void **state)
{
	struct block b;
	const char *secrets =
	    "{\"insertId\":\"i1\",\"protoPayload\":{\"authenticationInfo\":{\"principalEmail\":"
	    "\"system:anonymous\"},\"methodName\":\"io.k8s.core.v1.secrets.list\","
	    "\"resourceName\":\"core/v1/namespaces/kube-system/secrets\",\"requestMetadata\":"
	    "{\"callerIp\":\"203.0.113.9\",\"callerSuppliedUserAgent\":\"curl\"}},"
	    "\"timestamp\":\"2025-06-01T00:00:00Z\"}";
	const char *exec =
	    "{\"insertId\":\"i2\",\"protoPayload\":{\"authenticationInfo\":{\"principalEmail\":"
	    "\"system:anonymous\"},\"methodName\":\"io.k8s.core.v1.pods.exec.create\","
	    "\"resourceName\":\"core/v1/namespaces/default/pods/web-1/"
	    "exec\",\"status\":{\"code\":7}},"
	    "\"timestamp\":\"2025-06-01T00:00:01Z\"}";
	const char *health =
	    "{\"insertId\":\"i3\",\"protoPayload\":{\"authenticationInfo\":{\"principalEmail\":"
	    "\"system:anonymous\"},\"methodName\":\"io.k8s.get\",\"resourceName\":\"readyz\","
	    "\"status\":{\"code\":16}},\"timestamp\":\"2025-06-01T00:00:02Z\"}";
	(void)state;

	memset(&b, 0, sizeof(b));
	audit_scan_line(&b, LINE(secrets), 1);
	audit_scan_line(&b, LINE(exec), 2);
	audit_scan_line(&b, LINE(health), 3);
	audit_scan_line(&b,
			LINE("{\"protoPayload\":{\"methodName\":\"storage.objects.get\"},"
			     "\"timestamp\":\"2025-06-01T00:00:02Z\"}"),
			4);
	assert_int_equal(b.nrec, 4);
	assert_int_equal(b.recs[0].fmt, AF_GCP);
	assert_int_equal(b.recs[0].code, 200);
	assert_int_equal(b.recs[0].stage, ST_RC);
	assert_string_equal(b.recs[0].d->verb, "list");
	assert_string_equal(b.recs[0].d->resource, "secrets");
	assert_string_equal(b.recs[0].d->ns, "kube-system");
	assert_string_equal(b.recs[0].d->uri, "/api/v1/namespaces/kube-system/secrets");
	assert_string_equal(b.recs[0].d->src_last, "203.0.113.9");
	assert_string_equal(b.recs[0].d->decision, "allow");
	assert_int_equal(audit_classify(b.recs[0].d), CL_SENSITIVE);
	assert_int_equal(b.recs[1].code, 403);
	assert_string_equal(b.recs[1].d->sub, "exec");
	assert_string_equal(b.recs[1].d->name, "web-1");
	assert_string_equal(b.recs[1].d->decision, "forbid");
	assert_int_equal(b.recs[2].code, 401);
	assert_string_equal(b.recs[2].d->uri, "/readyz");
	assert_null(b.recs[2].d->decision);
	assert_int_equal(b.recs[3].flags, R_MALFORMED);
	block_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect_wrappers),	cmocka_unit_test(test_csv_and_cri_partial),
	    cmocka_unit_test(test_control_and_unknown), cmocka_unit_test(test_forced),
	    cmocka_unit_test(test_gcp_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
