# shellcheck shell=bash
# shellcheck disable=SC2154 # $tmp comes from lib.sh, sourced first
# Sourced by the tests that use npm packages (t740 SARIF validator, t795
# Kubernetes schemas): they are installed into build/npm (never globally)
# on first use. A missing npm is a failure, not a skip: scripts/install-deps.sh
# installs nodejs and npm.
NPM_PREFIX=${NPM_PREFIX:-$PWD/build/npm}
# npm_need PACKAGE: install it into $NPM_PREFIX unless it is there
npm_need() {
	[ -d "$NPM_PREFIX/node_modules/$1" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		echo "not ok - npm is missing (scripts/install-deps.sh installs nodejs npm)"
		return 1
	fi
	mkdir -p "$NPM_PREFIX"
	npm install --silent --no-audit --no-fund --prefix "$NPM_PREFIX" "$1" >"$tmp/npm.log" 2>&1 || {
		echo "not ok - npm install $1 failed:"
		tail -5 "$tmp/npm.log" | sed 's/^/    /'
		return 1
	}
}
