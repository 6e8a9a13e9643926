#!/usr/bin/env bash
# kanon serve alerts: a JSON line for each successful non-health anonymous
# request and each RBAC grant to anonymous subjects (the same detection as
# kanon audit); SIGHUP reopens the file (logrotate), --alerts-max-size
# rotates it; --gap raises kanon_audit_gap_active and a gap alert; SIGTERM
# drains the queue: every event answered 200 is processed and alerted
# before the exit (0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-pki.sh"
CORPUS=../shared/corpus/auditlogs
for t in jq curl openssl; do
	command -v $t >/dev/null || { notok "- $t is missing (scripts/install-deps.sh)"; exit 1; }
done
serve_pki "$tmp/pki" || { notok "- cannot make the test PKI"; exit 1; }
P=$tmp/pki
anon_src=$CORPUS/falcosecurity__falco__test_trace_files_k8s_audit_anonymous_creates_namespace_foo.json
bind_src=$CORPUS/falcosecurity__falco__test_trace_files_k8s_audit_create_clusterrolebinding.json

# batch PREFIX COUNT: an EventList of COUNT copies of the corpus' anonymous
# namespace create (auditIDs PREFIX-1...), a health probe and a grant
batch() {
	jq -c --arg p "$1" --argjson n "$2" '. as $e | range(1; $n + 1) as $i | $e
		| .auditID = "\($p)-\($i)"' "$anon_src"
	jq -c --arg p "$1" '.auditID = "\($p)-health" | .requestURI = "/livez" | .verb = "get"
		| del(.objectRef)' "$anon_src"
	jq -c --arg p "$1" '.auditID = "\($p)-grant"
		| ([{"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}]) as $s
		| .requestObject.subjects = $s | .responseObject.subjects = $s' "$bind_src"
}
eventlist() { jq -c -s '{kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: .}'; }

start() { # NAME EXTRA-FLAGS...: kanon serve with alerts to $tmp/NAME.jsonl
	local name=$1
	shift
	rm -f "$tmp/port"
	"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --tls-cert "$P/server.pem" \
		--tls-key "$P/server.key" --client-ca "$P/ca.pem" --alerts "$tmp/$name.jsonl" "$@" \
		2>"$tmp/$name.err" &
	pid=$!
	pids+=($pid)
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	url=https://127.0.0.1:$(cat "$tmp/port")
}
post() {
	curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/client.pem" \
		--key "$P/client.key" --data-binary @"$1" "$url/audit"
}
metrics() { curl -sS --cacert "$P/ca.pem" "$url/metrics" -o "$tmp/metrics"; }
settle() { # until the queue is empty
	for _ in $(seq 100); do
		metrics && grep -qx 'kanon_queue_depth 0' "$tmp/metrics" && return 0
		sleep 0.1
	done
	return 1
}

start a --gap 2s
batch one 3 | eventlist >"$tmp/one.json"
[ "$(post "$tmp/one.json")" = 200 ] && settle
check "a batch is accepted and processed" $?
[ "$(jq -r .kind "$tmp/a.jsonl" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" = \
	"anonymous_request=3 rbac_grant=1 " ]
check "alerts: one per successful anonymous request (not the health probe), one per grant" $?
jq -s -e 'map(select(.auditID == "one-2")) | length == 1 and (.[0] | .kind == "anonymous_request" and .user == "system:anonymous"
	and .verb == "create" and .uri == "/api/v1/namespaces" and .code == 201
	and .class == "sensitive" and .sourceIP == "192.168.99.1" and (.time | test("Z$")))' \
	"$tmp/a.jsonl" >/dev/null
check "an anonymous_request alert says who, what, from where, the code and the class" $?
jq -e 'select(.kind == "rbac_grant") | .auditID == "one-grant" and .subjects == ["Group system:unauthenticated"]
	and .resource == "clusterrolebindings" and .name == "some-reader-binding"' "$tmp/a.jsonl" >/dev/null
check "an rbac_grant alert names the binding and the anonymous subjects" $?
grep -qx 'kanon_alerts_total{kind="anonymous_request"} 3' "$tmp/metrics" &&
	grep -qx 'kanon_alerts_total{kind="rbac_grant"} 1' "$tmp/metrics"
check "kanon_alerts_total counts them by kind" $?

# logrotate: the file moved away, SIGHUP, the next alerts in a new file
mv "$tmp/a.jsonl" "$tmp/a.jsonl.1"
kill -HUP $pid
sleep 0.3
batch two 2 | eventlist >"$tmp/two.json"
[ "$(post "$tmp/two.json")" = 200 ] && settle
[ "$(grep -c '"two-' "$tmp/a.jsonl")" = 3 ] && ! grep -q '"two-' "$tmp/a.jsonl.1"
check "SIGHUP: the alert file is opened again (the moved one keeps the old alerts)" $?

# the gap: no batch for 2s after batches came
sleep 3.5
metrics
grep -qx 'kanon_audit_gap_active 1' "$tmp/metrics" && grep -q '"kind":"gap"' "$tmp/a.jsonl"
check "no batch for --gap: kanon_audit_gap_active 1 and a gap alert" $?
# (checked at once: another --gap without batches would open a new gap)
[ "$(post "$tmp/one.json")" = 200 ] && settle
grep -qx 'kanon_audit_gap_active 0' "$tmp/metrics" && grep -q '"kind":"gap_end"' "$tmp/a.jsonl"
check "batches again: the gap ends (gap_end alert)" $?
# hostile strings from an event (ESC, C1 NEL, a bidi override) are escaped in the alert
jq -c '.auditID = "hostile" | .requestURI = "/api/v1/namespaces/\u001b[31m\u0085\u202ex"
	| .userAgent = "ua\u202e\u0007"' "$anon_src" |
	jq -c -s '{kind: "EventList", apiVersion: "audit.k8s.io/v1", items: .}' >"$tmp/hostile.json"
[ "$(post "$tmp/hostile.json")" = 200 ] && settle
line=$(grep '"hostile"' "$tmp/a.jsonl")
echo "$line" | grep -qF '\u001b[31m\u0085\u202ex' && echo "$line" | grep -qF 'ua\u202e\u0007' &&
	! echo "$line" | LC_ALL=C grep -qP '[\x00-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]'
check "control characters, C1 and bidi overrides from the events are escaped in alerts" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?

# --alerts-max-size: FILE -> FILE.1, the file stays under the size
start r --alerts-max-size 4096
batch rot 40 | eventlist >"$tmp/rot.json"
[ "$(post "$tmp/rot.json")" = 200 ] && settle
[ -s "$tmp/r.jsonl.1" ] && [ "$(stat -c %s "$tmp/r.jsonl")" -le 4096 ] &&
	[ "$(stat -c %s "$tmp/r.jsonl.1")" -le 4096 ] && jq -e . "$tmp/r.jsonl" "$tmp/r.jsonl.1" >/dev/null
check "--alerts-max-size rotates to FILE.1; both under the size, whole JSON lines" $?
kill -TERM $pid
wait $pid

# SIGTERM drain: a slow worker leaves batches queued; all are processed before the exit
KANON_SERVE_TEST_WORKER_DELAY_MS=200 start d
codes=""
for i in 1 2 3 4 5 6 7 8; do
	batch "d$i" 5 | eventlist >"$tmp/d$i.json"
	codes="$codes$(post "$tmp/d$i.json")"
done
metrics
depth=$(awk '$1 == "kanon_queue_depth" {print $2}' "$tmp/metrics")
[ "$codes" = 200200200200200200200200 ] && [ "${depth:-0}" -gt 0 ]
check "8 batches answered 200, events still queued ($depth) at SIGTERM" $?
kill -TERM $pid
wait $pid
check "SIGTERM with a queue: exit 0" $?
[ "$(grep -c '"kind":"anonymous_request"' "$tmp/d.jsonl")" = 40 ] &&
	[ "$(grep -c '"kind":"rbac_grant"' "$tmp/d.jsonl")" = 8 ]
check "drained: every queued event was processed and alerted (40 + 8 grants)" $?
