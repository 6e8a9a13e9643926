#!/usr/bin/env bash
# A FIFO, a device or a symlink to /dev/zero where kanon expects a file
# (a snapshot, an rbac or audit directory, a --config-dir) must not block
# or read forever: files found by walking a directory are skipped with a
# warning, a fixed name that is not a regular file is an error. A pipe the
# user names (-, <(cmd)) is still read.
. "$(dirname "$0")/lib.sh"
demo=$PWD/examples/demo-cluster
rbacfile=$PWD/tests/fixtures/rbac/unauth-cluster-admin.yaml

# kanon rbac DIR with a FIFO and a link to /dev/zero beside a real file
mkdir "$tmp/rbac"
cp "$rbacfile" "$tmp/rbac/a.yaml"
mkfifo "$tmp/rbac/fifo.yaml"
ln -s /dev/zero "$tmp/rbac/zero.yaml"
timeout 20 "$KANON" rbac "$tmp/rbac" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc != 124 ] && grep -q "fifo.yaml: skipped: not a regular file" "$tmp/err" &&
	grep -q "zero.yaml: skipped: not a regular file" "$tmp/err" &&
	grep -q "^FAIL .*rbac-anonymous-binding" "$tmp/out"
check "rbac DIR: a FIFO and /dev/zero are skipped with a warning, the rest is read" $?

# named pipes the user gives are read
timeout 20 "$KANON" rbac <(cat "$rbacfile") >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "^FAIL .*rbac-anonymous-binding" "$tmp/out"
check "rbac <(cat FILE): a pipe named by the user is read" $?
timeout 20 "$KANON" rbac - <"$rbacfile" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "^FAIL .*rbac-anonymous-binding" "$tmp/out"
check "rbac -: standard input is read" $?

# a snapshot with special files in every part
s=$tmp/snap
mkdir -p "$s/kubelet" "$s/audit"
cp -r "$demo/rbac" "$s/rbac"
cp -r "$demo/kubelet/worker-2-dropin" "$s/kubelet/n1"
mkfifo "$s/rbac/fifo.json" "$s/audit/fifo.log" "$s/kubelet/n1/conf.d/99-fifo.conf"
ln -s /dev/zero "$s/audit/zero.log"
cp "$demo/audit/audit.log.gz" "$s/audit/"
mkdir -p "$s/kubelet/n2"
echo "kubelet --config=/etc/kubernetes/kubelet.yaml" >"$s/kubelet/n2/cmdline"
mkfifo "$s/kubelet/n2/config.yaml"
timeout 60 "$KANON" scan "$s" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc != 124 ] && grep -q "rbac/fifo.json: skipped: not a regular file" "$tmp/err" &&
	grep -q "audit/fifo.log: skipped: not a regular file" "$tmp/err" &&
	grep -q "audit/zero.log: skipped: not a regular file" "$tmp/err" &&
	grep -q "conf.d/99-fifo.conf: skipped: not a regular file" "$tmp/err"
check "scan: FIFOs and /dev/zero in rbac/, audit/ and conf.d/ are skipped with a warning" $?
grep -q "n2/config.yaml': a FIFO, not a regular file" "$tmp/err" &&
	grep -q "kubelet-anonymous-auth *node/n2" "$tmp/out"
check "scan: a FIFO as a node's config.yaml is an error, not a hang" $?
grep -q "audit" "$tmp/out" && grep -q "kubelet-anonymous-auth *node/n1" "$tmp/out"
check "scan: the regular files beside them are audited" $?

# kanon kubelet --config-dir with a FIFO in it
mkdir "$tmp/confd"
mkfifo "$tmp/confd/10-fifo.conf"
timeout 20 "$KANON" kubelet --config-dir "$tmp/confd" >"$tmp/out" 2>"$tmp/err"
[ $? != 124 ] && grep -q "10-fifo.conf: skipped: not a regular file" "$tmp/err"
check "kubelet --config-dir: a FIFO drop-in is skipped with a warning" $?
