# Sourced by the tests/e2e/t*.sh scripts: they run from the repository root
# with an absolute $KANON, a scratch directory $tmp that is removed at exit,
# and print "ok ..." / "not ok ..." lines through these helpers.
set -u
# A script that sets own_pidns=1 before sourcing this runs in a PID namespace
# of its own when one can be made, so that /proc shows only its processes
# (other test runs on the machine start stand-in kubelets too).
if [ "${own_pidns:-}" = 1 ] && [ -z "${KANON_TEST_PIDNS:-}" ]; then
	for u in "unshare -p -f --mount-proc" "unshare -r -p -f --mount-proc"; do
		if $u true 2>/dev/null; then
			KANON_TEST_PIDNS=1 exec $u bash "$0" "$@"
		fi
	done
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
KANON=${KANON:-build/kanon}
case "$KANON" in /*) ;; *) KANON="$PWD/$KANON" ;; esac
HELPERS=${HELPERS:-build/tests}
case "$HELPERS" in /*) ;; *) HELPERS="$PWD/$HELPERS" ;; esac
tmp=$(mktemp -d)
# stand-in processes a script starts (pids+=($!)) are stopped at exit
pids=()
lib_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap lib_cleanup EXIT
. tests/pypath.sh "$tmp"

ok() { echo "ok $*"; }
notok() { echo "not ok $*"; }

# check DESCRIPTION STATUS: numbered result of the previous test's exit status
n=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}

# verdicts JSON-REPORT RC: its findings as "rule status severity" lines, and
# the exit code, for comparing two runs' verdicts
verdicts() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print(f["rule"], f["status"], f["severity"])
' "$1"
	echo "rc=$2"
}
