#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus binary) scrapes `kanon serve`'s /metrics over HTTPS
# (scheme https, the test CA in tls_config; /metrics needs no client certificate), every second,
# on loopback. Known events (real corpus events, posted over mTLS by the load generator, which
# writes what the server accepted) must come back through Prometheus' HTTP API (/api/v1/query) as
# the numbers `kanon audit -f json` gives for the same events; promtool check metrics accepts
# the exposition.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-util.sh"
LOAD=$HELPERS/serve-load
CORPUS=${SHARED:-../shared}/corpus/auditlogs
for t in prometheus promtool; do
	command -v $t >/dev/null ||
		{ notok "- $t is missing: scripts/install-deps.sh installs prometheus"; exit 1; }
done
[ -x "$LOAD" ] || { notok "- no load generator at $LOAD (make unit builds it)"; exit 1; }
serve_pki "$tmp/pki" || { notok "- cannot make the test PKI"; exit 1; }
P=$tmp/pki

serve_start --tls-cert "$P/server.pem" --tls-key "$P/server.key" --client-ca "$P/ca.pem" \
	--alerts "$tmp/alerts.jsonl"
check "kanon serve starts (mTLS)" $?

# Prometheus on a free loopback port (it cannot report a port 0 it bound)
pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kanon
    scheme: https
    tls_config:
      ca_file: $P/ca.pem
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
promtool check config "$tmp/prometheus.yml" >"$tmp/pcc" 2>&1
check "promtool check config accepts the generated config" $?
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
api() { # QUERY: the value of an instant query's only sample ("" when none)
	curl -sS --max-time 5 -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // ""'
}
for _ in $(seq 100); do
	curl -sf --max-time 2 "http://127.0.0.1:$pport/-/ready" >/dev/null && break
	sleep 0.2
done
ready=
for _ in $(seq 100); do
	[ "$(api 'up{job="kanon"}')" = 1 ] && ready=1 && break
	sleep 0.2
done
[ -n "$ready" ]
check "Prometheus scrapes kanon serve over HTTPS (up == 1)" $?
[ -z "$ready" ] && tail -5 "$tmp/prometheus.log" | sed 's/^/    /'

# known events: 6000 real events in 400-event batches over mTLS
"$LOAD" --port "$port" --ca "$P/ca.pem" --cert "$P/client.pem" --key "$P/client.key" \
	--corpus "$CORPUS" --connections 2 --batch 400 --events 6000 --duration 30 \
	--dump "$tmp/sent.jsonl" >"$tmp/load.json" 2>"$tmp/load.err"
check "the events are posted (every batch answered)" $?
jq -e '.events_accepted == 6000' "$tmp/load.json" >/dev/null
check "the server accepted all 6000 events" $?
serve_drained "$tmp/metrics.txt"
check "the queue drains" $?
"$KANON" audit -f json "$tmp/sent.jsonl" >"$tmp/audit.json" 2>/dev/null

# what Prometheus reads back, once its scrape is newer than the drained counters
want_events=$(jq .audit.events "$tmp/audit.json")
want_requests=$(jq .audit.requests "$tmp/audit.json")
for _ in $(seq 50); do
	[ "$(api 'sum(kanon_audit_events_total)')" = "$want_events" ] && break
	sleep 0.2
done
got=$(api 'sum(kanon_audit_events_total)')
[ "$got" = "$want_events" ]
check "Prometheus: sum(kanon_audit_events_total) == kanon audit's events ($got, want $want_events)" $?
got=$(api 'kanon_audit_requests_total')
[ "$got" = "$want_requests" ]
check "Prometheus: kanon_audit_requests_total == kanon audit's requests ($got, want $want_requests)" $?
for st in ResponseStarted ResponseComplete; do
	w=$(jq -r --arg s "$st" '.accepted_by_stage[$s] // 0' "$tmp/load.json")
	g=$(api "sum(kanon_audit_events_total{stage=\"$st\"}) or vector(0)")
	[ "$g" = "$w" ]
	check "Prometheus: kanon_audit_events_total{stage=\"$st\"} == the events of that stage sent ($g, want $w)" $?
done
bad=0
for c in health discovery sensitive other; do
	# kanon audit gives allowed by class; denied and other together are the rest
	for o in allowed "denied|other"; do
		case $o in
		allowed) w=$(jq --arg c "$c" '.audit.anonymous.allowed_by_class[$c]' "$tmp/audit.json") ;;
		*) w=$(jq --arg c "$c" '.audit.anonymous.by_class[$c] - .audit.anonymous.allowed_by_class[$c]' "$tmp/audit.json") ;;
		esac
		g=$(api "sum(kanon_anonymous_requests_total{class=\"$c\",outcome=~\"$o\"}) or vector(0)")
		if [ "$g" != "$w" ]; then
			echo "# class $c outcome $o: Prometheus $g, kanon audit $w"
			bad=1
		fi
	done
done
[ "$bad" = 0 ]
check "Prometheus: kanon_anonymous_requests_total by class and outcome == kanon audit's anonymous section" $?
got=$(api 'kanon_unauthorized_requests_total')
[ "$got" = "$(jq .audit.unauthorized_401 "$tmp/audit.json")" ]
check "Prometheus: kanon_unauthorized_requests_total == kanon audit's unauthorized_401 ($got)" $?
# (the scrapes' own GET /metrics are answered 200 too)
got=$(api 'sum(kanon_webhook_requests_total{code="200"})')
[ -n "$got" ] && [ "$got" -ge "$(jq '.codes["200"]' "$tmp/load.json")" ] &&
	[ "$(api 'sum(kanon_webhook_requests_total{code!="200"})')" = 0 ] &&
	[ "$(api 'sum(kanon_webhook_rejected_total)')" = 0 ]
check "Prometheus: kanon_webhook_requests_total{code=\"200\"} counts the 200 answers ($got), no other code, nothing rejected" $?
got=$(api 'kanon_webhook_request_duration_seconds_count')
[ -n "$got" ] && [ "$got" -ge "$(jq '.codes["200"]' "$tmp/load.json")" ]
check "Prometheus: the request duration histogram counted the POSTs ($got)" $?

# the exposition itself
promtool check metrics <"$tmp/metrics.txt" >"$tmp/pt" 2>&1
check "promtool check metrics accepts /metrics" $?
sed 's/^/    /' "$tmp/pt"
curl -sS --max-time 5 --cacert "$P/ca.pem" -D "$tmp/hdr" -o /dev/null "https://127.0.0.1:$port/metrics" &&
	grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$tmp/hdr"
check "/metrics Content-Type is text/plain; version=0.0.4; charset=utf-8" $?
serve_stop
[ "$serve_rc" = 0 ]
check "SIGTERM: exit 0" $?
