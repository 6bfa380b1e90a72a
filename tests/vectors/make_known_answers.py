#!/usr/bin/env python3
"""Writes tests/vectors/known_answers.json from an independent model of the semantics.

Nothing here is copied from the Rust crate's output: the generator, the threshold, the scale and
the map order are re-derived from their definitions (docs/semantics.md, rand_core 0.10's
`SeedableRng::seed_from_u64`, rand_xorshift 0.5's `from_seed` and `next_u32`). The Rust tests
(tests/known_answers.rs), the wasm package and the firmware check the crate against this file.

Usage: python3 tests/vectors/make_known_answers.py   (writes the JSON next to this script)
       python3 tests/vectors/make_known_answers.py --check   (fails if the JSON is stale)
"""

import json
import math
import os
import struct
import sys

MASK32 = 0xFFFF_FFFF
MASK64 = 0xFFFF_FFFF_FFFF_FFFF


# --- rand_core 0.10: SeedableRng::seed_from_u64 -------------------------------------------------

PCG_MUL = 0x5851_F42D_4C95_7F2D
PCG_INC = 0xA176_54E4_6FBE_17F3


def pcg32(state):
    """One PCG32 step as rand_core's `pcg32`: advance first, then XSH-RR output.

    Returns (new_state, output u32)."""
    state = (state * PCG_MUL + PCG_INC) & MASK64
    xorshifted = (((state >> 18) ^ state) >> 27) & MASK32
    rot = state >> 59
    out = ((xorshifted >> rot) | (xorshifted << ((32 - rot) % 32))) & MASK32
    return state, out


def seed_bytes_from_u64(seed):
    """The 16-byte seed `seed_from_u64` builds: four PCG32 outputs, each little-endian."""
    state = seed & MASK64
    out = b""
    for _ in range(4):
        state, word = pcg32(state)
        out += struct.pack("<I", word)
    return out


# --- rand_xorshift 0.5 --------------------------------------------------------------------------


class XorShift:
    """Marsaglia's xorshift128 as rand_xorshift 0.5's XorShiftRng."""

    def __init__(self, seed16):
        words = list(struct.unpack("<4I", seed16))
        if words == [0, 0, 0, 0]:
            # The generator cannot leave the all-zero state: rand_xorshift substitutes this.
            words = [0x0BAD_5EED] * 4
        self.x, self.y, self.z, self.w = words
        self.draws = 0

    @classmethod
    def seed_from_u64(cls, seed):
        return cls(seed_bytes_from_u64(seed))

    def next_u32(self):
        x = self.x
        t = (x ^ (x << 11)) & MASK32
        self.x, self.y, self.z = self.y, self.z, self.w
        w = self.w
        self.w = (w ^ (w >> 19) ^ (t ^ (t >> 8))) & MASK32
        self.draws += 1
        return self.w


# --- rate -> threshold and scale ----------------------------------------------------------------


def round_half_away(v):
    """libm::round for finite v >= 0: the fraction of a double is exact, so this is exact."""
    assert v >= 0.0 and math.isfinite(v)
    f = math.floor(v)
    return int(f) + (1 if v - f >= 0.5 else 0)


def threshold(rate):
    # (1 - rate) and the product by 2^32 are f64 operations in Python as in Rust.
    return round_half_away((1.0 - rate) * 4294967296.0)


def to_f32(v):
    """Round a Python float (f64) to the nearest f32, ties to even, overflow to +-inf."""
    try:
        return struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def f32_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def scale(rate):
    return to_f32(1.0 / (1.0 - rate)) if rate < 1.0 else math.inf


# --- the input rule (the brief) ------------------------------------------------------------------


def input_value(i):
    if i % 89 == 5:
        return math.inf
    if i % 83 == 7:
        return -0.0
    if i % 79 == 3:
        return -math.inf
    return to_f32(float((i * 7919) % 2003 - 1001) / 64.0)


# --- one training call ---------------------------------------------------------------------------


