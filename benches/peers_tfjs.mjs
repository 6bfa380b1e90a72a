// TF.js's peer for benches/peers.py: spatial dropout on TF.js's pure-JavaScript CPU backend in
// Node (the `@tensorflow/tfjs` package, not tfjs-node), on the same shapes.
//
//   npm ci --prefix benches                 # once: @tensorflow/tfjs pinned in benches/package.json
//   node benches/peers_tfjs.mjs [--quick] [--rate 0.5] [--spec '[["label", [N, D, H, W, C]], …]']
//
// TF.js has `tf.layers.spatialDropout1d` but no 2D or 3D layer, so this times the op its layers
// use for dropout in training, `tf.dropout(x, rate, noiseShape)`, with noise shape
// [N, 1, 1, 1, C] on the channels_last tensor [N, D, H, W, C]: one keep/drop per (sample,
// channel) map, kept maps scaled by 1 / (1 - rate). Every call's output is disposed. Times are
// the best mean of a batch of calls (batches sized to last ≥ 50 ms, 10 ms with --quick).
// Prints one line of JSON on stdout (versions, backend, rows), for peers.py to read.
// The CPU backend runs in JavaScript on one thread: there is no thread setting to vary.

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const RATE = Number(opt("--rate", "0.5"));
// [label, channels_last dims [N, D, H, W, C]]; peers.py passes its own list with --spec.
const SHAPES = JSON.parse(
  opt(
    "--spec",
    JSON.stringify([
      ["1x4x4x4x8 (512 elements)", [1, 4, 4, 4, 8]],
      ["8x16x16x16x32 (4 MiB)", [8, 16, 16, 16, 32]],
      ["4x64x64x64x32 (128 MiB)", [4, 64, 64, 64, 32]],
    ]),
  ),
);

let tf;
try {
  tf = await import("@tensorflow/tfjs");
} catch (e) {
  console.error(
    `@tensorflow/tfjs is not installed next to this script (${e.code ?? e.message}); ` +
      "run `npm ci --prefix benches` (pinned in benches/package.json)",
  );
  process.exit(2);
}

await tf.setBackend("cpu");
await tf.ready();
if (tf.getBackend() !== "cpu") {
  console.error(`expected the cpu backend, got ${tf.getBackend()}`);
  process.exit(1);
}

function bestSeconds(call, dims) {
  const elements = dims.reduce((a, b) => a * b, 1);
  const target = quick ? 0.01 : 0.05;
  const samples = elements >= 1 << 24 ? 3 : quick ? 3 : 7;
  let t0 = performance.now();
  call(); // warm up: first-call allocation and kernel lookup
  let once = (performance.now() - t0) / 1e3;
  if (once < target) {
    t0 = performance.now();
    call();
    once = Math.max((performance.now() - t0) / 1e3, 1e-9);
  }
  const perSample = Math.max(1, Math.min(1 << 20, Math.ceil(target / once)));
  let best = Infinity;
  for (let s = 0; s < samples; s++) {
    t0 = performance.now();
    for (let i = 0; i < perSample; i++) call();
    best = Math.min(best, (performance.now() - t0) / 1e3 / perSample);
  }
  return best;
}

const rows = [];
for (const [label, dims] of SHAPES) {
  const x = tf.randomUniform(dims, 0, 1, "float32");
  const noiseShape = [dims[0], 1, 1, 1, dims[4]];
  const before = tf.memory().numTensors;
  const seconds = bestSeconds(() => tf.dispose(tf.dropout(x, RATE, noiseShape)), dims);
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${leaked} tensors leaked on ${label}`);
  x.dispose();
  rows.push({ shape: label, format: "channels_last", dims, seconds });
}

console.log(
  JSON.stringify({
    impl: `TF.js ${tf.version.tfjs}, CPU backend (Node)`,
    versions: { tfjs: tf.version.tfjs, "tfjs-backend-cpu": tf.version["tfjs-backend-cpu"], node: process.version },
    threads: "1 (JavaScript)",
    rows,
  }),
);
