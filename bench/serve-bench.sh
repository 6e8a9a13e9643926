#!/usr/bin/env bash
# Benchmark `kanon serve` under load on loopback (issue 15's goal: >= 200,000 events/s sustained
# with 400-event EventList batches over keep-alive HTTPS, p99 < 50 ms, zero events lost, RSS
# under 100 MB).
#
#   bench/serve-bench.sh [KANON]      (default build/kanon; builds build/tests/serve-load)
#
# Each of RUNS runs (default 3) starts `kanon serve` on 127.0.0.1 with a fresh test PKI
# (tests/e2e/serve-pki.sh: mTLS, client certificate), runs the load generator
# (bench/serve-load.c: CONNS keep-alive connections, BATCH events per POST, at most EVENTS events
# and DURATION seconds, real events from ../shared/corpus/auditlogs with fresh auditIDs), samples
# the server's peak RSS (VmHWM) while it runs, waits for the queue to drain, reads /metrics, sends
# SIGTERM and checks the exit code. Per run and as medians: events/s sustained (accepted events /
# elapsed), p50/p99 latency, peak RSS, and the zero-loss equation
#   sum(kanon_audit_events_total) + sum(kanon_webhook_rejected_events_total{reason="queue_full"})
#     == events sent (every POST, resends included)
# Baseline in the same run: `kanon audit -f json` on the same events offline (events/s).
# PERF=1 records `perf record -g` of the server during the last run (bench/out/serve-perf.txt).
# Knobs: RUNS CONNS BATCH EVENTS DURATION QUEUE THREADS (server --threads) EXTRA (server flags);
# HTTP=1 plain HTTP (--insecure-http) instead of mTLS, to see what TLS costs.
set -u
cd "$(dirname "$0")/.."
KANON=${1:-build/kanon}
RUNS=${RUNS:-3}
# 8 connections: libmicrohttpd gives each connection to one pool thread when it is accepted, and
# 4 over the 2 threads of a 2-core machine often land 3+1 or 4+0, leaving a core idle (measured:
# 4 connections 143k-285k events/s from run to run, median 182k; 8 connections 258k-290k, median
# 268k). kube-apiserver's batch backend also sends over several connections at once.
CONNS=${CONNS:-8}
BATCH=${BATCH:-400}
EVENTS=${EVENTS:-4000000}
DURATION=${DURATION:-15}
QUEUE=${QUEUE:-100000}
THREADS=${THREADS:-}
EXTRA=${EXTRA:-}
OUT=bench/out/serve
LOAD=build/tests/serve-load
CORPUS=../shared/corpus/auditlogs

[ -x "$KANON" ] || { echo "no kanon binary at $KANON (make first)" >&2; exit 2; }
make -s bench-tools >/dev/null || exit 2
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 2; }
mkdir -p "$OUT"
. tests/e2e/serve-pki.sh
rm -rf "$OUT/pki"
serve_pki "$OUT/pki" || { echo "cannot make the test PKI" >&2; exit 2; }
P=$OUT/pki
if [ "${HTTP:-0}" = 1 ]; then
	SCHEME=http
	SRV_TLS=--insecure-http
	LOAD_TLS=(--http)
else
	SCHEME=https
	SRV_TLS="--tls-cert $P/server.pem --tls-key $P/server.key --client-ca $P/ca.pem"
	LOAD_TLS=(--ca "$P/ca.pem" --cert "$P/client.pem" --key "$P/client.key")
fi
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; }
trap cleanup EXIT

metric_sum() { # FILE NAME [LABEL-FILTER]: the sum of a metric's samples
	awk -v n="$2" -v f="${3:-}" '$1 !~ /^#/ {
		name = $1; sub(/\{.*/, "", name)
		if (name == n && (f == "" || index($1, f))) s += $NF
	} END { printf "%.0f\n", s }' "$1"
}

metrics() { # FILE: GET /metrics (no client certificate needed)
	curl -sS --max-time 10 --cacert "$P/ca.pem" "$SCHEME://127.0.0.1:$port/metrics" -o "$1"
}

start_server() {
	rm -f "$OUT/port"
	# shellcheck disable=SC2086 # EXTRA and SRV_TLS are lists of flags
	"$KANON" serve --listen 127.0.0.1:0 --port-file "$OUT/port" $SRV_TLS \
		--queue "$QUEUE" --alerts "$OUT/alerts.jsonl" ${THREADS:+--threads $THREADS} $EXTRA \
		2>"$OUT/serve.err" &
	server_pid=$!
	for _ in $(seq 100); do
		[ -s "$OUT/port" ] && break
		sleep 0.1
	done
	port=$(cat "$OUT/port" 2>/dev/null)
	[ -n "$port" ] || { echo "kanon serve did not start:" >&2; cat "$OUT/serve.err" >&2; exit 1; }
}

cpu_s() { # PID: user + system CPU seconds so far
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}

hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# one run: prints "events_per_s p50_ms p99_ms rss_mb counted refused sent ok server_cpu_s
# events_per_server_cpu_s generator_cpu_s" to stdout
run_one() {
	local i=$1 perf_pid= hwm=0 h rc j scpu
	start_server
	if [ "${PERF:-0}" = 1 ] && [ "$i" = "$RUNS" ]; then
		perf record -g -o "$OUT/perf.data" -p "$server_pid" 2>"$OUT/perf.err" >/dev/null &
		perf_pid=$!
	fi
	"$LOAD" --port "$port" "${LOAD_TLS[@]}" \
		--corpus "$CORPUS" --connections "$CONNS" --batch "$BATCH" --events "$EVENTS" \
		--duration "$DURATION" --timeout 30 >"$OUT/load-$i.json" 2>"$OUT/load-$i.err" &
	j=$!
	while kill -0 "$j" 2>/dev/null; do
		h=$(hwm_kb "$server_pid")
		[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
		sleep 0.2
	done
	wait "$j"
	# drained: the queue is empty, every accepted event is counted
	for _ in $(seq 300); do
		metrics "$OUT/metrics-$i.txt" || break
		[ "$(metric_sum "$OUT/metrics-$i.txt" kanon_queue_depth)" = 0 ] && break
		sleep 0.1
	done
	h=$(hwm_kb "$server_pid")
	[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
	scpu=$(cpu_s "$server_pid")
	[ -n "$perf_pid" ] && kill -INT "$perf_pid" && wait "$perf_pid"
	kill -TERM "$server_pid"
	wait "$server_pid"
	rc=$?
	server_pid=
	jq -r --arg rc "$rc" --arg hwm "$hwm" --arg scpu "$scpu" \
		--arg counted "$(metric_sum "$OUT/metrics-$i.txt" kanon_audit_events_total)" \
		--arg refused "$(metric_sum "$OUT/metrics-$i.txt" kanon_webhook_rejected_events_total 'reason="queue_full"')" \
		'[.accepted_events_per_s, .latency_ms.p50, .latency_ms.p99, (($hwm | tonumber) / 1024 | floor),
		  ($counted | tonumber), ($refused | tonumber), .events_sent,
		  (if ($counted | tonumber) + ($refused | tonumber) == .events_sent and .events_unknown == 0
		      and ($counted | tonumber) == .events_accepted and $rc == "0" then "ok" else "LOSS-or-rc=\($rc)" end),
		  ($scpu | tonumber), (.events_accepted / ($scpu | tonumber) | floor), .cpu_s]
		 | @tsv' "$OUT/load-$i.json"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "kanon serve: $RUNS runs, $CONNS connections, $BATCH events/batch, <= $EVENTS events, <= ${DURATION}s each"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' run events/s p50_ms p99_ms rss_MB \
	counted refused429 sent zero-loss srv_cpu_s ev/srv_cpu_s gen_cpu_s
: >"$OUT/runs.tsv"
for i in $(seq "$RUNS"); do
	line=$(run_one "$i")
	printf '%s\t%s\n' "$i" "$line"
	printf '%s\n' "$line" >>"$OUT/runs.tsv"
done

# the baseline: the same classification offline, on events the server accepted
start_server
"$LOAD" --port "$port" "${LOAD_TLS[@]}" \
	--corpus "$CORPUS" --connections 2 --batch "$BATCH" --events 400000 --duration 30 \
	--dump "$OUT/events.jsonl" >/dev/null 2>&1
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
nev=$(wc -l <"$OUT/events.jsonl")
# its CPU time (user + system), not the wall time: the machine is shared
/usr/bin/time -o "$OUT/time.txt" -f '%U %S' "$KANON" audit -f json "$OUT/events.jsonl" >/dev/null 2>&1
base=$(tail -n 1 "$OUT/time.txt" | awk -v n="$nev" '{ printf "%.0f", n / ($1 + $2) }')

eps=$(cut -f1 "$OUT/runs.tsv" | median)
p50=$(cut -f2 "$OUT/runs.tsv" | median)
p99=$(cut -f3 "$OUT/runs.tsv" | median)
rss=$(cut -f4 "$OUT/runs.tsv" | sort -g | tail -n 1)
loss=$(cut -f8 "$OUT/runs.tsv" | grep -vc '^ok$')
epc=$(cut -f10 "$OUT/runs.tsv" | median)
echo "median: $eps events/s sustained, p50 $p50 ms, p99 $p99 ms; peak RSS (max of runs) $rss MB;" \
	"zero loss in $((RUNS - loss))/$RUNS runs; $epc events per server CPU-second"
echo "baseline: kanon audit -f json offline on $nev of the same events: $base events per CPU-second" \
	"(serve per server CPU-second = $(awk -v a="$epc" -v b="$base" 'BEGIN { printf "%.2f", a / b }')x)"
awk -v e="$eps" -v p="$p99" -v r="$rss" -v l="$loss" 'BEGIN {
	printf "goals: events/s >= 200000 %s; p99 < 50 ms %s; RSS < 100 MB %s; zero loss %s\n",
		(e >= 200000) ? "MET" : "MISSED", (p < 50) ? "MET" : "MISSED",
		(r < 100) ? "MET" : "MISSED", (l == 0) ? "MET" : "MISSED" }'
if [ "${PERF:-0}" = 1 ] && [ -s "$OUT/perf.data" ]; then
	perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
		grep -v '^$' | head -80 >"$OUT/serve-perf.txt"
	echo "perf: $OUT/serve-perf.txt"
fi
