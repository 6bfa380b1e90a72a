#!/usr/bin/env python3
"""docs/firmware.md shows the guide firmware's files in fenced blocks, each preceded by a
`<!-- file: PATH -->` line (PATH relative to this package). Checks that the blocks of each
file, in order, are that file exactly (blank lines between blocks aside), so the guide cannot
drift from the code CI builds and runs in QEMU.

With `--scaffold DIR`, instead fills the `cargo new` package DIR from the guide alone: the
dependency block of step 1 (spatial-dropout taken from this repository by path, as the
crate is not on a registry yet) and every file block, as a reader following the guide would.

Run from anywhere: python3 examples/firmware-guide/check-guide.py [--scaffold DIR]
"""

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUIDE = HERE.parent.parent / "docs" / "firmware.md"
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.S)


def scaffold(package):
    doc = GUIDE.read_text()
    deps = doc[doc.index("### 1. Dependencies"):]
    toml = re.search(r"```toml\n(.*?)\n```", deps, re.S).group(1)
    repo = HERE.parent.parent
    toml = toml.replace('spatial-dropout = { version = "0.1",', f'spatial-dropout = {{ path = "{repo}",')
    manifest = package / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace("[dependencies]\n", "") + "\n" + toml + "\n")
    files = {}
    for path, body in BLOCK.findall(doc):
        files.setdefault(path, []).append(body)
    for path, bodies in files.items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_text("\n\n".join(bodies) + "\n")
    print(f"{package}: Cargo.toml and {len(files)} files from docs/firmware.md")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--scaffold":
        return scaffold(Path(sys.argv[2]))
    blocks = {}
    for path, body in BLOCK.findall(GUIDE.read_text()):
        blocks.setdefault(path, []).append(body)
    if not blocks:
        sys.exit(f"{GUIDE}: no <!-- file: ... --> blocks")
    failed = False
    for path, bodies in sorted(blocks.items()):
        text = (HERE / path).read_text()
        rest, pos = text, 0
        for i, body in enumerate(bodies, 1):
            at = rest.find(body, pos)
            if at < 0:
                print(f"{path}: block {i} of docs/firmware.md is not in the file (in order)")
                failed = True
                break
            if rest[pos:at].strip():
                print(f"{path}: docs/firmware.md leaves out {rest[pos:at].strip()[:60]!r}...")
                failed = True
            pos = at + len(body)
        else:
            if rest[pos:].strip():
                print(f"{path}: docs/firmware.md leaves out {rest[pos:].strip()[:60]!r}...")
                failed = True
        if not failed:
            print(f"{path}: {len(bodies)} block(s), the whole file")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
