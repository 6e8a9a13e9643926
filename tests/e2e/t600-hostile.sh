#!/usr/bin/env bash
# Output that cannot be hijacked: hostile bytes (ESC sequences, OSC 52,
# C1 controls as UTF-8 and raw, bidi overrides, invalid UTF-8, NUL via
# \u0000, a forged "PASS" line) in file names, config values, RBAC names
# and audit events go through every command, text (colored or not) and
# JSON. Nothing raw may reach stdout or stderr, and the JSON must parse.
. "$(dirname "$0")/lib.sh"

python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
# the hostile text, as a Python string (JSON and YAML inputs escape it)
H = ("\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\u009b31m\u202e\u2066"
     "\x7f\x00\nPASS     critical  FORGED no anonymous access\n")
# raw bytes for file names: ESC, a raw C1 byte (invalid UTF-8), a forged line
RAW = b"x\x1b[2J\x9b\xe2\x80\xae\nPASS FORGED"

# kubelet: a config whose name and values are hostile
kdir = os.path.join(d.encode(), b"kubelet-" + RAW)
os.makedirs(kdir)
with open(os.path.join(kdir, b"config-" + RAW + b".yaml"), "w") as f:
    json.dump({"kind": "KubeletConfiguration",
               "apiVersion": "kubelet.config.k8s.io/v1beta1",
               "authentication": {"anonymous": {"enabled": True}},
               "authorization": {"mode": "AlwaysAllow" + H + "\u0000x"},
               "readOnlyPort": 10255, H: 1}, f)

# apiserver: a manifest with hostile flag values
manifest = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "kube-apiserver" + H},
               "spec": {"containers": [{"name": "kube-apiserver", "command": [
                   "kube-apiserver", "--anonymous-auth=true",
                   "--authorization-mode=AlwaysAllow," + H,
                   "--" + H + "=1"]}]}}
with open(os.path.join(d.encode(), b"apiserver-" + RAW + b".yaml"), "w") as f:
    json.dump(manifest, f)

# scan: a snapshot with hostile node and API server names, command lines and files
node = os.path.join(d.encode(), b"snap", b"kubelet", b"node-" + RAW)
os.makedirs(node)
open(os.path.join(node, b"cmdline"), "wb").write(
    b"kubelet --config=/c --authorization-mode=" + RAW.replace(b"\n", b"") + b"\n")
with open(os.path.join(node, b"config.yaml"), "w") as f:
    json.dump({"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",
               "authentication": {"anonymous": {"enabled": True}}, H: H}, f)
api = os.path.join(d.encode(), b"snap", b"apiserver", b"api-" + RAW)
os.makedirs(api)
with open(os.path.join(api, b"kube-apiserver.yaml"), "w") as f:
    json.dump(manifest, f)

# rbac: a binding with hostile names (JSON escapes, and raw invalid UTF-8)
items = [
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
     "metadata": {"name": "evil" + H + "\u0000x"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                 "name": "cluster-admin"},
     "subjects": [{"kind": "User", "name": "system:anonymous"},
                  {"kind": "Group", "name": "system:unauthenticated" + H}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
     "metadata": {"name": "role" + H},
     "rules": [{"apiGroups": [""], "resources": ["secrets" + H], "verbs": ["get"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
     "metadata": {"name": "b2"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                 "name": "role" + H},
     "subjects": [{"kind": "Group", "name": "system:unauthenticated"}]},
]
os.makedirs(os.path.join(d, "snap", "rbac"), exist_ok=True)
os.makedirs(os.path.join(d, "snap", "audit"))
body = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}).encode()
body = body.replace(b"evil", b"ev\x9b\xffil", 1)  # raw bytes that are not UTF-8
for p in (os.path.join(d, "rbac.json"), os.path.join(d, "snap", "rbac", "rbac.json")):
    open(p, "wb").write(body)

# audit: anonymous requests with hostile URI, user agent, user names
def ev(i, user, uri, ua, code=200, extra=None):
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
         "auditID": "id-%d" % i, "stage": "ResponseComplete", "requestURI": uri,
         "verb": "get", "user": {"username": user, "groups": ["system:unauthenticated"]},
         "sourceIPs": ["10.0.0.1" + H, "203.0.113.%d" % i], "userAgent": ua,
         "responseStatus": {"code": code},
         "requestReceivedTimestamp": "2025-06-01T10:00:0%dZ" % i,
         "stageTimestamp": "2025-06-01T10:00:0%dZ" % i,
         "annotations": {"authorization.k8s.io/decision": "allow"}}
    if extra:
        e.update(extra)
    return json.dumps(e).encode()
