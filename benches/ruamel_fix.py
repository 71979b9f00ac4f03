#!/usr/bin/env python3
"""Comparison peer for benches/e2e.sh: the same fixes as `driftfix fix --apply`
done the usual way, with a round trip per format (load, change, dump):
ruamel.yaml for YAML, the json module for JSON, tomlkit for TOML. Each file
is written as durably as driftfix writes it: a temporary file, fsync,
rename, fsync of the directory.

    python3 benches/ruamel_fix.py RULES.toml TREE

Reads the canonical names, aliases and field rules of a generated benchmark
rule file (bare field names; `match = "exact"` or `"token"`; `keys_of`),
rewrites every YAML file under TREE that holds an alias in a governed field,
and prints the number of replacements. Used only as a timing reference.
"""
import json
import os
import re
import sys
import tempfile
import tomllib

from ruamel.yaml import YAML


def same_type(value, new):
    """`new` as the string type of `value` where that type can be built from
    a str (ruamel's quoted scalars); plain str otherwise (tomlkit's)."""
    if type(value) is str:
        return new
    try:
        return type(value)(new)
    except TypeError:
        return new


def main():
    rules_path, tree = sys.argv[1], sys.argv[2]
    with open(rules_path, "rb") as f:
        rules = tomllib.load(f)
    canonical = {}
    for c in rules.get("canonical", []):
        for a in c.get("aliases", []):
            canonical[a] = c["name"]
    exact, token, keys_of = set(), set(), set()
    for field in rules.get("field", []):
        target = token if field.get("match", "exact") == "token" else exact
        target.update(field.get("select", []))
        keys_of.update(field.get("keys_of", []))
    alternation = "|".join(re.escape(a) for a in sorted(canonical, key=len, reverse=True))
    token_re = re.compile(r"(?<![A-Za-z0-9_-])(?:" + alternation + r")(?![A-Za-z0-9_-])")

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    count = 0

    def fix_value(key, value):
        nonlocal count
        if not isinstance(value, str):
            return value
        if key in exact and value in canonical:
            count += 1
            return same_type(value, canonical[value])
        if key in token:
            new, n = token_re.subn(lambda m: canonical[m.group(0)], value)
            if n:
                count += n
                return same_type(value, new)
        return value

    def walk(node, key=None):
        nonlocal count
        if isinstance(node, dict):
            for k in list(node.keys()):
                v = node[k]
                if isinstance(v, (dict, list)):
                    walk(v, k)
                else:
                    node[k] = fix_value(k, v)
            if key in keys_of:
                for pos, k in enumerate(list(node.keys())):
                    if isinstance(k, str) and k in canonical and canonical[k] not in node:
                        if hasattr(node, "insert"):
                            node.insert(pos, canonical[k], node.pop(k))
                        else:
                            items = [(canonical[k] if x == k else x, node[x]) for x in node]
                            node.clear()
                            node.update(items)
                        count += 1
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    walk(v, key)
                else:
                    node[i] = fix_value(key, v)

    def load_dump(name):
        if name.endswith((".yaml", ".yml")):
            return yaml.load, lambda data, f: yaml.dump(data, f)
        if name.endswith(".json"):
            return json.loads, lambda data, f: json.dump(data, f, indent=2)
        if name.endswith(".toml"):
            import tomlkit

            return tomlkit.parse, lambda data, f: f.write(tomlkit.dumps(data))
        return None

    def write_durably(path, dump, data):
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".fix-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dirfd = os.open(os.path.dirname(path), os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)

    for root, _dirs, files in os.walk(tree):
        for name in sorted(files):
            codec = load_dump(name)
            if codec is None:
                continue
            load, dump = codec
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if not any(a in text for a in canonical):
                continue
            before = count
            data = load(text)
            walk(data)
            if count != before:
                write_durably(path, dump, data)
    print(count)


if __name__ == "__main__":
    main()
