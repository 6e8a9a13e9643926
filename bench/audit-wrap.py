#!/usr/bin/env python3
"""Wrap a native audit log (JSON lines) in the formats log shippers and clouds write, for
bench/audit-bench.sh: the same events, so that kanon must give the same counts.

  audit-wrap.py FORMAT IN OUT     FORMAT: docker, cri, cloudwatch (filter-log-events pages)
"""
import json
import sys

fmt, src, dst = sys.argv[1:4]
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
