#!/usr/bin/env bash
# Run unit tests and e2e tests of one build directory; prints TAP-like
# "ok"/"not ok" lines and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/counts.sh
b=${1:-build}
pass=0
fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "$b"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1 # crashed or a sanitizer stopped it
	fi
	if [ "$f" != 0 ]; then
		printf '%s\n' "$out" | grep -v '^ok ' | sed "s/^/  [$name] /"
		echo "not ok - unit $name ($f failed)"
	else
		echo "ok - unit $name ($p)"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done

out=$(KANON="$b/kanon" HELPERS="$b/tests" tests/e2e/run.sh 2>&1)
printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
add_counts "$out"
echo "$pass passed, $fail failed"
