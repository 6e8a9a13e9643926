#!/usr/bin/env bash
# kanon audit against the ground truth of ../shared/bench/gen_audit.py: small generated logs
# (several seeds), the same log gzip'ed, split into overlapping rotated files (one gzip'ed,
# given out of order), as a multi-member gzip, on stdin, and with 1 and 2 threads.
set -u
KANON=${KANON:-build/kanon}
SHARED=${SHARED:-../shared}
GEN=$SHARED/bench/gen_audit.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$GEN" ] || ! command -v python3 >/dev/null; then
	echo "not ok - gen_audit.py or python3 missing"
	exit 0
fi

# compare.py TRUTH JSON LABEL [GAP_SECONDS]: one "ok"/"not ok" line per check
cat >"$tmp/compare.py" <<'EOF'
import json, sys
truth = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
label = sys.argv[3]
gap = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
a = rep["audit"]
an = a["anonymous"]

def check(name, got, want):
    if got == want:
        print("ok %s: %s = %s" % (label, name, got))
    else:
        print("not ok %s: %s = %s, truth %s" % (label, name, got, want))

check("requests", a["requests"], truth["requests"])
check("anonymous requests", an["requests"], truth["anon_requests"])
check("anonymous successful", an["allowed"], truth["anon_success_requests"])
check("successful sensitive", an["allowed_by_class"]["sensitive"],
      truth["anon_critical_success_requests"])
check("401 requests", a["unauthorized_401"], truth["code401_requests"])
check("impersonated anonymous", a["impersonated_anonymous"], truth["impersonated_anon_requests"])
check("malformed", a["malformed"], 0)
grants = sorted((g["verb"], g["resource"], (g["namespace"] + "/" if g["namespace"] else "") + g["name"])
                for g in a["rbac_anonymous_grants"])
want = sorted((g["verb"], g["resource"], g["name"]) for g in truth["rbac_anon_binding_changes"])
check("RBAC grants", grants, want)
subj = sorted(s for g in a["rbac_anonymous_grants"] for s in g["subjects"])
check("RBAC subjects", subj, sorted(g["subject"] for g in truth["rbac_anon_binding_changes"]))
# gaps: every deliberate hole of at least --gap, found from the last event before it to
# the first event after it (within a minute), and nothing else
from datetime import datetime
def ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
tg = [g for g in truth["gaps"] if g["seconds"] >= gap]
# after the generated span only long watches still complete: that sparse tail is not compared
end = datetime.strptime(truth["params"]["start"], "%Y-%m-%dT%H:%M:%SZ").timestamp() + \
    truth["params"]["hours"] * 3600
# (timestamps are UTC; both sides are parsed the same way)
found = [g for g in a["gaps"] if ts(g["from"]) < end]
ok = len(found) == len(tg) and all(
    ts(t["from"]) - 60 <= ts(g["from"]) <= ts(t["from"]) and ts(t["to"]) <= ts(g["to"]) <= ts(t["to"]) + 60
    for g, t in zip(found, tg))
check("gaps >= %gs" % gap, ok and len(tg), len(tg))
# top URIs: the counts of every URI whose count is not tied with the 20th
top = {u["uri"]: u["count"] for u in an["top_uris"]}
tt = truth["anon_uri_top"]
cut = min(tt.values()) if len(tt) >= 20 else 0
want = {k: v for k, v in tt.items() if v > cut}
check("top URIs", {k: top.get(k) for k in want}, want)
# the timeline adds up
check("timeline total", sum(b["total"] for b in a["timeline"]), a["requests"])
check("timeline anonymous", sum(b["anonymous"] for b in a["timeline"]), an["requests"])
EOF

