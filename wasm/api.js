// spatial-dropout: Keras-exact SpatialDropout1D/2D/3D, as WebAssembly. The API, shared by every
// entry of the package.
//
// The entries (index.js for browsers and bundlers, node.js and pkg/node.cjs for Node) differ only
// in how they load the .wasm; each hands the instance to `_install` and exports these classes.
// JavaScript checks only what Rust cannot see: the JavaScript types of the arguments, and that
// numbers fit the wasm integer types (wasm-bindgen would silently wrap a negative or too large
// dim, length, seed or call number). Every value rule (rate, data format, rank, dims against
// lengths, scheme names, configs) is the Rust core's, with its message: `rust` below turns a
// Rust error into the JavaScript class of docs/wasm.md's table, the same at every entry point.

import {
  Buffer as RawBuffer,
  Layer,
  maskWords as rawMaskWords,
  spatialDropout as rawSpatialDropout,
} from "./pkg/spatial_dropout.js";
import { checkCall, checkMasks, checkRate, describe } from "./checks.js";

/** The instance's exports (its memory), set by the entry once the module is instantiated. */
let wasm;
/** Web Crypto, for the seeds of seedless layers. */
let cryptoApi;

/** Called once by the entry: the wasm-bindgen init result and a Web Crypto object. */
export function _install(exports, crypto) {
  wasm = exports;
  cryptoApi = crypto;
}

/** Throws unless the entry has instantiated the module (the browser entry does it async). */
function loaded() {
  if (wasm === undefined) {
    throw new Error(
      "spatial-dropout: the WebAssembly module is still loading; `await ready` (exported by the package) before the first call",
    );
  }
}

const TWO_POW_64 = 1n << 64n;

// ---------------------------------------------------------------------------------------------
// Rust's errors. The wasm side throws an `Error` whose message is the Rust variant's
// `Error::code()`, a colon and Rust's message (`into_error` in src/lib.rs). Codes of a value
// outside what its argument may be give a RangeError; codes of arguments that disagree with each
// other, with the layer or with its last call, and of configs, give an Error (docs/wasm.md).

/** Rust's codes that become a RangeError: rate, data format, shape overflow, name length, scheme name, xorshift in maskWords, buffer length, rank. */
const RANGE_CODES = [1, 2, 4, 7, 18, 19, 101, 103];

/** Runs a wasm call; a Rust error is rethrown as its JavaScript class with Rust's message. */
function rust(f) {
  try {
    return f();
  } catch (e) {
    const code = /^(\d+):/.exec(e?.message);
    if (code === null) throw e;
    throw new (RANGE_CODES.includes(+code[1]) ? RangeError : Error)(e.message.slice(code[0].length));
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks: a TypeError for a wrong JavaScript type, a RangeError for a number that does
// not fit its wasm integer type.


function isFloat32Array(value) {
  // Also true for arrays from another realm (an iframe, a vm context).
  return ArrayBuffer.isView(value) && value[Symbol.toStringTag] === "Float32Array";
}

function checkFloat32Array(value, what) {
  if (!isFloat32Array(value)) {
    throw new TypeError(`${what} must be a Float32Array, got ${describe(value)}`);
  }
  if (wasm !== undefined) checkNotDetached(value, what);
}

function checkOptions(options, allowed, what) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${what} takes an options object such as { rate: 0.5 }, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${what}: unknown option \`${key}\` (allowed: ${allowed.join(", ")})`);
    }
  }
}


/** A data format string for Rust to read (undefined: channels_last). */
function checkFormat(format) {
  if (format === undefined) return "channels_last";
  if (typeof format !== "string") {
    throw new TypeError(`\`dataFormat\` must be "channels_first" or "channels_last", got ${describe(format)}`);
  }
  return format;
}

/** The seed as the bigint the wasm side takes (any u64), or undefined for none. */
function checkSeed(seed) {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(
        `\`seed\` must be a non-negative integer no larger than Number.MAX_SAFE_INTEGER (use a bigint for larger seeds, up to 2^64 - 1), got ${seed}`,
      );
    }
    return BigInt(seed);
  }
  if (typeof seed === "bigint") {
    if (seed < 0n || seed >= TWO_POW_64) {
      throw new RangeError(`\`seed\` must be in [0, 2^64 - 1] as a bigint, got ${seed}n`);
    }
    return seed;
  }
  throw new TypeError(`\`seed\` must be a non-negative integer number or bigint, got ${describe(seed)}`);
}

