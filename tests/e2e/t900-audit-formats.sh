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
	azurediag.json aksaudit.csv aksaudit-iso.csv eventhub-deflate.avro eventhub-null.avro \
	cri.log docker.log docker-split.log fluentbit.jsonl vector.jsonl; do
	run "$F/$f" >"$tmp/w.json"
	res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json")
	[ "$res" = same ] || echo "    $f: $res"
	t "$f: same counts as the native log" "$([ "$res" = same ]; echo $?)"
	# bytes: the input's, gzip inflated (not the lines a document's reader made of it)
	want=$(case $f in *.gz) gzip -dc "$F/$f" ;; *) cat "$F/$f" ;; esac | wc -c)
	got=$(field "$tmp/w.json" 'r["audit"]["bytes"]')
	[ "$got" = "$want" ] || echo "    $f: bytes $got, the input has $want"
	t "$f: bytes is the input's size" "$([ "$got" = "$want" ]; echo $?)"
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

# --- CSV exports (Log Analytics AKSAudit, Logs Insights) -----------------------------------
"$KANON" audit --no-progress -f json --input-format cloudwatch "$F/aksaudit.csv" >"$tmp/w.json" 2>/dev/null
t "--input-format cloudwatch on an AKSAudit CSV: its 60 rows unread" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["malformed"]')" = 60 ]; echo $?)"
run "$F/aksaudit.csv" >"$tmp/w.json"
t "AKSAudit CSV: the line of a row is its first line (fields span lines)" \
	"$([ "$(field "$tmp/w.json" 'max(e["line"] for f in r["findings"] for e in f.get("evidence",[]) if "line" in e)')" -gt 61 ]; echo $?)"
python3 - "$F/aksaudit-iso.csv" "$tmp" <<'PY'
import sys
rows = open(sys.argv[1]).read().split("\n")
d = sys.argv[2]
# a row with a field too many, a row larger than 2 MB, then the rest (still read)
big = rows[2].replace('"kube-probe/1.30"', '"' + "x" * 2200000 + '"')
open(d + "/bad.csv", "w").write("\n".join([rows[0], rows[1] + ',"extra"', big] + rows[3:]))
# the file ends inside a quoted field
open(d + "/cut.csv", "w").write("\n".join(rows[:5]) + "\n" + rows[5][:300])
PY
run "$tmp/bad.csv" >"$tmp/w.json"
t "CSV: a row with a field too many and a row over 2 MB unread with their reasons, the rest read" \
	"$([ "$(field "$tmp/w.json" '"%d %s" % (r["audit"]["events"], sorted(x["reason"] for x in r["audit"]["unread_by_reason"]))')" = "58 ['a CSV row larger than 2 MB: not read', 'a CSV row whose fields do not match the header line']" ]; echo $?)"
run "$tmp/cut.csv" >"$tmp/w.json"
t "CSV: a quoted field never closed at the end: unread, cut short" \
	"$([ "$(field "$tmp/w.json" '"%d %s" % (r["audit"]["events"], r["audit"]["unread_by_reason"][0]["reason"])')" = "4 a CSV row cut short (a quoted field never closed at the end of the file)" ]; echo $?)"
python3 - "$F" "$tmp" <<'PY'
import json, sys
f, d = sys.argv[1], sys.argv[2]
import csv
rows = list(csv.reader(open(f + "/insights.csv", newline="")))
# the console cuts long messages: every other @message cut, then written as CSV
w = csv.writer(open(d + "/icut.csv", "w", newline=""), lineterminator="\n")
w.writerow(rows[0])
for i, r in enumerate(rows[1:]):
    w.writerow([r[0], r[1][:200] if i % 2 else r[1]])
js = json.load(open(f + "/insights.json"))
for i, r in enumerate(js):
    if i % 2:
        r["@message"] = r["@message"][:200]
json.dump(js, open(d + "/icut.json", "w"))
PY
for f in icut.csv icut.json; do
	run "$tmp/$f" >"$tmp/w.json"
	t "Logs Insights $f: a cut @message unread with that reason" \
		"$([ "$(field "$tmp/w.json" '"%d %d %s" % (r["audit"]["events"], r["audit"]["malformed"], r["audit"]["unread_by_reason"][0]["reason"][:46])')" = "30 30 a CloudWatch Logs Insights @message that is no" ]; echo $?)"
done

# --- Event Hub Capture (Avro) --------------------------------------------------------------
run "$F/eventhub-deflate.avro" >"$tmp/w.json"
t "Event Hub Capture: evidence names the message and the record in its body" \
	"$(field "$tmp/w.json" '[(e["line"], e.get("note")) for f in r["findings"] for e in f.get("evidence",[]) if "line" in e]' | grep -q "(5, '[^']*; record 3')"; echo $?)"
