#!/usr/bin/env bash
# kanon probe and TLS: the right CA verifies; a wrong CA, the system store,
# an expired certificate or one for another name is refused with an error
# that names the problem (exit 2, never a silent fallback); --insecure is
# reported in text and JSON; the certificate's subject, SANs, issuer and
# expiry are evidence, with a WARN when it expires within 30 days.
. "$(dirname "$0")/probe/lib.sh"
probe_certs
make_cert soon ca 10 "DNS:localhost,IP:127.0.0.1" &&
	make_cert other-name ca 365 "DNS:api.example.com" || exit 1
# an expired certificate: openssl x509 cannot backdate, so sign with a past -not_after
openssl req -newkey rsa:2048 -nodes -keyout "$tmp/expired.key" -out "$tmp/expired.csr" \
	-subj "/CN=expired" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/expired.ext"
openssl x509 -req -in "$tmp/expired.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
	-CAcreateserial -out "$tmp/expired.pem" -extfile "$tmp/expired.ext" \
	-not_before 20200101000000Z -not_after 20200201000000Z >/dev/null 2>&1 ||
	openssl x509 -req -in "$tmp/expired.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
		-CAcreateserial -out "$tmp/expired.pem" -extfile "$tmp/expired.ext" -days -1 >/dev/null 2>&1

fake_start locked locked
good=$port

"$KANON" probe --server "https://127.0.0.1:$good" --cacert "$tmp/ca.pem" -v >"$tmp/right.out" 2>"$tmp/right.err"
rc=$?
[ "$rc" = 0 ] && grep -q 'tls: verified against --cacert' "$tmp/right.out"
check "right CA: verified, exit 0" $?
grep -q 'certificate subject = CN=kube-apiserver' "$tmp/right.out" &&
	grep -q 'certificate SANs = DNS:localhost, IP Address:127.0.0.1' "$tmp/right.out" &&
	grep -q 'certificate issuer = CN=ca' "$tmp/right.out" &&
	grep -q 'certificate expires = [0-9-]* [0-9:]* UTC' "$tmp/right.out"
check "right CA: subject, SANs, issuer and expiry are evidence" $?
! grep -q 'expires on' "$tmp/right.out"
check "right CA: no expiry WARN for a certificate valid for a year" $?

"$KANON" probe --server "https://127.0.0.1:$good" --cacert "$tmp/other-ca.pem" >"$tmp/wrong.out" 2>"$tmp/wrong.err"
rc=$?
check "wrong CA: exit 2" "$([ "$rc" = 2 ] && echo 0 || echo 1)"
grep -q "^kanon: error: cannot verify the certificate of https://127.0.0.1:$good/api/v1/pods: its issuer 'CN=ca' is not trusted by --cacert '.*other-ca.pem'" "$tmp/wrong.err"
check "wrong CA: the error names the untrusted issuer" $?
grep -q '^UNKNOWN  high      probe-apiserver-anonymous' "$tmp/wrong.out" && ! grep -q '^PASS' "$tmp/wrong.out"
check "wrong CA: no verdict (UNKNOWN), no PASS" $?
[ "$(wc -l <"$tmp/locked.log")" = 12 ]
check "wrong CA: no request was sent over the unverified connection" $?

env -u SSL_CERT_FILE -u SSL_CERT_DIR "$KANON" probe --server "https://127.0.0.1:$good" >"$tmp/system.out" 2>"$tmp/system.err"
[ $? = 2 ] && grep -q "its issuer 'CN=ca' is not in the system CA store (give the cluster's CA with --cacert)" "$tmp/system.err"
check "no --cacert: the system store refuses the cluster CA" $?

fake_start other-name locked other-name
"$KANON" probe --server "https://127.0.0.1:$port" --cacert "$tmp/ca.pem" >"$tmp/name.out" 2>"$tmp/name.err"
[ $? = 2 ] && grep -q "the certificate is not for '127.0.0.1' (subject 'CN=other-name', SANs DNS:api.example.com)" "$tmp/name.err"
check "certificate for another name: refused, named" $?

fake_start expired locked expired
"$KANON" probe --server "https://127.0.0.1:$port" --cacert "$tmp/ca.pem" >"$tmp/expired.out" 2>"$tmp/expired.err"
[ $? = 2 ] && grep -q "the certificate expired on 20[0-9-]* [0-9:]* UTC" "$tmp/expired.err"
check "expired certificate: refused, named" $?

"$KANON" probe --server "https://127.0.0.1:$port" --insecure >"$tmp/insecure.out" 2>"$tmp/insecure.err"
rc=$?
[ "$rc" = 0 ] && grep -q 'tls: NOT VERIFIED (--insecure)' "$tmp/insecure.out" &&
	grep -q 'kanon: warning: --insecure: server certificates are not verified' "$tmp/insecure.err"
check "--insecure: text report and stderr say so" $?
grep -q '^WARN     low       probe-apiserver-anonymous https://127.0.0.1:[0-9]*$' "$tmp/insecure.out" &&
	grep -q 'the server certificate expired on' "$tmp/insecure.out"
check "--insecure: the expired certificate is still a WARN" $?
"$KANON" probe --server "https://127.0.0.1:$port" --insecure -f json >"$tmp/insecure.json" 2>/dev/null
jq -e '.probe.insecure == true and (.probe.tls | startswith("NOT VERIFIED")) and (.diagnostics | map(.message) | index("--insecure: server certificates are not verified")) != null' "$tmp/insecure.json" >/dev/null
check "--insecure: JSON carries insecure, tls and the diagnostic" $?
"$KANON" probe --server "https://127.0.0.1:$good" --cacert "$tmp/ca.pem" -f json >"$tmp/secure.json"
jq -e '.probe.insecure == false and .probe.servers[0].certificate.subject == "CN=kube-apiserver" and (.probe.servers[0].certificate.expires | test("Z$"))' "$tmp/secure.json" >/dev/null
check "verified: JSON insecure false, certificate recorded" $?

fake_start soon locked soon
"$KANON" probe --server "https://127.0.0.1:$port" --cacert "$tmp/ca.pem" >"$tmp/soon.out" 2>&1
grep -q 'the server certificate expires on [0-9-]* [0-9:]* UTC (within 30 days)' "$tmp/soon.out"
check "a certificate expiring within 30 days is a WARN" $?

"$KANON" probe --server "https://127.0.0.1:$good" --cacert "$tmp/ca.pem" --insecure >/dev/null 2>"$tmp/both.err"
[ $? = 2 ] && grep -q 'contradict' "$tmp/both.err"
check "--cacert with --insecure is a usage error" $?
"$KANON" probe --server "https://127.0.0.1:$good" --cacert "$tmp/missing.pem" >/dev/null 2>"$tmp/missing.err"
[ $? = 2 ] && grep -q "cannot read --cacert '.*missing.pem': No such file or directory" "$tmp/missing.err"
check "an unreadable --cacert is an error" $?
no_credentials
