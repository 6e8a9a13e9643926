#!/usr/bin/env bash
# kanon probe stays bounded and polite: --max-requests caps the requests
# (the rest is UNKNOWN, counted), redirects are not followed, bodies are
# read up to 1 MB (a longer List is "at least N items"), only GET is sent,
# paths that act on containers are refused, and a proxy is used only when
# the environment names one, and then reported (without its password).
. "$(dirname "$0")/probe/lib.sh"
probe_certs
fake_start open open
api=$port
p() { "$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" "$@"; }

p --max-requests 3 -f json >"$tmp/max.json" 2>/dev/null
rc=$?
[ "$rc" = 3 ] && [ "$(wc -l <"$tmp/open.log")" = 3 ]
check "--max-requests 3: three requests sent, exit 3" $?
jq -e '.probe.requests == 3 and .probe.max_requests == 3 and ([.findings[] | select(.status == "UNKNOWN" and (.message | test("not sent: --max-requests 3 reached")))] | length) == 1 and (.findings[-1].evidence[] | select(.key == "endpoints not probed") | .value) == "8"' "$tmp/max.json" >/dev/null
check "--max-requests: the rest is UNKNOWN and counted (8 not probed)" $?

: >"$tmp/open.log"
p --path /redirect -f json >"$tmp/redirect.json" 2>/dev/null
jq -e '[.findings[] | select(.target | endswith("/redirect"))][0] | .status == "UNKNOWN" and (.message | test("redirected \\(302\\) to https://elsewhere.invalid/api/v1/pods: not followed"))' "$tmp/redirect.json" >/dev/null
check "a redirect is not followed; its Location is shown" $?
[ "$(grep -c redirect "$tmp/open.log")" = 1 ]
check "the redirect was requested once" $?
[ "$(cut -d' ' -f1 "$tmp/open.log" | sort -u)" = GET ]
check "GET only" $?

p --path /api/v1/configmaps -v >"$tmp/big.out" 2>&1
grep -q 'items = at least [0-9]*  (a List; counted, never shown)' "$tmp/big.out" &&
	grep -q 'cut at the body size cap: read no further' "$tmp/big.out"
check "a 3 MB List is read up to 1 MB: at least N items, cut" $?

for bad in /api/v1/namespaces/x/pods/y/exec /run/ns/pod/c /api/v1/namespaces/x/pods/y/attach \
	/api/v1/namespaces/x/pods/y/portforward; do
	p --path "$bad" >/dev/null 2>"$tmp/bad.err"
	[ $? = 2 ] && grep -q "kanon never requests" "$tmp/bad.err" || {
		check "--path $bad is refused" 1
		continue
	}
done
check "--path with exec, run, attach or portforward is refused" "$(grep -c -e exec -e /run/ -e attach -e portforward "$tmp/open.log")"
p --path relative >/dev/null 2>&1
check "--path must start with /" "$([ $? = 2 ] && echo 0 || echo 1)"

closed=$(closed_port)
env -u no_proxy -u NO_PROXY https_proxy="http://user:s3cret@127.0.0.1:$closed" \
	"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" -f json >"$tmp/proxy.json" 2>/dev/null
jq -e --arg p "http://127.0.0.1:$closed/" '.probe.servers[0].proxy == $p and .probe.servers[0].proxy_env == "https_proxy" and (.findings[0].message | test("through the proxy http://127.0.0.1:[0-9]+/ \\(https_proxy\\)"))' "$tmp/proxy.json" >/dev/null
check "https_proxy is used and reported" $?
env -u no_proxy -u NO_PROXY https_proxy="http://127.0.0.1:$closed" \
	"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" >"$tmp/proxy.txt" 2>/dev/null
grep -q "(API server, through the proxy http://127.0.0.1:$closed/ named by https_proxy): anonymous auth UNKNOWN" "$tmp/proxy.txt"
check "the text summary line names the proxy" $?
! grep -q s3cret "$tmp/proxy.json"
check "the proxy's password is neither sent nor shown" $?
https_proxy="http://127.0.0.1:$closed" no_proxy="localhost,127.0.0.1" \
	"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" -f json >"$tmp/noproxy.json" 2>/dev/null
jq -e '.probe.servers[0].proxy == null and .probe.servers[0].anonymous_auth == "on"' "$tmp/noproxy.json" >/dev/null
check "no_proxy covers the host: direct, no proxy reported" $?
env -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u http_proxy \
	"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$api" -f json >"$tmp/none.json" 2>/dev/null
jq -e '.probe.servers[0].proxy == null' "$tmp/none.json" >/dev/null
check "no proxy variable: no proxy" $?
no_credentials
