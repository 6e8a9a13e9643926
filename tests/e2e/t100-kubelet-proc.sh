#!/usr/bin/env bash
# --pid and /proc discovery against a real process named "kubelet" (a
# stand-in that only sleeps): relative --config resolves against the
# process's cwd, absolute paths go through /proc/PID/root.
own_pidns=1 # run alone in /proc (tests/e2e/lib.sh)
. "$(dirname "$0")/lib.sh"
check() { # name, condition result
	if [ "$2" = 0 ]; then echo "ok $1"; else echo "not ok $1"; fi
}

cat >"$tmp/kubelet.yaml" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
YAML
mkdir -p "$tmp/conf.d"
cat >"$tmp/conf.d/10-off.conf" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
YAML

(cd "$tmp" && exec "$HELPERS/kubelet" --config=kubelet.yaml --read-only-port=0) &
pid1=$!
pids+=("$pid1")
(cd / && exec "$HELPERS/kubelet" --config="$tmp/kubelet.yaml" --config-dir="$tmp/conf.d") &
pid2=$!
pids+=("$pid2")
ln -s conf.d "$tmp/conf.link"
(cd / && exec "$HELPERS/kubelet" --config="$tmp/kubelet.yaml" --config-dir="$tmp/conf.link") &
pid3=$!
pids+=("$pid3")
sleep 0.3

out=$("$KANON" kubelet --pid "$pid1" -f json)
rc=$?
check "pid: relative --config read through /proc/PID/cwd (rc=$rc)" \
	"$(printf '%s' "$out" | grep -q '"path":"kubelet.yaml","line":5,"key":"authentication.anonymous.enabled","value":"true"' && [ $rc = 1 ]; echo $?)"
check "pid: target names the pid" \
	"$(printf '%s' "$out" | grep -q "\"target\":\"kubelet pid $pid1\""; echo $?)"
check "pid: flag on the process command line wins (read-only port 0)" \
	"$(printf '%s' "$out" | grep -q '"message":"read-only port is disabled (0) (flag --read-only-port=0)"'; echo $?)"

out=$("$KANON" kubelet --pid "$pid2" -f json)
check "pid: absolute --config via /proc/PID/root, drop-in turns anonymous off" \
	"$(printf '%s' "$out" | grep -q '"rule":"kubelet-anonymous-auth","status":"PASS"'; echo $?)"

out=$("$KANON" kubelet --pid "$pid3" -f json)
check "pid: a symlinked --config-dir is not walked (filepath.WalkDir), anonymous stays on" \
	"$(printf '%s' "$out" | grep -q '"rule":"kubelet-anonymous-auth","status":"FAIL"' &&
	   printf '%s' "$out" | grep -q 'is a symbolic link'; echo $?)"

out=$("$KANON" kubelet -f json)
rc=$?
check "discovery: finds both stand-in kubelets" \
	"$(printf '%s' "$out" | grep -q "kubelet pid $pid1" && printf '%s' "$out" | grep -q "kubelet pid $pid2"; echo $?)"

"$KANON" kubelet --pid 999999999 >/dev/null 2>"$tmp/err"
rc=$?
check "pid: a missing process is an input error (rc=$rc)" \
	"$([ $rc = 2 ] && grep -q "cannot read '/proc/999999999/cmdline'" "$tmp/err"; echo $?)"

kill "$pid1" "$pid2" "$pid3" 2>/dev/null
wait "$pid1" "$pid2" "$pid3" 2>/dev/null
pids=()
if pgrep -x kubelet >/dev/null 2>&1; then
	echo "ok discovery: no-kubelet case skipped (a kubelet runs on this machine) # SKIP"
else
	"$KANON" kubelet >/dev/null 2>"$tmp/err"
	rc=$?
	check "discovery: no kubelet running is exit 2 with a clear message (rc=$rc)" \
		"$([ $rc = 2 ] && grep -q 'no running kubelet found' "$tmp/err"; echo $?)"
fi
