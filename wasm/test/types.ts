// Compiled with `tsc --noEmit -p test/tsconfig.json`: the declarations describe the documented
// usage, and misuse fails to compile (each @ts-expect-error must see an error).
import {
  SpatialDropout1D,
  SpatialDropout2D,
  SpatialDropout3D,
  WasmBuffer,
  spatialDropout,
  ready,
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
// @ts-expect-error: nor in the op
spatialDropout(x, [2, 12, 9], { rate: 0.5, dataFormat: "channels_fist" });

export { dx, out, n, z, seed, rate, format, name, loading };
