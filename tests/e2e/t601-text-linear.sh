#!/usr/bin/env bash
# The text reporter is linear in the number of findings: each fix is
# printed once ("as for the first ... finding above"), found through a
# hash set, not by comparing each finding with all earlier ones. 20,000
# anonymous bindings (one finding each, each with its own fix) must not
# take much longer as text than as JSON (the quadratic reporter took 13
# times as long here).
. "$(dirname "$0")/lib.sh"

python3 - 20000 >"$tmp/rbac.json" <<'PY'
import json, sys
n = int(sys.argv[1])
items = [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
          "metadata": {"name": "reader"},
          "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}]
for i in range(n):
    items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                  "metadata": {"name": "b%d" % i},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                              "name": "reader"},
                  "subjects": [{"kind": "User", "name": "system:anonymous"}]})
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout)
PY

now() { date +%s%N; }
t0=$(now)
"$KANON" rbac --fail-on none -f json "$tmp/rbac.json" >"$tmp/json.out"
t1=$(now)
"$KANON" rbac --fail-on none -f text "$tmp/rbac.json" >"$tmp/text.out"
t2=$(now)
json_ms=$(((t1 - t0) / 1000000))
text_ms=$(((t2 - t1) / 1000000))
n=$(grep -c '^FAIL ' "$tmp/text.out")
# generous: the same work plus slack for a loaded machine or a sanitizer build
if [ "$n" -eq 20000 ] && [ "$text_ms" -le $((3 * json_ms + 1500)) ]; then
	echo "ok - text report of $n findings in $text_ms ms (JSON $json_ms ms)"
else
	echo "not ok - text report of $n findings in $text_ms ms, JSON in $json_ms ms (quadratic?)"
fi
