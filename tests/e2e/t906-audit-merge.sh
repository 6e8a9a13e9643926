#!/usr/bin/env bash
# kanon audit --part-out / --merge (docs/audit.md, "Beyond one machine"): a generated log
# (../shared/bench/gen_audit.py, fixed seed) cut at line boundaries between the stages of
# requests into 4 parts (one gzip'ed), a part of each, merged in another order: every
# format equals the single run over the parts' files (only the run's duration differs),
# and the JSON equals the run over the concatenated log once the file:line evidence is
# mapped to the concatenation. The corpus logs merged likewise; hostile parts refused.
. "$(dirname "$0")/lib.sh"
SHARED=${SHARED:-../shared}
GEN=$SHARED/bench/gen_audit.py
if [ ! -f "$GEN" ] || ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	notok "- t906: gen_audit.py, python3 or jq missing"
	exit 0
fi
t() { if [ "$2" = 0 ]; then ok "- t906: $1"; else notok "- t906: $1"; fi; }
A() { "$KANON" audit --no-progress "$@"; }

python3 "$GEN" --out "$tmp/all.log" --size-mb 20 --hours 6 --seed 11 >/dev/null 2>&1
# cut after a RequestReceived line whose request ends in the next part
python3 - "$tmp/all.log" "$tmp" <<'EOF' >"$tmp/cuts"
import json, sys
lines = open(sys.argv[1]).read().splitlines(True)
cuts, start = [], 0
for frac in (0.2, 0.45, 0.7):
    i = int(len(lines) * frac)
    while json.loads(lines[i])["stage"] != "RequestReceived":
        i += 1
    cuts.append(i + 1)
bounds = [0] + cuts + [len(lines)]
for k in range(4):
    open("%s/p%d.log" % (sys.argv[2], k + 1), "w").writelines(lines[bounds[k]:bounds[k + 1]])
print(" ".join(str(c) for c in cuts))
EOF
gzip "$tmp/p4.log"
ps="$tmp/p1.log $tmp/p2.log $tmp/p3.log $tmp/p4.log.gz"
rc=0
for i in 1 2 3; do A --part-out "$tmp/p$i.part" "$tmp/p$i.log" || rc=1; done
A --part-out "$tmp/p4.part" "$tmp/p4.log.gz" || rc=1
t "a part of each of the 4 pieces (cut at lines $(cat "$tmp/cuts")), exit 0" $rc
t "a part is versioned JSON: kind kanon.audit.part, version 2, mode 0600" \
	"$(jq -e '.kind == "kanon.audit.part" and .version == 2' "$tmp/p2.part" >/dev/null &&
		[ "$(stat -c %a "$tmp/p2.part")" = 600 ]; echo $?)"
t "requests cut between their stages: parts carry open requests and deferred lines" \
	"$(jq -s -e '(map(.open | length) | add) > 0 and (map(.deferred | length) | add) > 0' \
		"$tmp"/p?.part >/dev/null; echo $?)"

# every format: the merge (parts in another order) equals the single run over the files
rc=0
for f in json text sarif junit html prometheus; do
	A -f "$f" $ps >"$tmp/single.$f" 2>/dev/null
	s=$?
	A --merge -f "$f" "$tmp/p3.part" "$tmp/p1.part" "$tmp/p4.part" "$tmp/p2.part" \
		>"$tmp/merged.$f" 2>/dev/null
	m=$?
	[ "$f" = prometheus ] &&
		sed -i '/^kanon_scan_duration_seconds \|^kanon_last_run_timestamp_seconds /d' "$tmp/single.$f" "$tmp/merged.$f"
	if [ "$s" != "$m" ] || ! cmp -s "$tmp/single.$f" "$tmp/merged.$f"; then
		echo "    -f $f: exit $s and $m"
		diff "$tmp/single.$f" "$tmp/merged.$f" | head -10 | sed 's/^/    /'
		rc=1
	fi
