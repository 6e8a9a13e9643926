#!/usr/bin/env bash
# kanon scan DIR --probe URL: a snapshot report carries the proof from
# outside (the probe's findings and its section) beside the snapshot's.
. "$(dirname "$0")/probe/lib.sh"
probe_certs
fake_start locked locked
"$KANON" scan examples/demo-cluster --probe "https://127.0.0.1:$port" \
	--probe-cacert "$tmp/ca.pem" -f json >"$tmp/scan.json" 2>/dev/null
jq -e '.probe.servers[0].anonymous_auth == "off" and .audit != null and ([.findings[] | select(.rule == "probe-apiserver-anonymous" and .status == "PASS")] | length) == 12 and ([.findings[] | select(.rule == "kubelet-anonymous-auth")] | length) > 0' "$tmp/scan.json" >/dev/null
check "scan --probe: probe findings and section beside the snapshot's" $?
"$KANON" scan examples/demo-cluster --probe "https://127.0.0.1:$port" \
	--probe-cacert "$tmp/ca.pem" >"$tmp/scan.txt" 2>/dev/null
grep -q '^probe (requests without credentials)$' "$tmp/scan.txt" &&
	grep -q "(API server): anonymous auth OFF; anonymous can read: nothing$" "$tmp/scan.txt"
check "scan --probe: the text report has the probe's summary line" $?
"$KANON" scan examples/demo-cluster --probe "https://127.0.0.1:$port" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "cannot verify the certificate" "$tmp/err"
check "scan --probe without the CA: verification error, exit 2" $?
"$KANON" scan examples/demo-cluster --probe "https://127.0.0.1:$port" --probe-insecure -f json >"$tmp/insecure.json" 2>/dev/null
jq -e '.probe.insecure == true' "$tmp/insecure.json" >/dev/null
check "scan --probe-insecure is reported" $?
no_credentials
