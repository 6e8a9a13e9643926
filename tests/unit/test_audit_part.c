/*
 * kanon audit --part-out / --merge (docs/audit.md, "Beyond one machine"): a
 * merge of parts reports what a single run over their logs reports, for the
 * requests cut at the parts' edges too; hostile parts are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit.h"
#include "checks/audit_part.h"
#include "core/section.h"
#include "core/strbuf.h"
#include "report/report.h"
#include "tmpdir.h"

/* An anonymous exec of pod p, stage S at second T (received at second R). */
#define EV(id, stage, r, t, extra)                                                                 \
	"{\"auditID\":\"" id "\",\"stage\":\"" stage "\",\"verb\":\"create\",\"requestURI\":"      \
	"\"/api/v1/namespaces/d/pods/p/exec\",\"user\":{\"username\":\"system:anonymous\"},"       \
	"\"sourceIPs\":[\"203.0.113.9\"],\"objectRef\":{\"resource\":\"pods\",\"namespace\":"      \
	"\"d\",\"name\":\"p\",\"subresource\":\"exec\"}" extra ",\"requestReceivedTimestamp\":"    \
	"\"2025-06-01T00:" r "Z\",\"stageTimestamp\":\"2025-06-01T00:" t "Z\"}\n"
#define DONE(code)                                                                                 \
	",\"responseStatus\":{\"code\":" code "},\"annotations\":{"                                \
	"\"authorization.k8s.io/decision\":\"allow\"}"
/* a plain request of another user, one line */
#define OTHER(id, t)                                                                               \
	"{\"auditID\":\"" id "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestURI\":"  \
	"\"/api/v1/nodes\",\"user\":{\"username\":\"admin\"},\"responseStatus\":{\"code\":200},"   \
	"\"requestReceivedTimestamp\":\"2025-06-01T00:" t "Z\",\"stageTimestamp\":"                \
	"\"2025-06-01T00:" t "Z\"}\n"

