#!/usr/bin/env python3
"""Where a .wasm's bytes go: its sections, its size gzipped with and without the name section,
and its code by crate (read from the name section, so build with symbol names kept:
`CARGO_PROFILE_RELEASE_STRIP=debuginfo scripts/build-pkg.sh`).

    python3 scripts/wasm-size.py pkg/cmin_bg.wasm [top]
"""
import collections
import gzip
import re
import sys

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
            7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "data count"}


def leb128(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def sections(data):
    at = 8
    while at < len(data):
        start, kind = at, data[at]
        size, body = leb128(data, at + 1)
        name = ""
        if kind == 0:
            length, after = leb128(data, body)
            name = data[after:after + length].decode()
        yield kind, name, start, body, size
        at = body + size


def imported_functions(data, body):
    count, at = leb128(data, body)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module and field names
            length, at = leb128(data, at)
            at += length
        kind = data[at]
        at += 1
        if kind == 0:  # function: type index
            functions += 1
            _, at = leb128(data, at)
        elif kind == 1:  # table: element type, limits
            at += 1
            flags, at = leb128(data, at)
            _, at = leb128(data, at)
            if flags & 1:
                _, at = leb128(data, at)
        elif kind == 2:  # memory: limits
            flags, at = leb128(data, at)
            _, at = leb128(data, at)
            if flags & 1:
                _, at = leb128(data, at)
        elif kind == 3:  # global: value type, mutability
            at += 2
    return functions


def function_names(data, body, size):
    names = {}
    length, at = leb128(data, body)
    at += length
    while at < body + size:
        sub = data[at]
        sub_size, at = leb128(data, at + 1)
        if sub == 1:
            count, entry = leb128(data, at)
            for _ in range(count):
                index, entry = leb128(data, entry)
                length, entry = leb128(data, entry)
                names[index] = data[entry:entry + length].decode("utf8", "replace")
                entry += length
        at += sub_size
    return names


def crate_of(symbol):
    # The first path segment of a demangled Rust symbol; `<impl Trait for Type>` names start
    # with `<`, so the first `name::` inside it is taken.
    match = re.search(r"([A-Za-z_][A-Za-z0-9_]*)::", symbol)
    return match.group(1) if match else "(unnamed)"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    data = open(path, "rb").read()
    stripped = bytearray(data[:8])
    names, imports, bodies = {}, 0, []
    for kind, name, start, body, size in sections(data):
        label = f"custom '{name}'" if kind == 0 else SECTIONS.get(kind, str(kind))
        print(f"{label:24s}{size:>14,}")
        if kind == 0 and name == "name":
            names = function_names(data, body, size)
            continue
        stripped += data[start:body + size]
        if kind == 2:
            imports = imported_functions(data, body)
        if kind == 10:
            count, at = leb128(data, body)
            for index in range(count):
                length, after = leb128(data, at)
                bodies.append((imports + index, length))
                at = after + length
    print(f"\n{path}: {len(data):,} B raw, {len(gzip.compress(data, 9)):,} B gzip -9")
    print(f"without the name section: {len(stripped):,} B raw, {len(gzip.compress(bytes(stripped), 9)):,} B gzip -9")
    if sum(index in names for index, _ in bodies) < len(bodies) / 2:
        print("(few function names: build with symbol names kept for the code by crate)")
        return
    by_crate = collections.Counter()
    for index, length in bodies:
        by_crate[crate_of(names.get(index, ""))] += length
    total = sum(by_crate.values())
    print(f"\ncode by crate ({total:,} B of function bodies):")
    for crate, length in by_crate.most_common(top):
        print(f"  {crate:28s}{length:>12,}  {100 * length / total:5.1f}%")


if __name__ == "__main__":
    main()
