#!/usr/bin/env bash
# kanon serve holds request bodies whole until they are scanned: all of them
# together stay within a budget (4 x --max-body, at least 64 MiB), so that
# --max-connections slow senders cannot make it use gigabytes. A request
# that would pass it gets 429 (reason busy) before its body is read; the
# others are still answered. --allow-ip: health checks from elsewhere are alerted.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { notok "- python3 is missing"; exit 1; }
"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --insecure-http \
	--allow-ip 10.0.0.0/8 --alerts "$tmp/alerts.jsonl" 2>"$tmp/serve.err" &
pid=$!
pids+=($pid)
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
# five requests announce 16 MiB bodies (the default --max-body) and send 1 KiB of
# each: four fit the 64 MiB budget, the fifth is refused at once
python3 - "$port" >"$tmp/out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(5):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 16777216\r\n\r\n" + b" " * 1024)
    socks.append(s)
    time.sleep(0.2)
s = socks[4]
s.settimeout(5)
print(s.recv(200).split(b"\r\n")[0].decode())
PY
grep -qx 'HTTP/1.1 429 Too Many Requests' "$tmp/out"
check "the fifth 16 MiB body past the 64 MiB budget: 429 before it is read" $?
cat "$tmp/out" | sed 's/^/# /'
# the budget is given back when those connections go; a small batch passes
echo '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}' >"$tmp/empty.json"
[ "$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$tmp/empty.json" \
	"http://127.0.0.1:$port/audit")" = 200 ]
check "once the senders are gone, a batch is accepted again" $?
curl -sS "http://127.0.0.1:$port/metrics" -o "$tmp/metrics"
grep -qx 'kanon_webhook_rejected_total{reason="busy"} 1' "$tmp/metrics"
check "counted: kanon_webhook_rejected_total{reason=\"busy\"} 1" $?
# --allow-ip: an anonymous health check from an expected prober is quiet, from elsewhere
# it is alerted (kanon audit lists such sources as health_unlisted_sources)
src=../shared/corpus/auditlogs/falcosecurity__falco__test_trace_files_k8s_audit_anonymous_creates_namespace_foo.json
for ip in 10.1.2.3 192.0.2.7; do
	jq -c --arg ip $ip '.auditID = "health-\($ip)" | .requestURI = "/livez" | .verb = "get"
		| del(.objectRef) | .sourceIPs = [$ip]' "$src"
done | jq -c -s '{kind: "EventList", apiVersion: "audit.k8s.io/v1", items: .}' >"$tmp/health.json"
[ "$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$tmp/health.json" \
	"http://127.0.0.1:$port/audit")" = 200 ]
for _ in $(seq 50); do grep -q health- "$tmp/alerts.jsonl" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
[ "$(jq -r 'select(.kind == "anonymous_request") | .auditID' "$tmp/alerts.jsonl")" = health-192.0.2.7 ]
check "--allow-ip: a health check from outside it is alerted, from inside it is not" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?