done
t "-f json, text, sarif, junit, html, prometheus: merged == single run (except the duration)" $rc
t "the run has findings of every kind (the comparison compares something)" \
	"$(jq -e '([.findings[].rule] | unique) == ["audit-anonymous-access","audit-log-gap","audit-rbac-anonymous-grant"]
	    and .audit.anonymous.requests > 0 and (.audit.gaps | length) > 0' "$tmp/merged.json" >/dev/null; echo $?)"

/usr/bin/python3 tests/tools/json_schema.py docs/kanon-report.schema.json "$tmp/merged.json" >/dev/null 2>&1
t "the merged JSON report validates against docs/kanon-report.schema.json" $?

# against the concatenated log: the same once file:line is mapped to the concatenation
A -f json "$tmp/all.log" >"$tmp/concat.json" 2>/dev/null
python3 - "$tmp" <<'EOF' >"$tmp/norm.out"
import gzip, json, re, sys
d = sys.argv[1]
off, n = {}, 0
for name in ("p1.log", "p2.log", "p3.log", "p4.log.gz"):
    off[d + "/" + name] = n
    op = gzip.open if name.endswith(".gz") else open
    n += sum(1 for _ in op(d + "/" + name, "rt"))
def fix(o):
    if isinstance(o, dict):
        if o.get("path") in off and "line" in o:
            o["line"] += off[o["path"]]; o["path"] = d + "/all.log"
        if o.get("file") in off and "line" in o:
            o["line"] += off[o["file"]]; o["file"] = d + "/all.log"
        for v in o.values(): fix(v)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            if isinstance(v, str):
                m = re.match(r"(.*?):(\d+)(.*)", v, re.S)
                if m and m.group(1) in off:
                    o[i] = "%s/all.log:%d%s" % (d, int(m.group(2)) + off[m.group(1)], m.group(3))
            else:
                fix(v)
m = json.load(open(d + "/merged.json")); c = json.load(open(d + "/concat.json"))
fix(m)
m["audit"]["files"] = c["audit"]["files"]
print("same" if m == c else "differ")
EOF
t "merged == the run over the concatenated log (file:line mapped, files list)" \
	"$([ "$(cat "$tmp/norm.out")" = same ]; echo $?)"

# one part of several files, another of the rest (as the indexed Job splits an archive)
A --part-out "$tmp/odd.part" "$tmp/p3.log" "$tmp/p1.log" &&
	A --part-out "$tmp/even.part" "$tmp/p4.log.gz" "$tmp/p2.log" &&
	A --merge -f json "$tmp/even.part" "$tmp/odd.part" >"$tmp/m2.json" 2>/dev/null
t "parts of several files each (files 1,3 and 2,4): the same JSON as the single run" \
	"$(cmp -s "$tmp/m2.json" "$tmp/single.json"; echo $?)"

# Requests a part defers (received in its files' first 5 minutes) are judged by --merge
# after the groups it imports: they take their place in read order (the group's first
# request, its first five sources), as the single run judged them where they were read.
# Half the requests anonymous, 4 files cut anywhere, one part of them all, and 4 parts.
# cut4 NAME: $tmp/NAME.log cut anywhere into 4 files, audited at once ($tmp/NAME.single),
# as one part of the 4 and as 4 parts merged in another order: 0 when both merges give
# the single run's JSON
cut4() {
	local n=$1 rc=0 m
	split -n l/4 -d "$tmp/$n.log" "$tmp/$n"
	A -f json "$tmp/${n}0"[0-3] >"$tmp/$n.single" 2>/dev/null
	A --part-out "$tmp/$n.part" "$tmp/${n}0"[0-3] || rc=1
	A --merge -f json "$tmp/$n.part" >"$tmp/$n.one" 2>/dev/null
	for i in 0 1 2 3; do A --part-out "$tmp/$n$i.part" "$tmp/${n}0$i" || rc=1; done
	A --merge -f json "$tmp/${n}2.part" "$tmp/${n}0.part" "$tmp/${n}3.part" "$tmp/${n}1.part" \
		>"$tmp/$n.four" 2>/dev/null
	for m in one four; do
		cmp -s "$tmp/$n.single" "$tmp/$n.$m" && continue
		diff <(jq -c '.findings[]' "$tmp/$n.single") <(jq -c '.findings[]' "$tmp/$n.$m") |
			head -4 | cut -c1-300 | sed 's/^/    /'
		rc=1
	done
	return $rc
}
python3 "$GEN" --out "$tmp/h.log" --size-mb 6 --hours 3 --seed 12 --anon-frac 0.5 >/dev/null 2>&1
cut4 h
rc=$?
t "deferred lines judged by --merge in read order (one part of 4 files, 4 parts): the single run's JSON" \
	"$([ $rc = 0 ] && [ "$(jq '[.findings[] | select(.message | test("discovery requests"))] | length' "$tmp/h.single")" -ge 3 ]; echo $?)"

