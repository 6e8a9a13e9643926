#!/usr/bin/env bash
# kanon serve under backpressure: a tiny --queue and the load generator (bench/serve-load.c,
# several keep-alive mTLS connections, 400-event batches of real corpus events): the server
# answers 429 with Retry-After, the generator resends after it, nothing is lost (every event the
# server said 200 to is counted, every refused one is counted as refused, their sum is what was
# sent), and SIGTERM drains the queue (the alerts of every accepted anonymous request are
# written) and exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-util.sh"
LOAD=$HELPERS/serve-load
CORPUS=${SHARED:-../shared}/corpus/auditlogs
[ -x "$LOAD" ] || { notok "- no load generator at $LOAD (make unit builds it)"; exit 1; }
serve_pki "$tmp/pki" || { notok "- cannot make the test PKI"; exit 1; }
P=$tmp/pki
load() { # OUT-JSON DUMP ARGS...: the generator with the client certificate
	local out=$1 dump=$2
	shift 2
	"$LOAD" --port "$port" --ca "$P/ca.pem" --cert "$P/client.pem" --key "$P/client.key" \
		--corpus "$CORPUS" --dump "$dump" --timeout 20 "$@" >"$out" 2>"$out.err"
}

# The alerts go to standard output, a FIFO nobody reads at first: once its pipe buffer is full,
# the worker that feeds the queue to the aggregation blocks writing an alert, the queue fills and
# the server must answer 429; reading the FIFO then lets everything through. (fd 3 holds the FIFO
# open so that opening it for the server's output does not wait for a reader.)
mkfifo "$tmp/alerts.fifo"
# release_fifo FILE: copy the FIFO to FILE from now on. The read end is opened here, before the
# holder (fd 3) closes, so that the FIFO never lacks a reader (a blocked writer would get EPIPE).
release_fifo() {
	exec 4<"$tmp/alerts.fifo"
	cat <&4 >"$1" 3>&- 4<&- &
	cat_pid=$!
	exec 3>&- 4<&-
}
exec 3<>"$tmp/alerts.fifo"
serve_stdout=$tmp/alerts.fifo
serve_start --tls-cert "$P/server.pem" --tls-key "$P/server.key" --client-ca "$P/ca.pem" \
	--queue 2000
check "kanon serve starts with --queue 2000" $?

# 8 connections x 400 events against a queue of 2000 that stops moving for 4 seconds
load "$tmp/l1.json" "$tmp/d1.jsonl" --connections 8 --batch 400 --events 40000 --duration 40 &
lp=$!
sleep 4
release_fifo "$tmp/alerts.jsonl"
wait "$lp"
check "the load generator ends cleanly (no transport error, no unknown answer)" $?
jq -c . "$tmp/l1.json"
jq -e '(.codes["429"] // 0) > 0 and .resends > 0' "$tmp/l1.json" >/dev/null
check "the queue filled: 429 answers, and their batches were resent" $?
jq -e '.retry_after_headers == (.codes["429"] // 0)' "$tmp/l1.json" >/dev/null
check "every 429 carries Retry-After" $?
jq -e '.events_abandoned == 0 and .events_accepted == 40000' "$tmp/l1.json" >/dev/null
check "after resending, every batch was accepted (40000 events)" $?

serve_drained "$tmp/m1.txt"
check "the queue drains" $?
sent=$(jq .events_sent "$tmp/l1.json")
acc=$(jq .events_accepted "$tmp/l1.json")
ref=$(jq .events_refused_429 "$tmp/l1.json")
counted=$(metric_sum "$tmp/m1.txt" kanon_audit_events_total)
refused=$(metric_sum "$tmp/m1.txt" kanon_webhook_rejected_events_total 'reason="queue_full"')
echo "# sent $sent = accepted $acc + refused $ref; server: counted $counted, refused $refused"
[ "$counted" = "$acc" ] && [ "$refused" = "$ref" ] && [ $((counted + refused)) = "$sent" ]
check "zero loss: counted ($counted) + refused with 429 ($refused) == sent ($sent)" $?
[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_rejected_total 'reason="queue_full"')" = "$(jq '(.codes["429"] // 0)' "$tmp/l1.json")" ] &&
	[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_requests_total 'code="429"')" = "$(jq '(.codes["429"] // 0)' "$tmp/l1.json")" ] &&
	[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_requests_total 'code="200"')" -ge "$(jq '.codes["200"]' "$tmp/l1.json")" ]
# (code 200 also counts our own GET /metrics)
check "kanon_webhook_rejected_total{reason=queue_full} and kanon_webhook_requests_total{code} match the answers" $?
"$KANON" audit -f json "$tmp/d1.jsonl" >"$tmp/a1.json" 2>/dev/null
[ "$(metric_sum "$tmp/m1.txt" kanon_audit_requests_total)" = "$(jq .audit.requests "$tmp/a1.json")" ]
check "kanon_audit_requests_total == kanon audit's requests on the accepted events" $?


serve_stop
[ "$serve_rc" = 0 ]
check "SIGTERM: exit 0" $?
wait "$cat_pid"
"$KANON" audit -f json "$tmp/d1.jsonl" >"$tmp/a1.json" 2>/dev/null
want=$(jq '.audit.anonymous.allowed_by_class | .discovery + .sensitive + .other' "$tmp/a1.json")
got=$(jq -s '[.[] | select(.kind == "anonymous_request")] | length' "$tmp/alerts.jsonl")
[ "$want" -gt 0 ] && [ "$got" = "$want" ]
check "one alert per accepted successful non-health anonymous request ($got, want $want)" $?

# SIGTERM while the queue is full and stuck: the server stops taking batches (503 or 429), then
# drains every batch it accepted once the alerts flow again, and exits 0; the accepted requests'
# alerts are all there
exec 3<>"$tmp/alerts.fifo"
serve_start --tls-cert "$P/server.pem" --tls-key "$P/server.key" --client-ca "$P/ca.pem" \
	--queue 2000
load "$tmp/l2.json" "$tmp/d2.jsonl" --connections 4 --batch 400 --events 40000 --duration 15 &
lp=$!
sleep 3
kill -TERM "$serve_pid"
sleep 1
release_fifo "$tmp/alerts2.jsonl"
wait "$lp"
jq -c . "$tmp/l2.json"
serve_stop
[ "$serve_rc" = 0 ]
check "SIGTERM with a full, stuck queue: exit 0 once it drained" $?
wait "$cat_pid"
jq -e '.events_unknown == 0 and .events_accepted > 0 and
	.events_accepted + .events_refused_429 + .events_refused_other == .events_sent' "$tmp/l2.json" >/dev/null
check "every batch got an answer (200, 429 or 503) during the drain" $?
"$KANON" audit -f json "$tmp/d2.jsonl" >"$tmp/a2.json" 2>/dev/null
want=$(jq '.audit.anonymous.allowed_by_class | .discovery + .sensitive + .other' "$tmp/a2.json")
got=$(jq -s '[.[] | select(.kind == "anonymous_request")] | length' "$tmp/alerts2.jsonl")
echo "# after the drain: $got anonymous_request alerts; the accepted events hold $want"
[ "$want" -gt 0 ] && [ "$got" = "$want" ]
check "nothing accepted was lost in the drain: every accepted anonymous request has its alert" $?
