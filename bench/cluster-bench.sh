#!/usr/bin/env bash
# kanon cluster against the test API server on loopback (fakeapi --mode
# cluster, HTTPS, bearer token):
#   nodes: NODES nodes (default 5000) whose /configz answers after DELAY ms
#          (default 50), read with the default --concurrency 32; goal < 15 s
#          wall and < 200 MB peak RSS. A sequential client needs NODES*DELAY.
#   rbac:  RBAC objects (default 50000) in pages of 500; goal < 3 s.
# Each case runs RUNS times (default 3); the medians are printed.
#   make && make build/tests/fakeapi && bench/cluster-bench.sh
set -u
cd "$(dirname "$0")/.." || exit 1
KANON=${KANON:-$PWD/build/kanon}
FAKEAPI=${FAKEAPI:-$PWD/build/tests/fakeapi}
NODES=${NODES:-5000} DELAY=${DELAY:-50} RBAC=${RBAC:-50000} RUNS=${RUNS:-3}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 2 \
	-subj /CN=ca >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$tmp/s.key" -out "$tmp/s.csr" -subj /CN=api >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/s.ext"
openssl x509 -req -in "$tmp/s.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
	-out "$tmp/s.pem" -days 2 -extfile "$tmp/s.ext" >/dev/null 2>&1

start() { # NAME options...
	local name=$1
	shift
	"$FAKEAPI" --mode cluster --port-file "$tmp/$name.port" --cert "$tmp/s.pem" --key "$tmp/s.key" \
		--token bench-token --lifetime 900 "$@" &
	pids+=($!)
	for _ in $(seq 1 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
	cat >"$tmp/$name.kc" <<KC
apiVersion: v1
kind: Config
current-context: b
clusters:
- name: b
  cluster: {server: "https://127.0.0.1:$(cat "$tmp/$name.port")", certificate-authority: $tmp/ca.pem}
users:
- name: b
  user: {token: bench-token}
contexts:
- name: b
  context: {cluster: b, user: b}
KC
}

# one NAME: wall seconds and peak RSS (MB) of one kanon cluster run
one() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$KANON" cluster --kubeconfig "$tmp/$1.kc" \
		--no-probe --metrics-interval 0 -f json >"$tmp/$1.json" 2>"$tmp/$1.err"
	echo "rc=$? $(tail -1 "$tmp/time" | awk '{printf "%s %.0f", $1, $2/1024}')"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() { # NAME what
	local w=() r=() out
	for _ in $(seq 1 "$RUNS"); do
		out=$(one "$1")
		w+=("$(echo "$out" | cut -d' ' -f2)")
		r+=("$(echo "$out" | cut -d' ' -f3)")
		echo "  run: $out" >&2
	done
	echo "$2: median $(printf '%s\n' "${w[@]}" | median) s wall, peak RSS median $(printf '%s\n' "${r[@]}" | median) MB ($RUNS runs)"
}

# baseline, same run and server: curl fetching the same NODES /configz URLs,
# 32 in parallel (curl -Z), bodies discarded
baseline() {
	local p w=()
	p=$(cat "$tmp/nodes.port")
	for i in $(seq 1 "$NODES"); do
		echo "url = https://127.0.0.1:$p/api/v1/nodes/n$i/proxy/configz"
		echo "output = /dev/null"
	done >"$tmp/urls"
	for _ in $(seq 1 "$RUNS"); do
		/usr/bin/time -f '%e' -o "$tmp/btime" curl -s -Z --parallel-max 32 --cacert "$tmp/ca.pem" \
			-H 'Authorization: Bearer bench-token' -K "$tmp/urls" 2>/dev/null
		w+=("$(tail -1 "$tmp/btime")")
	done
	echo "baseline curl -Z --parallel-max 32, same $NODES URLs: median $(printf '%s\n' "${w[@]}" | median) s wall"
}

start nodes --nodes "$NODES" --configz-delay-ms "$DELAY"
start rbac --nodes 0 --rbac-extra "$RBAC"
bench nodes "$NODES nodes, /configz after $DELAY ms, --concurrency 32 (sequential: $((NODES * DELAY / 1000)) s)"
baseline
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print("  nodes read:", c["configz_read"], "of", c["nodes"], "requests", c["requests"])' "$tmp/nodes.json"
bench rbac "$RBAC RBAC objects (+9), pages of 500"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print("  objects:", c["rbac_objects"], "pages", c["rbac_pages"])' "$tmp/rbac.json"
