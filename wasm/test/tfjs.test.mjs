// spatial-dropout/tfjs under node:test, with @tensorflow/tfjs on its CPU backend.
//
// The Keras models come from real Keras (tf-keras 2.16.0 `model.to_json()`, the form TF.js
// loads): tests/fixtures/keras/k2_model_*.json (tests/fixtures/make_keras_fixtures.py) and
// tests/fixtures/tfjs/k2_conv3d_model.json (tests/fixtures/make_tfjs_fixtures.py, with weights,
// an input and Keras's predict). Masks are checked against the masks TensorFlow's Keras drew
// (tests/fixtures/keras_masks.json, the default scheme) and, with `masks: "xorshift"`, against
// tests/vectors/known_answers.json, the XorShift answers the Rust crate is tested against.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import * as tf from "@tensorflow/tfjs";

const repo = new URL("../../", import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(new URL(path, repo), "utf8"));

const KNOWN = readJson("tests/vectors/known_answers.json");
const KERAS_MASKS = readJson("tests/fixtures/keras_masks.json");
const MANIFEST = readJson("tests/fixtures/keras/manifest.json");
const K2_FUNCTIONAL = readJson("tests/fixtures/keras/k2_model_functional.json");
const K2_SEQUENTIAL = readJson("tests/fixtures/keras/k2_model_sequential.json");
const CONV3D = readJson("tests/fixtures/tfjs/k2_conv3d_model.json");

await tf.setBackend("cpu");
await tf.ready();

// Before the plugin is imported: what TF.js alone does with these models.
async function loadError(json) {
  try {
    await tf.models.modelFromJSON(structuredClone(json));
  } catch (e) {
    return e;
  }
  return null;
}
const WITHOUT = {
  functional: await loadError(K2_FUNCTIONAL),
  conv3d: await loadError(CONV3D.model),
  sequential1d: await loadError(K2_SEQUENTIAL),
};
const builtin1D = tf.layers.spatialDropout1d({ rate: 0.5 }).constructor;

// The plugin, imported by the package's own name and subpath (the "exports" map).
const plugin = await import("spatial-dropout/tfjs");
const { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D } = plugin;
const wasmPackage = await import("spatial-dropout");
const CLASSES = { 1: SpatialDropout1D, 2: SpatialDropout2D, 3: SpatialDropout3D };
const WASM_CLASSES = { 1: wasmPackage.SpatialDropout1D, 2: wasmPackage.SpatialDropout2D, 3: wasmPackage.SpatialDropout3D };

const load = (json) => tf.models.modelFromJSON(structuredClone(json));
const bits = (array) => Array.from(new Uint32Array(Float32Array.from(array).buffer));
const dropoutConfigs = (modelJson) =>
  modelJson.config.layers.filter((l) => String(l.class_name).startsWith("SpatialDropout"));

/** The known-answer input: x[i] from the formula of the shared vectors. */
function knownInput(length) {
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    if (i % 89 === 5) x[i] = Infinity;
    else if (i % 83 === 7) x[i] = -0;
    else if (i % 79 === 3) x[i] = -Infinity;
    else x[i] = (((i * 7919) % 2003) - 1001) / 64;
  }
  return x;
}

function mapsOf(dims, format) {
  const channels = format === "channels_first" ? dims[1] : dims[dims.length - 1];
  const spatial = format === "channels_first" ? dims.slice(2) : dims.slice(1, -1);
  return { batch: dims[0], channels, mapLen: spatial.reduce((a, b) => a * b, 1) };
}

/** The keep string ("1" kept, one char per map) of mask words over `maps` maps. */
function keepString(words, maps) {
  return Array.from({ length: maps }, (_, m) => ((words[m >>> 5] >>> (m & 31)) & 1 ? "1" : "0")).join("");
}

/** The map of flat element i: n·channels + c for either layout. */
function mapOfElement(i, dims, format) {
  const { channels, mapLen } = mapsOf(dims, format);
  if (format === "channels_first") return Math.floor(i / mapLen);
  return Math.floor(i / (mapLen * channels)) * channels + (i % channels);
}

test("TF.js alone refuses the Keras models with SpatialDropout2D/3D: Unknown layer", () => {
  assert.ok(WITHOUT.functional instanceof Error, "k2_model_functional.json loaded without the plugin");
  assert.match(WITHOUT.functional.message, /^Unknown layer: SpatialDropout2D\./);
  assert.ok(WITHOUT.conv3d instanceof Error, "k2_conv3d_model.json loaded without the plugin");
  assert.match(WITHOUT.conv3d.message, /^Unknown layer: SpatialDropout3D\./);
  // TF.js has its own SpatialDropout1D: the 1D model loads either way.
  assert.equal(WITHOUT.sequential1d, null);
});

test("with the plugin the same Keras 2 JSON loads, every SpatialDropout layer is ours", async () => {
  for (const [json, names] of [
    [K2_FUNCTIONAL, { k2_drop2d: SpatialDropout2D, k2_drop3d: SpatialDropout3D }],
    [CONV3D.model, { drop3d: SpatialDropout3D, drop2d: SpatialDropout2D }],
    [K2_SEQUENTIAL, { k2_drop1: SpatialDropout1D, k2_drop2: SpatialDropout1D }],
  ]) {
    const model = await load(json);
    for (const [name, cls] of Object.entries(names)) {
      const layer = model.getLayer(name);
      assert.ok(layer instanceof cls, `${name} is a ${layer.constructor.name}`);
      assert.ok(!(layer instanceof builtin1D));
      const keras = dropoutConfigs(json).find((l) => l.config.name === name).config;
      assert.equal(layer.rate, keras.rate);
      assert.equal(layer.seed, keras.seed);
      // Keras 2 configs have no data_format: tf.keras reads them as channels_last.
      assert.equal(layer.dataFormat, "channels_last");
    }
    model.dispose();
  }
});

