# Sourced by the suite's runners (check.sh, run-suite.sh, valgrind.sh):
# add_counts OUTPUT adds the "N passed, N failed" of OUTPUT's last line to
# $pass and $fail, and sets $last to that line; output that does not end
# with one (a runner that died) counts as one failure.
add_counts() {
	last=$(printf '%s\n' "$1" | tail -n 1)
	case "$last" in
	*" passed, "*" failed") ;;
	*) last="0 passed, 1 failed" ;;
	esac
	local p=${last%% passed*} f=${last#*passed, }
	f=${f%% failed*}
	pass=$((pass + p))
	fail=$((fail + f))
}
