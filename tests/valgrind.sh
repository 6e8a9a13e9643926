#!/usr/bin/env bash
# A subset of the suite under valgrind's memcheck (issue 16): every unit test
# binary but the slowest, and every VG_EVERY'th (default 3rd) end-to-end golden
# case, on the normal -O2 -g build. This catches what the sanitizer build
# cannot: uninitialised reads (MSan is not in the sanitizer build) and errors
# in the optimised code the users run. Prints TAP-like lines and ends with
# "N passed, N failed".
#
#   tests/valgrind.sh [BUILD_DIR]      (default build; after `make all unit`)
set -u
cd "$(dirname "$0")/.."
. tests/counts.sh
b=${1:-build}
case "$b" in /*) ;; *) b="$PWD/$b" ;; esac
pass=0
fail=0
if ! command -v valgrind >/dev/null 2>&1; then
	echo "not ok - valgrind is not installed (scripts/install-deps.sh installs it)"
	echo "0 passed, 1 failed"
	exit 1
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Leaks count as errors (definite and indirect); 99 is an exit code kanon
# never uses, so a golden's rc check fails on any memcheck error too.
VG=(valgrind -q --error-exitcode=99 --leak-check=full
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)

# memcheck's own messages start with "==PID=="; valgrind 3.19 also warns
# "--PID-- WARNING: unhandled amd64-linux syscall: 437" for openat2, which it
# does not implement: kanon then takes its fallback (src/sources/resolve.c),
# which is what these runs exercise. Those warnings are not errors.
vg_errors() {
	grep -l '^==[0-9]*==' "$@" 2>/dev/null
}

# test_systemd alone takes two minutes under valgrind; its parser is
# covered by the node and kubelet golden cases below.
for t in "$b"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case "$name" in test_systemd) continue ;; esac
	log="$logs/unit.$name.log"
	if out=$(CMOCKA_MESSAGE_OUTPUT=TAP "${VG[@]}" --log-file="$log" "$t" 2>&1) &&
		! vg_errors "$log" >/dev/null; then
		echo "ok - valgrind unit $name"
		pass=$((pass + 1))
	else
		printf '%s\n' "$out" | grep -v '^ok ' | sed "s/^/  [$name] /" | head -n 20
		sed "s/^/  [$name] /" "$log" | head -n 40
		echo "not ok - valgrind unit $name"
		fail=$((fail + 1))
	fi
done

# The e2e cases run $KANON: a wrapper that runs the build's kanon under
# valgrind with one log per process.
mkdir "$logs/e2e"
cat >"$logs/kanon" <<WRAP
#!/bin/sh
exec ${VG[*]} --log-file="$logs/e2e/%p.log" "$b/kanon" "\$@"
WRAP
chmod +x "$logs/kanon"
out=$(E2E_EVERY=${VG_EVERY:-3} E2E_SCRIPTS='^$' KANON="$logs/kanon" HELPERS="$b/tests" \
	tests/e2e/run.sh 2>&1)
printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | sed 's/^\(not \)\{0,1\}ok - /&valgrind /'
add_counts "$out"
# a memcheck report that did not change an exit code (a child process, or a
# leak at exit) still fails
for log in $(vg_errors "$logs"/e2e/*.log); do
	sed 's/^/  /' "$log" | head -n 40
	echo "not ok - valgrind report $(basename "$log")"
	fail=$((fail + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