test("a tf-keras mixed_float16 layer is refused with the policy's name", async () => {
  const config = readJson("tests/fixtures/keras/k2_reject_mixed_float16.json");
  const modelJson = {
    class_name: "Sequential",
    config: {
      name: "wrap",
      layers: [
        { class_name: "InputLayer", config: { batch_input_shape: [null, 4, 4, 2], dtype: "float32", name: "in" } },
        { class_name: "SpatialDropout2D", config },
      ],
    },
  };
  // The Rust core's dtype rule and message, as for the core's own fromConfig.
  await assert.rejects(load(modelJson), (e) => e.name === "Error" && /^only float32 layers are supported/.test(e.message));
});

test("Keras 2 configs of every rank load; seeds above 2^53 - 1 are refused, not rounded", async () => {
  const k2 = MANIFEST.cases.filter((c) => c.file.startsWith("k2_config_") || c.file.startsWith("k2_serialized_"));
  assert.ok(k2.length >= 15);
  for (const entry of k2) {
    const doc = readJson(`tests/fixtures/keras/${entry.file}`);
    const layerJson = doc.class_name ? doc : { class_name: entry.class_name, config: doc };
    const inner = [null, 4, 3, 5, 6].slice(0, entry.rank + 2).map((d, i) => (i === 0 ? null : d));
    const modelJson = {
      class_name: "Sequential",
      config: {
        name: "wrap",
        layers: [{ class_name: "InputLayer", config: { batch_input_shape: inner, dtype: "float32", name: "in" } }, layerJson],
      },
    };
    if (Number.isSafeInteger(entry.seed) || entry.seed === null) {
      const model = await load(modelJson);
      const layer = model.layers[model.layers.length - 1];
      assert.ok(layer instanceof CLASSES[entry.rank], entry.file);
      assert.equal(layer.rate, Number(entry.rate), entry.file);
      assert.equal(layer.seed, entry.seed, entry.file);
      assert.equal(layer.dataFormat, entry.data_format, entry.file);
      model.dispose();
    } else {
      await assert.rejects(load(modelJson), (e) => e instanceof RangeError && /\[0, 2\^53 - 1\]/.test(e.message), entry.file);
    }
  }
});

function setFixtureWeights(model) {
  const byName = new Map(CONV3D.weights.map((w) => [w.name.replace(/:0$/, ""), w]));
  const values = model.weights.map((w) => {
    const fixture = byName.get(w.originalName ?? w.name);
    assert.ok(fixture, `no fixture weight for ${w.name}`);
    assert.deepEqual(w.shape, fixture.shape);
    return tf.tensor(fixture.values, fixture.shape, "float32");
  });
  model.setWeights(values);
  tf.dispose(values);
}

const fixtureInputs = () => CONV3D.inputs.map((x) => tf.tensor(x.values, x.shape, "float32"));