function checkTraining(training) {
  if (training === undefined) return false;
  if (typeof training !== "boolean") {
    throw new TypeError(`\`training\` must be true or false, got ${describe(training)}`);
  }
  return training;
}

function checkName(name) {
  if (name === undefined) return undefined;
  if (typeof name !== "string") throw new TypeError(`\`name\` must be a string, got ${describe(name)}`);
  return name;
}

/** The dims arrays `checkShape` hands to the wasm calls, by length (3, 4 or 5). */
const DIMS = [];

/**
 * `shape` as the u32 dims the wasm side takes. Their number and their product against the data
 * length are Rust's to check.
 */
function checkShape(shape) {
  if (!Array.isArray(shape) && !(ArrayBuffer.isView(shape) && !(shape instanceof DataView))) {
    throw new TypeError(`\`shape\` must be an array of dims, got ${describe(shape)}`);
  }
  const n = shape.length;
  // One array per length, reused: the glue copies it into wasm memory within the same call.
  const dims = (DIMS[n] ??= new Uint32Array(n));
  for (let i = 0; i < n; i++) {
    const d = shape[i];
    if (typeof d !== "number") {
      throw new TypeError(`shape[${i}] must be a number, got ${describe(d)}`);
    }
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`shape[${i}] must be a non-negative integer, got ${describe(d)}`);
    }
    if (d > 0xffff_ffff) {
      throw new RangeError(`shape[${i}] = ${d} is larger than wasm32 can address (2^32 - 1)`);
    }
    dims[i] = d;
  }
  return dims;
}

