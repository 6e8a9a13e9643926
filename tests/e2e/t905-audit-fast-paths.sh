#!/usr/bin/env bash
# kanon audit: the reading paths that skip cJSON for speed (issue 10, "faster than the wrong
# answer") give the answers of the slow ones. Fixtures: tests/fixtures/audit/fast/ (make.py);
# the docker json-file edge cases have their golden output in cases/audit/fast-docker-edge.
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/fast
command -v python3 >/dev/null || { notok "- t905: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t905: $1"; else notok "- t905: $1"; fi; }
run() { "$KANON" audit --no-progress -f json "$@" 2>/dev/null; }

# a CRI line is told by its start: a ,"{ inside its Event does not make it a CSV row
run "$F/native-comma.jsonl" >"$tmp/native.json"
run "$F/cri-comma.log" >"$tmp/cri.json"
res=$(python3 tests/fixtures/audit/formats/same.py "$tmp/native.json" "$tmp/cri.json")
[ "$res" = same ] || echo "    $res"
t "CRI lines holding ,\"{ are read as CRI: same counts as the native log" \
	"$([ "$res" = same ]; echo $?)"

# docker json-file: the fast reader and cJSON agree, record for record
run "$F/docker-edge.log" >"$tmp/docker.json"
t "docker edge cases: 55 requests, 3 unread, the shapes cJSON reads counted as before" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["requests"], a["malformed"], a["formats"]) == (55, 3, {"native": 2, "docker": 57, "shipper": 2}) else 1)' "$tmp/docker.json"; echo $?)"

# CloudWatch pages: the fast reader and cJSON agree, event for event
run "$F/cw-edge.json" >"$tmp/cw.json"
t "CloudWatch page edge cases: 57 requests, 6 unread, 1 skipped, as with cJSON" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["requests"], a["malformed"], a["skipped"], a["formats"]) == (57, 6, 1, {"native": 2, "cloudwatch": 63}) else 1)' "$tmp/cw.json"; echo $?)"

# Event Hub messages: the fast reader and cJSON agree, record for record
run "$F/azure-edge.json" >"$tmp/az.json"
t "Event Hub message edge cases: 56 requests, 7 unread, as with cJSON" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["requests"], a["events"], a["malformed"], a["formats"]) == (56, 60, 7, {"native": 2, "azure": 65}) else 1)' "$tmp/az.json"; echo $?)"

# AKSAudit rows (CSV and JSON exports): the fast reader and cJSON agree, row for row
run "$F/aks-edge.json" >"$tmp/aks.json"
t "AKSAudit row edge cases: 56 requests, 2 unread, as with cJSON" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["requests"], a["events"], a["malformed"], a["formats"]) == (56, 58, 2, {"azure": 60}) else 1)' "$tmp/aks.json"; echo $?)"

# CloudWatch pages read in one pass: events after the other keys, an events array cut short
python3 - "$F/cw-edge.json" "$tmp" <<'PY'
import json, sys
first = json.loads(open(sys.argv[1]).readline())
ev = first.pop("events")
last = json.dumps(dict(first, events=ev), separators=(",", ":"))
cut = json.dumps({"events": ev}, separators=(",", ":"))[:-2] + "}"  # the array never closes
open(sys.argv[2] + "/cw-order.json", "w").write(last + "\n" + cut + "\n")
PY
run "$tmp/cw-order.json" >"$tmp/cw.json"
t "CloudWatch page with events last read; one whose events array never closes unread" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["events"], a["malformed"]) == (6, 1) else 1)' "$tmp/cw.json"; echo $?)"

# several .gz inputs, one cut short: the same JSON, findings, evidence order and errors with
# the threads as on one (a guard for any parallel reading of them)
python3 - "$tmp" <<'PY'
import gzip, json, sys, uuid
evs = [json.loads(l) for l in open("tests/fixtures/audit/formats/native.jsonl") if l.strip()]
n = 0
for part in range(4):
    with gzip.open("%s/part-%d.jsonl.gz" % (sys.argv[1], part), "wt") as f:
        for rep in range(250):
            for e in evs:
                n += 1
                e = dict(e, auditID=str(uuid.UUID(int=n)))
                e["stageTimestamp"] = "2024-05-0%dT%02d:%02d:00.000000Z" % (part + 1, rep // 60, rep % 60)
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
head -c 30000 "$tmp/part-3.jsonl.gz" >"$tmp/part-4-cut.jsonl.gz"
parts="$tmp/part-2.jsonl.gz $tmp/part-0.jsonl.gz $tmp/part-4-cut.jsonl.gz $tmp/part-3.jsonl.gz $tmp/part-1.jsonl.gz"
# shellcheck disable=SC2086
"$KANON" audit --no-progress -f json $parts >"$tmp/par.json" 2>"$tmp/par.err"
rp=$?
# one scanning thread, the calling thread reading the parts one after another
# shellcheck disable=SC2086
KANON_TEST_MAX_THREADS=2 "$KANON" audit --no-progress -f json --threads 1 $parts >"$tmp/seq.json" \
	2>"$tmp/seq.err"
rs=$?
t "5 .gz parts (one cut short): the JSON of a run on one worker" \
	"$([ $rp = $rs ] && cmp -s "$tmp/par.json" "$tmp/seq.json" && cmp -s "$tmp/par.err" "$tmp/seq.err"; echo $?)"
t "5 .gz parts: the 60000 requests read, the cut part reported" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]; sys.exit(0 if a["requests"] == 60000 else 1)' "$tmp/par.json" && grep -q "part-4-cut.jsonl.gz.*ends early" "$tmp/par.err"; echo $?)"
