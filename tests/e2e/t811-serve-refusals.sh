#!/usr/bin/env bash
# kanon serve refuses what it must, with the right code, counted by reason:
# no/untrusted/wrong-purpose client certificate and wrong token -> 401,
# bodies past --max-body -> 413 (dropped, not kept), malformed -> 400 (and
# nothing of the batch counted), other methods -> 405; /metrics passes
# `promtool check metrics`; --insecure-http only on loopback; bad start -> 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-pki.sh"
CORPUS=../shared/corpus/auditlogs
for t in jq curl openssl promtool; do
	command -v $t >/dev/null || { notok "- $t is missing (scripts/install-deps.sh)"; exit 1; }
done
serve_pki "$tmp/pki" || { notok "- cannot make the test PKI"; exit 1; }
P=$tmp/pki

# usage errors (2) and start failures (1)
"$KANON" serve --listen 0.0.0.0:0 --insecure-http 2>"$tmp/err"
[ $? = 2 ] && grep -q 'loopback' "$tmp/err"
check "--insecure-http on 0.0.0.0 is a usage error" $?
"$KANON" serve --listen '[::]:0' --insecure-http 2>/dev/null
[ $? = 2 ]
check "--insecure-http on :: is a usage error" $?
"$KANON" serve --listen 127.0.0.1:0 --tls-cert "$P/server.pem" --tls-key "$P/server.key" 2>"$tmp/err"
[ $? = 2 ] && grep -q 'client-ca' "$tmp/err"
check "HTTPS with nothing to authenticate the API server is a usage error" $?
"$KANON" serve --listen 127.0.0.1:0 --tls-cert "$P/server.pem" --tls-key "$P/other-ca.key" \
	--client-ca "$P/ca.pem" 2>/dev/null
[ $? = 1 ]
check "a key that is not the certificate's: cannot start (1)" $?
"$KANON" serve --listen nowhere:1 --insecure-http 2>/dev/null
[ $? = 2 ]
check "--listen that is not ADDR:PORT is a usage error" $?

"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --tls-cert "$P/server.pem" \
	--tls-key "$P/server.key" --client-ca "$P/ca.pem" --token-file "$P/token" \
	--max-body 65536 --alerts "$tmp/alerts.jsonl" 2>"$tmp/serve.err" &
pid=$!
pids+=($pid)
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ]
check "kanon serve listens" $?
url=https://127.0.0.1:$port
jq -c 'if type == "array" then .[] else . end' \
	"$CORPUS"/falcosecurity__falco__test_trace_files_k8s_audit_create_configmap_sensitive_values.json |
	jq -c -s '{kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: .}' >"$tmp/ok.json"
code() { # CURL-ARGS...: the HTTP code of a POST of $body (the answer in $tmp/resp)
	curl -sS -o "$tmp/resp" -w '%{http_code}' --cacert "$P/ca.pem" --data-binary @"$body" "$@" \
		"$url/audit" 2>/dev/null
}
body=$tmp/ok.json
[ "$(code --cert "$P/client.pem" --key "$P/client.key")" = 200 ]
check "client certificate of --client-ca: 200" $?
[ "$(code -H "Authorization: Bearer $(cat "$P/token")")" = 200 ]
check "the token of --token-file: 200" $?
[ "$(code)" = 401 ]
check "no credentials: 401" $?
[ "$(code --cert "$P/other-client.pem" --key "$P/other-client.key")" = 401 ]
check "a client certificate of another CA: 401" $?
[ "$(code --cert "$P/server.pem" --key "$P/server.key")" = 401 ]
check "a certificate of --client-ca that is not for TLS clients (serverAuth only): 401" $?
[ "$(code -H "Authorization: Bearer x$(cat "$P/token")")" = 401 ]
check "a wrong token: 401" $?
[ "$(code -H "Authorization: Bearer $(head -c 10 "$P/token")")" = 401 ]
check "a prefix of the token: 401" $?
auth=(--cert "$P/client.pem" --key "$P/client.key")

