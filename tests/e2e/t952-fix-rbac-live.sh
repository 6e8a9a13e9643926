#!/usr/bin/env bash
# kanon fix rbac --kubeconfig: the bindings of a live cluster (the test API
# server in cluster mode), read as kanon cluster reads them; the commands
# name the bindings that grant to system:anonymous / system:unauthenticated,
# each patch applies with the real kubectl (patch --local) to the object
# kubectl gets from the same server and leaves no anonymous subject (kanon
# rbac); no temporary path or credential is printed; --yaml/--apply refused.
. "$(dirname "$0")/cluster/lib.sh"
KUBECTL=${KUBECTL:-kubectl}
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	echo "not ok 1 - kubectl is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
cluster_certs
cluster_start api --rbac-extra 6
kubeconfig "$tmp/k" "$port" "    token: $TOKEN"

mkdir -p "$tmp/t"
TMPDIR=$tmp/t "$KANON" fix rbac --kubeconfig "$tmp/k" --context test >"$tmp/cmds" 2>"$tmp/err"
check "fix rbac --kubeconfig exits 0" $?
[ -z "$(ls -A "$tmp/t")" ]
check "the temporary snapshot is removed" $?
[ "$(sed 's/ user=.*//' "$tmp/api.log" | sort -u | tr '\n' ' ')" = "GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings GET /apis/rbac.authorization.k8s.io/v1/rolebindings GET /version " ]
check "only the two binding lists are read (no nodes, roles, pods, /metrics)" $?
grep -qx "kubectl delete clusterrolebinding 'support-debug'" "$tmp/cmds" &&
	grep -qx "kubectl delete rolebinding 'kubeadm:bootstrap-signer-clusterinfo' -n 'kube-public'" "$tmp/cmds" &&
	grep -q "^kubectl patch clusterrolebinding 'system:public-info-viewer' --type=json -p '\[{\"op\":\"test\"" "$tmp/cmds"
check "delete support-debug and the kube-public RoleBinding, patch system:public-info-viewer" $?
[ "$(grep -c '^kubectl ' "$tmp/cmds")" = 3 ] && ! grep -q "cluster-admin\|app-" "$tmp/cmds"
check "no command for a binding without anonymous subjects" $?
grep -qx "# ClusterRoleBinding support-debug (live, context test): 1 of 1 subjects anonymous" "$tmp/cmds" &&
	grep -q "^note: RoleBinding kubeadm:bootstrap-signer-clusterinfo (live, context test): kubeadm join" "$tmp/cmds"
check "the comments name the object and the context" $?
! grep -q "$tmp\|$TOKEN\|kanon-cluster-\|/tmp/" "$tmp/cmds" "$tmp/err"
check "no temporary path and no credential in the output" $?

# the objects as kubectl gets them from the same server, one file each
kc() { "$KUBECTL" --kubeconfig "$tmp/k" --request-timeout 10s </dev/null "$@"; }
kc get clusterroles -o json >"$tmp/cr.json" 2>>"$tmp/kerr" &&
	kc get clusterrolebindings -o json >"$tmp/crb.json" 2>>"$tmp/kerr" &&
	kc get rolebindings -A -o json >"$tmp/rb.json" 2>>"$tmp/kerr"
check "kubectl get clusterroles, clusterrolebindings, rolebindings -A -o json" $?
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
for f, kind in (("crb.json", "ClusterRoleBinding"), ("rb.json", "RoleBinding")):
    for it in json.load(open("%s/%s" % (t, f)))["items"]:
        it.setdefault("kind", kind)
        it.setdefault("apiVersion", "rbac.authorization.k8s.io/v1")
        json.dump(it, open("%s/%s-%s.json" % (t, kind, it["metadata"]["name"].replace(":", "_")), "w"))
roles = json.load(open("%s/cr.json" % t))
for it in roles["items"]:
    it.setdefault("kind", "ClusterRole")
    it.setdefault("apiVersion", "rbac.authorization.k8s.io/v1")
json.dump(roles, open("%s/roles.json" % t, "w"))
PY
anon_fails() { # kanon rbac (with the server's ClusterRoles) sees anonymous grants in binding $1
	"$KANON" rbac "$tmp/roles.json" "$1" -f json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(f["rule"] == "rbac-anonymous-binding" and f["target"].endswith("/" + sys.argv[1])
                  for f in d["findings"]) else 1)' "$2"
}
npatch=0
while IFS= read -r line; do
	case $line in "kubectl patch "*) ;; *) continue ;; esac
	eval "set -- ${line#kubectl }"
	kind=ClusterRoleBinding
	[ "$2" = rolebinding ] && kind=RoleBinding
	name=$3 p=
	while [ $# -gt 0 ]; do
		[ "$1" = -p ] && p=$2
		shift
	done
	in=$tmp/$kind-${name//:/_}.json
	anon_fails "$in" "$name"
	check "kanon rbac finds $name's anonymous exposure on the server's object" $?
	"$KUBECTL" patch --local --type=json -f "$in" -p "$p" -o yaml >"$tmp/out.yaml" 2>"$tmp/perr"
	check "kubectl patch --local accepts the patch for $name" $?
	! anon_fails "$tmp/out.yaml" "$name"
	check "kanon rbac on the patched $name: no anonymous subject left" $?
	python3 - "$in" "$tmp/out.yaml" <<'PY'
import json, sys, yaml
a = json.load(open(sys.argv[1]))["subjects"]
b = yaml.safe_load(open(sys.argv[2]))["subjects"]
anon = lambda s: (s["kind"], s["name"]) in (("User", "system:anonymous"), ("Group", "system:unauthenticated"))
sys.exit(0 if b == [s for s in a if not anon(s)] and len(b) > 0 else 1)
PY
	check "the patch removed exactly the anonymous subjects of $name" $?
	npatch=$((npatch + 1))
done <"$tmp/cmds"
[ $npatch = 1 ]
check "one patch (system:public-info-viewer)" $?

# live mode prints commands only
"$KANON" fix rbac --kubeconfig "$tmp/k" --apply >/dev/null 2>"$tmp/u1"
[ $? = 2 ] && grep -q "usage\|--apply" "$tmp/u1"
check "--kubeconfig with --apply: usage error (exit 2)" $?
"$KANON" fix rbac --kubeconfig "$tmp/k" --yaml >/dev/null 2>&1
[ $? = 2 ]
check "--kubeconfig with --yaml: usage error (exit 2)" $?
"$KANON" fix rbac --kubeconfig "$tmp/k" "$tmp/crb.json" >/dev/null 2>&1
[ $? = 2 ]
check "--kubeconfig with FILE operands: usage error (exit 2)" $?

# a binding list that cannot be read is an error, not "nothing to change"
cluster_start forbid --forbid rolebindings
kubeconfig "$tmp/kf" "$port" "    token: $TOKEN"
"$KANON" fix rbac --kubeconfig "$tmp/kf" >"$tmp/fout" 2>"$tmp/ferr"
[ $? = 2 ] && [ ! -s "$tmp/fout" ] && grep -q "cannot list rolebindings (in all namespaces): forbidden" "$tmp/ferr"
check "a forbidden rolebindings list: exit 2 with the reason, no commands" $?
kubeconfig "$tmp/kb" "$port" "    token: wrong"
"$KANON" fix rbac --kubeconfig "$tmp/kb" >/dev/null 2>"$tmp/berr"
[ $? = 2 ] && ! grep -q "wrong" "$tmp/berr"
check "refused credentials: exit 2, the token not shown" $?
exit 0
