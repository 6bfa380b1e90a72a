// The demo page in headless Chromium, checked against the package run in Node.
//
// The page is served by examples/web/serve.mjs (the server users run) and driven like a user
// would: controls changed, buttons pressed, JSON pasted. Every number it shows (scale, dropped
// (sample, channel) pairs, greyed maps, Monte Carlo statistics, configs) is compared with the
// same package imported here, fed the same input with the same seed, rate and call sequence.
// Masks are read here from the outputs (a map is dropped iff all of it is +0), not from the
// gradient the page uses. Any console error, page error, failed request or HTTP error fails the
// test. A screenshot goes to examples/web/test/screenshot.png (or $SCREENSHOT).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import * as lib from "../../../wasm/node.js";
import { startServer, REPO } from "../serve.mjs";
import { CHANNELS, EDGE, makeInput } from "../volume.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = process.env.SCREENSHOT ?? fileURLToPath(new URL("./screenshot.png", import.meta.url));
const FIXTURES = `${REPO}/tests/fixtures/keras`;

let server;
let browser;
let page;
const problems = [];

before(async () => {
  server = await startServer({ port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(`http://127.0.0.1:${server.address().port}/`) && !r.url().startsWith("data:")) {
      problems.push(`request beyond the local server: ${r.url()}`);
    }
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

// ---------------------------------------------------------------------------------------------
// The reference: the package in Node.

/** Elements of map (sample s, channel c) for dims in memory order, computed from the dims alone. */
function mapElements(dims, format, s, c) {
  const mapLen = dims.slice(1).reduce((a, b) => a * b, 1) / CHANNELS;
  const out = new Array(mapLen);
  for (let p = 0; p < mapLen; p++) {
    out[p] = format === "channels_first" ? (s * CHANNELS + c) * mapLen + p : (s * mapLen + p) * CHANNELS + c;
  }
  return out;
}

/** Dropped (s, c) pairs of one training output; asserts each map is all +0 or all x·scale. */
function droppedPairs(x, y, dims, format, rate) {
  const scale = Math.fround(1 / (1 - rate));
  const pairs = [];
  for (let s = 0; s < dims[0]; s++) {
    for (let c = 0; c < CHANNELS; c++) {
      const elements = mapElements(dims, format, s, c);
      const dropped = elements.every((i) => Object.is(y[i], 0));
      if (dropped) pairs.push([s, c]);
      else for (const i of elements) assert.equal(y[i], Math.fround(x[i] * scale), `map (${s}, ${c}) element ${i}`);
    }
  }
  return pairs;
}

class Reference {
  constructor({ rank, format, volumes = 2, rate, seed, layer }) {
    Object.assign(this, { rank, format, volumes, rate });
    this.input = makeInput(rank, format, volumes);
    this.layer = layer ?? new lib[`SpatialDropout${rank}D`]({ rate, seed, dataFormat: format });
  }

  step() {
    const y = this.layer.call(this.input.data, this.input.shape, true);
    return { y, pairs: droppedPairs(this.input.data, y, this.input.shape, this.format, this.rate) };
  }

  /** What the page's Monte Carlo table shows for depth slice z, computed with a two-pass std. */
  monteCarlo(T, z) {
    const outputs = [];
    const keptMaps = new Map();
    for (let t = 0; t < T; t++) {
      const { y, pairs } = this.step();
      outputs.push(y);
      const dropped = new Set(pairs.map(([s, c]) => `${s},${c}`));
      for (let s = 0; s < this.input.samples; s++) {
        for (let c = 0; c < CHANNELS; c++) {
          if (!dropped.has(`${s},${c}`)) keptMaps.set(`${s},${c}`, (keptMaps.get(`${s},${c}`) ?? 0) + 1);
        }
      }
    }
    const rows = [];
    const factor = Math.sqrt(this.rate / (1 - this.rate));
    for (let n = 0; n < this.volumes; n++) {
      for (let c = 0; c < CHANNELS; c++) {
        const samples = new Set();
        let sx = 0;
        let sAbs = 0;
        let sMean = 0;
        let sStd = 0;
        for (let y = 0; y < EDGE; y++) {
          samples.add(sampleOf(this.rank, n, z, y));
          for (let x = 0; x < EDGE; x++) {
            const i = flatIndex(this.rank, this.format, n, c, z, y, x);
            const v = this.input.data[i];
            sx += v;
            sAbs += Math.abs(v);
            const mean = outputs.reduce((a, o) => a + o[i], 0) / T;
            sMean += mean;
            sStd += Math.sqrt(outputs.reduce((a, o) => a + (o[i] - mean) ** 2, 0) / T);
          }
        }
        let kept = 0;
        for (const s of samples) kept += keptMaps.get(`${s},${c}`) ?? 0;
        const k = EDGE * EDGE;
        rows.push({
          kept: `${kept} / ${samples.size * T}`,
          x: sx / k,
          mean: sMean / k,
          std: sStd / k,
          predicted: (sAbs / k) * factor,
        });
      }
    }
    return rows;
  }
}

/** The layer sample holding voxel (n, ·, z, y): a volume, a slice or a row, by rank. */
function sampleOf(rank, n, z, y) {
  return rank === 3 ? n : rank === 2 ? n * EDGE + z : (n * EDGE + z) * EDGE + y;
}

/** Flat index of a voxel, from the sample and the memory order of the layer's dims. */
function flatIndex(rank, format, n, c, z, y, x) {
  const s = sampleOf(rank, n, z, y);
  const spatial = rank === 3 ? [z, y, x] : rank === 2 ? [y, x] : [x];
  const p = spatial.reduce((a, d) => a * EDGE + d, 0);
  const mapLen = EDGE ** rank;
  return format === "channels_first" ? (s * CHANNELS + c) * mapLen + p : (s * mapLen + p) * CHANNELS + c;
}

// ---------------------------------------------------------------------------------------------
// Reading and driving the page.

async function setValue(selector, value) {
  const field = page.locator(selector);
  await field.fill(String(value));
  await field.blur();
}

async function shown() {
  return page.evaluate(() => ({
    scale: document.getElementById("scale").textContent,
    counts: document.getElementById("counts").textContent,
    draws: Number(document.getElementById("draws").textContent),
    shape: document.getElementById("shape").textContent,
    config: document.getElementById("config").textContent,
    error: document.getElementById("error").hidden ? null : document.getElementById("error").textContent,
    pairs: [...document.querySelectorAll("#dropped .chip")].map((chip) => {
      const m = /^\((\d+), (\d+)\)$/.exec(chip.textContent);
      return m ? [Number(m[1]), Number(m[2])] : chip.textContent;
    }),
    outputs: [...document.querySelectorAll("canvas.map.output")].map((cv) => {
      const px = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
      return {
        n: Number(cv.dataset.volume),
        c: Number(cv.dataset.channel),
        droppedRows: Number(cv.dataset.droppedRows),
        greyed: cv.classList.contains("dropped"),
        // rows whose first pixel is one of the two greys of a dropped map
        greyRows: Array.from({ length: cv.height }, (_, y) => px.slice(y * cv.width * 4, y * cv.width * 4 + 3).join(",")).filter(
          (rgb) => rgb === "200,204,210" || rgb === "186,190,197",
        ).length,
      };
    }),
  }));
}

/** Clicks the "1D"/"2D"/"3D" segment, as a user would (the radio itself is visually hidden). */
async function setRank(rank) {
  await page.locator("#rank label", { hasText: `${rank}D` }).click();
  assert.equal(await page.locator(`input[name="rank"][value="${rank}"]`).isChecked(), true);
}

async function press(id) {
  await page.click(`#${id}`);
}

/** Compares what the page shows after a training step with the reference's step. */
async function checkStep(ref, draws, z) {
  const { pairs } = ref.step();
  const s = await shown();
  assert.equal(s.error, null);
  assert.equal(s.draws, draws);
  assert.deepEqual(s.pairs, pairs, "dropped (sample, channel) list");
  const maps = ref.input.samples * CHANNELS;
  assert.match(s.counts, new RegExp(`^${maps - pairs.length} kept / ${pairs.length} dropped`));
  if (pairs.length === maps) assert.match(s.scale, /^none/);
  else assert.equal(Number(s.scale.split(" ")[0]), Math.fround(1 / (1 - ref.rate)), `scale shown: ${s.scale}`);
  assert.equal(s.shape, `[${ref.input.shape.join(", ")}] ${ref.format}`);
  // Greyed maps at the slice shown.
  const dropped = new Set(pairs.map(([a, b]) => `${a},${b}`));
  assert.equal(s.outputs.length, ref.volumes * CHANNELS);
  for (const o of s.outputs) {
    let rows = 0;
    for (let y = 0; y < EDGE; y++) if (dropped.has(`${sampleOf(ref.rank, o.n, z, y)},${o.c}`)) rows++;
    assert.equal(o.droppedRows, rows, `dropped rows of volume ${o.n} channel ${o.c}`);
    assert.equal(o.greyRows, rows, `grey pixel rows of volume ${o.n} channel ${o.c}`);
    assert.equal(o.greyed, rows === EDGE);
  }
  return pairs;
}

function near(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) <= 1.5e-4, `${what}: page ${actual}, Node ${expected}`);
}

// ---------------------------------------------------------------------------------------------

test("the page against the package", async (t) => {
  await t.test("default layer and its Keras config", async () => {
    const s = await shown();
    const layer = new lib.SpatialDropout3D({ rate: 0.3, seed: 42 });
    assert.equal(s.config, layer.getConfigJSON());
    assert.equal(s.draws, 0);
    assert.equal(s.scale, "—");
    // The reference layers below are the package's defaults: Keras's masks.
    assert.equal(layer.masks, "keras");
    const note = await page.locator("#masks-note").textContent();
    assert.match(note.replace(/\s+/g, " "), /the same maps Keras drops with this seed/);
    assert.match(await page.locator("#status").textContent(), /the same maps Keras drops with this seed/);
  });

  const ref = new Reference({ rank: 3, format: "channels_last", rate: 0.35, seed: 1234 });

  await t.test("rate and seed change the layer", async () => {
    await setValue("#rate", "0.35");
    await setValue("#seed", "1234");
    const s = await shown();
    assert.equal(s.config, '{"rate":0.35,"seed":1234,"name":"spatial_dropout3d","dtype":"float32","data_format":"channels_last"}');
    assert.equal(s.config, ref.layer.getConfigJSON());
    assert.equal(await page.locator("#rate-range").inputValue(), "0.35");
  });

  await t.test("training steps: scale, dropped list, greyed maps", async () => {
    for (let k = 1; k <= 3; k++) {
      await press("step");
      await checkStep(ref, k, 8);
    }
  });

  await t.test("Monte Carlo ×T continues the layer's masks", async () => {
    await page.locator("#slice").fill("5");
    await setValue("#mc-t", "20");
    await press("mc");
    const expected = ref.monteCarlo(20, 5);
    const rows = await page.$$eval("#mc-table tbody tr", (trs) =>
      trs.map((tr) => Object.fromEntries([...tr.cells].map((td) => [td.dataset.key, td.textContent]))),
    );
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const e = expected[i];
      assert.equal(row.kept, e.kept, `row ${i} kept`);
      near(Number(row.x), e.x, `row ${i} mean x`);
      near(Number(row.mean), e.mean, `row ${i} MC mean`);
      near(Number(row.std), e.std, `row ${i} MC std`);
      near(Number(row.predicted), e.predicted, `row ${i} predicted std`);
    });
    // The next step draws mask 24 of the same generator.
    await press("step");
    await checkStep(ref, 24, 5);
  });

  await t.test("channels_first, then rank 2 and 1 reshape the volume", async () => {
    await page.selectOption("#format", "channels_first");
    await press("step");
    await checkStep(new Reference({ rank: 3, format: "channels_first", rate: 0.35, seed: 1234 }), 1, 5);

    await setRank(2);
    const ref2 = new Reference({ rank: 2, format: "channels_first", rate: 0.35, seed: 1234 });
    assert.equal((await shown()).config, ref2.layer.getConfigJSON());
    await press("step");
    const pairs = await checkStep(ref2, 1, 5);
    assert.equal(pairs.length > 0 && pairs.length < 2 * EDGE * CHANNELS, true);
    await press("step");
    await checkStep(ref2, 2, 5);
    await page.locator("#slice").fill("11");
    await press("step");
    await checkStep(ref2, 3, 11);
    await press("reset");
    assert.equal((await shown()).draws, 0);
    await press("step");
    await checkStep(new Reference({ rank: 2, format: "channels_first", rate: 0.35, seed: 1234 }), 1, 11);

    await setRank(1);
    assert.equal(await page.locator("#format").isDisabled(), true);
    assert.equal(await page.locator("#format").inputValue(), "channels_last");
    const ref1 = new Reference({ rank: 1, format: "channels_last", rate: 0.35, seed: 1234 });
    assert.equal((await shown()).config, ref1.layer.getConfigJSON());
    await press("step");
    await checkStep(ref1, 1, 11);
  });

  await t.test("rates 0 and 1, a seed above 2^53, no seed, a bad rate", async () => {
    await setRank(3);
    await setValue("#rate", "1");
    await press("step");
    await checkStep(new Reference({ rank: 3, format: "channels_last", rate: 1, seed: 1234 }), 1, 11);
    await setValue("#rate", "0");
    await press("step");
    await checkStep(new Reference({ rank: 3, format: "channels_last", rate: 0, seed: 1234 }), 1, 11);

    await setValue("#rate", "0.5");
    await setValue("#seed", "18446744073709551615");
    await press("step");
    await press("step");
    const big = new Reference({ rank: 3, format: "channels_last", rate: 0.5, seed: 18446744073709551615n });
    big.step();
    await checkStep(big, 2, 11);
    assert.match((await shown()).config, /"seed":18446744073709551615,/);

    await setValue("#seed", "");
    assert.match((await shown()).config, /"seed":null,/);
    await press("step");
    const s = await shown();
    assert.equal(s.pairs.length + Number(s.counts.split(" ")[0]), 2 * CHANNELS);

    await setValue("#rate", "1.5");
    const bad = await shown();
    assert.match(bad.error, /Invalid value received for argument `rate`\. Expected a float value between 0 and 1\. Received: rate=1\.5/);
    assert.equal(await page.locator("#step").isDisabled(), true);
    await setValue("#seed", "-3");
    assert.match((await shown()).error, /seed must be a non-negative integer/);
    await setValue("#rate", "0.25");
    await setValue("#seed", "7");
    assert.equal((await shown()).error, null);
  });

  await t.test("a pasted Keras model builds its SpatialDropout layers", async () => {
    const text = await readFile(`${FIXTURES}/k3_model_functional.json`, "utf8");
    const expected = [];
    const walk = (node, path) => {
      const m = /^SpatialDropout([123])D$/.exec(node.class_name ?? "");
      if (m) {
        const layer = lib[`SpatialDropout${m[1]}D`].fromConfig(node);
        expected.push({ path: [...path, node.config.name].join(" › "), cls: node.class_name, config: layer.getConfigJSON() });
      } else if (Array.isArray(node.config?.layers)) {
        for (const l of node.config.layers) walk(l, [...path, node.config.name]);
      }
    };
    walk(JSON.parse(text), []);
    assert.equal(expected.length, 3);
    await page.locator("#model-json").fill(text);
    await press("build");
    const rows = await page.$$eval("#model-table tbody tr", (trs) =>
      trs.map((tr) => ({
        path: tr.cells[0].textContent,
        cls: tr.cells[1].textContent,
        result: tr.cells[2].textContent,
        config: tr.querySelector("pre.built-config")?.textContent,
      })),
    );
    assert.deepEqual(
      rows,
      expected.map((e) => ({ ...e, result: "built" })),
    );
    assert.match(await page.textContent("#model-summary"), /3 SpatialDropout layers found: 3 built, 0 rejected/);
  });

  await t.test("rejected layers, bad JSON and a 64-bit seed are shown in the page", async () => {
    const model = JSON.parse(await readFile(`${FIXTURES}/k3_model_sequential.json`, "utf8"));
    const drops = model.config.layers.filter((l) => /^SpatialDropout/.test(l.class_name));
    drops[1].config.dtype = "float64";
    await page.locator("#model-json").fill(JSON.stringify(model));
    await press("build");
    const results = await page.$$eval("#model-table tbody tr", (trs) => trs.map((tr) => tr.cells[2].textContent));
    let message;
    try {
      lib.SpatialDropout2D.fromConfig(drops[1]);
    } catch (e) {
      message = `${e.name}: ${e.message}`;
    }
    assert.ok(message);
    assert.deepEqual(results, ["built", message, "built"]);

    await page.locator("#model-json").fill('{"rate": 0.5, "seed": 1, "name": "bare", "dtype": "float32"}');
    await press("build");
    assert.match(await page.textContent("#model-summary"), /0 SpatialDropout layers found: .*a bare config has none/);
    assert.equal(await page.locator("#model-table").isHidden(), true);

    await page.locator("#model-json").fill('{"class_name": "Sequential", "config": {"layers": [');
    await press("build");
    assert.match(await page.textContent("#model-summary"), /^not JSON: /);

    const bare = await readFile(`${FIXTURES}/k3_config_seed_9223372036854775807.json`, "utf8");
    await page.locator("#model-json").fill(`{"module": "keras.layers", "class_name": "SpatialDropout3D", "config": ${bare.trim()}}`);
    await press("build");
    const config = await page.textContent("#model-table pre.built-config");
    assert.equal(config, bare.trim());
    assert.equal(config, lib.SpatialDropout3D.fromConfig(bare).getConfigJSON());
  });

  await t.test("load an example and use one of its layers in the demo", async () => {
    await page.selectOption("#example", "k2_model_functional.json");
    await press("load-example");
    await page.waitForFunction(() => document.querySelectorAll("#model-table tbody tr").length === 2);
    const text = await readFile(`${FIXTURES}/k2_model_functional.json`, "utf8");
    assert.equal(await page.locator("#model-json").inputValue(), text);
    const entry = JSON.parse(text).config.layers.find((l) => l.class_name === "SpatialDropout2D");
    await page.locator("#model-table button.use").first().click();
    const layer = lib.SpatialDropout2D.fromConfig(entry);
    const ref = new Reference({ rank: 2, format: layer.dataFormat, rate: layer.rate, layer });
    assert.equal((await shown()).config, layer.getConfigJSON());
    await press("step");
    await checkStep(ref, 1, 11);
  });

  await t.test("screenshot, and no console or page errors", async () => {
    await setRank(3);
    await page.locator("#slice").fill("8");
    await press("step");
    await press("mc");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(problems, []);
  });
});