# 413: refused from Content-Length; up to 4 x --max-body the body is read and dropped
# first, so that the client gets the 413 and not a reset (it came 1-3 % of the time
# over TLS when the connection was closed with the body unread)
head -c 200000 /dev/zero | tr '\0' ' ' >"$tmp/big"
body=$tmp/big
[ "$(code "${auth[@]}")" = 413 ]
check "a body past --max-body: 413" $?
n413=0
for _ in $(seq 100); do [ "$(code "${auth[@]}")" = 413 ] && n413=$((n413 + 1)); done
[ "$n413" = 100 ]
check "100 bodies of 3 x --max-body over TLS: 100 answers 413, no reset ($n413)" $?
# malformed bodies: 400 with the reason, nothing counted
nbad=0
for b in 'not json' '{"kind":"EventList","items":[' '[{"auditID":"x"}]' \
	'{"kind":"EventList","apiVersion":"audit.k8s.io/v2","items":[]}' \
	'{"kind":"Pod","items":[]}' '{"items":{}}' '[1]' '{"a":1} {"b":2}'; do
	printf '%s' "$b" >"$tmp/bad"
	body=$tmp/bad
	c=$(code "${auth[@]}")
	if [ "$c" = 400 ] && grep -q '^malformed: ' "$tmp/resp"; then nbad=$((nbad + 1)); else
		echo "# $b -> $c $(cat "$tmp/resp")"; fi
done
[ $nbad = 8 ]
check "malformed bodies: 400 with a reason (8 kinds)" $?
# a batch whose last event is bad: none of it is counted
jq -c '.items += [{"auditID": "x"}]' "$tmp/ok.json" >"$tmp/half.json"
body=$tmp/half.json
[ "$(code "${auth[@]}")" = 400 ] && grep -q 'item 6' "$tmp/resp"
check "a batch with one bad event: 400 naming it" $?
[ "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" "${auth[@]}" -X PUT \
	--data-binary @"$tmp/ok.json" "$url/audit")" = 405 ]
check "PUT: 405" $?
[ "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" "$url/nothing")" = 404 ]
check "GET of another path: 404" $?
[ "$(curl -sS -o "$tmp/h" -w '%{http_code}' --cacert "$P/ca.pem" "$url/healthz")" = 200 ] &&
	[ "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" "$url/readyz")" = 200 ]
check "/healthz and /readyz: 200 without credentials" $?

curl -sS -D "$tmp/mh" -o "$tmp/metrics" --cacert "$P/ca.pem" "$url/metrics"
check "/metrics without credentials" $?
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$tmp/mh"
check "/metrics Content-Type is the text format 0.0.4" $?
promtool check metrics <"$tmp/metrics" >"$tmp/pt" 2>&1
check "promtool check metrics accepts /metrics" $?
cat "$tmp/pt"
# 200s: the two good batches, /healthz and /readyz
want() { grep -qx "$1" "$tmp/metrics" || { echo "# missing: $1"; return 1; }; }
want 'kanon_webhook_rejected_total{reason="unauthenticated"} 5' &&
	want 'kanon_webhook_rejected_total{reason="too_large"} 101' &&
	want 'kanon_webhook_rejected_total{reason="malformed"} 9' &&
	want 'kanon_webhook_rejected_total{reason="method"} 1' &&
	want 'kanon_webhook_requests_total{code="200"} 4' &&
	want 'kanon_webhook_requests_total{code="401"} 5' &&
	want 'kanon_audit_events_total{stage="ResponseComplete"} 12'
check "refusals counted by reason and code; only the two good batches counted" $?
grep -q '^kanon_webhook_request_duration_seconds_bucket{le="+Inf"} ' "$tmp/metrics" &&
	grep -q '^kanon_build_info{version="' "$tmp/metrics"
check "the duration histogram and build info are there" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?
