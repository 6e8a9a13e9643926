#!/usr/bin/env bash
# -f prometheus: the text exposition for node-exporter's textfile collector,
# checked with promtool (Debian prometheus package): `promtool check
# metrics` must accept it, and the series must say what the report says.
. "$(dirname "$0")/lib.sh"
if ! command -v promtool >/dev/null; then
	notok "- promtool is missing: scripts/install-deps.sh installs prometheus"
	exit 1
fi
"$KANON" scan examples/demo-cluster -f prometheus >"$tmp/demo.prom"
[ $? = 1 ] && promtool check metrics <"$tmp/demo.prom" >"$tmp/pt" 2>&1
check "scan demo: promtool check metrics accepts it" $?
cat "$tmp/pt"
for m in kanon_findings kanon_anonymous_requests kanon_scan_duration_seconds kanon_build_info; do
	grep -q "^# TYPE $m gauge$" "$tmp/demo.prom" && grep -q "^${m}[{ ]" "$tmp/demo.prom"
	check "$m is there, typed" $?
done
# the counts agree with the JSON report
"$KANON" scan examples/demo-cluster -f json >"$tmp/demo.json"
want=$(jq '[.findings[] | select(.rule == "audit-anonymous-access" and .status == "FAIL")] | length' "$tmp/demo.json")
grep -qx "kanon_findings{rule=\"audit-anonymous-access\",severity=\"critical\",status=\"FAIL\"} $want" "$tmp/demo.prom"
check "kanon_findings counts what the JSON report lists ($want)" $?
ok_=$(jq '.audit.anonymous.allowed_by_class.sensitive' "$tmp/demo.json")
all=$(jq '.audit.anonymous.by_class.sensitive' "$tmp/demo.json")
grep -qx "kanon_anonymous_requests{class=\"sensitive\",outcome=\"allowed\"} $ok_" "$tmp/demo.prom" &&
	grep -qx "kanon_anonymous_requests{class=\"sensitive\",outcome=\"not_allowed\"} $((all - ok_))" "$tmp/demo.prom"
check "kanon_anonymous_requests: the audit section's classes and outcomes" $?
# the textfile collector reads a file written atomically: -o does that
"$KANON" scan examples/demo-cluster -f prometheus -o "$tmp/kanon.prom" >/dev/null
promtool check metrics <"$tmp/kanon.prom" >/dev/null 2>&1 && grep -q kanon_build_info "$tmp/kanon.prom"
check "-o FILE.prom for the textfile collector" $?
# hostile input: label values stay valid exposition
"$KANON" scan tests/fixtures/report/hostile -f prometheus >"$tmp/h.prom"
promtool check metrics <"$tmp/h.prom" >/dev/null 2>&1
check "hostile input: promtool still accepts it" $?
# every command writes it
for c in "kubelet --cmdline kubelet" "audit examples/demo-cluster/audit/audit.log.gz" "rbac examples/demo-cluster/rbac/rbac.json"; do
	# shellcheck disable=SC2086
	"$KANON" $c -f prometheus 2>/dev/null | promtool check metrics >/dev/null 2>&1
	check "${c%% *}: promtool accepts -f prometheus" $?
done
