#!/usr/bin/env python3
"""Spatial dropout side by side: this crate, PyTorch, Keras/TensorFlow and TF.js, as ranges.

    python3 benches/peers.py --check        # which peers are installed, with versions; no timing
    python3 benches/peers.py                # every peer, 3 runs each, a Markdown table of ranges
    python3 benches/peers.py --runs 5 --quick --only crate,tfjs --json out.json

Every peer runs on the same shapes, out of place, training mode, rate 0.5:
  - this crate through `examples/peer_bench.rs` (release build), the layer
    `SpatialDropout3D::with_rate(..).with_masks(M).call(.., training=true)` with both mask
    schemes, M = Keras (the default: TensorFlow's Philox masks) and XorShift, in the layout of
    each peer (channels_first for PyTorch, channels_last for the others);
  - PyTorch `torch.nn.functional.dropout3d(x, 0.5, training=True)` on [N, C, D, H, W], once with
    `torch.set_num_threads(1)` / `set_num_interop_threads(1)` / OMP_NUM_THREADS=1 and once with
    its default threads;
  - Keras 3 / TensorFlow `keras.layers.SpatialDropout3D(0.5)(x, training=True)` on
    [N, D, H, W, C] (channels_last, Keras's default), once with intra/inter-op threads 1 and once
    with TensorFlow's defaults;
  - TF.js's pure-JavaScript CPU backend in Node (`benches/peers_tfjs.mjs`): TF.js has no 3D
    spatial dropout layer, so it times the op its layers use, `tf.dropout(x, 0.5, noiseShape)`
    with noise shape [N, 1, 1, 1, C] on [N, D, H, W, C] (one thread: JavaScript).
A peer's run is one process (the crate: one process per shape, layout and scheme); runs go round
robin over the peers, `--runs` times (default 3). Within a run a time is the best mean of a
batch of calls (batches of ≥ 50 ms for the Python and JS peers); the table gives, per shape,
the range (min–max) of the runs' best times. GB/s counts bytes read plus written (2 x the
tensor). "x crate" is how many times longer the peer takes than the crate (same shape and
layout), as a range: fastest peer run / slowest crate run to slowest peer run / fastest crate
run. On a shared machine the spread is real: quote the range, not one end.

Installing the peers (not in CI: they are large; only the default PyPI index is needed):
    python3 -m venv /opt/peers && /opt/peers/bin/pip install torch numpy
        # PyPI's default Linux torch wheel is the CUDA build (~5 GB with its nvidia-* wheels);
        # it runs on the CPU here. Another interpreter: --torch-python PY.
    python3 -m venv /opt/tf315 && /opt/tf315/bin/pip install tensorflow-cpu==2.16.1 keras==3.15.1
        # another interpreter: --tf-python PY
    npm ci --prefix benches
        # @tensorflow/tfjs 4.22.0, pinned in benches/package.json and package-lock.json
        # (the pure-JS CPU backend: no tfjs-node, nothing downloaded at install time)
    rustc and cargo for the crate (`cargo build --release --example peer_bench`).
A run stops before timing anything if a peer it was asked for is missing, naming each missing
peer and how to install it; `--only` runs a subset (e.g. `--only crate,tfjs`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RATE = 0.5

# (label, channels_first dims [N, C, D, H, W]); channels_last is [N, D, H, W, C].
SHAPES = [
    ("1x4x4x4x8 (512 elements)", [1, 8, 4, 4, 4]),
    ("8x16x16x16x32 (4 MiB)", [8, 32, 16, 16, 16]),
    ("4x64x64x64x32 (128 MiB)", [4, 32, 64, 64, 64]),
]

# Peer name -> (family, threads mode). The family picks the interpreter and the code.
PEERS = {
    "crate-keras": ("crate", "keras"),
    "crate-xorshift": ("crate", "xorshift"),
    "torch-1": ("torch", "1"),
    "torch-default": ("torch", "default"),
    "keras-1": ("keras", "1"),
    "keras-default": ("keras", "default"),
    "tfjs": ("tfjs", None),
}
FAMILIES = ["crate", "torch", "keras", "tfjs"]
INSTALL = {
    "crate": "install Rust (rustc, cargo)",
    "torch": "python3 -m venv /opt/peers && /opt/peers/bin/pip install torch numpy "
             "(or pass --torch-python PY)",
    "keras": "python3 -m venv /opt/tf315 && /opt/tf315/bin/pip install tensorflow-cpu==2.16.1 "
             "keras==3.15.1 (or pass --tf-python PY)",
    "tfjs": "npm ci --prefix benches (and Node >= 18, or pass --node NODE)",
}


def channels_last(cf):
    n, c, d, h, w = cf
    return [n, d, h, w, c]


def elements(dims):
    out = 1
    for d in dims:
        out *= d
    return out


# --- the Python peers, run in a child process with the peer's own interpreter ---------------


def best_time(call, dims, quick):
    """Best mean of a batch of calls; batches sized to last >= 50 ms (10 ms with --quick)."""
    target = 0.01 if quick else 0.05
    samples = 3 if elements(dims) >= (1 << 24) or quick else 7
    t = time.perf_counter()
    call()  # warm up: first-call allocation and tracing
    once = time.perf_counter() - t
    if once < target:
        t = time.perf_counter()
        call()
        once = max(time.perf_counter() - t, 1e-9)
    per_sample = max(1, min(1 << 20, int(target / once) + 1))
    best = float("inf")
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(per_sample):
            call()
        best = min(best, (time.perf_counter() - t) / per_sample)
    return best


def child_torch(mode, spec, quick):
    import torch
    import torch.nn.functional as F

    if mode == "1":
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    threads = f"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op"
    threads = "1" if mode == "1" else f"default ({threads})"
    rows = []
    for label, cf in spec:
        x = torch.rand(cf, dtype=torch.float32)
        sec = best_time(lambda: F.dropout3d(x, RATE, training=True), cf, quick)
        rows.append({"shape": label, "format": "channels_first", "dims": cf, "seconds": sec})
    return {"impl": f"PyTorch {torch.__version__}", "versions": {"torch": torch.__version__},
            "threads": threads, "rows": rows}


def child_keras(mode, spec, quick):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import tensorflow as tf

    if mode == "1":
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    intra = tf.config.threading.get_intra_op_parallelism_threads()
    inter = tf.config.threading.get_inter_op_parallelism_threads()
    if mode == "1":
        threads = "1" if (intra, inter) == (1, 1) else f"{intra} intra-op, {inter} inter-op"
    else:
        threads = f"default (intra/inter-op {intra}/{inter}: TF's choice, {os.cpu_count()} cores)"
    rows = []
    for label, cf in spec:
        cl = channels_last(cf)
        x = tf.random.uniform(cl, dtype=tf.float32)
        layer = keras.layers.SpatialDropout3D(RATE)
        sec = best_time(lambda: layer(x, training=True), cl, quick)
        rows.append({"shape": label, "format": "channels_last", "dims": cl, "seconds": sec})
    return {"impl": f"Keras {keras.__version__} / TensorFlow {tf.__version__}",
            "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
            "threads": threads, "rows": rows}


# --- the parent: finding, running and checking the peers -------------------------------------


def default_python(flag_value, env_name, venv):
    if flag_value:
        return flag_value
    if os.environ.get(env_name):
        return os.environ[env_name]
    exe = os.path.join(venv, "bin", "python")
    return exe if os.path.exists(exe) else sys.executable


def probe(family, opts):
    """(ok, description): the peer's versions, or why it cannot run."""
    try:
        if family == "crate":
            if not shutil.which("cargo"):
                return False, "cargo not found"
            out = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=True)
            return True, out.stdout.strip()
        if family in ("torch", "keras"):
            py = opts.torch_python if family == "torch" else opts.tf_python
            code = ("import torch; print('torch', torch.__version__)" if family == "torch" else
                    "import os; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); "
                    "os.environ['KERAS_BACKEND'] = 'tensorflow'; import tensorflow as tf, keras; "
                    "print('tensorflow', tf.__version__, '/ keras', keras.__version__)")
            out = subprocess.run([py, "-c", code], capture_output=True, text=True)
            if out.returncode != 0:
                tail = (out.stderr.strip().splitlines() or ["?"])[-1]
                return False, f"{py}: {tail}"
            return True, f"{out.stdout.strip().splitlines()[-1]} ({py})"
        if family == "tfjs":
            node = shutil.which(opts.node)
            if not node:
                return False, f"{opts.node} not found"
            pkg = os.path.join(HERE, "node_modules", "@tensorflow", "tfjs", "package.json")
            if not os.path.exists(pkg):
                return False, "benches/node_modules/@tensorflow/tfjs is missing"
            with open(pkg) as f:
                version = json.load(f)["version"]
            nv = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
            return True, f"@tensorflow/tfjs {version} (Node {nv})"
    except (OSError, subprocess.CalledProcessError) as e:
        return False, str(e)
    raise ValueError(family)


