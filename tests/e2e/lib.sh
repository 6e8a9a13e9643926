# Sourced by the tests/e2e/t*.sh scripts: they run from the repository root
# with an absolute $KANON, a scratch directory $tmp that is removed at exit,
# and print "ok ..." / "not ok ..." lines through these helpers.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
KANON=${KANON:-build/kanon}
case "$KANON" in /*) ;; *) KANON="$PWD/$KANON" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok $*"; }
notok() { echo "not ok $*"; }

# check DESCRIPTION STATUS: numbered result of the previous test's exit status
n=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
