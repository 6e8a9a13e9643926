#!/usr/bin/env bash
# kanon collect from running processes (fakeproc stand-ins named kubelet and
# kube-apiserver), then the round trip: kanon scan OUTDIR gives the verdicts
# and the exit code that kanon scan gives on the node. Keys are recorded,
# never copied; OUTDIR must be new or empty and never a symlink.
own_pidns=1 # run alone in /proc (tests/e2e/lib.sh)
. "$(dirname "$0")/lib.sh"

if ps -eo comm= | grep -qx -e kubelet -e kube-apiserver; then
	ok "collect from processes: skipped (a real kubelet or kube-apiserver runs here) # SKIP"
	exit 0
fi


n1=$tmp/node
mkdir -p "$tmp/bin" "$n1/etc/kubelet/conf.d" "$n1/log" "$n1/pki"
cp "$HELPERS/kubelet" "$tmp/bin/kubelet"
cp "$HELPERS/kubelet" "$tmp/bin/kube-apiserver"
cat >"$n1/etc/kubelet/config.yaml" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: true
authorization:
  mode: Webhook
YAML
cat >"$n1/etc/kubelet/conf.d/10-port.conf" <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0
YAML
printf -- '-----BEGIN EC PRIVATE KEY-----\nKUBELETKEYMATERIAL\n-----END EC PRIVATE KEY-----\n' \
	>"$n1/pki/kubelet.key"
printf 'apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: KUBECONFIGTOKEN\n' \
	>"$n1/kubelet.conf"
head -n 10 tests/fixtures/audit/mixed.jsonl | gzip >"$n1/log/audit-2025-06-01T10-05-00.000.log.gz"
tail -n +11 tests/fixtures/audit/mixed.jsonl >"$n1/log/audit.log"

"$tmp/bin/kubelet" --config="$n1/etc/kubelet/config.yaml" --config-dir "$n1/etc/kubelet/conf.d" \
	--kubeconfig="$n1/kubelet.conf" --tls-private-key-file="$n1/pki/kubelet.key" &
pids+=($!)
"$tmp/bin/kube-apiserver" --authorization-mode=Node,RBAC --audit-log-path="$n1/log/audit.log" \
	--tls-private-key-file "$n1/pki/kubelet.key" &
pids+=($!)
sleep 0.3

"$KANON" scan -f json >"$tmp/live.json" 2>/dev/null
verdicts "$tmp/live.json" $? >"$tmp/live"
"$KANON" collect "$tmp/out" >"$tmp/cout" 2>"$tmp/cerr"
rc=$?
[ $rc = 0 ] && grep -q "^kanon: collected 6 files into" "$tmp/cout"
check "collect from the running processes (rc=$rc)" $?

"$KANON" scan "$tmp/out" -f json >"$tmp/snap.json" 2>/dev/null
verdicts "$tmp/snap.json" $? >"$tmp/snap"
diff "$tmp/live" "$tmp/snap" >"$tmp/diff" && [ "$(wc -l <"$tmp/live")" -ge 8 ]
check "round trip: kanon scan OUTDIR gives the verdicts and exit code of kanon scan" $?
grep -q "kubelet-anonymous-auth FAIL" "$tmp/snap" && grep -q "kubelet-read-only-port PASS" "$tmp/snap" &&
	grep -q "audit-anonymous-access FAIL" "$tmp/snap"
check "the copied --config, --config-dir drop-in and audit logs are what scan reads" $?

