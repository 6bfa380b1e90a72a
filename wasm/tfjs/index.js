// spatial-dropout/tfjs: Keras's SpatialDropout1D/2D/3D as TensorFlow.js layers.
//
// TensorFlow.js ships only SpatialDropout1D, so a Keras model with a SpatialDropout2D or
// SpatialDropout3D layer fails to load there ("Unknown layer: SpatialDropout2D"). Importing this
// module registers the three classes with `tf.serialization.registerClass` under Keras's class
// names, so `tf.models.modelFromJSON` and `tf.loadLayersModel` resolve them. It also replaces
// TF.js's own SpatialDropout1D, so that every rank draws its masks the same way.
//
// Masks are Keras's own by default: the k-th training call of a layer with seed s drops the maps
// TensorFlow's Keras drops on call k of `SpatialDropout3D(rate, seed=s)` (eager, or step k of
// `model.fit`), computed by the package's `maskWords` (the Rust crate compiled to wasm) from
// (seed, k). The layer counts its training calls as Keras does (empty tensors included);
// `calls` / `setCalls` read and set that count. `masks: "xorshift"` selects the crate's XorShift
// scheme of version 0.1 instead (a wasm layer's generator). The output is built from TF ops over
// the mask, `where(mask, x * scale, 0)`, under a custom gradient `where(mask, dy * scale, 0)`, so
// dropped maps are exactly +0.0 forward and backward and gradients flow in `model.fit`.

import * as tf from "@tensorflow/tfjs";
// The package by its name, so that its `exports` conditions pick the entry for the environment
// (node.js in Node, index.js in browsers and bundlers). In a page without a bundler, an import
// map names it, as it names @tensorflow/tfjs (README.md).
import {
  SpatialDropout1D as WasmSpatialDropout1D,
  SpatialDropout2D as WasmSpatialDropout2D,
  SpatialDropout3D as WasmSpatialDropout3D,
  maskWords,
} from "spatial-dropout";

/** Resolves once the WebAssembly module is loaded (at once in Node); await it before building layers in a browser. */
export { ready } from "spatial-dropout";
import { checkCall, checkMasks, checkRate, describe } from "../checks.js";

const WASM_LAYERS = { 1: WasmSpatialDropout1D, 2: WasmSpatialDropout2D, 3: WasmSpatialDropout3D };

// TF.js spells data formats in camelCase inside configs and converts them to Keras's snake_case
// when a model is serialized (and back when it is loaded).
const TFJS_FORMATS = { channels_first: "channelsFirst", channels_last: "channelsLast" };


/**
 * TF.js's camelCase spelling (channelsFirst / channelsLast) in Keras's; any other string goes to
 * the wasm layer as it is, whose Rust core checks it (and refuses channels_first for 1D).
 */
function readFormat(format) {
  if (format === undefined || format === null) return "channels_last";
  if (typeof format !== "string") {
    throw new TypeError(`\`dataFormat\` must be "channels_first" or "channels_last", got ${describe(format)}`);
  }
  return format === "channelsFirst" ? "channels_first" : format === "channelsLast" ? "channels_last" : format;
}

/**
 * The seed for the wasm layer. TF.js carries configs as JSON numbers, so a seed must be a safe
 * integer (a bigint is accepted up to the same bound); larger seeds in a model JSON were already
 * rounded by JSON.parse and would silently change the masks.
 */
function readSeed(seed) {
  if (seed === undefined || seed === null) return null;
  if (typeof seed === "bigint" && seed >= 0n && seed <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(seed);
  if (typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0) return seed;
  if (typeof seed === "number" || typeof seed === "bigint") {
    throw new RangeError(
      `\`seed\` must be an integer in [0, 2^53 - 1] in TensorFlow.js (its model JSON holds seeds as JavaScript numbers, ` +
        `so a larger Keras seed has already lost digits), got ${seed}`,
    );
  }
  throw new TypeError(`\`seed\` must be a non-negative integer or null, got ${describe(seed)}`);
}


/** TF.js's camelCase keys (`className`) as Keras's (`class_name`), for the core's reader. */
function kerasKeys(value) {
  if (Array.isArray(value)) return value.map(kerasKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), kerasKeys(v)]),
  );
}

/**
 * The layer's `dtype`, checked by the Rust core's config reader (the one place the rule lives:
 * "float32", or a float32 DTypePolicy / Policy object, as tf-keras writes both). Throws the
 * core's error otherwise.
 */
function checkDtype(dtype, rank) {
  if (dtype === undefined || dtype === null) return;
  WASM_LAYERS[rank].fromConfig({ rate: 0, dtype: kerasKeys(dtype) }).free();
}

