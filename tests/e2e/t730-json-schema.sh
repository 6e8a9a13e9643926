#!/usr/bin/env bash
# -f json against its contract: docs/kanon-report.schema.json (JSON Schema
# 2020-12) validated with Debian's python3-jsonschema. Every golden case
# whose output is JSON, and every case's command run again with -f json
# (each command's golden inputs in JSON form), must validate; a broken
# report must not.
. "$(dirname "$0")/lib.sh"
schema=docs/kanon-report.schema.json
validate() { /usr/bin/python3 tests/tools/json_schema.py "$schema" "$@"; }

if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	notok "- python3-jsonschema is missing: scripts/install-deps.sh installs it"
	exit 1
fi

# 1. goldens that are JSON documents
# (one python3 for all: a golden that is not JSON is left out, anything else fails the check)
python3 -c '
import json, sys
for f in sys.argv[1:]:
    try:
        json.load(open(f))
        print(f)
    except ValueError:
        pass' tests/e2e/cases/*/*/stdout >"$tmp/goldens" || : >"$tmp/goldens"
mapfile -t files <"$tmp/goldens"
[ ${#files[@]} -ge 10 ] && validate "${files[@]}" >"$tmp/golden.err"
check "the ${#files[@]} JSON goldens validate against the schema" $?
[ -s "$tmp/golden.err" ] && head -5 "$tmp/golden.err"

# 2. every single-command case again with -f json
i=0
: >"$tmp/cmds.err"
export KANON HELPERS SHARED=${SHARED:-../shared}
for d in tests/e2e/cases/*/*/; do
	c=$(cat "$d/cmd")
	case "$c" in *"|"* | *";"* | *"&&"* | *">"* | *"-o "* | *collect* | *--help* | *-h) continue ;; esac
	case "$c" in '$KANON '* | '"$KANON" '*) ;; *) continue ;; esac
	# kanon fix writes a diff and its steps, not a report (docs/fix.md)
	case "$c" in *'KANON fix '* | *'KANON" fix '*) continue ;; esac
	o="$tmp/out.$((i + 1)).json"
	bash -c "$c -f json" >"$o" 2>/dev/null </dev/null
	[ -s "$o" ] || continue # a usage error: nothing reported
	i=$((i + 1))
	cmdname=$(echo "$c" | awk '{print $2}')
	echo "$cmdname" >>"$tmp/commands"
	printf '%s\t%s\n' "$o" "$c" >>"$tmp/outs"
done
# one validator for all of them (one per output took 3 of CI's minutes); each
# error line names its output, which names its command
if [ "$i" -gt 0 ]; then
	mapfile -t outs < <(cut -f1 "$tmp/outs")
	validate "${outs[@]}" >"$tmp/all.err"
	rc=$?
	awk -F'\t' 'NR == FNR { cmd[$1] = $2; next }
		{ f = $0; sub(/: .*/, "", f); print; if (f in cmd) print "  in: " cmd[f] }' \
		"$tmp/outs" "$tmp/all.err" >"$tmp/cmds.err"
	[ "$rc" = 0 ] || [ -s "$tmp/cmds.err" ] || echo "the validator failed ($rc)" >"$tmp/cmds.err"
fi
[ "$i" -ge 150 ] && [ ! -s "$tmp/cmds.err" ]
check "$i case commands' -f json output validates" $?
[ -s "$tmp/cmds.err" ] && head -10 "$tmp/cmds.err"
for c in kubelet apiserver rbac audit scan; do
	grep -qx "$c" "$tmp/commands"
	check "$c: -f json validated on its cases" $?
done

# 3. kanon rules, the scan verdict section, and the report of kanon probe
"$KANON" rules -f json | validate -
check "rules: -f json validates" $?
"$KANON" scan examples/demo-cluster -f json >"$tmp/scan.json"
validate "$tmp/scan.json" && jq -e '.verdict.verdict == "EXPOSED" and
	(.verdict.attack_paths | length) > 0' "$tmp/scan.json" >/dev/null
check "scan: the verdict and attack paths validate" $?
"$HELPERS/fakeapi" --mode open --port-file "$tmp/port" --lifetime 60 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
"$KANON" probe --server "http://127.0.0.1:$(cat "$tmp/port")" -f json >"$tmp/probe.json" 2>/dev/null
validate "$tmp/probe.json" && jq -e '.probe.servers | length == 1' "$tmp/probe.json" >/dev/null
check "probe: -f json validates" $?

# 4. the schema rejects what breaks the contract
jq 'del(.summary)' "$tmp/scan.json" >"$tmp/bad1.json"
jq '.findings[0].status = "BROKEN"' "$tmp/scan.json" >"$tmp/bad2.json"
jq '.findings[0].evidence[0].line = 0' "$tmp/scan.json" >"$tmp/bad3.json"
jq '.audit.timeline[0].start = "yesterday"' "$tmp/scan.json" >"$tmp/bad4.json"
for b in 1 2 3 4; do
	! validate "$tmp/bad$b.json" >/dev/null
	check "a broken report ($b) is rejected" $?
done
