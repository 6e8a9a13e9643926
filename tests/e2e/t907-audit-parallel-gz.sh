#!/usr/bin/env bash
# kanon audit: several .gz inputs are inflated at once, one reader per thread (issue 10,
# src/sources/audit_stream.c "lanes"), with the report of one reader: the same JSON, text,
# part, errors and exit code as --threads 1 on rotated parts with requests cut between two
# files, an overlapping copy (duplicates), a cut and a corrupt .gz, a plain file and a missing
# one; and a proof that the second file is read while the first is still being read.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { notok "- t907: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t907: $1"; else notok "- t907: $1"; fi; }

# rot-0..3: the fixture's events again and again with new auditIDs, 1 s apart, cut in four
# files; the last request of each file is received there and completes in the next one.
# copy: the end of rot-1 and the start of rot-2 again. cut/bad: more parts, cut short and
# corrupted in the middle of the deflate stream; plain: later events, not compressed.
python3 - "$tmp" <<'PY'
import gzip, json, sys, uuid
d = sys.argv[1]
evs = [json.loads(l) for l in open("tests/fixtures/audit/formats/native.jsonl") if l.strip()]
n = 0

def ts(s):
    return "2024-05-01T%02d:%02d:%02d.%06dZ" % (s // 3600, s // 60 % 60, s % 60, n % 1000000)

def rep(k):
    global n
    ids = {}
    out = []
    for i, e in enumerate(evs):
        n += 1
        key = (k, e.get("auditID"))
        ids.setdefault(key, str(uuid.UUID(int=len(ids) + 1000 * k + 1)))
        e = dict(e, auditID=ids[key], stageTimestamp=ts(k * 60 + i))
        if "requestReceivedTimestamp" in e:
            e["requestReceivedTimestamp"] = ts(k * 60 + i)
        out.append(json.dumps(e, separators=(",", ":")))
    return out

def span(k, stage, s):
    return json.dumps({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": "00000000-0000-4000-8000-%012d" % k, "stage": stage,
        "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "list",
        "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
        "sourceIPs": ["203.0.113.%d" % (k + 1)], "userAgent": "curl/8.5.0",
        "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": ts(s), "stageTimestamp": ts(s)}, separators=(",", ":"))

R = 70  # repetitions of the fixture per part: several 2 MB blocks each
parts = []
for p in range(7):
    lines = []
    if 0 < p < 4:
        lines.append(span(p - 1, "ResponseComplete", p * R * 60))
    for k in range(p * R, (p + 1) * R):
        lines += rep(k)
    if p < 3:
        lines.append(span(p, "RequestReceived", (p + 1) * R * 60 - 1))
    parts.append(lines)
for p in range(4):
    with gzip.open("%s/rot-%d.jsonl.gz" % (d, p), "wt") as f:
        f.write("\n".join(parts[p]) + "\n")
with gzip.open(d + "/copy.jsonl.gz", "wt") as f:
    f.write("\n".join(parts[1][-900:] + parts[2][:900]) + "\n")
for name, p in (("cut", 4), ("bad", 5)):
    with gzip.open("%s/%s-full.jsonl.gz" % (d, name), "wt") as f:
        f.write("\n".join(parts[p]) + "\n")
open(d + "/plain.jsonl", "w").write("\n".join(parts[6]) + "\n")
PY
head -c "$(($(stat -c %s "$tmp/cut-full.jsonl.gz") / 2))" "$tmp/cut-full.jsonl.gz" >"$tmp/cut.jsonl.gz"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); m = len(b) // 2
b[m:m + 64] = bytes(64); open(sys.argv[2], "wb").write(b)' "$tmp/bad-full.jsonl.gz" "$tmp/bad.jsonl.gz"
rm -f "$tmp/cut-full.jsonl.gz" "$tmp/bad-full.jsonl.gz"

cd "$tmp" || exit 1
# given out of time order: the read order is by first event
rot="rot-2.jsonl.gz rot-0.jsonl.gz copy.jsonl.gz rot-3.jsonl.gz rot-1.jsonl.gz"
all="$rot cut.jsonl.gz plain.jsonl missing.jsonl.gz bad.jsonl.gz"

# same NAME ARGS...: every way of reading in parallel gives the bytes of --threads 1
same() {
	local name=$1 bad=""
	shift
	"$KANON" audit --no-progress --threads 1 "$@" >"seq.out" 2>"seq.err"
	echo $? >seq.rc
	for how in "--threads 2" "--threads 4" "--threads 3" "B --threads 2" "M3 --threads 2" \
		"M2 --threads 2" "M0 --threads 2"; do
		local env=()
		case $how in
		B*) env=(KANON_TEST_AHEAD_BUDGET=1) how=${how#B } ;; # one block ahead at a time
		M3*) env=(KANON_TEST_MAX_THREADS=3) how=${how#M3 } ;; # one reader only
		M2*) env=(KANON_TEST_MAX_THREADS=2) how=${how#M2 } ;; # no lane: this thread reads
		M0*) env=(KANON_TEST_MAX_THREADS=0) how=${how#M0 } ;; # no thread: inline
		esac
		# shellcheck disable=SC2086
		env "${env[@]}" "$KANON" audit --no-progress $how "$@" >par.out 2>par.err
		echo $? >par.rc
		cmp -s seq.out par.out && cmp -s seq.err par.err && cmp -s seq.rc par.rc ||
			bad="$bad [${env[*]} $how]"
	done
	[ -z "$bad" ] || echo "    differs:$bad"
	t "$name" "$([ -z "$bad" ]; echo $?)"
}

