#!/usr/bin/env bash
# kanon audit: the strict walk with shapes (AVX-512 VBMI2, src/parsers/jsonl_strict.inc) skips
# the bracket loop for a line whose shape a line before it had. On every real log of
# ../shared/corpus/auditlogs, on all of them in one file (one cache, many shapes), and on their
# native events with the keys of each event moved, renamed, escaped or emptied (one shape, other
# keys): the same report as the walk without shapes (KANON_SIMD=avx512) and as SSE2 only. On a
# CPU without VBMI2 the three are the same walk and the test says so.
. "$(dirname "$0")/lib.sh"
CORPUS=../shared/corpus/auditlogs
command -v python3 >/dev/null || { notok "- t911: python3 missing"; exit 0; }
[ -d "$CORPUS" ] || { notok "- t911: $CORPUS missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t911: $1"; else notok "- t911: $1"; fi; }
run() { "$KANON" audit --no-progress -f json --top 10000 "$@" 2>/dev/null; }
# same FILE...: each file's report with shapes, without, and with SSE2 only; 0 when all agree
same() {
	local bad=0 f
	for f in "$@"; do
		run "$f" >"$tmp/best.json"
		KANON_SIMD=avx512 run "$f" >"$tmp/avx512.json"
		KANON_SIMD=sse2 run "$f" >"$tmp/sse2.json"
		if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))["audit"]' \
			"$tmp/best.json" 2>/dev/null; then
			echo "    no report: $(basename "$f")"
			bad=1
		elif ! cmp -s "$tmp/best.json" "$tmp/avx512.json" ||
			! cmp -s "$tmp/best.json" "$tmp/sse2.json"; then
			echo "    differs: $(basename "$f")"
			bad=1
		fi
	done
	return $bad
}

grep -qw avx512_vbmi2 /proc/cpuinfo && echo "# this CPU has VBMI2: the shapes are used" ||
	echo "# no VBMI2 here: the three walks are one"

logs=()
for f in "$CORPUS"/*; do
	case $f in *.md) continue ;; esac
	logs+=("$f")
done
same "${logs[@]}"
t "${#logs[@]} corpus logs: the same report with shapes, without, and SSE2 only" $?

cat "${logs[@]}" >"$tmp/all.log"
same "$tmp/all.log"
t "the corpus in one file: the same report" $?

python3 - "$tmp/keys.jsonl" "${logs[@]}" <<'EOF'
import json, sys

out = open(sys.argv[1], "w")
n = 0
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict) or "auditID" not in ev or "stage" not in ev:
            continue
        keys = list(ev)
        text = json.dumps(ev, separators=(",", ":"))
        out.write(text + "\n")
        # the same shape, other keys: moved (values of one shape swap), renamed, escaped, emptied
        rev = dict(reversed(list(ev.items())))
        out.write(json.dumps(rev, separators=(",", ":")) + "\n")
        for k in keys:
            if not isinstance(ev[k], str):
                continue
            for new in ('"%s"' % k[:-1], '"%sx"' % k, '"%s\\u00%02x"' % (k[:-1], ord(k[-1])), '""'):
                out.write(text.replace('"%s":' % k, new + ":", 1) + "\n")
                n += 1
print("# %d lines with keys changed" % n)
EOF
same "$tmp/keys.jsonl"
t "events with keys moved, renamed, escaped and emptied: the same report" $?
run "$tmp/keys.jsonl" >"$tmp/k.json"
t "and kanon read them (events counted, escaped keys left to the tree parser)" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if a["events"] > 100 else 1)' "$tmp/k.json"; echo $?)"
