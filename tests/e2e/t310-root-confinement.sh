#!/usr/bin/env bash
# A node root (--root DIR, a snapshot's apiserver/<name>/root/) is a copy of
# another machine: its symlinks and `..` must not make kanon read this
# machine's files. Each case puts a hostile AuthenticationConfiguration on
# the host (anonymous on: FAIL) and a harmless one at the same path inside
# the root (anonymous off: PASS); reading the host's file is the defect.
# Run once with openat2 and once with the component walk that kernels
# without it use (KANON_NO_OPENAT2=1).
. "$(dirname "$0")/lib.sh"
fixtures=$PWD/tests/fixtures/apiserver
host=$tmp/host
mkdir -p "$host"
cp "$fixtures/authn-unscoped.yaml" "$host/authn.yaml"

# a root whose copy of $host/authn.yaml says anonymous is off
mkroot() {
	mkdir -p "$1$host" "$1/etc/kubernetes"
	cp "$fixtures/authn-disabled.yaml" "$1$host/authn.yaml"
}
r=$tmp/root
mkroot "$r"
ln -s "$host/authn.yaml" "$r/etc/kubernetes/abs.yaml"
ln -s "../../../../../../../../../../../..$host/authn.yaml" "$r/etc/kubernetes/rel.yaml"
mkdir -p "$r/etc/kubernetes/d1"
ln -s / "$r/etc/kubernetes/d1/up" # a directory link to "/" stays at the root

s=$tmp/snap
mkroot "$s/apiserver/a/root"
printf 'kube-apiserver --authorization-mode=Node,RBAC --authentication-config=/../../../../../../../../../../..%s/authn.yaml\n' \
	"$host" >"$s/apiserver/a/cmdline"

passes() { # output file: the root's file was read (PASS), not the host's
	grep -q "^PASS .*apiserver-anonymous-auth" "$1" &&
		! grep -q "^FAIL .*apiserver-anonymous-auth" "$1"
}

for mode in openat2 fallback; do
	if [ $mode = fallback ]; then export KANON_NO_OPENAT2=1; fi
	for f in abs.yaml rel.yaml d1/up$host/authn.yaml; do
		"$KANON" apiserver --root "$r" --cmdline "kube-apiserver \
--authorization-mode=Node,RBAC --authentication-config=/etc/kubernetes/$f" \
			>"$tmp/out" 2>"$tmp/err"
		passes "$tmp/out"
		check "$mode: --root: /etc/kubernetes/$f stays inside the root" $?
	done
	"$KANON" apiserver --root "$r" --cmdline "kube-apiserver --authorization-mode=Node,RBAC \
--authentication-config=/../../../../../../../../../../..$host/authn.yaml" >"$tmp/out" 2>"$tmp/err"
	passes "$tmp/out"
	check "$mode: --root: a path with .. stays inside the root" $?
	"$KANON" scan -v "$s" >"$tmp/out" 2>"$tmp/err"
	passes "$tmp/out" && ! grep -q "$host" "$tmp/err"
	check "$mode: scan: .. in a snapshot's cmdline stays inside root/" $?
done
unset KANON_NO_OPENAT2

# a loop of symlinks inside the root fails (ELOOP) instead of spinning
ln -s loop2 "$r/etc/kubernetes/loop1"
ln -s loop1 "$r/etc/kubernetes/loop2"
KANON_NO_OPENAT2=1 timeout 20 "$KANON" apiserver --root "$r" --cmdline "kube-apiserver \
--authorization-mode=Node,RBAC --authentication-config=/etc/kubernetes/loop1" \
	>"$tmp/out" 2>"$tmp/err"
[ $? != 124 ] && grep -q "Too many levels of symbolic links" "$tmp/err"
check "fallback: a symlink loop is an error (ELOOP)" $?