def layout(rank, data_format, dims):
    """(batch, channels, map_len) from memory-order dims."""
    assert len(dims) == rank + 2
    batch = dims[0]
    if data_format == "channels_first":
        channels, spatial = dims[1], dims[2:]
    else:
        channels, spatial = dims[-1], dims[1:-1]
    map_len = 1
    for d in spatial:
        map_len *= d
    return batch, channels, map_len


def training_call(rng, rate, rank, data_format, dims, xs):
    batch, channels, map_len = layout(rank, data_format, dims)
    maps = batch * channels
    # Decisions in map order m = n * channels + c, for both layouts. A tensor with no elements
    # decides (and draws) nothing, whatever its batch: its mask has no words.
    if not xs:
        return [], []
    if rate == 0.0:
        keep = [True] * maps
    elif rate == 1.0:
        keep = [False] * maps
    else:
        t = threshold(rate)
        keep = [rng.next_u32() < t for _ in range(maps)]

    words = [0] * ((maps + 31) // 32)
    for m, k in enumerate(keep):
        if k:
            words[m // 32] |= 1 << (m % 32)

    s = scale(rate)
    out = []
    for i, x in enumerate(xs):
        if data_format == "channels_first":
            # [batch, channels, spatial...]: each map is one contiguous run.
            n, rest = divmod(i, channels * map_len)
            c = rest // map_len
        else:
            # [batch, spatial..., channels]: the channel is the fastest index.
            n = i // (map_len * channels)
            c = i % channels
        m = n * channels + c
        if rate == 0.0:
            y = x  # bit for bit, -0.0 and infinities included
        elif keep[m]:
            # Both factors are f32, so the f64 product is exact; one rounding to f32 follows.
            y = to_f32(x * s)
        else:
            y = 0.0  # +0.0 whatever x is
        out.append(f32_bits(y))
    return words, out


def make_case(name, seed, rate, rank, data_format, dims, calls=2):
    assert 0 <= seed < 2**53
    assert rank == len(dims) - 2
    if rank == 1:
        assert data_format == "channels_last", "SpatialDropout1D is always channels_last"
    n = math.prod(dims)
    assert n <= 4096, name
    xs = [input_value(i) for i in range(n)]
    rng = XorShift.seed_from_u64(seed)
    out_calls = []
    for _ in range(calls):
        before = rng.draws
        words, bits = training_call(rng, rate, rank, data_format, dims, xs)
        batch, channels, _ = layout(rank, data_format, dims)
        expected_draws = batch * channels if 0.0 < rate < 1.0 and n else 0
        assert rng.draws - before == expected_draws
        out_calls.append({"mask": words, "output_bits": bits})
    return {
        "name": name,
        "seed": seed,
        "rate": rate,
        "rank": rank,
        "data_format": data_format,
        "dims": dims,
        "calls": out_calls,
    }


BIG_SEED = 2**53 - 1
CL, CF = "channels_last", "channels_first"

CASES = [
    # name, seed, rate, rank, format, dims
    ("1d_rate_half_seed0_c3", 0, 0.5, 1, CL, [2, 5, 3]),
    ("1d_rate_0.1_seed42_c8", 42, 0.1, 1, CL, [4, 7, 8]),
    ("1d_rate_third_bigseed_c70", BIG_SEED, 1.0 / 3.0, 1, CL, [3, 4, 70]),
    ("1d_rate_quarter_c1_two_words", 1, 0.25, 1, CL, [40, 6, 1]),
    ("1d_rate_half_c100", 2024, 0.5, 1, CL, [2, 3, 100]),
    ("1d_zero_steps_draws_nothing", 9, 0.25, 1, CL, [5, 0, 7]),
    ("2d_cf_rate_half_seed7", 7, 0.5, 2, CF, [2, 3, 4, 5]),
    ("2d_cl_rate_half_seed7_same_maps", 7, 0.5, 2, CL, [2, 4, 5, 3]),
    ("2d_cl_rate_0.9_c130", 123456789, 0.9, 2, CL, [2, 3, 3, 130]),
    ("2d_cf_rate_quarter_c64", BIG_SEED, 0.25, 2, CF, [2, 64, 3, 3]),
    ("2d_cl_rate_third_bigseed_c3", BIG_SEED, 1.0 / 3.0, 2, CL, [5, 4, 4, 3]),
    ("2d_cl_rate0_no_draws", 11, 0.0, 2, CL, [2, 3, 3, 4]),
    ("2d_cl_zero_rows_draws_nothing", 3, 0.5, 2, CL, [3, 0, 4, 5]),
    ("2d_cf_zero_batch_no_maps", 3, 0.5, 2, CF, [0, 3, 4, 5]),
    ("3d_cl_rate_half_seed0_c8", 0, 0.5, 3, CL, [2, 2, 3, 2, 8]),
    ("3d_cf_rate_0.1_c8", 99, 0.1, 3, CF, [2, 8, 2, 3, 2]),
    ("3d_cl_rate_2^-33_keeps_all_c70", 5, 2.0**-33, 3, CL, [1, 2, 2, 2, 70]),
    ("3d_cf_rate_1-1e-12_drops_all", 5, 1.0 - 1e-12, 3, CF, [2, 3, 2, 2, 2]),
    ("3d_cl_rate1_zeros_no_draws", 11, 1.0, 3, CL, [1, 2, 2, 2, 3]),
    ("3d_cl_rate_half_c130", 31337, 0.5, 3, CL, [2, 1, 2, 2, 130]),
    ("3d_cf_zero_depth_draws_nothing", 17, 0.5, 3, CF, [2, 40, 0, 2, 2]),
    ("3d_cl_rate_0.9_c1", 8, 0.9, 3, CL, [70, 2, 1, 2, 1]),
]


def build():
    return {
        "format": "spatial-dropout known answers v1",
        "cases": [make_case(*c) for c in CASES],
    }


def dump(doc):
    """Stable, reviewable layout: one line per array."""
    lines = ["{", '  "format": %s,' % json.dumps(doc["format"]), '  "cases": [']
    for ci, case in enumerate(doc["cases"]):
        lines.append("    {")
        for key in ("name", "seed", "rate", "rank", "data_format", "dims"):
            lines.append('      "%s": %s,' % (key, json.dumps(case[key])))
        lines.append('      "calls": [')
        for k, call in enumerate(case["calls"]):
            comma = "," if k + 1 < len(case["calls"]) else ""
            lines.append(
                '        {"mask": %s,\n         "output_bits": %s}%s'
                % (json.dumps(call["mask"]), json.dumps(call["output_bits"]), comma)
            )
        lines.append("      ]")
        lines.append("    }" + ("," if ci + 1 < len(doc["cases"]) else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def self_check():
    # Thresholds at the edges, derived by hand.
    assert threshold(0.5) == 2**31
    assert threshold(2.0**-33) == 2**32  # (2^32 - 0.5) rounds away from zero: keeps every map
    assert threshold(1.0 - 1e-12) == 0  # about 0.0043: drops every map
    assert threshold(0.0) == 2**32 and threshold(1.0) == 0
    assert f32_bits(scale(0.5)) == f32_bits(2.0)
    assert f32_bits(scale(2.0**-33)) == f32_bits(1.0)
    # rand_xorshift's own `test_xorshift_true_values`.
    r = XorShift(bytes([16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]))
    assert [r.next_u32() for _ in range(3)] == [2081028795, 620940381, 269070770]
    # The zero-seed substitution is reachable only through from_seed.
    assert XorShift(bytes(16)).x == 0x0BAD_5EED
    # The rules of the input, by hand.
    assert input_value(5) == math.inf and input_value(7) == 0.0
    assert math.copysign(1.0, input_value(7)) < 0 and input_value(3) == -math.inf
    assert input_value(0) == -1001.0 / 64.0


def main():
    self_check()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_answers.json")
    text = dump(build())
    json.loads(text)  # the layout is valid JSON
    if "--check" in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("known_answers.json is stale: run tests/vectors/make_known_answers.py")
        print("known_answers.json is up to date")
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d cases)" % (path, len(CASES)))


if __name__ == "__main__":
    main()
