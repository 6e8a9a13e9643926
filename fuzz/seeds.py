#!/usr/bin/env python3
"""Seed corpora of the fuzz targets, from the tests' fixtures, the demo snapshot
and ../shared/corpus (real audit logs and RBAC files from public projects)
when it is there. Writes fuzz/corpus/<target>/; existing files are kept, so
what the fuzzer found in earlier runs of this tree stays."""
import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(TOP), "shared", "corpus")
OUT = os.path.join(HERE, "corpus")
MAX = 65536


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    data = data[:MAX]
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns, under=TOP):
    out = []
    for p in patterns:
        out += [f for f in glob.glob(os.path.join(under, p), recursive=True) if os.path.isfile(f)]
    return sorted(set(out))


def read(path, limit=MAX):
    with open(path, "rb") as f:
        return f.read(limit)


def lines(path, limit=200):
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            yield line.rstrip(b"\n")


def pack_tree(root, mode):
    """fuzz_tree's input: MODE, then PATHLEN PATH LEN(le16) DATA records."""
    out = bytearray([mode])
    n = 0
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            rel = os.path.relpath(full, root).encode()
            data = read(full, 4096)
            if len(rel) > 255 or n >= 24:
                continue
            out += bytes([len(rel)]) + rel + struct.pack("<H", len(data)) + data
            n += 1
    return bytes(out)


def cluster_answers(paged):
    import json

    def lst(kind, api, items, cont=None):
        meta = {"resourceVersion": "42"}
        if cont:
            meta["continue"] = cont
        return json.dumps({"kind": kind, "apiVersion": api, "metadata": meta, "items": items}).encode()
    rbac = "rbac.authorization.k8s.io/v1"
    role = {"metadata": {"name": "legacy-read"},
            "rules": [{"apiGroups": [""], "resources": ["secrets", "pods"], "verbs": ["get", "list"]}]}
    crb = {"metadata": {"name": "legacy-read"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "legacy-read"},
           "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:unauthenticated"}]}
    rb = dict(crb, metadata={"name": "r", "namespace": "payments"})
    nodes = [{"metadata": {"name": "n%d" % i}} for i in (1, 2)]
    pod = {"metadata": {"name": "kube-apiserver-cp", "namespace": "kube-system"},
           "spec": {"containers": [{"name": "kube-apiserver", "command": [
               "kube-apiserver", "--anonymous-auth=true", "--authorization-mode=Node,RBAC"]}]}}
    configz = [{"kubeletconfig": {"authentication": {"anonymous": {"enabled": i == 1},
                                                     "webhook": {"enabled": i != 1}},
                                  "authorization": {"mode": "AlwaysAllow" if i == 1 else "Webhook"},
                                  "readOnlyPort": 10255 if i == 1 else 0}} for i in (1, 2)]
    answers = [
        b'{"major":"1","minor":"31","gitVersion":"v1.31.2"}',
        b'apiserver_request_total{code="401",verb="GET"} 7\n'
        b'apiserver_request_total{code="403",verb="LIST"} 2\n',
        lst("ClusterRoleList", rbac, [role], "tok" if paged else None),
        lst("ClusterRoleBindingList", rbac, [crb]),
        lst("RoleList", rbac, [dict(role, metadata={"name": "r", "namespace": "payments"})]),
        lst("RoleBindingList", rbac, [rb]),
        lst("NodeList", "v1", nodes),
        lst("PodList", "v1", [pod]),
    ] + [json.dumps(c).encode() for c in configz]
    out = b"\0".join(b"\0" + a for a in answers)
    if paged:
        out += b"\0\5" + b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}'
        out += b"\0\0" + lst("ClusterRoleList", rbac, [role])
    return out


def avro_seeds():
    """Event Hub Capture files of many small deflate blocks (fuzz_audit_avro:
    batches of one block), clean and with a damaged block."""
    import json
    import zlib
    sys.path.insert(0, os.path.join(TOP, "tests", "fixtures", "audit", "formats"))
    import avro_raw
    evs = list(lines(os.path.join(TOP, "tests", "fixtures", "audit", "formats", "native.jsonl"), 8))
    schema = {"type": "record", "name": "EventData",
              "fields": [{"name": "SequenceNumber", "type": "long"},
                         {"name": "Body", "type": ["null", "bytes"]}]}

    def block(e):
        body = json.dumps({"records": [{"category": "kube-audit",
                                        "properties": {"log": e.decode()}}]}).encode()
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return (1, c.compress(avro_raw.zz(1) + avro_raw.zz(1) + avro_raw.s(body)) + c.flush())

    blocks = [block(e) for e in evs]
    put("fuzz_audit_avro", avro_raw.container(schema, blocks, b"deflate"))
    blocks[3] = (1, b"\x07" + blocks[3][1][1:])
    put("fuzz_audit_avro", avro_raw.container(schema, blocks, b"deflate"))