/** A random seed for a seedless layer with a Keras scheme (Keras too seeds those at random). */
function randomSeed() {
  const words = new Uint32Array(2);
  if (typeof globalThis.crypto?.getRandomValues === "function") {
    globalThis.crypto.getRandomValues(words);
  } else {
    // Node 18 has Web Crypto only as a module export; a seedless layer needs no more than this.
    for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
  }
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

const U64 = (1n << 64n) - 1n;

function layoutOf(rank, format) {
  const spatial = rank === 1 ? "steps" : rank === 2 ? "rows, cols" : "dim1, dim2, dim3";
  return format === "channels_first" ? `[batch, channels, ${spatial}]` : `[batch, ${spatial}, channels]`;
}

class SpatialDropoutLayer extends tf.layers.Layer {
  #rank;
  #rate;
  #format;
  #seed;
  #masks;
  // Keras schemes: the seed of the masks (the config seed, or a random one) and the call number.
  #maskSeed;
  #calls = 0n;
  // "xorshift": the wasm layer whose generator draws the masks (and counts the calls).
  #wasm;

  constructor(rank, args = {}) {
    if (args === null || typeof args !== "object") {
      throw new TypeError(`SpatialDropout${rank}D takes an options object such as { rate: 0.5 }, got ${describe(args)}`);
    }
    const rate = checkRate(args.rate);
    const format = readFormat(args.dataFormat);
    const seed = readSeed(args.seed);
    const masks = checkMasks(args.masks ?? undefined);
    checkDtype(args.dtype, rank);
    // The wasm layer checks every value (rate, data format, scheme name: the core's messages and
    // error classes); it is kept only for "xorshift", whose masks come from its generator.
    const options = { rate, dataFormat: format, masks };
    if (seed !== null) options.seed = seed;
    const wasm = new WASM_LAYERS[rank](options);
    const { masks: _, ...rest } = args;
    super({ ...rest, dtype: args.dtype === undefined || args.dtype === null ? args.dtype : "float32" });
    this.#rank = rank;
    this.#rate = rate;
    this.#format = wasm.dataFormat;
    this.#seed = seed;
    this.inputSpec = [{ ndim: rank + 2 }];
    this.supportsMasking = true;
    this.#masks = wasm.masks;
    if (this.#masks === "xorshift") {
      // No seed: the wasm layer seeded itself from crypto randomness.
      this.#wasm = wasm;
    } else {
      wasm.free();
      this.#maskSeed = seed !== null ? BigInt(seed) : randomSeed();
    }
  }

  /** The mask scheme: "keras" (the default), "keras-xla", "keras-3.4", "keras-3.4-xla" or "xorshift". */
  get masks() {
    return this.#masks;
  }

  /**
   * The call number, a bigint: training calls so far that drew (0 < rate < 1; empty tensors
   * count, as in Keras). With a Keras scheme the next training call drops Keras's maps of call
   * `calls` (in `model.fit`, the step).
   */
  get calls() {
    return this.#wasm !== undefined ? this.#wasm.calls : this.#calls;
  }

  /** Sets the call number: the next training call draws Keras's mask of call `k`. */
  setCalls(k) {
    if (this.#wasm !== undefined) this.#wasm.setCalls(k);
    else this.#calls = checkCall(k, "`setCalls(k)`: `k`");
  }

  /** The dropout rate. */
  get rate() {
    return this.#rate;
  }

  /** "channels_first" or "channels_last" (Keras's spelling). */
  get dataFormat() {
    return this.#format;
  }

  /** The config seed, or null when the layer seeds itself from crypto randomness. */
  get seed() {
    return this.#seed;
  }

  computeOutputShape(inputShape) {
    const shape = Array.isArray(inputShape) && Array.isArray(inputShape[0]) && inputShape.length === 1 ? inputShape[0] : inputShape;
    if (!Array.isArray(shape) || shape.length !== this.#rank + 2) {
      throw new Error(
        `SpatialDropout${this.#rank}D takes inputs of rank ${this.#rank + 2} ${layoutOf(this.#rank, this.#format)}, ` +
          `got shape ${JSON.stringify(shape)}`,
      );
    }
    return shape.slice();
  }

  /**
   * The keep mask of the next training call for an input of this shape, as a bool tensor of
   * shape [batch, 1…, channels] (or [batch, channels, 1…]) that broadcasts over the input; and
   * advances the call number. Keras schemes: Keras's mask of (seed, call number) over the
   * batch × channels maps, in map order (n · channels + c).
   */
  #drawMask(shape) {
    const first = this.#format === "channels_first";
    const batch = shape[0];
    const channels = first ? shape[1] : shape[shape.length - 1];
    const maskShape = new Array(shape.length).fill(1);
    maskShape[0] = batch;
    maskShape[first ? 1 : shape.length - 1] = channels;
    const maps = batch * channels;
    const keep = new Uint8Array(maps);
    if (this.#wasm !== undefined) {
      // The wasm layer on ones: every kept map comes back as the scale, every dropped one as +0.
      const pattern = this.#wasm.call(new Float32Array(maps).fill(1), maskShape, true);
      for (let m = 0; m < maps; m++) keep[m] = pattern[m] !== 0 ? 1 : 0;
    } else {
      const k = this.#calls;
      const words = maskWords({ maps, rate: this.#rate, seed: this.#maskSeed, call: k, masks: this.#masks });
      this.#calls = (k + 1n) & U64;
      for (let m = 0; m < maps; m++) keep[m] = (words[m >>> 5] >>> (m & 31)) & 1;
    }
    return tf.tensor(keep, maskShape, "bool");
  }

  /** A training call on a tensor without elements: nothing to draw, but it counts (as in Keras). */
  #countEmpty(shape) {
    if (this.#wasm !== undefined) this.#wasm.call(new Float32Array(0), shape, true);
    else this.#calls = (this.#calls + 1n) & U64;
  }

  call(inputs, kwargs = {}) {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (Array.isArray(inputs) && inputs.length !== 1) {
        throw new Error(`SpatialDropout${this.#rank}D takes one input tensor, got ${inputs.length}`);
      }
      if (x.rank !== this.#rank + 2) {
        throw new Error(
          `SpatialDropout${this.#rank}D takes inputs of rank ${this.#rank + 2} ${layoutOf(this.#rank, this.#format)}, ` +
            `got shape [${x.shape.join(", ")}]`,
        );
      }
      if (x.dtype !== "float32") {
        throw new TypeError(`SpatialDropout${this.#rank}D takes float32 inputs, got ${x.dtype}`);
      }
      const training = kwargs.training === undefined || kwargs.training === null ? false : kwargs.training;
      if (typeof training !== "boolean") {
        throw new TypeError(`\`training\` must be true or false, got ${describe(training)}`);
      }
      // Inference and rate 0: the identity, no draws.
      if (!training || this.#rate === 0) return x.clone();
      // Rate 1: every value +0.0, no draws; the gradient is +0.0 as well.
      if (this.#rate === 1) return tf.customGrad((v) => ({ value: tf.zerosLike(v), gradFunc: (dy) => tf.zerosLike(dy) }))(x);
      if (x.size === 0) {
        this.#countEmpty(x.shape);
        return x.clone();
      }
      const mask = this.#drawMask(x.shape);
      // (1 / (1 - rate)) in f64, rounded once to f32: the crate's scale, TF's cast(1 / (1 - rate)).
      const scale = tf.scalar(Math.fround(1 / (1 - this.#rate)), "float32");
      const apply = (v, keep, s) => tf.where(keep, tf.mul(v, s), tf.zerosLike(v));
      // The backward pass replays the same mask: `save` keeps mask and scale alive on the tape
      // after this tidy scope ends.
      return tf.customGrad((v, save) => {
        save([mask, scale]);
        return { value: apply(v, mask, scale), gradFunc: (dy, [keep, s]) => apply(dy, keep, s) };
      })(x);
    });
  }

  getConfig() {
    const base = super.getConfig();
    const config = {
      name: base.name,
      trainable: base.trainable,
      dtype: base.dtype ?? "float32",
      ...base,
      rate: this.#rate,
      noiseShape: null,
      seed: this.#seed,
    };
    if (this.#rank !== 1) config.dataFormat = TFJS_FORMATS[this.#format];
    // Keras's configs have no `masks`: written only for another scheme than Keras's own, so a
    // default layer's config stays one Keras reads.
    if (this.#masks !== "keras") config.masks = this.#masks;
    return config;
  }

  dispose() {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) this.#wasm?.free();
    return result;
  }
}

/** Keras's SpatialDropout1D: inputs [batch, steps, channels]. */
export class SpatialDropout1D extends SpatialDropoutLayer {
  static className = "SpatialDropout1D";
  constructor(args) {
    super(1, args);
  }
}

/** Keras's SpatialDropout2D: inputs [batch, rows, cols, channels] or [batch, channels, rows, cols]. */
export class SpatialDropout2D extends SpatialDropoutLayer {
  static className = "SpatialDropout2D";
  constructor(args) {
    super(2, args);
  }
}

/** Keras's SpatialDropout3D: inputs [batch, d1, d2, d3, channels] or [batch, channels, d1, d2, d3]. */
export class SpatialDropout3D extends SpatialDropoutLayer {
  static className = "SpatialDropout3D";
  constructor(args) {
    super(3, args);
  }
}

tf.serialization.registerClass(SpatialDropout1D);
tf.serialization.registerClass(SpatialDropout2D);
tf.serialization.registerClass(SpatialDropout3D);

/** Factory functions in the style of `tf.layers.*`. */
export function spatialDropout1d(args) {
  return new SpatialDropout1D(args);
}
export function spatialDropout2d(args) {
  return new SpatialDropout2D(args);
}
export function spatialDropout3d(args) {
  return new SpatialDropout3D(args);
}
