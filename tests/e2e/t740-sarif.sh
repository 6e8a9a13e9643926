#!/usr/bin/env bash
# -f sarif: SARIF 2.1.0 as GitHub code scanning ingests it, checked by
# Microsoft's validator (npm @microsoft/sarif-multitool, `validate` with the
# SARIF and GitHub rule sets: --rule-kind "Sarif;Gh"); any error fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/npm-tools.sh"
npm_need @microsoft/sarif-multitool || exit 1
# the platform binary itself: the npm wrapper passes its arguments through
# a shell, which splits "Sarif;Gh"
# .NET without ICU (a fresh Debian may not have libicu)
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
mt=$(ls "$NPM_PREFIX"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null | head -1)
[ -x "$mt" ] || { echo "not ok - no Sarif.Multitool binary in $NPM_PREFIX"; exit 1; }

# validate FILE: 0 when the validator reports no error
validate() {
	rm -f "$tmp/log.sarif"
	timeout 300 "$mt" validate --rule-kind "Sarif;Gh" -o "$tmp/log.sarif" "$1" >"$tmp/mt.out" 2>&1 &&
		[ -s "$tmp/log.sarif" ] &&
		! grep -q ": error " "$tmp/mt.out" &&
		jq -e '[.runs[].results[]? | select(.level == "error")] | length == 0' "$tmp/log.sarif" >/dev/null
}

"$KANON" scan examples/demo-cluster -f sarif >"$tmp/demo.sarif"
[ $? = 1 ] && validate "$tmp/demo.sarif"
check "scan demo: the validator (SARIF and GitHub rules) reports no error" $?
grep ": error \|: warning " "$tmp/mt.out" | head -5

# the validator does check: a result without a location is an error
jq 'del(.runs[0].results[0].locations)' "$tmp/demo.sarif" >"$tmp/bad.sarif"
! validate "$tmp/bad.sarif" && grep -q "GH" "$tmp/mt.out"
check "the validator rejects a result without locations (GitHub rules on)" $?

for c in "kubelet --cmdline kubelet" "rbac examples/demo-cluster/rbac/rbac.json" \
	"audit examples/demo-cluster/audit/audit.log.gz" "apiserver --manifest examples/demo-cluster/apiserver/cp-2/kube-apiserver.yaml"; do
	# shellcheck disable=SC2086
	"$KANON" $c -f sarif >"$tmp/c.sarif" 2>/dev/null
	validate "$tmp/c.sarif"
	check "${c%% *}: -f sarif validates" $?
done

# rules: help from the docs page, the security-severity scores, tags
jq -e --rawfile doc docs/rules/rbac-anonymous-binding.md '.runs[0].tool.driver.rules[] |
	select(.id == "rbac-anonymous-binding") | .help.markdown == $doc and
	.properties["security-severity"] == "9.5" and (.properties.tags | index("security")) != null and
	(.helpUri | endswith("rbac-anonymous-binding.md")) and (.fullDescription.text | length) > 40' \
	"$tmp/demo.sarif" >/dev/null
check "rules carry their docs page as help.markdown, security-severity 9.5 for critical" $?
jq -e '[.runs[0].tool.driver.rules[] | .properties["security-severity"]] | unique == ["0.0","3.0","5.5","8.0","9.5"] or
	(unique - ["0.0","3.0","5.5","8.0","9.5"] | length) == 0' "$tmp/demo.sarif" >/dev/null
check "security-severity is one of the fixed scores" $?

# locations: files with lines; findings without a file get a synthetic path
jq -e '[.runs[0].results[] | .locations[0].physicalLocation] | all(.artifactLocation.uri != "" and .region.startLine >= 1)' "$tmp/demo.sarif" >/dev/null &&
	jq -e '[.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri] |
	index("node/worker-1-legacy/kubelet") != null and index("examples/demo-cluster/rbac/rbac.json") != null' "$tmp/demo.sarif" >/dev/null
check "every result has a file and line; kubelet findings node/<host>/kubelet" $?

# fingerprints: the same across runs and wherever the snapshot lies
cp -r examples/demo-cluster "$tmp/copy"
"$KANON" scan "$tmp/copy" -f sarif >"$tmp/copy.sarif"
fp() { jq -r '.runs[0].results[] | .ruleId + " " + .partialFingerprints["kanonFindingId/v1"]' "$1" | sort; }
"$KANON" scan examples/demo-cluster -f sarif >"$tmp/again.sarif"
cmp -s <(fp "$tmp/demo.sarif") <(fp "$tmp/again.sarif") && cmp -s <(fp "$tmp/demo.sarif") <(fp "$tmp/copy.sarif") &&
	[ "$(fp "$tmp/demo.sarif" | wc -l)" -gt 40 ]
check "partialFingerprints are stable across runs and snapshot locations" $?

# hostile strings stay data: a target with quotes and controls is valid JSON
jq -e '.runs[0].results | length > 0' "$tmp/demo.sarif" >/dev/null &&
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/demo.sarif"
check "the SARIF file is strict JSON" $?
