/* kanon serve: webhook bodies, the live audit state (stage dedup across batches, the
 * bounded open-request table), the all-or-nothing queue, the listen address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checks/audit.h"
#include "checks/audit_live.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "serve/queue.h"
#include "serve/serve.h"
#include "serve/serve_int.h"

#define LIT(s) s, s + sizeof(s) - 1
#define ANON   "\"user\":{\"username\":\"system:anonymous\",\"groups\":[\"system:unauthenticated\"]}"

/* an Event of request ID at STAGE, anonymous or not */
static void event(struct strbuf *sb, const char *id, const char *stage, bool anon, int code)
{
	strbuf_addf(sb,
		    "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
		    "\"auditID\":\"%s\",\"stage\":\"%s\",\"requestURI\":\"/api/v1/secrets\","
		    "\"verb\":\"list\",%s,\"sourceIPs\":[\"10.0.0.9\"],"
		    "\"objectRef\":{\"resource\":\"secrets\",\"apiVersion\":\"v1\"},"
		    "\"responseStatus\":{\"metadata\":{},\"code\":%d},"
		    "\"requestReceivedTimestamp\":\"2025-06-01T00:00:00.000000Z\","
		    "\"stageTimestamp\":\"2025-06-01T00:00:01.000000Z\","
		    "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"}}",
		    id, stage, anon ? ANON : "\"user\":{\"username\":\"alice\"}", code);
}

static struct live_batch *parse_ok(const char *body)
{
	struct live_batch *b = NULL;
	struct strbuf why = STRBUF_INIT;

	if (live_batch_parse(body, strlen(body), &b, &why) < 0)
		fail_msg("refused: %s (%s)", why.buf, body);
	strbuf_release(&why);
	return b;
}

static void test_bodies(void **state)
{
	struct strbuf ev = STRBUF_INIT, sb = STRBUF_INIT, why = STRBUF_INIT;
	struct live_batch *b;
	static const char *const bad[] = {
	    "",
	    "null",
	    "x",
	    "{",
	    "[",
	    "[{}",
	    "{\"items\":[}",
	    "{\"items\":{}}",
	    "{\"kind\":\"Pod\",\"items\":[]}",
	    "{\"apiVersion\":\"audit.k8s.io/v2\",\"items\":[]}",
	    "[1]",
	    "[{\"a\":1}]",
	    "{\"items\":[]} x",
	    "{\"items\":[{]}",
	    "[{\"a\":[}]",
	    "{\"items\":[\"s\"]}",
	};

	(void)state;
	event(&ev, "a1", "ResponseComplete", true, 200);
	/* an EventList, v1 and v1beta1, pretty or compact */
	strbuf_addf(&sb,
		    "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},"
		    "\"items\":[%s,\n  %s ]}\n",
		    ev.buf, ev.buf);
	b = parse_ok(sb.buf);
	assert_int_equal(live_batch_events(b), 2);
	live_batch_destroy(b);
	strbuf_reset(&sb);
	strbuf_addf(
	    &sb, "{\"apiVersion\":\"audit.k8s.io/v1beta1\",\"kind\":\"EventList\",\"items\":[%s]}",
	    ev.buf);
	b = parse_ok(sb.buf);
	assert_int_equal(live_batch_events(b), 1);
	live_batch_destroy(b);
	/* an array, one Event, an empty list, items null */
	strbuf_reset(&sb);
	strbuf_addf(&sb, " [%s,%s,%s] ", ev.buf, ev.buf, ev.buf);
	b = parse_ok(sb.buf);
	assert_int_equal(live_batch_events(b), 3);
	live_batch_destroy(b);
	b = parse_ok(ev.buf);
	assert_int_equal(live_batch_events(b), 1);
	live_batch_destroy(b);
	b = parse_ok("{\"kind\":\"EventList\",\"items\":null}");
	assert_int_equal(live_batch_events(b), 0);
	live_batch_destroy(b);
	b = parse_ok("[]");
	assert_int_equal(live_batch_events(b), 0);
	live_batch_destroy(b);
	/* refused with a reason, nothing kept */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = (struct live_batch *)1;
		strbuf_reset(&why);
		if (live_batch_parse(bad[i], strlen(bad[i]), &b, &why) == 0)
			fail_msg("accepted: '%s'", bad[i]);
		assert_null(b);
		assert_true(why.len > 0);
	}
	/* one bad event in a list refuses the list, naming the event */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "{\"items\":[%s,{\"auditID\":\"x\"}]}", ev.buf);
	strbuf_reset(&why);
	assert_int_equal(live_batch_parse(sb.buf, sb.len, &b, &why), -1);
	assert_non_null(strstr(why.buf, "item 1"));
	strbuf_release(&ev);
	strbuf_release(&sb);
	strbuf_release(&why);
}

