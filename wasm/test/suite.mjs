// The package's test suite, shared by Node (node:test) and headless Chromium (playwright-core).
//
// `defineSuite({ test, lib, data })`: `test(name, fn)` registers a test, `lib` is the imported
// package, `data` holds the shared fixtures as parsed JSON / text:
//   knownAnswers  tests/vectors/known_answers.json
//   manifest      tests/fixtures/keras/manifest.json
//   fixtures      { [file]: text } for every file the manifest lists
//   kerasMasks    tests/fixtures/keras_masks.json (masks TensorFlow's Keras drew)
// Nothing here depends on Node or the DOM, so both runners check the same things.

// ---- assertions: tiny and portable --------------------------------------------------------

class AssertionError extends Error {}

function fail(message) {
  throw new AssertionError(message);
}

function ok(value, message) {
  if (!value) fail(message ?? "expected a truthy value");
}

function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) {
    fail(`${message ?? "not equal"}: got ${show(actual)}, expected ${show(expected)}`);
  }
}

function show(v) {
  return typeof v === "bigint" ? `${v}n` : typeof v === "string" ? JSON.stringify(v) : String(v);
}

function deepEqual(actual, expected, message) {
  const a = stringify(actual);
  const b = stringify(expected);
  if (a !== b) fail(`${message ?? "not deep-equal"}:\n  got      ${a}\n  expected ${b}`);
}

function stringify(v) {
  return JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
}

/** Bit patterns of a Float32Array, so +0/-0 and NaN payloads count. */
function bits(f32) {
  return new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
}

