#!/usr/bin/env bash
# What kanon cluster cannot read is UNKNOWN (cluster-read) with the reason
# and the permission, and the rest is still judged: nodes whose /configz is
# 403, 503 or never answers (--timeout), a list that is forbidden, the
# /metrics path forbidden; paged lists (limit/continue) and a 410 Expired
# in the middle of one (the list starts again); a managed control plane
# (no kube-apiserver pods) said so.
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
cluster_start api --nodes 7 --node-fail n2=403,n4=503,n5=hang,n7=big --forbid rolebindings --forbid metrics --managed 1
kubeconfig "$tmp/k" "$port" "    token: $TOKEN"
start=$(date +%s)
"$KANON" cluster --kubeconfig "$tmp/k" --timeout 2 --metrics-interval 0 --no-probe -f json \
	>"$tmp/p.json" 2>"$tmp/p.err"
rc=$?
took=$(($(date +%s) - start))
[ "$rc" = 3 ]
check "exit 3: the scan is incomplete" $?
[ "$took" -lt 15 ]
check "the node that never answers costs --timeout, not the run ($took s)" $?
python3 - "$tmp/p.json" >"$tmp/p.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if f["rule"] == "cluster-read":
        print(f["status"], f["target"], f["message"], "|", f["evidence"][0].get("note", ""))
c = d["cluster"]
print("nodes", c["nodes"], "configz", c["configz_read"], "unreadable", c["unreadable"])
print("judged", sorted({f["target"] for f in d["findings"] if f["rule"] == "kubelet-anonymous-auth"}))
PY
grep -q '^UNKNOWN node/n2 cannot get the kubelet configuration of node n2: forbidden (nodes "n2" is forbidden: User "kanon" cannot get resource "nodes/proxy" in API group "" at the cluster scope) | get nodes/proxy$' "$tmp/p.txt"
check "node n2 (403): UNKNOWN, the server's message and the permission get nodes/proxy" $?
grep -q '^UNKNOWN node/n4 cannot get the kubelet configuration of node n4: HTTP 503 (error trying to reach service: dial tcp 10.0.0.4:10250: connect: connection refused)' "$tmp/p.txt"
check "node n4 (503 from the node proxy): UNKNOWN with the proxy's reason" $?
grep -q '^UNKNOWN node/n5 cannot get the kubelet configuration of node n5: no answer within 2000 ms (timeout)' "$tmp/p.txt"
check "node n5 (no answer): UNKNOWN, timed out" $?
grep -q '^UNKNOWN rbac/rolebindings cannot list rolebindings (in all namespaces): forbidden (rolebindings.rbac.authorization.k8s.io is forbidden: User "kanon" cannot list resource "rolebindings"' "$tmp/p.txt" &&
	grep -q 'list rolebindings.rbac.authorization.k8s.io$' "$tmp/p.txt"
check "a forbidden list: cannot list rolebindings: forbidden, with the permission" $?
grep -q '^UNKNOWN node/n7 cannot get the kubelet configuration of node n7: the answer is larger than 4194304 bytes' "$tmp/p.txt"
check "node n7 (a 5 MB /configz): UNKNOWN, not kept (4 MB per node)" $?
grep -q "^nodes 7 configz 3 unreadable 5$" "$tmp/p.txt" && grep -q "^judged \['node/n1', 'node/n3', 'node/n6'\]$" "$tmp/p.txt"
check "the other nodes are judged (n1, n3, n6)" $?
grep -q 'no kube-apiserver pods in kube-system' "$tmp/p.err" && grep -q 'cannot read /metrics' "$tmp/p.err"
check "a managed control plane and an unreadable /metrics are said (warnings)" $?

# pages: 2 items a page, 40 extra Roles and RoleBindings, and a 410 on the first continue
cluster_start paged --rbac-extra 40 --expire-once 1
kubeconfig "$tmp/k2" "$port" "    token: $TOKEN"
"$KANON" cluster --kubeconfig "$tmp/k2" --page-limit 2 --metrics-interval 0 --no-probe -f json \
	>"$tmp/paged.json" 2>"$tmp/paged.err"
rc_paged=$?
"$KANON" cluster --kubeconfig "$tmp/k2" --metrics-interval 0 --no-probe -f json \
	>"$tmp/whole.json" 2>"$tmp/whole.err"
rc_whole=$?
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print(c["rbac_objects"], c["rbac_pages"], c["list_restarts"])' "$tmp/paged.json" >"$tmp/pc"
[ "$(cat "$tmp/pc")" = "49 26 1" ]
rc=$?
check "paged: 49 objects in 26 pages of 2, one list started again after 410 Expired ($(cat "$tmp/pc"))" "$rc"
verdicts "$tmp/paged.json" "$rc_paged" >"$tmp/v1"
verdicts "$tmp/whole.json" "$rc_whole" >"$tmp/v2"
diff -q "$tmp/v1" "$tmp/v2" >/dev/null
check "the paged read gives the verdicts of the unpaged one" $?
grep -c 'continue' "$tmp/paged.log" >/dev/null
[ "$(grep -c 'clusterroles user=kanon' "$tmp/paged.log")" -ge 3 ]
check "the clusterroles list was requested again from the start" $?
# a 410 in the middle of the node list: no node is asked for twice or missed
cluster_start nodes410 --nodes 7 --expire-once nodes
kubeconfig "$tmp/k3" "$port" "    token: $TOKEN"
"$KANON" cluster --kubeconfig "$tmp/k3" --page-limit 2 --metrics-interval 0 --no-probe -f json \
	>"$tmp/n410.json" 2>"$tmp/n410.err"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print(c["nodes"], c["configz_read"], c["list_restarts"])' "$tmp/n410.json" >"$tmp/n410"
[ "$(cat "$tmp/n410")" = "7 7 1" ] && [ "$(grep -c '/proxy/configz' "$tmp/nodes410.log")" = 7 ]
rc=$?
check "410 in the node list: it starts again, 7 nodes asked for once each ($(cat "$tmp/n410"))" "$rc"
# --concurrency bounds the connections, and they are kept alive
cluster_start conc --nodes 40 --configz-delay-ms 20
kubeconfig "$tmp/k4" "$port" "    token: $TOKEN"
"$KANON" cluster --kubeconfig "$tmp/k4" --concurrency 3 --metrics-interval 0 --no-probe -f json \
	>"$tmp/conc.json" 2>"$tmp/conc.err"
conns=$(wc -l <"$tmp/conc.conns")
reqs=$(grep -c 'user=kanon' "$tmp/conc.log")
[ "$conns" -le 3 ] && [ "$reqs" = 48 ]
rc=$?
check "--concurrency 3: $reqs requests over $conns connections (at most 3, kept alive)" "$rc"
exit 0
