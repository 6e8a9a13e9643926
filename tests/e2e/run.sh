#!/usr/bin/env bash
# End-to-end tests: run the kanon binary on fixtures and compare with golden
# output. Two kinds:
#  - tests/e2e/cases/<group>/<case>/ with
#      cmd     one shell command, run from the repository root; $KANON is
#              the binary, $SHARED the shared corpus (../shared)
#      stdout  expected standard output (exact)
#      rc      expected exit code
#      stderr  expected standard error (optional; exact when present)
#    UPDATE_GOLDEN=1 rewrites stdout/stderr/rc from the current binary.
#    E2E_EVERY=N runs only every Nth case (the valgrind subset, tests/valgrind.sh).
#  - tests/e2e/t*.sh scripts printing "ok ..." / "not ok ..." lines;
#    E2E_SCRIPTS=ERE runs only the scripts whose path matches ('^$': none).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
KANON=${KANON:-build/kanon}
case "$KANON" in /*) ;; *) KANON="$PWD/$KANON" ;; esac
HELPERS=${HELPERS:-build/tests}
case "$HELPERS" in /*) ;; *) HELPERS="$PWD/$HELPERS" ;; esac
SHARED=${SHARED:-../shared}
export KANON HELPERS SHARED
export LC_ALL=C TERM=dumb
unset NO_COLOR
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/pypath.sh "$tmp"

every=${E2E_EVERY:-1}
i=0
for dir in $(find tests/e2e/cases -name cmd -printf '%h\n' | sort); do
	name=${dir#tests/e2e/cases/}
	i=$((i + 1))
	[ $((i % every)) = 0 ] || continue
	bash -c "$(cat "$dir/cmd")" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/out" "$dir/stdout"
		echo "$rc" >"$dir/rc"
		[ -f "$dir/stderr" ] && cp "$tmp/err" "$dir/stderr"
	fi
	ok=1
	why=""
	if [ ! -f "$dir/rc" ] || [ "$rc" != "$(cat "$dir/rc")" ]; then
		ok=0
		why="exit code $rc, expected $(cat "$dir/rc" 2>/dev/null)"
	elif ! diff -u "$dir/stdout" "$tmp/out" >"$tmp/diff"; then
		ok=0
		why="stdout differs"
	elif [ -f "$dir/stderr" ] && ! diff -u "$dir/stderr" "$tmp/err" >"$tmp/diff"; then
		ok=0
		why="stderr differs"
	elif grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$tmp/err"; then
		ok=0
		why="sanitizer report"
		cp "$tmp/err" "$tmp/diff"
	fi
	if [ $ok = 1 ]; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name: $why"
		head -n 40 "$tmp/diff" 2>/dev/null | sed 's/^/    /'
		[ "$why" = "exit code"* ] 2>/dev/null || true
		case "$why" in exit*) head -n 10 "$tmp/err" | sed 's/^/    stderr: /' ;; esac
		fail=$((fail + 1))
	fi
done

for t in $(ls tests/e2e/t*.sh | grep -E "${E2E_SCRIPTS:-.}"); do
	[ -f "$t" ] || continue
	out=$(bash "$t" 2>&1)
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	printf '%s\n' "$out" | grep -e '^ok ' -e '^not ok ' -e '^  ' | sed "s|^ok |ok - $(basename "$t"): |; s|^not ok |not ok - $(basename "$t"): |"
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $t printed no results"
		printf '%s\n' "$out" | head -n 20
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
