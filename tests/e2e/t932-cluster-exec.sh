#!/usr/bin/env bash
# exec credential plugins as kubectl runs them: v1 and v1beta1, the
# kubeconfig's env and args, KUBERNETES_EXEC_INFO (with provideClusterInfo),
# a token or a client certificate in the answer, one run per kanon run
# (cached), a refused token run again once (401), a hung plugin killed;
# kubectl reads the same kubeconfig.
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
cluster_start api
# the plugin: logs its runs and KUBERNETES_EXEC_INFO, prints an ExecCredential;
# BAD_FIRST=1 makes its first answer a token the server refuses
cat >"$tmp/plugin.sh" <<'SH'
#!/bin/sh
echo "run $1 $KUBERNETES_EXEC_INFO" >>"$LOG"
n=$(wc -l <"$LOG")
tok=$TOK
[ "$BAD_FIRST" = 1 ] && [ "$n" = 1 ] && tok=expired-token
if [ "$MODE" = cert ]; then
	cert=$(awk '{printf "%s\\n", $0}' "$CERT")
	key=$(awk '{printf "%s\\n", $0}' "$KEY")
	printf '{"kind":"ExecCredential","apiVersion":"%s","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}\n' "$VER" "$cert" "$key"
else
	printf '{"kind":"ExecCredential","apiVersion":"%s","status":{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}\n' "$VER" "$tok"
fi
SH
chmod +x "$tmp/plugin.sh"
# exec_kc FILE VERSION MODE BAD_FIRST [interactiveMode line]
exec_kc() {
	kubeconfig "$1" "$port" "    exec:
      apiVersion: client.authentication.k8s.io/$2
      command: ./plugin.sh
      args: [$2]
      provideClusterInfo: true
${5:-}
      env:
      - {name: LOG, value: $tmp/$2-$3.log}
      - {name: TOK, value: $TOKEN}
      - {name: VER, value: client.authentication.k8s.io/$2}
      - {name: MODE, value: $3}
      - {name: BAD_FIRST, value: \"$4\"}
      - {name: CERT, value: $tmp/kanon-cert.pem}
      - {name: KEY, value: $tmp/kanon-cert.key}"
}
runs() { wc -l <"$tmp/$1.log" 2>/dev/null | tr -d ' '; }
exec_kc "$tmp/k1" v1 token 0 "      interactiveMode: Never"
"$KANON" cluster --kubeconfig "$tmp/k1" --metrics-interval 0 --no-probe -f json >"$tmp/v1.json" 2>"$tmp/v1.err" </dev/null
[ $? = 1 ] && [ "$(runs v1-token)" = 1 ]
check "v1 plugin (relative command, args, env): the cluster is read, the plugin ran once for 12 requests" $?
grep -q '"apiVersion":"client.authentication.k8s.io/v1"' "$tmp/v1-token.log" &&
	grep -q '"cluster":{"server":"https://127.0.0.1:'"$port"'","certificate-authority-data":"' "$tmp/v1-token.log" &&
	grep -q '"interactive":false' "$tmp/v1-token.log" && grep -q '^run v1 ' "$tmp/v1-token.log"
check "KUBERNETES_EXEC_INFO: an ExecCredential with the cluster (provideClusterInfo) and interactive false" $?
exec_kc "$tmp/k2" v1beta1 token 1
"$KANON" cluster --kubeconfig "$tmp/k2" --metrics-interval 0 --no-probe >"$tmp/v1b.out" 2>"$tmp/v1b.err" </dev/null
[ $? = 1 ] && [ "$(runs v1beta1-token)" = 2 ] && grep -q 'user=invalid' "$tmp/api.log"
check "v1beta1 (no interactiveMode: IfAvailable): a refused token (401) runs the plugin once more" $?
exec_kc "$tmp/k3" v1beta1 cert 0
"$KANON" cluster --kubeconfig "$tmp/k3" --metrics-interval 0 --no-probe >"$tmp/cert.out" 2>"$tmp/cert.err" </dev/null
[ $? = 1 ] && grep -q 'user=kanon-cert ua=kanon' "$tmp/api.log"
check "a plugin's client certificate and key authenticate (CN kanon-cert)" $?
exec_kc "$tmp/k4" v1 token 0
"$KANON" cluster --kubeconfig "$tmp/k4" --no-probe >"$tmp/noim.out" 2>"$tmp/noim.err" </dev/null
[ $? = 2 ] && grep -q 'interactiveMode must be specified' "$tmp/noim.err"
check "v1 without interactiveMode is refused as client-go refuses it" $?
exec_kc "$tmp/k5" v1 token 0 "      interactiveMode: Always"
"$KANON" cluster --kubeconfig "$tmp/k5" --no-probe >"$tmp/always.out" 2>"$tmp/always.err" </dev/null
[ $? = 2 ] && grep -q 'standard input is not a terminal' "$tmp/always.err"
check "interactiveMode Always without a terminal: refused" $?
printf '#!/bin/sh\nexec sleep 300\n' >"$tmp/hang.sh"
chmod +x "$tmp/hang.sh"
kubeconfig "$tmp/k6" "$port" "    exec: {apiVersion: client.authentication.k8s.io/v1, command: $tmp/hang.sh, interactiveMode: Never}"
start=$(date +%s)
"$KANON" cluster --kubeconfig "$tmp/k6" --no-probe --timeout 1 >"$tmp/hang.out" 2>"$tmp/hang.err" </dev/null
rc=$?
took=$(($(date +%s) - start))
[ "$rc" = 2 ] && grep -q 'did not finish within 30000 ms' "$tmp/hang.err" && [ "$took" -lt 60 ]
rc=$?
check "a plugin that hangs is killed after 30 s (at least --timeout)" "$rc"
[ "$rc" = 0 ] || { echo "  rc=$rc after $took s:"; sed 's/^/  /' "$tmp/hang.err" | head -5; }
! grep -rq "$TOKEN" "$tmp"/*.out "$tmp"/*.err "$tmp"/v1.json
check "the plugin's token is in no output" $?
if command -v kubectl >/dev/null 2>&1; then
	rm -f "$tmp/v1-token.log"
	(cd "$tmp" && kubectl --kubeconfig "$tmp/k1" get nodes --request-timeout 10s >"$tmp/kn" 2>&1) </dev/null
	# (kubectl-dispatcher, where installed, runs it once more for /version)
	grep -q '^n1 ' "$tmp/kn" && [ "$(runs v1-token)" -ge 1 ]
	check "kubectl runs the same plugin from the same kubeconfig" $?
else
	echo "not ok - kubectl is not installed (scripts/install-deps.sh installs it)"
fi
exit 0
