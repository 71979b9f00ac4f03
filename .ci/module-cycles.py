#!/usr/bin/env python3
"""Import cycles between driftfix's modules (issue 13: none allowed).

Reads every `src/**/*.rs`, resolves each `crate::…` and `super::…` path (in
`use` items and inline) to the module it names, and checks two graphs:

1. top-level modules (`app`, `fix`, `report`, …): no cycle of any length;
2. files: no cycle between files of which neither is an ancestor of the
   other (a submodule using its parent's items via `super::` is not a cycle).

Prints every cycle found and exits 1 if there is one. Usage:
`python3 scripts/module-cycles.py [SRC_DIR]`.
"""

import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "src")


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments(text: str) -> str:
    """The code without comments, and with string and char literals emptied
    (a `"` inside `'"'` or a raw string must not start a string)."""
    token = re.compile(
        r"""//[^\n]*|/\*.*?\*/|r(#*)".*?"\1|b?"(?:\\.|[^"\\])*"|b?'(?:\\.|[^'\\])'""",
        flags=re.S,
    )
    return token.sub(lambda m: '""' if m.group(0)[-1] in "\"#'" else " ", text)


def expand(prefix: str, body: str) -> list:
    """`a::{b, c::{d, e}}` → a::b, a::c::d, a::c::e."""
    out, depth, start = [], 0, 0
    items = []
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    for item in items:
        item = item.strip()
        if not item:
            continue
        m = re.match(r"^([\w:]*?)::\{(.*)\}$", item, flags=re.S)
        if m:
            out += expand(prefix + m.group(1) + "::", m.group(2))
        else:
            out.append(prefix + item.split(" as ")[0].strip())
    return out


def paths_in(text: str) -> list:
    paths = []
    for m in re.finditer(r"\buse\s+((?:crate|super)[^;]*);", text, flags=re.S):
        stmt = re.sub(r"\s+", "", m.group(1))
        m2 = re.match(r"^(.*?)::\{(.*)\}$", stmt)
        paths += expand(m2.group(1) + "::", m2.group(2)) if m2 else [stmt]
    paths += re.findall(r"\b((?:crate|super)(?:::(?:super|\w+))+)", text)
    return paths


def resolve(path: str, here: tuple, is_dir_module: bool, modules: set):
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    else:
        base = here if is_dir_module else here[:-1]
        rest = segs
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    target = base
    for s in rest:
        if s == "self":
            continue
        if target + (s,) in modules:
            target = target + (s,)
        else:
            break
    return target


def cycles(edges: dict) -> list:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
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

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    files = sorted(p for p in SRC.rglob("*.rs") if p.name != "main.rs")
    modules = {module_of(p) for p in files}
    file_edges, top_edges = {}, {}
    for p in files:
        here = module_of(p)
        is_dir = p.name in ("mod.rs", "lib.rs")
        for path in paths_in(strip_comments(p.read_text())):
            to = resolve(path, here, is_dir, modules)
            if to == here or not to or not here:
                continue
            if to != here[: len(to)] and here != to[: len(here)]:
                file_edges.setdefault(here, set()).add(to)
            if to[0] != here[0]:
                top_edges.setdefault(here[0], set()).add(to[0])
    found = 0
    for comp in cycles(top_edges):
        found += 1
        print("cycle between top-level modules:", " ↔ ".join(comp))
        for a in comp:
            for b in sorted(top_edges.get(a, ())):
                if b in comp:
                    print(f"  {a} → {b}")
    for comp in cycles(file_edges):
        found += 1
        print("cycle between modules:", " ↔ ".join("::".join(m) for m in comp))
    if found == 0:
        print(f"no import cycles ({len(modules)} modules)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
