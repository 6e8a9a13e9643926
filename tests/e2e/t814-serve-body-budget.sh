#!/usr/bin/env bash
# kanon serve holds request bodies whole until they are scanned: all of them
# together stay within a budget (4 x --max-body, at least 64 MiB), so that
# --max-connections slow senders cannot make it use gigabytes. A request
# that would pass it gets 429 (reason busy) before its body is read; the
# others are still answered.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { notok "- python3 is missing"; exit 1; }
"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --insecure-http \
	--alerts "$tmp/alerts.jsonl" 2>"$tmp/serve.err" &
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
curl -sS "http://127.0.0.1:$port/metrics" | grep -qx 'kanon_webhook_rejected_total{reason="busy"} 1'
check "counted: kanon_webhook_rejected_total{reason=\"busy\"} 1" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?
