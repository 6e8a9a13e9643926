#!/usr/bin/env bash
# -f html: one self-contained file (no script, no external asset), opened in
# headless Chromium (Debian chromium): no console message at all, a
# screenshot that is not blank (tests/tools/png_stats.py), the charts from
# the audit section, and attacker strings rendered as text.
. "$(dirname "$0")/lib.sh"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
if [ -z "$CHROMIUM" ]; then
	notok "- chromium is missing: scripts/install-deps.sh installs it"
	exit 1
fi
# chrome FILE.html PNG: screenshot; its console messages in $tmp/console
chrome() {
	HOME=$tmp timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/profile" --no-first-run --enable-logging=stderr --v=0 \
		--window-size=1200,1600 --screenshot="$2" "file://$1" >"$tmp/chrome.out" 2>&1
	grep ':CONSOLE' "$tmp/chrome.out" >"$tmp/console"
	[ -s "$2" ]
}

"$KANON" scan examples/demo-cluster -f html -o "$tmp/demo.html"
[ $? = 1 ] && [ -s "$tmp/demo.html" ]
check "scan demo -f html -o FILE" $?
! grep -qi '<script\|<link\|<img\|<iframe\|<object\|src=\|href=\|url(\|@import' "$tmp/demo.html" &&
	grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$tmp/demo.html"
check "self-contained: no script, no external asset, a CSP that allows none" $?
grep -q 'id="verdict">EXPOSED<' "$tmp/demo.html" && grep -q '<ol class="paths">' "$tmp/demo.html" &&
	grep -q 'class="counts"' "$tmp/demo.html"
check "the verdict, the severity counts and the attack paths" $?
"$KANON" scan examples/demo-cluster -f json >"$tmp/demo.json"
gaps=$(jq '.audit.gaps | length' "$tmp/demo.json")
[ "$(grep -c '<rect class="gap"' "$tmp/demo.html")" = "$gaps" ] &&
	grep -q '<figure id="timeline">' "$tmp/demo.html" && grep -q '<figure id="classes">' "$tmp/demo.html" &&
	grep -q '<figure id="sources">' "$tmp/demo.html" && [ "$(grep -c '<polyline' "$tmp/demo.html")" -ge 4 ]
check "inline SVG charts: timeline with its $gaps gaps shaded, classes, top sources" $?
top=$(jq -r '.audit.anonymous.top_sources[0].ip' "$tmp/demo.json")
grep -q ">$top</text>" "$tmp/demo.html"
check "the top source ($top) is in its chart" $?

chrome "$tmp/demo.html" "$tmp/demo.png"
check "chromium renders it" $?
[ ! -s "$tmp/console" ]
check "no console message (errors, CSP violations)" $?
cat "$tmp/console"
/usr/bin/python3 tests/tools/png_stats.py "$tmp/demo.png" 50 10 >"$tmp/stats"
check "the screenshot is not blank ($(cat "$tmp/stats"))" $?

# the checks can fail: a page with a console error, a blank page
printf '<!DOCTYPE html><html><body><script>console.error("x")</script></body></html>' >"$tmp/bad.html"
chrome "$tmp/bad.html" "$tmp/bad.png"
[ -s "$tmp/console" ] && ! /usr/bin/python3 tests/tools/png_stats.py "$tmp/bad.png" 50 10 >/dev/null
check "control: a console error and a blank page are caught" $?

# attacker strings: a URI with <script>, a user agent with <img onerror>
"$KANON" scan tests/fixtures/report/hostile -f html -o "$tmp/h.html"
! grep -qi '<script\|<img' "$tmp/h.html" && grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' "$tmp/h.html"
check "hostile input: markup escaped in the file" $?
chrome "$tmp/h.html" "$tmp/h.png" && [ ! -s "$tmp/console" ]
check "hostile input: no script ran, no console message" $?
HOME=$tmp timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
	--dump-dom "file://$tmp/h.html" >"$tmp/h.dom" 2>/dev/null
grep -q '&lt;script&gt;alert("x")&lt;/script&gt;' "$tmp/h.dom" && ! grep -qi '<script\|<img' "$tmp/h.dom"
check "hostile input: the browser's DOM holds the URI as text, no script or img element" $?