test("predict: Keras's own output, and each SpatialDropout layer is the identity, bit for bit", async () => {
  const model = await load(CONV3D.model);
  setFixtureWeights(model);
  const xs = fixtureInputs();
  const y = model.predict(xs);
  assert.deepEqual(y.shape, CONV3D.predict.shape);
  const got = y.dataSync();
  CONV3D.predict.values.forEach((want, i) => {
    assert.ok(Math.abs(got[i] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `predict[${i}] = ${got[i]}, Keras ${want}`);
  });
  // The tensors around the dropout layers, from one predict call.
  const probe = tf.model({
    inputs: model.inputs,
    outputs: ["conv3d", "drop3d", "dense", "drop2d"].map((n) => model.getLayer(n).output),
  });
  const [conv, drop3, dense, drop2] = probe.predict(xs);
  assert.deepEqual(bits(drop3.dataSync()), bits(conv.dataSync()));
  assert.deepEqual(bits(drop2.dataSync()), bits(dense.dataSync()));
  // Inference keeps -0.0 and infinities as they are.
  const layer = new SpatialDropout2D({ rate: 0.5, seed: 1 });
  const special = tf.tensor([-0, Infinity, -Infinity, 1.5, -2, 0, 3, 4], [1, 2, 2, 2]);
  assert.deepEqual(bits(layer.apply(special).dataSync()), bits(special.dataSync()));
  assert.deepEqual(bits(layer.apply(special, { training: false }).dataSync()), bits(special.dataSync()));
  tf.dispose([y, conv, drop3, dense, drop2, special, ...xs]);
  model.dispose();
});

test("tf.loadLayersModel: Keras topology + weights in TF.js's layers-model format, saved and loaded again", async () => {
  // The model.json + weights that tensorflowjs_converter writes for a Keras 2 .h5, built here
  // from the fixture: weightsManifest in the order of the Keras weights, float32 little-endian.
  const floats = new Float32Array(CONV3D.weights.flatMap((w) => w.values));
  const artifacts = {
    modelTopology: structuredClone(CONV3D.model),
    format: "layers-model",
    generatedBy: `keras v${CONV3D.tf_keras}`,
    weightSpecs: CONV3D.weights.map((w) => ({ name: w.name.replace(/:0$/, ""), shape: w.shape, dtype: "float32" })),
    weightData: floats.buffer,
  };
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  assert.ok(model.getLayer("drop3d") instanceof SpatialDropout3D);
  assert.ok(model.getLayer("drop2d") instanceof SpatialDropout2D);
  const xs = fixtureInputs();
  const y = model.predict(xs);
  const got = y.dataSync();
  CONV3D.predict.values.forEach((want, i) => {
    assert.ok(Math.abs(got[i] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `predict[${i}] = ${got[i]}, Keras ${want}`);
  });
  // model.save → loadLayersModel: the same predictions, bit for bit, and the same layer configs.
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
  const again = await tf.loadLayersModel(tf.io.fromMemory(saved));
  const y2 = again.predict(xs);
  assert.deepEqual(bits(y2.dataSync()), bits(got));
  for (const name of ["drop3d", "drop2d"]) {
    assert.deepEqual(again.getLayer(name).getConfig(), model.getLayer(name).getConfig());
  }
  tf.dispose([y, y2, ...xs]);
  model.dispose();
  again.dispose();
});

test("fit: one step trains the layers before the dropout; the seeded mask advanced by one draw", async () => {
  const model = await load(CONV3D.model);
  setFixtureWeights(model);
  const nameOf = (w) => w.originalName ?? w.name;
  const before = new Map(model.trainableWeights.map((w) => [nameOf(w), w.read().dataSync().slice()]));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const xs = fixtureInputs();
  const target = tf.ones([2, 2]);
  // Inference draws nothing: predict and evaluate leave the generators where they were.
  tf.dispose([model.predict(xs), model.evaluate(xs, target)]);
  const history = await model.fit(xs, target, { batchSize: 2, epochs: 1, shuffle: false, verbose: 0 });
  assert.equal(history.history.loss.length, 1);
  assert.ok(Number.isFinite(history.history.loss[0]));
  for (const name of ["conv3d/kernel", "conv3d/bias", "dense/kernel", "dense/bias"]) {
    const w = model.trainableWeights.find((v) => nameOf(v) === name);
    assert.ok(w, name);
    const after = w.read().dataSync();
    assert.ok(after.some((v, i) => v !== before.get(name)[i]), `${name} did not change`);
  }
  // fit ran drop3d (seed 2024) in training once, as Keras's step 0: its call number is 1 and its
  // next mask is Keras's of (2024, 1). (Over these 6 maps Keras's masks of calls 0 and 1 happen
  // to agree, so the call number is what catches a missed call; call 2's differs.)
  const drop3d = model.getLayer("drop3d");
  assert.equal(drop3d.masks, "keras");
  assert.equal(drop3d.calls, 1n);
  const ones = tf.ones([2, 1, 1, 1, 3]);
  const next = drop3d.apply(ones, { training: true }).dataSync();
  const keepOf = (k) => keepString(wasmPackage.maskWords({ maps: 6, rate: 0.5, seed: 2024, call: k }), 6);
  assert.notEqual(keepOf(1), keepOf(2));
  assert.equal(Array.from(next, (v) => (v !== 0 ? "1" : "0")).join(""), keepOf(1));
  const reference = new wasmPackage.SpatialDropout3D({ rate: 0.5, seed: 2024 });
  reference.call(new Float32Array(6), [2, 1, 1, 1, 3], true);
  assert.deepEqual(bits(next), bits(reference.call(new Float32Array(6).fill(1), [2, 1, 1, 1, 3], true)));
  reference.free();
  tf.dispose([ones, target, ...xs]);
  model.dispose();
});

test("masks: \"xorshift\": masks, outputs and gradients match the Rust known answers bit for bit", () => {
  assert.ok(KNOWN.cases.length >= 20);
  for (const c of KNOWN.cases) {
    const layer = new CLASSES[c.rank]({ rate: c.rate, seed: c.seed, dataFormat: c.data_format, masks: "xorshift" });
    assert.equal(layer.masks, "xorshift");
    const length = c.dims.reduce((a, b) => a * b, 1);
    const x = tf.tensor(knownInput(length), c.dims, "float32");
    const { batch, channels, mapLen } = mapsOf(c.dims, c.data_format);
    const maps = batch * channels;
    const scale = Math.fround(1 / (1 - c.rate));
    for (const [k, call] of c.calls.entries()) {
      const where = `${c.name} call ${k}`;
      const { value, grad } = tf.valueAndGrad((v) => layer.apply(v, { training: true }))(x, tf.onesLike(x));
      assert.deepEqual(value.shape, c.dims, where);
      assert.deepEqual(bits(value.dataSync()), call.output_bits, where);
      // The gradient replays the mask: dy × scale on kept maps (dy = 1), +0.0 on dropped ones.
      const g = bits(grad.dataSync());
      const words = new Array(Math.ceil(maps / 32)).fill(0);
      const seen = new Array(maps).fill(undefined);
      g.forEach((b, i) => {
        const m = mapOfElement(i, c.dims, c.data_format);
        const kept = b !== 0;
        if (kept) assert.equal(b, bits([scale])[0], `${where}: gradient ${i}`);
        if (seen[m] === undefined) seen[m] = kept;
        assert.equal(seen[m], kept, `${where}: map ${m} is kept in part`);
        if (kept) words[m >>> 5] |= 1 << (m & 31);
      });
      if (mapLen > 0 || maps === 0) {
        assert.deepEqual(words.map((w) => w >>> 0), call.mask.slice(0, words.length), `${where}: mask`);
      }
      tf.dispose([value, grad]);
    }
    if (mapLen === 0 && maps > 0) {
      // Nothing to see in an empty output: the next mask (on a 1-element map) is the one the
      // wasm layer draws after the same empty calls.
      const reference = new WASM_CLASSES[c.rank]({ rate: c.rate, seed: c.seed, dataFormat: c.data_format, masks: "xorshift" });
      for (let k = 0; k < c.calls.length; k++) reference.call(new Float32Array(0), c.dims, true);
      const probeDims = c.dims.map((d, i) => (d === 0 ? 1 : d));
      const probeLength = probeDims.reduce((a, b) => a * b, 1);
      const ones = new Float32Array(probeLength).fill(1);
      const t = tf.tensor(ones, probeDims);
      const y = layer.apply(t, { training: true });
      assert.deepEqual(bits(y.dataSync()), bits(reference.call(ones, probeDims, true)), `${c.name}: draws on an empty map`);
      reference.free();
      tf.dispose([t, y]);
    }
    x.dispose();
  }
});

/** The keep string of a plugin output on ones (and its gradient), checking each map is whole. */
function keepOfTensor(values, dims, format, where) {
  if (values.length === 0) return "";
  const { batch, channels } = mapsOf(dims, format);
  const keep = new Array(batch * channels).fill(undefined);
  values.forEach((v, i) => {
    const m = mapOfElement(i, dims, format);
    const kept = v !== 0 ? "1" : "0";
    assert.ok(keep[m] === undefined || keep[m] === kept, `${where}: map ${m} is kept in part`);
    keep[m] = kept;
  });
  return keep.join("");
}

test("Keras's masks (the default): every (case, call) of keras_masks.json through the plugin's layers", () => {
  const counted = { pairs: 0, cases: 0, skipped: 0, byRank: { 1: 0, 2: 0, 3: 0 } };
  for (const c of KERAS_MASKS.cases) {
    const seed = Number(c.seed);
    // TF.js holds seeds as JSON numbers: the plugin takes seeds up to 2^53 - 1 only.
    if (!Number.isSafeInteger(seed)) {
      counted.skipped += c.calls.length;
      continue;
    }
    const rate = Number(c.rate);
    const options = { rate, seed, masks: c.variant, ...(c.rank === 1 ? {} : { dataFormat: c.data_format }) };
    const layer = new CLASSES[c.rank](options);
    assert.equal(layer.masks, c.variant);
    for (const call of c.calls) {
      const where = `${c.id} (${c.variant}, ${c.mode}) call ${call.k}`;
      if (layer.calls !== BigInt(call.k)) layer.setCalls(call.k);
      const x = tf.ones(call.dims);
      const { value, grad } = tf.valueAndGrad((v) => layer.apply(v, { training: true }))(x, tf.onesLike(x));
      assert.equal(keepOfTensor(value.dataSync(), call.dims, c.data_format, where), call.keep, where);
      // The gradient replays the same mask.
      assert.deepEqual(bits(grad.dataSync()), bits(value.dataSync()), `${where}: gradient`);
      // One call per training call, an empty tensor's included (as Keras counts them).
      assert.equal(layer.calls, BigInt(call.k) + 1n, `${where}: calls`);
      tf.dispose([x, value, grad]);
      counted.pairs++;
      counted.byRank[c.rank]++;
    }
    counted.cases++;
    layer.dispose();
  }
  const total = KERAS_MASKS.cases.reduce((n, c) => n + c.calls.length, 0);
  assert.equal(counted.pairs + counted.skipped, total);
  assert.ok(counted.pairs >= 1000, JSON.stringify(counted));
  assert.ok(Object.values(counted.byRank).every((n) => n > 100), JSON.stringify(counted));
  console.log(`# keras_masks.json through the plugin: ${counted.pairs} (case, call) pairs in ${counted.cases} cases ` +
    `(rank 1/2/3: ${counted.byRank[1]}/${counted.byRank[2]}/${counted.byRank[3]}); ${counted.skipped} pairs of seeds above 2^53 - 1 skipped`);
});

test("Keras's masks: the fit cases of keras_masks.json through model.fit, one call per step", async () => {
  let steps = 0;
  for (const c of KERAS_MASKS.cases.filter((k) => k.mode === "fit" && Number.isSafeInteger(Number(k.seed)))) {
    // A pass-through model: an identity dense layer (fit needs a trainable weight; learning rate
    // 0 keeps it the identity) before the dropout.
    const dims = c.calls[0].dims;
    assert.ok(c.calls.every((call) => JSON.stringify(call.dims) === JSON.stringify(dims)), c.id);
    const options = { rate: Number(c.rate), seed: Number(c.seed), masks: c.variant, name: "drop" };
    if (c.rank !== 1) options.dataFormat = c.data_format;
    const drop = new CLASSES[c.rank](options);
    const input = tf.input({ shape: dims.slice(1) });
    const scaled = tf.layers.dense({ units: dims[dims.length - 1], useBias: false, kernelInitializer: "identity" });
    const model = tf.model({ inputs: input, outputs: drop.apply(scaled.apply(input)) });
    model.compile({ optimizer: tf.train.sgd(0), loss: "meanSquaredError" });
    const seen = [];
    const x = tf.ones(dims);
    for (const call of c.calls) {
      assert.equal(drop.calls, BigInt(call.k), `${c.id} before step ${call.k}`);
      // The mask fit's step will draw, seen through a copy of the layer at the same call number.
      const probe = new CLASSES[c.rank](options);
      probe.setCalls(drop.calls);
      const y = probe.apply(x, { training: true });
      seen.push(keepOfTensor(y.dataSync(), dims, c.data_format, c.id));
      tf.dispose(y);
      probe.dispose();
      const history = await model.fit(x, tf.zeros(dims), { batchSize: dims[0], epochs: 1, shuffle: false, verbose: 0 });
      // And the step itself dropped that many maps: its loss is mean(y²) = kept / maps × scale².
      const kept = [...call.keep].filter((b) => b === "1").length;
      const scale = Math.fround(1 / (1 - Number(c.rate)));
      const loss = (kept / call.keep.length) * scale * scale;
      assert.ok(Math.abs(history.history.loss[0] - loss) <= 1e-5 * Math.max(1, loss), `${c.id} step ${call.k}: loss ${history.history.loss[0]} != ${loss}`);
      steps++;
    }
    assert.deepEqual(seen, c.calls.map((call) => call.keep), c.id);
    assert.equal(drop.calls, BigInt(c.calls.length), `${c.id}: one call per fit step`);
    x.dispose();
    model.dispose();
  }
  assert.ok(steps >= 9, `${steps} fit steps`);
});

test("Keras's masks: an empty tensor counts as a call at once; seedless layers draw at random", () => {
  const layer = new SpatialDropout3D({ rate: 0.5, seed: 1 });
  const start = Date.now();
  const empty = tf.zeros([65536, 1, 0, 1, 65536]);
  const y = layer.apply(empty, { training: true });
  assert.deepEqual(y.shape, empty.shape);
  assert.ok(Date.now() - start < 1000, `${Date.now() - start} ms`);
  assert.equal(layer.calls, 1n);
  const ones = tf.ones([4, 1, 1, 1, 8]);
  const out = layer.apply(ones, { training: true });
  const want = keepString(wasmPackage.maskWords({ maps: 32, rate: 0.5, seed: 1, call: 1 }), 32);
  assert.equal(keepOfTensor(out.dataSync(), [4, 1, 1, 1, 8], "channels_last", "after empty"), want);
  assert.equal(layer.calls, 2n);
  // Inference, rate 0 and rate 1 draw nothing (the crate's rule).
  layer.apply(ones).dispose();
  assert.equal(layer.calls, 2n);
  layer.setCalls(2n ** 60n);
  assert.equal(layer.calls, 2n ** 60n);
  assert.throws(() => layer.setCalls(-1), RangeError);
  assert.throws(() => layer.setCalls("1"), TypeError);
  tf.dispose([empty, y, ones, out]);
  layer.dispose();
  // The xorshift scheme counts through its wasm layer.
  const xs = new SpatialDropout2D({ rate: 0.5, seed: 1, masks: "xorshift" });
  const e2 = tf.zeros([1 << 20, 0, 1, 4]);
  xs.apply(e2, { training: true }).dispose();
  assert.equal(xs.calls, 1n);
  xs.setCalls(5);
  assert.equal(xs.calls, 5n);
  tf.dispose(e2);
  xs.dispose();
});

test("rate 1 gives +0.0 everywhere (gradient too); rate 0 and inference are the identity", () => {
  const x = tf.tensor(knownInput(2 * 3 * 2 * 2 * 4), [2, 3, 2, 2, 4]);
  const zeros = new Array(x.size).fill(0);
  const one = new SpatialDropout3D({ rate: 1, seed: 3 });
  const { value, grad } = tf.valueAndGrad((v) => one.apply(v, { training: true }))(x, tf.onesLike(x));
  assert.deepEqual(bits(value.dataSync()), zeros);
  assert.deepEqual(bits(grad.dataSync()), zeros);
  assert.deepEqual(bits(one.apply(x).dataSync()), bits(x.dataSync()));
  const none = new SpatialDropout3D({ rate: 0, seed: 3, dataFormat: "channels_first" });
  assert.deepEqual(bits(none.apply(x, { training: true }).dataSync()), bits(x.dataSync()));
  tf.dispose([value, grad, x]);
});

test("no tensors leak from training or inference calls", () => {
  const layer = new SpatialDropout2D({ rate: 0.5, seed: 9, dataFormat: "channels_first" });
  const x = tf.randomNormal([2, 3, 4, 4]);
  layer.apply(x, { training: true }).dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    layer.apply(x, { training: true }).dispose();
    layer.apply(x).dispose();
    const { value, grad } = tf.valueAndGrad((v) => layer.apply(v, { training: true }))(x);
    tf.dispose([value, grad]);
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test("without a seed each layer draws from crypto randomness", () => {
  const a = new SpatialDropout1D({ rate: 0.5 });
  const b = new SpatialDropout1D({ rate: 0.5 });
  assert.equal(a.seed, null);
  assert.equal(a.getConfig().seed, null);
  const x = tf.ones([4, 1, 64]);
  const ma = a.apply(x, { training: true }).dataSync();
  const mb = b.apply(x, { training: true }).dataSync();
  // 256 maps each: equal masks from two independent seeds happen with probability 2^-256.
  assert.notDeepEqual(bits(ma), bits(mb));
  assert.ok(ma.every((v) => v === 0 || v === 2));
  x.dispose();
});

test("configs round-trip: getConfig → constructor, model.toJSON → modelFromJSON", async () => {
  for (const [rank, options] of [
    [1, { rate: 0.25, seed: 7, name: "d1" }],
    [2, { rate: 0.3, seed: null, dataFormat: "channels_first", name: "d2" }],
    [3, { rate: 1 / 3, seed: 5n, dataFormat: "channelsLast" }],
    [3, { rate: 0.1, seed: Number.MAX_SAFE_INTEGER, dataFormat: "CHANNELS_FIRST", trainable: false }],
    [2, { rate: 0.5, seed: 4, masks: "xorshift" }],
    [1, { rate: 0.5, seed: 4, masks: "keras-3.4-xla" }],
    [3, { rate: 0.5, seed: 4, masks: "keras" }],
  ]) {
    const layer = new CLASSES[rank](options);
    const config = layer.getConfig();
    assert.equal(config.rate, options.rate);
    assert.equal(config.seed, options.seed === undefined || options.seed === null ? null : Number(options.seed));
    assert.equal(config.dtype, "float32");
    assert.equal(config.noiseShape, null);
    if (rank === 1) assert.equal("dataFormat" in config, false);
    else assert.equal(config.dataFormat, /first/i.test(options.dataFormat) ? "channelsFirst" : "channelsLast");
    // Keras's own scheme writes no `masks` (a config Keras reads); another scheme is kept.
    if ((options.masks ?? "keras") === "keras") assert.equal("masks" in config, false);
    else assert.equal(config.masks, options.masks);
    const again = new CLASSES[rank](config);
    assert.deepEqual(again.getConfig(), config);
    assert.equal(again.dataFormat, layer.dataFormat);
    assert.equal(again.masks, layer.masks);
  }
  // Through model JSON: the scheme survives toJSON → modelFromJSON, and so do the masks.
  const xsModel = tf.sequential({
    layers: [tf.layers.dense({ units: 4, inputShape: [3, 5, 2] }), new SpatialDropout2D({ rate: 0.5, seed: 1, masks: "xorshift", name: "xs" })],
  });
  const xsBack = await load(JSON.parse(JSON.stringify(xsModel.toJSON(null, false))));
  assert.equal(xsBack.getLayer("xs").masks, "xorshift");
  const probe = tf.ones([2, 3, 5, 4]);
  assert.deepEqual(
    bits(xsBack.getLayer("xs").apply(probe, { training: true }).dataSync()),
    bits(xsModel.getLayer("xs").apply(probe, { training: true }).dataSync()),
  );
  probe.dispose();
  // A loaded Keras 2 model serializes back to Keras 2 JSON: the same layer configs, plus
  // data_format for 2D/3D; and that JSON loads again to the same configs.
  for (const json of [K2_FUNCTIONAL, CONV3D.model, K2_SEQUENTIAL]) {
    const model = await load(json);
    const written = JSON.parse(JSON.stringify(model.toJSON(null, false)));
    for (const original of dropoutConfigs(json)) {
      const out = dropoutConfigs(written).find((l) => l.config.name === original.config.name);
      assert.equal(out.class_name, original.class_name);
      const expected = { ...original.config };
      if (original.class_name !== "SpatialDropout1D") expected.data_format = "channels_last";
      assert.deepEqual(out.config, expected);
    }
    const reloaded = await load(written);
    for (const original of dropoutConfigs(json)) {
      assert.deepEqual(reloaded.getLayer(original.config.name).getConfig(), model.getLayer(original.config.name).getConfig());
    }
    model.dispose();
    reloaded.dispose();
  }
  // channels_first survives a round trip through model JSON.
  const seq = tf.sequential({
    layers: [tf.layers.dense({ units: 4, inputShape: [3, 5, 2] }), new SpatialDropout2D({ rate: 0.5, seed: 1, dataFormat: "channels_first" })],
  });
  const layerJson = dropoutConfigs(JSON.parse(JSON.stringify(seq.toJSON(null, false))))[0];
  assert.equal(layerJson.config.data_format, "channels_first");
  const back = await load(JSON.parse(JSON.stringify(seq.toJSON(null, false))));
  assert.equal(back.layers[1].dataFormat, "channels_first");
});

test("a plugin layer's getConfig() (camelCase dataFormat) gives the same layer through the core's fromConfig", async () => {
  const core = await import("spatial-dropout");
  for (const [rank, format] of [[2, "channels_first"], [3, "channels_first"], [3, "channels_last"]]) {
    const layer = new CLASSES[rank]({ rate: 0.5, seed: 11, dataFormat: format });
    const config = layer.getConfig();
    assert.equal(config.dataFormat, format === "channels_first" ? "channelsFirst" : "channelsLast");
    const coreLayer = core[`SpatialDropout${rank}D`].fromConfig(config);
    assert.equal(coreLayer.dataFormat, format);
    assert.equal(coreLayer.seed, 11);
    coreLayer.free();
  }
});

test("bad arguments throw clear errors", () => {
  assert.throws(() => new SpatialDropout2D({ rate: 1.5 }), /Expected a float value between 0 and 1\. Received: rate=1\.5/);
  assert.throws(() => new SpatialDropout2D({ rate: Number.NaN }), { name: "RangeError", message: /Received: rate=nan$/ });
  assert.throws(() => new SpatialDropout2D({}), /`rate` must be a number/);
  assert.throws(() => new SpatialDropout2D({ rate: 0.5, dataFormat: "channels_middle" }), { name: "RangeError", message: "The `data_format` argument must be one of {'channels_first', 'channels_last'}" });
  assert.throws(() => new SpatialDropout1D({ rate: 0.5, dataFormat: "channels_first" }), { name: "Error", message: /always channels_last/ });
  // TF.js's spelling reaches the core as Keras's.
  assert.equal(new SpatialDropout2D({ rate: 0.5, dataFormat: "channelsFirst" }).dataFormat, "channels_first");
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, seed: -1 }), RangeError);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, seed: 2 ** 64 }), /\[0, 2\^53 - 1\]/);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, seed: 1n << 60n }), /\[0, 2\^53 - 1\]/);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, seed: "7" }), TypeError);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, masks: "philox" }), /the mask scheme must be one of 'keras', 'keras-xla', 'keras-3.4', 'keras-3.4-xla', 'xorshift'/);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, masks: 3 }), TypeError);
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, dtype: "float16" }), { name: "Error", message: /^only float32 layers are supported: `dtype` must be "float32" or a float32 DTypePolicy$/ });
  assert.throws(() => new SpatialDropout3D({ rate: 0.5, dtype: { className: "Policy", config: { name: "mixed_float16" } } }), { name: "Error", message: /^only float32 layers are supported/ });
  const float32Policy = { className: "Policy", config: { name: "float32" } };
  assert.equal(new SpatialDropout3D({ rate: 0.5, dtype: float32Policy }).getConfig().dtype, "float32");
  const layer = new SpatialDropout2D({ rate: 0.5, seed: 1 });
  const wrongRank = tf.ones([2, 3, 4]);
  assert.throws(() => layer.apply(wrongRank, { training: true }), /rank 4|ndim=4/);
  assert.throws(() => layer.computeOutputShape([null, 3, 4]), /rank 4/);
  assert.deepEqual(layer.computeOutputShape([null, 3, 4, 5]), [null, 3, 4, 5]);
  const ints = tf.ones([1, 2, 2, 2], "int32");
  assert.throws(() => layer.apply(ints, { training: true }), /float32/);
  tf.dispose([wrongRank, ints]);
});

