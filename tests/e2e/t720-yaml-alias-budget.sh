#!/usr/bin/env bash
# YAML alias expansion is budgeted in bytes and nodes over the whole input
# (issue 8): an alias bomb fails fast with "file:line: ..." instead of
# eating gigabytes. Each run is bounded in time (timeout) and, outside the
# sanitizer build (ASan reserves terabytes of address space), in memory
# (ulimit -v).
. "$(dirname "$0")/lib.sh"

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
# one 1 MB anchor, 20,000 aliases to it (1.1 MB of input)
with open(d + "/big-anchor.yaml", "w") as f:
    f.write(head + "staticPodPath: &big " + "x" * (1 << 20) + "\n")
    f.write("featureGates:\n")
    f.write("".join("  g%d: *big\n" % i for i in range(20000)))
# billion laughs in one small document (under 500 bytes)
def laughs(levels=9):
    out = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        p = "*a%d" % (i - 1)
        out += "a%d: &a%d [%s]\n" % (i, i, ", ".join([p] * 9))
    return out
with open(d + "/laughs.yaml", "w") as f:
    f.write(head + laughs())
# many documents, each a bomb that a per-document budget lets through
with open(d + "/multi.yaml", "w") as f:
    f.write("".join("---\n" + head + laughs(6) for _ in range(40)))
# 60 documents of 95% alias copies each: go-yaml's ratio allows one, the
# budget over the whole input does not allow them all
one = "---\na: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 19) + "]\n"
with open(d + "/ratio.yaml", "w") as f:
    f.write(one * 60)
with open(d + "/ratio-one.yaml", "w") as f:
    f.write(one)
# one merge key of a 50,000-key anchor (540 KB): linear, not quadratic
with open(d + "/merge.yaml", "w") as f:
    f.write(head + "a: &a {" + ", ".join("k%d: v" % i for i in range(50000)) + "}\n")
    f.write("featureGates:\n  <<: *a\n")
PY

limit=""
case "$KANON" in *build-san*) ;; *) limit="ulimit -v 1000000;" ;; esac

# run CMD...: bounded, timed; sets rc and ms
run() {
	local start
	start=$(date +%s%N)
	bash -c "$limit exec timeout 20 \"\$@\"" run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
}

# check NAME FILE: the run failed the parse with FILE:LINE and an alias
# message, within 5 s
check() {
	if [ "$rc" -ge 124 ]; then
		notok "$1: killed or timed out (rc $rc, ${ms} ms)"
		head -3 "$tmp/err" | sed 's/^/  /'
	elif ! grep -q "$2:[0-9]*: .*alias" "$tmp/out"; then
		notok "$1: no alias error naming file:line (rc $rc)"
		{ head -c 600 "$tmp/out"; echo; } | sed "s/^/  /"
	elif [ "$ms" -gt 5000 ]; then
		notok "$1: took ${ms} ms"
	else
		ok "$1: refused in ${ms} ms"
	fi
}

for f in big-anchor laughs multi; do
	run "$KANON" kubelet -f json --config "$tmp/$f.yaml"
	check "alias budget kubelet $f" "$f.yaml"
done
# rbac streams documents with a node budget each: the alias budget still
# covers the whole file
run "$KANON" rbac -f json "$tmp/multi.yaml"
check "alias budget rbac multi-document" "multi.yaml"
run "$KANON" rbac -f json "$tmp/ratio.yaml"
check "alias budget rbac: counted over all documents" "ratio.yaml"
run "$KANON" rbac -f json "$tmp/ratio-one.yaml"
if grep -q alias "$tmp/out" "$tmp/err"; then
	notok "alias budget rbac: one such document alone is refused"
else
	ok "alias budget rbac: one such document alone is accepted"
fi

# work is bounded too: merging a big anchor was quadratic (10 s)
run "$KANON" kubelet -f json --config "$tmp/merge.yaml"
if [ "$rc" -ge 124 ] || [ "$ms" -gt 3000 ]; then
	notok "merge of a 50,000-key anchor: rc $rc after ${ms} ms"
else
	ok "merge of a 50,000-key anchor in ${ms} ms"
fi