static char *path(const char *name)
{
	static char buf[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void json_of(struct result *res, struct strbuf *out)
{
	struct report_opts ro = {false, 0};

	report_json(out, res, &ro);
}

/* The JSON report of a single run over logs[], and of the merge of a part per log. */
static void single_and_merged(const char **logs, size_t n, const size_t *order,
			      struct strbuf *single, struct strbuf *merged)
{
	struct audit_opts o;
	struct result res;
	char *files[8], *parts[8];
	struct err e = {0};

	audit_opts_init(&o);
	o.threads = 1;
	for (size_t i = 0; i < n; i++) {
		files[i] = strdup(path(logs[i]));
		result_init(&res);
		parts[i] = strdup(path(logs[i]));
		parts[i] = realloc(parts[i], strlen(parts[i]) + 6);
		strcat(parts[i], ".part");
		assert_int_equal(audit_part_write(&files[i], 1, &o, parts[i], &res, &e), 0);
		result_release(&res);
	}
	result_init(&res);
	audit_run(files, n, &o, &res);
	json_of(&res, single);
	result_release(&res);
	{
		char *ordered[8];
		for (size_t i = 0; i < n; i++)
			ordered[i] = parts[order[i]];
		result_init(&res);
		assert_int_equal(audit_merge(ordered, n, &o, &res, &e), 0);
		json_of(&res, merged);
		result_release(&res);
	}
	for (size_t i = 0; i < n; i++) {
		free(files[i]);
		free(parts[i]);
	}
}

static uint64_t num(const char *json, const char *key)
{
	const char *p = strstr(json, key);

	assert_non_null(p);
	return strtoull(p + strlen(key), NULL, 10);
}

/*
 * An exec received in one part and completed in the next: one request, judged
 * at its 201 (the next part goes on for 9 minutes: its end does not carry it).
 */
static void test_split_request_both_orders(void **state)
{
	const char *logs[] = {"a.log", "b.log"};
	const size_t fwd[] = {0, 1}, rev[] = {1, 0};
	struct strbuf s = STRBUF_INIT, m = STRBUF_INIT;

	(void)state;
	put("a.log", OTHER("o1", "00:00") EV("x", "RequestReceived", "00:01", "00:01", ""));
	put("b.log",
	    EV("x", "ResponseComplete", "00:01", "00:02", DONE("201")) OTHER("o2", "09:00"));
	single_and_merged(logs, 2, fwd, &s, &m);
	assert_string_equal(s.buf, m.buf);
	assert_int_equal(num(m.buf, "\"requests\":"), 3);
	assert_int_equal(num(m.buf, "\"anonymous\":{\"requests\":"), 1);
	assert_int_equal(num(m.buf, "\"allowed\":"), 1);
	assert_int_equal(num(m.buf, "\"incomplete\":"), 0);
	strbuf_reset(&m);
	strbuf_reset(&s);
	single_and_merged(logs, 2, rev, &s, &m);
	assert_string_equal(s.buf, m.buf);
	strbuf_release(&s);
	strbuf_release(&m);
}

/* The final stage in the first part and its RequestReceived after it: judged once. */
static void test_split_request_final_first(void **state)
{
	const char *logs[] = {"c.log", "d.log"};
	const size_t rev[] = {1, 0};
	struct strbuf s = STRBUF_INIT, m = STRBUF_INIT;

	(void)state;
	put("c.log", EV("y", "ResponseComplete", "00:01", "00:02", DONE("201")));
	put("d.log", EV("y", "RequestReceived", "00:01", "00:03", "") OTHER("o3", "09:00"));
	single_and_merged(logs, 2, rev, &s, &m);
	assert_string_equal(s.buf, m.buf);
	assert_int_equal(num(m.buf, "\"anonymous\":{\"requests\":"), 1);
	strbuf_release(&s);
	strbuf_release(&m);
}

/*
 * Overlapping copies: the second part repeats the last stages of the first
 * (a request judged 10 minutes into the first file): duplicates, not requests.
 */
static void test_duplicate_stages(void **state)
{
	const char *logs[] = {"e.log", "f.log"};
	const size_t fwd[] = {0, 1};
	struct strbuf s = STRBUF_INIT, m = STRBUF_INIT;

	(void)state;
	put("e.log", OTHER("o4", "00:00") EV("z", "RequestReceived", "10:00", "10:00", "")
			 EV("z", "ResponseComplete", "10:00", "10:01", DONE("201")));
	put("f.log",
	    EV("z", "RequestReceived", "10:00", "10:00", "")
		EV("z", "ResponseComplete", "10:00", "10:01", DONE("201")) OTHER("o5", "10:02"));
	single_and_merged(logs, 2, fwd, &s, &m);
	assert_string_equal(s.buf, m.buf);
	assert_int_equal(num(m.buf, "\"duplicates\":"), 2);
	assert_int_equal(num(m.buf, "\"anonymous\":{\"requests\":"), 1);
	strbuf_release(&s);
	strbuf_release(&m);
}

/* A gap that starts in one part and ends in the next; and none across a short pause. */
static void test_gap_across_parts(void **state)
{
	const char *logs[] = {"g.log", "h.log", "i.log"};
	const size_t order[] = {2, 0, 1};
	struct strbuf s = STRBUF_INIT, m = STRBUF_INIT;

	(void)state;
	put("g.log", OTHER("g1", "00:00") OTHER("g2", "01:00"));
	put("h.log", OTHER("h1", "09:00") OTHER("h2", "10:00"));
	put("i.log", OTHER("i1", "12:00") OTHER("i2", "13:00"));
	single_and_merged(logs, 3, order, &s, &m);
	assert_string_equal(s.buf, m.buf);
	assert_int_equal(num(m.buf, "\"gaps_total\":"), 1);
	assert_non_null(strstr(m.buf, "\"from\":\"2025-06-01T00:01:00.000000Z\",\"to\":"
				      "\"2025-06-01T00:09:00.000000Z\""));
	strbuf_release(&s);
	strbuf_release(&m);
}

static void merge_fails(const char *text, const char *why)
{
	char *parts[1] = {path("bad.part")};
	struct audit_opts o;
	struct result res;
	struct err e = {0};

	put("bad.part", text);
	audit_opts_init(&o);
	result_init(&res);
	assert_int_equal(audit_merge(parts, 1, &o, &res, &e), -1);
	assert_non_null(strstr(e.msg, "bad.part"));
	if (!strstr(e.msg, why))
		fail_msg("'%s' does not say '%s'", e.msg, why);
	assert_null(strchr(e.msg, '\n'));
	result_release(&res);
}

/* Hostile parts: refused with one line naming the part, nothing read past the error. */
static void test_hostile_parts(void **state)
{
	struct strbuf good = STRBUF_INIT;
	char *parts[1];
	struct audit_opts o;
	struct result res;
	struct err e = {0};
	FILE *f;
	char buf[4096];
	size_t n;

	(void)state;
	merge_fails("", "not a kanon audit part");
	merge_fails("[1,2]", "not a kanon audit part");
	merge_fails("{\"kind\":\"kanon.audit.part\",\"version\":1}", "another version");
	merge_fails("{\"kind\":\"kanon.audit.part\",\"version\":2}", "\"options\" is missing");
	/* a real part, then broken in one place at a time */
	put("ok.log", OTHER("k1", "00:00") EV("k2", "RequestReceived", "00:01", "00:01", ""));
	parts[0] = strdup(path("ok.part"));
	audit_opts_init(&o);
	result_init(&res);
	{
		char *files[1] = {path("ok.log")};
		assert_int_equal(audit_part_write(files, 1, &o, parts[0], &res, &e), 0);
	}
	result_release(&res);
	f = fopen(parts[0], "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&good, buf, n);
	fclose(f);
	{
		struct {
			const char *from, *to, *why;
		} cases[] = {
		    {"\"lines\":2", "\"lines\":-1", "\"lines\" is not an integer"},
		    {"\"lines\":2", "\"lines\":1.5", "\"lines\" is not an integer"},
		    {"\"lines\":2", "\"lines\":\"2\"", "\"lines\" is not an integer"},
		    {"\"stage\":0", "\"stage\":9", "\"stage\" is not an integer"},
		    {"\"file\":0", "\"file\":3", "\"file\" is not an integer"},
		    {"\"deferred_overflow\":0", "\"deferred_overflow\":[]",
		     "\"deferred_overflow\" is not an integer"},
		    {"\"hi\":\"", "\"hi\":\"x", "hex digits"},
		    {"\"bucket_us\":60000000", "\"bucket_us\":5", "out of range"},
		    {"\"kind\":\"kanon.audit.part\"", "\"kind\":\"kanon.report\"",
		     "not a kanon audit part"},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct strbuf t = STRBUF_INIT;
			const char *p = strstr(good.buf, cases[i].from);
			if (!p)
				fail_msg("the part has no %s", cases[i].from);
			strbuf_add(&t, good.buf, (size_t)(p - good.buf));
			strbuf_addstr(&t, cases[i].to);
			strbuf_addstr(&t, p + strlen(cases[i].from));
			merge_fails(t.buf, cases[i].why);
			strbuf_release(&t);
		}
	}
	/* and the part itself merges */
	result_init(&res);
	assert_int_equal(audit_merge(parts, 1, &o, &res, &e), 0);
	result_release(&res);
	free(parts[0]);
	strbuf_release(&good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_request_both_orders),
	    cmocka_unit_test(test_split_request_final_first),
	    cmocka_unit_test(test_duplicate_stages),
	    cmocka_unit_test(test_gap_across_parts),
	    cmocka_unit_test(test_hostile_parts),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