/* The 64-byte splitter at every alignment: escapes and brackets in strings across blocks. */
static void test_json_end(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const tails[] = {
	    "\\\"}]\"}",   /* an escaped quote, then brackets, in the string */
	    "\\\\\"}",	   /* an escaped backslash: the quote closes */
	    "\\\\\\\"\"}", /* three backslashes: the quote is escaped */
	    "[{]}\"}",	   /* brackets in a string */
	};

	(void)state;
	for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++)
		for (size_t k = 0; k < 200; k++) {
			strbuf_reset(&sb);
			strbuf_addstr(&sb, "{\"k\":\"");
			for (size_t i = 0; i < k; i++)
				strbuf_addch(&sb, 'x');
			strbuf_addstr(&sb, tails[t]);
			/* the value ends exactly at the end; one byte less is not a value */
			if (live_json_end(sb.buf, sb.buf + sb.len) != sb.buf + sb.len)
				fail_msg("tail %zu, %zu bytes: %s", t, k, sb.buf);
			assert_null(live_json_end(sb.buf, sb.buf + sb.len - 1));
			strbuf_addstr(&sb, " ]");
			assert_ptr_equal(live_json_end(sb.buf, sb.buf + sb.len),
					 sb.buf + sb.len - 2);
		}
	/* mismatched brackets, an escaped bracket outside a string (fuzz_webhook) */
	assert_null(live_json_end(LIT("{]")));
	assert_null(live_json_end(LIT("[}")));
	assert_null(live_json_end(LIT("{\"a\":\\}")));
	assert_null(live_json_end(LIT("{\"a\":\"}")));
	strbuf_release(&sb);
}

struct seen {
	int anon, allowed;
	char id[64];
};

static void on_request(void *ctx, const struct live_request *r)
{
	struct seen *s = ctx;

	if (!r->anonymous)
		return;
	s->anon++;
	s->allowed += r->outcome == LO_ALLOWED;
	snprintf(s->id, sizeof(s->id), "%s", r->audit_id ? r->audit_id : "");
}

static void feed(struct audit_live *l, const char *id, const char *stage, bool anon, int code)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "{\"kind\":\"EventList\",\"items\":[");
	event(&sb, id, stage, anon, code);
	strbuf_addstr(&sb, "]}");
	audit_live_feed(l, parse_ok(sb.buf));
	strbuf_release(&sb);
}

/* The stages of one request in different batches: one request, judged once, at its end. */
static void test_dedup_across_batches(void **state)
{
	struct audit_opts o;
	struct seen seen = {0};
	struct audit_live *l;
	struct live_counts c;

	(void)state;
	audit_opts_init(&o);
	l = audit_live_create(&o, on_request, &seen);
	feed(l, "r1", "RequestReceived", true, 0);
	audit_live_counts(l, &c);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.open, 1);
	assert_int_equal(seen.anon, 0); /* not judged before its final stage */
	feed(l, "r1", "ResponseComplete", true, 200);
	feed(l, "r1", "ResponseComplete", true, 200); /* the same stage again */
	audit_live_counts(l, &c);
	assert_int_equal(c.events[0], 1);
	assert_int_equal(c.events[2], 2);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.duplicates, 1);
	assert_int_equal(c.open, 0);
	assert_int_equal(seen.anon, 1);
	assert_int_equal(seen.allowed, 1);
	assert_string_equal(seen.id, "r1");
	assert_int_equal(c.anon[CL_SENSITIVE][LO_ALLOWED], 1);
	/* a 401 is final at ResponseStarted (authn_audit.go) */
	feed(l, "r2", "ResponseStarted", false, 401);
	audit_live_counts(l, &c);
	assert_int_equal(c.unauthorized_401, 1);
	assert_int_equal(c.open, 0);
	audit_live_destroy(l);
}

