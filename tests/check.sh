#!/usr/bin/env bash
# The whole test suite: unit + end-to-end tests, once in the normal build and
# once under AddressSanitizer + UBSan, a subset under valgrind (tests/valgrind.sh),
# then the fuzz targets. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/counts.sh
pytmp=$(mktemp -d)
trap 'rm -rf "$pytmp"' EXIT
. tests/pypath.sh "$pytmp"
pass=0
fail=0
jobs=$(nproc 2>/dev/null || echo 2)
for san in 0 1; do
	b=build
	[ "$san" = 1 ] && b=build-san
	echo "== $b"
	if ! make -s -j"$jobs" SAN=$san all unit >"$b.log" 2>&1; then
		cat "$b.log"
		echo "not ok - build $b"
		fail=$((fail + 1))
		continue
	fi
	rm -f "$b.log"
	out=$(tests/run-suite.sh "$b" 2>&1)
	# a skipped test stays visible (ok ... # SKIP why)
	printf '%s\n' "$out" | awk '!/^ok / || /# SKIP/' | grep -v '^[0-9]* passed, [0-9]* failed$'
	add_counts "$out"
	echo "$b: $last"
done
# A subset under valgrind's memcheck, on the normal build (VALGRIND=0 skips it
# for a quick local run; CI runs it).
if [ "${VALGRIND:-1}" = 1 ] && [ -x build/kanon ]; then
	echo "== valgrind"
	out=$(tests/valgrind.sh build 2>&1)
	printf '%s\n' "$out" | awk '!/^ok /' | grep -v '^[0-9]* passed, [0-9]* failed$'
	add_counts "$out"
	echo "valgrind: $last"
fi
# Every fuzz target (fuzz/, clang libFuzzer with ASan+UBSan): the inputs that
# once broke it, then a fixed number of inputs from a fixed seed (the same run
# on every machine), or FUZZ_SECONDS of fuzzing when set.
echo "== fuzz"
if ! make -s -C fuzz -j"$jobs" all >fuzz.log 2>&1; then
	cat fuzz.log
	echo "not ok - build fuzz targets"
	fail=$((fail + 1))
else
	rm -f fuzz.log
	python3 fuzz/seeds.py >/dev/null
	# one target per CPU at once (each has its own corpus, log and crash files), their
	# lines printed in the targets' order: one after another took 8 of CI's 46 minutes
	fdir=$(mktemp -d)
	targets=$(make -s -C fuzz print-targets)
	# shellcheck disable=SC2086
	printf '%s\n' $targets | xargs -P "$jobs" -I{} sh -c \
		'fuzz/run-one.sh "$1" "$2" -rss_limit_mb=1024 -timeout=20 >"$3/$1.out" 2>&1
		echo $? >"$3/$1.rc"' _ {} "${FUZZ_SECONDS:-det}" "$fdir"
	for t in $targets; do
		if [ "$(cat "$fdir/$t.rc" 2>/dev/null)" = 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
		cat "$fdir/$t.out" 2>/dev/null || echo "not ok - fuzz $t: did not run"
	done
	rm -rf "$fdir"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
