#!/usr/bin/env bash
# -o FILE (issue 8): the report replaces only a regular file, keeps its mode
# (and owner, as root), is private (0600) when new and holding audit data,
# and never follows a final symlink nor writes into a FIFO or a device.
# "-o -" is standard output.
. "$(dirname "$0")/lib.sh"
umask 022

mode() { stat -c %a "$1"; }
kubelet() { timeout 10 "$KANON" kubelet --node n1 --cmdline 'kubelet --read-only-port=0' -f json "$@"; }

# an existing 0600 report stays 0600
echo old >"$tmp/r.json"
chmod 600 "$tmp/r.json"
kubelet -o "$tmp/r.json" >/dev/null 2>&1
if [ "$(mode "$tmp/r.json")" = 600 ] && grep -q '"rule"' "$tmp/r.json"; then
	ok "-o keeps the mode of the report it replaces (0600)"
else notok "-o replaced a 0600 report with mode $(mode "$tmp/r.json")"; fi

# a new report without audit data follows the umask
kubelet -o "$tmp/new.json" >/dev/null 2>&1
if [ "$(mode "$tmp/new.json")" = 644 ]; then ok "-o new plain report: 0644 under umask 022"
else notok "-o new plain report: mode $(mode "$tmp/new.json")"; fi

# a new report with audit data (IPs, URIs, user names) is private
printf '%s\n' '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"1","stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["10.1.2.3"],"objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:00.100000Z"}' >"$tmp/audit.log"
timeout 10 "$KANON" audit -f json -o "$tmp/audit.json" "$tmp/audit.log" >/dev/null 2>&1
if [ -f "$tmp/audit.json" ] && [ "$(mode "$tmp/audit.json")" = 600 ]; then
	ok "-o new audit report: 0600"
else notok "-o new audit report: mode $(mode "$tmp/audit.json" 2>/dev/null)"; fi

# as root, the owner of the replaced report is kept
if [ "$(id -u)" = 0 ]; then
	echo old >"$tmp/owned.json"
	chown 65534:65534 "$tmp/owned.json"
	kubelet -o "$tmp/owned.json" >/dev/null 2>&1
	if [ "$(stat -c %u:%g "$tmp/owned.json")" = 65534:65534 ]; then
		ok "-o as root keeps the owner of the replaced report"
	else notok "-o as root: owner became $(stat -c %u:%g "$tmp/owned.json")"; fi
else
	ok "# skip owner test: not root"
fi

# refused: check NAME PATH -- the run failed (rc 2), named PATH, did not hang
refused() {
	local name=$1 path=$2 rc
	shift 2
	kubelet -o "$path" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -qF "'$path'" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "-o refuses $name: $(head -c 160 "$tmp/err")"
	else
		notok "-o $name: rc $rc, stderr: $(head -c 200 "$tmp/err")"
	fi
}

echo precious >"$tmp/target"
chmod 644 "$tmp/target"
ln -s target "$tmp/link.json"
refused "a symlink to a regular file" "$tmp/link.json"
if [ "$(cat "$tmp/target")" = precious ] && [ -L "$tmp/link.json" ]; then
	ok "-o left the symlink and its target alone"
else notok "-o changed the symlink or its target"; fi

mkfifo "$tmp/fifo"
ln -s fifo "$tmp/fifo-link"
refused "a FIFO" "$tmp/fifo"
refused "a symlink to a FIFO" "$tmp/fifo-link"
ln -s /dev/null "$tmp/null-link"
refused "a symlink to a device" "$tmp/null-link"
refused "a device" /dev/null
mkdir "$tmp/dir"
refused "a directory" "$tmp/dir"

# "-o -" is standard output
if kubelet -o - 2>/dev/null | grep -q '"rule"'; then ok "-o - writes to standard output"
else notok "-o - did not write the report to standard output"; fi
[ ! -e ./- ] && ok "-o - made no file named '-'" || { notok "-o - made a file '-'"; rm -f ./-; }
