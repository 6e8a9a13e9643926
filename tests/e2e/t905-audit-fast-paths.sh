#!/usr/bin/env bash
# kanon audit: the reading paths that skip cJSON for speed (issue 10, "faster than the wrong
# answer") give the answers of the slow ones. Fixtures: tests/fixtures/audit/fast/ (make.py);
# the docker json-file edge cases have their golden output in cases/audit/fast-docker-edge.
. "$(dirname "$0")/lib.sh"
F=tests/fixtures/audit/fast
command -v python3 >/dev/null || { notok "- t905: python3 missing"; exit 0; }

t() { if [ "$2" = 0 ]; then ok "- t905: $1"; else notok "- t905: $1"; fi; }
run() { "$KANON" audit --no-progress -f json "$@" 2>/dev/null; }

# a CRI line is told by its start: a ,"{ inside its Event does not make it a CSV row
run "$F/native-comma.jsonl" >"$tmp/native.json"
run "$F/cri-comma.log" >"$tmp/cri.json"
res=$(python3 tests/fixtures/audit/formats/same.py "$tmp/native.json" "$tmp/cri.json")
[ "$res" = same ] || echo "    $res"
t "CRI lines holding ,\"{ are read as CRI: same counts as the native log" \
	"$([ "$res" = same ]; echo $?)"

# docker json-file: the fast reader and cJSON agree, record for record
run "$F/docker-edge.log" >"$tmp/docker.json"
t "docker edge cases: 55 requests, 3 unread, the shapes cJSON reads counted as before" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["audit"]
sys.exit(0 if (a["requests"], a["malformed"], a["formats"]) == (55, 3, {"native": 2, "docker": 57, "shipper": 2}) else 1)' "$tmp/docker.json"; echo $?)"
