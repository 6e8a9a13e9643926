#!/usr/bin/env bash
# Several kubeconfig files in $KUBECONFIG are merged as kubectl merges them
# (the first file to set a name wins it, current-context from the first
# file that sets one, relative paths against their own file), --context
# picks another context, ~/.kube/config is the default; kubectl agrees.
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
cluster_start good
good=$port
mkdir -p "$tmp/a" "$tmp/b"
cp "$tmp/ca.pem" "$tmp/a/ca.pem"
printf '%s' "$TOKEN" >"$tmp/b/token"
# a.yaml: current-context "prod", cluster "prod" (relative CA), no users
cat >"$tmp/a/a.yaml" <<KC
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster: {server: "https://127.0.0.1:$good", certificate-authority: ca.pem}
contexts:
- name: prod
  context: {cluster: prod, user: reader}
- name: other
  context: {cluster: nowhere, user: reader}
KC
# b.yaml: another current-context and a "prod" cluster that must lose; the user
cat >"$tmp/b/b.yaml" <<KC
apiVersion: v1
kind: Config
current-context: other
clusters:
- name: prod
  cluster: {server: "https://127.0.0.1:$(closed_port)"}
- name: nowhere
  cluster: {server: "https://127.0.0.1:$(closed_port)"}
users:
- name: reader
  user: {tokenFile: token}
KC
KUBECONFIG="$tmp/missing.yaml:$tmp/a/a.yaml::$tmp/b/b.yaml" "$KANON" cluster --no-probe \
	--metrics-interval 0 -f json >"$tmp/m.json" 2>"$tmp/m.err"
rc=$?
[ "$rc" = 1 ] && python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; sys.exit(not(c["context"]=="prod" and c["credentials"]=="bearer token file" and c["configz_read"]==3))' "$tmp/m.json"
check "merged: a's current-context and cluster (relative CA), b's user (relative tokenFile)" $?
KUBECONFIG="$tmp/a/a.yaml:$tmp/b/b.yaml" "$KANON" cluster --no-probe --metrics-interval 0 \
	--context other >"$tmp/o.out" 2>"$tmp/o.err"
[ $? = 2 ] && grep -q 'cannot connect' "$tmp/o.err"
check "--context other: b's cluster 'nowhere' is used (nothing listens: exit 2)" $?
KUBECONFIG="$tmp/b/b.yaml:$tmp/a/a.yaml" "$KANON" cluster --no-probe --metrics-interval 0 \
	>"$tmp/r.out" 2>"$tmp/r.err"
[ $? = 2 ]
check "the other order: b's current-context wins" $?
KUBECONFIG="$tmp/a/a.yaml" "$KANON" cluster --no-probe --metrics-interval 0 --context nope \
	>"$tmp/n.out" 2>"$tmp/n.err"
[ $? = 2 ] && grep -q "context 'nope' not found" "$tmp/n.err"
check "an unknown --context: exit 2, named" $?
# ~/.kube/config when $KUBECONFIG is not set
mkdir -p "$HOME/.kube"
kubeconfig "$HOME/.kube/config" "$good" "    token: $TOKEN"
"$KANON" cluster --no-probe --metrics-interval 0 >"$tmp/h.out" 2>"$tmp/h.err"
[ $? = 1 ]
check "~/.kube/config is read when \$KUBECONFIG is unset" $?
"$KANON" cluster --kubeconfig "$tmp/none.yaml" >"$tmp/x.out" 2>"$tmp/x.err"
[ $? = 2 ] && grep -q "cannot read" "$tmp/x.err"
check "--kubeconfig of a missing file: exit 2" $?
if command -v kubectl >/dev/null 2>&1; then
	KUBECONFIG="$tmp/missing.yaml:$tmp/a/a.yaml::$tmp/b/b.yaml" kubectl config view \
		-o jsonpath='{.current-context} {.clusters[?(@.name=="prod")].cluster.server}' >"$tmp/kv" 2>&1
	grep -q "^prod https://127.0.0.1:$good\$" "$tmp/kv"
	check "kubectl merges the same files the same way" $?
	KUBECONFIG="$tmp/missing.yaml:$tmp/a/a.yaml::$tmp/b/b.yaml" kubectl get nodes \
		--request-timeout 10s >"$tmp/kn" 2>&1 && grep -q '^n3 ' "$tmp/kn"
	check "kubectl reads the nodes through the merged kubeconfig" $?
else
	echo "not ok - kubectl is not installed (scripts/install-deps.sh installs it)"
fi
exit 0
