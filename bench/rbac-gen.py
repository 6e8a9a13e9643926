#!/usr/bin/env python3
"""Generate a synthetic RBAC dump like
`kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o json`
for kanon's benchmark: N objects, half roles and half bindings, over many
namespaces, with kubectl-style metadata, a few aggregated ClusterRoles and
about 1% of bindings that include an anonymous subject.

usage: rbac-gen.py [-n OBJECTS] [--yaml] [--seed S] > dump.json
"""
import argparse
import json
import random
import sys

VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
CORE = ["pods", "services", "configmaps", "secrets", "endpoints", "events",
        "persistentvolumeclaims", "serviceaccounts", "pods/log", "pods/exec"]
APPS = ["deployments", "statefulsets", "daemonsets", "replicasets"]


def meta(rng, name, ns=None, labels=None):
    m = {
        "creationTimestamp": "2025-06-01T10:00:00Z",
        "name": name,
        "resourceVersion": str(rng.randrange(1, 10**8)),
        "uid": "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                              rng.getrandbits(16), rng.getrandbits(16),
                                              rng.getrandbits(48)),
    }
    if ns is not None:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    return m


def rule(rng):
    if rng.random() < 0.7:
        return {"apiGroups": [""], "resources": rng.sample(CORE, rng.randint(1, 4)),
                "verbs": rng.sample(VERBS, rng.randint(1, 4))}
    return {"apiGroups": ["apps"], "resources": rng.sample(APPS, rng.randint(1, 3)),
            "verbs": rng.sample(VERBS, rng.randint(1, 3))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--yaml", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    nroles = a.n // 2
    nbind = a.n - nroles
    nns = max(1, a.n // 100)
    items = []
    ncluster = max(20, nroles // 10)
    naggr = 10
    for i in range(nroles):
        if i < naggr:
            items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": meta(rng, "agg-%d" % i),
                          "aggregationRule": {"clusterRoleSelectors": [
                              {"matchLabels": {"bench.example.com/aggregate-to": "agg-%d" % i}}]},
                          "rules": []})
        elif i < ncluster:
            labels = {"bench.example.com/aggregate-to": "agg-%d" % (i % naggr)} if i < 200 else None
            items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": meta(rng, "cr-%d" % i, labels=labels),
                          "rules": [rule(rng) for _ in range(rng.randint(1, 4))]})
        else:
            items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                          "metadata": meta(rng, "role-%d" % i, "ns-%d" % (i % nns)),
                          "rules": [rule(rng) for _ in range(rng.randint(1, 4))]})
    for i in range(nbind):
        subjects = [{"kind": "ServiceAccount", "name": "sa-%d" % rng.randrange(1000),
                     "namespace": "ns-%d" % rng.randrange(nns)}]
        if rng.random() < 0.01:
            subjects.append(rng.choice([
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:anonymous"},
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                 "name": "system:unauthenticated"}]))
        if rng.random() < 0.1:
            j = rng.randrange(ncluster)
            ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                   "name": "agg-%d" % j if j < naggr else "cr-%d" % j}
            if rng.random() < 0.5:
                items.append({"apiVersion": "rbac.authorization.k8s.io/v1",
                              "kind": "ClusterRoleBinding", "metadata": meta(rng, "crb-%d" % i),
                              "roleRef": ref, "subjects": subjects})
                continue
            ns = "ns-%d" % rng.randrange(nns)
        else:
            j = rng.randrange(ncluster, nroles) if nroles > ncluster else 0
            ns = "ns-%d" % (j % nns)
            ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "role-%d" % j}
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                      "metadata": meta(rng, "rb-%d" % i, ns), "roleRef": ref,
                      "subjects": subjects})
    doc = {"apiVersion": "v1", "items": items, "kind": "List",
           "metadata": {"resourceVersion": ""}}
    if a.yaml:
        import yaml
        yaml.safe_dump(doc, sys.stdout, default_flow_style=False, width=1000)
    else:
        json.dump(doc, sys.stdout, indent=4)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
