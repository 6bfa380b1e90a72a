// spatial-dropout for Node, as an ES module: the API of api.js over pkg/spatial_dropout_bg.wasm,
// read from disk and instantiated synchronously, so the classes work as soon as the import
// resolves. `ready` is exported for code shared with the browser entry (index.js).

import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { initSync } from "./pkg/spatial_dropout.js";
import { _install } from "./api.js";

export { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, WasmBuffer, maskWords, spatialDropout } from "./api.js";

const module = readFileSync(new URL("./pkg/spatial_dropout_bg.wasm", import.meta.url));
// Node 18 has Web Crypto only as a module export, not as a global.
_install(initSync({ module }), typeof globalThis.crypto?.getRandomValues === "function" ? globalThis.crypto : webcrypto);

/** Already resolved: in Node the module is instantiated when the import resolves. */
export const ready = Promise.resolve();
