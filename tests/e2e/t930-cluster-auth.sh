#!/usr/bin/env bash
# kanon cluster reads the test API server with every kubeconfig auth form
# (token, tokenFile, client certificate files and -data, basic auth), every
# way to trust the server (certificate-authority, -data, insecure, with
# tls-server-name), and refuses what is wrong (bad token: 401, exit 2).
. "$(dirname "$0")/cluster/lib.sh"
cluster_certs
make_cert api-internal ca 365 "DNS:api.internal" || exit 1
cluster_start api
b64() { base64 -w0 "$1"; }
printf '%s\n' "$TOKEN" >"$tmp/token"
mkdir -p "$tmp/rel"
cp "$tmp/token" "$tmp/rel/token"
run() { # NAME KUBECONFIG: run kanon cluster, JSON to $tmp/NAME.json
	"$KANON" cluster --kubeconfig "$2" --metrics-interval 0 --no-probe -f json \
		>"$tmp/$1.json" 2>"$tmp/$1.err"
	echo $? >"$tmp/$1.rc"
}
creds() { # NAME: the credentials the report names, and the nodes read
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print(c["credentials"], c["configz_read"], c["rbac_objects"])' "$tmp/$1.json" 2>/dev/null
}
kubeconfig "$tmp/k-token" "$port" "    token: $TOKEN"
kubeconfig "$tmp/rel/k-tokenfile" "$port" "    tokenFile: token"
kubeconfig "$tmp/k-cert" "$port" "    client-certificate: $tmp/kanon-cert.pem
    client-key: $tmp/kanon-cert.key"
kubeconfig "$tmp/k-certdata" "$port" "    client-certificate-data: $(b64 "$tmp/kanon-cert.pem")
    client-key-data: $(b64 "$tmp/kanon-cert.key")" "    certificate-authority-data: $(b64 "$tmp/ca.pem")"
kubeconfig "$tmp/k-basic" "$port" "    username: kanon
    password: $PASSWORD"
kubeconfig "$tmp/k-insecure" "$port" "    token: $TOKEN" "    insecure-skip-tls-verify: true"
for name in token tokenfile cert certdata basic insecure; do
	k="$tmp/k-$name"
	# tokenFile: a relative path, resolved against the kubeconfig's directory
	[ "$name" = tokenfile ] && k="$tmp/rel/k-tokenfile"
	run "$name" "$k"
	[ "$(cat "$tmp/$name.rc")" = 1 ]
	check "$name: kanon cluster reads the cluster (exit 1: the test cluster has FAILs)" $?
done
[ "$(creds token)" = "bearer token 3 9" ] && [ "$(creds tokenfile)" = "bearer token file 3 9" ] &&
	[ "$(creds cert)" = "client certificate 3 9" ] && [ "$(creds certdata)" = "client certificate 3 9" ] &&
	[ "$(creds basic)" = "basic authentication 3 9" ] && [ "$(creds insecure)" = "bearer token 3 9" ]
check "each form authenticates: 3 nodes' /configz and 9 RBAC objects read" $?
# the server saw who each one was (token: kanon, certificate: its CN, basic: the user)
grep -q 'user=kanon-cert ua=kanon' "$tmp/api.log" && grep -q 'user=kanon ua=kanon' "$tmp/api.log" &&
	! grep -q 'user=invalid' "$tmp/api.log"
check "the server authenticated the certificate (CN kanon-cert) and the token" $?

# tls-server-name: the certificate names only api.internal
fake_start internal cluster api-internal --token "$TOKEN"
kubeconfig "$tmp/k-sni" "$port" "    token: $TOKEN" "    certificate-authority: $tmp/ca.pem
    tls-server-name: api.internal"
run sni "$tmp/k-sni"
[ "$(cat "$tmp/sni.rc")" = 1 ]
check "tls-server-name: the certificate of api.internal verifies for 127.0.0.1" $?
"$KANON" cluster --kubeconfig "$tmp/k-sni" --metrics-interval 0 -f json >"$tmp/sni-probe.json" 2>"$tmp/sni-probe.err"
rc=$?
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = [f for f in d["findings"] if f["rule"] == "probe-apiserver-anonymous"]
sys.exit(not p or any(f["status"] == "UNKNOWN" for f in p))' "$tmp/sni-probe.json" && [ "$rc" = 1 ]
check "tls-server-name: the probe without credentials verifies the same way (no UNKNOWN)" $?
kubeconfig "$tmp/k-nosni" "$port" "    token: $TOKEN"
run nosni "$tmp/k-nosni"
[ "$(cat "$tmp/nosni.rc")" = 2 ] && grep -q "cannot verify the certificate of https://127.0.0.1:$port (certificate-authority)" "$tmp/nosni.err"
check "without tls-server-name the same server fails verification (exit 2, reason named)" $?

# a wrong CA, a wrong token, a closed port, a proxy-url where nothing listens
cluster_start api2
kubeconfig "$tmp/k-wrongca" "$port" "    token: $TOKEN" "    certificate-authority: $tmp/other-ca.pem"
run wrongca "$tmp/k-wrongca"
[ "$(cat "$tmp/wrongca.rc")" = 2 ] && grep -q 'cannot verify the certificate' "$tmp/wrongca.err"
check "a CA that did not sign the server: exit 2, cannot verify the certificate" $?
kubeconfig "$tmp/k-badtoken" "$port" "    token: not-the-token"
run badtoken "$tmp/k-badtoken"
[ "$(cat "$tmp/badtoken.rc")" = 2 ] && grep -q 'unauthorized\|401' "$tmp/badtoken.err" &&
	! grep -q 'not-the-token' "$tmp/badtoken.err" "$tmp/badtoken.json"
check "a token the server refuses: exit 2 naming 401, the token not shown" $?
closed=$(closed_port)
kubeconfig "$tmp/k-closed" "$closed" "    token: $TOKEN"
run closed "$tmp/k-closed"
[ "$(cat "$tmp/closed.rc")" = 2 ] && grep -q "cannot connect to https://127.0.0.1:$closed: Connection refused" "$tmp/closed.err"
check "nothing listening: exit 2, connection refused" $?
kubeconfig "$tmp/k-proxy" "$port" "    token: $TOKEN" "    certificate-authority: $tmp/ca.pem
    proxy-url: http://127.0.0.1:$closed"
run proxy "$tmp/k-proxy"
[ "$(cat "$tmp/proxy.rc")" = 2 ] && ! grep -q "user=kanon" "$tmp/api2.log"
check "proxy-url is used: a proxy that is down stops every request (none reached the server)" $?
exit 0
