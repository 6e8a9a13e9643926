#!/usr/bin/env bash
# The test API server's cluster mode and the test kubeconfigs are real
# enough for kubectl: it lists nodes and ClusterRoles (also in chunks, with
# the server's continue tokens), reads a node's /configz through the proxy,
# authenticates with a client certificate, and shows a 403 and a 401 as
# Kubernetes errors.
. "$(dirname "$0")/cluster/lib.sh"
KUBECTL=${KUBECTL:-kubectl}
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	echo "not ok 1 - kubectl is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
cluster_certs
cluster_start api --nodes 3 --rbac-extra 10 --node-fail n2=403
kubeconfig "$tmp/k-token" "$port" "    token: $TOKEN"
kubeconfig "$tmp/k-cert" "$port" "    client-certificate: $tmp/kanon-cert.pem
    client-key: $tmp/kanon-cert.key"
kubeconfig "$tmp/k-bad" "$port" "    token: wrong"
kc() { "$KUBECTL" --kubeconfig "$@" --request-timeout 10s </dev/null; }
kc "$tmp/k-token" get nodes >"$tmp/nodes" 2>"$tmp/err"
[ "$(awk 'NR > 1 {print $1}' "$tmp/nodes" | tr '\n' ' ')" = "n1 n2 n3 " ]
check "kubectl get nodes" $?
kc "$tmp/k-cert" get clusterroles -o name >"$tmp/cr" 2>>"$tmp/err"
grep -q '^clusterrole.rbac.authorization.k8s.io/secret-reader$' "$tmp/cr"
check "kubectl get clusterroles (client certificate)" $?
kc "$tmp/k-token" get rolebindings -A --chunk-size 2 -o name >"$tmp/rb" 2>>"$tmp/err"
[ "$(wc -l <"$tmp/rb")" = 6 ] && [ "$(grep -c 'rolebindings user=kanon' "$tmp/api.log")" -ge 3 ]
check "kubectl get rolebindings -A --chunk-size 2: 6 objects over 3 pages (continue tokens)" $?
kc "$tmp/k-token" get --raw /api/v1/nodes/n1/proxy/configz >"$tmp/configz" 2>>"$tmp/err"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["kubeletconfig"]["authentication"]["anonymous"]["enabled"])' "$tmp/configz"
check "kubectl get --raw /api/v1/nodes/n1/proxy/configz" $?
kc "$tmp/k-token" get --raw /api/v1/nodes/n2/proxy/configz >/dev/null 2>"$tmp/403"
grep -q 'nodes "n2" is forbidden: User "kanon" cannot get resource "nodes/proxy"' "$tmp/403"
check "kubectl shows the 403 Status of node n2" $?
kc "$tmp/k-bad" get nodes >/dev/null 2>"$tmp/401"
grep -qi 'unauthorized\|must be logged in' "$tmp/401"
check "kubectl shows a wrong token's 401" $?
[ -s "$tmp/err" ] && sed 's/^/  kubectl: /' "$tmp/err" | head -5
exit 0
