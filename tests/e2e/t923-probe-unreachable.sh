#!/usr/bin/env bash
# kanon probe when a server does not answer: a closed port on 127.0.0.1 and
# a server slower than --timeout are UNKNOWN with the reason (exit 3), and
# the other servers are still probed and judged.
. "$(dirname "$0")/probe/lib.sh"
probe_certs
fake_start open open
open=$port
fake_start slow slow kube-apiserver --delay 5
slow=$port
closed=$(closed_port)

start=$(date +%s)
"$KANON" probe --cacert "$tmp/ca.pem" --timeout 1 --server "https://127.0.0.1:$closed" \
	--server "https://127.0.0.1:$slow" --kubelet "127.0.0.1:$closed" \
	--server "https://127.0.0.1:$open" >"$tmp/out" 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - start))
check "exit 3: incomplete (UNKNOWN outranks FAIL)" "$([ "$rc" = 3 ] && echo 0 || echo 1)"
"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$closed" -f json >"$tmp/closed.json"
grep -Eq "^UNKNOWN +high +probe-apiserver-anonymous +https://127.0.0.1:$closed/api/v1/pods$" "$tmp/out" &&
	jq -e '.findings[0].message | test("^no answer, so no verdict: cannot connect to https://127.0.0.1:[0-9]+/api/v1/pods: Connection refused")' "$tmp/closed.json" >/dev/null
check "closed port: UNKNOWN with the reason" $?
grep -Eq "^UNKNOWN +high +probe-kubelet-anonymous +https://127.0.0.1:$closed/pods$" "$tmp/out"
check "closed kubelet port: UNKNOWN" $?
grep -q "^UNKNOWN  high      probe-apiserver-anonymous https://127.0.0.1:$slow/api/v1/pods$" "$tmp/out" &&
	grep -q "no answer from https://127.0.0.1:$slow/api/v1/pods within 1000 ms" "$tmp/out"
check "slow server: UNKNOWN, timed out after --timeout" $?
grep -q "endpoints not probed = 11" "$tmp/out"
check "a server that does not answer is not asked again (11 endpoints not probed)" $?
[ "$(grep -c "^FAIL     critical  probe-apiserver-anonymous https://127.0.0.1:$open/" "$tmp/out")" = 5 ]
check "the answering server is still probed and judged" $?
grep -q "https://127.0.0.1:$closed (API server): anonymous auth UNKNOWN (cannot connect to" "$tmp/out" &&
	grep -q "https://127.0.0.1:$open (API server): anonymous auth ON; anonymous can read:" "$tmp/out"
check "summary: UNKNOWN with the reason for the closed port, ON for the open one" $?
[ "$took" -lt 8 ]
check "bounded: the whole run took ${took}s (one timeout per slow server)" $?
[ "$(wc -l <"$tmp/slow.log")" = 1 ]
check "the slow server got one request" $?
no_credentials
