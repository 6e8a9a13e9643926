#!/usr/bin/env bash
# kanon serve --print-webhook-config writes a kubeconfig that the real
# kubectl reads (the format kube-apiserver's --audit-webhook-config-file
# takes); --alert-webhook forwards alerts with retries, and a receiver that
# is down costs counted drops, never a hang.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-pki.sh"
CORPUS=../shared/corpus/auditlogs
for t in jq curl openssl python3 kubectl; do
	command -v $t >/dev/null || { notok "- $t is missing (scripts/install-deps.sh)"; exit 1; }
done
serve_pki "$tmp/pki" || { notok "- cannot make the test PKI"; exit 1; }
P=$tmp/pki

"$KANON" serve --print-webhook-config --server-url https://127.0.0.1:8443/audit \
	--ca-file "$P/ca.pem" --client-cert /etc/kubernetes/pki/kanon-client.crt \
	--client-key /etc/kubernetes/pki/kanon-client.key >"$tmp/webhook.yaml"
check "--print-webhook-config: exit 0" $?
[ "$(kubectl --kubeconfig "$tmp/webhook.yaml" config get-clusters | tail -n +2)" = kanon ]
check "kubectl reads it: one cluster, kanon" $?
kubectl config view --kubeconfig "$tmp/webhook.yaml" --raw -o json >"$tmp/kc.json"
check "kubectl config view --raw reads it" $?
[ "$(jq -r '.clusters[0].cluster.server' "$tmp/kc.json")" = https://127.0.0.1:8443/audit ] &&
	[ "$(jq -r '."current-context"' "$tmp/kc.json")" = kanon ] &&
	[ "$(jq -r '.users[0].user."client-certificate"' "$tmp/kc.json")" = /etc/kubernetes/pki/kanon-client.crt ] &&
	jq -r '.clusters[0].cluster."certificate-authority-data"' "$tmp/kc.json" | base64 -d | cmp -s - "$P/ca.pem"
check "server URL, current context, client certificate path and the embedded CA as given" $?
"$KANON" serve --print-webhook-config 2>/dev/null
[ $? = 2 ]
check "--print-webhook-config without --server-url is a usage error" $?
"$KANON" serve --print-webhook-config --server-url https://x/ --ca-file "$P/token" 2>/dev/null
[ $? = 2 ]
check "a --ca-file without a certificate is refused" $?

# an alert receiver: appends each POST body to a file; answers 500 to the first one
cat >"$tmp/recv.py" <<'PY'
import http.server, sys
out, portfile = sys.argv[1], sys.argv[2]
seen = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen[0] += 1
        code = 500 if seen[0] == 1 else 200
        if code == 200:
            with open(out, "ab") as f:
                f.write(body + b"\n")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write("%d\n" % s.server_port)
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$tmp/recv.py" "$tmp/received" "$tmp/rport" &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/rport" ] && break; sleep 0.1; done
start() {
	rm -f "$tmp/port"
	"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --insecure-http \
		--alerts "$tmp/alerts.jsonl" "$@" 2>"$tmp/serve.err" &
	pid=$!
	pids+=($pid)
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	url=http://127.0.0.1:$(cat "$tmp/port")
}
jq -c '. as $e | range(1; 4) as $i | $e | .auditID = "fwd-\($i)"' \
	"$CORPUS"/falcosecurity__falco__test_trace_files_k8s_audit_anonymous_creates_namespace_foo.json |
	jq -c -s '{kind: "EventList", apiVersion: "audit.k8s.io/v1", items: .}' >"$tmp/b.json"
start --alert-webhook "http://127.0.0.1:$(cat "$tmp/rport")/alerts"
[ "$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$tmp/b.json" "$url/audit")" = 200 ]
check "a batch with 3 anonymous requests is accepted" $?
for _ in $(seq 100); do [ "$(cat "$tmp/received" 2>/dev/null | wc -l)" = 3 ] && break; sleep 0.1; done
[ "$(jq -r .auditID "$tmp/received" | sort | tr '\n' ' ')" = "fwd-1 fwd-2 fwd-3 " ]
check "--alert-webhook: all 3 alerts delivered (the first after a retry of a 500)" $?
curl -sS "$url/metrics" -o "$tmp/metrics"
grep -qx 'kanon_alerts_forwarded_total 3' "$tmp/metrics" && grep -qx 'kanon_alerts_dropped_total 0' "$tmp/metrics"
check "kanon_alerts_forwarded_total 3, nothing dropped" $?
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" $?

# a receiver that is not there: the alerts are dropped after the retries and counted,
# the server answers on and stops in bounded time
rm -f "$tmp/alerts.jsonl"
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$tmp/dead"
start --alert-webhook "http://127.0.0.1:$(cat "$tmp/dead")/alerts"
[ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --data-binary @"$tmp/b.json" "$url/audit")" = 200 ]
check "with the receiver down, batches are still answered at once" $?
# (4 attempts each, 0.5 s, 1 s and 2 s apart: about 11 s for the three)
for _ in $(seq 250); do
	curl -sS "$url/metrics" -o "$tmp/metrics"
	grep -qx 'kanon_alerts_dropped_total 3' "$tmp/metrics" && break
	sleep 0.1
done
grep -qx 'kanon_alerts_dropped_total 3' "$tmp/metrics" && [ "$(grep -c fwd- "$tmp/alerts.jsonl")" = 3 ]
check "undeliverable alerts are counted as dropped (and still in the alert file)" $?
SECONDS=0
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && [ $SECONDS -le 8 ]
check "SIGTERM: exit 0 in bounded time (${SECONDS}s)" $?