! grep -rq -e KUBELETKEYMATERIAL -e KUBECONFIGTOKEN "$tmp/out"
check "no private key or kubeconfig content in OUTDIR" $?
python3 - "$tmp/out/manifest.json" "$n1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
node = sys.argv[2]
assert m["kanon"] and m["created"].endswith("Z") and m["root"] == "/", m
by = {(s["role"], s["path"]): s for s in m["sources"]}
key = by[("--tls-private-key-file", node + "/pki/kubelet.key")]
assert key["copy"] is None and key["mode"] and key["size"] > 0 and "sha256" not in key, key
kc = by[("--kubeconfig", node + "/kubelet.conf")]
assert kc["copy"] is None and "sha256" not in kc, kc
cfg = by[("--config", node + "/etc/kubelet/config.yaml")]
assert cfg["copy"].endswith("/root" + node + "/etc/kubelet/config.yaml"), cfg
assert len(cfg["sha256"]) == 64, cfg
gz = [s for s in m["sources"] if s["role"] == "audit-log" and s["path"].endswith(".gz")][0]
assert gz["copy"].endswith("audit-2025-06-01T10-05-00.000.log.gz"), gz
EOF
check "manifest.json: version, time, every source with path, role, mode, size, sha256; keys not hashed" $?
[ "$(sha256sum <"$n1/etc/kubelet/config.yaml" | cut -d' ' -f1)" = \
	"$(python3 -c 'import json,sys; print([s["sha256"] for s in json.load(open(sys.argv[1]))["sources"] if s["role"] == "--config"][0])' "$tmp/out/manifest.json")" ]
check "the manifest's SHA-256 is the file's (sha256sum)" $?
cmp -s "$n1/log/audit-2025-06-01T10-05-00.000.log.gz" "$tmp/out/audit/"*/audit-2025-06-01T10-05-00.000.log.gz
check "a gzipped audit log is copied as it is" $?
[ "$(stat -c %a "$tmp/out")" = 700 ] &&
	[ -z "$(find "$tmp/out" -type f ! -perm 0600)" ] &&
	[ -z "$(find "$tmp/out" -mindepth 1 -type d ! -perm 0700)" ]
check "OUTDIR 0700, its directories 0700, its files 0600" $?

# OUTDIR safety
"$KANON" collect "$tmp/out" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "is not empty" "$tmp/err"
check "an OUTDIR that is not empty is refused (rc=$rc)" $?
mkdir "$tmp/empty"
ln -s "$tmp/empty" "$tmp/link"
"$KANON" collect "$tmp/link" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "is a symbolic link" "$tmp/err" && [ -z "$(ls -A "$tmp/empty")" ]
check "an OUTDIR that is a symbolic link is refused, nothing written through it (rc=$rc)" $?
"$KANON" collect "$tmp/empty" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] && [ -f "$tmp/empty/manifest.json" ]
check "an empty OUTDIR is used (rc=$rc)" $?

for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

# a --config-dir that is a symbolic link: the kubelet does not walk it, and
# neither does kanon on the snapshot, which keeps it a link
ln -s conf.d "$n1/etc/kubelet/conf.link"
"$tmp/bin/kubelet" --config="$n1/etc/kubelet/config.yaml" --config-dir="$n1/etc/kubelet/conf.link" &
pids+=($!)
sleep 0.3
"$KANON" scan -f json >"$tmp/live2.json" 2>/dev/null
verdicts "$tmp/live2.json" $? >"$tmp/live2"
"$KANON" collect "$tmp/out2" >/dev/null 2>&1
"$KANON" scan "$tmp/out2" -f json >"$tmp/snap2.json" 2>/dev/null
verdicts "$tmp/snap2.json" $? >"$tmp/snap2"
diff "$tmp/live2" "$tmp/snap2" && grep -q "is a symbolic link" "$tmp/snap2.json" &&
	[ -L "$tmp/out2/kubelet/$(ls "$tmp/out2/kubelet")/root$n1/etc/kubelet/conf.link" ]
check "round trip with a symlinked --config-dir: kept as a link, same verdicts" $?
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

"$KANON" collect "$tmp/none" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "no running kubelet or kube-apiserver found" "$tmp/err" && [ ! -e "$tmp/none" ]
check "nothing running: exit 2, no OUTDIR created (rc=$rc)" $?
