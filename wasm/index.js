// spatial-dropout for browsers and bundlers: the API of api.js over the .wasm, whose bytes are
// embedded in pkg/spatial_dropout_bg.wasm.js (gzipped, as base64), so that every bundler
// (webpack, Vite, Rollup, esbuild, ...) and a page without one load it with no plugin, no asset
// rule and no server MIME type. docs/wasm.md ("Loading the .wasm") has the measurements behind
// this choice.
//
// Browsers compile modules over 4 KB only asynchronously on the main thread, and top-level
// await fails in esbuild's default (IIFE) output and in Vite 5's default build target, so the
// module loads in the background: `await ready` before the first call. It is decompressed
// (DecompressionStream) and compiled as one stream (instantiateStreaming). Both, like wasm SIMD,
// which the module uses, are in Chrome 91, Firefox 113, Safari 16.4 and Node 18.

import init from "./pkg/spatial_dropout.js";
import base64 from "./pkg/spatial_dropout_bg.wasm.js";
import { _install } from "./api.js";

export { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, WasmBuffer, maskWords, spatialDropout } from "./api.js";

function gunzip(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream, { headers: { "content-type": "application/wasm" } });
}

/**
 * Resolves once the WebAssembly module is instantiated; the classes work from then on. Rejects
 * (rather than failing the import) where the browser lacks what the module needs.
 */
export const ready = Promise.resolve()
  .then(() => init({ module_or_path: gunzip(base64) }))
  .then(
    (exports) => {
      _install(exports, globalThis.crypto);
    },
    (e) => {
      throw new Error(
        `spatial-dropout: the WebAssembly module did not load (it needs wasm SIMD and DecompressionStream: Chrome 91, Firefox 113, Safari 16.4 or later): ${e?.message ?? e}`,
        { cause: e },
      );
    },
  );
