#!/usr/bin/env bash
# kanon probe: every verdict against the test API server (tests/helpers/
# fakeapi.c) in each of its modes: anonymous open (FAIL critical, item
# counts, never content), locked (401: PASS), health allowlist (health 200
# PASS info, the rest 401; --expect-locked makes the health 200s FAIL), 403
# with kube-apiserver's Status body (WARN naming system:anonymous), kubelet
# open/locked/forbidden, the read-only port (plain HTTP) open and closed,
# and 404 (no verdict). The text output is compared with golden files.
. "$(dirname "$0")/probe/lib.sh"
probe_certs

run_probe() { # NAME ARGS...: output in $tmp/NAME.out, exit code in $rc
	local name=$1
	shift
	"$KANON" probe --cacert "$tmp/ca.pem" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

fake_start open open
run_probe open --server "https://127.0.0.1:$port"
check "open: exit 1 (FAIL)" "$([ "$rc" = 1 ] && echo 0 || echo 1)"
grep -q '^FAIL     critical  probe-apiserver-anonymous https://127.0.0.1:[0-9]*/api/v1/secrets$' "$tmp/open.out"
check "open: /api/v1/secrets is FAIL critical" $?
grep -q 'GET /api/v1/secrets without credentials returned 1 item (counted,$' "$tmp/open.out"
check "open: the secret List is counted" $?
! grep -q -e c3VwZXItc2VjcmV0 -e hunter2 -e web-1 "$tmp/open.out"
check "open: no item content in the report" $?
"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$port" -f json >"$tmp/open.json"
! grep -q -e c3VwZXItc2VjcmV0 -e hunter2 -e web-1 "$tmp/open.json"
check "open: no item content in the JSON report" $?
jq -e '.probe.servers[0].anonymous_auth == "on" and (.probe.summary[0] | test("anonymous auth ON; anonymous can read: /api/v1/pods \\(2 items\\), /api/v1/secrets \\(1 item\\)"))' "$tmp/open.json" >/dev/null
check "open: JSON summary line and anonymous_auth on" $?
golden open "$tmp/open.out"
[ "$(wc -l <"$tmp/open.conns")" = 2 ]
check "one connection per probe run: 2 runs, 24 requests, 2 connections" $?

fake_start locked locked
run_probe locked --server "https://localhost:$port"
check "locked: exit 0" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
[ "$(grep -c '^PASS     high      probe-apiserver-anonymous' "$tmp/locked.out")" = 12 ]
check "locked: 12 endpoints PASS (401)" $?
grep -q '(API server): anonymous auth OFF; anonymous can read: nothing$' "$tmp/locked.out"
check "locked: summary says anonymous auth OFF" $?
"$KANON" probe -v --cacert "$tmp/ca.pem" --server "https://localhost:$port" >"$tmp/locked-v.out"
grep -q 'body = kind Status, reason Unauthorized, code 401  (Unauthorized)' "$tmp/locked-v.out"
check "locked: the 401 Status body is evidence" $?
golden locked "$tmp/locked.out"

fake_start health health
run_probe health --server "https://127.0.0.1:$port"
check "health allowlist: exit 0" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
grep -q '^PASS     info      probe-apiserver-anonymous https://127.0.0.1:[0-9]*/livez$' "$tmp/health.out"
check "health allowlist: /livez 200 is PASS info" $?
grep -q 'anonymous auth ON for 4 of 12 paths (401 on the others); anonymous can read: /version, /healthz, /livez, /readyz$' "$tmp/health.out"
check "health allowlist: summary names the health paths" $?
golden health "$tmp/health.out"
run_probe health-locked --server "https://127.0.0.1:$port" --expect-locked
check "--expect-locked: exit 1" "$([ "$rc" = 1 ] && echo 0 || echo 1)"
[ "$(grep -c '^FAIL     medium    probe-apiserver-anonymous' "$tmp/health-locked.out")" = 4 ]
check "--expect-locked: the 4 health 200s FAIL" $?

fake_start forbidden forbidden
run_probe forbidden --server "https://127.0.0.1:$port"
check "403: exit 0 (WARN only)" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
grep -q "^WARN     medium    probe-apiserver-anonymous https://127.0.0.1:[0-9]*/api/v1/pods$" "$tmp/forbidden.out"
check "403: /api/v1/pods WARN" $?
grep -q "authenticated as 'system:anonymous'" "$tmp/forbidden.out"
check "403: names the user from the Status body" $?
grep -q 'body = kind Status, reason Forbidden, code 403, details.kind clusterrolebindings  (clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "system:anonymous" cannot list resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope)' "$tmp/forbidden.out"
check "403: the Status reason and message are evidence" $?
golden forbidden "$tmp/forbidden.out"

fake_start kubelet kubelet-open
run_probe kubelet --kubelet "127.0.0.1:$port"
check "kubelet open: exit 1" "$([ "$rc" = 1 ] && echo 0 || echo 1)"
[ "$(grep -c '^FAIL     critical  probe-kubelet-anonymous' "$tmp/kubelet.out")" = 5 ]
check "kubelet open: 5 endpoints FAIL critical" $?
grep -q '/runningpods/ to a request without credentials (200, 2 items)' "$tmp/kubelet.out"
check "kubelet open: /runningpods/ counted" $?
[ "$(cut -d' ' -f1 "$tmp/kubelet.log" | sort -u)" = GET ] && ! grep -q -e exec -e /run/ -e attach "$tmp/kubelet.log"
check "kubelet: GET only, never exec, run or attach" $?
golden kubelet "$tmp/kubelet.out"

fake_start kubelet-locked kubelet-locked
run_probe kubelet-locked --kubelet "127.0.0.1:$port"
[ "$rc" = 0 ] && grep -q '(kubelet): anonymous auth OFF; anonymous can read: nothing$' "$tmp/kubelet-locked.out"
check "kubelet locked: PASS, anonymous auth OFF" $?
fake_start kubelet-forbidden kubelet-forbidden
run_probe kubelet-forbidden --kubelet "127.0.0.1:$port" -f json
jq -e '[.findings[] | select(.status == "WARN" and (.message | test("authenticated as .system:anonymous. and the authorizer denied /pods \\(403 Forbidden\\)")))] | length == 1' "$tmp/kubelet-forbidden.out" >/dev/null
check "kubelet 403: WARN names the user from the kubelet's text" $?

fake_start readonly readonly plain
run_probe readonly --read-only-port "127.0.0.1:$port"
check "read-only port: exit 1" "$([ "$rc" = 1 ] && echo 0 || echo 1)"
grep -q '^FAIL     high      probe-read-only-port http://127.0.0.1:[0-9]*/pods$' "$tmp/readonly.out" &&
	grep -q 'read-only port OPEN (it authenticates nobody); anyone can read: /pods (2 items), /spec/$' "$tmp/readonly.out"
check "read-only port: FAIL high over plain HTTP, summary" $?
golden readonly "$tmp/readonly.out"
[ "$(wc -l <"$tmp/readonly.conns")" = 1 ]
check "plain HTTP: the connection is reused too (2 requests, 1 connection)" $?
closed=$(closed_port)
run_probe readonly-closed --read-only-port "127.0.0.1:$closed"
[ "$rc" = 0 ] && grep -q 'read-only port CLOSED (connection refused)' "$tmp/readonly-closed.out"
check "read-only port refused: PASS, CLOSED" $?

# 404: no verdict, but listed in the JSON section
"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$(cat "$tmp/open.port")" \
	--path /api/v1/nope -f json >"$tmp/404.json"
jq -e '([.findings[] | select(.target | endswith("/api/v1/nope"))] | length) == 0 and .probe.servers[0].not_found == ["/api/v1/nope"]' "$tmp/404.json" >/dev/null
check "404: no finding, listed as not found" $?
no_credentials
