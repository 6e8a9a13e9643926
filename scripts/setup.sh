#!/bin/sh
# First-time setup: install dependencies, build, and scan the bundled demo
# cluster snapshot. The scan exits 1 because the demo has exposures on purpose.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
make -j"$(nproc 2>/dev/null || echo 2)"
echo
echo "\$ build/kanon scan examples/demo-cluster"
rc=0
build/kanon scan examples/demo-cluster || rc=$?
echo
echo "kanon scan exited with $rc (0 clean, 1 findings at or above --fail-on, 2 error, 3 incomplete)"