/* Requests that never end do not grow memory: the table evicts, and says so. */
static void test_open_table_bounded(void **state)
{
	struct audit_opts o;
	struct audit_live *l;
	struct live_counts c;
	struct strbuf sb = STRBUF_INIT;
	const size_t per = 20000, batches = 30; /* 600k open requests */
	char id[32];

	(void)state;
	audit_opts_init(&o);
	l = audit_live_create(&o, NULL, NULL);
	for (size_t b = 0; b < batches; b++) {
		strbuf_reset(&sb);
		strbuf_addch(&sb, '[');
		for (size_t i = 0; i < per; i++) {
			snprintf(id, sizeof(id), "open-%zu", b * per + i);
			if (i)
				strbuf_addch(&sb, ',');
			strbuf_addf(
			    &sb,
			    "{\"auditID\":\"%s\",\"stage\":\"RequestReceived\",\"verb\":\"get\","
			    "\"user\":{\"username\":\"bob\"},"
			    "\"stageTimestamp\":\"2025-06-01T00:00:01Z\"}",
			    id);
		}
		strbuf_addch(&sb, ']');
		audit_live_feed(l, parse_ok(sb.buf));
	}
	audit_live_counts(l, &c);
	assert_int_equal(c.events[0], per * batches);
	assert_int_equal(c.requests, per * batches);
	assert_true(c.open <= 512 * 1024);
	assert_true(c.evicted > 0);
	assert_int_equal(c.open + c.evicted, per * batches);
	strbuf_release(&sb);
	audit_live_destroy(l);
}

static void test_queue_all_or_nothing(void **state)
{
	struct serve_queue q;
	int a, b, c;

	(void)state;
	serve_queue_init(&q, 10);
	assert_int_equal(serve_queue_push(&q, &a, 6), SQ_OK);
	assert_int_equal(serve_queue_push(&q, &b, 5), SQ_FULL); /* 11 > 10: none of it */
	assert_int_equal(serve_queue_depth(&q), 6);
	assert_int_equal(serve_queue_push(&q, &b, 11), SQ_TOO_BIG);
	assert_int_equal(serve_queue_push(&q, &b, 4), SQ_OK);
	assert_int_equal(serve_queue_depth(&q), 10);
	assert_ptr_equal(serve_queue_pop(&q), &a);
	/* popped but not processed: still counted */
	assert_int_equal(serve_queue_depth(&q), 10);
	assert_int_equal(serve_queue_push(&q, &c, 1), SQ_FULL);
	serve_queue_done(&q, 6);
	assert_int_equal(serve_queue_depth(&q), 4);
	assert_int_equal(serve_queue_push(&q, &c, 6), SQ_OK);
	serve_queue_close(&q);
	assert_int_equal(serve_queue_push(&q, &a, 1), SQ_CLOSED);
	/* stopped: what is queued still comes out, then NULL */
	serve_queue_stop(&q);
	assert_ptr_equal(serve_queue_pop(&q), &b);
	assert_ptr_equal(serve_queue_pop(&q), &c);
	assert_null(serve_queue_pop(&q));
	serve_queue_release(&q, NULL);
}

static void test_listen(void **state)
{
	struct sockaddr_storage ss;
	struct err e;

	(void)state;
	assert_int_equal(serve_parse_listen("127.0.0.1:0", &ss, &e), 0);
	assert_true(serve_addr_loopback(&ss));
	assert_int_equal(serve_parse_listen("127.8.9.1:8443", &ss, &e), 0);
	assert_true(serve_addr_loopback(&ss));
	assert_int_equal(serve_parse_listen("[::1]:8443", &ss, &e), 0);
	assert_true(serve_addr_loopback(&ss));
	assert_int_equal(serve_parse_listen("0.0.0.0:8443", &ss, &e), 0);
	assert_false(serve_addr_loopback(&ss));
	assert_int_equal(serve_parse_listen("[::]:1", &ss, &e), 0);
	assert_false(serve_addr_loopback(&ss));
	assert_int_equal(serve_parse_listen("[::ffff:127.0.0.1]:1", &ss, &e), 0);
	assert_false(serve_addr_loopback(&ss)); /* a mapped address binds dual-stack */
	assert_int_equal(serve_parse_listen("localhost:1", &ss, &e), -1);
	assert_int_equal(serve_parse_listen("127.0.0.1", &ss, &e), -1);
	assert_int_equal(serve_parse_listen("127.0.0.1:65536", &ss, &e), -1);
}

static void test_label_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	serve_label_value(&sb, "a\"b\\c\nd");
	assert_string_equal(sb.buf, "a\\\"b\\\\c\\nd");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_json_end),
	    cmocka_unit_test(test_dedup_across_batches),
	    cmocka_unit_test(test_open_table_bounded),
	    cmocka_unit_test(test_queue_all_or_nothing),
	    cmocka_unit_test(test_listen),
	    cmocka_unit_test(test_label_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