test("the packed tarball's spatial-dropout/tfjs works for a consumer with @tensorflow/tfjs", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const dir = mkdtempSync(join(tmpdir(), "spatial-dropout-tfjs-pack-"));
  try {
    const packageDir = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: packageDir, encoding: "utf8" });
    const tarball = join(dir, out.trim().split("\n").pop());
    const installed = join(dir, "node_modules", "spatial-dropout");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    // The peer dependency, as the consumer's own install.
    symlinkSync(join(packageDir, "node_modules", "@tensorflow"), join(dir, "node_modules", "@tensorflow"), "dir");
    writeFileSync(
      join(dir, "consumer.mjs"),
      `import * as tf from "@tensorflow/tfjs";
       import "spatial-dropout/tfjs";
       const model = await tf.models.modelFromJSON(${JSON.stringify(K2_FUNCTIONAL)});
       const layer = model.getLayer("k2_drop2d");
       const y = layer.apply(tf.ones([1, 2, 2, 8]), { training: true }).dataSync();
       if (!y.every((v) => v === 0 || v === Math.fround(4 / 3))) throw new Error("wrong values " + y);
       console.log("consumer ok " + layer.getClassName());`,
    );
    const result = execFileSync(process.execPath, ["consumer.mjs"], { cwd: dir, encoding: "utf8" });
    assert.match(result, /consumer ok SpatialDropout2D/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the js examples of docs/tfjs.md run", async () => {
  const doc = readFileSync(new URL("docs/tfjs.md", repo), "utf8");
  const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, `found ${blocks.length} js examples`);
  // A data: URL module resolves no bare names and no relative paths: give it absolute ones.
  const tfjsUrl = import.meta.resolve("@tensorflow/tfjs");
  const pluginUrl = import.meta.resolve("spatial-dropout/tfjs");
  const log = console.log;
  const printed = [];
  console.log = (...args) => printed.push(args.join(" "));
  try {
    for (const code of blocks) {
      const source = code
        .replaceAll('"@tensorflow/tfjs"', JSON.stringify(tfjsUrl))
        .replaceAll('"spatial-dropout/tfjs"', JSON.stringify(pluginUrl))
        .replaceAll('"../tests/', JSON.stringify(new URL("tests/", repo).pathname).slice(0, -1));
      await import(`data:text/javascript,${encodeURIComponent(source)}`);
    }
  } finally {
    console.log = log;
  }
  // The first example's mask line: six maps, each 0 or the f32 scale 4/3.
  const mask = printed.find((line) => /^[0-9.,]+$/.test(line));
  assert.ok(mask !== undefined, printed.join("\n"));
  const values = mask.split(",").map(Number);
  assert.equal(values.length, 6);
  assert.ok(values.every((v) => v === 0 || v === Math.fround(4 / 3)), mask);
  // fit ran two epochs of two steps: the layer's call number is 4.
  assert.ok(printed.includes("call number: 4"), printed.join("\n"));
  assert.ok(printed.some((line) => line.startsWith("with the plugin: vol:InputLayer img:InputLayer conv3d:Conv3D")), printed.join("\n"));
});

