# Sourced by the `kanon serve` tests (tests/e2e/t81*-serve-*.sh, bench/):
# serve_pki DIR makes a test PKI with openssl in DIR:
#   ca.pem ca.key                 the CA the server trusts for clients (--client-ca)
#                                 and that signed the server certificate
#   server.pem server.key         server certificate, SAN IP:127.0.0.1 and DNS:localhost,
#                                 extendedKeyUsage serverAuth
#   client.pem client.key         client certificate (CN kube-apiserver), clientAuth
#   other-ca.pem other-ca.key     a second CA the server does not trust
#   other-client.pem other-client.key   a client certificate signed by other-ca
#   token                         a bearer token (one line)
# P-256 keys: quick to make and to handshake. Returns non-zero when openssl fails.
serve_pki() {
	local d=$1 ext
	mkdir -p "$d" || return 1
	ext="$d/ext.cnf"
	cat >"$ext" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF
	_serve_pki_ca "$d" ca "kanon test CA" || return 1
	_serve_pki_ca "$d" other-ca "kanon untrusted CA" || return 1
	_serve_pki_leaf "$d" ca server "kanon serve" server || return 1
	_serve_pki_leaf "$d" ca client "kube-apiserver" client || return 1
	_serve_pki_leaf "$d" other-ca other-client "kube-apiserver" client || return 1
	head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$d/token" && echo >>"$d/token"
}

_serve_pki_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -subj "/CN=$3" \
		-extensions ca -config "$1/ext.cnf" 2>"$1/openssl.log"
}

# _serve_pki_leaf DIR CA NAME CN EXT
_serve_pki_leaf() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1/$3.key" -out "$1/$3.csr" -subj "/CN=$4" 2>"$1/openssl.log" &&
		openssl x509 -req -in "$1/$3.csr" -CA "$1/$2.pem" -CAkey "$1/$2.key" \
			-CAcreateserial -days 2 -extfile "$1/ext.cnf" -extensions "$5" \
			-out "$1/$3.pem" 2>"$1/openssl.log"
}
