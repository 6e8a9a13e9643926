#!/usr/bin/env bash
# docs/limits.md against the code: every row's constant is defined in the file
# the row names, with the value the row gives; every bound-like constant of
# src/ (a name with MAX, DEPTH or KEEP) has a row. A limit changed in the code
# and not in the document (or the other way round) fails here.
. "$(dirname "$0")/lib.sh"

out=$(python3 - <<'PY'
import glob, re, sys

defs = {}      # name -> [(file, expr)]
for f in sorted(glob.glob("src/**/*.[ch]", recursive=True)):
    for line in open(f, encoding="utf-8"):
        m = re.match(r"\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+(.+?)\s*(/\*.*)?$", line)
        if m:
            defs.setdefault(m.group(1), []).append((f, m.group(2)))

def value(name, f, seen=()):
    cands = defs.get(name, [])
    expr = next((e for (ff, e) in cands if ff == f), None)
    if expr is None:
        if len(cands) != 1:
            raise ValueError("%s: no single definition" % name)
        f, expr = cands[0]
    expr = re.sub(r"\b(\d+)[uUlL]+\b", r"\1", expr)
    def sub(m):
        if m.group(0) in seen:
            raise ValueError("%s: recursive" % name)
        return "(%d)" % value(m.group(0), f, seen + (name,))
    expr = re.sub(r"\b[A-Z_][A-Z0-9_]*\b", sub, expr)
    if not re.fullmatch(r"[\d\s()+\-*/<>]+", expr):
        raise ValueError("%s: not a number: %s" % (name, expr))
    return eval(expr)

def doc_value(cell):
    v = cell.split("(")[0].strip()
    v = v.replace("KiB", "*1024").replace("MiB", "*1048576").replace("bytes", "")
    v = v.replace("×", "*").replace(",", "")
    if not re.fullmatch(r"[\d\s+\-*]+", v) or not v.strip():
        raise ValueError("value %r is not a number" % cell)
    return eval(v)

bad = 0
named = set()
for n, line in enumerate(open("docs/limits.md", encoding="utf-8"), 1):
    m = re.match(r"\|(.*)\|(.*)\|(.*)\|\s*`([^`]+)`\s*`([A-Z0-9_]+)`\s*\|\s*$", line)
    if not m:
        continue
    f, name = m.group(4), m.group(5)
    named.add(name)
    try:
        if not any(ff == f for (ff, _) in defs.get(name, [])):
            raise ValueError("%s is not defined in %s" % (name, f))
        code, doc = value(name, f), doc_value(m.group(2))
        if code != doc:
            raise ValueError("%s is %d in %s, the document says %d" % (name, code, f, doc))
    except ValueError as e:
        print("docs/limits.md:%d: %s" % (n, e))
        bad += 1
# array sizes named in the text (not in a row) count as documented
named |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", open("docs/limits.md", encoding="utf-8").read()))
for name, where in sorted(defs.items()):
    if re.search(r"(^|_)(MAX|DEPTH|KEEP)(_|$)", name) and name not in named \
            and not name.endswith("_H"):
        print("%s (%s) has no row in docs/limits.md" % (name, where[0][0]))
        bad += 1
print("%d constants" % len(named))
sys.exit(1 if bad else 0)
PY
)
rc=$?
if [ $rc = 0 ]; then
	ok "docs/limits.md matches the code ($(printf '%s' "$out" | tail -n 1))"
else
	notok "docs/limits.md and the code differ"
	printf '%s\n' "$out" | sed 's/^/  /'
fi
