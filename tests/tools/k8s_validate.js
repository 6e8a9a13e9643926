#!/usr/bin/env node
// Validate Kubernetes manifests (JSON documents, one array per file, as
// tests/tools/k8s_validate.sh converts the YAML) against the upstream
// OpenAPI schemas, with the npm package kubernetes-models: each object
// becomes an instance of its model class, whose validate() checks it with
// the schema generated from Kubernetes' OpenAPI spec (ajv). Unknown kinds
// are errors, not passes.
//
// usage: NODE_PATH=build/npm/node_modules node k8s_validate.js FILE.json...
"use strict";
const fs = require("fs");

// apiVersion "batch/v1" -> module "kubernetes-models/batch/v1"; "v1" -> "kubernetes-models/v1"
function modelFor(apiVersion, kind) {
  let mod;
  try {
    mod = require("kubernetes-models/" + apiVersion);
  } catch (e) {
    return null;
  }
  return mod[kind] || null;
}

let bad = 0;
for (const file of process.argv.slice(2)) {
  const docs = JSON.parse(fs.readFileSync(file, "utf8"));
  docs.forEach((doc, i) => {
    const where = `${file}[${i}] ${doc && doc.kind}/${doc && doc.metadata && doc.metadata.name}`;
    const Model = doc && modelFor(doc.apiVersion, doc.kind);
    if (!Model) {
      console.log(`${where}: no model for apiVersion ${doc && doc.apiVersion} kind ${doc && doc.kind}`);
      bad++;
      return;
    }
    try {
      new Model(doc).validate();
      console.log(`${where}: valid`);
    } catch (e) {
      console.log(`${where}: INVALID: ${e.message.split("\n").slice(0, 6).join("; ")}`);
      bad++;
    }
  });
}
process.exit(bad ? 1 : 0);
