# Sourced by the test drivers with a scratch directory they remove at exit:
# `python3` is then Debian's /usr/bin/python3, which has the packages the tests
# use (python3-jsonschema, python3-yaml). A version manager's shim first on
# PATH (pyenv) runs a shell script and its own lookup at every call: 0.4 s
# against 0.04 s here, and the suite calls python3 about a thousand times.
# Children inherit the PATH, so only the outermost driver makes the link.
if [ -n "${1:-}" ] && [ -x /usr/bin/python3 ] &&
	[ "$(readlink -f "$(command -v python3)")" != "$(readlink -f /usr/bin/python3)" ]; then
	mkdir -p "$1/pybin" && ln -sf /usr/bin/python3 "$1/pybin/python3" &&
		export PATH="$1/pybin:$PATH"
fi
