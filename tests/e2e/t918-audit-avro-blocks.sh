#!/usr/bin/env bash
# kanon audit on Event Hub Capture (Avro) files: a deflate block of at most 1 MB is read and
# inflated whole (src/sources/audit_avro.c, deflate_start); a larger one, one that inflates to
# more than 4 MB (a bomb), a damaged one and one the file's end cuts are streamed 64 KB at a time
# as before. Each way gives the native log's counts, or, damaged, every message up to the damage
# with the reason, in bounded memory.
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/formats
command -v python3 >/dev/null || { notok "- t918: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t918: $1"; else notok "- t918: $1"; fi; }
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# run FILE: the JSON report to $tmp/w.json, stderr to $tmp/err, peak RSS (KB) to $tmp/rss
run() {
	/usr/bin/time -f '%M' -o "$tmp/rss" "$KANON" audit --no-progress -f json "$1" \
		>"$tmp/w.json" 2>"$tmp/err"
}
san=0
"$KANON" --version 2>/dev/null | grep -qi sanit && san=1
case "$KANON" in *build-san*) san=1 ;; esac

"$KANON" audit --no-progress -f json "$F/native.jsonl" >"$tmp/native.json" 2>/dev/null

python3 - "$F/native.jsonl" "$tmp" <<'PY'
import json, os, random, sys, zlib
src, d = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(src))
import avro_raw
from avro_raw import zz, s
events = [l.rstrip("\n") for l in open(src) if l.strip()]

from avro_raw import deflate, SYNC
container = avro_raw.capture

seq = 0
def message(evs, pad=b""):
    global seq
    seq += 1
    body = json.dumps({"records": [{"category": "kube-audit", "properties": {"log": e}}
                                   for e in evs]}).encode()
    return zz(seq) + s(pad) + zz(1) + s(body)

def block(msgs, tail=b""):
    return (len(msgs), deflate(b"".join(msgs)) + tail)

def msgs(evs, per=3, pad=lambda: b""):
    return [message(evs[i:i + per], pad()) for i in range(0, len(evs), per)]

def write(name, data):
    open(os.path.join(d, name), "wb").write(data)

# 5 blocks of 4 messages of 3 events; 4 bytes after each deflate stream (a zlib checksum, as
# Apache Avro's Python writer leaves)
m = msgs(events)
five = [block(m[i:i + 4], b"\x01\x02\x03\x04") for i in range(0, 20, 4)]
write("many.avro", container(five))
# the sync marker after the second block wrong: its records read, then the reason
write("sync.avro", container(five, bad_sync=1))
# one block of 2 MB of deflate data (incompressible padding): streamed
rnd = random.Random(918)
big = msgs(events, pad=lambda: rnd.randbytes(110000))
blk = block(big)
assert len(blk[1]) > (1 << 20)
write("big.avro", container([blk]))
# a bomb: 48 MB of padding deflated to 48 KB, then the rest in a block of its own
half = len(events) // 2
bomb = [message(events[:half], b"\0" * (48 << 20))]
write("bomb.avro", container([block(bomb), block(msgs(events[half:]))]))
# a second block whose deflate data is cut (its size says so), damaged, or cut by the file's end
first, second = block(msgs(events[:half])), block(msgs(events[half:]))
cut = second[1][:len(second[1]) * 3 // 5]
write("cutdeflate.avro", container([first, (second[0], cut)]))
write("corrupt.avro", container([first, (second[0], b"\x07" + second[1][1:])]))
# bodies pretty-printed (newlines on both sides of a 64-byte step), one with a NUL at byte 100
def pretty(evs):
    global seq
    seq += 1
    body = json.dumps({"records": [{"category": "kube-audit", "properties": {"log": e}}
                                   for e in evs]}, indent=1).encode()
    return zz(seq) + s(b"") + zz(1) + s(body)
nul = json.dumps({"records": [{"category": "kube-audit", "properties": {"log": events[0]}}]},
                 indent=1).encode()
nul = zz(99) + s(b"") + zz(1) + s(nul[:100] + b"\0" + nul[101:])
write("pretty.avro", container([block([pretty(events[:half]), nul, pretty(events[half:])])]))
whole = container([first, second])
write("cutfile.avro", whole[:len(whole) - len(SYNC) - len(second[1]) * 2 // 5])
PY

for f in many big bomb; do
	run "$tmp/$f.avro"
	res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json")
	[ "$res" = same ] || echo "    $f: $res"
	t "$f.avro: same counts as the native log" "$([ "$res" = same ]; echo $?)"
	rss=$(tail -n 1 "$tmp/rss")
	if [ "$san" = 1 ]; then
		t "$f.avro: $rss KB under the sanitizers (not kanon's bound)" 0
	else
		t "$f.avro: peak RSS under 64 MB ($rss KB)" "$([ "$rss" -lt 65536 ]; echo $?)"
	fi
done

run "$tmp/pretty.avro"
res=$(python3 $F/same.py "$tmp/native.json" "$tmp/w.json")
[ "$res" = "differ: malformed 0 != 1" ] || echo "    pretty.avro: $res"
t "pretty-printed bodies: the native log's counts; the body with a NUL unread, its reason" \
	"$([ "$res" = "differ: malformed 0 != 1" ] &&
		field "$tmp/w.json" 'r["audit"]["unread_by_reason"]' | grep -q "not JSON text"; echo $?)"

run "$tmp/sync.avro"
set -- $(field "$tmp/w.json" '"%d %d" % (r["audit"]["events"], r["audit"]["inputs_incomplete"])')
t "a wrong sync marker after the second of 5 blocks: its records read (24 events), incomplete" \
	"$([ "$1" = 24 ] && [ "$2" = 1 ] && grep -q "a block does not end with the file's sync marker (read up to there)" "$tmp/err"; echo $?)"

# damaged: every message before the damage read, the input incomplete, the reason given
events_of() { field "$tmp/w.json" '"%d %d" % (r["audit"]["events"], r["audit"]["inputs_incomplete"])'; }
run "$tmp/cutdeflate.avro"
set -- $(events_of)
t "deflate data cut inside a block: its first messages read ($1 of 60 events), incomplete" \
	"$([ "$1" -gt 30 ] && [ "$1" -lt 60 ] && [ "$2" = 1 ]; echo $?)"
t "deflate data cut inside a block: the reason" \
	"$(grep -q "as an Avro container to its end: a block's deflate data is cut short (read up to there)" "$tmp/err"; echo $?)"
run "$tmp/cutfile.avro"
set -- $(events_of)
t "file cut inside a block: its first messages read ($1 of 60 events), incomplete" \
	"$([ "$1" -gt 30 ] && [ "$1" -lt 60 ] && [ "$2" = 1 ]; echo $?)"
t "file cut inside a block: the reason" \
	"$(grep -q "as an Avro container to its end: the file ends inside a block (read up to there)" "$tmp/err"; echo $?)"
run "$tmp/corrupt.avro"
set -- $(events_of)
t "corrupt deflate data: the block before read ($1 events), incomplete, the reason" \
	"$([ "$1" = 30 ] && [ "$2" = 1 ] && grep -q "a block's deflate data is corrupt" "$tmp/err"; echo $?)"
