#!/usr/bin/env bash
# kanon audit on Event Hub Capture (Avro, deflate) files whose blocks the scanning threads
# inflate (src/sources/audit_avro.c, audit_avro_expand): the reader frames blocks into batches
# and hands them on; a thread that cannot read a block to its end (damaged, a bomb, a record
# that cannot be read, bytes after the records) stops there and the reader reads the file again
# from that block itself, the batches it handed on after it made void. Whatever the batch size,
# the thread count, the order in which threads finish, the report (counts, unread lines and
# their reasons in order, evidence with the record's number) and the error are those of the
# reader alone (KANON_TEST_AVRO_SERIAL=1, the code before batches), run after run.
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/formats
command -v python3 >/dev/null || { notok "- t920: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t920: $1"; else notok "- t920: $1"; fi; }
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

python3 - "$F/native.jsonl" "$tmp" <<'PY'
import json, os, random, sys, zlib
src, d = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(src))
import avro_raw
from avro_raw import zz, s
events = [l.rstrip("\n") for l in open(src) if l.strip()]

from avro_raw import deflate, SYNC
container = avro_raw.capture

def body(evs):
    return json.dumps({"records": [{"category": "kube-audit", "properties": {"log": e}}
                                   for e in evs]}).encode()

def message(b, pad=b"", branch=1):
    return zz(7) + s(pad) + zz(branch) + (s(b) if branch == 1 else b"")

def block(msgs, tail=b""):
    return (len(msgs), deflate(b"".join(msgs)) + tail)

def write(name, blocks, bad_sync=-1, cut=0):
    data = container(blocks, bad_sync)
    open(os.path.join(d, name), "wb").write(data[:len(data) - cut] if cut else data)

