#!/usr/bin/env bash
# kanon audit on Azure diagnostic records ({"records":[...]}, as Event Hub Capture bodies hold
# them; src/checks/audit_formats.c, audit_fmt_azure_records):
# - a log string decoded without a strlen() (jsonl_decode_fast_nul() says whether it may hold
#   a NUL) is read as the C string it was read as before: a raw NUL byte in a log ends the
#   Event there, whether it is inside one of the Event's strings (the Event then cut short:
#   malformed) or after its closing brace (read);
# - the logs are decoded into the block's buffer at depth 0 only: a message inside a docker
#   json-file record (whose log text is in that buffer) is read as the native log.
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/formats
command -v python3 >/dev/null || { notok "- t919: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t919: $1"; else notok "- t919: $1"; fi; }

python3 - "$F/native.jsonl" "$tmp" <<'PY'
import json, sys
src, d = sys.argv[1], sys.argv[2]
evs = [l.rstrip("\n") for l in open(src) if l.strip()]
anon = [e for e in evs if '"system:anonymous"' in e]


def msg(logs):
    recs = [{"category": "kube-audit", "properties": {"log": l}} for l in logs]
    return json.dumps({"records": recs}, separators=(",", ":")).encode()


inside = anon[0].replace('"userAgent":"', '"userAgent":"NULMARK', 1)
assert inside != anon[0]
# long logs too (the 64-byte steps of the AVX-512 decoder), the NUL at several offsets
longer = anon[1].replace('"userAgent":"', '"userAgent":"' + "x" * 150 + "NULMARK", 1)
lines = [
    msg([inside]),  # malformed: cut inside a string
    msg([anon[2] + "NULMARK tail"]),  # read: the NUL after the Event
    msg([longer, anon[3]]),  # the first malformed, the second read
]
open(d + "/nul.json", "wb").write(b"\n".join(l.replace(b"NULMARK", b"\0") for l in lines) + b"\n")
# the native events as messages of 7 records, each message the log of a docker json-file line
with open(d + "/docker-azure.log", "w") as f:
    for i in range(0, len(evs), 7):
        f.write(json.dumps({"log": msg(evs[i:i + 7]).decode() + "\n", "stream": "stdout",
                            "time": "2025-06-01T00:00:00Z"}) + "\n")
PY

"$KANON" audit --no-progress -f json "$tmp/nul.json" >"$tmp/w.json" 2>"$tmp/err"
set -- $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]; print(a["events"], a["malformed"])' "$tmp/w.json")
t "a raw NUL in a record's log ends the Event there: 2 read, 2 cut short ($1 read, $2 malformed)" \
	"$([ "$1" = 2 ] && [ "$2" = 2 ]; echo $?)"

"$KANON" audit --no-progress -f json "$F/native.jsonl" >"$tmp/native.json" 2>/dev/null
"$KANON" audit --no-progress -f json "$tmp/docker-azure.log" >"$tmp/w.json" 2>"$tmp/err"
res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json")
[ "$res" = same ] || echo "    docker-azure.log: $res"
t "Azure messages inside docker json-file records: the native log's counts" \
	"$([ "$res" = same ]; echo $?)"
