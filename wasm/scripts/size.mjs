// Prints the size of the package's .wasm, raw and gzipped; `--check` fails past the targets of
// API.md §5 (40 KB raw, 16 KB gzip).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const RAW_LIMIT = 40_000;
export const GZIP_LIMIT = 16_000;

export function printSize(path) {
  const bytes = readFileSync(path);
  const raw = bytes.length;
  const gzip = gzipSync(bytes, { level: 9 }).length;
  console.log(`wasm size: ${raw} bytes raw, ${gzip} bytes gzip -9 (targets: ≤ ${RAW_LIMIT} raw, ≤ ${GZIP_LIMIT} gzip)`);
  return { raw, gzip };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const { raw, gzip } = printSize(join(root, "pkg", "spatial_dropout_bg.wasm"));
  if (process.argv.includes("--check") && (raw > RAW_LIMIT || gzip > GZIP_LIMIT)) {
    console.error("the .wasm is over its size target");
    process.exit(1);
  }
}
