// Prints the size of the package's .wasm, raw and gzipped, against the targets of docs/semantics.md
// (≤ 40 KB raw, ≤ 16 KB gzip). `--check` fails above the regression ceilings below.
//
// The targets are not met (docs/wasm.md, "Size", has the breakdown): of the 54 KB, about
// 18 KB is the core's Keras JSON reader and writer with its exact float code, 6 KB the kernels
// and 19 KB the wasm-bindgen entry points (with the layer calls inlined into them). The
// ceilings sit 1-2% above the measured 54 220 raw / 24 461 gzip, so growth of a KB fails CI.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const RAW_TARGET = 40_000;
export const GZIP_TARGET = 16_000;
export const RAW_CEILING = 55_200;
export const GZIP_CEILING = 24_900;

export function printSize(path) {
  const bytes = readFileSync(path);
  const raw = bytes.length;
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const verdict = (size, target) => (size <= target ? "met" : `NOT met by ${size - target} bytes`);
  console.log(`wasm size: ${raw} bytes raw, ${gzip} bytes gzip -9`);
  console.log(`  API.md target ≤ ${RAW_TARGET} raw: ${verdict(raw, RAW_TARGET)}; ≤ ${GZIP_TARGET} gzip: ${verdict(gzip, GZIP_TARGET)}`);
  return { raw, gzip };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const { raw, gzip } = printSize(join(root, "pkg", "spatial_dropout_bg.wasm"));
  if (process.argv.includes("--check") && (raw > RAW_CEILING || gzip > GZIP_CEILING)) {
    console.error(`the .wasm grew past its regression ceiling (${RAW_CEILING} raw, ${GZIP_CEILING} gzip)`);
    process.exit(1);
  }
}
