#!/usr/bin/env bash
# Benchmark `kanon audit` on a ~1 GB generated audit log against grep and jq.
#
#   bench/audit-bench.sh [KANON]     (default build/kanon; run from anywhere)
#   KANON_OLD=path/to/old/kanon bench/audit-bench.sh [KANON]
#                                    also times an older build in the same run (old, new and
#                                    grep -c, interleaved, median of RUNS each; peak RSS of both);
#                                    COMPARE_ONLY=1 stops after that comparison
#
# Generates bench/out/big-audit.jsonl with ../shared/bench/gen_audit.py once (cached, with its
# ground-truth file), then times, warm cache (each input dropped from the page cache and read
# once: see recache() below), the median of RUNS runs (default 5):
#   kanon audit (all CPUs), kanon audit --threads 1, on one core (taskset), grep -c,
#   cat >/dev/null, the grep|jq|sort|uniq pipeline, and once jq over every line;
#   kanon on the gzip'ed log vs zcat and zlib's own inflate (bench/audit-zinflate.c).
# Prints how the page cache holds the log (bench/audit-folios.c: how many 2 MB units are
# 2 MB folios, which decides whether kanon maps it or reads it).
# Prints MB/s and the ratios, the peak RSS of kanon, and checks kanon's counts against the truth.
#
#   WRAPPED=1 bench/audit-bench.sh [KANON]
#                                    instead: the wrapped formats and parallel gzip (issue 10
#                                    goals: a wrapped format at most 1.5x the native time of the
#                                    same events; several .gz inflated in parallel). The first
#                                    80000 lines, wrapped by bench/audit-wrap.py as docker
#                                    json-file, CRI, CloudWatch filter-log-events pages, AKSAudit
#                                    CSV and Event Hub Capture Avro (WRAPS=... for fewer), are
#                                    timed against the native lines (interleaved, median of RUNS,
#                                    old build too with KANON_OLD) and must give the same JSON;
#                                    then the log cut in 4 gzip'ed parts vs the one .gz.
set -u
cd "$(dirname "$0")/.."
KANON=${1:-build/kanon}
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-1024}
OUT=bench/out
LOG=$OUT/big-audit.jsonl
GEN=../shared/bench/gen_audit.py

[ -x "$KANON" ] || { echo "no kanon binary at $KANON (make first)" >&2; exit 2; }
mkdir -p "$OUT"
if [ ! -s "$LOG" ] || [ ! -s "$LOG.truth.json" ]; then
	echo "generating $LOG ($SIZE_MB MB, seed 42)..." >&2
	python3 "$GEN" --out "$LOG" --size-mb "$SIZE_MB" --seed 42 || exit 2
fi
if [ ! -s "$LOG.gz" ] || [ "$LOG.gz" -ot "$LOG" ]; then
	echo "compressing $LOG.gz..." >&2
	gzip -c "$LOG" >"$LOG.gz"
fi
if ! command -v jq >/dev/null; then
	echo "jq missing: trying apt-get install jq" >&2
	{ apt-get install -y jq || { apt-get update && apt-get install -y jq; }; } >/dev/null 2>&1 || true
fi
HAVE_JQ=$(command -v jq >/dev/null && echo 1 || echo 0)

bytes=$(stat -c %s "$LOG")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
# Warm cache, in a known state: each input is dropped from the page cache and read once, so
# that its pages are what readahead makes of a file read in order (large folios on ext4 since
# Linux 6.16, which kanon maps 2 MB at a time: src/sources/filemap.c), not what the writes of
# its generator left (a file written by small appends and still cached is mostly 4 KB pages:
# RECACHE=0 keeps that state). grep and zcat read() and do not depend on it.
recache() {
	local f
	for f in "$@"; do
		[ "${RECACHE:-1}" = 1 ] && dd if="$f" iflag=nocache count=0 status=none 2>/dev/null
		cat "$f" >/dev/null
	done
}
recache "$LOG" "$LOG.gz"

