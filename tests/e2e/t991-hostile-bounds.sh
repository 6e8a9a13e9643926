#!/usr/bin/env bash
# Hostile input that aims at memory and time rather than at the terminal
# (t600 covers output; t410 special files; t720 alias bombs; t510 gzip):
# documents of millions of nodes, nesting 100,000 deep, a 1 GB line, a
# directory where a file is expected, a log that grows while it is read,
# unreadable files and dangling links beside readable ones. Every run must
# end within its time, stay under 100 MB of peak RSS (normal build: ASan's
# shadow memory makes the sanitizer build's figure meaningless), and say
# what it did not read (docs/limits.md) instead of a verdict it cannot know.
. "$(dirname "$0")/lib.sh"

san=0
case "$KANON" in *build-san*) san=1 ;; esac

# run NAME CMD...: timed, RSS measured; sets rc, ms, kb; output in $tmp/NAME.{out,err}
run() {
	local name=$1 start
	shift
	start=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$tmp/$name.rss" timeout 60 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	kb=$(tail -n 1 "$tmp/$name.rss")
}

# bounded NAME MAX_MS: no crash, no timeout, in time and (normal build) under 100 MB
bounded() {
	if [ "$rc" -ge 124 ]; then
		notok "$1: killed or timed out (rc $rc)"
		head -3 "$tmp/$1.err" | sed 's/^/  /'
		return 1
	fi
	if [ "$ms" -gt "$2" ]; then
		notok "$1: took $ms ms (at most $2)"
		return 1
	fi
	if [ "$san" = 0 ] && [ "$kb" -gt 102400 ]; then
		notok "$1: peak RSS $kb KB (at most 100 MB)"
		return 1
	fi
	return 0
}

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
n = 3000000
kc = '"apiVersion":"kubelet.config.k8s.io/v1beta1","kind":"KubeletConfiguration"'
# 3,000,000 nodes in 6 MB: each node costs ~100 bytes as a tree
open(d + "/nodes-kubelet.json", "w").write("{" + kc + ',"x":[' + ",".join(["0"] * n) + "]}")
open(d + "/nodes-rbac.json", "w").write('{"kind":"List","items":[' + ",".join(["0"] * n) + "]}")
open(d + "/nodes-rbac.yaml", "w").write("kind: List\nitems:\n" + "- 0\n" * n)
open(d + "/nodes-authn.yaml", "w").write(
    "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nx:\n" + "- 0\n" * n)
# 100,000 levels of nesting
deep = "[" * 100000 + "]" * 100000
open(d + "/deep-kubelet.json", "w").write("{" + kc + ',"x":' + deep + "}")
open(d + "/deep-kubelet.yaml", "w").write(
    "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nx: " + deep + "\n")
open(d + "/deep-rbac.json", "w").write(deep)
open(d + "/deep-authn.yaml", "w").write(
    "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nx: " + deep + "\n")
ev = ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s",'
      '"stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list",'
      '"user":{"username":"system:anonymous","groups":["system:unauthenticated"]},'
      '"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"secrets","apiVersion":"v1"},'
      '"responseStatus":{"metadata":{},"code":200},'
      '"requestReceivedTimestamp":"2026-01-01T00:00:%02d.000000Z",'
      '"stageTimestamp":"2026-01-01T00:00:%02d.000000Z"}\n')
open(d + "/deep-audit.log", "w").write(ev % ("a-1", 1, 1) + '{"auditID":' + deep + "}\n" +
                                       ev % ("a-2", 2, 2))
open(d + "/ev.txt", "w").write(ev % ("grow-%d", 3, 3))
PY

# 1. millions of nodes: read or refused within the bound, the verdict UNKNOWN, never INVALID
# (named by the user and not read: exit 2, as for a file that cannot be opened)
run nodes-kubelet "$KANON" kubelet -f json --config "$tmp/nodes-kubelet.json"
if bounded nodes-kubelet 20000; then
	if [ $rc = 2 ] && grep -q '"rule":"kubelet-anonymous-auth","status":"UNKNOWN"' "$tmp/nodes-kubelet.out" &&
		grep -q "kanon does not read .*more than 500000 nodes" "$tmp/nodes-kubelet.out" &&
		! grep -q '"status":"INVALID"' "$tmp/nodes-kubelet.out"; then
		ok "3,000,000-node KubeletConfiguration: UNKNOWN (kanon's limit, not the kubelet's), $kb KB, $ms ms"
	else
		notok "3,000,000-node KubeletConfiguration: rc $rc, expected UNKNOWN with the limit"
		head -5 "$tmp/nodes-kubelet.out" | sed 's/^/  /'
	fi
