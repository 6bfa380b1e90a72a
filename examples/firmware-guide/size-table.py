#!/usr/bin/env python3
"""Flash of each step of docs/firmware.md over an empty firmware, and of printing an error
each way, on thumbv7em-none-eabihf and thumbv6m-none-eabi, as Markdown tables.

Flash is what the image loads: .vector_table + .text + .rodata + .data, read with llvm-size
from the release build (opt-level "s", LTO, one codegen unit).

Run from anywhere: python3 examples/firmware-guide/size-table.py
"""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = ["thumbv7em-none-eabihf", "thumbv6m-none-eabi"]
STEPS = [
    ("size_0_empty", "empty firmware: `#[entry]`, panic handler, semihosting exit"),
    ("size_1_seeded", "1. a TRNG-seeded layer, one training call"),
    ("size_2_mc_dropout", "2. + MC dropout, mean and std"),
    ("size_3_backward", "3. + backward"),
    ("size_4_json", "4. + `from_config`, `write_config`"),
    ("firmware-guide", "the guide's firmware: all four steps, its output, a static layer"),
]
ERRORS = [
    ("size_error_str", "`e.code()` and `e.as_str()`"),
    ("size_error_display", "`Display` (`writeln!(stdout, \"{e}\")`)"),
]
BASE_ERRORS = "size_error_none"
SECTIONS = (".vector_table", ".text", ".rodata", ".data")


def tool(name):
    sysroot = subprocess.run(
        ["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True
    ).stdout.strip()
    host = re.search(
        r"host: (\S+)",
        subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout,
    ).group(1)
    path = Path(sysroot) / "lib" / "rustlib" / host / "bin" / name
    if not path.exists():
        sys.exit(f"{path} missing: rustup component add llvm-tools")
    return str(path)


def flash(target, binary):
    elf = HERE / "target" / target / "release" / binary
    out = subprocess.run(
        [tool("llvm-size"), "-A", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in SECTIONS:
            total += int(parts[1])
    return total


def main():
    for target in TARGETS:
        print(f"+ cargo build --release --bins --target {target}", file=sys.stderr, flush=True)
        subprocess.run(
            ["cargo", "build", "--quiet", "--release", "--bins", "--target", target],
            cwd=HERE,
            check=True,
        )
    sizes = {t: {b: flash(t, b) for b, _ in STEPS + ERRORS + [(BASE_ERRORS, "")]} for t in TARGETS}

    print("| step | " + " | ".join(f"{t} flash | over empty" for t in TARGETS) + " |")
    print("|---|" + "---:|---:|" * len(TARGETS))
    for binary, what in STEPS:
        cells = []
        for t in TARGETS:
            size, empty = sizes[t][binary], sizes[t]["size_0_empty"]
            cells += [f"{size:,}", "" if binary == "size_0_empty" else f"+{size - empty:,}"]
        print(f"| {what} | " + " | ".join(cells) + " |")
    print()
    print("| printing an error with | " + " | ".join(f"{t}: flash over a fixed line" for t in TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    for binary, what in ERRORS:
        cells = [f"+{sizes[t][binary] - sizes[t][BASE_ERRORS]:,}" for t in TARGETS]
        print(f"| {what} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
