#!/bin/sh
# Install the Debian packages kanon needs to build and test, when missing.
# Safe to run again; uses sudo when not root.
set -eu
PKGS="build-essential pkg-config libyaml-dev libcjson-dev zlib1g-dev libcurl4-gnutls-dev
libmicrohttpd-dev libcmocka-dev libyajl-dev python3 gzip jq procps diffutils
util-linux"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
