#!/usr/bin/env bash
# The probe tests' API server speaks real Kubernetes: the kubectl client
# reads from it (get --raw) with only the cluster CA, no credentials. CI
# machines without kubectl (scripts/install-deps.sh tries to install it)
# print a visible SKIP instead of a pass.
. "$(dirname "$0")/probe/lib.sh"
KUBECTL=${KUBECTL:-kubectl} # KUBECTL=/nonexistent shows the skip
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	echo "ok 1 - kubectl get --raw against the test API server # SKIP kubectl not installed"
	exit 0
fi
probe_certs
# Over https kubectl prompts for a user name when nothing in its
# kubeconfig identifies a user (client-go clientcmd/client_config.go:
# getUserIdentificationPartialConfig), and fails without a terminal. So its
# kubeconfig names a client certificate; these servers do not ask for one
# (FAKE_NO_CLIENT_CA=1), and TLS clients send one only when asked, so the
# requests stay anonymous: the marker check at the end proves it.
make_cert client ca 365 "DNS:client" || exit 1
cat >"$tmp/kubeconfig" <<KC
apiVersion: v1
kind: Config
users:
- name: unused-certificate
  user:
    client-certificate: $tmp/client.pem
    client-key: $tmp/client.key
contexts:
- name: c
  context: {cluster: c, user: unused-certificate}
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
current-context: c
KC
FAKE_NO_CLIENT_CA=1
fake_start open open
kc() {
	KUBECONFIG="$tmp/kubeconfig" HOME="$tmp" "$KUBECTL" --server "https://127.0.0.1:$port" \
		--certificate-authority "$tmp/ca.pem" --request-timeout 10s "$@" </dev/null
}
kc get --raw /api/v1/namespaces >"$tmp/ns.json" 2>"$tmp/ns.err"
check "kubectl get --raw /api/v1/namespaces exits 0" $?
jq -e '.kind == "NamespaceList" and (.items | length) == 3' "$tmp/ns.json" >/dev/null
check "kubectl reads the NamespaceList" $?
kc get --raw /version >"$tmp/version.json" 2>>"$tmp/ns.err"
jq -e '.gitVersion == "v1.31.2"' "$tmp/version.json" >/dev/null
check "kubectl get --raw /version" $?
kc version -o json >"$tmp/kv.json" 2>>"$tmp/ns.err"
jq -e '.serverVersion.gitVersion == "v1.31.2"' "$tmp/kv.json" >/dev/null
check "kubectl version reads the server version" $?
fake_start locked locked
kc get --raw /api/v1/pods >"$tmp/locked.out" 2>"$tmp/locked.err"
[ $? != 0 ] && grep -q -i 'Unauthorized' "$tmp/locked.err"
check "kubectl shows the locked server's 401 as Unauthorized" $?
fake_start forbidden forbidden
kc get --raw /api/v1/pods >"$tmp/forbidden.out" 2>"$tmp/forbidden.err"
grep -q 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope' "$tmp/forbidden.err"
check "kubectl decodes the 403 Status message" $?
no_credentials
[ -s "$tmp/ns.err" ] && sed 's/^/  kubectl: /' "$tmp/ns.err" | head -5
exit 0
