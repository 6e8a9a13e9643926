#!/usr/bin/env bash
# deploy/kanon-reader.yaml is enough for kanon cluster, and no more than it
# needs: every request kanon made to the test API server is allowed by its
# rules (as RBAC matches them), and every rule was used; kanon rbac finds
# nothing anonymous in it.
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
cluster_start api --nodes 2
kubeconfig "$tmp/k" "$port" "    token: $TOKEN"
"$KANON" cluster --kubeconfig "$tmp/k" --metrics-interval 1 --no-probe >/dev/null 2>"$tmp/err"
grep 'user=kanon ' "$tmp/api.log" >"$tmp/requests"
python3 - deploy/kanon-reader.yaml "$tmp/requests" >"$tmp/out" <<'PY'
import re, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"] for d in docs}
cluster_rules = [r for d in docs if d["kind"] == "ClusterRole" for r in d["rules"]]
ks_rules = [r for d in docs if d["kind"] == "Role" and d["metadata"]["namespace"] == "kube-system" for r in d["rules"]]
bound = {(d["kind"], d["roleRef"]["name"], d["subjects"][0]["name"], d["subjects"][0]["namespace"]) for d in docs if d["kind"].endswith("Binding")}
used = set()
def allows(rules, verb, group, resource, path=None):
    for i, r in enumerate(rules):
        if verb not in r["verbs"]:
            continue
        if path is not None:
            if path in r.get("nonResourceURLs", []):
                used.add(id(r)); return True
        elif group in r.get("apiGroups", []) and resource in r.get("resources", []):
            used.add(id(r)); return True
    return False
bad = 0
for line in open(sys.argv[2]):
    path = line.split()[1]
    if m := re.fullmatch(r"/apis/rbac.authorization.k8s.io/v1/(\w+)", path):
        ok = allows(cluster_rules, "list", "rbac.authorization.k8s.io", m[1])
    elif path == "/api/v1/nodes":
        ok = allows(cluster_rules, "list", "", "nodes")
    elif re.fullmatch(r"/api/v1/nodes/[^/]+/proxy/configz", path):
        ok = allows(cluster_rules, "get", "", "nodes/proxy")
    elif path == "/api/v1/namespaces/kube-system/pods":
        ok = allows(ks_rules, "list", "", "pods")
    else:
        ok = allows(cluster_rules, "get", None, None, path)
    if not ok:
        bad += 1
        print("not allowed:", path)
unused = [r for r in cluster_rules + ks_rules if id(r) not in used]
print("requests", sum(1 for _ in open(sys.argv[2])), "denied", bad, "unused rules", len(unused))
print("bound", sorted(bound) == [("ClusterRoleBinding", "kanon-reader", "kanon", "kanon"), ("RoleBinding", "kanon-reader", "kanon", "kanon")])
print("namespace+sa", {"Namespace", "ServiceAccount"} <= kinds)
PY
grep -q "^requests 11 denied 0 unused rules 0$" "$tmp/out"
rc=$?
check "the role allows each of kanon's 11 requests, and each rule is used ($(tail -3 "$tmp/out" | head -1))" "$rc"
grep -q "^bound True$" "$tmp/out" && grep -q "^namespace+sa True$" "$tmp/out"
check "both roles are bound to ServiceAccount kanon/kanon, which the file creates" $?
"$KANON" rbac deploy/kanon-reader.yaml -f json >"$tmp/rbac.json"
rc=$?
[ "$rc" = 0 ] && python3 -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/rbac.json"
check "kanon rbac: the file grants anonymous callers nothing" $?
exit 0
