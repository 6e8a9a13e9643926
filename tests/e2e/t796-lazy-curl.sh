#!/usr/bin/env bash
# libcurl is loaded at the first request (src/sources/curl_lazy.c), not at
# every start: commands that never talk HTTP must not load it, and those that
# do must load it and get libcurl's own answers through the forwarders (an
# error text from curl, a TLS request to a test server that answers).
# glibc's loader says which files it maps under LD_DEBUG=files.
. "$(dirname "$0")/probe/lib.sh"

log=tests/fixtures/audit/formats/native.jsonl

LD_DEBUG=files "$KANON" --version >/dev/null 2>"$tmp/ld.version"
! grep -q libcurl "$tmp/ld.version"
check "kanon --version does not load libcurl" $?

LD_DEBUG=files "$KANON" audit "$log" >/dev/null 2>"$tmp/ld.audit"
! grep -q libcurl "$tmp/ld.audit"
check "kanon audit of a file does not load libcurl" $?

LD_DEBUG=files "$KANON" probe --server https://127.0.0.1:1 --kubelet 127.0.0.1:1 \
	>"$tmp/out.refused" 2>"$tmp/ld.probe"
grep -q 'libcurl.*dynamically loaded' "$tmp/ld.probe"
check "kanon probe loads libcurl when it makes its first request" $?
grep -q 'cannot connect to https://127.0.0.1:1/api/v1/pods: Connection refused' "$tmp/out.refused"
check "libcurl's own error text comes back through the forwarders" $?

# a real TLS exchange: every libcurl call the probe makes goes through the loader's table
probe_certs
fake_start open open
"$KANON" probe --cacert "$tmp/ca.pem" --server "https://127.0.0.1:$port" -f json \
	>"$tmp/out.json" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = [f["status"] for f in d["findings"] if f["rule"] == "probe-apiserver-anonymous"]
sys.exit(0 if "FAIL" in st and "UNKNOWN" not in st else 1)
' "$tmp/out.json"
check "a probe of an open test API server gets its answers (FAIL, exit 1)" $?