// In a browser without a bundler: an import map names @tensorflow/tfjs (its ES module bundle) and
// spatial-dropout (the browser entry, which the plugin imports by name),
// the plugin is imported from the package's files as a page would, on the CPU backend.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>spatial-dropout/tfjs in a browser</title>
<script type="importmap">
  { "imports": {
    "@tensorflow/tfjs": "/wasm/node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js",
    "spatial-dropout": "/wasm/index.js"
  } }
</script>
<script type="module">
  import * as tf from "@tensorflow/tfjs";
  const out = { failures: [] };
  try {
    await tf.setBackend("cpu");
    const json = async (path) => (await fetch(path)).json();
    const fixture = await json("/tests/fixtures/tfjs/k2_conv3d_model.json");
    const known = await json("/tests/vectors/known_answers.json");
    try {
      await tf.models.modelFromJSON(structuredClone(fixture.model));
      out.without = "loaded";
    } catch (e) {
      out.without = e.message;
    }
    const plugin = await import("/wasm/tfjs/index.js");
    await plugin.ready;
    const model = await tf.models.modelFromJSON(structuredClone(fixture.model));
    out.classes = ["drop3d", "drop2d"].map((n) => model.getLayer(n).getClassName());
    model.setWeights(model.weights.map((w) => {
      const f = fixture.weights.find((v) => v.name.replace(/:0$/, "") === (w.originalName ?? w.name));
      return tf.tensor(f.values, f.shape);
    }));
    const xs = fixture.inputs.map((x) => tf.tensor(x.values, x.shape));
    out.predict = Array.from(model.predict(xs).dataSync());
    const kernel = () => Array.from(model.getLayer("conv3d").getWeights()[0].dataSync());
    const before = kernel();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    await model.fit(xs, tf.ones([2, 2]), { batchSize: 2, epochs: 1, verbose: 0 });
    out.kernelChanged = kernel().some((v, i) => v !== before[i]);
    const classes = { 1: plugin.SpatialDropout1D, 2: plugin.SpatialDropout2D, 3: plugin.SpatialDropout3D };
    out.cases = 0;
    for (const c of known.cases) {
      const n = c.dims.reduce((a, b) => a * b, 1);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = i % 89 === 5 ? Infinity : i % 83 === 7 ? -0 : i % 79 === 3 ? -Infinity : (((i * 7919) % 2003) - 1001) / 64;
      }
      const layer = new classes[c.rank]({ rate: c.rate, seed: c.seed, dataFormat: c.data_format, masks: "xorshift" });
      const t = tf.tensor(x, c.dims);
      for (const [k, call] of c.calls.entries()) {
        const y = layer.apply(t, { training: true }).dataSync();
        const got = Array.from(new Uint32Array(Float32Array.from(y).buffer));
        if (JSON.stringify(got) !== JSON.stringify(call.output_bits)) out.failures.push(c.name + " call " + k);
      }
      out.cases++;
    }
    // TensorFlow's Keras masks (the default scheme), every (case, call) with a seed TF.js holds.
    const kerasMasks = await json("/tests/fixtures/keras_masks.json");
    out.kerasPairs = 0;
    for (const c of kerasMasks.cases) {
      if (!Number.isSafeInteger(Number(c.seed))) continue;
      const options = { rate: Number(c.rate), seed: Number(c.seed), masks: c.variant };
      if (c.rank !== 1) options.dataFormat = c.data_format;
      const layer = new classes[c.rank](options);
      for (const call of c.calls) {
        if (layer.calls !== BigInt(call.k)) layer.setCalls(call.k);
        const x = tf.ones(call.dims);
        const y = layer.apply(x, { training: true }).dataSync();
        const first = c.data_format === "channels_first";
        const channels = first ? call.dims[1] : call.dims[call.dims.length - 1];
        const mapLen = y.length / (call.dims[0] * channels);
        const keep = [];
        for (let i = 0; i < y.length; i++) {
          const m = first ? Math.floor(i / mapLen) : Math.floor(i / (mapLen * channels)) * channels + (i % channels);
          keep[m] = y[i] !== 0 ? "1" : "0";
        }
        if (keep.join("") !== call.keep || layer.calls !== BigInt(call.k) + 1n) out.failures.push(c.id + " k " + call.k);
        x.dispose();
        out.kerasPairs++;
      }
      layer.dispose();
    }
  } catch (e) {
    out.error = e.name + ": " + e.message;
  }
  window.__tfjs = out;
