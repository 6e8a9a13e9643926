#!/usr/bin/env bash
# kanon audit: an AKSAudit CSV export's rows of one line are handed on as they are and decoded
# by the scanning threads (src/checks/audit_csv_scan.c); the reader decodes the header, rows
# whose quoted fields hold newlines and rows over 128 KB itself (src/sources/audit_csv.c). On
# an export of several blocks (the header put first in each) with a BOM, CRLF, quotes and commas
# in fields, literal quotes in unquoted fields (the quotes' parity is then not the answer),
# newlines in quoted fields (also after a literal quote), a 200 KB field, NULs, wrong field
# counts and a quoted field cut by the end of the file: the same counts, URIs and user agents
# as the native log of the same events, the unread rows at the lines Python counts, and the
# same report with 1, 2 and 4 threads and with SSE2 only.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { notok "- t910: python3 missing"; exit 0; }

python3 - "$tmp" <<'EOF2'
import json, sys

tmp = sys.argv[1]
cols = [("AuditId", "auditID"), ("Stage", "stage"), ("RequestUri", "requestURI"),
        ("Verb", "verb"), ("User", "user"), ("SourceIps", "sourceIPs"),
        ("UserAgent", "userAgent"), ("ObjectRef", "objectRef"),
        ("ResponseStatus", "responseStatus"), ("RequestReceivedTime",
                                               "requestReceivedTimestamp"),
        ("StageReceivedTime", "stageTimestamp"), ("Annotations", "annotations"),
        ("Level", "level")]


def field(v, raw_quote):
    """kanon's CSV: a field not starting with a quote is read as it is (a quote in it is a
    byte of it); commas, newlines, CRs and a leading quote need quoting."""
    if raw_quote and v and v[0] != '"' and not any(c in v for c in ',\n\r'):
        return v
    if v and not any(c in v for c in ',\n\r"'):
        return v
    return '"' + v.replace('"', '""') + '"'


evs, rows, bad = [], [], []
line = 2
for i in range(9000):
    uri = "/api/v1/namespaces/n%d/secrets/s%d" % (i % 13, i % 501)
    ua = "curl/8.%d" % (i % 7)
    if i % 97 == 5:
        uri += '/x"y'  # a literal quote, unquoted
    if i % 89 == 7:
        ua = 'ua "%d", with comma' % i
    if i % 101 == 9:
        ua = "multi\nline %d" % i  # a newline in a quoted field: read by the reader
    if i % 211 == 11:
        uri += '/q"z'
        ua = "after a literal quote\nnext %d" % i
    if i % 1500 == 13:
        ua = "big " + "b" * 200000  # over 128 KB: read by the reader
    if i % 300 == 17:
        ua = "nul\x00byte"
    anon = i % 3 != 0
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
         "auditID": "r-%d" % i, "stage": "ResponseComplete", "requestURI": uri,
         "verb": "get" if i % 5 else "list",
         "user": {"username": "system:anonymous" if anon else "admin",
                  "groups": ["system:unauthenticated"] if anon else ["system:masters"]},
         "sourceIPs": ["10.1.%d.%d" % (i % 5, i % 250)], "userAgent": ua,
         "objectRef": {"resource": "secrets", "namespace": "n%d" % (i % 13),
                       "apiVersion": "v1"},
         "responseStatus": {"code": 403 if i % 4 else 200},
         "requestReceivedTimestamp": "2025-06-01T10:%02d:%02d.000000Z" % (i // 60 % 60, i % 60),
         "stageTimestamp": "2025-06-01T10:%02d:%02d.100000Z" % (i // 60 % 60, i % 60),
         "annotations": {"authorization.k8s.io/decision": "forbid" if i % 4 else "allow"}}
    evs.append(e)
    vals = [json.dumps(e[k], separators=(",", ":")) if isinstance(e[k], (dict, list)) else e[k]
            for _, k in cols]
    text = ",".join([field(e["stageTimestamp"], False)] +
                    [field(v, True) for v in vals]) + "\r\n"
    rows.append(text)
    line += text.count("\n")
    if i % 700 == 3:
        rows.append("a,b,c\r\n")  # too few fields
        bad.append(line)
        line += 1
with open(tmp + "/rows.jsonl", "w") as f:
    for e in evs:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
head = "\ufeff" + ",".join(["TimeGenerated"] + [c for c, _ in cols]) + "\r\n"
with open(tmp + "/rows.csv", "w", encoding="utf-8", newline="") as f:
    f.write(head + "".join(rows))
    f.write('2025-06-01T10:00:00Z,cut,ResponseComplete,"/api/v1/cut')  # never closed
bad.append(line)
open(tmp + "/rows.bad", "w").write(" ".join(map(str, bad)))
EOF2

(cd "$tmp" && "$KANON" audit --no-progress -f json --top 10000 rows.jsonl >nat.json 2>/dev/null)
(cd "$tmp" && "$KANON" audit --no-progress -f json --top 10000 --threads 1 rows.csv >t1.json 2>/dev/null)
(cd "$tmp" && "$KANON" audit --no-progress -f json --top 10000 --threads 2 rows.csv >t2.json 2>/dev/null)
(cd "$tmp" && "$KANON" audit --no-progress -f json --top 10000 --threads 4 rows.csv >t4.json 2>/dev/null)
(cd "$tmp" && KANON_SIMD=sse2 "$KANON" audit --no-progress -f json --top 10000 rows.csv >sse2.json 2>/dev/null)

res=$(python3 - "$tmp" <<'EOF2'
import json, sys
tmp = sys.argv[1]
load = lambda n: json.load(open(tmp + "/" + n + ".json"))
nat, c = load("nat")["audit"], load("t2")["audit"]
why = []
for k in ("requests", "events"):
    if nat[k] != c[k]:
        why.append("%s %s != %s" % (k, c[k], nat[k]))
for k in ("top_uris", "top_user_agents", "top_sources", "by_class", "allowed_by_class"):
    if nat["anonymous"][k] != c["anonymous"][k]:
        why.append(k)
if len(nat["anonymous"]["top_uris"]) < 500:
    why.append("too few URIs")
lines = sorted(int(x.rsplit(":", 2)[1]) for x in c["malformed_examples"])
want = list(map(int, open(tmp + "/rows.bad").read().split()))
# the first examples listed, all counted
if c["malformed"] != len(want) or not lines or lines != want[:len(lines)]:
    why.append("unread %d at lines %s, not %s" % (c["malformed"], lines, want))
print("same" if not why else "differ: " + ", ".join(why))
base = load("t2")
for n in ("t1", "t4", "sse2"):
    print("same" if load(n) == base else "differ " + n)
EOF2
)
echo "$res" | grep -v '^same$' | sed 's/^/    /'
check "an export of several blocks: the native counts, URIs, user agents and unread lines" \
	"$([ "$(echo "$res" | sed -n 1p)" = same ]; echo $?)"
check "the same report with 1, 2 and 4 threads and with SSE2 only" \
	"$([ "$(echo "$res" | sed -n '2,$p' | sort -u)" = same ]; echo $?)"
