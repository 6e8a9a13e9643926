#!/usr/bin/env bash
# kanon rbac: the same objects give the same verdicts whatever the input
# form (JSON List, YAML List, multi-document YAML, stdin, a directory), and
# a file that does not parse does not stop the others.
. "$(dirname "$0")/lib.sh"

# the findings without evidence and remediation (which name files and lines)
verdicts() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["findings"]:
    print(f["rule"], f["status"], f["severity"], f["target"], f["message"])
'
}

python3 bench/rbac-gen.py -n 3000 --seed 7 >"$tmp/dump.json"
python3 - "$tmp" <<'PY'
import json, sys, yaml
d = json.load(open(sys.argv[1] + "/dump.json"))
yaml.safe_dump(d, open(sys.argv[1] + "/dump.yaml", "w"))
with open(sys.argv[1] + "/multi.yaml", "w") as f:
    yaml.safe_dump_all(d["items"], f)
PY

"$KANON" rbac -f json --fail-on none "$tmp/dump.json" | verdicts >"$tmp/json.out"
n=$(grep -c '^rbac-anonymous-binding ' "$tmp/json.out")
if [ "$n" -gt 0 ]; then ok "rbac JSON List: $n anonymous bindings"; else notok "rbac JSON List: no findings"; fi

"$KANON" rbac -f json --fail-on none "$tmp/dump.yaml" | verdicts >"$tmp/yaml.out"
if cmp -s "$tmp/json.out" "$tmp/yaml.out"; then ok "rbac YAML List = JSON List"; else
	notok "rbac YAML List differs from JSON List"; diff "$tmp/json.out" "$tmp/yaml.out" | head -5 | sed 's/^/  /'; fi

"$KANON" rbac -f json --fail-on none "$tmp/multi.yaml" | verdicts >"$tmp/multi.out"
if cmp -s "$tmp/json.out" "$tmp/multi.out"; then ok "rbac multi-document YAML = JSON List"; else
	notok "rbac multi-document YAML differs"; diff "$tmp/json.out" "$tmp/multi.out" | head -5 | sed 's/^/  /'; fi

"$KANON" rbac -f json --fail-on none - <"$tmp/dump.json" | verdicts >"$tmp/stdin.out"
if cmp -s "$tmp/json.out" "$tmp/stdin.out"; then ok "rbac stdin = file"; else notok "rbac stdin differs"; fi

mkdir -p "$tmp/dir/sub"
cp "$tmp/multi.yaml" "$tmp/dir/sub/objects.yml"
echo "# not a manifest" >"$tmp/dir/README.md"
"$KANON" rbac -f json --fail-on none "$tmp/dir" 2>"$tmp/dir.err" | verdicts >"$tmp/dir.out"
if cmp -s "$tmp/json.out" "$tmp/dir.out" && [ ! -s "$tmp/dir.err" ]; then
	ok "rbac directory = JSON List, README.md skipped"; else notok "rbac directory differs"; fi

# a template that does not parse: error with file:line, the other file still analysed
printf 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: x\n  namespace: {{ .Values.ns }}\n' >"$tmp/tpl.yaml"
"$KANON" rbac -f json "$tmp/tpl.yaml" "$tmp/dump.json" >"$tmp/both.json" 2>"$tmp/both.err"
rc=$?
verdicts <"$tmp/both.json" >"$tmp/both.out"
if [ $rc = 2 ] && grep -q "tpl.yaml:5: " "$tmp/both.err" && cmp -s "$tmp/json.out" "$tmp/both.out"; then
	ok "rbac parse error names file:line, exit 2, other files analysed"
else
	notok "rbac parse error handling (rc=$rc)"; head -3 "$tmp/both.err" | sed 's/^/  /'
fi

# truncated JSON: error with its line, the items before it kept
head -c 200000 "$tmp/dump.json" >"$tmp/cut.json"
"$KANON" rbac -f json --fail-on none "$tmp/cut.json" >"$tmp/cut.out" 2>"$tmp/cut.err"
rc=$?
if [ $rc = 2 ] && grep -q "cut.json:[0-9]*: invalid JSON" "$tmp/cut.err"; then
	ok "rbac truncated JSON: error with line, exit 2"
else
	notok "rbac truncated JSON (rc=$rc)"; head -3 "$tmp/cut.err" | sed 's/^/  /'
fi

# a `-o yaml` List with more nodes than the YAML parser's per-tree limit
# (500,000): read item by item, every item analysed, memory bounded
python3 - "$tmp/big.yaml" <<'PY'
import sys
out = ["apiVersion: v1", "kind: List", "items:"]
for i in range(110000):
    subj = "system:unauthenticated" if i % 1000 == 0 else "team-%d" % i
    out.append("- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n"
               "  metadata:\n    name: b%d\n    labels: {a: x, b: y, c: z, d: w, e: v, f: u}\n"
               "  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
               "  subjects:\n  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: %s}"
               % (i, subj))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
"$KANON" rbac -q -f json --fail-on none "$tmp/big.yaml" >"$tmp/big.json" 2>"$tmp/big.err"
rc=$?
n=$(grep -o '"rule":"rbac-anonymous-binding"' "$tmp/big.json" | wc -l)
if [ $rc = 0 ] && [ "$n" = 110 ] && [ ! -s "$tmp/big.err" ]; then
	ok "rbac YAML List of 110,000 objects (> 2,000,000 nodes, the limit is 500,000 per object): all analysed"
else
	notok "rbac big YAML List (rc=$rc, $n findings, expected 110)"; head -3 "$tmp/big.err" | sed 's/^/  /'
fi

# truncated YAML List: error with its line, exit 2, the items before it kept
head -c 100000 "$tmp/big.yaml" >"$tmp/cut.yaml"
printf '  subjects: [\n' >>"$tmp/cut.yaml"
"$KANON" rbac -f json --fail-on none "$tmp/cut.yaml" >"$tmp/cuty.json" 2>"$tmp/cuty.err"
rc=$?
n=$(grep -o '"rule":"rbac-anonymous-binding"' "$tmp/cuty.json" | wc -l)
if [ $rc = 2 ] && grep -q "cut.yaml:[0-9]*: " "$tmp/cuty.err" && [ "$n" = 1 ]; then
	ok "rbac truncated YAML List: error with line, exit 2, earlier items kept"
else
	notok "rbac truncated YAML List (rc=$rc, $n findings)"; head -3 "$tmp/cuty.err" | sed 's/^/  /'
fi
