#!/usr/bin/env python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""Check the layering docs/architecture.md states (its ```layers block).

  check-layers.py [--root DIR] [--objects BUILD_DIR]

Fails (exit 1, one line per finding) when a file of a layer includes a header of a
layer it may not use, a header of an allowed layer that the rule does not list, a
private header of another layer, or a header that cannot be found. With --objects,
also when, among the object files built from one layer's sources, a file depends
on a file that depends on it (by the symbols each defines and uses, read with nm).
Exit 2 when the rules themselves are malformed."""
import argparse
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


class RulesError(Exception):
    pass


def read_rules(root):
    path = os.path.join(root, "docs", "architecture.md")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        raise RulesError("%s: %s" % (path, e.strerror))
    m = re.search(r"^```layers\n(.*?)^```", text, re.S | re.M)
    if m is None:
        raise RulesError("%s: no ```layers block" % path)
    layers, uses, private = {}, {}, set()
    for n, line in enumerate(m.group(1).split("\n"), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        kind, rest = words[0], words[1:]
        if kind == "layer" and len(rest) >= 2:
            layers[rest[0]] = [d.rstrip("/") for d in rest[1:]]
        elif kind == "uses" and len(rest) >= 1:
            allowed = {}
            for item in re.findall(r"[\w-]+(?:\([^)]*\))?", " ".join(rest[1:])):
                name, _, only = item.partition("(")
                allowed[name] = set(only.rstrip(")").split()) if only else None
            uses[rest[0]] = allowed
        elif kind == "private" and rest:
            private.update(rest)
        else:
            raise RulesError("%s: layers block line %d is malformed: %s" % (path, n, line))
    for name, allowed in uses.items():
        for other in [name] + list(allowed):
            if other not in layers:
                raise RulesError("%s: 'uses %s' names an unknown layer %s" % (path, name, other))
    for name in layers:
        if name not in uses:
            raise RulesError("%s: layer %s has no 'uses' line" % (path, name))
    return layers, uses, private


def layer_of(path, layers):
    best = None
    for name, dirs in layers.items():
        for d in dirs:
            if path.startswith(d + "/") and (best is None or len(d) > len(best[1])):
                best = (name, d)
    return best[0] if best else None


def resolve(root, src, header, layers):
    """The repository path an #include "header" in src names, or None."""
    candidates = [os.path.dirname(src)]
    for dirs in layers.values():
        for d in dirs:
            candidates += [d, os.path.dirname(d)]
    for c in candidates:
        p = os.path.normpath(os.path.join(c, header))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


def check_includes(root, layers, uses, private):
    findings = []
    for name, dirs in sorted(layers.items()):
        for d in dirs:
            for dirpath, _, files in os.walk(os.path.join(root, d)):
                for f in sorted(files):
                    if not f.endswith((".c", ".h")):
                        continue
                    src = os.path.relpath(os.path.join(dirpath, f), root)
                    for n, line in enumerate(open(os.path.join(root, src), encoding="utf-8",
                                                  errors="replace"), 1):
                        m = INCLUDE.match(line)
                        if m is None:
                            continue
                        target = resolve(root, src, m.group(1), layers)
                        where = "%s:%d" % (src, n)
                        if target is None:
                            findings.append("%s: includes \"%s\", which is nowhere in the layers"
                                            % (where, m.group(1)))
                            continue
                        other = layer_of(target, layers)
                        if other is None:
                            findings.append("%s: includes %s, which belongs to no layer"
                                            % (where, target))
                        elif other == name:
                            continue
                        elif target in private:
                            findings.append("%s: includes %s, private to layer %s"
                                            % (where, target, other))
                        elif other not in uses[name]:
                            findings.append("%s: layer %s includes %s of layer %s, which it may not use"
                                            % (where, name, target, other))
                        elif uses[name][other] is not None and \
                                os.path.basename(target) not in uses[name][other]:
                            findings.append("%s: layer %s includes %s; of layer %s it may use only %s"
                                            % (where, name, target, other,
                                               " ".join(sorted(uses[name][other]))))
    return findings


def nm_symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_cycles(root, build, layers):
    """Objects are found by their source's path: CMake builds src/x/y.c as
    .../src/x/y.c.o. One object per source (the first found) stands for it."""
    objects = {}
    for dirpath, _, files in os.walk(build):
        for f in sorted(files):
            if not f.endswith(".c.o"):
                continue
            full = os.path.join(dirpath, f)
            for name, dirs in layers.items():
                for d in dirs:
                    i = full.find("/" + d + "/")
                    if i >= 0:
                        src = full[i + 1:-2]
                        if os.path.isfile(os.path.join(root, src)):
                            objects.setdefault(src, full)
    findings = []
    for name, dirs in sorted(layers.items()):
        mine = {s: o for s, o in objects.items() if layer_of(s, layers) == name}
        syms = {s: nm_symbols(o) for s, o in mine.items()}
        owner = {}
        for s, (defined, _) in syms.items():
            for sym in defined:
                owner.setdefault(sym, s)
        graph = {s: {owner[u] for u in used if u in owner and owner[u] != s}
                 for s, (_, used) in syms.items()}
        for comp in cycles(graph):
            findings.append("layer %s: these files depend on each other in a cycle: %s"
                            % (name, " ".join(comp)))
    return findings, len(objects)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--objects", help="a build directory whose object files to check for cycles")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    try:
        layers, uses, private = read_rules(root)
    except RulesError as e:
        print("check-layers: %s" % e)
        return 2
    findings = check_includes(root, layers, uses, private)
    n_objects = None
    if args.objects:
        more, n_objects = check_cycles(root, os.path.abspath(args.objects), layers)
        findings += more
        if n_objects == 0:
            findings.append("%s: no object files of any layer to check" % args.objects)
    for f in findings:
        print(f)
    print("check-layers: %d layers, %d finding(s)%s" % (
        len(layers), len(findings), "" if n_objects is None else ", %d objects read" % n_objects))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