function randomSeed() {
  const words = cryptoApi.getRandomValues(new Uint32Array(2));
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

// ---------------------------------------------------------------------------------------------
// wasm memory: buffers and views.

/** Every ArrayBuffer that was wasm memory: memory growth detaches them (byteLength 0). */
const memoryBuffers = new WeakSet();

function viewOf(raw, length) {
  memoryBuffers.add(wasm.memory.buffer);
  return new Float32Array(wasm.memory.buffer, raw.ptr, length);
}

/** A view of wasm memory that memory growth has detached since it was taken. */
function isDetachedView(array) {
  return memoryBuffers.has(array.buffer) && array.buffer !== wasm.memory.buffer && array.buffer.byteLength === 0;
}

function checkNotDetached(array, what) {
  if (isDetachedView(array)) {
    throw new TypeError(
      `${what} is a view of wasm memory that was detached when the memory grew: take \`buffer.view()\` again after every call into the package`,
    );
  }
}

/** Scratch buffers for the copying API, reused while the length stays the same. */
const scratch = [null, null];
function scratchBuffer(slot, length) {
  let raw = scratch[slot];
  if (raw === null || raw.len !== length) {
    raw?.free();
    scratch[slot] = null;
    raw = rust(() => new RawBuffer(length));
    scratch[slot] = raw;
  }
  return raw;
}

/** Copies `array` into wasm memory, runs `f(input, output)`, returns a copy of the output. */
function copying(array, f) {
  // A view over wasm memory (a WasmBuffer's) would be detached if the allocations below grow
  // memory: take its values first.
  if (array.buffer === wasm.memory.buffer) array = array.slice();
  const input = scratchBuffer(0, array.length);
  const output = scratchBuffer(1, array.length);
  // Views after both allocations: an allocation may grow (and so detach) wasm memory.
  viewOf(input, array.length).set(array);
  f(input, output);
  return viewOf(output, array.length).slice();
}

/**
 * Copies `array` into wasm memory, runs `f(data)` on it in place, returns a copy of the result:
 * one scratch buffer instead of an input and an output, so one 4 MiB pass less than `copying`
 * (the layer's `call` and `call_in_place` give the same bits; the suite checks both).
 */
function copyingInPlace(array, f) {
  if (array.buffer === wasm.memory.buffer) array = array.slice();
  const data = scratchBuffer(0, array.length);
  viewOf(data, array.length).set(array);
  f(data);
  return viewOf(data, array.length).slice();
}

const buffers = new WeakMap();

/**
 * Floats in wasm memory: the zero-copy path for large tensors. Fill `view()`, pass the buffer
 * to `callInPlace`, read `view()` back.
 *
 * A view is a window on wasm memory, and wasm memory is replaced when it grows: any call into
 * this package may grow it (creating a layer or buffer, the copying methods, configs). After such
 * a call an old view is detached (length 0), so take `view()` again after every call; it is
 * cheap and returns the same object while memory has not grown.
 */
export class WasmBuffer {
  #raw;
  #view = null;

  /** @param {number} length floats, zeroed */
  constructor(length) {
    if (typeof length !== "number") {
      throw new TypeError(`WasmBuffer length must be a number of floats, got ${describe(length)}`);
    }
    // The limit (a wasm32 allocation is under 2 GiB) is Rust's; this is the u32 it crosses as.
    if (!Number.isInteger(length) || length < 0 || length > 0xffff_ffff) {
      throw new RangeError(`WasmBuffer length must be an integer in [0, 2^32 - 1], got ${describe(length)}`);
    }
    loaded();
    this.#raw = rust(() => new RawBuffer(length));
    buffers.set(this, this.#raw);
  }

  /** Number of floats. */
  get length() {
    return this.#live().len;
  }

  /** A Float32Array over the buffer's floats in wasm memory. */
  view() {
    const raw = this.#live();
    if (this.#view === null || this.#view.buffer !== wasm.memory.buffer) {
      this.#view = viewOf(raw, raw.len);
    }
    return this.#view;
  }

  /** Releases the wasm memory now rather than when the buffer is garbage-collected. */
  free() {
    if (this.#raw !== undefined) {
      buffers.delete(this);
      this.#raw.free();
      this.#raw = undefined;
      this.#view = null;
    }
  }

  #live() {
    if (this.#raw === undefined) throw new Error("this WasmBuffer was freed");
    return this.#raw;
  }
}

// ---------------------------------------------------------------------------------------------
// Layers.

const LAYER_OPTIONS = ["rate", "dataFormat", "seed", "name", "masks"];
const BIGINT_MARK = "\u0000bigint:";

const TFJS_FORMATS = { channelsFirst: "channels_first", channelsLast: "channels_last" };

/**
 * TF.js's spelling of a config (a TF.js layer's `getConfig()`, which the package's own
 * `spatial-dropout/tfjs` layers return) in Keras's: `dataFormat: "channelsFirst"` becomes
 * `data_format: "channels_first"`. The core reads Keras's keys and ignores others, so without
 * this a channels_first TF.js config would silently give a channels_last layer. A config that
 * holds both keys with different layouts is refused.
 */
function kerasSpelling(config, what) {
  let out = config;
  for (const nested of [false, true]) {
    const holder = nested ? out.config : out;
    if (holder === null || typeof holder !== "object" || !Object.prototype.hasOwnProperty.call(holder, "dataFormat")) continue;
    const { dataFormat, ...rest } = holder;
    const format = typeof dataFormat === "string" ? (TFJS_FORMATS[dataFormat] ?? dataFormat) : dataFormat;
    if (Object.prototype.hasOwnProperty.call(holder, "data_format") && holder.data_format !== format) {
      throw new Error(
        `${what}: the config has both data_format ${JSON.stringify(holder.data_format)} and TF.js's dataFormat ${JSON.stringify(dataFormat)}`,
      );
    }
    const keras = { ...rest, data_format: format };
    out = nested ? { ...out, config: keras } : keras;
  }
  return out;
}

function configText(config, what) {
  if (typeof config === "string") {
    // Keras JSON never holds `dataFormat`: only TF.js's spelling needs parsing here.
    if (!/"dataFormat"\s*:/.test(config)) return config;
    try {
      config = JSON.parse(config);
    } catch {
      return config;
    }
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(`${what} takes a config object or its JSON text, got ${describe(config)}`);
  }
  config = kerasSpelling(config, what);
  for (const holder of [config, config.config]) {
    const seed = holder?.seed;
    if (typeof seed === "number" && !(Number.isSafeInteger(seed) && seed >= 0)) {
      throw new RangeError(
        `${what}: config seed ${seed} is not a non-negative safe integer; pass seeds above 2^53 - 1 as bigint or pass the JSON text`,
      );
    }
  }
  // JSON with bigints written as exact integers.
  return JSON.stringify(config, (_, v) => (typeof v === "bigint" ? BIGINT_MARK + v : v)).replace(
    /"\\u0000bigint:(\d+)"/g,
    "$1",
  );
}

/** A wasm layer for the constructor to adopt instead of building one (set by fromConfig). */
let adopt;

function adopting(layer, make) {
  adopt = layer;
  try {
    return make();
  } finally {
    adopt = undefined;
  }
}

class SpatialDropoutBase {
  #layer;
  #rank;

  constructor(rank, options) {
    this.#rank = rank;
    if (adopt !== undefined) {
      this.#layer = adopt;
      adopt = undefined;
      return;
    }
    const what = `new SpatialDropout${rank}D`;
    checkOptions(options, LAYER_OPTIONS, what);
    loaded();
    const rate = checkRate(options.rate);
    const format = checkFormat(options.dataFormat);
    const seed = checkSeed(options.seed);
    const name = checkName(options.name);
    const masks = checkMasks(options.masks);
    this.#layer = rust(() => new Layer(rank, rate, format, seed, name, masks));
    if (seed === undefined) this.#layer.reseed(randomSeed());
  }

  /**
   * Keras's `call(inputs, training)`: a new array. `training` defaults to false (a copy).
   * Each training call draws the next mask of the layer's generator.
   */
  call(inputs, shape, training) {
    const layer = this.#live();
    checkFloat32Array(inputs, "`inputs`");
    const dims = checkShape(shape);
    const t = checkTraining(training);
    return copyingInPlace(inputs, (data) => rust(() => layer.callInPlace(data, dims, t)));
  }

  /** `call` writing into `data`: a Float32Array or, without any copy, a WasmBuffer. */
  callInPlace(data, shape, training) {
    const layer = this.#live();
    const raw = data instanceof WasmBuffer ? buffers.get(data) : undefined;
    if (data instanceof WasmBuffer && raw === undefined) throw new Error("this WasmBuffer was freed");
    if (raw === undefined) {
      checkFloat32Array(data, "`data`");
      if (data.buffer === wasm.memory.buffer) {
        throw new TypeError("`data` is a view of a WasmBuffer: pass the WasmBuffer itself to work in place");
      }
    }
    const length = raw === undefined ? data.length : raw.len;
    const dims = checkShape(shape);
    const t = checkTraining(training);
    if (raw !== undefined) {
      rust(() => layer.callInPlace(raw, dims, t));
      return;
    }
    const buffer = scratchBuffer(0, length);
    const view = viewOf(buffer, length);
    view.set(data);
    rust(() => layer.callInPlace(buffer, dims, t));
    data.set(viewOf(buffer, length));
  }

  /** The gradient of the last forward call: `gradOutputs` × scale on its kept maps, 0 elsewhere. */
  backward(gradOutputs, shape) {
    const layer = this.#live();
    checkFloat32Array(gradOutputs, "`gradOutputs`");
    const dims = checkShape(shape);
    return copying(gradOutputs, (input, output) => rust(() => layer.backward(input, output, dims)));
  }

  /** Keras's `get_config()`: rate, seed, name, dtype and (2D/3D) data_format. */
  getConfig() {
    const config = JSON.parse(this.getConfigJSON());
    // JSON.parse rounds integers above 2^53; the layer knows the exact seed.
    config.seed = this.seed;
    return config;
  }

  /** The config as Keras writes it, byte for byte. */
  getConfigJSON() {
    const layer = this.#live();
    return rust(() => layer.configJson());
  }

  /** The dropout rate. */
  get rate() {
    return this.#live().rate;
  }

  /** "channels_first" or "channels_last". */
  get dataFormat() {
    return this.#live().dataFormat;
  }

  /** The config seed: a number when it is a safe integer, else a bigint; null for none. */
  get seed() {
    const seed = this.#live().seed;
    if (seed === undefined) return null;
    return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed;
  }

  /** The layer name. */
  get name() {
    return this.#live().name;
  }

  /** The mask scheme: "keras" (the default), "keras-xla", "keras-3.4", "keras-3.4-xla" or "xorshift". */
  get masks() {
    return this.#live().masks;
  }

  /**
   * The call number, a bigint: the drawing calls so far (training calls with 0 < rate < 1, an
   * empty tensor's included), Keras's `seed_generator.state[1]`; in `model.fit`, the step.
   */
  get calls() {
    return this.#live().calls;
  }

  /**
   * Sets the call number: the next drawing call draws Keras's mask of call `k` (resume a run
   * at step k). With "xorshift" it only sets the count; the generator goes on where it was.
   */
  setCalls(k) {
    const layer = this.#live();
    layer.setCalls(checkCall(k, "`setCalls(k)`: `k`"));
  }

  /** Releases the layer's wasm memory now rather than when it is garbage-collected. */
  free() {
    this.#layer?.free();
    this.#layer = undefined;
  }

  #live() {
    if (this.#layer === undefined) throw new Error(`this SpatialDropout${this.#rank}D was freed`);
    return this.#layer;
  }

  static _fromConfig(rank, config) {
    loaded();
    const text = configText(config, `SpatialDropout${rank}D.fromConfig`);
    const layer = rust(() => Layer.fromConfig(rank, text));
    if (layer.seed === undefined) layer.reseed(randomSeed());
    return layer;
  }
}

/** Keras's `SpatialDropout1D`: inputs [batch, steps, channels]. */
export class SpatialDropout1D extends SpatialDropoutBase {
  constructor(options) {
    super(1, options);
  }

  /** A layer from a Keras config: an object or JSON text, any form Keras writes. */
  static fromConfig(config) {
    return adopting(SpatialDropoutBase._fromConfig(1, config), () => new SpatialDropout1D());
  }
}

/** Keras's `SpatialDropout2D`: inputs [batch, rows, cols, channels] (or channels first). */
export class SpatialDropout2D extends SpatialDropoutBase {
  constructor(options) {
    super(2, options);
  }

  /** A layer from a Keras config: an object or JSON text, any form Keras writes. */
  static fromConfig(config) {
    return adopting(SpatialDropoutBase._fromConfig(2, config), () => new SpatialDropout2D());
  }
}

/** Keras's `SpatialDropout3D`: inputs [batch, d1, d2, d3, channels] (or channels first). */
export class SpatialDropout3D extends SpatialDropoutBase {
  constructor(options) {
    super(3, options);
  }

  /** A layer from a Keras config: an object or JSON text, any form Keras writes. */
  static fromConfig(config) {
    return adopting(SpatialDropoutBase._fromConfig(3, config), () => new SpatialDropout3D());
  }
}

const OP_OPTIONS = ["rate", "dataFormat", "seed", "training", "masks"];

/**
 * The stateless op: spatial dropout of `inputs` with one mask, the spatial rank taken from
 * `shape.length` (3, 4 or 5 dims). `training` defaults to false (a copy); without a seed the
 * mask comes from crypto randomness.
 */
export function spatialDropout(inputs, shape, options) {
  checkOptions(options, OP_OPTIONS, "spatialDropout");
  loaded();
  checkFloat32Array(inputs, "`inputs`");
  const rate = checkRate(options.rate);
  const format = checkFormat(options.dataFormat);
  const seed = checkSeed(options.seed) ?? randomSeed();
  const training = checkTraining(options.training);
  const masks = checkMasks(options.masks);
  const dims = checkShape(shape);
  return copying(inputs, (input, output) =>
    rust(() => rawSpatialDropout(input, output, dims, rate, format, seed, training, masks)),
  );
}

const MASK_WORDS_OPTIONS = ["maps", "rate", "seed", "call", "masks"];

/**
 * Keras's keep mask of call `call` of a layer with seed `seed` over `maps` maps (map m = sample ×
 * channels + channel), without a tensor: bit m % 32 of word m / 32 set = map m kept (the bits
 * past `maps` are 0). Keras schemes only ("xorshift" masks are no function of (seed, call)).
 */
export function maskWords(options) {
  checkOptions(options, MASK_WORDS_OPTIONS, "maskWords");
  loaded();
  const { maps } = options;
  if (typeof maps !== "number") throw new TypeError(`\`maps\` must be a number, got ${describe(maps)}`);
  if (!Number.isInteger(maps) || maps < 0 || maps > 0xffff_ffff) {
    throw new RangeError(`\`maps\` must be an integer in [0, 2^32 - 1], got ${describe(maps)}`);
  }
  const rate = checkRate(options.rate);
  const seed = checkSeed(options.seed);
  if (seed === undefined) throw new TypeError("maskWords needs a `seed`: Keras's masks are a function of (seed, call)");
  const call = options.call === undefined ? 0n : checkCall(options.call, "`call`");
  const masks = checkMasks(options.masks);
  return rust(() => rawMaskWords(masks, seed, call, maps, rate));
}
