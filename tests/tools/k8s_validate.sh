#!/bin/sh
# usage: k8s_validate.sh MANIFEST.yaml...: every document validated against
# the upstream Kubernetes schemas (kubernetes-models, tests/tools/k8s_validate.js).
# The YAML is read by Python's yaml (safe_load) into JSON for node.
set -eu
NPM_PREFIX=${NPM_PREFIX:-build/npm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
	python3 -c 'import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
json.dump(docs, open(sys.argv[2], "w"))' "$f" "$tmp/$(basename "$f").json"
done
NODE_PATH=$(cd "$NPM_PREFIX/node_modules" && pwd)
js=$(cd "$(dirname "$0")" && pwd)/k8s_validate.js
export NODE_PATH
(cd "$tmp" && node "$js" ./*.json)