# median wall time in seconds of RUNS runs of "$@" (stdout discarded)
median() {
	local n=$1
	shift
	local ts=()
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		ts+=("$(( (t1 - t0) / 1000 ))")
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }'
}

row() { # label seconds
	printf '%-52s %8.3f s %9.0f MB/s\n' "$1" "$2" "$(awk -v m="$mb" -v s="$2" 'BEGIN { print m / s }')"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other processes skew the timings)"
echo "input: $LOG, $mb MB, $(wc -l <"$LOG") lines; $(nproc) CPUs; median of $RUNS runs, warm cache"
# how readahead cached the log (fragmented free memory makes fewer 2 MB folios: kanon then
# reads it with read() instead of mapping it, and the timings differ for that alone)
FOLIOS=$OUT/audit-folios
if [ ! -x "$FOLIOS" ] || [ "$FOLIOS" -ot bench/audit-folios.c ]; then
	${CC:-cc} -O2 -o "$FOLIOS" bench/audit-folios.c || exit 2
fi
if fo=$("$FOLIOS" "$LOG"); then
	echo "page cache: ${fo% *} of the log's ${fo#* } 2 MB units are 2 MB folios (bench/audit-folios.c)"
fi

# old build vs this one, interleaved run by run so that a noisy moment hits all three
compare_old() {
	local tg=() to=() tn=() ts=() a b c d e
	for _ in $(seq "$RUNS"); do
		a=$(date +%s%N); grep -c system:anonymous "$LOG" >"$OUT/.grep-count"; b=$(date +%s%N)
		"$KANON_OLD" audit -f json --no-progress "$LOG" >/dev/null 2>&1; c=$(date +%s%N)
		"$KANON" audit -f json --no-progress "$LOG" >/dev/null 2>&1; d=$(date +%s%N)
		KANON_SIMD=sse2 "$KANON" audit -f json --no-progress "$LOG" >/dev/null 2>&1; e=$(date +%s%N)
		tg+=("$(( (b - a) / 1000 ))"); to+=("$(( (c - b) / 1000 ))"); tn+=("$(( (d - c) / 1000 ))")
		ts+=("$(( (e - d) / 1000 ))")
	done
	med() { printf '%s\n' "$@" | sort -n | awk '{ x[NR] = $1 } END { printf "%.3f", x[int((NR + 1) / 2)] / 1e6 }'; }
	local g o n s ro rn
	g=$(med "${tg[@]}"); o=$(med "${to[@]}"); n=$(med "${tn[@]}"); s=$(med "${ts[@]}")
	ro=$( { /usr/bin/time -f '%M' "$KANON_OLD" audit -f json --no-progress "$LOG" >/dev/null; } 2>&1 | tail -n 1)
	rn=$( { /usr/bin/time -f '%M' "$KANON" audit -f json --no-progress "$LOG" >/dev/null; } 2>&1 | tail -n 1)
	echo "old vs new (median of $RUNS interleaved runs each):"
	row "grep -c system:anonymous" "$g"
	row "old kanon audit -f json ($KANON_OLD)" "$o"
	row "new kanon audit -f json ($KANON)" "$n"
	row "new kanon, KANON_SIMD=sse2 (no AVX2, no AVX-512)" "$s"
	awk -v g="$g" -v o="$o" -v n="$n" -v s="$s" -v ro="$ro" -v rn="$rn" 'BEGIN {
		printf "ratio to grep -c: old %.2fx, new %.2fx, new SSE2 only %.2fx; new / old: %.2fx the time\n", o / g, n / g, s / g, n / o
		printf "peak RSS: old %d MB, new %d MB\n", ro / 1024, rn / 1024 }'
}
# med_of LIST...: the median of microsecond times, in seconds
med_of() { printf '%s\n' "$@" | sort -n | awk '{ x[NR] = $1 } END { printf "%.3f", x[int((NR + 1) / 2)] / 1e6 }'; }
# interleaved: each run times every command once, in turn; prints one median per command
interleave() {
	local -a ts
	local i j t0 t1 n=$#
	for i in $(seq "$RUNS"); do
		j=0
		for c in "$@"; do
			t0=$(date +%s%N); eval "$c" >/dev/null 2>&1; t1=$(date +%s%N)
			ts[j * RUNS + i - 1]=$(( (t1 - t0) / 1000 ))
			j=$((j + 1))
		done
	done
	for j in $(seq 0 $((n - 1))); do
		med_of "${ts[@]:j * RUNS:RUNS}"
		echo
	done
}
wrapped() {
	local nat=$OUT/wrap-native.jsonl f k meds py
	local WRAPS=${WRAPS:-docker cri cloudwatch aksaudit-csv eventhub}
	[ -s "$nat" ] || head -n 80000 "$LOG" >"$nat"
	for f in $WRAPS; do
		# the Avro writer is Debian's python3-avro
		py=python3
		[ "$f" = eventhub ] && py=/usr/bin/python3
		[ -s "$OUT/wrap-$f.log" ] && [ "$OUT/wrap-$f.log" -nt "$nat" ] ||
			$py bench/audit-wrap.py "$f" "$nat" "$OUT/wrap-$f.log" || exit 2
	done
	# shellcheck disable=SC2086
	recache "$nat" $(for f in $WRAPS; do echo "$OUT/wrap-$f.log"; done)
	"$KANON" audit -f json --no-progress "$nat" >"$OUT/.native.json"
	echo "wrapped formats: the same 80000 events (median of $RUNS interleaved runs)"
	for f in $WRAPS; do
		"$KANON" audit -f json --no-progress "$OUT/wrap-$f.log" >"$OUT/.wrap.json"
		# the comparison of tests/e2e/t900 (counts, verdicts, top lists, timeline)
		res=$(python3 tests/fixtures/audit/formats/same.py "$OUT/.native.json" "$OUT/.wrap.json")
		[ "$res" = same ] || echo "  $f: DIFFERENT from the native log: $res"
		if [ -n "${KANON_OLD:-}" ]; then
			mapfile -t meds < <(interleave "$KANON audit -f json --no-progress $nat" \
				"$KANON audit -f json --no-progress $OUT/wrap-$f.log" \
				"$KANON_OLD audit -f json --no-progress $nat" \
				"$KANON_OLD audit -f json --no-progress $OUT/wrap-$f.log")
			awk -v f="$f" -v n="${meds[0]}" -v w="${meds[1]}" -v on="${meds[2]}" -v ow="${meds[3]}" 'BEGIN {
				printf "  %-10s native %.3f s, wrapped %.3f s: %.2fx (old: %.3f s / %.3f s: %.2fx; goal <= 1.5x)\n", f, n, w, w / n, on, ow, ow / on }'
		else
			mapfile -t meds < <(interleave "$KANON audit -f json --no-progress $nat" \
				"$KANON audit -f json --no-progress $OUT/wrap-$f.log")
			awk -v f="$f" -v n="${meds[0]}" -v w="${meds[1]}" 'BEGIN {
				printf "  %-10s native %.3f s, wrapped %.3f s: %.2fx (goal <= 1.5x)\n", f, n, w, w / n }'
		fi
	done
	# parallel gzip: the log in 4 .gz parts vs the one .gz (same events, same JSON)
	if [ ! -s "$OUT/part-03.jsonl.gz" ] || [ "$OUT/part-03.jsonl.gz" -ot "$LOG" ]; then
		split -n l/4 -d --additional-suffix=.jsonl "$LOG" "$OUT/part-" || exit 2
		for k in 0 1 2 3; do gzip -f "$OUT/part-0$k.jsonl"; done
	fi
	local parts="$OUT/part-00.jsonl.gz $OUT/part-01.jsonl.gz $OUT/part-02.jsonl.gz $OUT/part-03.jsonl.gz"
	# shellcheck disable=SC2086
	recache $parts
	"$KANON" audit -f json --no-progress "$LOG.gz" | python3 -c 'import json,sys; a=json.load(sys.stdin)["audit"]; print(a["requests"], a["anonymous"]["requests"], a["unauthorized_401"])' >"$OUT/.one"
	# shellcheck disable=SC2086
	"$KANON" audit -f json --no-progress $parts | python3 -c 'import json,sys; a=json.load(sys.stdin)["audit"]; print(a["requests"], a["anonymous"]["requests"], a["unauthorized_401"])' >"$OUT/.four"
	cmp -s "$OUT/.one" "$OUT/.four" || echo "  4 .gz parts: DIFFERENT counts from the one .gz"
	if [ -n "${KANON_OLD:-}" ]; then
		mapfile -t meds < <(interleave "$KANON audit -f json --no-progress $LOG.gz" \
			"$KANON audit -f json --no-progress $parts" \
			"$KANON_OLD audit -f json --no-progress $parts")
		awk -v o="${meds[0]}" -v p="${meds[1]}" -v q="${meds[2]}" 'BEGIN {
			printf "gzip: one .gz %.3f s; 4 .gz parts: new %.3f s (%.2fx the one), old %.3f s (%.2fx)\n", o, p, p / o, q, q / o }'
	else
		mapfile -t meds < <(interleave "$KANON audit -f json --no-progress $LOG.gz" \
			"$KANON audit -f json --no-progress $parts")
		awk -v o="${meds[0]}" -v p="${meds[1]}" 'BEGIN {
			printf "gzip: one .gz %.3f s; 4 .gz parts %.3f s (%.2fx)\n", o, p, p / o }'
	fi
	rss=$( { /usr/bin/time -f '%M' "$KANON" audit -f json --no-progress $parts >/dev/null; } 2>&1 | tail -n 1)
	echo "  peak RSS on the 4 parts: $((rss / 1024)) MB"
}
if [ "${WRAPPED:-0}" = 1 ]; then
	wrapped
	exit 0
