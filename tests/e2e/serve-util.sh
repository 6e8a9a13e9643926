# shellcheck shell=bash
# shellcheck disable=SC2154 # $tmp, $KANON and pids come from lib.sh, sourced first
# Sourced by the kanon serve load, Prometheus and fault tests (t87x) after lib.sh:
#   serve_start ARGS...       start `kanon serve` on 127.0.0.1 (port 0) with ARGS, in $tmp/srv;
#                             sets serve_pid and port; returns non-zero when it does not listen;
#                             its stdout (the alerts without --alerts) goes to $serve_stdout
#   serve_get PATH FILE       GET https://127.0.0.1:$port/PATH into FILE (the test CA, $tmp/pki)
#   metric_sum FILE NAME [TEXT]   the sum of NAME's samples in a Prometheus text FILE (only the
#                             samples whose labels contain TEXT)
#   serve_drained FILE        wait until kanon_queue_depth is 0 (at most 30 s); FILE: /metrics
#   serve_stop                SIGTERM, wait (killed after 30 s); sets serve_rc to the exit code
#   hwm_mb PID                the peak RSS (VmHWM) in MB
. "$(dirname "${BASH_SOURCE[0]}")/serve-pki.sh"

serve_start() {
	mkdir -p "$tmp/srv"
	rm -f "$tmp/srv/port"
	"$KANON" serve --listen 127.0.0.1:0 --port-file "$tmp/srv/port" "$@" \
		>"${serve_stdout:-$tmp/srv/stdout}" 2>"$tmp/srv/stderr" 3>&- &
	serve_pid=$!
	pids+=("$serve_pid")
	for _ in $(seq 100); do
		[ -s "$tmp/srv/port" ] && break
		kill -0 "$serve_pid" 2>/dev/null || break
		sleep 0.1
	done
	port=$(cat "$tmp/srv/port" 2>/dev/null)
	if [ -z "$port" ]; then
		sed 's/^/    /' "$tmp/srv/stderr"
		return 1
	fi
}

serve_get() {
	curl -sS --max-time 10 --cacert "$tmp/pki/ca.pem" "https://127.0.0.1:$port/$1" -o "$2"
}

metric_sum() {
	awk -v n="$2" -v f="${3:-}" '$1 !~ /^#/ {
		name = $1; sub(/\{.*/, "", name)
		if (name == n && (f == "" || index($1, f))) s += $NF
	} END { printf "%.0f\n", s }' "$1"
}

serve_drained() {
	for _ in $(seq 300); do
		serve_get metrics "$1" || return 1
		[ "$(metric_sum "$1" kanon_queue_depth)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

serve_stop() {
	kill -TERM "$serve_pid" 2>/dev/null
	for _ in $(seq 300); do
		kill -0 "$serve_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$serve_pid" 2>/dev/null
	wait "$serve_pid"
	serve_rc=$?
}

hwm_mb() {
	awk '/^VmHWM:/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}
