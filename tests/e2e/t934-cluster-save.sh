#!/usr/bin/env bash
# kanon cluster --save DIR writes a snapshot that kanon scan DIR judges the
# same way (same findings, same exit code), and no secret of the kubeconfig
# (token, password, client key, exec plugin output) or of the pods (env
# values) is in any output, log or the snapshot. kanon scan --kubeconfig is
# kanon cluster plus the local parts given.
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
cluster_start api --nodes 4 --node-fail n2=403 --forbid roles --anon forbidden
key_line=$(sed -n 2p "$tmp/kanon-cert.key")
kubeconfig "$tmp/k-token" "$port" "    token: $TOKEN"
kubeconfig "$tmp/k-data" "$port" "    client-certificate-data: $(base64 -w0 "$tmp/kanon-cert.pem")
    client-key-data: $(base64 -w0 "$tmp/kanon-cert.key")
    username: kanon
    password: $PASSWORD"
"$KANON" cluster --kubeconfig "$tmp/k-token" --save "$tmp/snap" --metrics-interval 1 -f json \
	>"$tmp/live.json" 2>"$tmp/live.err"
rc_live=$?
"$KANON" scan "$tmp/snap" -f json >"$tmp/offline.json" 2>"$tmp/offline.err"
rc_off=$?
[ "$rc_live" = 3 ] && [ "$rc_off" = 3 ]
check "live and offline both exit 3 (n2 and roles unreadable)" $?
# the probe's findings come from the live server only: compare the rest
python3 - "$tmp/live.json" "$rc_live" >"$tmp/v.live" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if not f["rule"].startswith("probe-"):
        print(f["rule"], f["status"], f["severity"], f["target"])
PY
python3 - "$tmp/offline.json" >"$tmp/v.off" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print(f["rule"], f["status"], f["severity"], f["target"])
PY
diff -u "$tmp/v.live" "$tmp/v.off" >"$tmp/v.diff" && [ "$(wc -l <"$tmp/v.live")" -gt 15 ]
rc=$?
check "kanon scan of the saved snapshot gives the live verdicts ($(wc -l <"$tmp/v.live") findings)" "$rc"
[ -s "$tmp/v.diff" ] && sed 's/^/  /' "$tmp/v.diff" | head -20
grep -q '"rule": *"probe-apiserver-anonymous"' "$tmp/live.json" &&
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["cluster"]["metrics"]; sys.exit(not m["code_401_per_second"] > 0)' "$tmp/live.json"
check "the live report carries the probe and the /metrics 401 rate" $?
ls "$tmp/snap/kubelet" | tr '\n' ' ' >"$tmp/nodes"
[ "$(cat "$tmp/nodes")" = "n1 n3 n4 " ] && [ -s "$tmp/snap/apiserver/kube-apiserver-cp-1/kube-apiserver.json" ] &&
	[ -s "$tmp/snap/cluster/cluster.json" ] && ls "$tmp/snap/rbac/clusterroles-0001.json" >/dev/null &&
	[ -z "$(find "$tmp/snap" -type f -perm /077)" ]
check "the snapshot layout (docs/snapshot.md), every file 0600" $?
"$KANON" cluster --kubeconfig "$tmp/k-data" --save "$tmp/snap2" --metrics-interval 0 -f json \
	>"$tmp/data.json" 2>"$tmp/data.err"
"$KANON" cluster --kubeconfig "$tmp/k-data" --metrics-interval 0 >"$tmp/data.txt" 2>&1
"$KANON" cluster --kubeconfig "$tmp/k-token" -v --metrics-interval 0 >"$tmp/token.txt" 2>&1
found=$(grep -rl -e "$TOKEN" -e "$PASSWORD" -e "$key_line" -e "pod-env-secret-value" \
	-e "$(base64 -w0 "$tmp/kanon-cert.key" | cut -c1-40)" \
	"$tmp"/*.json "$tmp"/*.err "$tmp"/*.txt "$tmp/snap" "$tmp/snap2" 2>/dev/null)
[ -z "$found" ]
check "no token, password, client key or pod env value in the outputs or the snapshots" $?
[ -n "$found" ] && echo "  found in: $found"
grep '(probe)' "$tmp/api.log" | grep -v 'user=anonymous' >"$tmp/probe-creds"
[ -s "$tmp/api.log" ] && [ ! -s "$tmp/probe-creds" ] && grep -q '(probe)' "$tmp/api.log"
check "the probe's requests carried no credential (the server saw anonymous)" $?
# --audit FILE: audited with the cluster, and kept in the --save'd snapshot
"$KANON" cluster --kubeconfig "$tmp/k-token" --no-probe --metrics-interval 0 --save "$tmp/snap3" \
	--audit examples/demo-cluster/audit/audit.log.gz -f json >"$tmp/audit.json" 2>"$tmp/audit.err"
rc_a=$?
"$KANON" scan "$tmp/snap3" -f json >"$tmp/audit-off.json" 2>"$tmp/audit-off.err"
rc_b=$?
verdicts "$tmp/audit.json" "$rc_a" >"$tmp/va"
verdicts "$tmp/audit-off.json" "$rc_b" >"$tmp/vb"
grep -q '^audit-anonymous-access FAIL' "$tmp/va" && diff -q "$tmp/va" "$tmp/vb" >/dev/null &&
	cmp -s "$tmp/snap3/audit/01-audit.log.gz" examples/demo-cluster/audit/audit.log.gz
check "--audit: the log is audited with the cluster, copied into --save, and scan gives the same verdicts" $?
"$KANON" cluster --kubeconfig "$tmp/k-token" --no-probe --metrics-interval 0 \
	--audit examples/demo-cluster/audit/audit.log.gz -f json >"$tmp/audit2.json" 2>"$tmp/audit2.err"
verdicts "$tmp/audit2.json" $? >"$tmp/vc"
diff -q "$tmp/va" "$tmp/vc" >/dev/null
check "--audit without --save: the same verdicts (linked into the temporary snapshot)" $?
"$KANON" cluster --kubeconfig "$tmp/k-token" --no-probe --audit "$tmp/nope.log" >/dev/null 2>"$tmp/nope.err"
[ $? = 2 ] && grep -q "cannot read --audit" "$tmp/nope.err"
check "--audit of a missing file: exit 2" $?
# scan --kubeconfig: the cluster plus a snapshot directory given beside it
"$KANON" scan --kubeconfig "$tmp/k-token" examples/demo-cluster -f json >"$tmp/both.json" 2>"$tmp/both.err"
python3 -c '
import json, sys
t = {f["target"] for f in json.load(open(sys.argv[1]))["findings"]}
sys.exit(not ("node/n1" in t and "node/cp-1" in t))' "$tmp/both.json"
check "kanon scan --kubeconfig K DIR: the live cluster's and the snapshot's targets in one report" $?
exit 0
