#!/usr/bin/env python3
"""Which exported functions of the static library can reach a panic.

Built with the `link-check` feature, the library's panic handler calls
`spatial_dropout_capi_can_panic`, which is defined nowhere. This script follows every
relocation of the archive's Rust object (calls, and addresses taken through vtables and other
data) from each exported `spatial_dropout_*` function; an export that reaches the undefined
symbol may panic. The walk over-approximates (any referenced code counts as called), so an
export it clears cannot panic.

Usage: panic_paths.py OBJDUMP ARCHIVE [--allow NAME ...]
Fails if an export outside the --allow list can reach a panic; prints a path for each export
that can. An allowed export that turns out panic-free is reported so the list can shrink.
"""

import os
import re
import subprocess
import sys
import tempfile

MARKER = "spatial_dropout_capi_can_panic"


def run(*cmd, cwd=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd).stdout


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    objdump, archive = args[0], os.path.abspath(args[1])
    allowed = set(args[3:]) if len(args) > 2 and args[2] == "--allow" else set()

    with tempfile.TemporaryDirectory() as tmp:
        members = [m for m in run("ar", "t", archive).split() if m.endswith(".o")]
        ours = [m for m in members if m.startswith("spatial_dropout_c")]
        if not ours:
            sys.exit(f"{archive}: no Rust object of the C API in the archive")
        run("ar", "x", archive, *ours, cwd=tmp)
        section_of = {}  # symbol -> section
        edges = {}  # section -> referenced symbols or sections
        exports = set()
        for obj in ours:
            path = os.path.join(tmp, obj)
            for line in run(objdump, "-t", path).splitlines():
                m = re.match(r"^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+ (.+)$", line)
                if not m:
                    continue
                flags, section, name = m.groups()
                if section in ("*UND*", "*ABS*", "*COM*"):
                    continue
                section_of[name] = section
                if "g" in flags and "F" in flags and name.startswith("spatial_dropout_"):
                    exports.add(name)
            current = None
            for line in run(objdump, "-r", path).splitlines():
                m = re.match(r"^RELOCATION RECORDS FOR \[(.+)\]:$", line)
                if m:
                    current = m.group(1)
                    continue
                m = re.match(r"^[0-9a-f]+ \S+\s+(\S+?)(?:[+-]0x[0-9a-f]+)?$", line)
                if m and current and not current.startswith(".ARM.exidx"):
                    edges.setdefault(current, set()).add(m.group(1))

    def node(name):
        return section_of.get(name, name)

    def path_to_marker(export):
        start = node(export)
        parent = {start: None}
        todo = [start]
        while todo:
            cur = todo.pop()
            if cur == MARKER:
                chain = []
                while cur is not None:
                    chain.append(cur)
                    cur = parent[cur]
                return list(reversed(chain))
            for ref in edges.get(cur, ()):
                nxt = node(ref)
                if nxt not in parent:
                    parent[nxt] = cur
                    todo.append(nxt)
        return None

    if not exports:
        sys.exit("no exported spatial_dropout_* function found")
    # Without `link-check` the panic handler does not call the marker, and every export would
    # look clean: refuse such an archive.
    if "spatial_dropout_capi_link_check" not in section_of:
        sys.exit(f"{archive}: not built with --features link-check")
    bad = []
    for export in sorted(exports):
        chain = path_to_marker(export)
        if chain is None:
            verdict = "cannot panic"
            if export in allowed:
                verdict += " (allowed to, no longer needs to be)"
        else:
            verdict = "CAN PANIC" + (" (allowed)" if export in allowed else "")
            if export not in allowed:
                bad.append(export)
        print(f"{export}: {verdict}")
        if chain is not None:
            for step in chain[1:8]:
                print(f"    -> {step.removeprefix('.text.')}")
            if len(chain) > 8:
                print(f"    -> ... ({len(chain) - 8} more)")
    if bad:
        sys.exit(f"exports that can reach a panic: {', '.join(bad)}")


if __name__ == "__main__":
    main()
