# Sourced by the probe tests (t92x): tests/e2e/lib.sh, then a CA and server
# certificates made with openssl in $tmp (never committed), and test API
# servers (tests/helpers/fakeapi) on 127.0.0.1 that are stopped at exit.
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
FAKEAPI="$HELPERS/fakeapi"
fake_pids=()
probe_cleanup() {
	for p in "${fake_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap probe_cleanup EXIT
# a credential any fakeapi saw lands here; every test checks it stays absent
marker="$tmp/credential-marker"

# make_ca NAME: $tmp/NAME.pem, $tmp/NAME.key
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.pem" \
		-days 365 -subj "/CN=$1" >/dev/null 2>&1
}

# make_cert NAME CA DAYS SAN: $tmp/NAME.pem, $tmp/NAME.key signed by CA
make_cert() {
	openssl req -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.csr" \
		-subj "/CN=$1" >/dev/null 2>&1 &&
		printf 'subjectAltName=%s\n' "$4" >"$tmp/$1.ext" &&
		openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.pem" -CAkey "$tmp/$2.key" \
			-CAcreateserial -out "$tmp/$1.pem" -days "$3" -extfile "$tmp/$1.ext" \
			>/dev/null 2>&1
}

# The usual set: a cluster CA, a server certificate for 127.0.0.1 and
# localhost, and another CA that signed nothing of these servers.
probe_certs() {
	make_ca ca && make_ca other-ca &&
		make_cert kube-apiserver ca 365 "DNS:localhost,IP:127.0.0.1" || {
		echo "not ok - openssl could not make the test certificates"
		exit 1
	}
}

# fake_start NAME MODE [CERT|plain] [fakeapi options...]: start a server,
# wait for its port; sets $port (and $tmp/NAME.port). CERT defaults to
# kube-apiserver, signed by ca. The server asks for a client certificate
# (as kube-apiserver does) unless FAKE_NO_CLIENT_CA=1.
fake_start() {
	local name=$1 mode=$2 cert=${3:-kube-apiserver} i
	shift 2
	[ $# -gt 0 ] && shift
	local tls=(--cert "$tmp/$cert.pem" --key "$tmp/$cert.key" --ca "$tmp/ca.pem")
	[ "${FAKE_NO_CLIENT_CA:-}" = 1 ] && tls=(--cert "$tmp/$cert.pem" --key "$tmp/$cert.key")
	[ "$cert" = plain ] && tls=()
	rm -f "$tmp/$name.port"
	"$FAKEAPI" --mode "$mode" --port-file "$tmp/$name.port" "${tls[@]}" \
		--marker "$marker" --log "$tmp/$name.log" --conn-log "$tmp/$name.conns" --lifetime 120 "$@" 2>>"$tmp/fakeapi.err" &
	fake_pids+=($!)
	for i in $(seq 1 100); do
		[ -s "$tmp/$name.port" ] && break
		sleep 0.05
	done
	port=$(cat "$tmp/$name.port" 2>/dev/null)
	if [ -z "$port" ]; then
		echo "not ok - fakeapi $name ($mode) did not start"
		cat "$tmp/fakeapi.err"
		exit 1
	fi
}

# A port on 127.0.0.1 where nothing listens (bound, then released).
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Ports and certificate dates vary from run to run.
normalize() {
	sed -E -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' -e 's/localhost:[0-9]+/localhost:PORT/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/DATE/g' \
		-e "s|$tmp|TMP|g"
}

# golden NAME FILE: FILE (normalized) is tests/e2e/probe/NAME.txt;
# UPDATE_GOLDEN=1 rewrites it.
golden() {
	local want="tests/e2e/probe/$1.txt"
	normalize <"$2" >"$tmp/$1.norm"
	[ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$tmp/$1.norm" "$want"
	if diff -u "$want" "$tmp/$1.norm" >"$tmp/$1.diff" 2>&1; then
		check "text output of $1 is the golden one" 0
	else
		check "text output of $1 is the golden one" 1
		head -n 30 "$tmp/$1.diff" | sed 's/^/  /'
	fi
}

# no credential reached any test server
no_credentials() {
	if [ -e "$marker" ]; then
		check "no credential reached the test servers" 1
		sed 's/^/  /' "$marker"
	else
		check "no credential reached the test servers" 0
	fi
}