"$KANON" audit --no-progress -f json --input-format native "$F/eventhub-null.avro" >"$tmp/w.json" 2>/dev/null
t "--input-format native on Event Hub Capture: its 12 messages unread" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["malformed"]')" = 12 ]; echo $?)"
/usr/bin/python3 - "$F" "$tmp" <<'PY'
import json, sys
f, d = sys.argv[1], sys.argv[2]
sys.path.insert(0, f)
from avro_raw import zz, s, container
raw = open(f + "/eventhub-null.avro", "rb").read()
open(d + "/cut.avro", "wb").write(raw[:len(raw) * 2 // 3])           # cut short
sync = raw[raw.index(b"\x00", raw.index(b"avro.codec")) + 1:][:0]     # (unused)
bad = bytearray(raw); bad[-1] ^= 0xff                                 # last sync marker wrong
open(d + "/sync.avro", "wb").write(bytes(bad))

eh = {"type": "record", "name": "EventData", "fields": [
    {"name": "SequenceNumber", "type": "long"}, {"name": "Body", "type": ["null", "bytes"]}]}
ev = json.loads(open(f + "/native.jsonl").readline())
body = json.dumps({"records": [{"category": "kube-audit", "properties": {"log": json.dumps(ev)}}]},
                  indent=2).encode()
one = zz(1) + zz(1) + s(body)
hostile = {
    # a huge record count over a few bytes; a length past the block; a varint of 11 bytes
    "count": container(eh, [(1, one), (1 << 62, one)]),
    "length": container(eh, [(1, one), (1, zz(2) + zz(1) + zz(1 << 40) + b"ab")]),
    "varint": container(eh, [(1, one), (1, b"\xff" * 11)]),
    # a body over 2 MB (then a good message); a null body; a body that is no JSON
    "large": container(eh, [(1, zz(1) + zz(1) + s(b"{" + b" " * 2200000 + b"}")), (1, one)]),
    "nobody": container(eh, [(2, zz(1) + zz(0) + one)]),
    "text": container(eh, [(2, zz(1) + zz(1) + s(b"\x01binary") + one)]),
    # schemas: no Body; an array of nulls (counts without bytes); unknown codec
    "nobodyfield": container({"type": "record", "name": "X", "fields": [
        {"name": "A", "type": "long"}]}, [(1, zz(1))]),
    "nullarray": container({"type": "record", "name": "X", "fields": [
        {"name": "A", "type": {"type": "array", "items": "null"}},
        {"name": "Body", "type": "bytes"}]}, [(1, zz(1 << 40) + zz(0) + s(b"{}"))]),
    "codec": container(eh, [(1, one)], codec=b"snappy"),
}
for k, v in hostile.items():
    open("%s/h-%s.avro" % (d, k), "wb").write(v)
PY
run "$tmp/cut.avro" >"$tmp/w.json"
t "Avro cut short: what was read is kept, the input incomplete" \
	"$([ "$(field "$tmp/w.json" '"%d %d" % (r["audit"]["inputs_incomplete"], r["audit"]["events"] > 20)')" = "1 1" ]; echo $?)"
run "$tmp/sync.avro" >"$tmp/w.json"
t "Avro with a wrong sync marker: incomplete, with the reason" \
	"$([ "$(field "$tmp/w.json" 'r["audit"]["inputs_incomplete"]')" = 1 ] && grep -q "sync marker" "$tmp/err"; echo $?)"
for k in count length varint nobodyfield nullarray codec; do
	timeout 20 "$KANON" audit --no-progress -f json "$tmp/h-$k.avro" >"$tmp/w.json" 2>"$tmp/err"
	rc=$?
	t "hostile Avro ($k): refused quickly, incomplete, no crash" \
		"$([ $rc -lt 4 ] && [ "$(field "$tmp/w.json" 'r["audit"]["inputs_incomplete"]')" = 1 ] && grep -q "as an Avro container" "$tmp/err"; echo $?)"
done
t "hostile Avro: the messages before the bad count runs out of bytes are read" \
	"$(run "$tmp/h-count.avro" >"$tmp/w.json"; [ "$(field "$tmp/w.json" 'r["audit"]["events"]')" = 2 ]; echo $?)"
for k in large:"larger than 2 MB" nobody:"without a body" text:"not JSON text"; do
	run "$tmp/h-${k%%:*}.avro" >"$tmp/w.json"
	t "Avro message ${k%%:*}: unread with its reason, the next read" \
		"$([ "$(field "$tmp/w.json" '"%d %d" % (r["audit"]["events"], r["audit"]["malformed"])')" = "1 1" ] && field "$tmp/w.json" 'r["audit"]["unread_by_reason"]' | grep -q "${k#*:}"; echo $?)"
done
# random damage: never a crash or a hang
/usr/bin/python3 - "$F/eventhub-deflate.avro" "$tmp" <<'PY'
import random, sys
raw = open(sys.argv[1], "rb").read()
rnd = random.Random(10)
for i in range(40):
    b = bytearray(raw)
    for _ in range(rnd.randint(1, 8)):
        b[rnd.randrange(len(b))] = rnd.randrange(256)
    open("%s/fz%02d.avro" % (sys.argv[2], i), "wb").write(bytes(b))
PY
bad=0
for f in "$tmp"/fz*.avro; do
	timeout 20 "$KANON" audit --no-progress -f json "$f" >/dev/null 2>&1
	[ $? -lt 4 ] || { bad=1; echo "    $f"; }
done
t "40 randomly damaged Avro files: no crash, no hang" "$bad"
