// Compile-time check of tfjs/index.d.ts (`tsc -p tfjs/tsconfig.json`, run by .ci/tfjs.sh); not shipped.
import * as tf from "@tensorflow/tfjs";
import { SpatialDropout2D, SpatialDropout3D, spatialDropout1d, type SpatialDropoutLayerConfigND } from "spatial-dropout/tfjs";

const drop: SpatialDropout3D = new SpatialDropout3D({ rate: 0.5, seed: 7, dataFormat: "channels_first" });
const layer: tf.layers.Layer = drop;
const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3, 5, 2] }), new SpatialDropout2D({ rate: 0.25 })] });
model.add(spatialDropout1d({ rate: 0.1, seed: 5n }) as unknown as tf.layers.Layer);
const config: SpatialDropoutLayerConfigND = drop.getConfig();
const format2: "channelsFirst" | "channelsLast" = config.dataFormat;
const rate: number = drop.rate;
const seed: number | null = drop.seed;
const format: "channels_first" | "channels_last" = drop.dataFormat;
const y: tf.Tensor = drop.call(tf.ones([1, 2, 2, 2, 2]), { training: true });
const shape: tf.Shape = drop.computeOutputShape([null, 2, 2, 2, 2]);
const name: string = SpatialDropout2D.className;
const xla = new SpatialDropout2D({ rate: 0.5, seed: 3, masks: "keras-xla" });
const calls: bigint = xla.calls;
xla.setCalls(10);
xla.setCalls(10n);
const masks: string = xla.masks;
void [layer, config, format2, rate, seed, format, y, shape, name, calls, masks];

// @ts-expect-error rate is required
new SpatialDropout2D({ seed: 1 });
// @ts-expect-error not a data format
new SpatialDropout2D({ rate: 0.5, dataFormat: "channels_middle" });
// @ts-expect-error not a mask scheme
new SpatialDropout2D({ rate: 0.5, masks: "philox" });
