#!/usr/bin/env python3
"""Wrap a native audit log (JSON lines) in the formats log shippers and clouds write, for
bench/audit-bench.sh: the same events, so that kanon must give the same counts.

  audit-wrap.py FORMAT IN OUT     FORMAT: docker, cri, cloudwatch (filter-log-events pages),
                                  aksaudit-csv (Log Analytics AKSAudit rows as CSV), eventhub
                                  (Event Hub Capture Avro, 20 records a message; needs the
                                  Debian python3-avro: run with /usr/bin/python3)
"""
import csv
import json
import sys

fmt, src, dst = sys.argv[1:4]
AKS = [("AuditId", "auditID"), ("Stage", "stage"), ("RequestUri", "requestURI"),
       ("Verb", "verb"), ("User", "user"), ("ImpersonatedUser", "impersonatedUser"),
       ("SourceIps", "sourceIPs"), ("UserAgent", "userAgent"), ("ObjectRef", "objectRef"),
       ("ResponseStatus", "responseStatus"), ("RequestObject", "requestObject"),
       ("ResponseObject", "responseObject"), ("RequestReceivedTime", "requestReceivedTimestamp"),
       ("StageReceivedTime", "stageTimestamp"), ("Annotations", "annotations"), ("Level", "level")]


def aks_csv():
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8", newline="") as o:
        w = csv.writer(o, lineterminator="\r\n")
        w.writerow(["TimeGenerated"] + [c for c, _ in AKS] + ["Category", "Type"])
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            row = [e.get("stageTimestamp", "")]
            for _, k in AKS:
                v = e.get(k)
                row.append("" if v is None else json.dumps(v, separators=(",", ":"))
                           if isinstance(v, (dict, list)) else v)
            w.writerow(row + ["kube-audit", "AKSAudit"])


def eventhub():
    import avro.datafile
    import avro.io
    import avro.schema
    schema = avro.schema.parse(json.dumps({
        "type": "record", "name": "EventData", "namespace": "Microsoft.ServiceBus.Messaging",
        "fields": [{"name": "SequenceNumber", "type": "long"},
                   {"name": "Offset", "type": "string"},
                   {"name": "EnqueuedTimeUtc", "type": "string"},
                   {"name": "SystemProperties", "type": {"type": "map", "values": [
                       "long", "double", "string", "bytes"]}},
                   {"name": "Properties", "type": {"type": "map", "values": [
                       "long", "double", "string", "bytes", "null"]}},
                   {"name": "Body", "type": ["null", "bytes"]}]}))
    out = open(dst, "wb")
    w = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema, codec="deflate")
    recs, k = [], 0

    def msg():
        nonlocal k
        body = json.dumps({"records": [{"category": "kube-audit", "operationName":
                                        "Microsoft.ContainerService/managedClusters/"
                                        "diagnosticLogs/Read",
                                        "properties": {"log": r, "stream": "stdout"}}
                                       for r in recs]}, separators=(",", ":")).encode()
        w.append({"SequenceNumber": k, "Offset": str(k), "EnqueuedTimeUtc": "1/1/2025 0:00 AM",
                  "SystemProperties": {}, "Properties": {}, "Body": body})
        k += 1
        recs.clear()

    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                recs.append(line.rstrip("\n"))
            if len(recs) == 20:
                msg()
    if recs:
        msg()
    w.close()


if fmt == "aksaudit-csv":
    aks_csv()
    sys.exit(0)
if fmt == "eventhub":
    eventhub()
    sys.exit(0)
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as o:
    page = []

    def flush():
        if page:
            o.write(json.dumps({"events": page, "searchedLogStreams": []}, separators=(",", ":")))
            o.write("\n")
            page.clear()

    for i, line in enumerate(f):
        line = line.rstrip("\n")
        if not line:
            continue
        ts = "2025-06-01T00:00:%02d.%06dZ" % (i // 1000000 % 60, i % 1000000)
        if fmt == "docker":
            o.write(json.dumps({"log": line + "\n", "stream": "stdout", "time": ts},
                               separators=(",", ":")) + "\n")
        elif fmt == "cri":
            o.write("%s stdout F %s\n" % (ts, line))
        elif fmt == "cloudwatch":
            page.append({"logStreamName": "kube-apiserver-audit-0", "timestamp": 1748736000000 + i,
                         "message": line, "ingestionTime": 1748736000100 + i, "eventId": str(i)})
            if len(page) >= 500:
                flush()
        else:
            sys.exit("unknown format " + fmt)
    flush()
