#!/usr/bin/env bash
# kanon fix --apply on copies of node trees: the edit lands, owner, group
# and mode are kept, the original is kept as FILE.kanon-bak, a second run
# changes nothing, the check flips FAIL -> PASS; a symlinked file is refused
# unless --follow-symlinks, a file changed since it was read is not
# overwritten, and a write interrupted at any step (KANON_TEST_FAIL_AT: an
# error, cleaned up; KANON_TEST_CRASH_AT: an exit on the spot) leaves the
# original or the complete new file, never a mix.
. "$(dirname "$0")/lib.sh"
nodes=$PWD/tests/fixtures/nodes

fresh() { rm -rf "$tmp/$1" && cp -a "$nodes/$1" "$tmp/$1"; }

# kubeadm: the flags in /etc/default/kubelet go
fresh kubeadm
f=$tmp/kubeadm/etc/default/kubelet
orig=$(cat "$f")
chown 4242:4343 "$f" && chmod 0640 "$f"
"$KANON" fix kubelet --root "$tmp/kubeadm" --apply >"$tmp/out" 2>&1
check "apply exits 0" $?
[ "$(cat "$f")" = "KUBELET_EXTRA_ARGS=" ]
check "the flags are removed" $?
[ "$(stat -c %u:%g:%a "$f")" = "4242:4343:640" ]
check "owner, group and mode kept" $?
[ "$(cat "$f.kanon-bak")" = "$orig" ] && [ "$(stat -c %u:%g:%a "$f.kanon-bak")" = "4242:4343:640" ]
check "the original is kept as FILE.kanon-bak" $?
grep -q '^kubelet-anonymous-auth  *FAIL -> PASS$' "$tmp/out" &&
	grep -q '^kubelet-read-only-port  *FAIL -> PASS$' "$tmp/out"
check "the verdicts flip FAIL -> PASS" $?
"$KANON" kubelet --root "$tmp/kubeadm" -q >/dev/null 2>&1
check "kanon kubelet passes afterwards" $?
"$KANON" fix kubelet --root "$tmp/kubeadm" --apply >"$tmp/out2" 2>&1
[ $? = 0 ] && [ "$(cat "$tmp/out2")" = "nothing to change: already fixed" ] &&
	[ ! -e "$f.kanon-bak.1" ]
check "a second run changes nothing and says so" $?
[ -z "$(find "$tmp/kubeadm" -name '*.kanon-tmp*')" ]
check "no temporary file is left" $?

# extended attributes (an SELinux label, ACLs) survive the rename
fresh kubeadm
f=$tmp/kubeadm/etc/default/kubelet
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.kanon", b"label")' "$f" 2>/dev/null; then
	"$KANON" fix kubelet --root "$tmp/kubeadm" --apply >/dev/null 2>&1 &&
		python3 -c 'import os, sys; sys.exit(os.getxattr(sys.argv[1], "user.kanon") != b"label")' "$f"
	check "extended attributes are kept" $?
else
	echo "ok - extended attributes are kept # SKIP the filesystem of \$TMPDIR has no user xattrs"
fi

# --backup-dir
fresh eks-al2023
mkdir "$tmp/bak"
"$KANON" fix kubelet --root "$tmp/eks-al2023" --apply --backup-dir "$tmp/bak" >/dev/null 2>&1 &&
	cmp -s "$tmp/bak/etc_kubernetes_kubelet_config.json.d_00-nodeadm.conf.kanon-bak" \
		"$nodes/eks-al2023/etc/kubernetes/kubelet/config.json.d/00-nodeadm.conf" &&
	grep -q '"mode": "Webhook"' "$tmp/eks-al2023/etc/kubernetes/kubelet/config.json.d/00-nodeadm.conf"
check "--backup-dir keeps the original there; the drop-in is fixed" $?

# a symlinked file is refused, or its target edited with --follow-symlinks
fresh kubeadm
mv "$tmp/kubeadm/etc/default/kubelet" "$tmp/kubeadm/etc/default/kubelet.real"
ln -s /etc/default/kubelet.real "$tmp/kubeadm/etc/default/kubelet"
"$KANON" fix kubelet --root "$tmp/kubeadm" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "is a symlink" "$tmp/err" && [ -L "$tmp/kubeadm/etc/default/kubelet" ] &&
	[ "$(cat "$tmp/kubeadm/etc/default/kubelet.real")" = "$orig" ]
