#!/usr/bin/env bash
# ClusterRole aggregation runs in dependency order (issue 8): a chain of
# aggregated roles, each selecting the next, is resolved in time linear in
# its length (repeated passes took one pass per level: 4 s for 800 roles,
# ~7x per doubling), with the same result whatever the input order.
. "$(dirname "$0")/lib.sh"

# chain N ORDER: role i aggregates role i+1, the last holds "get secrets";
# anonymous is bound to the head. ORDER head|tail: which end comes first.
chain() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n, order = int(sys.argv[1]), sys.argv[2]
items = []
for i in range(n):
    r = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "chain-%05d" % i,
                      "labels": {"chain-parent-%d" % (i - 1): "true"} if i else {}},
         "rules": []}
    if i < n - 1:
        r["aggregationRule"] = {"clusterRoleSelectors": [
            {"matchLabels": {"chain-parent-%d" % i: "true"}}]}
    else:
        r["rules"] = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]
    items.append(r)
if order == "tail":
    items.reverse()
items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
              "metadata": {"name": "anon-chain"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                          "name": "chain-00000"},
              "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                            "name": "system:anonymous"}]})
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout, indent=1)
PY
}

verdicts() {
	python3 -c '
import json, sys
for f in json.load(sys.stdin)["findings"]:
    print(f["rule"], f["status"], f["severity"], f["target"], f["message"])
'
}

for n in 800 3200; do
	chain $n head >"$tmp/head.json"
	chain $n tail >"$tmp/tail.json"
	start=$(date +%s%N)
	timeout 30 "$KANON" rbac -f json --fail-on none "$tmp/head.json" >"$tmp/head.out"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	verdicts <"$tmp/head.out" >"$tmp/head.v"
	if [ "$rc" != 0 ]; then
		notok "aggregation chain of $n: rc $rc after ${ms} ms"
	elif [ "$ms" -gt 2000 ]; then
		notok "aggregation chain of $n: took ${ms} ms (bound 2000)"
	else
		ok "aggregation chain of $n ($(wc -c <"$tmp/head.json") bytes) in ${ms} ms"
	fi
	if grep -q '^rbac-anonymous-binding FAIL critical ClusterRoleBinding/anon-chain .*read secrets' "$tmp/head.v"; then
		ok "aggregation chain of $n: the head holds the tail's rules"
	else
		notok "aggregation chain of $n: the head lacks the tail's rules"
		head -3 "$tmp/head.v" | sed 's/^/  /'
	fi
	timeout 30 "$KANON" rbac -f json --fail-on none "$tmp/tail.json" | verdicts >"$tmp/tail.v"
	if cmp -s "$tmp/head.v" "$tmp/tail.v"; then
		ok "aggregation chain of $n: same verdicts in either input order"
	else
		notok "aggregation chain of $n: the input order changes the verdicts"
		diff "$tmp/head.v" "$tmp/tail.v" | head -4 | sed 's/^/  /'
	fi
done

# two roles that select each other settle (as the controller's repeated
# syncs do) and both end with the rules of the part one of them selects
cat >"$tmp/cycle.yaml" <<'Y'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {pick-a: "true"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {pick-b: "true"}}, {matchLabels: {pick-p: "true"}}]}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {pick-b: "true"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {pick-a: "true"}}]}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: p, labels: {pick-p: "true"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: b}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:unauthenticated}]
Y
timeout 20 "$KANON" rbac -f json --fail-on none "$tmp/cycle.yaml" | verdicts >"$tmp/cycle.v"
if grep -q '^rbac-anonymous-binding FAIL critical ClusterRoleBinding/anon-b .*read secrets' "$tmp/cycle.v" &&
	! grep -q 'does not settle' "$tmp/cycle.v"; then
	ok "aggregation cycle settles with the rules of its part"
else
	notok "aggregation cycle"
	sed 's/^/  /' "$tmp/cycle.v" | head -5
fi