# The same log with anonymous exec sessions that never complete (open at the end) and more
# successful secret reads than the single findings' limit (1000; the rest grouped).
python3 - "$tmp/h.log" "$tmp/x.log" <<'EOF'
import json, random, sys, uuid
random.seed(5)
out = open(sys.argv[1]).read().splitlines()
def ev(stage, res, sub, name, verb, ts, aid, code=None):
    uri = "/api/v1/namespaces/default/%s/%s%s" % (res, name, "/exec?command=sh" if sub else "")
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": aid,
         "stage": stage, "requestURI": uri, "verb": verb,
         "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
         "sourceIPs": ["203.0.113.%d" % random.randint(1, 200)], "userAgent": "kubectl/v1.30.0",
         "objectRef": {"resource": res, "namespace": "default", "name": name, "apiVersion": "v1"},
         "requestReceivedTimestamp": ts, "stageTimestamp": ts,
         "annotations": {"authorization.k8s.io/decision": "allow",
                         "authorization.k8s.io/reason": "RBAC: allowed"}}
    if sub:
        e["objectRef"]["subresource"] = sub
    if code:
        e["responseStatus"] = {"metadata": {}, "code": code}
    return json.dumps(e, separators=(",", ":"))
for k in range(1400):
    i = random.randrange(1, len(out))
    ts = json.loads(out[i - 1])["stageTimestamp"]
    aid = str(uuid.UUID(int=random.getrandbits(128)))
    if k < 300:
        stages = [("RequestReceived", None), ("ResponseStarted", 101)]
        out[i:i] = [ev(s, "pods", "exec", "web-%d" % k, "create", ts, aid, c) for s, c in stages]
    else:
        stages = [("RequestReceived", None), ("ResponseComplete", 200)]
        out[i:i] = [ev(s, "secrets", None, "s-%d" % k, "get", ts, aid, c) for s, c in stages]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
cut4 x
rc=$?
t "300 exec sessions never complete, 1100 secret reads (past the 1000 single findings): merged == single run" \
	"$([ $rc = 0 ] && jq -e '.findings | length > 1000' "$tmp/x.single" >/dev/null; echo $?)"

