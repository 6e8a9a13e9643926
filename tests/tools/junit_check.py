#!/usr/bin/python3
"""Structure checks of kanon -f junit output (no JUnit XSD is shipped by
Debian; these are the rules of the de facto schema CI servers read).

usage: junit_check.py FILE [--summary]
Exits 1 with the reason when the file is not well-formed XML or breaks a
rule; --summary prints one line per suite and testcase.
"""
import sys
import xml.etree.ElementTree as ET

AREAS = {"node", "control-plane", "rbac", "audit", "probe"}


def fail(msg):
    print("junit: " + msg)
    sys.exit(1)


def main(argv):
    root = ET.parse(argv[1]).getroot()
    if root.tag != "testsuites":
        fail("root is not <testsuites>")
    tot = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in root:
        if suite.tag != "testsuite":
            fail("child of <testsuites> is not <testsuite>: " + suite.tag)
        name = suite.get("name")
        if name not in AREAS:
            fail("unknown area " + repr(name))
        cases = list(suite)
        seen = set()
        n = {"tests": len(cases), "failures": 0, "skipped": 0}
        for c in cases:
            if c.tag != "testcase" or not c.get("name") or not c.get("classname"):
                fail("bad testcase in " + name)
            if c.get("name") in seen:
                fail("two testcases for one rule and target: " + c.get("name"))
            seen.add(c.get("name"))
            kids = list(c)
            if len(kids) > 1:
                fail("more than one outcome in " + c.get("name"))
            outcome = "pass"
            if kids:
                k = kids[0]
                if k.tag == "failure":
                    n["failures"] += 1
                    outcome = "failure " + k.get("type")
                    if k.get("type") not in ("FAIL", "INVALID") or "\nfix: " not in (k.text or ""):
                        fail("a failure without its type or fix: " + c.get("name"))
                elif k.tag == "skipped":
                    n["skipped"] += 1
                    outcome = "skipped " + k.get("message", "").split(":")[0]
                    if not k.get("message", "").startswith(("WARN: ", "UNKNOWN: ")):
                        fail("a skipped testcase without its reason: " + c.get("name"))
                else:
                    fail("unknown outcome " + k.tag)
            if len(argv) > 2:
                print(f"  {c.get('classname')} | {c.get('name')} | {outcome}")
        for k in n:
            if int(suite.get(k)) != n[k]:
                fail(f"suite {name}: {k}={suite.get(k)}, counted {n[k]}")
            tot[k] += n[k]
        if len(argv) > 2:
            print(f"suite {name}: {n['tests']} tests, {n['failures']} failures, {n['skipped']} skipped")
    for k in tot:
        if int(root.get(k)) != tot[k]:
            fail(f"testsuites: {k}={root.get(k)}, counted {tot[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