fi
if [ -n "${KANON_OLD:-}" ]; then
	[ -x "$KANON_OLD" ] || { echo "no old kanon binary at $KANON_OLD" >&2; exit 2; }
	compare_old
	[ "${COMPARE_ONLY:-0}" = 1 ] && exit 0
fi
t_cat=$(median "$RUNS" cat "$LOG")
# GNU grep stops at the first match when its output is /dev/null: write to a file
grepc() { grep -c system:anonymous "$LOG" >"$OUT/.grep-count"; }
t_grep=$(median "$RUNS" grepc)
t_k=$(median "$RUNS" "$KANON" audit -f json --no-progress "$LOG")
t_k1=$(median "$RUNS" "$KANON" audit -f json --no-progress --threads 1 "$LOG")
# one core for everything: the reader, the scanner and the aggregating thread
t_kc=$(median "$RUNS" taskset -c 0 "$KANON" audit -f json --no-progress --threads 1 "$LOG")
row "cat >/dev/null" "$t_cat"
row "grep -c system:anonymous" "$t_grep"
row "kanon audit -f json (all CPUs)" "$t_k"
row "kanon audit -f json --threads 1" "$t_k1"
row "taskset -c 0 kanon audit --threads 1 (one core)" "$t_kc"
if [ "$HAVE_JQ" = 1 ]; then
	pipeline() {
		grep '"username":"system:anonymous"' "$LOG" | jq -r .requestURI | sort | uniq -c |
			sort -rn | head -20
	}
	t_pipe=$(median 3 pipeline)
	row "grep|jq .requestURI|sort|uniq -c (3 runs)" "$t_pipe"
	fulljq() { jq -c 'select(.user.username=="system:anonymous")' "$LOG" | wc -l; }
	t_jq=$(median 1 fulljq)
	row "jq -c 'select(anonymous)' | wc -l (1 run)" "$t_jq"
