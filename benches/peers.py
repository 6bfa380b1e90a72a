#!/usr/bin/env python3
"""Spatial dropout side by side, single-threaded: this crate, PyTorch and Keras/TensorFlow.

    python3 benches/peers.py            # all shapes, every peer that is installed
    python3 benches/peers.py --quick    # fewer repetitions

Each peer runs in its own process (so PyTorch and TensorFlow do not share one), on the same
shapes, out of place, training mode, rate 0.5:
  - PyTorch `torch.nn.functional.dropout3d(x, 0.5, training=True)` on [N, C, D, H, W]
    (channels_first), `torch.set_num_threads(1)`;
  - Keras 3 / TensorFlow `keras.layers.SpatialDropout3D(0.5)(x, training=True)` on
    [N, D, H, W, C] (channels_last, Keras's default), intra/inter-op threads 1;
  - this crate through `examples/peer_bench.rs` (release build), in the layout of each peer.
Times are the best call (small shapes: the best mean of a batch of calls); GB/s counts bytes
read plus written (2 x the tensor). "x crate" is how many times longer the peer takes.
Not run in CI: it needs large Python packages.
"""

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATE = 0.5

# (label, channels_first dims [N, C, D, H, W]); channels_last is [N, D, H, W, C].
SHAPES = [
    ("1x4x4x4x8 (512 elements)", [1, 8, 4, 4, 4]),
    ("8x16x16x16x32 (4 MiB)", [8, 32, 16, 16, 16]),
    ("4x64x64x64x32 (128 MiB)", [4, 32, 64, 64, 64]),
]


def channels_last(cf):
    n, c, d, h, w = cf
    return [n, d, h, w, c]


def elements(dims):
    out = 1
    for d in dims:
        out *= d
    return out


def budget(dims, quick):
    """(calls per sample, samples) for a shape."""
    n = elements(dims)
    per_sample = max(1, (1 << 22) // n) if n < (1 << 20) else 1
    samples = 3 if n >= (1 << 24) else 7
    if quick:
        per_sample = max(1, per_sample // 4)
        samples = min(samples, 3)
    return per_sample, samples


def best_time(call, dims, quick):
    per_sample, samples = budget(dims, quick)
    call()  # warm up: first-call allocation and tracing
    best = float("inf")
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(per_sample):
            call()
        best = min(best, (time.perf_counter() - t) / per_sample)
    return best


def peer_torch(quick):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    rows = []
    for label, cf in SHAPES:
        x = torch.rand(cf, dtype=torch.float32)
        sec = best_time(lambda: F.dropout3d(x, RATE, training=True), cf, quick)
        rows.append({"shape": label, "format": "channels_first", "dims": cf, "seconds": sec})
    return {"impl": f"PyTorch {torch.__version__}", "rows": rows}


def peer_keras(quick):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    rows = []
    for label, cf in SHAPES:
        cl = channels_last(cf)
        x = tf.random.uniform(cl, dtype=tf.float32)
        layer = keras.layers.SpatialDropout3D(RATE)
        sec = best_time(lambda: layer(x, training=True), cl, quick)
        rows.append({"shape": label, "format": "channels_last", "dims": cl, "seconds": sec})
    return {"impl": f"Keras {keras.__version__} / TensorFlow {tf.__version__}", "rows": rows}


def crate_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--example", "peer_bench"],
        cwd=ROOT,
        check=True,
    )
    return os.path.join(target, "release", "examples", "peer_bench")


def peer_crate(quick):
    exe = crate_binary()
    rows = []
    for label, cf in SHAPES:
        for fmt, dims in (("channels_first", cf), ("channels_last", channels_last(cf))):
            per_sample, samples = budget(dims, quick)
            out = subprocess.run(
                [exe, fmt, ",".join(map(str, dims)), "--rate", str(RATE),
                 "--reps", str(per_sample * samples)],
                check=True, capture_output=True, text=True,
            ).stdout
            line = json.loads(out.strip().splitlines()[-1])
            rows.append({"shape": label, "format": fmt, "dims": dims,
                         "seconds": line["ns_per_call"] * 1e-9})
    return {"impl": "spatial-dropout (this crate)", "rows": rows}


PEERS = {"crate": peer_crate, "torch": peer_torch, "keras": peer_keras}


def run_peer(name, quick):
    """Runs one peer in a child process; None when it is not installed or fails."""
    cmd = [sys.executable, os.path.abspath(__file__), "--peer", name] + (["--quick"] if quick else [])
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"# {name}: skipped ({tail})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_time(sec):
    if sec < 1e-6:
        return f"{sec * 1e9:.0f} ns"
    if sec < 1e-3:
        return f"{sec * 1e6:.1f} µs"
    if sec < 1:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec:.2f} s"


def main():
    quick = "--quick" in sys.argv
    if "--peer" in sys.argv:
        name = sys.argv[sys.argv.index("--peer") + 1]
        print(json.dumps(PEERS[name](quick)))
        return
    crate = run_peer("crate", quick)
    if crate is None:
        sys.exit("the crate's peer_bench example failed")
    mine = {(r["shape"], r["format"]): r["seconds"] for r in crate["rows"]}
    results = [crate] + [p for p in (run_peer("torch", quick), run_peer("keras", quick)) if p]
    print("| implementation | shape | layout | time per call | GB/s | x crate |")
    print("|---|---|---|---:|---:|---:|")
    for peer in results:
        for r in peer["rows"]:
            gbs = 2 * 4 * elements(r["dims"]) / r["seconds"] / 1e9
            ratio = r["seconds"] / mine[(r["shape"], r["format"])]
            print(f"| {peer['impl']} | {r['shape']} | {r['format']} | {fmt_time(r['seconds'])} "
                  f"| {gbs:.2f} | {ratio:.1f} |")


if __name__ == "__main__":
    main()
