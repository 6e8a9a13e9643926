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

serve_start --tls-cert "$P/server.pem" --tls-key "$P/server.key" --client-ca "$P/ca.pem" \
	--queue 800 --threads 1 --alerts "$tmp/alerts.jsonl"
check "kanon serve starts with --queue 800" $?

# 8 connections x 400 events against a queue of 800: some batches find it full
load "$tmp/l1.json" "$tmp/d1.jsonl" --connections 8 --batch 400 --events 40000 --duration 40
check "the load generator ends cleanly (no transport error, no unknown answer)" $?
jq -c . "$tmp/l1.json"
jq -e '.codes["429"] > 0 and .resends > 0' "$tmp/l1.json" >/dev/null
check "the queue filled: 429 answers, and their batches were resent" $?
jq -e '.retry_after_headers == .codes["429"]' "$tmp/l1.json" >/dev/null
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
[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_rejected_total 'reason="queue_full"')" = "$(jq '.codes["429"]' "$tmp/l1.json")" ] &&
	[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_requests_total 'code="429"')" = "$(jq '.codes["429"]' "$tmp/l1.json")" ] &&
	[ "$(metric_sum "$tmp/m1.txt" kanon_webhook_requests_total 'code="200"')" = "$(jq '.codes["200"]' "$tmp/l1.json")" ]
check "kanon_webhook_rejected_total{reason=queue_full} and kanon_webhook_requests_total{code} match the answers" $?
"$KANON" audit -f json "$tmp/d1.jsonl" >"$tmp/a1.json" 2>/dev/null
[ "$(metric_sum "$tmp/m1.txt" kanon_audit_requests_total)" = "$(jq .audit.requests "$tmp/a1.json")" ]
check "kanon_audit_requests_total == kanon audit's requests on the accepted events" $?

# a second burst, then SIGTERM at once: the drain processes what was accepted
load "$tmp/l2.json" "$tmp/d2.jsonl" --connections 8 --batch 400 --events 8000 --duration 20
rc=$(serve_stop)
[ "$rc" = 0 ]
check "SIGTERM right after a burst: exit 0 after the drain" $?
cat "$tmp/d1.jsonl" "$tmp/d2.jsonl" >"$tmp/all.jsonl"
"$KANON" audit -f json "$tmp/all.jsonl" >"$tmp/all.json" 2>/dev/null
want=$(jq '.audit.anonymous.allowed_by_class | .discovery + .sensitive + .other' "$tmp/all.json")
got=$(jq -s '[.[] | select(.kind == "anonymous_request")] | length' "$tmp/alerts.jsonl")
echo "# anonymous_request alerts: $got, successful non-health anonymous requests accepted: $want"
[ "$want" -gt 0 ] && [ "$got" = "$want" ]
check "every accepted successful anonymous request has its alert after the drain ($want)" $?
