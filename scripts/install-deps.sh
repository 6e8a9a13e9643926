#!/bin/sh
# Install the Debian packages kanon needs to build and test, when missing.
# Safe to run again; uses sudo when not root.
set -eu
PKGS="build-essential pkg-config libyaml-dev libcjson-dev zlib1g-dev libisal-dev libcurl4-gnutls-dev
libmicrohttpd-dev libgnutls28-dev libcmocka-dev libyajl-dev python3 gzip jq procps diffutils
openssl curl clang libclang-rt-dev
python3-yaml
util-linux
python3-jsonschema libxml2-utils prometheus valgrind
chromium zsh fish groff man-db"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
# node and npm (the SARIF validator and kubernetes-models are npm packages,
# installed into the build tree by their tests): a machine may already have a
# Node.js of its own (NodeSource's nodejs carries npm, and Debian's npm package
# then cannot be installed beside it), so only what is missing is installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
# kubectl, for the test that shows the probe tests' API server speaks
# Kubernetes (tests/e2e/t921-probe-kubectl.sh); optional: without it that one
# test says SKIP. Debian ships it in kubernetes-client; other repositories
# call it kubectl.
if ! command -v kubectl >/dev/null 2>&1; then
	[ -n "$missing" ] || $SUDO apt-get update -qq || true
	$SUDO apt-get install -y -qq --no-install-recommends kubectl 2>/dev/null ||
		$SUDO apt-get install -y -qq --no-install-recommends kubernetes-client ||
		echo "kubectl is not installable here: its test will be skipped"
fi
