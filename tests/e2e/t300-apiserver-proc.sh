#!/usr/bin/env bash
# kanon apiserver with a running process: --pid and /proc discovery, files
# read through /proc/PID/root and /proc/PID/cwd. The stand-in process is the
# fakeproc helper copied under the name kube-apiserver.
own_pidns=1 # run alone in /proc (tests/e2e/lib.sh)
. "$(dirname "$0")/lib.sh"

# 0. with no kube-apiserver running and no input: exit 2 and say what to give
if ! ps -eo comm= | grep -qx kube-apiserver; then
	"$KANON" apiserver >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q "no running kube-apiserver found in /proc" "$tmp/err" &&
		grep -q -- "--manifest" "$tmp/err"
	check "no process and no input: exit 2 with a clear message" $?
fi

cp "$HELPERS/kubelet" "$tmp/kube-apiserver"
fixtures=$PWD/tests/fixtures/apiserver

# 1. --pid: flags from /proc/PID/cmdline, absolute path via /proc/PID/root
"$tmp/kube-apiserver" --authorization-mode=Node,RBAC \
	--authentication-config="$fixtures/authn-health.yaml" &
p1=$!
pids+=("$p1")
# 2. relative path resolved against /proc/PID/cwd
(cd "$fixtures" && exec "$tmp/kube-apiserver" --authorization-mode=Node,RBAC \
	--authentication-config=authn-disabled.yaml) &
p2=$!
pids+=("$p2")
sleep 0.3

"$KANON" apiserver -q --pid "$p1" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "^WARN .*apiserver-anonymous-auth *apiserver/pid-$p1" "$tmp/out" &&
	grep -q "scoped to health endpoints: /livez, /readyz, /healthz" "$tmp/out"
check "--pid reads the command line and the file through /proc/PID/root" $?

"$KANON" apiserver -v --pid "$p2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "^PASS .*apiserver-anonymous-auth *apiserver/pid-$p2" "$tmp/out" &&
	grep -q "authn-disabled.yaml:4 anonymous.enabled = false" "$tmp/out"
check "--pid resolves a relative --authentication-config through /proc/PID/cwd" $?

# 3. discovery: both stand-ins are found by name
"$KANON" apiserver -f json >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "\"target\":\"apiserver/pid-$p1\"" "$tmp/out" &&
	grep -q "\"target\":\"apiserver/pid-$p2\"" "$tmp/out"
check "discovery finds kube-apiserver processes in /proc" $?

# 4. --pid of a process that is gone: exit 2
"$KANON" apiserver --pid 2147483646 >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "cannot read '/proc/2147483646/cmdline'" "$tmp/err"
check "--pid of a missing process: exit 2" $?
