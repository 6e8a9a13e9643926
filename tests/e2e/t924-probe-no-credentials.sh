#!/usr/bin/env bash
# kanon probe never sends a credential: the test API servers ask for a
# client certificate (as kube-apiserver does) and record any Authorization,
# Proxy-Authorization or Cookie header or client certificate that arrives.
# kanon runs in an environment full of credentials it must ignore (.netrc,
# .curlrc, a kubeconfig with a token, user:password in a URL). A control
# run with curl shows that the servers do catch each kind of credential.
. "$(dirname "$0")/probe/lib.sh"
probe_certs
make_cert client ca 365 "DNS:client" || exit 1
fake_start open open
api=$port
fake_start kubelet kubelet-open
kubelet=$port

mkdir -p "$tmp/home/.kube"
printf 'machine 127.0.0.1 login admin password s3cret\ndefault login admin password s3cret\n' >"$tmp/home/.netrc"
printf -- '-H "Authorization: Bearer from-curlrc"\n--cookie "session=abc"\n' >"$tmp/home/.curlrc"
cat >"$tmp/home/.kube/config" <<KC
apiVersion: v1
kind: Config
users:
- name: admin
  user: {token: kubeconfig-token, client-certificate: $tmp/client.pem, client-key: $tmp/client.key}
contexts:
- name: c
  context: {cluster: c, user: admin}
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:$api"}
current-context: c
KC
HOME="$tmp/home" CURL_HOME="$tmp/home" KUBECONFIG="$tmp/home/.kube/config" \
	NETRC="$tmp/home/.netrc" "$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" \
	--kubelet "127.0.0.1:$kubelet" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "probe ran (exit 1: the servers are open)" "$([ "$rc" = 1 ] && echo 0 || echo 1)"
[ "$(wc -l <"$tmp/open.log")" = 12 ] && [ "$(wc -l <"$tmp/kubelet.log")" = 5 ]
check "every request arrived (12 + 5)" $?
no_credentials

"$KANON" probe --server "https://admin:s3cret@127.0.0.1:$api" >/dev/null 2>"$tmp/userinfo.err"
[ $? = 2 ] && grep -q "carries a user name (kanon sends no credentials)" "$tmp/userinfo.err"
check "a URL with user:password is refused" $?
[ "$(wc -l <"$tmp/open.log")" = 12 ]
check "and nothing was sent for it" $?

# the control: each kind of credential is caught (another marker file)
fake_start control open kube-apiserver --marker "$tmp/control-marker"
control_pid=${fake_pids[-1]}
if command -v curl >/dev/null 2>&1; then
	c() { curl -q -s -o /dev/null --cacert "$tmp/ca.pem" "$@"; }
	c -H "Authorization: Bearer x" "https://127.0.0.1:$port/api/v1/pods"
	c --cookie "session=abc" "https://127.0.0.1:$port/api/v1/pods"
	c --cert "$tmp/client.pem" --key "$tmp/client.key" "https://127.0.0.1:$port/api/v1/pods"
	grep -q 'credential received: Authorization on /api/v1/pods' "$tmp/control-marker" &&
		grep -q 'credential received: Cookie' "$tmp/control-marker" &&
		grep -q 'credential received: client certificate' "$tmp/control-marker"
	check "control: the test server catches a token, a cookie and a client certificate" $?
	kill "$control_pid"
	wait "$control_pid"
	check "control: the test server exits 3 after a credential" "$([ $? = 3 ] && echo 0 || echo 1)"
else
	echo "ok - control run with curl # SKIP curl not installed"
fi