check "a symlinked file is refused" $?
"$KANON" fix kubelet --root "$tmp/kubeadm" --apply --follow-symlinks >"$tmp/out" 2>&1 &&
	[ -L "$tmp/kubeadm/etc/default/kubelet" ] &&
	[ "$(cat "$tmp/kubeadm/etc/default/kubelet.real")" = "KUBELET_EXTRA_ARGS=" ]
check "--follow-symlinks edits the target (absolute link resolved inside the root)" $?
# a link that leaves the root is never followed out of it
fresh kubeadm
echo "KUBELET_EXTRA_ARGS=--anonymous-auth=true" >"$tmp/host-file"
rm "$tmp/kubeadm/etc/default/kubelet"
ln -s "../../../../../../../../../../..$tmp/host-file" "$tmp/kubeadm/etc/default/kubelet"
"$KANON" fix kubelet --root "$tmp/kubeadm" --apply --follow-symlinks >"$tmp/out" 2>&1
[ "$(cat "$tmp/host-file")" = "KUBELET_EXTRA_ARGS=--anonymous-auth=true" ]
check "a link out of the root does not reach the host's file" $?

# changed between the read and the write
fresh kubeadm
f=$tmp/kubeadm/etc/default/kubelet
KANON_TEST_TOUCH_BEFORE_APPLY=$f "$KANON" fix kubelet --root "$tmp/kubeadm" --apply \
	>"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "changed since kanon read it: not overwritten" "$tmp/err" &&
	[ "$(cat "$f")" = "$orig
#" ] && [ ! -e "$f.kanon-bak" ]
check "a file changed since it was read is not overwritten" $?

# failures injected at each step: the original, or the whole new file
# (STOP: the process stops itself there and the test kills it with SIGKILL)
for point in after-backup before-write after-write before-rename after-rename; do
	for how in FAIL CRASH STOP; do
		fresh kubeadm
		env "KANON_TEST_${how}_AT=$point" "$KANON" fix kubelet --root "$tmp/kubeadm" \
			--apply >"$tmp/out" 2>"$tmp/err" &
		kpid=$!
		if [ $how = STOP ]; then
			for _ in $(seq 1 200); do
				[ "$(awk '{print $3}' "/proc/$kpid/stat" 2>/dev/null)" = T ] && break
				sleep 0.05
			done
			kill -KILL "$kpid"
		fi
		wait "$kpid"
		rc=$?
		now=$(cat "$f")
		case $point in
		after-rename) want="KUBELET_EXTRA_ARGS=" ;;
		*) want=$orig ;;
		esac
		case $how in CRASH) want_rc=86 ;; STOP) want_rc=137 ;; *) want_rc=2 ;; esac
		[ "$now" = "$want" ] && [ "$rc" = "$want_rc" ]
		check "$how at $point leaves the $([ "$want" = "$orig" ] && echo original || echo new file) whole (rc $rc)" $?
		if [ $how = FAIL ] && [ $point != after-rename ]; then
			[ -z "$(find "$tmp/kubeadm" -name '*.kanon-tmp*' -o -name '*.kanon-bak')" ]
			check "FAIL at $point cleans up its temporary file and backup" $?
		fi
		# whatever happened, a new run finishes the job
		"$KANON" fix kubelet --root "$tmp/kubeadm" --apply >/dev/null 2>&1 &&
			[ "$(cat "$f")" = "KUBELET_EXTRA_ARGS=" ]
		check "after $how at $point, a new run completes the fix" $?
	done
done

# k3s: config.yaml's kubelet-arg items, block style kept
fresh k3s-anon-true
"$KANON" fix kubelet --root "$tmp/k3s-anon-true" --apply >"$tmp/out" 2>&1 &&
	grep -q '^  - "anonymous-auth=false"$' "$tmp/k3s-anon-true/etc/rancher/k3s/config.yaml" &&
	grep -q 'systemctl restart k3s' "$tmp/out" &&
	"$KANON" kubelet --root "$tmp/k3s-anon-true" -q >/dev/null 2>&1