test("the server: 127.0.0.1 only; the page, the package and the Keras fixtures, nothing else", async () => {
  const { address, port } = server.address();
  assert.equal(address, "127.0.0.1");
  const base = `http://127.0.0.1:${port}`;
  const get = (path) => fetch(base + path, { redirect: "manual" });
  const root = await get("/");
  assert.equal(root.status, 302);
  assert.equal(root.headers.get("location"), "/examples/web/");
  for (const [path, type] of [
    ["/examples/web/", "text/html; charset=utf-8"],
    ["/examples/web/app.mjs", "text/javascript; charset=utf-8"],
    ["/examples/web/style.css", "text/css; charset=utf-8"],
    ["/wasm/index.js", "text/javascript; charset=utf-8"],
    ["/wasm/pkg/spatial_dropout_bg.wasm", "application/wasm"],
    ["/tests/fixtures/keras/k3_model_sequential.json", "application/json; charset=utf-8"],
  ]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get("content-type"), type, path);
    await r.arrayBuffer();
  }
  for (const path of [
    "/Cargo.toml",
    "/src/lib.rs",
    "/examples/web/package.json/..%2F..%2F..%2FCargo.toml",
    "/examples/web/%2e%2e/%2e%2e/Cargo.toml",
    "/examples/web/node_modules/playwright-core/package.json",
    "/examples/web/test/page.test.mjs",
    "/wasm/package.json",
    "/wasm/src/lib.rs",
    "/%E0%A4%A",
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    await r.arrayBuffer();
  }
  assert.equal((await fetch(`${base}/examples/web/`, { method: "POST" })).status, 405);
});
