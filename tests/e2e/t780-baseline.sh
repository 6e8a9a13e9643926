#!/usr/bin/env bash
# kanon scan --baseline FILE: only the findings that are new since an
# earlier JSON report, the fixed ones listed, the exit status of the new
# ones; the identity ignores where the snapshot lies.
. "$(dirname "$0")/lib.sh"
"$KANON" scan examples/demo-cluster -f json -o "$tmp/base.json" >/dev/null

"$KANON" scan examples/demo-cluster --baseline "$tmp/base.json" -f json >"$tmp/same.json"
rc=$?
[ $rc = 0 ] && jq -e '(.findings | length) == 0 and .baseline.new == 0 and .baseline.fixed == 0 and
	.baseline.unchanged > 40 and .verdict == null' "$tmp/same.json" >/dev/null
check "the same snapshot: nothing new, nothing fixed, exit 0 (not 1)" $?

cp -r examples/demo-cluster "$tmp/moved"
"$KANON" scan "$tmp/moved" --baseline "$tmp/base.json" -f json >"$tmp/moved.json"
[ $? = 0 ] && jq -e '.baseline.new == 0 and .baseline.fixed == 0' "$tmp/moved.json" >/dev/null
check "the snapshot moved elsewhere: the same findings (paths are not identity)" $?

# a node fixed, another one added with the same problems
mv "$tmp/moved/kubelet/worker-1-legacy" "$tmp/moved/kubelet/worker-9-new"
"$KANON" scan "$tmp/moved" --baseline "$tmp/base.json" -f json >"$tmp/diff.json"
rc=$?
[ $rc = 1 ] && jq -e '.baseline.new == 4 and .baseline.fixed == 4 and
	([.findings[].target] | unique) == ["node/worker-9-new"] and
	([.baseline.fixed_findings[].target] | unique) == ["node/worker-1-legacy"]' "$tmp/diff.json" >/dev/null
check "a node fixed and a new one: 4 new listed, 4 fixed, exit 1" $?
/usr/bin/python3 tests/tools/json_schema.py docs/kanon-report.schema.json "$tmp/diff.json"
check "the baseline report validates against the schema" $?
"$KANON" scan "$tmp/moved" --baseline "$tmp/base.json" --fail-on critical >/dev/null
[ $? = 1 ]
"$KANON" scan "$tmp/moved" --baseline "$tmp/base.json" --fail-on none >/dev/null
[ $? = 0 ]
check "--fail-on applies to the new findings" $?
"$KANON" scan "$tmp/moved" --baseline "$tmp/base.json" >"$tmp/diff.txt"
grep -q "^baseline (--baseline)" "$tmp/diff.txt" && grep -q "fixed since the baseline: 4" "$tmp/diff.txt" &&
	! grep -q "node/worker-1-legacy  *$" "$tmp/diff.txt" && grep -q "^FAIL .*node/worker-9-new" "$tmp/diff.txt"
check "text: the new findings, then the fixed ones" $?

# a baseline without fingerprints (older reports): rule and target
jq 'del(.findings[].fingerprint)' "$tmp/base.json" >"$tmp/old.json"
"$KANON" scan "$tmp/moved" --baseline "$tmp/old.json" -f json >"$tmp/old-diff.json"
jq -e '([.findings[] | select(.rule != "audit-log-gap")] | length) == 4 and
	([.baseline.fixed_findings[] | select(.rule != "audit-log-gap")] | length) == 4' "$tmp/old-diff.json" >/dev/null
check "a baseline without fingerprints: computed from rule and target (gaps, told by their start, do not match)" $?

echo '{"tool":{}}' >"$tmp/notreport.json"
"$KANON" scan examples/demo-cluster --baseline "$tmp/notreport.json" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "is not a kanon JSON report" "$tmp/err"
check "a file that is no report: exit 2 with the reason" $?
"$KANON" scan examples/demo-cluster --baseline "$tmp/nonexistent.json" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "cannot read" "$tmp/err"
check "a missing baseline: exit 2" $?
