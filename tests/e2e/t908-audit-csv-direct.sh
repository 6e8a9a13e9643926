#!/usr/bin/env bash
# kanon audit: an AKSAudit CSV export's rows are made into their Events by the CSV reader
# (src/sources/audit_csv.c, parsers/aks.c), not into JSON objects of strings read again by
# audit_fmt_aks_row() (issue 10: 8.8x the native time). The same rows with a header the
# direct path refuses (a column named twice) take the old way: both reports must be the same,
# row for row, on rows made to break it: escapes, quotes and newlines in fields, NUL bytes,
# dynamic columns that are not one JSON value (trailing text, \u0000, 70 levels, a newline),
# [UTC] portal times good and bad, empty AuditId, wrong field counts, blank lines, a field
# too large for a row, and a quoted field cut by the end of the file.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { notok "- t908: python3 missing"; exit 0; }

mkdir -p "$tmp/direct" "$tmp/old"
python3 - "$tmp" <<'EOF'
import csv, io, json, sys

tmp = sys.argv[1]
cols = ["TimeGenerated", "AuditId", "Stage", "RequestUri", "Verb", "User", "ImpersonatedUser",
        "SourceIps", "UserAgent", "ObjectRef", "ResponseStatus", "RequestObject",
        "ResponseObject", "RequestReceivedTime", "StageReceivedTime", "StageReceivedTime [UTC]",
        "Annotations", "Level", "Category", "Type"]
anon = json.dumps({"username": "system:anonymous", "groups": ["system:unauthenticated"]})
admin = json.dumps({"username": "kubernetes-admin", "groups": ["system:masters"]})


def row(i, **kw):
    r = {"TimeGenerated": "2025-06-01T10:00:%02dZ" % (i % 60), "AuditId": "id-%d" % i,
         "Stage": "ResponseComplete", "RequestUri": "/api/v1/secrets?i=%d" % i, "Verb": "list",
         "User": anon if i % 2 else admin, "SourceIps": json.dumps(["10.0.0.%d" % (i % 250)]),
         "UserAgent": "curl/8.5", "ObjectRef": json.dumps({"resource": "secrets"}),
         "ResponseStatus": json.dumps({"code": 200 if i % 3 else 403}),
         "RequestReceivedTime": "2025-06-01T10:00:%02d.000000Z" % (i % 60),
         "StageReceivedTime": "2025-06-01T10:00:%02d.100000Z" % (i % 60),
         "Annotations": json.dumps({"authorization.k8s.io/decision": "allow"}),
         "Level": "Metadata", "Category": "kube-audit", "Type": "AKSAudit"}
    r.update(kw)
    return r


rows = [row(i) for i in range(40)]
deep = "[" * 70 + "]" * 70
rows += [
    row(100, AuditId='a"b\\c'),
    row(101, RequestUri='/api/v1/pods?q="x"\\y\n\tz\x01', Verb="get"),
    row(102, UserAgent="curl/\\u0000 8.5 say \"hi\""),
    row(103, AuditId="nul\x00byte"),
    row(104, User='{"username":"system:anonym\\u006fus"}'),
    row(105, User='{"username":"system:anonymous","x":"\\u0000"}'),
    row(106, User='{"username":"system:anonymous"} trailing'),
    row(107, User='{"username":\n"system:anonymous"}'),
    row(108, User='{"username":'),
    row(109, ObjectRef=deep),
    row(110, StageReceivedTime="", **{"StageReceivedTime [UTC]": "6/1/2025, 10:00:00.123 AM"}),
    row(111, StageReceivedTime="", **{"StageReceivedTime [UTC]": "13/1/2025, 10:00:00 AM"}),
    row(112, StageReceivedTime="", **{"StageReceivedTime [UTC]": "6/1/2025, 1:02:03 PM"}),
    row(113, AuditId=""),
    row(114, Stage=""),
    row(115, SourceIps='["10.1.1.1","10.2.2.2"]', Verb="create",
        ObjectRef='{"resource":"clusterrolebindings","name":"x"}',
        RequestObject='{"subjects":[{"kind":"User","name":"system:anonymous"}]}'),
    row(116, RequestObject='{"a":"' + "x" * 400000 + '"}'),
    row(117, RequestObject='{"a":"' + "y" * 300000 + '"}'),
    row(118, ResponseStatus='{"code":200}{"code":500}'),
    row(119, Annotations="{}", Level=""),
    row(120, User="not json"),
    row(121, ImpersonatedUser=anon, User=admin),
    row(122, RequestUri="\\\\server\\share\\", UserAgent="\\"),
    row(123, User='{"username":"system:anonymous","e":"\\ud800"}'),
    row(124, User='{"username":"system:anonymous\x00"}'),
    row(125, RequestUri="/api\x00/x", UserAgent="a\x00b"),
]


def write(path, header, extra):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for k, r in enumerate(rows):
        w.writerow([r.get(c, "") for c in cols] + extra)
        if k == 20:
            out.write("\r\n")  # a blank line
            w.writerow(["only", "three", "fields"])
    # the last row cut inside a quoted field
    out.write('2025-06-01T10:00:00Z,id-cut,ResponseComplete,"/api/v1/cut')
    open(path, "w", encoding="utf-8", newline="").write(out.getvalue())


write(tmp + "/direct/aks.csv", cols, [])
# a column named twice: not a header the direct path takes, the same rows otherwise
write(tmp + "/old/aks.csv", cols + ["Type"], ["AKSAudit"])
EOF