function sameBits(actual, expected, message) {
  const a = bits(actual);
  if (a.length !== expected.length) fail(`${message}: length ${a.length}, expected ${expected.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== expected[i] >>> 0) {
      fail(`${message}: element ${i} is 0x${a[i].toString(16)}, expected 0x${(expected[i] >>> 0).toString(16)}`);
    }
  }
}

/** `fn` throws an instance of `type` whose message matches `pattern`, and no wasm trap. */
function throws(fn, type, pattern, message) {
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const what = message ?? String(fn);
  if (error === undefined) fail(`${what}: did not throw`);
  if (error instanceof AssertionError) throw error;
  if (/unreachable|RuntimeError/i.test(`${error?.name} ${error?.message}`)) {
    fail(`${what}: ended in a wasm trap: ${error}`);
  }
  if (!(error instanceof type)) fail(`${what}: threw ${error?.name} (${error?.message}), expected ${type.name}`);
  if (!pattern.test(error.message)) fail(`${what}: message ${JSON.stringify(error.message)} does not match ${pattern}`);
  return error;
}

// ---- the shared input of the known answers ------------------------------------------------

/** x[i] of tests/vectors/known_answers.json: a deterministic mix with ±inf and -0.0. */
export function knownInput(n) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 89 === 5) x[i] = Infinity;
    else if (i % 83 === 7) x[i] = -0;
    else if (i % 79 === 3) x[i] = -Infinity;
    else x[i] = (((i * 7919) % 2003) - 1001) / 64;
  }
  return x;
}

const product = (dims) => dims.reduce((a, b) => a * b, 1);

/** The map (sample × channels + channel) of each flat index. */
function mapOf(i, dims, format) {
  const channels = format === "channels_last" ? dims[dims.length - 1] : dims[1];
  const mapLen = product(dims) / (dims[0] * channels);
  if (format === "channels_first") return Math.floor(i / mapLen);
  const n = Math.floor(i / (mapLen * channels));
  return n * channels + (i % channels);
}

// ---- the suite ------------------------------------------------------------------------------

// Every bad argument of the JS API, as [call, error type, message pattern]: run by the suite in
// Node and Chromium, and by test/bad_inputs.test.mjs, which writes each exact message into
// docs/bad-inputs.md. `layer` is a SpatialDropout2D, `x` a Float32Array of `dims` = [2, 3, 4, 5].
export function badArguments(lib, { layer, x, dims }) {
  const { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, WasmBuffer, maskWords, spatialDropout } = lib;
  const T = TypeError;
  const R = RangeError;
  const E = Error;
  return [
    // constructor options
    [() => new SpatialDropout2D(), T, /options object/],
    [() => new SpatialDropout2D(0.5), T, /options object/],
    [() => new SpatialDropout2D({}), T, /`rate` must be a number/],
    [() => new SpatialDropout2D({ rate: "0.5" }), T, /`rate` must be a number/],
    [() => new SpatialDropout2D({ rate: -0.1 }), R, /Expected a float value between 0 and 1. Received: rate=-0.1/],
    [() => new SpatialDropout2D({ rate: 1.5 }), R, /between 0 and 1/],
    [() => new SpatialDropout2D({ rate: NaN }), R, /rate=nan$/],
    [() => new SpatialDropout2D({ rate: Infinity }), R, /rate=inf$/],
    [() => new SpatialDropout2D({ rate: 0.5, dataFormat: "nchw" }), R, /channels_first.*channels_last/],
    [() => new SpatialDropout2D({ rate: 0.5, dataFormat: 1 }), T, /dataFormat/],
    [() => new SpatialDropout1D({ rate: 0.5, dataFormat: "channels_first" }), E, /^`data_format` must be channels_last or absent \(SpatialDropout1D is always channels_last\)$/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: -1 }), R, /non-negative integer/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: 1.5 }), R, /non-negative integer/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: 2 ** 53 }), R, /bigint/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: -1n }), R, /2\^64/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: 1n << 64n }), R, /2\^64/],
    [() => new SpatialDropout2D({ rate: 0.5, seed: "7" }), T, /seed/],
    [() => new SpatialDropout2D({ rate: 0.5, name: 7 }), T, /name/],
    [() => new SpatialDropout2D({ rate: 0.5, name: "n".repeat(65) }), R, /longer than 64 bytes/],
    [() => new SpatialDropout2D({ rate: 0.5, data_format: "channels_first" }), T, /unknown option `data_format`/],
    [() => new SpatialDropout2D({ rate: 0.5, training: true }), T, /unknown option `training`/],
    [() => new SpatialDropout2D({ rate: 0.5, masks: 1 }), T, /`masks` must be a scheme name/],
    [() => new SpatialDropout2D({ rate: 0.5, masks: "philox" }), R, /the mask scheme must be one of 'keras', 'keras-xla', 'keras-3.4', 'keras-3.4-xla', 'xorshift'/],
    [() => new SpatialDropout2D({ rate: 0.5, masks: null }), T, /`masks`/],
    // call / callInPlace / backward arguments
    [() => layer.call([1, 2, 3], [1, 1, 1, 3]), T, /`inputs` must be a Float32Array, got an Array/],
    [() => layer.call(new Float64Array(120), dims), T, /Float32Array, got a Float64Array/],
    [() => layer.call(x), T, /`shape` must be an array/],
    [() => layer.call(x, "2,3,4,5"), T, /`shape` must be an array/],
    [() => layer.call(x, [2, 3, 20]), E, /^Input is incompatible with the layer: expected ndim=4, found ndim=3$/],
    [() => layer.call(x, [1, 2, 3, 4, 5]), E, /expected ndim=4, found ndim=5/],
    [() => layer.call(x, [2, 3, 4, 6]), E, /^`data` holds 120 elements but the shape needs 144$/],
    [() => layer.call(x, [2, 3, -4, -5]), R, /shape\[2\] must be a non-negative integer/],
    [() => layer.call(x, [2, 3, 4.5, 5]), R, /shape\[2\] must be a non-negative integer/],
    [() => layer.call(x, [2, 3, NaN, 5]), R, /shape\[2\]/],
    [() => layer.call(x, [2, 3, "4", 5]), T, /shape\[2\] must be a number/],
    [() => layer.call(x, [2, 3, 4, 2 ** 32]), R, /larger than wasm32/],
    [() => layer.call(new Float32Array(0), [0, 65536, 65536, 2]), R, /overflows usize/],
    [() => layer.call(x, dims, 1), T, /`training` must be true or false/],
    [() => layer.call(x, dims, "yes"), T, /`training`/],
    [() => layer.callInPlace(new Float64Array(120), dims, true), T, /`data` must be a Float32Array/],
    [() => layer.callInPlace(x, [120, 1, 1, 2], true), E, /`data` holds 120 elements but the shape needs 240/],
    [() => layer.backward(x, dims), E, /needs a forward call/],
    [() => layer.backward([1], dims), T, /`gradOutputs` must be a Float32Array/],
    // the call number
    [() => layer.setCalls(), T, /`k` must be a non-negative integer number or bigint, got undefined/],
    [() => layer.setCalls("3"), T, /`k` must be/],
    [() => layer.setCalls(-1), R, /non-negative integer/],
    [() => layer.setCalls(1.5), R, /non-negative integer/],
    [() => layer.setCalls(2 ** 53), R, /bigint/],
    [() => layer.setCalls(1n << 64n), R, /2\^64/],
    // the functional op
    [() => spatialDropout(x, dims), T, /options object/],
    [() => spatialDropout(x, dims, { rate: 2 }), R, /rate=2/],
    [() => spatialDropout(x, [120, 1], { rate: 0.5 }), E, /3, 4 or 5 dims/],
    [() => spatialDropout(x, [1, 1, 1, 1, 1, 120], { rate: 0.5 }), E, /expected ndim=5, found ndim=6/],
    [() => spatialDropout(x, [2, 3, 4, 5], { rate: 0.5, training: 1 }), T, /`training`/],
    [() => spatialDropout(x, [2, 3, 4, 5], { rate: 0.5, seed: -3 }), R, /seed/],
    [() => spatialDropout(x, [2, 3, 4, 5], { rate: 0.5, dataformat: "channels_first" }), T, /unknown option `dataformat`/],
    [() => spatialDropout(x, [2, 3, 4, 4], { rate: 0.5 }), E, /holds 120 elements/],
    [() => spatialDropout(x, dims, { rate: 0.5, masks: "keras3" }), R, /the mask scheme must be one of/],
    [() => spatialDropout(x, dims, { rate: 0.5, masks: ["keras"] }), T, /`masks` must be a scheme name/],
    // Keras's mask words
    [() => maskWords(), T, /maskWords takes an options object/],
    [() => maskWords({ maps: 4, rate: 0.5 }), T, /needs a `seed`/],
    [() => maskWords({ maps: "4", rate: 0.5, seed: 1 }), T, /`maps` must be a number/],
    [() => maskWords({ maps: -1, rate: 0.5, seed: 1 }), R, /`maps` must be an integer/],
    [() => maskWords({ maps: 4, rate: 0.5, seed: 1, call: -1 }), R, /`call` must be a non-negative integer/],
    [() => maskWords({ maps: 4, rate: 0.5, seed: 1, masks: "xorshift" }), R, /xorshift/],
    [() => maskWords({ maps: 4, rate: 0.5, seed: 1, step: 2 }), T, /unknown option `step`/],
    // configs
    [() => SpatialDropout2D.fromConfig(), T, /config object or its JSON text/],
    [() => SpatialDropout2D.fromConfig(42), T, /config object or its JSON text/],
    [() => SpatialDropout2D.fromConfig("{\"rate\": 0.5"), E, /malformed JSON/],
    [() => SpatialDropout2D.fromConfig("[1, 2]"), E, /JSON object/],
    [() => SpatialDropout2D.fromConfig({ seed: 1 }), E, /rate/],
    [() => SpatialDropout2D.fromConfig({ rate: 1.5 }), R, /rate=1.5/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, data_format: "nhwc" }), R, /data_format/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, seed: 2 ** 60 }), R, /bigint/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, seed: -1 }), R, /non-negative/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, dtype: "float16" }), E, /float32/],
    [() => SpatialDropout1D.fromConfig({ rate: 0.5, data_format: "channels_first" }), E, /channels_first|data_format/],
    [() => SpatialDropout3D.fromConfig({ class_name: "SpatialDropout2D", config: { rate: 0.5 } }), E, /SpatialDropout2D/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, dataFormat: "channelsFirst", data_format: "channels_last" }), E, /both data_format "channels_last" and TF.js's dataFormat "channelsFirst"/],
    [() => SpatialDropout2D.fromConfig({ rate: 0.5, dataFormat: "nchw" }), R, /data_format/],
    // zero-copy buffers
    [() => new WasmBuffer(-1), R, /an integer in \[0, 2\^32 - 1\]/],
    [() => new WasmBuffer(1.5), R, /an integer in \[0, 2\^32 - 1\]/],
    [() => new WasmBuffer("10"), T, /WasmBuffer length must be a number of floats, got the string "10"/],
    [() => new WasmBuffer(2 ** 29), R, /^a buffer holds at most 536870911 floats: one wasm32 allocation is under 2 GiB$/],
    [() => new WasmBuffer(2 ** 31), R, /at most 536870911 floats/],
    [() => layer.callInPlace(new WasmBuffer(10), dims, true), E, /holds 10 elements/],
  ];
}

export function defineSuite({ test, lib, data }) {
  const { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, WasmBuffer, spatialDropout } = lib;
  const classes = { 1: SpatialDropout1D, 2: SpatialDropout2D, 3: SpatialDropout3D };
  // The known answers are the XorShift scheme's (version 0.1's masks), so they name it.
  const layerOf = (c, seed = c.seed) =>
    new classes[c.rank]({ rate: c.rate, seed, masks: "xorshift", ...(c.rank === 1 ? {} : { dataFormat: c.data_format }) });

  const cases = data.knownAnswers.cases;

  test("known answers: vectors file is the expected format", () => {
    equal(data.knownAnswers.format, "spatial-dropout known answers v1", "format");
    ok(cases.length >= 10, "at least 10 known-answer cases");
  });

  test("known answers: call, successive masks, bit for bit", () => {
    for (const c of cases) {
      const layer = layerOf(c);
      const x = knownInput(product(c.dims));
      const before = x.slice();
      c.calls.forEach((expected, k) => {
        const y = layer.call(x, c.dims, true);
        sameBits(y, expected.output_bits, `${c.name} call ${k}`);
        // The mask, read back from the output wherever a map's values tell kept from dropped.
        const scale = Math.fround(1 / (1 - c.rate));
        for (let i = 0; i < x.length; i++) {
          const kept = bits(new Float32Array([x[i] * scale]))[0];
          if (kept === 0) continue;
          const m = mapOf(i, c.dims, c.data_format);
          const bit = (expected.mask[m >>> 5] >>> (m & 31)) & 1;
          equal(bits(y.subarray(i, i + 1))[0] === kept ? 1 : 0, bit, `${c.name} call ${k} map ${m} kept`);
        }
      });
      sameBits(x, bits(before), `${c.name}: input untouched`);
      layer.free();
    }
  });

  test("known answers: callInPlace on a Float32Array and on a WasmBuffer", () => {
    for (const c of cases) {
      const n = product(c.dims);
      const copying = layerOf(c);
      const zeroCopy = layerOf(c);
      const buffer = new WasmBuffer(n);
      c.calls.forEach((expected, k) => {
        const x = knownInput(n);
        copying.callInPlace(x, c.dims, true);
        sameBits(x, expected.output_bits, `${c.name} callInPlace ${k}`);
        buffer.view().set(knownInput(n));
        zeroCopy.callInPlace(buffer, c.dims, true);
        sameBits(buffer.view(), expected.output_bits, `${c.name} WasmBuffer ${k}`);
      });
      copying.free();
      zeroCopy.free();
      buffer.free();
    }
  });

  test("known answers: spatialDropout gives the first mask of a fresh layer", () => {
    for (const c of cases) {
      const x = knownInput(product(c.dims));
      const options = { rate: c.rate, seed: c.seed, dataFormat: c.data_format, training: true, masks: "xorshift" };
      sameBits(spatialDropout(x, c.dims, options), c.calls[0].output_bits, `${c.name} spatialDropout`);
    }
  });

  test("backward replays the mask of the last forward call", () => {
    for (const c of cases) {
      const layer = layerOf(c);
      const x = knownInput(product(c.dims));
      throws(() => layer.backward(x, c.dims), Error, /forward call/, `${c.name} backward first`);
      c.calls.forEach((expected, k) => {
        layer.call(x, c.dims, true);
        // The gradient of the same values is the forward output, twice over (backward is pure).
        sameBits(layer.backward(x, c.dims), expected.output_bits, `${c.name} backward ${k}`);
        sameBits(layer.backward(x, c.dims), expected.output_bits, `${c.name} backward ${k} again`);
      });
      layer.call(x, c.dims, false);
      sameBits(layer.backward(x, c.dims), bits(x), `${c.name} backward after inference`);
      layer.free();
    }
  });

  test("inference (the default) copies bit for bit and draws nothing", () => {
    const c = cases.find((k) => k.rate > 0 && k.rate < 1 && product(k.dims) > 0);
    const layer = layerOf(c);
    const x = knownInput(product(c.dims));
    sameBits(layer.call(x, c.dims), bits(x), "call()");
    sameBits(layer.call(x, c.dims, false), bits(x), "call(false)");
    const y = x.slice();
    layer.callInPlace(y, c.dims);
    sameBits(y, bits(x), "callInPlace()");
    sameBits(spatialDropout(x, c.dims, { rate: c.rate, dataFormat: c.data_format }), bits(x), "spatialDropout()");
    // Nothing drawn: the first training call still gives the first mask.
    sameBits(layer.call(x, c.dims, true), c.calls[0].output_bits, "first mask after inference");
    layer.free();
  });

  test("seeds: number and bigint agree, the full u64 range works, getters keep the type", () => {
    const dims = [4, 6, 6, 16];
    const x = knownInput(product(dims));
    const a = new SpatialDropout2D({ rate: 0.5, seed: 42 });
    const b = new SpatialDropout2D({ rate: 0.5, seed: 42n });
    for (let k = 0; k < 3; k++) sameBits(a.call(x, dims, true), bits(b.call(x, dims, true)), `call ${k}`);
    equal(a.seed, 42, "number seed");
    equal(b.seed, 42, "small bigint seed reads back as a number");
    const max = (1n << 64n) - 1n;
    const big = new SpatialDropout3D({ rate: 0.5, seed: max });
    equal(big.seed, max, "u64::MAX seed");
    equal(big.getConfig().seed, max, "u64::MAX seed in getConfig");
    ok(big.getConfigJSON().includes('"seed":18446744073709551615'), "exact seed in the JSON");
    const safe = Number.MAX_SAFE_INTEGER;
    equal(new SpatialDropout1D({ rate: 0.1, seed: safe }).seed, safe, "MAX_SAFE_INTEGER seed");
    equal(new SpatialDropout1D({ rate: 0.1, seed: BigInt(safe) + 1n }).seed, BigInt(safe) + 1n, "2^53 as bigint");
    // The known answers include MAX_SAFE_INTEGER; a bigint of it gives the same bits.
    const c = cases.find((k) => k.seed === safe);
    sameBits(layerOf(c, BigInt(safe)).call(knownInput(product(c.dims)), c.dims, true), c.calls[0].output_bits, "bigint seed");
    a.free();
    b.free();
    big.free();
  });

  test("no seed: crypto randomness, a null config seed", () => {
    const dims = [8, 4, 4, 32];
    const x = knownInput(product(dims)).fill(1);
    const a = new SpatialDropout2D({ rate: 0.5 });
    const b = new SpatialDropout2D({ rate: 0.5 });
    equal(a.seed, null, "seed");
    equal(a.getConfig().seed, null, "config seed");
    // 256 maps: two independent masks agree with probability 2^-256.
    ok(!sameMask(a.call(x, dims, true), b.call(x, dims, true)), "two seedless layers draw different masks");
    const zero = new SpatialDropout2D({ rate: 0.5, seed: 0 });
    ok(!sameMask(new SpatialDropout2D({ rate: 0.5 }).call(x, dims, true), zero.call(x, dims, true)), "not seed 0");
    const y = spatialDropout(x, dims, { rate: 0.5, training: true });
    const z = spatialDropout(x, dims, { rate: 0.5, training: true });
    ok(!sameMask(y, z), "seedless spatialDropout calls differ");
  });

  function sameMask(a, b) {
    return bits(a).every((v, i) => v === bits(b)[i]);
  }

  test("layer properties and defaults", () => {
    const l1 = new SpatialDropout1D({ rate: 0.25 });
    equal(l1.rate, 0.25, "rate");
    equal(l1.dataFormat, "channels_last", "1D format");
    equal(l1.name, "spatial_dropout1d", "default name");
    const l3 = new SpatialDropout3D({ rate: 0.3, dataFormat: "Channels_First", seed: 9, name: "drop" });
    equal(l3.dataFormat, "channels_first", "format, case-insensitive as in Keras");
    equal(l3.name, "drop", "name");
    equal(new SpatialDropout2D({ rate: 0.1 }).name, "spatial_dropout2d", "2D default name");
    deepEqual(
      l3.getConfig(),
      { rate: 0.3, seed: 9, name: "drop", dtype: "float32", data_format: "channels_first" },
      "getConfig",
    );
    deepEqual(l1.getConfig(), { rate: 0.25, seed: null, name: "spatial_dropout1d", dtype: "float32" }, "1D getConfig");
    for (const prop of ["rate", "dataFormat", "seed", "name"]) {
      throws(() => {
        l3[prop] = 1;
      }, TypeError, /./, `assigning ${prop}`);
    }
    l3.free();
    l3.free();
    throws(() => l3.call(new Float32Array(0), [0, 0, 0, 0, 0]), Error, /freed/, "call after free");
    throws(() => l3.rate, Error, /freed/, "rate after free");
  });

  test("config round trips on the Keras fixtures", () => {
    let read = 0;
    for (const entry of data.manifest.cases) {
      const text = data.fixtures[entry.file];
      const cls = classes[entry.rank];
      if (entry.error !== undefined) {
        const pattern = entry.error === "UnsupportedDtype" ? /float32/ : /SpatialDropout|layer class/;
        throws(() => cls.fromConfig(text), Error, pattern, `${entry.file} is rejected`);
        continue;
      }
      const layer = cls.fromConfig(text);
      equal(layer.getConfigJSON(), entry.get_config, `${entry.file}: Keras's get_config bytes`);
      equal(layer.name, entry.name, `${entry.file}: name`);
      equal(layer.dataFormat, entry.data_format, `${entry.file}: data_format`);
      equal(layer.rate, Number(entry.rate), `${entry.file}: rate`);
      const seedText = /"seed":(null|\d+)/.exec(entry.get_config)[1];
      equal(layer.seed, seedText === "null" ? null : exactInt(seedText), `${entry.file}: seed`);
      // The object form, as getConfig returns it, reads back to the same bytes.
      const again = cls.fromConfig(layer.getConfig());
      equal(again.getConfigJSON(), entry.get_config, `${entry.file}: object round trip`);
      // And so does Keras's serialized form.
      equal(cls.fromConfig(entry.serialized).getConfigJSON(), entry.get_config, `${entry.file}: serialized`);
      layer.free();
      again.free();
      read++;
    }
    ok(read >= 100, `read ${read} fixtures`);
  });

  function exactInt(text) {
    const n = BigInt(text);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }

  test("fromConfig: the layer trains as one built from options", () => {
    const dims = [2, 3, 3, 3, 8];
    const x = knownInput(product(dims));
    const fromConfig = SpatialDropout3D.fromConfig({ rate: 0.5, seed: 123, name: "c", dtype: "float32", data_format: "channels_first" });
    const built = new SpatialDropout3D({ rate: 0.5, seed: 123, name: "c", dataFormat: "channels_first" });
    for (let k = 0; k < 3; k++) sameBits(fromConfig.call(x, dims, true), bits(built.call(x, dims, true)), `call ${k}`);
    const big = SpatialDropout2D.fromConfig({ rate: 0.5, seed: 18446744073709551615n });
    equal(big.seed, 18446744073709551615n, "bigint seed in a config object");
  });

  test("every bad argument throws a clear JavaScript error and changes nothing", () => {
    const dims = [2, 3, 4, 5];
    const x = knownInput(product(dims));
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 5 });
    const E = Error;
    const bad = badArguments(lib, { layer, x, dims });
    for (const [fn, type, pattern] of bad) throws(fn, type, pattern);
    // None of the failed calls drew from the generator or left state behind.
    const fresh = new SpatialDropout2D({ rate: 0.5, seed: 5 });
    sameBits(layer.call(x, dims, true), bits(fresh.call(x, dims, true)), "first mask after the errors");
    throws(() => layer.backward(x, [2, 3, 5, 4]), E, /shape other than/, "backward with other dims");
    const freed = new WasmBuffer(4);
    freed.free();
    throws(() => freed.view(), E, /freed/, "view of a freed buffer");
    throws(() => layer.callInPlace(freed, [1, 1, 1, 4]), E, /freed/, "freed buffer");
    layer.free();
    fresh.free();
  });

  test("zero copy: views are re-created after wasm memory grows", () => {
    const dims = [1, 4, 4, 8];
    const n = product(dims);
    const buffer = new WasmBuffer(n);
    equal(buffer.length, n, "length");
    ok(buffer.view().every((v) => v === 0), "zeroed");
    const first = buffer.view();
    first.set(knownInput(n));
    equal(buffer.view(), first, "the same view while memory has not grown");
    // Force growth: 64 MiB more than any earlier test used.
    const big = new WasmBuffer(16 * 1024 * 1024);
    equal(first.length, 0, "the old view is detached after growth");
    // A detached view is named as such, not as an array of 0 elements.
    const probe = new SpatialDropout2D({ rate: 0.5, seed: 1 });
    const detached = /a view of wasm memory that was detached when the memory grew: take `buffer.view\(\)` again/;
    throws(() => probe.call(first, dims, true), TypeError, detached, "call on a detached view");
    throws(() => probe.callInPlace(first, dims, true), TypeError, detached, "callInPlace on a detached view");
    throws(() => probe.backward(first, dims), TypeError, detached, "backward on a detached view");
    throws(() => spatialDropout(first, dims, { rate: 0.5 }), TypeError, detached, "spatialDropout on a detached view");
    probe.free();
    const again = buffer.view();
    equal(again.length, n, "a new view");
    sameBits(again, bits(knownInput(n)), "the data survived the growth");
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 1 });
    layer.callInPlace(buffer, dims, true);
    const expected = new SpatialDropout2D({ rate: 0.5, seed: 1 }).call(knownInput(n), dims, true);
    sameBits(buffer.view(), bits(expected), "processed in place");
    // A view passed to the copying API is read before the scratch allocations (here 2 × 16 MiB,
    // so memory grows) can detach it.
    const huge = new WasmBuffer(4 * 1024 * 1024);
    huge.view().set(knownInput(huge.length));
    const fromView = layer.call(huge.view(), [1, 1024, 1024, 4], false);
    sameBits(fromView, bits(knownInput(huge.length)), "call on a view copies its values");
    huge.free();
    throws(() => layer.callInPlace(buffer.view(), dims, true), TypeError, /pass the WasmBuffer itself/, "callInPlace on a view");
    big.free();
    buffer.free();
  });

  test("fromConfig reads TF.js's camelCase dataFormat (a TF.js layer's getConfig()), never a silent channels_last", () => {
    // What `spatial-dropout/tfjs`'s SpatialDropout2D.getConfig() returns.
    const tfjs = { name: "drop", trainable: true, dtype: "float32", rate: 0.5, noiseShape: null, seed: 3, dataFormat: "channelsFirst" };
    for (const config of [tfjs, JSON.stringify(tfjs), { class_name: "SpatialDropout2D", config: tfjs }]) {
      const layer = SpatialDropout2D.fromConfig(config);
      equal(layer.dataFormat, "channels_first", `dataFormat of ${typeof config === "string" ? "text" : "object"}`);
      const reference = new SpatialDropout2D({ rate: 0.5, seed: 3, dataFormat: "channels_first" });
      const x = knownInput(2 * 3 * 4 * 5);
      sameBits(layer.call(x, [2, 3, 4, 5], true), bits(reference.call(x, [2, 3, 4, 5], true)), "same masks");
      layer.free();
      reference.free();
    }
    equal(SpatialDropout3D.fromConfig({ ...tfjs, dataFormat: "channelsLast" }).dataFormat, "channels_last", "channelsLast");
    equal(SpatialDropout2D.fromConfig({ ...tfjs, data_format: "channels_first" }).dataFormat, "channels_first", "both keys agreeing");
  });

  // ---- TensorFlow's own masks: tests/fixtures/keras_masks.json ------------------------------

  const keras = data.kerasMasks;
  const kerasPairs = keras.cases.reduce((n, c) => n + c.calls.length, 0);
  const kerasLayer = (c) =>
    new classes[c.rank]({
      rate: Number(c.rate),
      // Always a bigint: seeds up to 2^62 come as decimal strings.
      seed: BigInt(c.seed),
      masks: c.variant,
      ...(c.rank === 1 ? {} : { dataFormat: c.data_format }),
    });
  const ones = (dims) => new Float32Array(product(dims)).fill(1);
  /** The keep string ("1" kept, one char per map m) of an output of ones; "" without elements. */
  function keepOf(y, dims, format, where) {
    if (y.length === 0) return "";
    const channels = format === "channels_last" ? dims[dims.length - 1] : dims[1];
    const keep = new Array(dims[0] * channels).fill(undefined);
    for (let i = 0; i < y.length; i++) {
      const m = mapOf(i, dims, format);
      const kept = y[i] !== 0 ? "1" : "0";
      if (keep[m] !== undefined && keep[m] !== kept) fail(`${where}: map ${m} is kept in part`);
      keep[m] = kept;
    }
    return keep.join("");
  }
  /** The keep string of mask words over `maps` maps. */
  const keepOfWords = (words, maps) =>
    Array.from({ length: maps }, (_, m) => ((words[m >>> 5] >>> (m & 31)) & 1 ? "1" : "0")).join("");
  /** Runs every (case, call) of the fixture through `step(layer, c, call, where)`; returns the pairs. */
  function eachKerasCall(make, step) {
    let pairs = 0;
    for (const c of keras.cases) {
      const layer = make(c);
      equal(layer.masks, c.variant, `${c.id}: masks`);
      for (const call of c.calls) {
        const where = `${c.id} (${c.variant}, ${c.mode}) call ${call.k}`;
        // Resume at the fixture's call number where it jumps (the large-k cases).
        if (layer.calls !== BigInt(call.k)) layer.setCalls(call.k);
        equal(layer.calls, BigInt(call.k), `${where}: calls before`);
        step(layer, c, call, where);
        // Every training call counts, an empty tensor's too (rate 1e-7 … 0.97: all draw).
        equal(layer.calls, BigInt(call.k) + 1n, `${where}: calls after`);
        pairs++;
      }
      layer.free();
    }
    return pairs;
  }

  test("Keras fixtures: the file is the expected format", () => {
    equal(keras.format, "spatial-dropout keras masks v1", "format");
    ok(kerasPairs >= 1172, `${kerasPairs} (case, call) pairs`);
  });

  test("Keras fixtures: call drops the maps TensorFlow's Keras dropped, every (case, call)", () => {
    const pairs = eachKerasCall(kerasLayer, (layer, c, call, where) => {
      const y = layer.call(ones(call.dims), call.dims, true);
      equal(keepOf(y, call.dims, c.data_format, where), call.keep, where);
      // The kept maps hold the scale, the dropped ones +0.0.
      const scale = Math.fround(1 / (1 - Number(c.rate)));
      for (let i = 0; i < y.length; i++) {
        if (!(Object.is(y[i], 0) || y[i] === scale)) fail(`${where}: element ${i} is ${y[i]}`);
      }
    });
    equal(pairs, kerasPairs, "pairs checked");
  });

  test("Keras fixtures: callInPlace, then backward replays the same mask", () => {
    const pairs = eachKerasCall(kerasLayer, (layer, c, call, where) => {
      const y = ones(call.dims);
      layer.callInPlace(y, call.dims, true);
      equal(keepOf(y, call.dims, c.data_format, where), call.keep, `${where}: callInPlace`);
      const g = layer.backward(ones(call.dims), call.dims);
      sameBits(g, bits(y), `${where}: backward`);
    });
    equal(pairs, kerasPairs, "pairs checked");
  });

  test("Keras fixtures: a layer of every case, resumed with setCalls(bigint), over a WasmBuffer", () => {
    const pairs = eachKerasCall(kerasLayer, (layer, c, call, where) => {
      layer.setCalls(BigInt(call.k));
      const buffer = new WasmBuffer(product(call.dims));
      buffer.view().fill(1);
      layer.callInPlace(buffer, call.dims, true);
      equal(keepOf(buffer.view(), call.dims, c.data_format, where), call.keep, `${where}: WasmBuffer`);
      buffer.free();
    });
    equal(pairs, kerasPairs, "pairs checked");
  });

  test("Keras fixtures: maskWords gives every (case, call)'s mask without a tensor", () => {
    let pairs = 0;
    for (const c of keras.cases) {
      for (const call of c.calls) {
        if (call.keep === "") continue;
        const maps = call.keep.length;
        const words = lib.maskWords({ maps, rate: Number(c.rate), seed: BigInt(c.seed), call: call.k, masks: c.variant });
        equal(words.length, Math.ceil(maps / 32), `${c.id} call ${call.k}: words`);
        equal(keepOfWords(words, maps), call.keep, `${c.id} call ${call.k}: maskWords`);
        pairs++;
      }
    }
    ok(pairs > 1000, `${pairs} masks`);
  });

  test("Keras fixtures: spatialDropout with the seed and scheme gives call 0's mask", () => {
    let pairs = 0;
    for (const c of keras.cases) {
      const call = c.calls.find((k) => k.k === 0);
      if (call === undefined) continue;
      const y = spatialDropout(ones(call.dims), call.dims, {
        rate: Number(c.rate),
        seed: BigInt(c.seed),
        dataFormat: c.data_format,
        training: true,
        masks: c.variant,
      });
      equal(keepOf(y, call.dims, c.data_format, c.id), call.keep, `${c.id}: spatialDropout`);
      pairs++;
    }
    ok(pairs >= 300, `${pairs} cases with a call 0`);
  });

  test("masks and calls: the Keras default, read-only scheme, setCalls with numbers and bigints", () => {
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 42 });
    equal(layer.masks, "keras", "default scheme");
    equal(layer.calls, 0n, "calls of a new layer");
    throws(() => {
      layer.masks = "xorshift";
    }, TypeError, /./, "assigning masks");
    throws(() => {
      layer.calls = 3n;
    }, TypeError, /./, "assigning calls");
    const dims = [2, 3, 3, 8];
    const x = knownInput(product(dims));
    layer.call(x, dims, false);
    equal(layer.calls, 0n, "inference draws nothing");
    layer.call(x, dims, true);
    equal(layer.calls, 1n, "a training call counts");
    const keepNext = keepOfWords(lib.maskWords({ maps: 16, rate: 0.5, seed: 42, call: 1 }), 16);
    equal(keepOf(layer.call(ones(dims), dims, true), dims, "channels_last", "call 1"), keepNext, "call 1 is Keras's (42, 1)");
    const big = (1n << 60n) + 5n;
    layer.setCalls(big);
    equal(layer.calls, big, "a bigint call number above 2^53");
    const want = keepOfWords(lib.maskWords({ maps: 16, rate: 0.5, seed: 42, call: big }), 16);
    equal(keepOf(layer.call(ones(dims), dims, true), dims, "channels_last", "big k"), want, "the mask of call 2^60 + 5");
    layer.setCalls(7);
    equal(layer.calls, 7n, "a number call number");
    // A seed above 2^53 with the Keras scheme: the same as maskWords, and as the default.
    const seed = (1n << 62n) + 3n;
    const wide = new SpatialDropout3D({ rate: 0.3, seed, masks: "keras" });
    const dims3 = [3, 1, 2, 1, 5];
    const y = wide.call(ones(dims3), dims3, true);
    equal(keepOf(y, dims3, "channels_last", "2^62 + 3"), keepOfWords(lib.maskWords({ maps: 15, rate: 0.3, seed }), 15), "seed 2^62 + 3");
    equal(wide.seed, seed, "the seed reads back exactly");
    // The XorShift scheme keeps its own generator: setCalls only sets the count.
    const xs = new SpatialDropout2D({ rate: 0.5, seed: 42, masks: "xorshift" });
    equal(xs.masks, "xorshift", "xorshift");
    xs.setCalls(10);
    equal(xs.calls, 10n, "xorshift count");
    throws(() => lib.maskWords({ maps: 4, rate: 0.5, seed: 1, masks: "xorshift" }), Error, /xorshift/, "maskWords xorshift");
    for (const l of [layer, wide, xs]) l.free();
  });

  test("an empty tensor with a huge batch returns at once and counts as a call", () => {
    for (const masks of ["keras", "keras-3.4-xla", "xorshift"]) {
      const layer = new SpatialDropout3D({ rate: 0.5, seed: 1, masks });
      const start = Date.now();
      for (const dims of [[2 ** 30, 1, 0, 1, 1], [0xffff_ffff, 1, 1, 0, 1], [2 ** 20, 0, 1, 1, 2 ** 11]]) {
        equal(layer.call(new Float32Array(0), dims, true).length, 0, `${masks} ${dims}`);
        layer.callInPlace(new Float32Array(0), dims, true);
        equal(layer.backward(new Float32Array(0), dims).length, 0, `${masks} ${dims} backward`);
      }
      equal(spatialDropout(new Float32Array(0), [0xffff_ffff, 0, 1], { rate: 0.5, seed: 1, training: true, masks }).length, 0, "op");
      const took = Date.now() - start;
      ok(took < 1000, `${masks}: six empty calls took ${took} ms`);
      equal(layer.calls, 6n, `${masks}: six calls counted`);
      if (masks !== "xorshift") {
        // The next call draws Keras's mask of call 6, as in Keras after six empty calls.
        const dims = [4, 1, 1, 1, 8];
        const keep = keepOf(layer.call(ones(dims), dims, true), dims, "channels_last", masks);
        equal(keep, keepOfWords(lib.maskWords({ maps: 32, rate: 0.5, seed: 1, call: 6, masks }), 32), `${masks}: call 6`);
      }
      layer.free();
    }
  });

  test("empty tensors and zero dims", () => {
    const l = new SpatialDropout3D({ rate: 0.5, seed: 1 });
    equal(l.call(new Float32Array(0), [0, 1, 1, 1, 4], true).length, 0, "zero batch");
    equal(l.call(new Float32Array(0), [2, 0, 3, 3, 4], true).length, 0, "zero depth");
    equal(spatialDropout(new Float32Array(0), [0, 0, 0], { rate: 0.5, training: true }).length, 0, "functional");
  });
}
