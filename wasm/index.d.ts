// Types of the `spatial-dropout` package: every entry (index.js for browsers and bundlers,
// node.js and pkg/node.cjs for Node) exports this API. The build copies this file to
// pkg/index.d.cts for TypeScript's CommonJS resolution.

/**
 * Resolves once the WebAssembly module is instantiated. In Node it already has (the entry
 * loads the module synchronously); in browsers and bundles, await it before the first call.
 */
export const ready: Promise<void>;

/** Keras's `data_format`: where the channel axis sits in memory. */
export type DataFormat = "channels_first" | "channels_last";

/** A seed: a non-negative safe integer, or a bigint in [0, 2^64). */
export type Seed = number | bigint;

/**
 * Where masks come from. "keras" (the default): TensorFlow's Keras ≥ 3.5 masks, the same maps
 * Keras drops for the same seed and call number; "keras-xla": the same under `jit_compile=True`;
 * "keras-3.4" / "keras-3.4-xla": Keras ≤ 3.4's seed handling; "xorshift": the XorShift scheme of
 * version 0.1 (a generator owned by the layer; not Keras's masks).
 */
export type Masks = "keras" | "keras-xla" | "keras-3.4" | "keras-3.4-xla" | "xorshift";

/** The Keras schemes: masks that are a function of (seed, call number). */
export type KerasMasks = Exclude<Masks, "xorshift">;

/** Options of the layer constructors. */
export interface SpatialDropoutOptions {
  /** Fraction of feature maps to drop, in [0, 1]. */
  rate: number;
  /** Memory order of inputs; default "channels_last". SpatialDropout1D is always channels_last. */
  dataFormat?: DataFormat;
  /** Generator seed; without one the layer seeds itself from `crypto.getRandomValues`. */
  seed?: Seed;
  /** Layer name, at most 64 UTF-8 bytes; default "spatial_dropout1d" / "…2d" / "…3d". */
  name?: string;
  /** Mask scheme; default "keras": call k of a layer with seed s drops the maps Keras drops. */
  masks?: Masks;
}

/** Keras's `get_config()` of a SpatialDropout layer. */
export interface SpatialDropoutConfig {
  rate: number;
  /** A number when it is a safe integer, else a bigint; null for a layer without a seed. */
  seed: number | bigint | null;
  name: string;
  dtype: "float32";
  /** Absent for SpatialDropout1D, as in Keras. */
  data_format?: DataFormat;
}

/** Any form of Keras JSON the layers read: a config, a serialized layer, a model's layer entry. */
export type KerasConfig = string | object;

/**
 * Floats in wasm memory: the zero-copy path for large tensors. Fill `view()`, pass the buffer
 * to `callInPlace`, read `view()` back.
 *
 * Re-create views: any call into the package may grow wasm memory, which detaches every view
 * taken before (its length becomes 0). Call `view()` again after each call into the package;
 * it returns the same object while memory has not grown.
 */
export class WasmBuffer {
  /** `length` zeroed floats. */
  constructor(length: number);
  /** Number of floats. */
  readonly length: number;
  /** A Float32Array over this buffer in wasm memory. */
  view(): Float32Array;
  /** Releases the memory now instead of at garbage collection. */
  free(): void;
}

declare abstract class SpatialDropoutLayer {
  /**
   * Keras's `call(inputs, training)`: returns a new array. `shape` is the dims in memory order.
   * `training` defaults to false (a copy); each training call draws the layer's next mask.
   */
  call(inputs: Float32Array, shape: readonly number[], training?: boolean): Float32Array;
  /** As `call`, writing into `data`; a WasmBuffer is processed without any copy. */
  callInPlace(data: Float32Array | WasmBuffer, shape: readonly number[], training?: boolean): void;
  /** Gradient of the last forward call: `gradOutputs` × scale on the maps it kept, +0 elsewhere. */
  backward(gradOutputs: Float32Array, shape: readonly number[]): Float32Array;
  /** Keras's `get_config()`. */
  getConfig(): SpatialDropoutConfig;
  /** Keras's `get_config()` as the JSON text Keras 3 writes, byte for byte. */
  getConfigJSON(): string;
  readonly rate: number;
  readonly dataFormat: DataFormat;
  readonly seed: number | bigint | null;
  readonly name: string;
  /** The mask scheme. */
  readonly masks: Masks;
  /**
   * The call number: drawing calls so far (training calls with 0 < rate < 1, empty tensors
   * included), Keras's `seed_generator.state[1]`; in `model.fit`, the step.
   */
  readonly calls: bigint;
  /** Sets the call number: the next drawing call draws Keras's mask of call `k`. */
  setCalls(k: number | bigint): void;
  /** Releases the layer's wasm memory now instead of at garbage collection. */
  free(): void;
}

/** Keras's SpatialDropout1D: inputs [batch, steps, channels]. */
export class SpatialDropout1D extends SpatialDropoutLayer {
  constructor(options: SpatialDropoutOptions);
  /** A layer from Keras JSON text or a config object (TF.js's `dataFormat` spelling is read too). */
  static fromConfig(config: KerasConfig): SpatialDropout1D;
}

/** Keras's SpatialDropout2D: inputs [batch, rows, cols, channels] or [batch, channels, rows, cols]. */
export class SpatialDropout2D extends SpatialDropoutLayer {
  constructor(options: SpatialDropoutOptions);
  /** A layer from Keras JSON text or a config object (TF.js's `dataFormat` spelling is read too). */
  static fromConfig(config: KerasConfig): SpatialDropout2D;
}

/** Keras's SpatialDropout3D: inputs [batch, d1, d2, d3, channels] or [batch, channels, d1, d2, d3]. */
export class SpatialDropout3D extends SpatialDropoutLayer {
  constructor(options: SpatialDropoutOptions);
  /** A layer from Keras JSON text or a config object (TF.js's `dataFormat` spelling is read too). */
  static fromConfig(config: KerasConfig): SpatialDropout3D;
}

/** Options of `spatialDropout`. */
export interface SpatialDropoutOpOptions {
  rate: number;
  /** Default "channels_last"; channels_first is allowed at every rank here. */
  dataFormat?: DataFormat;
  /** Without a seed the mask comes from `crypto.getRandomValues`. */
  seed?: Seed;
  /** Default false: a copy, as Keras's inference. */
  training?: boolean;
  /** Mask scheme; default "keras" (Keras's mask of call 0 for the seed). */
  masks?: Masks;
}

/**
 * Spatial dropout with one mask from a fresh generator: the spatial rank is `shape.length - 2`
 * (3, 4 or 5 dims). With a seed, the same as the first training call of a layer with that seed
 * and scheme (by default Keras's mask of call 0).
 */
export function spatialDropout(
  inputs: Float32Array,
  shape: readonly number[],
  options: SpatialDropoutOpOptions,
): Float32Array;

/** Options of `maskWords`. */
export interface MaskWordsOptions {
  /** Number of maps: batch × channels. */
  maps: number;
  rate: number;
  seed: Seed;
  /** The call number (the step); default 0. */
  call?: number | bigint;
  /** Default "keras". */
  masks?: KerasMasks;
}

/**
 * Keras's keep mask of call `call` of a layer with seed `seed`, without a tensor: bit m % 32 of
 * word m / 32 set = map m (sample × channels + channel) kept. Keras schemes only.
 */
export function maskWords(options: MaskWordsOptions): Uint32Array;