# one event a block: 60 blocks, batches of one block or more in flight at once
one = [block([message(body([e]))]) for e in events]
write("many.avro", one)
# the deflate data of block 20 damaged, and of block 40 (never reached: one reason)
bad = list(one)
bad[20] = (1, b"\x07" + one[20][1][1:])
bad[40] = (1, b"\x07" + one[40][1][1:])
write("corrupt.avro", bad)
# block 20 of 5 messages, its deflate data cut short: its first messages read, then the reason
five = one[:20] + [block([message(body([e])) for e in events[20:25]])] + one[25:]
k = 20
five[k] = (5, five[k][1][:len(five[k][1]) * 3 // 5])
write("cutdeflate.avro", five)
# a bomb (5 MB of padding in a message, more than 4 MB inflated) at block 10: streamed by the
# reader, then batches again; then a damaged block 50
bomb = list(one)
bomb[10] = block([message(body([events[10]]), b"\0" * (5 << 20))])
write("bomb.avro", bomb)
bomb[50] = (1, b"\x07" + one[50][1][1:])
write("bombbad.avro", bomb)
# a block of more than 1 MB of deflate data at block 15 (incompressible padding)
rnd = random.Random(920)
big = list(one)
big[15] = block([message(body([events[15]]), rnd.randbytes(1100000))])
write("big.avro", big)
# the sync marker after block 30 wrong; the file cut inside block 45
write("sync.avro", one, bad_sync=30)
write("cutfile.avro", one[:46], cut=len(SYNC) + len(one[45][1]) // 2)
# unread messages in several blocks, in file order: no body (null), not JSON text, a NUL,
# larger than 2 MB; a block of no records; then the others
odd = list(one)
odd[5] = block([message(b"", branch=0)])
odd[12] = block([message(b"not json")])
odd[13] = (0, deflate(b""))
odd[27] = block([message(body([events[27]])[:40] + b"\0" + body([events[27]])[41:])])
odd[33] = block([message(b"{" + b" " * (3 << 20) + b"}")])
write("odd.avro", odd)
# bodies made lines where the threads inflated them (line_inplace()): pretty-printed, with
# CRLF newlines and blank lines before the JSON, several messages a block
def pretty(evs, crlf=False):
    t = json.dumps({"records": [{"category": "kube-audit", "properties": {"log": e}}
                                for e in evs]}, indent=1)
    return ("\n \r\n\t" + t.replace("\n", "\r\n") if crlf else t).encode()
write("pretty.avro", [block([message(pretty(events[i:i + 2], i % 4 == 0), b"p" * (i % 3))
                             for i in range(k, k + 6, 2)]) for k in range(0, 60, 6)])
# bytes after the records of block 25; a union branch out of range in block 33
more = list(one)
more[25] = (1, deflate(message(body([events[25]])) + b"\x00"))
write("more.avro", more)
union = list(one)
union[33] = block([message(b"", branch=5)])
write("union.avro", union)
# six bombs: after four batches stopped the reader reads the rest itself
bombs = list(one)
for k in (5, 10, 15, 20, 25, 30):
    bombs[k] = block([message(body([events[k]]), b"\0" * (5 << 20))])
write("bombs.avro", bombs)
# blocks inflating to 3.5 MB of lines (more than a batch may make) from 600 KB (read by the
# reader: 16 threads each keeping 4 MB for them made 98 MB) and from 80 KB, and to 1.75 MB
# from 75 KB, 40 of them (more than 4 MB: two threads and more scan it): the same counts in
# bounded memory whatever the thread count
for name, rand, per in (("fat", 75000, 500000), ("fat2", 8000, 500000), ("fat3", 8000, 250000)):
    fat = []
    for b in range(40):
        m = []
        for i in range(7):
            e = json.loads(events[(b * 7 + i) % 60])
            e["x"] = rnd.randbytes(rand).hex() + " " * (per - 2 * rand)
            m.append(message(body([json.dumps(e)])))
        fat.append(block(m))
    write(name + ".avro", fat)
PY
gzip -c "$tmp/corrupt.avro" >"$tmp/corrupt.avro.gz"
gzip -c "$tmp/many.avro" >"$tmp/many.avro.gz"

# kanon's report and stderr for the files, in one way (its environment and flags)
way() {
	local out=$1
	shift
	env "$@" --no-progress -f json $files >"$out.json" 2>"$out.err"
	echo "rc=$?" >>"$out.err"
}

"$KANON" audit --no-progress -f json "$F/native.jsonl" >"$tmp/native.json" 2>/dev/null
for f in many corrupt cutdeflate bomb bombbad bombs big sync cutfile odd more union fat fat2 fat3 gz pretty; do
	files="$tmp/$f.avro"
	[ $f = gz ] && files="$tmp/corrupt.avro.gz $tmp/many.avro.gz"
	way "$tmp/ref" KANON_TEST_AVRO_SERIAL=1 "$KANON" audit
	diffs=""
	for w in "" "KANON_TEST_AVRO_BATCH=1" "KANON_TEST_AVRO_BATCH=1500" \
		"KANON_TEST_AVRO_BATCH=1 KANON_TEST_MAX_THREADS=0" \
		"KANON_TEST_AVRO_BATCH=1 --threads=1" "KANON_TEST_AVRO_BATCH=1 --threads=2"; do
		set -- $w
		env=()
		while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do
			env+=("$1")
			shift
		done
		for r in 1 2 3; do
			way "$tmp/w" "${env[@]}" "$KANON" audit "$@"
			cmp -s "$tmp/ref.json" "$tmp/w.json" && cmp -s "$tmp/ref.err" "$tmp/w.err" ||
				diffs="$diffs [$w run $r]"
		done
	done
	[ -z "$diffs" ] || echo "    $f: differs from the reader alone in$diffs"
	t "$f: the reader alone's report and errors, whatever the batches and threads" \
		"$([ -z "$diffs" ]; echo $?)"
	cp "$tmp/ref.json" "$tmp/$f.json"
	cp "$tmp/ref.err" "$tmp/$f.err"
done

san=0
"$KANON" --version 2>/dev/null | grep -qi sanit && san=1
case "$KANON" in *build-san*) san=1 ;; esac
for f in fat fat2 fat3; do
	for n in 2 16; do
		/usr/bin/time -f '%M' -o "$tmp/rss" "$KANON" audit --threads $n --no-progress -f json \
			"$tmp/$f.avro" >"$tmp/w.json" 2>/dev/null
		rss=$(tail -n 1 "$tmp/rss")
		if [ "$san" = 1 ]; then
			t "$f, --threads $n: $rss KB under the sanitizers (not kanon's bound)" 0
		else
			t "$f, --threads $n: peak RSS under 64 MB ($rss KB)" "$([ "$rss" -lt 65536 ]; echo $?)"
		fi
		t "$f, --threads $n: the reader alone's report" "$(cmp -s "$tmp/$f.json" "$tmp/w.json"; echo $?)"
	done
done

# what the reader alone gives, checked: the same as t918's rules
for f in many bomb bombs big pretty; do
	res=$(python3 $F/same.py "$tmp/native.json" "$tmp/$f.json")
	t "$f: the native log's counts ($res)" "$([ "$res" = same ]; echo $?)"
done
events_of() { field "$tmp/$1.json" '"%d %d" % (r["audit"]["events"], r["audit"]["inputs_incomplete"])'; }
reason() { grep -c "as an Avro container to its end: $2 (read up to there)" "$tmp/$1.err"; }
# damaged NAME LO HI REASON LABEL: NAME read to its damage: LO to HI events, incomplete, REASON once
damaged() {
	local name=$1 lo=$2 hi=$3 why=$4 label=$5
	set -- $(events_of "$name")
	t "$label ($1 events)" "$([ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] && [ "$2" = 1 ] &&
		[ "$(reason "$name" "$why")" = 1 ]; echo $?)"
}
damaged corrupt 20 20 "a block's deflate data is corrupt" \
	"corrupt: 20 events before the damaged block, incomplete, one reason"
damaged cutdeflate 21 24 "a block's deflate data is cut short" \
	"cutdeflate: the first messages of the cut block read, incomplete, the reason"
damaged bombbad 50 50 "a block's deflate data is corrupt" \
	"bombbad: the bomb read, 50 events before the damage, the reason"
damaged sync 31 31 "a block does not end with the file's sync marker" "sync: 31 events, incomplete, the reason"
damaged cutfile 45 45 "the file ends inside a block" "cutfile: 45 events, incomplete, the reason"
damaged more 26 26 "a block holds more than its records" \
	"more: 26 events (the block's record read), incomplete, the reason"
damaged union 33 33 "a union branch out of range" "union: 33 events, incomplete, the reason"
# the unread messages of several blocks: counted by reason, the reasons in the file's order
u=$(field "$tmp/odd.json" '" ".join(x["reason"][-12:].replace(" ", "_") + "=" + str(x["count"]) for x in r["audit"]["unread_by_reason"])')
t "odd: 55 events, 4 unread messages by reason ($u)" \
	"$([ "$(field "$tmp/odd.json" 'r["audit"]["events"]')" = 55 ] &&
		[ "$u" = "thout_a_body=1 ot_JSON_text=2 MB:_not_read=1" ]; echo $?)"