else
	echo "(jq not installed and apt-get failed: jq rows skipped)"
fi
gzmb=$(awk -v b="$(stat -c %s "$LOG.gz")" 'BEGIN { printf "%.1f", b / 1e6 }')
t_zcat=$(median 3 zcat "$LOG.gz")
ZINF=$OUT/audit-zinflate
if [ ! -x "$ZINF" ] || [ "$ZINF" -ot bench/audit-zinflate.c ]; then
	${CC:-cc} -O2 -o "$ZINF" bench/audit-zinflate.c -lz || exit 2
fi
zlib_inflate() { "$ZINF" "$LOG.gz"; }
t_zlib=$(median 3 zlib_inflate)
t_kgz=$(median 3 "$KANON" audit -f json --no-progress "$LOG.gz")
echo "gzip ($gzmb MB compressed; MB/s of uncompressed data):"
row "  zcat >/dev/null (3 runs)" "$t_zcat"
row "  zlib inflate only (bench/audit-zinflate.c, 3 runs)" "$t_zlib"
row "  kanon audit file.gz (3 runs)" "$t_kgz"

# The machine may be shared: compare kanon with grep run by run, alternating, and take the
# median of the ratios (a slow moment then hits both sides of a pair).
pair_ratios() {
	local rs=()
	for _ in $(seq "$RUNS"); do
		local a b c
		a=$(date +%s%N); grepc; b=$(date +%s%N)
		"$KANON" audit -f json --no-progress "$LOG" >/dev/null 2>&1; c=$(date +%s%N)
		rs+=("$(awk -v g=$((b - a)) -v k=$((c - b)) 'BEGIN { printf "%.3f", k / g }')")
	done
	printf '%s\n' "${rs[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
r_pair=$(pair_ratios)

rss=$( { /usr/bin/time -f '%M' "$KANON" audit -f json --no-progress "$LOG" >/dev/null; } 2>&1 | tail -n 1)
echo
awk -v k="$t_k" -v k1="$t_k1" -v g="$t_grep" -v rp="$r_pair" -v z="$t_zlib" -v kg="$t_kgz" -v zc="$t_zcat" 'BEGIN {
	printf "kanon / grep -c:            %.2fx the time (medians); %.2fx (median of alternating pairs; goal (issue 10): at most 1.0x)\n", k / g, rp
	printf "kanon 1 thread / all CPUs: %.2fx speed-up\n", k1 / k
	printf "kanon .gz / zlib inflate:  %.2fx the time; / zcat: %.2fx\n", kg / z, kg / zc
}'
[ "$HAVE_JQ" = 1 ] && awk -v k="$t_k" -v p="$t_pipe" -v j="$t_jq" 'BEGIN {
	printf "grep|jq pipeline / kanon:  %.1fx slower; jq over all lines / kanon: %.1fx slower\n", p / k, j / k }'
echo "kanon peak RSS: $((rss / 1024)) MB"

# the answers, against the generator's truth
"$KANON" audit -f json --no-progress "$LOG" | python3 -c '
import json, sys
a = json.load(sys.stdin)["audit"]; t = json.load(open(sys.argv[1]))
rows = [("requests", a["requests"], t["requests"]),
        ("anonymous requests", a["anonymous"]["requests"], t["anon_requests"]),
        ("anonymous successful", a["anonymous"]["allowed"], t["anon_success_requests"]),
        ("successful sensitive", a["anonymous"]["allowed_by_class"]["sensitive"], t["anon_critical_success_requests"]),
        ("401 requests", a["unauthorized_401"], t["code401_requests"]),
        ("RBAC grants", len(a["rbac_anonymous_grants"]), len(t["rbac_anon_binding_changes"])),
        ("gaps >= 5m", len(a["gaps"]), len([g for g in t["gaps"] if g["seconds"] >= 300]))]
print("\ncounts (kanon / truth):")
for n, k, w in rows:
    print("  %-22s %9d %9d  %s" % (n, k, w, "ok" if k == w else "DIFFERENT"))
' "$LOG.truth.json"
echo "(grep -c counts $(grep -c system:anonymous "$LOG") lines, not requests)"
