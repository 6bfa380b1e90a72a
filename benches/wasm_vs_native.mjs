// The npm package's zero-copy path in Node against the native kernel, on the same shapes.
//
//   node benches/wasm_vs_native.mjs [PACKAGE_DIR] [--quick]
//
// PACKAGE_DIR is a built copy of `wasm/` (default: ../wasm, after `npm run build` there). For
// each shape: `layer.callInPlace(wasmBuffer, shape, true)` (SpatialDropout3D, rate 0.5, a
// WasmBuffer in wasm memory: no copy) and the copying `layer.call(float32Array, shape, true)`
// (copy in, kernel, copy out into a new array), each timed as the best of several batches, next
// to the crate's in-place kernel through `examples/peer_bench.rs --in-place` (release build) on
// the same shape and layout. Prints a Markdown table; "zero-copy / native" is the slowdown of
// wasm, "copying / zero-copy" the cost of the copies.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const pkgDir = resolve(args.find((a) => !a.startsWith("--")) ?? join(root, "wasm"));
// node.js: the Node entry (index.js before issue 14, when one entry served Node and browsers).
const entry = join(pkgDir, existsSync(join(pkgDir, "node.js")) ? "node.js" : "index.js");
const { SpatialDropout3D, WasmBuffer } = await import(pathToFileURL(entry).href);

const RATE = 0.5;
const SHAPES = [
  ["1x4x4x4x8 (512 elements)", [1, 4, 4, 4, 8], "channels_last"],
  ["1x8x4x4x4 (512 elements)", [1, 8, 4, 4, 4], "channels_first"],
  ["8x16x16x16x32 (4 MiB)", [8, 16, 16, 16, 32], "channels_last"],
  ["8x32x16x16x16 (4 MiB)", [8, 32, 16, 16, 16], "channels_first"],
  ["4x64x64x64x32 (128 MiB)", [4, 64, 64, 64, 32], "channels_last"],
  ["4x32x64x64x64 (128 MiB)", [4, 32, 64, 64, 64], "channels_first"],
];

function bestSeconds(fn, elements) {
  const perBatch = Math.max(1, Math.floor((1 << 22) / elements));
  const batches = elements >= 1 << 24 ? 3 : quick ? 5 : 9;
  fn();
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    best = Math.min(best, (performance.now() - t0) / 1e3 / perBatch);
  }
  return best;
}

const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
execFileSync("cargo", ["build", "--quiet", "--release", "--example", "peer_bench"], { cwd: root, stdio: "inherit" });
const native = join(target, "release", "examples", "peer_bench");
if (!existsSync(native)) throw new Error(`no ${native}`);

const fmt = (s) => (s < 1e-6 ? `${(s * 1e9).toFixed(0)} ns` : s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : `${(s * 1e3).toFixed(2)} ms`);
console.log(`package: ${pkgDir}`);
console.log("| shape | layout | wasm zero-copy | wasm copying | native in place | zero-copy / native | copying / zero-copy |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const [label, dims, format] of SHAPES) {
  const n = dims.reduce((a, b) => a * b, 1);
  const layer = new SpatialDropout3D({ rate: RATE, seed: 7, dataFormat: format });
  const buffer = new WasmBuffer(n);
  const view = buffer.view();
  for (let i = 0; i < n; i++) view[i] = 1 + (i % 1000) / 1000;
  const wasm = bestSeconds(() => layer.callInPlace(buffer, dims, true), n);
  const input = buffer.view().slice();
  buffer.free();
  const copying = bestSeconds(() => layer.call(input, dims, true), n);
  layer.free();
  const reps = n >= 1 << 24 ? 3 : Math.max(3, Math.floor((9 << 22) / n));
  const out = execFileSync(native, [format, dims.join(","), "--rate", String(RATE), "--reps", String(reps), "--in-place"], { encoding: "utf8" });
  const nat = JSON.parse(out.trim().split("\n").pop()).ns_per_call * 1e-9;
  console.log(
    `| ${label} | ${format} | ${fmt(wasm)} | ${fmt(copying)} | ${fmt(nat)} | ${(wasm / nat).toFixed(2)} | ${(copying / wasm).toFixed(2)} |`,
  );
}