# shellcheck disable=SC2086
same "rotated .gz parts, an overlapping copy: JSON as one reader" -f json $rot
cp seq.out rot.json
# shellcheck disable=SC2086
same "rotated .gz parts, an overlapping copy: text report as one reader" -f text $rot
# shellcheck disable=SC2086
same "with a cut .gz, a corrupt .gz, a plain file, a missing file: JSON and errors" -f json $all
cp seq.out all.json
cp seq.err all.err
cp seq.rc all.rc
# shellcheck disable=SC2086
same "the same, text report" -f text $all
# a part: its tables are dumped in hash order, with a key drawn per process unless fixed
bad=""
for how in "--threads 1" "--threads 2" "B --threads 4"; do
	env=(KANON_HASH_SEED=7)
	case $how in B*) env+=(KANON_TEST_AHEAD_BUDGET=1) how=${how#B } ;; esac
	# shellcheck disable=SC2086
	env "${env[@]}" "$KANON" audit --no-progress $how --part-out - $all >p.part 2>p.err
	echo $? >>p.err
	if [ "$how" = "--threads 1" ]; then
		mv p.part p1.part
		mv p.err p1.err
	else
		cmp -s p.part p1.part && cmp -s p.err p1.err || bad="$bad [${env[*]} $how]"
	fi
done
[ -z "$bad" ] || echo "    differs:$bad"
t "a part of them (--part-out): as one reader's" "$([ -z "$bad" ]; echo $?)"

# the rotated parts read as one log, decompressed and joined: the same requests
for p in 0 1 2 3; do gzip -dc rot-$p.jsonl.gz; done >whole.jsonl
"$KANON" audit --no-progress -f json whole.jsonl >whole.json 2>/dev/null

# what the comparisons rest on: requests cut between files counted once, duplicates seen,
# the bad inputs named and the others read
python3 - rot.json all.json whole.json <<'PY'
import json, sys
a, b, w = (json.load(open(f))["audit"] for f in sys.argv[1:])
ok = (a["requests"], a["anonymous"]["requests"], a["duplicates"]) == (
    w["requests"], w["anonymous"]["requests"], 1800) and w["duplicates"] == 0
ok = ok and b["requests"] > a["requests"] and b["inputs_incomplete"] == 3
if not ok:
    print("    requests %d / %d, anonymous %d / %d, duplicates %d; all: requests %d, incomplete %d" % (
        a["requests"], w["requests"], a["anonymous"]["requests"], w["anonymous"]["requests"],
        a["duplicates"], b["requests"], b["inputs_incomplete"]))
sys.exit(0 if ok else 1)
PY
t "the requests of the joined log (3 cut between files counted once), 1800 duplicates, 3 inputs not read through" $?
t "the errors name the cut, the corrupt and the missing file; exit 2 (FAIL findings)" \
	"$(grep -q "cut.jsonl.gz.*ends early" all.err && grep -q "bad.jsonl.gz" all.err &&
		grep -q "missing.jsonl.gz" all.err && [ "$(cat all.rc)" = 2 ]; echo $?)"

# Reading at once, shown: b's writer finishes only when kanon has read b (2 MB of gzip that
# does not compress, far more than a pipe and a peek hold), and a's writer waits for that
# before writing the rest of a. One reader reads a to its end first: stuck.
python3 - <<'PY'
import gzip, json, os
rot = gzip.open("rot-0.jsonl.gz", "rb").read()
open("a1.bytes", "wb").write(gzip.compress(rot[:300000], mtime=0))
open("a2.bytes", "wb").write(gzip.compress(rot[300000:], mtime=0))
pad = [dict(json.loads(l), pad=os.urandom(400).hex()) for l in gzip.open("rot-1.jsonl.gz", "rt")]
b = gzip.compress("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in pad).encode(), mtime=0)
open("b.bytes", "wb").write(b)
PY
rm -f a.gz b.gz done
mkfifo a.gz b.gz
python3 - <<'PY' &
import os
a = os.open("a.gz", os.O_WRONLY)
os.write(a, open("a1.bytes", "rb").read())  # a first member: enough for kanon to peek, in the pipe
b = os.open("b.gz", os.O_WRONLY)
data = open("b.bytes", "rb").read()
while data:  # blocks until kanon reads nearly all of b
    data = data[os.write(b, data):]
os.close(b)
open("done", "w").close()
data = open("a2.bytes", "rb").read()
while data:
    data = data[os.write(a, data):]
os.close(a)
PY
pids+=($!)
timeout 30 "$KANON" audit --no-progress -f json --threads 2 a.gz b.gz >fifo.json 2>fifo.err
rc=$?
rm -f a.gz b.gz
cat a1.bytes a2.bytes >a.gz
cp b.bytes b.gz
"$KANON" audit --no-progress -f json --threads 1 a.gz b.gz >file.json 2>/dev/null
t "the second .gz is read while the first is not yet at its end (two FIFOs, --threads 2)" \
	"$([ $rc != 124 ] && [ -e done ] && cmp -s fifo.json file.json; echo $?)"

# --merge of a part does not depend on the hash key: the part's open requests (here the exec
# sessions that never complete, past the 1000 single findings) are written oldest first, as
# a single run judges them, not in the order of the auditID table (which follows the key)
bad=""
for seed in 1 2 3; do
	# shellcheck disable=SC2086
	KANON_HASH_SEED=$seed "$KANON" audit --no-progress --part-out "s$seed.part" $rot 2>/dev/null
	"$KANON" audit --merge -f json "s$seed.part" >"s$seed.json" 2>&1
	[ $seed = 1 ] || cmp -s s1.json "s$seed.json" || bad="$bad $seed"
done
[ -z "$bad" ] || echo "    differs with the keys:$bad"
t "--merge of a part: the same report whatever the hash key the part was made with" \
	"$([ -z "$bad" ]; echo $?)"