for seed in 1 2 3; do
	d=$tmp/s$seed
	mkdir -p "$d"
	python3 "$GEN" --out "$d/audit.log" --size-mb 5 --hours 6 --seed $seed 2>/dev/null
	t=$d/audit.log.truth.json
	"$KANON" audit -f json --no-progress "$d/audit.log" >"$d/plain.json"
	python3 "$tmp/compare.py" "$t" "$d/plain.json" "seed $seed plain"
	if [ $seed = 1 ]; then
		# a dense four-hour log: the 90 s hole is found with --gap 80s
		python3 "$GEN" --out "$d/dense.log" --size-mb 16 --hours 4 --seed $seed 2>/dev/null
		"$KANON" audit -f json --gap 80s "$d/dense.log" >"$d/g80.json"
		python3 "$tmp/compare.py" "$d/dense.log.truth.json" "$d/g80.json" "seed $seed 4h --gap 80s" 80
		# gzip, stdin, threads
		gzip -c "$d/audit.log" >"$d/audit.log.gz"
		"$KANON" audit -f json "$d/audit.log.gz" >"$d/gz.json"
		python3 "$tmp/compare.py" "$t" "$d/gz.json" "seed $seed gzip"
		"$KANON" audit -f json - <"$d/audit.log" >"$d/stdin.json"
		python3 "$tmp/compare.py" "$t" "$d/stdin.json" "seed $seed stdin"
		for n in 1 2; do
			"$KANON" audit -f json --threads $n "$d/audit.log" |
				python3 -c 'import json,sys; d=json.load(sys.stdin); d["audit"].pop("files"); print(json.dumps(d))' >"$d/t$n.json"
		done
		if cmp -s "$d/t1.json" "$d/t2.json"; then
			echo "ok seed $seed: --threads 1 and 2 give the same report"
		else
			echo "not ok seed $seed: --threads 1 and 2 differ"
		fi
	fi
	if [ $seed = 2 ]; then
		# rotated files that overlap by 10% of the lines, given newest first, one gzip'ed
		n=$(wc -l <"$d/audit.log")
		head -n $((n * 6 / 10)) "$d/audit.log" | gzip -c >"$d/audit-2025-06-01T03-00-00.000.log.gz"
		tail -n +$((n * 5 / 10 + 1)) "$d/audit.log" >"$d/audit.cur"
		"$KANON" audit -f json "$d/audit.cur" "$d/audit-2025-06-01T03-00-00.000.log.gz" >"$d/rot.json"
		python3 "$tmp/compare.py" "$t" "$d/rot.json" "seed $seed rotated+overlap"
		dup=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["audit"]["duplicates"])' "$d/rot.json")
		want=$(( n * 6 / 10 - n * 5 / 10 ))
		if [ "$dup" = "$want" ]; then
			echo "ok seed $seed: $dup overlapping lines counted once"
		else
			echo "not ok seed $seed: duplicates $dup, expected $want"
		fi
		# a multi-member gzip (gzip a >x; gzip b >>x)
		head -n $((n / 3)) "$d/audit.log" | gzip -c >"$d/multi.gz"
		tail -n +$((n / 3 + 1)) "$d/audit.log" | gzip -c >>"$d/multi.gz"
		"$KANON" audit -f json "$d/multi.gz" >"$d/multi.json"
		python3 "$tmp/compare.py" "$t" "$d/multi.json" "seed $seed multi-member gzip"
	fi
	if [ $seed = 3 ]; then
		# an EventList and malformed lines in the middle
		python3 - "$d/audit.log" "$d/list.json" <<'EOF'
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
json.dump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items},
          open(sys.argv[2], "w"), indent=1)
EOF
		"$KANON" audit -f json "$d/list.json" >"$d/list.json.out"
		python3 "$tmp/compare.py" "$t" "$d/list.json.out" "seed $seed EventList"
		awk 'NR == 100 { print "{\"kind\":\"Event\", truncated" } NR == 200 { print "garbage" } { print }' \
			"$d/audit.log" >"$d/bad.log"
		"$KANON" audit -f json "$d/bad.log" >"$d/bad.json"
		python3 - "$d/bad.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
ex = a["malformed_examples"]
ok = a["malformed"] == 2 and ex[0].endswith(":100: not valid JSON") and ":201: " in ex[1]
print(("ok" if ok else "not ok") + " malformed lines counted with file:line and the run goes on: %s" % ex)
EOF
		# an anonymous event of 3 MB (a RequestResponse secret list): longer than a block
		python3 - "$d/audit.log" "$d/long.log" "$t" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines(True)
big = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
       "auditID": "11111111-2222-4333-8444-555555555555", "stage": "ResponseComplete",
       "requestURI": "/api/v1/secrets", "verb": "list",
       "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
       "sourceIPs": ["203.0.113.99"], "objectRef": {"resource": "secrets", "apiVersion": "v1"},
       "responseStatus": {"metadata": {}, "code": 200},
       "responseObject": {"kind": "SecretList", "items": [{"data": {"k": "x" * (3 << 20)}}]},
       "requestReceivedTimestamp": "2025-06-01T01:00:00.000000Z",
       "stageTimestamp": "2025-06-01T01:00:00.100000Z",
       "annotations": {"authorization.k8s.io/decision": "allow"}}
lines.insert(len(lines) // 2, json.dumps(big, separators=(",", ":")) + "\n")
open(sys.argv[2], "w").writelines(lines)
t = json.load(open(sys.argv[3]))
t["requests"] += 1; t["anon_requests"] += 1; t["anon_success_requests"] += 1
t["anon_critical_success_requests"] += 1
if "/api/v1/secrets" in t["anon_uri_top"]:
    t["anon_uri_top"]["/api/v1/secrets"] += 1
json.dump(t, open(sys.argv[2] + ".truth.json", "w"))
EOF
		"$KANON" audit -f json "$d/long.log" >"$d/long.json"
		python3 "$tmp/compare.py" "$d/long.log.truth.json" "$d/long.json" "seed $seed 3 MB line"
	fi
done