for d in direct old; do
	(cd "$tmp/$d" && "$KANON" audit --no-progress -f json aks.csv >report.json 2>/dev/null)
	echo $? >"$tmp/$d/rc"
done

check "the same exit code both ways" "$(cmp -s "$tmp/direct/rc" "$tmp/old/rc"; echo $?)"
res=$(python3 - "$tmp/direct/report.json" "$tmp/old/report.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
# bytes: each file's size (one column more there)
a["audit"].pop("bytes"), b["audit"].pop("bytes")
print("same" if a == b else "differ")
au = a["audit"]
print(au["events"], au["malformed"], au["formats"])
EOF
)
echo "$res" | sed 's/^/    /'
check "the whole JSON report is the same, the direct path or the old one" \
	"$([ "$(echo "$res" | sed -n 1p)" = same ]; echo $?)"
# that the direct path makes the rows into Events: tests/unit/test_csvrows.c (test_one_line)
check "the rows it must read are read, the others counted unread" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if a["events"] >= 60 and a["malformed"] >= 5 and a["formats"].get("azure", 0) >= 60 else 1)' "$tmp/direct/report.json"; echo $?)"

# The CSV reading itself (quoted fields 64 bytes at a time): Events whose requestURI and
# userAgent hold runs of 1 to 7 quotes and newlines at every offset around the 64-byte
# steps, as a native log and as an AKSAudit CSV export (Python's csv writer): the same
# URIs (all listed), the same counts, and the unread rows at the lines Python counts.
python3 - "$tmp" <<'EOF2'
import csv, json, sys

tmp = sys.argv[1]
evs = []
for i in range(600):
    run = '"' * (1 + i % 7)
    pre = "p" * (i % 131)
    nl = "\n" if i % 5 == 0 else ""
    uri = "/api/v1/namespaces/%s%s%s/secrets/%d%s" % (pre, run, nl, i % 97, run[: i % 3])
    evs.append({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
                "auditID": "q-%d" % i, "stage": "ResponseComplete", "requestURI": uri,
                "verb": "get", "user": {"username": "system:anonymous",
                                        "groups": ["system:unauthenticated"]},
                "sourceIPs": ["10.9.%d.%d" % (i % 7, i % 200)],
                "userAgent": 'ua "%s"%s' % (run, nl * 2),
                "objectRef": {"resource": "secrets", "namespace": "n", "apiVersion": "v1"},
                "responseStatus": {"code": 403 if i % 4 else 200},
                "requestReceivedTimestamp": "2025-06-01T10:%02d:00.000000Z" % (i % 60),
                "stageTimestamp": "2025-06-01T10:%02d:00.100000Z" % (i % 60),
                "annotations": {"authorization.k8s.io/decision": "forbid" if i % 4 else
                                "allow"}})
with open(tmp + "/quotes.jsonl", "w") as f:
    for e in evs:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
cols = [("AuditId", "auditID"), ("Stage", "stage"), ("RequestUri", "requestURI"),
        ("Verb", "verb"), ("User", "user"), ("SourceIps", "sourceIPs"),
        ("UserAgent", "userAgent"), ("ObjectRef", "objectRef"),
        ("ResponseStatus", "responseStatus"), ("RequestReceivedTime",
                                               "requestReceivedTimestamp"),
        ("StageReceivedTime", "stageTimestamp"), ("Annotations", "annotations"),
        ("Level", "level")]
bad = []
with open(tmp + "/quotes.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["TimeGenerated"] + [c for c, _ in cols])
    line = 2
    for i, e in enumerate(evs):
        r = [e["stageTimestamp"]] + [json.dumps(e[k], separators=(",", ":"))
                                      if isinstance(e[k], (dict, list)) else e[k]
                                      for _, k in cols]
        w.writerow(r)
        line += sum(v.count("\n") for v in r) + 1
        if i % 150 == 149:
            w.writerow(["a", "b"])  # too few fields
            bad.append(line)
            line += 1
open(tmp + "/quotes.bad", "w").write(" ".join(map(str, bad)))
EOF2
(cd "$tmp" && "$KANON" audit --no-progress -f json --top 1000 quotes.jsonl >qn.json 2>/dev/null)
(cd "$tmp" && "$KANON" audit --no-progress -f json --top 1000 quotes.csv >qc.json 2>/dev/null)
res=$(python3 - "$tmp" <<'EOF2'
import json, sys
tmp = sys.argv[1]
n, c = (json.load(open(tmp + p))["audit"] for p in ("/qn.json", "/qc.json"))
why = []
if n["anonymous"]["top_uris"] != c["anonymous"]["top_uris"] or len(n["anonymous"]["top_uris"]) < 500:
    why.append("top_uris")
if n["anonymous"]["top_user_agents"] != c["anonymous"]["top_user_agents"]:
    why.append("top_user_agents")
for k in ("requests", "events"):
    if n[k] != c[k]:
        why.append(k)
lines = sorted(int(x.split(":")[1]) for x in c["malformed_examples"])
want = list(map(int, open(tmp + "/quotes.bad").read().split()))
if lines != want:
    why.append("unread at lines %s, not %s" % (lines, want))
print("same" if not why else "differ: " + ", ".join(why))
EOF2
)
[ "$res" = same ] || echo "    $res"
check "quotes and newlines at every offset: the CSV export gives the native URIs, counts, lines" \
	"$([ "$res" = same ]; echo $?)"