# the corpus: a part per file, merged, equals the single run over them
C=$SHARED/corpus/auditlogs
mapfile -t cf < <(ls "$C"/*.json "$C"/*.jsonl "$C"/*.log 2>/dev/null | head -40)
rc=0
parts=()
for f in "${cf[@]}"; do
	k=${#parts[@]}
	A --part-out "$tmp/c$k.part" "$f" 2>/dev/null
	parts+=("$tmp/c$k.part")
done
A -f json "${cf[@]}" >"$tmp/cs.json" 2>/dev/null
A --merge -f json "${parts[@]}" >"$tmp/cm.json" 2>/dev/null
# the files in the order they are read (by their first event), not as given
jq -S 'del(.diagnostics) | .audit.files |= sort' "$tmp/cs.json" >"$tmp/cs.n"
jq -S 'del(.diagnostics) | .audit.files |= sort' "$tmp/cm.json" >"$tmp/cm.n"
cmp -s "$tmp/cs.n" "$tmp/cm.n" || { diff "$tmp/cs.n" "$tmp/cm.n" | head -10 | sed 's/^/    /'; rc=1; }
t "${#cf[@]} corpus logs, a part each, merged: the single run's JSON (diagnostics aside)" $rc

# hostile parts: one line naming the part, exit 2
bad() {
	A --merge "$tmp/bad.part" "$tmp/p1.part" >/dev/null 2>"$tmp/err"
	local rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "bad.part" "$tmp/err" &&
		grep -q "$1" "$tmp/err"
}
rc=0
head -c 5000 "$tmp/p2.part" >"$tmp/bad.part"
bad "not a kanon audit part" || { echo "    truncated: $(cat "$tmp/err")"; rc=1; }
jq '.version = 1' "$tmp/p2.part" >"$tmp/bad.part"
bad "another version" || { echo "    version: $(cat "$tmp/err")"; rc=1; }
jq '.kind = "kanon.report"' "$tmp/p2.part" >"$tmp/bad.part"
bad "not a kanon audit part" || { echo "    kind: $(cat "$tmp/err")"; rc=1; }
jq '.deferred[0].file = 7' "$tmp/p2.part" >"$tmp/bad.part"
bad '"file" is not an integer' || { echo "    file index: $(cat "$tmp/err")"; rc=1; }
jq '.counters.requests = -1' "$tmp/p2.part" >"$tmp/bad.part"
bad '"requests" is not an integer' || { echo "    negative: $(cat "$tmp/err")"; rc=1; }
jq '.counters.events = 1e300' "$tmp/p2.part" >"$tmp/bad.part"
bad '"events" is not an integer' || { echo "    huge: $(cat "$tmp/err")"; rc=1; }
jq '.timeline.buckets[0][0] += 1' "$tmp/p2.part" >"$tmp/bad.part"
bad "timeline bucket" || { echo "    bucket: $(cat "$tmp/err")"; rc=1; }
jq '.open[0].hi = "xyz"' "$tmp/p2.part" >"$tmp/bad.part"
bad "hex digits" || { echo "    id: $(cat "$tmp/err")"; rc=1; }
jq '.maps.uris = {}' "$tmp/p2.part" >"$tmp/bad.part"
bad '"uris" is not an array' || { echo "    map: $(cat "$tmp/err")"; rc=1; }
jq '.open[0].acls = 135' "$tmp/p2.part" >"$tmp/bad.part"
bad '"acls" 135' || { echo "    acls: $(cat "$tmp/err")"; rc=1; }
jq '.deferred[0].flags = 1' "$tmp/p2.part" >"$tmp/bad.part"
bad '"flags" 1' || { echo "    flags: $(cat "$tmp/err")"; rc=1; }
jq '.files = []' "$tmp/p2.part" >"$tmp/bad.part"
bad 'names a file of a part that has none' || { echo "    no files: $(cat "$tmp/err")"; rc=1; }
cp "$tmp/p1.part" "$tmp/bad.part"
bad 'both hold the log' || { echo "    same log twice: $(cat "$tmp/err")"; rc=1; }
A --gap 10m --part-out "$tmp/bad.part" "$tmp/p2.log"
bad "other options" || { echo "    options: $(cat "$tmp/err")"; rc=1; }
t "hostile parts (cut, other version or kind, indexes, numbers, types, class and flag bits, no files, the same log twice, options): one line naming the part, exit 2" $rc
A --merge --gap 10m "$tmp/p1.part" >/dev/null 2>"$tmp/err"
t "--gap with --merge is a usage error (the parts fix it)" \
	"$([ $? = 2 ] && grep -q "set when the parts are made" "$tmp/err"; echo $?)"
