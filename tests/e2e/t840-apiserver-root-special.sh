#!/usr/bin/env bash
# kanon apiserver --root DIR reads a static pod directory as the kubelet does
# (pkg/kubelet/config/file.go extractFromDir): regular files and symlinks to
# them, names not starting with '.'. A FIFO, a link to /dev/zero or a
# directory where kube-apiserver.yaml is expected must not block or be
# taken for the manifest; the Pod in another file is found instead.
. "$(dirname "$0")/lib.sh"

r=$tmp/root
m=$r/etc/kubernetes/manifests
mkdir -p "$m"
cat >"$m/other.yaml" <<'POD'
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
spec:
  containers:
  - command: [kube-apiserver, --anonymous-auth=false, "--authorization-mode=Node,RBAC"]
POD
mkfifo "$m/kube-apiserver.yaml"
ln -s /dev/zero "$m/zero.yaml"
mkdir "$m/sub.yaml"
cp "$m/other.yaml" "$m/sub.yaml/kube-apiserver.yaml"
timeout 20 "$KANON" apiserver --root "$r" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "^PASS .*apiserver-anonymous-auth .*/etc/kubernetes/manifests/other.yaml" "$tmp/out"
check "--root: a FIFO kube-apiserver.yaml, /dev/zero and a directory are passed over" $?

rm "$m/kube-apiserver.yaml"
mkdir "$m/kube-apiserver.yaml"
timeout 20 "$KANON" apiserver --root "$r" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -q "manifests/other.yaml" "$tmp/out"
check "--root: a directory named kube-apiserver.yaml is not the manifest" $?

# a kubeadm config where the kubelet expects a Pod is no Pod the kubelet
# runs: an error naming the file, not a command line built from it
rm -rf "$m/kube-apiserver.yaml" "$m/other.yaml"
cp tests/fixtures/apiserver/kubeadm-anon-true.yaml "$m/kube-apiserver.yaml"
timeout 20 "$KANON" apiserver --root "$r" >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "kube-apiserver.yaml:2: expected kind: Pod" "$tmp/err" &&
	! grep -q -e AddressSanitizer -e "runtime error" "$tmp/err"
check "--root: a kubeadm config named kube-apiserver.yaml is not a static pod" $?