</script>`;

test("in headless Chromium: import map + the plugin load, predict, fit, match the known answers and Keras's masks", async () => {
  const { createReadStream } = await import("node:fs");
  const { stat } = await import("node:fs/promises");
  const { createServer } = await import("node:http");
  const { extname, resolve, sep } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const { chromium } = await import("playwright-core");
  const root = resolve(fileURLToPath(repo));
  const types = { ".js": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    if (path === "/tfjs-test.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
      return;
    }
    const file = resolve(root, "." + path);
    const type = types[extname(file)];
    if (!file.startsWith(root + sep) || type === undefined || !(await stat(file).catch(() => null))?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": type });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/tfjs-test.html`);
    await page.waitForFunction(() => window.__tfjs !== undefined, null, { timeout: 120_000 }).catch((e) => {
      throw new Error(`the page did not finish: ${errors.join("; ") || e.message}`);
    });
    const out = await page.evaluate(() => window.__tfjs);
    assert.equal(out.error, undefined);
    assert.match(out.without, /^Unknown layer: SpatialDropout3D\./);
    assert.deepEqual(out.classes, ["SpatialDropout3D", "SpatialDropout2D"]);
    CONV3D.predict.values.forEach((want, i) => {
      assert.ok(Math.abs(out.predict[i] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `predict[${i}]`);
    });
    assert.equal(out.kernelChanged, true);
    assert.equal(out.cases, KNOWN.cases.length);
    const safePairs = KERAS_MASKS.cases
      .filter((c) => Number.isSafeInteger(Number(c.seed)))
      .reduce((n, c) => n + c.calls.length, 0);
    assert.equal(out.kerasPairs, safePairs);
    console.log(`# keras_masks.json through the plugin in Chromium: ${out.kerasPairs} (case, call) pairs`);
    assert.deepEqual(out.failures, []);
  } finally {
    await browser.close();
    server.close();
  }
});
