// `npm run size [-- --check]`: the package's sizes.
//
// 1. The browser download of `import { SpatialDropout3D } from "spatial-dropout"`: the browser
//    entry bundled and minified by esbuild (ESM), plus any file the bundle fetches (none: the
//    .wasm is embedded as base64, see docs/wasm.md), each gzip -9. Issue 14 caps it at 40 KB.
// 2. The .wasm on its own, raw and gzip -9, against docs/semantics.md's targets (≤ 40 KB raw, ≤ 16 KB
//    gzip), which are not met (docs/wasm.md, "Size").
//
// `--check` fails above the ceilings below: the 40 KB cap for the download, and for the .wasm
// regression ceilings 2% over the measured 69 653 raw / 30 280 gzip (issue 13's Keras scheme:
// Philox, `maskWords` and the scheme names; 65 013 / 28 147 before), so growth of a KB fails CI.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const RAW_TARGET = 40_000;
export const GZIP_TARGET = 16_000;
export const RAW_CEILING = 71_000;
export const GZIP_CEILING = 30_900;
export const DOWNLOAD_CEILING = 40_000;

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

export function printSize(path) {
  const bytes = readFileSync(path);
  const raw = bytes.length;
  const gzip = gz(bytes);
  const verdict = (size, target) => (size <= target ? "met" : `NOT met by ${size - target} bytes`);
  console.log(`wasm size: ${raw} bytes raw, ${gzip} bytes gzip -9`);
  console.log(`  semantics.md target ≤ ${RAW_TARGET} raw: ${verdict(raw, RAW_TARGET)}; ≤ ${GZIP_TARGET} gzip: ${verdict(gzip, GZIP_TARGET)}`);
  return { raw, gzip };
}

/** The browser download of `import { SpatialDropout3D }`: esbuild bundle (minified) + fetched files, gzip -9. */
export async function downloadSize(root) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    stdin: {
      contents: `import { SpatialDropout3D, ready } from ${JSON.stringify(join(root, "index.js"))};
        ready.then(() => { globalThis.layer = new SpatialDropout3D({ rate: 0.5 }); });`,
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    // A .wasm the bundle fetches would be emitted as a file and counted.
    loader: { ".wasm": "file" },
    outdir: join(root, "target", "size-bundle"),
    write: false,
    logLevel: "error",
  });
  const files = result.outputFiles.map((f) => ({ path: f.path, raw: f.contents.length, gzip: gz(f.contents) }));
  return { files, gzip: files.reduce((sum, f) => sum + f.gzip, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const { raw, gzip } = printSize(join(root, "pkg", "spatial_dropout_bg.wasm"));
  const download = await downloadSize(root);
  const list = download.files.map((f) => `${f.path.split("/").pop()} ${f.raw} raw / ${f.gzip} gzip`).join(", ");
  console.log(`browser download of import { SpatialDropout3D }: ${download.gzip} bytes gzip -9 (${list}); ceiling ${DOWNLOAD_CEILING}`);
  if (process.argv.includes("--check")) {
    if (raw > RAW_CEILING || gzip > GZIP_CEILING) {
      console.error(`the .wasm grew past its regression ceiling (${RAW_CEILING} raw, ${GZIP_CEILING} gzip)`);
      process.exit(1);
    }
    if (download.gzip > DOWNLOAD_CEILING) {
      console.error(`the browser download grew past ${DOWNLOAD_CEILING} bytes gzip -9`);
      process.exit(1);
    }
  }
}
