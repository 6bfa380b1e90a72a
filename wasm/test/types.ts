// Compiled with `tsc --noEmit -p test/tsconfig.json`: the declarations describe the documented
// usage, and misuse fails to compile (each @ts-expect-error must see an error).
import {
  SpatialDropout1D,
  SpatialDropout2D,
  SpatialDropout3D,
  WasmBuffer,
  spatialDropout,
  maskWords,
  ready,
  type Masks,
  type SpatialDropoutConfig,
} from "spatial-dropout";

const loading: Promise<void> = ready;

const layer = new SpatialDropout3D({ rate: 0.25, dataFormat: "channels_first", seed: 7n, name: "drop" });
const x = new Float32Array(2 * 4 * 3 * 3 * 3);
const y: Float32Array = layer.call(x, [2, 4, 3, 3, 3], true);
layer.callInPlace(y, [2, 4, 3, 3, 3]);
const dx: Float32Array = layer.backward(y, [2, 4, 3, 3, 3]);
const config: SpatialDropoutConfig = layer.getConfig();
const json: string = layer.getConfigJSON();
const again: SpatialDropout3D = SpatialDropout3D.fromConfig(config);
const fromText: SpatialDropout2D = SpatialDropout2D.fromConfig(json);
const seed: number | bigint | null = again.seed;
const rate: number = layer.rate;
const format: "channels_first" | "channels_last" = layer.dataFormat;
const name: string = layer.name;
const masks: Masks = layer.masks;
const calls: bigint = layer.calls;
layer.setCalls(3);
layer.setCalls(1n << 60n);
const xla = new SpatialDropout2D({ rate: 0.5, seed: 1n << 62n, masks: "keras-xla" });
const keep: Uint32Array = maskWords({ maps: 40, rate: 0.5, seed: 42, call: 2n, masks: "keras-3.4" });
const op: Float32Array = spatialDropout(x, [2, 12, 9], { rate: 0.5, seed: 3, training: true, masks: "xorshift" });
xla.free();

const buffer = new WasmBuffer(x.length);
buffer.view().set(x);
layer.callInPlace(buffer, [2, 4, 3, 3, 3], true);
const out: Float32Array = buffer.view();
const n: number = buffer.length;
buffer.free();

const z: Float32Array = spatialDropout(x, [2, 12, 9], { rate: 0.5, seed: 3, training: true });
new SpatialDropout1D({ rate: 0.1 }).free();
fromText.free();

// @ts-expect-error: rate is required
new SpatialDropout2D({});
// @ts-expect-error: the seed is a number or bigint
new SpatialDropout2D({ rate: 0.5, seed: "1" });
// @ts-expect-error: inputs are a Float32Array
layer.call([1, 2, 3], [1, 1, 1, 1, 3]);
// @ts-expect-error: properties are read-only
layer.rate = 0.5;
// @ts-expect-error: spatialDropout needs its options
spatialDropout(x, [2, 12, 9]);
// @ts-expect-error: a misspelt data format does not compile
new SpatialDropout2D({ rate: 0.5, dataFormat: "channel_first" });
// @ts-expect-error: an unknown mask scheme does not compile
new SpatialDropout2D({ rate: 0.5, masks: "philox" });
// @ts-expect-error: the call number is read-only (setCalls sets it)
layer.calls = 2n;
// @ts-expect-error: maskWords takes Keras schemes only
maskWords({ maps: 4, rate: 0.5, seed: 1, masks: "xorshift" });
// @ts-expect-error: nor in the op
spatialDropout(x, [2, 12, 9], { rate: 0.5, dataFormat: "channels_fist" });

export { dx, out, n, z, seed, rate, format, name, loading, masks, calls, keep, op };
