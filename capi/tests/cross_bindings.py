"""Compares the C half of the cross-binding check with the fixture.

usage: python3 capi/tests/cross_bindings.py OUTPUT

OUTPUT is what capi/tests/cross_bindings.c printed ("<id> <status>" lines). Every case of
tests/fixtures/cross_binding_errors.json must be there, with the status the header gives the
case's `c_status`; that number must be the case's `code` (Rust's Error::code(), which
tests/cross_bindings.rs checks), except for the divergences listed in tests/cross_bindings.rs,
which are kept exact there.
"""
import json
import re
import sys

FIXTURE = "tests/fixtures/cross_binding_errors.json"
HEADER = "capi/include/spatial_dropout.h"
RUST_TEST = "tests/cross_bindings.rs"


def main(output_path):
    cases = json.load(open(FIXTURE))["cases"]
    header = dict((m[0], int(m[1])) for m in re.findall(r"\b(SPATIAL_DROPOUT_\w+) = (\d+)", open(HEADER).read()))
    known = dict((m[0], int(m[1])) for m in re.findall(r'\("(SPATIAL_DROPOUT_ERROR_\w+)", (\d+)\)', open(RUST_TEST).read()))
    got = {}
    for line in open(output_path):
        ident, status = line.split()
        got[ident] = int(status)
    failures = []
    for case in cases:
        ident, name = case["id"], case["c_status"]
        if ident not in got:
            failures.append(f"{ident}: the C program does not run this case")
            continue
        if got[ident] != header[name]:
            failures.append(f"{ident}: C returned {got[ident]}, the header's {name} is {header[name]}")
        if header[name] != case["code"] and known.get(name) != header[name]:
            failures.append(f"{ident}: {name} is {header[name]} in C, Rust's Error::code() is {case['code']}")
    extra = set(got) - {c["id"] for c in cases}
    if extra:
        failures.append(f"cases the fixture does not have: {sorted(extra)}")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"{len(cases)} bad inputs: C's status codes match the fixture (Rust's Error::code(), "
          f"{len([c for c in cases if c['c_status'] in known])} of them through the known divergences of {RUST_TEST})")


if __name__ == "__main__":
    main(sys.argv[1])
