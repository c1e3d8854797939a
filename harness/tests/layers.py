#!/usr/bin/env python3
"""`make layers`: print the layers of docs/architecture.md and check that no file includes a
file of a higher layer. Exit 0 when none points up, 1 otherwise (each finding named), 2 when
the layer table cannot be read or a file belongs to no layer."""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(ROOT, "docs", "architecture.md")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers():
    text = open(DOC, encoding="utf-8").read()
    m = re.search(r"^```layers\n(.*?)^```", text, re.M | re.S)
    if not m:
        sys.exit(f"layers: no ```layers block in {DOC}")
    layers, owner = [], {}
    for line in m.group(1).splitlines():
        if not line.strip():
            continue
        level, name, *patterns = line.split()
        files = set()
        for p in patterns:
            files.update(os.path.relpath(f, ROOT) for f in glob.glob(os.path.join(ROOT, p)))
        layers.append((int(level), name, sorted(files)))
        for f in files:
            owner.setdefault(f, (int(level), name))
    return layers, owner


def tracked():
    out = os.popen(f"cd '{ROOT}' && git ls-files 'harness/*.[ch]' 'cases/*.[ch]' "
                   "'include/*.h' 'bench/*.[ch]' 2>/dev/null").read().split()
    if not out:
        for top in ("harness", "cases", "include", "bench"):
            for d, _, names in os.walk(os.path.join(ROOT, top)):
                out += [os.path.relpath(os.path.join(d, n), ROOT) for n in names
                        if n.endswith((".c", ".h"))]
    return sorted(set(out))


def resolve(src, inc):
    for base in (os.path.dirname(src), "include"):
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(ROOT, cand)):
            return cand
    return None


def main():
    layers, owner = read_layers()
    files = tracked()
    unplaced = [f for f in files if f not in owner and os.path.exists(os.path.join(ROOT, f))]
    for level, name, members in layers:
        print(f"{level} {name:<13} {' '.join(os.path.basename(f) for f in members)}")
    if unplaced:
        for f in unplaced:
            print(f"layers: {f} belongs to no layer: add it to the ```layers block of "
                  "docs/architecture.md", file=sys.stderr)
        return 2
    edges, up = 0, []
    for f in files:
        if not os.path.exists(os.path.join(ROOT, f)):
            continue
        level, name = owner[f]
        for inc in INCLUDE.findall(open(os.path.join(ROOT, f), encoding="utf-8",
                                        errors="replace").read()):
            target = resolve(f, inc)
            if target is None or target not in owner:
                continue
            edges += 1
            tl, tn = owner[target]
            if tl > level:
                up.append(f"{f} ({name}) includes {inc} ({tn}): points up")
    for u in up:
        print(u, file=sys.stderr)
    print(f"layers: {edges} includes between {len(files)} files, "
          f"{len(up)} pointing up" + ("" if up else " (none: every arrow points down)"))
    return 1 if up else 0


if __name__ == "__main__":
    sys.exit(main())
