#!/usr/bin/env bash
# kanon scan with no snapshot on a node: the running kubelet and
# kube-apiserver (stand-ins: the fakeproc helper under those names) found in
# /proc, their files read through /proc/PID/root, and the API server's audit
# log at --audit-log-path with a rotated, gzipped lumberjack sibling.
own_pidns=1 # run alone in /proc (tests/e2e/lib.sh)
. "$(dirname "$0")/lib.sh"

running() { ps -eo comm= | grep -qx -e kubelet -e kube-apiserver; }

# 0. nothing runs: an error, not a silent PASS
if running; then
	ok "no component: skipped (a kubelet or kube-apiserver runs here) # SKIP"
else
	"$KANON" scan >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
		grep -q "no running kubelet or kube-apiserver found in /proc" "$tmp/err"
	check "no kubelet or kube-apiserver running: exit 2 with a clear message" $?
fi

mkdir -p "$tmp/bin" "$tmp/etc/kubelet" "$tmp/log"
cp "$HELPERS/kubelet" "$tmp/bin/kubelet"
cp "$HELPERS/kubelet" "$tmp/bin/kube-apiserver"
cat >"$tmp/etc/kubelet/config.yaml" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
authorization:
  mode: Webhook
readOnlyPort: 0
YAML
# the audit log as lumberjack leaves it: a rotated gzipped backup, the current file
head -n 10 tests/fixtures/audit/mixed.jsonl | gzip >"$tmp/log/audit-2025-06-01T10-05-00.000.log.gz"
tail -n +11 tests/fixtures/audit/mixed.jsonl >"$tmp/log/audit.log"
# not the API server's: another log's backup and a name that only looks like one
echo '{}' >"$tmp/log/other-2025-06-01T10-05-00.000.log"
echo '{}' >"$tmp/log/audit-2025-06-01.log"

"$tmp/bin/kubelet" --config="$tmp/etc/kubelet/config.yaml" &
pids+=($!)
kpid=$!
"$tmp/bin/kube-apiserver" --anonymous-auth=false --authorization-mode=Node,RBAC \
	--audit-log-path "$tmp/log/audit.log" --audit-log-compress &
pids+=($!)
apid=$!
sleep 0.3

"$KANON" scan -f json >"$tmp/out" 2>"$tmp/err"
rc=$?
python3 - "$tmp/out" "$kpid" "$apid" <<'EOF' >"$tmp/got"
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print(f["target"], f["rule"], f["status"])
a = d.get("audit", {})
print("audit files", len(a.get("files", [])), "lines", a.get("lines"), "events", a.get("events"))
EOF
grep -q "^kubelet pid $kpid kubelet-anonymous-auth PASS$" "$tmp/got" &&
	grep -q "^kubelet pid $kpid kubelet-read-only-port PASS$" "$tmp/got"
check "the running kubelet is found and its --config read through /proc/PID/root" $?
grep -q "^apiserver/pid-$apid apiserver-anonymous-auth PASS$" "$tmp/got" &&
	grep -q "^apiserver/pid-$apid apiserver-authorization-mode PASS$" "$tmp/got"
check "the running kube-apiserver is found and audited" $?
grep -q "^audit files 2 lines 23 events 22$" "$tmp/got"
check "the audit log at --audit-log-path and its rotated .gz sibling are read (only those)" $?
grep -q " audit-anonymous-access FAIL$" "$tmp/got"
check "the audit log's anonymous access is reported" $?
[ $rc = 1 ] && grep -q "rbac: skipped: RBAC objects are kept by the API server" "$tmp/err"
check "one report, exit 1; RBAC is skipped with a warning, not passed (rc=$rc)" $?

# an API server without an audit log: said, not silently passed
kill "$apid"
wait "$apid" 2>/dev/null
"$tmp/bin/kube-apiserver" --anonymous-auth=false --authorization-mode=Node,RBAC &
pids+=($!)
apid2=$!
sleep 0.3
"$KANON" scan -q >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "apiserver/pid-$apid2: no --audit-log-path" "$tmp/err"
check "no --audit-log-path is a warning (rc=$rc)" $?