check "k3s: kubelet-arg fixed, restart command for k3s, re-check passes" $?

# the hand-written drop-in with continuation lines and an env file
rm -rf "$tmp/dn" && cp -a tests/fixtures/fix/nodes/dropin-noconfig "$tmp/dn"
"$KANON" fix kubelet --root "$tmp/dn" --apply >"$tmp/out" 2>&1 &&
	"$KANON" kubelet --root "$tmp/dn" -q >/dev/null 2>&1
check "systemd drop-in with continuations and an env file: re-check passes" $?

# kube-apiserver, health-only: a new AuthenticationConfiguration, mounted;
# the manifest's backup is hidden from the kubelet (it runs every file of
# the static pod directory not starting with "." as a Pod)
cp -a tests/fixtures/fix/nodes/cp-kubeadm-133 "$tmp/cp"
m=$tmp/cp/etc/kubernetes/manifests
"$KANON" fix apiserver --root "$tmp/cp" --mode health-only --apply >"$tmp/out" 2>&1
check "fix apiserver --mode health-only --apply exits 0" $?
[ -f "$m/.kube-apiserver.yaml.kanon-bak" ] && [ "$(ls "$m")" = "kube-apiserver.yaml" ] &&
	cmp -s "$m/.kube-apiserver.yaml.kanon-bak" \
		tests/fixtures/fix/nodes/cp-kubeadm-133/etc/kubernetes/manifests/kube-apiserver.yaml
check "the manifest's backup is .kube-apiserver.yaml.kanon-bak, no other file in manifests/" $?
[ "$(stat -c %a "$tmp/cp/etc/kubernetes/authentication-config.yaml")" = 600 ] &&
	grep -q '^apiVersion: apiserver.config.k8s.io/v1beta1$' "$tmp/cp/etc/kubernetes/authentication-config.yaml"
check "the AuthenticationConfiguration is written (v1beta1 for 1.33, mode 600)" $?
grep -q '^apiserver-anonymous-auth  *FAIL -> WARN$' "$tmp/out"
check "the anonymous-auth verdict flips FAIL -> WARN (health paths only)" $?
"$KANON" apiserver --root "$tmp/cp" -f json >"$tmp/api.json" 2>/dev/null
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {f["rule"]: f["status"] for f in d["findings"]}
sys.exit(0 if s["apiserver-anonymous-auth"] != "FAIL" and "INVALID" not in s.values() else 1)
' "$tmp/api.json"
check "kanon apiserver: no FAIL, nothing INVALID afterwards" $?
[ "$("$KANON" fix apiserver --root "$tmp/cp" --mode health-only --apply 2>&1)" = "nothing to change: already fixed" ]
check "fix apiserver: a second run changes nothing" $?
cp -a tests/fixtures/fix/nodes/cp-authn-extend "$tmp/ext"
"$KANON" fix apiserver --root "$tmp/ext" --apply >"$tmp/out" 2>&1 &&
	grep -q -- '- --anonymous-auth=false' "$tmp/ext/etc/kubernetes/manifests/kube-apiserver.yaml" &&
	"$KANON" apiserver --root "$tmp/ext" -q >/dev/null 2>&1
check "fix apiserver --mode disable: --anonymous-auth=false, re-check passes" $?

# k3s: the API server's flags are config.yaml.d's kube-apiserver-arg
cp -a tests/fixtures/nodes/k3s-server-anon "$tmp/k3s"
"$KANON" fix apiserver --root "$tmp/k3s" --apply >"$tmp/out" 2>&1 &&
	grep -q '^  - "anonymous-auth=false"$' "$tmp/k3s/etc/rancher/k3s/config.yaml.d/90-health.yaml" &&
	grep -q '^apiserver-anonymous-auth  *FAIL -> PASS$' "$tmp/out" &&
	grep -q 'systemctl restart k3s' "$tmp/out"
check "fix apiserver on k3s edits kube-apiserver-arg: FAIL -> PASS, restart k3s" $?