def main():
    fx = "tests/fixtures/"
    kubelet_cfg = files(fx + "kubelet/*.yaml", fx + "kubelet/*.json", fx + "nodes/**/config.yaml",
                        fx + "nodes/**/kubelet-config.json", fx + "nodes/**/*.conf")
    manifests = files(fx + "apiserver/*.yaml", fx + "apiserver/*.json", fx + "nodes/**/manifests/*.yaml",
                      "examples/**/kube-apiserver.yaml")
    rbac = files(fx + "rbac/**/*.yaml", fx + "rbac/**/*.json", "examples/**/rbac/*") + \
        files("rbac/*.yaml", under=SHARED)
    audit = files(fx + "audit/*.jsonl", fx + "audit/formats/*", fx + "audit/fast/*.log",
                  fx + "audit/fast/*.json*", "examples/**/audit/*") + files("auditlogs/*", under=SHARED)
    audit = [a for a in audit if not a.endswith((".py", ".md"))]
    units = files(fx + "nodes/**/*.service", fx + "nodes/**/*.conf", fx + "nodes/**/*.env",
                  fx + "nodes/**/default/kubelet", fx + "nodes/**/environment")
    cmdlines = files(fx + "**/cmdline", "examples/**/cmdline")

    for f in kubelet_cfg + manifests + rbac:
        put("fuzz_yaml", read(f, 8192))
    for f in cmdlines:
        put("fuzz_cmdline", read(f, 1024))
    put("fuzz_cmdline", b"kubelet --anonymous-auth=false --config=/var/lib/kubelet/config.yaml")
    avro_seeds()
    for f in audit:
        if f.endswith(".avro"):
            put("fuzz_audit_avro", read(f))
        if f.endswith(".csv"):
            # the rows after the header, SSE2 (0) and the best the CPU has (1)
            rows = read(f, 8192).split(b"\n", 1)[-1]
            put("fuzz_csv", b"\0" + rows)
            put("fuzz_csv", b"\1" + rows)
        put("fuzz_json", read(f, 8192))
        put("fuzz_audit_formats", b"\0" + read(f, 8192))
        for line in lines(f):
            if line.startswith(b"{") and len(line) <= 16384:
                put("fuzz_audit_diff", line)
        # fuzz_webhook: the file's events as the API server's webhook POSTs them
        evs = [ln for ln in lines(f, 40) if ln.startswith(b"{") and len(ln) <= 4096]
        if evs:
            put("fuzz_webhook", b'{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},'
                b'"items":[' + b",".join(evs) + b"]}")
            put("fuzz_webhook", b"[" + b",".join(evs[:5]) + b"]")
            put("fuzz_webhook", evs[0])
    for f in units:
        put("fuzz_unit", read(f, 8192))
    for f in files("tests/fuzz-seeds/k8s-body/*"):
        put("fuzz_k8s_body", read(f, 8192))

    # fuzz_kubeconfig: 0 kubeconfigs (two files at a NUL), 1/4 ExecCredential v1/v1beta1, 2 base64
    kc = b"""apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTg==
    tls-server-name: kubernetes
users:
- name: u
  user:
    token: abc
- name: x
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      args: [eks, get-token]
      env: [{name: A, value: b}]
      interactiveMode: Never
contexts:
- name: dev
  context: {cluster: c, user: u, namespace: default}
- name: eks
  context: {cluster: c, user: x}
"""
    put("fuzz_kubeconfig", b"\0" + kc + b"\0" + kc.replace(b"dev", b"prod"))
    put("fuzz_kubeconfig", b"\1" + b'{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",'
        b'"status":{"token":"t","expirationTimestamp":"2026-12-01T10:00:00Z"}}')
    put("fuzz_kubeconfig", b"\4" + b'{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1",'
        b'"status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----","clientKeyData":"k"}}')
    put("fuzz_kubeconfig", b"\2" + b"aGVsbG8gd29ybGQ=")

    # fuzz_cli: the selector byte of fuzz_cli.c's uses[] table, then the file
    authn = [f for f in manifests if "/authn" in f] + files(fx + "apiserver/root/**/*.yaml",
                                                          "examples/**/authentication-config.yaml")
    authz = [f for f in manifests if "/authz" in f]
    kubeadm = [f for f in manifests if "/kubeadm" in f]
    configz = [f for f in kubelet_cfg if "configz" in f]
    for sel, group in ((0, kubelet_cfg), (1, configz), (2, files(fx + "kubelet/dropins-*/*")),
                       (3, manifests), (4, authn), (5, authz), (6, kubeadm), (7, rbac), (8, audit),
                       (9, cmdlines), (10, cmdlines),
                       # kanon fix: 11 kubelet config, 12/13 manifests, 14/15 RBAC
                       (11, kubelet_cfg + files(fx + "fix/*.yaml", fx + "fix/*.json")),
                       (12, manifests), (13, manifests), (14, rbac + files(fx + "fix/rbac*")),
                       (15, rbac + files(fx + "fix/rbac*"))):
        for f in group:
            put("fuzz_cli", bytes([sel]) + read(f, 16384))

    # fuzz_tree: node trees (mode 1) and snapshots (mode 0)
    for d in sorted(glob.glob(os.path.join(TOP, fx, "nodes", "*")) +
                    glob.glob(os.path.join(TOP, fx, "fix", "nodes", "*"))):
        if os.path.isdir(d):
            put("fuzz_tree", pack_tree(d, 1))
    for d in [os.path.join(TOP, "examples", "demo-cluster")] + \
            sorted(glob.glob(os.path.join(TOP, fx, "*", "snap*"))):
        if os.path.isdir(d):
            put("fuzz_tree", pack_tree(d, 0))
    # fuzz_cluster: an API server's answers in the order kanon cluster asks
    # (/version, /metrics, clusterroles, clusterrolebindings, roles,
    # rolebindings, nodes, kube-apiserver pods, each node's /configz), each
    # a status byte (0: 200, 4: 403, 5: 410, 6: 503) and the body
    put("fuzz_cluster", cluster_answers(False))
    put("fuzz_cluster", cluster_answers(True))
    for t in sorted(os.listdir(OUT)):
        print("fuzz seeds: %s: %d" % (t, len(os.listdir(os.path.join(OUT, t)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