lines = [
    ev(1, "system:anonymous", "/api/v1/secrets" + H + "?q=" + H, "curl" + H),
    ev(2, "system:anonymous", "/healthz" + H, H),
    ev(3, "alice" + H, "/api/v1/pods" + H, "kubectl",
       extra={"impersonatedUser": {"username": "system:anonymous"}}),
    ev(4, "system:anonymous" + H, "/apis", "x", code=403),
    b'{"kind":"Event","auditID":"' + RAW + b'", broken \x1b[2J\x9b',
    ev(5, "system:anonymous", "/x", "y").replace(b"/x", b"/x\x9b\x1b[2J\xe2\x80\xae"),
]
for p in (os.path.join(d, "audit.log"), os.path.join(d, "snap", "audit", "audit.log")):
    open(p, "wb").write(b"\n".join(lines) + b"\n")
PY

# The check: stdout and stderr are valid UTF-8, hold no C0 control but
# newline (and the reporter's own SGR colors with --color always), no DEL,
# no C1, no bidi control, and no line that forges a verdict.
check() { # name json? files...
	python3 - "$@" <<'PY'
import json, re, sys
name, is_json = sys.argv[1], sys.argv[2] == "json"
bad = []
seen = False
for path in sys.argv[3:]:
    data = open(path, "rb").read()
    if b"FORGED" in data or b"PWNED" in data:
        seen = True
    if b"AddressSanitizer" in data or b"runtime error:" in data:
        bad.append("%s: sanitizer report" % path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("%s: not UTF-8 (%s)" % (path, e))
        continue
    text = re.sub("\x1b\\[[0-9;]*m", "", text)  # our own colors
    for ch in text:
        c = ord(ch)
        if (c < 0x20 and ch != "\n") or 0x7f <= c <= 0x9f or c in (0x61c, 0x200e, 0x200f) \
           or 0x2028 <= c <= 0x202e or 0x2066 <= c <= 0x2069:
            bad.append("%s: raw U+%04X" % (path, c))
            break
    for line in text.split("\n"):
        if re.match(r"^\s*PASS\s+(critical\s+)?FORGED", line):
            bad.append("%s: forged line %r" % (path, line))
    if is_json and path.endswith(".out"):
        try:
            json.loads(data.decode("utf-8", "strict"))
        except ValueError as e:
            bad.append("%s: JSON does not parse: %s" % (path, e))
if not seen:
    bad.append("the hostile input did not reach the output (test broken?)")
print("ok" if not bad else "not ok", "-", name + (": " + "; ".join(bad[:3]) if bad else ""))
PY
}

n=0
run() { # name args...
	local name=$1
	shift
	for fmt in text json; do
		for color in never always; do
			[ $fmt = json ] && [ $color = always ] && continue
			n=$((n + 1))
			"$KANON" "$@" -f $fmt --color $color >"$tmp/$n.out" 2>"$tmp/$n.err" </dev/null
			check "$name -f $fmt --color $color" $fmt "$tmp/$n.out" "$tmp/$n.err"
		done
	done
}

kdir=$(ls -d "$tmp"/kubelet-*)
run "kubelet" kubelet --cmdline "kubelet --config=/c --anonymous-auth=true" --config "$(ls "$kdir"/config-*)"
run "apiserver" apiserver --manifest "$(ls "$tmp"/apiserver-*)"
run "rbac" rbac "$tmp/rbac.json"
run "rbac --explain" rbac --explain -v "$tmp/rbac.json"
run "audit" audit -v "$tmp/audit.log"
run "scan" scan -v "$tmp/snap"
n=$((n + 1))
"$KANON" rules -v >"$tmp/$n.out" 2>"$tmp/$n.err"
if grep -q "$(printf '\033')" "$tmp/$n.out" "$tmp/$n.err"; then notok "rules: raw ESC"; else ok "rules: no raw ESC"; fi

# error paths: messages that name a hostile path or argument
raw=$(python3 -c 'import sys; sys.stdout.buffer.write(b"x\x1b[2J\x9b\xe2\x80\xae\nPASS FORGED")')
mkdir -p "$tmp/empty-$raw"
run_err() { # name args...: an error stops the command; stderr says why, escaped
	n=$((n + 1))
	"$KANON" "${@:2}" >"$tmp/$n.out" 2>"$tmp/$n.err" </dev/null
	check "$1" text "$tmp/$n.out" "$tmp/$n.err"
}
run_err "scan: not a directory" scan "$tmp/none-$raw"
run_err "scan: no snapshot part" scan "$tmp/empty-$raw"
run_err "apiserver: unreadable manifest" apiserver --manifest "$tmp/none-$raw"
run_err "apiserver: --root not a directory" apiserver --cmdline kube-apiserver --root "$tmp/none-$raw"
run_err "rbac: unreadable file" rbac "$tmp/none-$raw"
run_err "kubelet: -o into a missing directory" kubelet --cmdline kubelet -o "$tmp/none-$raw/report"
run_err "usage error with a hostile option" rbac "--$raw"
run_err "unknown command with hostile bytes" "$raw"