def crate_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "peer_bench"],
                   cwd=ROOT, check=True)
    return os.path.join(target, "release", "examples", "peer_bench")


def run_crate(exe, masks, quick):
    rows = []
    version = "?"
    for label, cf in SHAPES:
        for fmt, dims in (("channels_first", cf), ("channels_last", channels_last(cf))):
            n = elements(dims)
            reps = (7 if quick else 21) * ((1 << 20) // n + 1) if n < (1 << 24) else (3 if quick else 5)
            out = subprocess.run(
                [exe, fmt, ",".join(map(str, dims)), "--rate", str(RATE), "--reps", str(reps),
                 "--masks", masks],
                check=True, capture_output=True, text=True,
            ).stdout
            line = json.loads(out.strip().splitlines()[-1])
            version = line["crate_version"]
            rows.append({"shape": label, "format": fmt, "dims": dims,
                         "seconds": line["ns_per_call"] * 1e-9})
    return {"impl": f"spatial-dropout {version}, {masks} masks",
            "versions": {"spatial-dropout": version, "masks": masks},
            "threads": "1", "rows": rows}


def run_peer(name, opts, exe):
    """One run of one peer in its own process(es); raises RuntimeError on failure."""
    family, mode = PEERS[name]
    if family == "crate":
        return run_crate(exe, mode, opts.quick)
    spec = json.dumps([[label, cf] for label, cf in SHAPES])
    env = dict(os.environ)
    if family == "tfjs":
        spec = json.dumps([[label, channels_last(cf)] for label, cf in SHAPES])
        cmd = [opts.node, os.path.join(HERE, "peers_tfjs.mjs"), "--rate", str(RATE), "--spec", spec]
    else:
        py = opts.torch_python if family == "torch" else opts.tf_python
        cmd = [py, os.path.abspath(__file__), "--peer", name, "--spec", spec]
        if mode == "1":
            env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        else:
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                env.pop(var, None)
    if opts.quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{name} failed (exit {proc.returncode}): {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_time(sec):
    if sec < 1e-6:
        return f"{sec * 1e9:.0f} ns"
    if sec < 1e-3:
        return f"{sec * 1e6:.1f} µs"
    if sec < 1:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec:.2f} s"


def fmt_range(lo, hi, fmt):
    a, b = fmt(lo), fmt(hi)
    if a == b:
        return a
    ua, ub = a.rsplit(" ", 1), b.rsplit(" ", 1)
    if len(ua) == 2 and len(ub) == 2 and ua[1] == ub[1]:
        return f"{ua[0]}–{b}"
    return f"{a}–{b}"


def fmt_ratio(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def table(results, runs):
    """Markdown table: per shape, every peer's range of per-run best times."""
    times = {}  # (peer, shape, format) -> [seconds per run]
    dims = {}
    for name, per_run in results.items():
        for res in per_run:
            for r in res["rows"]:
                times.setdefault((name, r["shape"], r["format"]), []).append(r["seconds"])
                dims[(r["shape"], r["format"])] = r["dims"]
    meta = {name: per_run[0] for name, per_run in results.items() if per_run}
    crates = [c for c in ("crate-keras", "crate-xorshift") if c in results]
    lines = [
        f"| implementation | threads | shape | layout | time per call ({runs} runs, min–max) "
        "| GB/s | "
        + " | ".join(f"× crate, {PEERS[c][1]} masks" for c in crates) + " |",
        "|---|---|---|---|---:|---:|" + "---:|" * len(crates),
    ]
    order = [n for n in PEERS if n in results]
    for label, _ in SHAPES:
        for fmt in ("channels_first", "channels_last"):
            for name in order:
                ts = times.get((name, label, fmt))
                if not ts:
                    continue
                lo, hi = min(ts), max(ts)
                nbytes = 2 * 4 * elements(dims[(label, fmt)])
                gbs = fmt_range(nbytes / hi / 1e9, nbytes / lo / 1e9, lambda g: f"{g:.2f}")
                ratios = []
                for c in crates:
                    ref = times.get((c, label, fmt))
                    if c == name:
                        ratios.append("1")
                    elif not ref:
                        ratios.append("—")
                    else:
                        ratios.append(fmt_range(lo / max(ref), hi / min(ref), fmt_ratio))
                lines.append(
                    f"| {meta[name]['impl']} | {meta[name]['threads']} | {label} | {fmt} "
                    f"| {fmt_range(lo, hi, fmt_time)} | {gbs} | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Spatial dropout: this crate against PyTorch, Keras/TF and TF.js on the same "
                    "shapes, each peer run several times; prints the ranges. See the docstring "
                    "(benches/peers.py) for how to install the peers.")
    ap.add_argument("--runs", type=int, default=3, help="process runs per peer (default 3)")
    ap.add_argument("--quick", action="store_true", help="shorter batches, fewer samples")
    ap.add_argument("--check", action="store_true",
                    help="only report which peers are installed (versions) and exit; "
                         "exit 1 if one is missing")
    ap.add_argument("--only", default=",".join(FAMILIES),
                    help="comma-separated families or peers to run: crate, torch, keras, tfjs, "
                         "or " + ", ".join(PEERS) + " (default: all)")
    ap.add_argument("--json", metavar="PATH", help="also write every run's raw results here")
    ap.add_argument("--torch-python", default=None,
                    help="interpreter with torch (default: $PEERS_TORCH_PYTHON, "
                         "/opt/peers/bin/python, this one)")
    ap.add_argument("--tf-python", default=None,
                    help="interpreter with tensorflow and keras (default: $PEERS_TF_PYTHON, "
                         "/opt/tf315/bin/python, this one)")
    ap.add_argument("--node", default="node", help="Node.js for the TF.js peer (default: node)")
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    opts.torch_python = default_python(opts.torch_python, "PEERS_TORCH_PYTHON", "/opt/peers")
    opts.tf_python = default_python(opts.tf_python, "PEERS_TF_PYTHON", "/opt/tf315")
    wanted = []
    for item in filter(None, (s.strip() for s in opts.only.split(","))):
        if item in FAMILIES:
            wanted += [n for n, (fam, _) in PEERS.items() if fam == item]
        elif item in PEERS:
            wanted.append(item)
        else:
            ap.error(f"--only: unknown peer {item!r}")
    opts.peers = [n for n in PEERS if n in wanted]
    if opts.runs < 1:
        ap.error("--runs must be >= 1")
    return opts


def main(argv):
    opts = parse_args(argv)
    if opts.peer:  # a child: time one Python peer, print one JSON line
        family, mode = PEERS[opts.peer]
        spec = json.loads(opts.spec) if opts.spec else [[l, d] for l, d in SHAPES]
        fn = {"torch": child_torch, "keras": child_keras}[family]
        print(json.dumps(fn(mode, spec, opts.quick)))
        return 0

    families = [f for f in FAMILIES if any(PEERS[n][0] == f for n in opts.peers)]
    status = {f: probe(f, opts) for f in families}
    for f in families:
        ok, what = status[f]
        print(f"# {f}: {what}" if ok else f"# {f}: MISSING ({what}); install: {INSTALL[f]}")
    missing = [f for f in families if not status[f][0]]
    if opts.check:
        return 1 if missing else 0
    if missing:
        print(f"# not timing anything: {', '.join(missing)} missing "
              f"(install, or leave out with --only)", file=sys.stderr)
        return 2

    exe = crate_binary() if "crate" in families else None
    load0 = os.getloadavg()
    print(f"# {os.cpu_count()} cores; load average at start {load0[0]:.2f} {load0[1]:.2f} "
          f"{load0[2]:.2f}; {opts.runs} run(s) per peer, round robin", flush=True)
    results = {n: [] for n in opts.peers}
    for run in range(opts.runs):
        k = run % len(opts.peers)
        for name in opts.peers[k:] + opts.peers[:k]:  # rotate the order from run to run
            t = time.time()
            try:
                results[name].append(run_peer(name, opts, exe))
            except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
                print(f"# run {run + 1}: {e}", file=sys.stderr)
                return 1
            print(f"# run {run + 1}/{opts.runs}: {name} ({time.time() - t:.0f} s)",
                  file=sys.stderr, flush=True)
    load1 = os.getloadavg()

    versions = {}
    for per_run in results.values():
        versions.update(per_run[0].get("versions", {}))
    parts = []
    if "crate" in families:
        versions["rustc"] = status["crate"][1].replace("rustc ", "", 1)
        versions["masks"] = ", ".join(PEERS[n][1] for n in opts.peers if PEERS[n][0] == "crate")
        parts.append(f"spatial-dropout {versions['spatial-dropout']} (masks: {versions['masks']}; "
                     f"rustc {versions['rustc']}, release build)")
    if "torch" in versions:
        parts.append(f"torch {versions['torch']}")
    if "tensorflow" in versions:
        parts.append(f"tensorflow {versions['tensorflow']}, keras {versions['keras']}")
    if "tfjs" in versions:
        parts.append(f"@tensorflow/tfjs {versions['tfjs']} (tfjs-backend-cpu "
                     f"{versions['tfjs-backend-cpu']}, Node {versions['node']})")
    print(f"# load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    print("# versions: " + "; ".join(parts))
    print()
    print(table(results, opts.runs))
    print()
    print(f"Each time is the range (min–max) of {opts.runs} process runs' best times, on a machine "
          f"with {os.cpu_count()} cores shared with other work (load average "
          f"{load0[0]:.2f} at start, {load1[0]:.2f} at end): numbers are noisy, hence ranges. "
          "× crate: fastest peer run / slowest crate run – slowest peer run / fastest crate run.",
          flush=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"versions": versions, "load": [load0, load1], "runs": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
