// Benchmark (not a test): training-mode spatial dropout on the same shapes, in one run, by
//   copying    layer.call(x, shape, true)             a new Float32Array each call
//   zero-copy  layer.callInPlace(wasmBuffer, ...)     in place in wasm memory, no copy
//   plain JS   a straightforward loop: Math.random() per map, scale or zero, new array
//   tfjs       tf.dropout(x, rate, noiseShape) on @tensorflow/tfjs's CPU backend
// and prints time per call, throughput and ratios. Run after `npm run build`:
//   node bench.mjs            (about a minute)
//   node bench.mjs --quick    (a smoke run: the first shape only, fewer rounds)
import { SpatialDropout2D, SpatialDropout3D, WasmBuffer } from "spatial-dropout";

const quick = process.argv.includes("--quick");

// tfjs greets Node users (on its first op) with an advert for tfjs-node; the CPU backend is
// what is measured, and this script prints with console.log only.
console.warn = () => {};
const tf = await import("@tensorflow/tfjs");
await tf.setBackend("cpu");
await tf.ready();

const RATE = 0.3;
const SHAPES = [
  { label: "2D channels_last  [8, 16, 16, 32]", rank: 2, format: "channels_last", dims: [8, 16, 16, 32] },
  { label: "2D channels_last  [16, 32, 32, 64]", rank: 2, format: "channels_last", dims: [16, 32, 32, 64] },
  { label: "2D channels_first [16, 64, 32, 32]", rank: 2, format: "channels_first", dims: [16, 64, 32, 32] },
  { label: "3D channels_last  [2, 16, 16, 16, 32]", rank: 3, format: "channels_last", dims: [2, 16, 16, 16, 32] },
  { label: "2D channels_last  [32, 64, 64, 64] (32 MiB)", rank: 2, format: "channels_last", dims: [32, 64, 64, 64] },
];

/** The obvious JavaScript implementation: one Math.random() per map. */
function plainSpatialDropout(x, dims, format, rate) {
  const channels = format === "channels_last" ? dims[dims.length - 1] : dims[1];
  const batch = dims[0];
  const mapLen = x.length / (batch * channels);
  const scale = 1 / (1 - rate);
  const keep = new Float32Array(batch * channels);
  for (let m = 0; m < keep.length; m++) keep[m] = Math.random() >= rate ? scale : 0;
  const y = new Float32Array(x.length);
  if (format === "channels_first") {
    for (let m = 0, i = 0; m < keep.length; m++) {
      const k = keep[m];
      for (let j = 0; j < mapLen; j++, i++) y[i] = x[i] * k;
    }
  } else {
    for (let n = 0, i = 0; n < batch; n++) {
      const base = n * channels;
      for (let j = 0; j < mapLen; j++) {
        for (let c = 0; c < channels; c++, i++) y[i] = x[i] * keep[base + c];
      }
    }
  }
  return y;
}

/** Best time per call (ms) over `rounds` rounds of enough calls to take ~`budgetMs`. */
function time(fn, budgetMs) {
  fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt > budgetMs / 4 || calls > 1 << 20) break;
    calls *= 2;
  }
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    return (performance.now() - t0) / calls;
  };
}

const rounds = quick ? 2 : 7;
const budget = quick ? 20 : 150;
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

console.log(`spatial dropout, training, rate ${RATE}; best of ${rounds} interleaved rounds; Node ${process.versions.node}`);
console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}\n`);
const summary = [];
for (const s of quick ? SHAPES.slice(0, 1) : SHAPES) {
  const n = s.dims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n).map((_, i) => ((i * 7919) % 2003) / 64 - 15);
  const Layer = s.rank === 2 ? SpatialDropout2D : SpatialDropout3D;
  const copying = new Layer({ rate: RATE, dataFormat: s.format, seed: 1 });
  const zeroCopy = new Layer({ rate: RATE, dataFormat: s.format, seed: 2 });
  const buffer = new WasmBuffer(n);
  buffer.view().set(x);
  const xt = tf.tensor(x, s.dims);
  const noiseShape = s.format === "channels_last"
    ? [s.dims[0], ...s.dims.slice(1, -1).map(() => 1), s.dims[s.dims.length - 1]]
    : [s.dims[0], s.dims[1], ...s.dims.slice(2).map(() => 1)];
  const variants = {
    copying: time(() => copying.call(x, s.dims, true), budget),
    "zero-copy": time(() => zeroCopy.callInPlace(buffer, s.dims, true), budget),
    "plain JS": time(() => plainSpatialDropout(x, s.dims, s.format, RATE), budget),
    tfjs: time(() => tf.dropout(xt, RATE, noiseShape).dispose(), budget),
  };
  const best = Object.fromEntries(Object.keys(variants).map((k) => [k, Infinity]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, run] of Object.entries(variants)) best[k] = Math.min(best[k], run());
  }
  const mb = (n * 4) / 1e6;
  console.log(`${s.label}: ${n} floats`);
  for (const [k, ms] of Object.entries(best)) {
    console.log(`  ${k.padEnd(10)} ${fmt(ms).padStart(10)}  ${(mb / ms).toFixed(2).padStart(6)} GB/s  vs plain JS ${ratio(best["plain JS"], ms).padStart(7)}  vs tfjs ${ratio(best.tfjs, ms).padStart(8)}`);
  }
  summary.push([s.label, best]);
  copying.free();
  zeroCopy.free();
  buffer.free();
  xt.dispose();
}

console.log("\nspeed-up (time of the other / time of ours):");
console.log("shape".padEnd(46) + "copying/plainJS  zero-copy/plainJS  copying/tfjs  zero-copy/tfjs");
for (const [label, b] of summary) {
  console.log(
    label.padEnd(46) +
      ratio(b["plain JS"], b.copying).padStart(15) +
      ratio(b["plain JS"], b["zero-copy"]).padStart(19) +
      ratio(b.tfjs, b.copying).padStart(14) +
      ratio(b.tfjs, b["zero-copy"]).padStart(16),
  );
}
