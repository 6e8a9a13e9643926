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

# A library that cannot be loaded (here: a file that is not one, under its
# soname, first in LD_LIBRARY_PATH) stops the command with one line naming
# the library and the loader's reason, not a crash, a PASS or a wrong reason.
mkdir -p "$tmp/badlib"
sonames=$(strings "$KANON" | grep -E '^lib(curl[a-z-]*|microhttpd)\.so\.[0-9]+$' | sort -u)
for s in $sonames; do echo "not a library" >"$tmp/badlib/$s"; done
[ "$(echo "$sonames" | grep -c .)" = 2 ]
check "the binary names libcurl's and libmicrohttpd's sonames ($(echo $sonames))" $?

LD_LIBRARY_PATH="$tmp/badlib" "$KANON" probe --server https://127.0.0.1:1 -f json \
	>"$tmp/bad.json" 2>"$tmp/bad.err"
rc=$?
[ "$rc" = 2 ] && grep -q '^kanon: error: cannot start the HTTP client (libcurl): cannot load libcurl' "$tmp/bad.err" &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = not d["findings"] and d["summary"]["pass"] == 0 and any(
    x["level"] == "error" and "cannot load libcurl" in x["message"] for x in d["diagnostics"])
sys.exit(0 if ok else 1)
' "$tmp/bad.json"
check "libcurl not loadable: kanon probe exits 2, says why, reports no PASS" $?

LD_LIBRARY_PATH="$tmp/badlib" timeout 10 "$KANON" serve --listen 127.0.0.1:0 --insecure-http \
	>"$tmp/serve.out" 2>"$tmp/serve.err"
rc=$?
[ "$rc" = 1 ] && grep -q '^kanon serve: cannot start the HTTP server (libmicrohttpd): cannot load libmicrohttpd' "$tmp/serve.err" &&
	! grep -q 'cannot listen' "$tmp/serve.err"
check "libmicrohttpd not loadable: kanon serve exits 1 naming the library, not the address" $?
