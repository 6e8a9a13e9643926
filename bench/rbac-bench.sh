#!/usr/bin/env bash
# Benchmark `kanon rbac` on a synthetic cluster dump (bench/rbac-gen.py):
# N objects (half roles, half bindings; default 100,000) as
# `kubectl get ... -o json` writes them, analysed RUNS times; prints the
# median wall time and its ratio to the 1-second budget of issue 4.
# With --yaml, also times the same dump as YAML (`-o yaml`): libyaml events,
# read item by item like the JSON List (yaml_parse_stream), so memory holds
# one item at a time and the 4,000,000-node limit applies per object.
#
# usage: bench/rbac-bench.sh [--yaml] [N] [RUNS]
#   KANON=build/kanon (default)   TMPDIR for the generated dumps
set -eu
cd "$(dirname "$0")/.."
yaml=0
if [ "${1:-}" = --yaml ]; then
	yaml=1
	shift
fi
n=${1:-100000}
runs=${2:-5}
kanon=${KANON:-build/kanon}
tmp=${TMPDIR:-/tmp}
[ -x "$kanon" ] || { echo "rbac-bench: build $kanon first (make)" >&2; exit 2; }

now() { date +%s%N; }

# median of the numbers on stdin (nanoseconds), printed in seconds
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", m / 1e9, v[1] / 1e9, v[NR] / 1e9 }'
}

bench() { # file label
	local f=$1 label=$2 t0 t1 out
	: >"$tmp/kanon-rbac-bench.times"
	for _ in $(seq "$runs"); do
		t0=$(now)
		"$kanon" rbac -q --fail-on none -f json "$f" >"$tmp/kanon-rbac-bench.out" || {
			echo "rbac-bench: kanon failed on $f" >&2
			exit 1
		}
		t1=$(now)
		echo $((t1 - t0)) >>"$tmp/kanon-rbac-bench.times"
	done
	read -r med lo hi < <(median <"$tmp/kanon-rbac-bench.times")
	out=$(grep -c '"rule":"rbac-anonymous-binding"' "$tmp/kanon-rbac-bench.out" || true)
	printf '%-5s %9d objects %7.1f MB  median %ss (min %s, max %s, %d runs)  ratio to 1 s: %s  anonymous findings: %s\n' \
		"$label" "$n" "$(awk -v s="$(stat -c %s "$f")" 'BEGIN { print s / 1048576 }')" \
		"$med" "$lo" "$hi" "$runs" "$med" "$out"
}

json="$tmp/kanon-rbac-bench-$n.json"
[ -s "$json" ] || python3 bench/rbac-gen.py -n "$n" >"$json"
bench "$json" json
if [ $yaml = 1 ]; then
	y="$tmp/kanon-rbac-bench-$n.yaml"
	[ -s "$y" ] || python3 bench/rbac-gen.py -n "$n" --yaml >"$y"
	bench "$y" yaml
fi