fi
run nodes-authn "$KANON" apiserver -f json --authentication-config "$tmp/nodes-authn.yaml" \
	--cmdline "kube-apiserver --authorization-mode=Node,RBAC --authentication-config=$tmp/nodes-authn.yaml"
if bounded nodes-authn 20000; then
	if grep -q '"rule":"apiserver-anonymous-auth","status":"UNKNOWN"' "$tmp/nodes-authn.out" &&
		grep -q "kanon does not read" "$tmp/nodes-authn.out" &&
		! grep -q '"status":"INVALID"' "$tmp/nodes-authn.out"; then
		ok "3,000,000-node AuthenticationConfiguration: UNKNOWN, $kb KB, $ms ms"
	else
		notok "3,000,000-node AuthenticationConfiguration: rc $rc"
		head -5 "$tmp/nodes-authn.out" | sed 's/^/  /'
	fi
fi
for f in nodes-rbac.json nodes-rbac.yaml; do
	run "$f" "$KANON" rbac -v -f json "$tmp/$f"
	if bounded "$f" 30000; then
		# 3,000,000 items that are not objects: each skipped with a note, the
		# notes past 1,000 counted in one
		if python3 - "$tmp/$f.out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
diags = d["diagnostics"]
import re
assert len(diags) == 1001, len(diags)
m = re.match(r"(\d+) more diagnostics not shown", diags[-1]["message"])
assert m and int(m.group(1)) >= 2990000, diags[-1]
PY
			ok "rbac $f: 3,000,000 items, 1,000 notes kept and the rest counted, $kb KB, $ms ms"
		else
			notok "rbac $f: diagnostics not bounded as documented"
		fi
	fi
done

# 2. 100,000 levels of nesting: an error naming the file and line, in time
run deep-kubelet-json "$KANON" kubelet -f json --config "$tmp/deep-kubelet.json"
bounded deep-kubelet-json 10000 && { grep -q "nesting deeper than" "$tmp/deep-kubelet-json.out" &&
	! grep -q '"status":"INVALID"' "$tmp/deep-kubelet-json.out"; } &&
	ok "kubelet: JSON nested 100,000 deep: UNKNOWN (nesting limit), $ms ms" ||
	notok "kubelet: JSON nested 100,000 deep (rc $rc)"
run deep-kubelet-yaml "$KANON" kubelet -f json --config "$tmp/deep-kubelet.yaml"
bounded deep-kubelet-yaml 10000 && grep -q "nesting deeper than" "$tmp/deep-kubelet-yaml.out" &&
	ok "kubelet: YAML flow nested 100,000 deep: UNKNOWN (nesting limit), $ms ms" ||
	notok "kubelet: YAML nested 100,000 deep (rc $rc)"
run deep-rbac "$KANON" rbac "$tmp/deep-rbac.json"
bounded deep-rbac 10000 && [ $rc = 2 ] && grep -q "deep-rbac.json:1: .*nesting deeper" "$tmp/deep-rbac.err" &&
	ok "rbac: nested 100,000 deep: error with file:line, exit 2, $ms ms" ||
	notok "rbac: nested 100,000 deep (rc $rc)"
run deep-authn "$KANON" apiserver -f json --authentication-config "$tmp/deep-authn.yaml" \
	--cmdline "kube-apiserver --authentication-config=$tmp/deep-authn.yaml"
bounded deep-authn 10000 && grep -q '"rule":"apiserver-anonymous-auth","status":"UNKNOWN"' "$tmp/deep-authn.out" &&
	ok "apiserver: AuthenticationConfiguration nested 100,000 deep: UNKNOWN, $ms ms" ||
	notok "apiserver: AuthenticationConfiguration nested 100,000 deep (rc $rc)"
run deep-audit "$KANON" audit -f json --no-progress "$tmp/deep-audit.log"
if bounded deep-audit 10000 && python3 - "$tmp/deep-audit.out" <<'PY'; then
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert a["lines"] == 3 and a["events"] == 2, (a["lines"], a["events"])
PY
	ok "audit: a line nested 100,000 deep between two events: unread, both events read, $ms ms"
else
	notok "audit: a line nested 100,000 deep (rc $rc)"
fi

