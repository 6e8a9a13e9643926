#!/usr/bin/env bash
# kanon serve over mTLS: real events from ../shared/corpus/auditlogs posted as
# EventLists (and as an array, a single Event, a v1beta1 list) are counted in
# /metrics exactly as `kanon audit -f json` counts the same events offline,
# with the stages of one request split across batches (stage dedup).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-pki.sh"
CORPUS=../shared/corpus/auditlogs
for t in jq curl openssl python3; do
	command -v $t >/dev/null || { notok "- $t is missing (scripts/install-deps.sh)"; exit 1; }
done
[ -d "$CORPUS" ] || { notok "- no corpus at $CORPUS"; exit 1; }
serve_pki "$tmp/pki"
check "the test PKI is made" $?
P=$tmp/pki

# the native audit Events of the corpus, one a line
for f in "$CORPUS"/*; do
	jq -c 'if type == "array" then .[] elif (type == "object" and .items) then .items[] else . end
		| select(type == "object" and .auditID and .stage)' "$f" 2>/dev/null
done >"$tmp/corpus.jsonl"
# variants of a real anonymous event, marked by their auditIDs: a health probe, a
# discovery read, a denied read, a 401 (logged at ResponseStarted only), an RBAC
# grant to system:anonymous, and one request whose two stages come in two batches
anon=$(jq -c 'select(.user.username == "system:anonymous")' "$tmp/corpus.jsonl" | head -1)
bind=$(jq -c 'select(.objectRef.resource == "clusterrolebindings" and .verb == "create")' \
	"$tmp/corpus.jsonl" | head -1)
[ -n "$anon" ] && [ -n "$bind" ]
check "the corpus has an anonymous event and a clusterrolebinding create" $?
{
	echo "$anon" | jq -c '.auditID = "kanon-t810-health" | .requestURI = "/healthz" | .verb = "get" | del(.objectRef)'
	echo "$anon" | jq -c '.auditID = "kanon-t810-disc" | .requestURI = "/apis" | .verb = "get" | del(.objectRef)'
	echo "$anon" | jq -c '.auditID = "kanon-t810-denied" | .requestURI = "/api/v1/secrets" | .verb = "list"
		| .objectRef = {"resource": "secrets", "apiVersion": "v1"} | .responseStatus.code = 403
		| .annotations["authorization.k8s.io/decision"] = "forbid"'
	echo "$anon" | jq -c '.auditID = "kanon-t810-401" | .stage = "ResponseStarted" | .user = {}
		| .responseStatus.code = 401 | del(.annotations)'
	# the stored binding (responseObject) decides, as kanon audit reads it
	echo "$bind" | jq -c '.auditID = "kanon-t810-grant"
		| ([{"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"}]) as $s
		| .requestObject.subjects = $s | .responseObject.subjects = $s | .responseStatus.code = 201'
	echo "$anon" | jq -c '.auditID = "kanon-t810-split" | .stage = "RequestReceived" | del(.responseStatus)'
} >"$tmp/variants.jsonl"
echo "$anon" | jq -c '.auditID = "kanon-t810-split" | .stage = "ResponseComplete"' >"$tmp/split2.jsonl"
cat "$tmp/corpus.jsonl" "$tmp/variants.jsonl" "$tmp/split2.jsonl" >"$tmp/all.jsonl"
total=$(wc -l <"$tmp/all.jsonl")

"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --tls-cert "$P/server.pem" \
	--tls-key "$P/server.key" --client-ca "$P/ca.pem" --alerts "$tmp/alerts.jsonl" \
	2>"$tmp/serve.err" &
pid=$!
pids+=($pid)
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ]
check "kanon serve listens (port file written)" $?
url=https://127.0.0.1:$port
post() { # BODY-FILE: the HTTP code, the body in $tmp/resp
	curl -sS -o "$tmp/resp" -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/client.pem" \
		--key "$P/client.key" -H 'Content-Type: application/json' --data-binary @"$1" "$url/audit"
}
eventlist() { # API-VERSION < events: an EventList
	jq -c -s --arg v "$1" '{kind: "EventList", apiVersion: $v, metadata: {}, items: .}'
}

# the corpus in EventLists of 25, the variants as an array, the split's last stage alone
split -l 25 "$tmp/corpus.jsonl" "$tmp/chunk."
codes=""
i=0
for c in "$tmp"/chunk.*; do
	i=$((i + 1))
	if [ $((i % 3)) = 0 ]; then v=audit.k8s.io/v1beta1; else v=audit.k8s.io/v1; fi
	eventlist $v <"$c" >"$c.json"
	codes="$codes$(post "$c.json")"$'\n'
done
jq -c -s . "$tmp/variants.jsonl" >"$tmp/variants.json"
codes="$codes$(post "$tmp/variants.json")"$'\n'
codes="$codes$(post "$tmp/split2.jsonl")"$'\n' # a single Event
[ "$(echo "$codes" | sort -u | tr -d '\n')" = 200 ]
check "every batch is answered 200 ($i EventLists, an array, an Event)" $?
grep -q '^{"accepted":1}$' "$tmp/resp"
check "the answer says how many events were accepted" $?

metrics() {
	curl -sS --cacert "$P/ca.pem" "$url/metrics" -o "$tmp/metrics"
}
for _ in $(seq 50); do
	metrics && grep -qx 'kanon_queue_depth 0' "$tmp/metrics" && break
	sleep 0.1
done
"$KANON" audit -f json "$tmp/all.jsonl" >"$tmp/audit.json"
python3 - "$tmp/metrics" "$tmp/audit.json" "$total" >"$tmp/cmp" 2>&1 <<'PY'
import json, re, sys
m = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    k, v = line.rsplit(" ", 1)
    m[k] = float(v)
a = json.load(open(sys.argv[2]))["audit"]
def s(prefix):
    return sum(v for k, v in m.items() if k.startswith(prefix))
an = a["anonymous"]
want = {
    "events": (s("kanon_audit_events_total{"), a["events"]),
    "events sent": (s("kanon_audit_events_total{"), int(sys.argv[3])),
    "requests": (m["kanon_audit_requests_total"], a["requests"]),
    "duplicates": (m["kanon_audit_duplicate_events_total"], a["duplicates"]),
    "401": (m["kanon_unauthorized_requests_total"], a["unauthorized_401"]),
    "grants": (m["kanon_rbac_anonymous_grants_total"], len(a["rbac_anonymous_grants"])),
    "anonymous": (s("kanon_anonymous_requests_total{"), an["requests"]),
    "allowed": (s("kanon_anonymous_requests_total{") - sum(
        v for k, v in m.items() if k.startswith("kanon_anonymous_requests_total{") and "allowed" not in k),
        an["allowed"]),
    "denied": (sum(v for k, v in m.items() if k.startswith("kanon_anonymous_requests_total{") and 'outcome="denied"' in k), an["denied"]),
}
for c in ("health", "discovery", "sensitive", "other"):
    want["class " + c] = (sum(v for k, v in m.items() if k.startswith('kanon_anonymous_requests_total{class="%s"' % c)), an["by_class"][c])
    want["allowed " + c] = (m['kanon_anonymous_requests_total{class="%s",outcome="allowed"}' % c], an["allowed_by_class"][c])
bad = 0
for k, (got, exp) in want.items():
    print(("ok" if got == exp else "DIFFERENT"), k, "metrics", got, "kanon audit", exp)
    bad += got != exp
sys.exit(1 if bad else 0)
PY
check "/metrics counts what kanon audit -f json counts on the same events" $?
cat "$tmp/cmp"
grep -qx 'kanon_anonymous_requests_total{class="health",outcome="allowed"} 1' "$tmp/metrics" &&
	grep -qx 'kanon_anonymous_requests_total{class="discovery",outcome="allowed"} 1' "$tmp/metrics" &&
	grep -qx 'kanon_anonymous_requests_total{class="sensitive",outcome="denied"} 1' "$tmp/metrics" &&
	grep -qx 'kanon_rbac_anonymous_grants_total 1' "$tmp/metrics" &&
	grep -qx 'kanon_unauthorized_requests_total 1' "$tmp/metrics"
check "the variants are counted where they belong (health, discovery, denied, grant, 401)" $?
# the split request: its RequestReceived and ResponseComplete came in two batches, one request
n_split=$(grep -c kanon-t810-split "$tmp/alerts.jsonl")
[ "$n_split" = 1 ]
check "a request whose stages came in two batches is judged (and alerted) once" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?
