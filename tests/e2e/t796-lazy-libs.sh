#!/usr/bin/env bash
# libcurl, GnuTLS and libmicrohttpd are loaded at their first use
# (src/sources/curl_lazy.c, gnutls_lazy.c, src/serve/mhd_lazy.c), not at
# every start: commands that never talk HTTP must not load them, and those
# that do must load them and get the libraries' own answers through the
# forwarders (an error text from curl, a TLS request to a test server that
# answers; kanon serve's own tests, t81x, run its server through them).
# glibc's loader says which files it maps under LD_DEBUG=files.
. "$(dirname "$0")/probe/lib.sh"

log=tests/fixtures/audit/formats/native.jsonl

LD_DEBUG=files "$KANON" --version >/dev/null 2>"$tmp/ld.version"
! grep -qE 'libcurl|libgnutls|libmicrohttpd' "$tmp/ld.version"
check "kanon --version loads none of libcurl, GnuTLS, libmicrohttpd" $?

LD_DEBUG=files "$KANON" audit "$log" >/dev/null 2>"$tmp/ld.audit"
! grep -qE 'libcurl|libgnutls|libmicrohttpd' "$tmp/ld.audit"
check "kanon audit of a file loads none of libcurl, GnuTLS, libmicrohttpd" $?

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