# 3. one line of 1 GB (256 MB under the sanitizers): read in bounded memory, counted unread
big=1024
[ "$san" = 1 ] && big=256
{
	cat "$tmp/ev.txt" | sed 's/grow-%d/before/'
	printf '{"auditID":"x","requestURI":"'
	head -c $((big << 20)) /dev/zero | tr '\0' 'a'
	printf '"}\n'
	cat "$tmp/ev.txt" | sed 's/grow-%d/after/'
} >"$tmp/line.log"
run line "$KANON" audit -f json --no-progress "$tmp/line.log"
if bounded line 120000 && python3 - "$tmp/line.out" <<'PY'; then
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert a["lines"] == 3 and a["events"] == 2, (a["lines"], a["events"])
assert sum(r["count"] for r in a["unread"]["reasons"]) >= 1 if "unread" in a else True
PY
	ok "audit: one line of $big MB between two events: both read, $kb KB, $ms ms"
else
	notok "audit: one line of $big MB (rc $rc, $kb KB)"
	head -c 400 "$tmp/line.out" | sed 's/^/  /'
fi
rm -f "$tmp/line.log"

# 4. a directory where a file is expected: one error line naming it, exit 2
mkdir -p "$tmp/adir"
for c in "kubelet --config" "kubelet --configz" "apiserver --manifest" "apiserver --config-file"; do
	# shellcheck disable=SC2086
	run dir "$KANON" $c "$tmp/adir"
	if [ $rc = 2 ] && grep -q "adir" "$tmp/dir.err" && [ "$(wc -l <"$tmp/dir.err")" -le 2 ]; then
		ok "$c DIR: an error naming it, exit 2"
	else
		notok "$c DIR: rc $rc"
		head -3 "$tmp/dir.err" | sed 's/^/  /'
	fi
done

# 5. an audit log that grows while it is read: kanon reads what it finds and ends
awk '{ for (i = 1; i <= 20000; i++) { l = $0; sub(/grow-%d/, "g" i, l); print l } }' "$tmp/ev.txt" >"$tmp/grow.log"
(
	i=0
	while [ $i -lt 200 ]; do
		sed "s/grow-%d/late-$i/" "$tmp/ev.txt" >>"$tmp/grow.log"
		i=$((i + 1))
		sleep 0.01
	done
) &
pids+=($!)
run grow "$KANON" audit -f json --no-progress "$tmp/grow.log"
if bounded grow 30000 && python3 - "$tmp/grow.out" <<'PY'; then
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert 20000 <= a["events"] <= 20200, a["events"]
PY
	ok "audit: a log appended to while read: ends, every event read counted once"
else
	notok "audit: a growing log (rc $rc)"
fi

# 6. unreadable files (as an unprivileged user: root reads mode 000) and a
# dangling link beside a readable file: named ones are errors, found ones warnings
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$tmp/u/rbac"
	cp tests/fixtures/rbac/anon-view-edit-admin.yaml "$tmp/u/rbac/ok.yaml"
	printf 'kind: List\n' >"$tmp/u/rbac/secret.yaml"
	chmod 000 "$tmp/u/rbac/secret.yaml"
	ln -s gone.yaml "$tmp/u/rbac/dangling.yaml"
	chmod -R a+rX "$tmp/u" 2>/dev/null
	chmod 000 "$tmp/u/rbac/secret.yaml"
	chmod 755 "$tmp"
	run unreadable setpriv --reuid=65534 --regid=65534 --clear-groups "$KANON" rbac -f json "$tmp/u/rbac"
	if grep -q "secret.yaml.*Permission denied" "$tmp/unreadable.err" &&
		grep -q "dangling.yaml" "$tmp/unreadable.err" &&
		grep -q '"rule":"rbac-anonymous-binding","status":"FAIL"' "$tmp/unreadable.out"; then
		ok "rbac DIR with an unreadable file and a dangling link: both reported, the readable file judged"
	else
		notok "rbac DIR with an unreadable file and a dangling link (rc $rc)"
		head -4 "$tmp/unreadable.err" | sed 's/^/  /'
	fi
	run unreadable-named setpriv --reuid=65534 --regid=65534 --clear-groups "$KANON" kubelet \
		--config "$tmp/u/rbac/secret.yaml"
	[ $rc = 2 ] && grep -q "Permission denied" "$tmp/unreadable-named.err" &&
		ok "kubelet --config UNREADABLE: error, exit 2" ||
		notok "kubelet --config UNREADABLE (rc $rc)"
else
	ok "unreadable files # SKIP needs root and setpriv (util-linux)"
fi
