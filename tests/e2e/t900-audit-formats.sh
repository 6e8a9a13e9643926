#!/usr/bin/env bash
# kanon audit: the same Events in every format (issue 10) give the same counts as the native
# log of those events; --input-format; mixed, truncated and hostile files. Fixtures:
# tests/fixtures/audit/formats/ (make.py builds them from native.jsonl's real events).
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/formats
command -v python3 >/dev/null || { notok "- t900: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t900: $1"; else notok "- t900: $1"; fi; }
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
run() { "$KANON" audit --no-progress -f json "$@" 2>"$tmp/err"; }

run "$F/native.jsonl" >"$tmp/native.json"
for f in cloudwatch-filter.json cloudwatch-get.json firehose.gz cw-export.gz cw-tail.log \
	insights.json insights.csv azure-pt1h.json azure-eventhub.json aksaudit.json \
	azurediag.json cri.log docker.log docker-split.log fluentbit.jsonl vector.jsonl; do
	run "$F/$f" >"$tmp/w.json"
	res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json")
	[ "$res" = same ] || echo "    $f: $res"
	t "$f: same counts as the native log" "$([ "$res" = same ]; echo $?)"
done
for f in gcp.json gcp-router.jsonl; do
	run "$F/$f" >"$tmp/w.json"
	res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json" --gke)
	[ "$res" = same ] || echo "    $f: $res"
	t "$f: same requests and verdicts as the native log (GKE mapping)" "$([ "$res" = same ]; echo $?)"
done

# the format of each record is counted
run "$F/firehose.gz" >"$tmp/w.json"
t "firehose: records counted as cloudwatch, the CONTROL_MESSAGE skipped, not unread" \
	"$([ "$(field "$tmp/w.json" '"%s %d %d" % (r["audit"]["formats"], r["audit"]["skipped"], r["audit"]["malformed"])')" = "{'cloudwatch': 61} 1 0" ]; echo $?)"
# evidence names the record inside a wrapper
t "firehose: evidence names the record" \
	"$(field "$tmp/w.json" '[e for f in r["findings"] for e in f.get("evidence",[])]' | grep -q "record [0-9]"; echo $?)"

# --input-format: only that format is read, the rest counted unread per reason
"$KANON" audit --no-progress -f json --input-format azure "$F/cw-tail.log" >"$tmp/w.json" 2>/dev/null
rc=$?
t "--input-format azure on aws logs tail lines: nothing read, exit 3, a reason" \
	"$([ $rc = 3 ] && [ "$(field "$tmp/w.json" 'r["audit"]["unread_by_reason"][0]["count"]')" = 60 ]; echo $?)"
"$KANON" audit --no-progress -f json --input-format cloudwatch "$F/native.jsonl" >"$tmp/w.json" 2>/dev/null
t "--input-format cloudwatch on native lines: unread" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["malformed"]')" = 60 ]; echo $?)"
"$KANON" audit --no-progress -f json --input-format native "$F/docker.log" >"$tmp/w.json" 2>/dev/null
t "--input-format native on docker json-file: unread" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["malformed"]')" = 60 ]; echo $?)"
"$KANON" audit --no-progress --input-format cri "$F/cri.log" >/dev/null 2>&1
t "--input-format cri on CRI lines: read" "$([ $? = 1 ]; echo $?)"
"$KANON" audit --input-format nope "$F/cri.log" >/dev/null 2>"$tmp/err"
t "--input-format with an unknown name: a usage error naming the formats" \
	"$([ $? = 2 ] && grep -q cloudwatch "$tmp/err"; echo $?)"

# a file mixing formats, with a line no format explains: read as far as possible
{
	head -n 20 "$F/native.jsonl"
	sed -n '21,30p' "$F/docker.log"
	echo 'Dec 01 10:00:00 cp-1 kube-apiserver[123]: not an event'
	sed -n '31,40p' "$F/vector.jsonl"
	zcat "$F/cw-export.gz" | sed -n '41,60p'
} >"$tmp/mixed.log"
run "$tmp/mixed.log" >"$tmp/w.json"
t "mixed formats: all 60 events read, the stray line unread with its reason" \
	"$([ "$(field "$tmp/w.json" '"%d %d %s" % (r["audit"]["events"], r["audit"]["malformed"], r["audit"]["unread_by_reason"][0]["reason"])')" = "60 1 not valid JSON" ]; echo $?)"
t "mixed formats: records counted per format" \
	"$([ "$(field "$tmp/w.json" 'sorted(r["audit"]["formats"].items())')" = "[('cloudwatch', 20), ('docker', 10), ('native', 21), ('shipper', 10)]" ]; echo $?)"

# truncated: a CRI event whose F line never comes; a gzip cut short
grep " P " "$F/cri.log" | head -n 2 >"$tmp/cut.log"
run "$tmp/cut.log" >"$tmp/w.json"
t "CRI partial lines without their F line: unread, with the reason" \
	"$(field "$tmp/w.json" 'r["audit"]["unread_by_reason"]' | grep -q "partial lines (CRI P"; echo $?)"
head -c 2000 "$F/firehose.gz" >"$tmp/cut.gz"
run "$tmp/cut.gz" >"$tmp/w.json"
t "a Firehose gzip cut short: input incomplete, not clean" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["inputs_incomplete"]')" = 1 ]; echo $?)"

# hostile: escapes everywhere in a wrapped event, deep nesting, a huge message
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
ev = json.loads(open("tests/fixtures/audit/formats/native.jsonl").readline())
s = json.dumps(ev, separators=(",", ":"))
esc = "".join("\\u%04x" % ord(c) for c in s)  # every character escaped
with open(d + "/esc.jsonl", "w") as f:
    f.write('{"log":"%s\\u000a","stream":"stdout","time":"2025-06-01T10:00:00Z"}\n' % esc)
    inner = s
    for _ in range(6):
        inner = json.dumps({"message": inner, "eventId": "1"})
    f.write(inner + "\n")
    f.write(json.dumps({"message": "{" + "\u202e" * 400000, "eventId": "2"}) + "\n")
PY
run "$tmp/esc.jsonl" >"$tmp/w.json"
t "hostile wrappers: escaped event read, deep nesting and a broken message unread" \
	"$([ "$(field "$tmp/w.json" '"%d %d" % (r["audit"]["events"], r["audit"]["malformed"])')" = "1 2" ]; echo $?)"

# `aws logs filter-log-events` merges all pages into one object: larger than a block, its
# events are read one by one
python3 - "$tmp/big.json" <<'PY'
import json, sys
src = open("tests/fixtures/audit/formats/native.jsonl").read().splitlines()
evs, i, size = [], 0, 0
while size < 3000000:
    e = json.loads(src[i % len(src)])
    e["auditID"] = "big-%d" % i
    m = json.dumps({"logStreamName": "s", "timestamp": i, "message": json.dumps(e),
                    "ingestionTime": i, "eventId": str(i)})
    evs.append(m)
    size += len(m)
    i += 1
with open(sys.argv[1], "w") as f:
    f.write('{\n    "events": [\n        ' + ",\n        ".join(evs) +
            '\n    ],\n    "searchedLogStreams": []\n}\n')
print(i, file=open(sys.argv[1] + ".n", "w"))
PY
run "$tmp/big.json" >"$tmp/w.json"
t "a 3 MB merged filter-log-events output: every event read" \
	"$([ "$(field "$tmp/w.json" '"%d %d" % (r["audit"]["events"], r["audit"]["malformed"])')" = "$(cat "$tmp/big.json.n") 0" ]; echo $?)"
