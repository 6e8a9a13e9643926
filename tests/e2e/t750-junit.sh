#!/usr/bin/env bash
# -f junit: well-formed XML (xmllint from libxml2-utils, and Python's
# parser), the structure CI servers read (tests/tools/junit_check.py), the
# mapping of statuses, and every input string escaped.
. "$(dirname "$0")/lib.sh"
if ! command -v xmllint >/dev/null; then
	notok "- xmllint is missing: scripts/install-deps.sh installs libxml2-utils"
	exit 1
fi
jc() { /usr/bin/python3 tests/tools/junit_check.py "$@"; }

"$KANON" scan examples/demo-cluster -f junit >"$tmp/demo.xml"
[ $? = 1 ] && xmllint --noout "$tmp/demo.xml" && jc "$tmp/demo.xml"
check "scan demo: well-formed, one suite per area, counts consistent" $?
jc "$tmp/demo.xml" --summary >"$tmp/sum"
grep -q "^suite node: " "$tmp/sum" && grep -q "^suite audit: " "$tmp/sum" && grep -q "^suite rbac: " "$tmp/sum"
check "suites for node, rbac and audit" $?
grep -q "kubelet-anonymous-auth node/worker-1-legacy | failure FAIL" "$tmp/sum" &&
	grep -q "kubelet-configz-drift node/worker-3-drift | skipped WARN" "$tmp/sum" &&
	grep -q "kubelet-anonymous-auth node/cp-1 | pass" "$tmp/sum"
check "FAIL is a failure, WARN skipped with the reason, PASS passes" $?
ids=$("$KANON" scan examples/demo-cluster -f json | jq '[.findings[] | .fingerprint] | unique | length')
[ "$(grep -c '<testcase ' "$tmp/demo.xml")" = "$ids" ]
check "one testcase per rule and target ($ids)" $?
"$KANON" scan tests/fixtures/scan/cmdline-other -f junit >"$tmp/unknown.xml" 2>/dev/null
jc "$tmp/unknown.xml" --summary >"$tmp/unknown.sum" && grep -q "| skipped UNKNOWN" "$tmp/unknown.sum"
check "UNKNOWN is skipped with the reason" $?

# hostile strings: markup, quotes, ampersands, controls, ]]>
"$KANON" scan tests/fixtures/report/hostile -f junit >"$tmp/h.xml"
xmllint --noout "$tmp/h.xml" && jc "$tmp/h.xml" &&
	python3 - "$tmp/h.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1])
names = [c.get("name") for c in t.iter("testcase")]
hit = [n for n in names if '<script>alert("x")</script>&amp;' in n]
assert hit, names
assert not any(ch in n for n in names for ch in "\x1b\u202e\x07"), "raw control character"
text = "".join(f.text or "" for f in t.iter("failure"))
assert "<img src=x onerror=alert(1)>" in text and "\\x07bell" in text
PY
check "attacker strings are escaped: they parse back as text, controls made visible" $?
! grep -q '<script>' "$tmp/h.xml" && ! grep -q '<img' "$tmp/h.xml"
check "no raw markup from the input in the file" $?
