// Types of `spatial-dropout/tfjs` (tfjs/index.js): Keras's SpatialDropout1D/2D/3D as
// TensorFlow.js layers. Importing the module registers them with tf.serialization.registerClass.

import * as tf from "@tensorflow/tfjs";

/** Keras's data_format, in either spelling (TF.js configs use the camelCase one). */
/** Resolves once the WebAssembly module is loaded (at once in Node); await it before building layers in a browser. */
export const ready: Promise<void>;

export type DataFormat = "channels_first" | "channels_last" | "channelsFirst" | "channelsLast";

/** Arguments of the layers, as TF.js passes a Keras config (camelCase keys). */
export interface SpatialDropoutLayerArgs {
  /** Fraction of feature maps to drop, in [0, 1]. */
  rate: number;
  /** Memory order of inputs; default channels_last. SpatialDropout1D is always channels_last. */
  dataFormat?: DataFormat;
  /**
   * Mask seed, an integer in [0, 2^53 - 1]; null or absent: crypto randomness. With the default
   * scheme, the k-th training call drops the maps Keras drops on call k (step k of `model.fit`)
   * of a layer with this seed; the same as the Rust crate and the wasm package.
   */
  seed?: number | bigint | null;
  /**
   * Mask scheme; default "keras" (Keras ≥ 3.5's masks). "keras-xla", "keras-3.4",
   * "keras-3.4-xla": Keras's other variants; "xorshift": the crate's XorShift scheme of 0.1.
   */
  masks?: "keras" | "keras-xla" | "keras-3.4" | "keras-3.4-xla" | "xorshift";
  /** Keras 2 writes `noise_shape: null`; it is ignored, as in Keras's SpatialDropout layers. */
  noiseShape?: null;
  /** Only "float32". */
  dtype?: "float32";
  name?: string;
  trainable?: boolean;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  batchSize?: number;
}

/** The layer config of getConfig(); TF.js writes it in snake_case into model JSON (data_format, noise_shape). */
export interface SpatialDropoutLayerConfig extends tf.serialization.ConfigDict {
  name: string;
  trainable: boolean;
  dtype: "float32";
  rate: number;
  noiseShape: null;
  seed: number | null;
  // `masks` (a string) is present only for another scheme than "keras": Keras's configs have no
  // such key. (Not declared: TF.js's ConfigDict index type admits no optional property.)
}

/** The config of SpatialDropout2D/3D: also the data format, in TF.js's camelCase spelling. */
export interface SpatialDropoutLayerConfigND extends SpatialDropoutLayerConfig {
  dataFormat: "channelsFirst" | "channelsLast";
}

declare abstract class SpatialDropoutLayer extends tf.layers.Layer {
  /** The dropout rate. */
  readonly rate: number;
  /** Keras's spelling: "channels_first" or "channels_last". */
  readonly dataFormat: "channels_first" | "channels_last";
  /** The config seed, or null for crypto randomness. */
  readonly seed: number | null;
  /** The mask scheme. */
  readonly masks: "keras" | "keras-xla" | "keras-3.4" | "keras-3.4-xla" | "xorshift";
  /** Training calls so far that drew (empty tensors included): Keras's call number / fit step. */
  readonly calls: bigint;
  /** Sets the call number: the next training call draws Keras's mask of call `k`. */
  setCalls(k: number | bigint): void;
  /**
   * `kwargs.training` (default false): in training, the mask of the next call number (Keras's,
   * by default) is applied as where(mask, x * scale, +0); otherwise the identity.
   */
  call(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): tf.Tensor;
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape;
  getConfig(): SpatialDropoutLayerConfig;
}

/** Keras's SpatialDropout1D: inputs [batch, steps, channels]. Replaces TF.js's own. */
export class SpatialDropout1D extends SpatialDropoutLayer {
  static className: "SpatialDropout1D";
  constructor(args: SpatialDropoutLayerArgs);
}

/** Keras's SpatialDropout2D: inputs [batch, rows, cols, channels] or [batch, channels, rows, cols]. */
export class SpatialDropout2D extends SpatialDropoutLayer {
  static className: "SpatialDropout2D";
  constructor(args: SpatialDropoutLayerArgs);
  getConfig(): SpatialDropoutLayerConfigND;
}

/** Keras's SpatialDropout3D: inputs [batch, d1, d2, d3, channels] or [batch, channels, d1, d2, d3]. */
export class SpatialDropout3D extends SpatialDropoutLayer {
  static className: "SpatialDropout3D";
  constructor(args: SpatialDropoutLayerArgs);
  getConfig(): SpatialDropoutLayerConfigND;
}

/** `new SpatialDropout1D(args)`, in the style of tf.layers.*. */
export function spatialDropout1d(args: SpatialDropoutLayerArgs): SpatialDropout1D;
/** `new SpatialDropout2D(args)`, in the style of tf.layers.*. */
export function spatialDropout2d(args: SpatialDropoutLayerArgs): SpatialDropout2D;
/** `new SpatialDropout3D(args)`, in the style of tf.layers.*. */
export function spatialDropout3d(args: SpatialDropoutLayerArgs): SpatialDropout3D;
