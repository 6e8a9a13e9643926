# Sourced by the kanon cluster tests (t93x): the probe tests' library
# (certificates, fakeapi servers stopped at exit), then a test API server in
# cluster mode and kubeconfigs for it.
# shellcheck source=../probe/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../probe/lib.sh"
TOKEN=kanon-test-token-7f3a9c1e5b
PASSWORD=kanon-test-password-b4d2e8
# the tests never read the user's kubeconfig
export HOME="$tmp/home"
mkdir -p "$HOME"
unset KUBECONFIG

# cluster_certs: ca, the server's certificate, a client certificate (CN kanon-cert)
cluster_certs() {
	probe_certs && make_cert kanon-cert ca 365 "DNS:kanon-cert" || {
		echo "not ok - openssl could not make the client certificate"
		exit 1
	}
}

# cluster_start NAME [fakeapi options...]: a cluster-mode server that
# accepts $TOKEN, basic auth kanon:$PASSWORD and client certificates of ca
cluster_start() {
	local name=$1
	shift
	fake_start "$name" cluster kube-apiserver --token "$TOKEN" --basic "kanon:$PASSWORD" "$@"
}

# kubeconfig FILE PORT USER-YAML [CLUSTER-EXTRA-YAML]: a kubeconfig with one
# context "test" whose user is USER-YAML (the lines under user:)
kubeconfig() {
	cat >"$1" <<KC
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$2
${4:-    certificate-authority: $tmp/ca.pem}
users:
- name: test
  user:
$3
contexts:
- name: test
  context: {cluster: test, user: test}
KC
}

# rc_of CMD...: runs it, prints its exit status
rc_of() {
	"$@" >/dev/null 2>&1
	echo $?
}
