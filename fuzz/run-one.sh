#!/usr/bin/env bash
# run-one.sh TARGET SECONDS|det [libFuzzer flags...]: replay the inputs that once
# broke TARGET (tests/fuzz-regressions/TARGET/), then fuzz it for SECONDS on
# its corpus (fuzz/corpus/TARGET, from seeds.py). Prints one TAP line; the
# exit status is 1 when either part found a crash, a leak, a timeout or an
# out-of-memory (the input is left in fuzz/ as crash-*, leak-*, ...).
set -u
cd "$(dirname "$0")"
t=$1 secs=$2
shift 2
case $t in
fuzz_tree) max=65536 ;;
fuzz_cluster) max=32768 ;;
fuzz_cli) max=16384 ;;
*) max=8192 ;;
esac
dict=()
[ -f "dict/$t.dict" ] && dict=(-dict="dict/$t.dict")
[ ${#dict[@]} = 0 ] && [ -f dict/kanon.dict ] && dict=(-dict=dict/kanon.dict)
log=$(mktemp)
reg=../tests/fuzz-regressions/$t
if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
	if ! ./"$t" "$@" "$reg"/* >"$log" 2>&1; then
		tail -n 40 "$log"
		echo "not ok - fuzz $t: a regression input breaks it again"
		rm -f "$log"
		exit 1
	fi
fi
mkdir -p "corpus/$t"
# 0 seconds: only run the corpus once (-max_total_time=0 would mean no limit).
# "det": the suite's run, the same on every machine (a fixed seed and a fixed
# number of inputs per target, about 10 s here), so that a faster CI machine
# cannot go further and fail where this one passed; longer runs explore.
limit=-max_total_time="$secs"
[ "$secs" = 0 ] && limit=-runs=0
if [ "$secs" = det ]; then
	case $t in
	fuzz_tree) runs=2000 ;;
	fuzz_cli) runs=1500 ;;
	fuzz_audit_diff | fuzz_audit_formats | fuzz_json | fuzz_csv) runs=20000 ;;
	# two pipelines of three threads per input: 14 ms each on a machine whose thread
	# start-up and maps cost much (12 minutes for 50000; 3.5 on another)
	fuzz_audit_avro) runs=12000 ;;
	*) runs=50000 ;;
	esac
	limit="-runs=$runs -seed=1"
fi
# shellcheck disable=SC2086
if ! ./"$t" "$@" "${dict[@]}" -max_len="$max" $limit -print_final_stats=1 \
	"corpus/$t" >"$log" 2>&1; then
	grep -A30 -m1 'ERROR\|fuzz property broken\|differ:' "$log" | head -n 40
	cp "$log" "last-$t.log"
	echo "not ok - fuzz $t: $(ls -t crash-* leak-* timeout-* oom-* 2>/dev/null | head -n 1)" \
		"(log: fuzz/last-$t.log)"
	rm -f "$log"
	exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
echo "ok - fuzz $t ($secs, ${execs:-?} inputs, ${cov:-cov: ?})"
rm -f "$log"
