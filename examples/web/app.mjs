// The demo page: a batch of 3D feature volumes through a SpatialDropout layer of the
// `spatial-dropout` package, drawn slice by slice. Every number shown comes from the layer:
// the mask and the scale from `backward` (the gradient of ones is `scale` on kept maps and +0 on
// dropped ones), the images from `call`. No handler lets an error escape: each one is shown in
// the page.
import { CHANNEL_NAMES, CHANNELS, EDGE, makeInput } from "./volume.mjs";
import { buildFromModelJson, showJson } from "./keras.mjs";

const $ = (id) => document.getElementById(id);
const MAX_SEED = (1n << 64n) - 1n;

const state = {
  lib: null,
  layer: null,
  settings: null, // { rate, seed, name, rank, format, volumes }
  input: null, // makeInput(...) + { maxAbs }
  ones: null,
  draws: 0,
  steps: 0,
  output: null, // last training step's output
  keep: null, // Uint8Array per map of the last training step
  scale: null, // f32 scale read from the layer, null while no map is kept
  mc: null, // { T, mean, std, kept, maxStd }
  built: [], // layers built from a pasted model
};

// ---------------------------------------------------------------------------------------------
// Errors: shown in the page, never thrown.

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function describeError(e) {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** An event handler that reports its errors in the page. */
function guard(fn) {
  return (...args) => {
    try {
      const result = fn(...args);
      if (result instanceof Promise) result.catch((e) => showError(describeError(e)));
    } catch (e) {
      showError(describeError(e));
    }
  };
}

window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  showError(describeError(event.reason));
});

// ---------------------------------------------------------------------------------------------
// Controls.

function parseSeed(text) {
  const t = text.trim();
  if (t === "") return undefined;
  if (!/^\d+$/.test(t)) throw new RangeError(`seed must be a non-negative integer (or empty), got ${JSON.stringify(t)}`);
  const big = BigInt(t);
  if (big > MAX_SEED) throw new RangeError(`seed must be at most 2^64 − 1 = ${MAX_SEED}, got ${t}`);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function readSettings() {
  const rank = Number(document.querySelector('input[name="rank"]:checked').value);
  const formatSelect = $("format");
  formatSelect.disabled = rank === 1;
  if (rank === 1) formatSelect.value = "channels_last";
  const rateText = $("rate").value.trim();
  const rate = rateText === "" ? Number.NaN : Number(rateText);
  const volumes = Number($("volumes").value);
  if (!Number.isInteger(volumes) || volumes < 1 || volumes > 4) {
    throw new RangeError(`volumes in the batch must be an integer from 1 to 4, got ${$("volumes").value}`);
  }
  const name = $("name").value;
  $("name").placeholder = `spatial_dropout${rank}d`;
  return {
    rate,
    seed: parseSeed($("seed").value),
    name: name === "" ? undefined : name,
    rank,
    format: formatSelect.value,
    volumes,
  };
}

const LAYOUT_NOTES = {
  3: "3D: each volume is one sample [batch, depth, rows, cols, channels]: a dropped map is a whole channel of a volume.",
  2: "2D: each depth slice is one sample [volumes·16, rows, cols, channels]: a dropped map is one channel of one slice. Move the slice slider.",
  1: "1D: each row of each slice is one sample [volumes·16·16, cols, channels]: a dropped map is one channel of one row. SpatialDropout1D is always channels_last, as in Keras.",
};

/** Builds the layer and the input from the controls; the layer replays from its seed. */
function rebuild() {
  clearError();
  const settings = readSettings();
  const { rate, seed, name, rank, format, volumes } = settings;
  state.layer?.free();
  state.layer = null;
  state.settings = settings;
  state.draws = 0;
  state.steps = 0;
  state.output = null;
  state.keep = null;
  state.scale = null;
  state.mc = null;
  if (state.input === null || state.input.rank !== rank || state.input.format !== format || state.input.volumes !== volumes) {
    const input = makeInput(rank, format, volumes);
    let maxAbs = 0;
    for (const v of input.data) maxAbs = Math.max(maxAbs, Math.abs(v));
    state.input = { ...input, rank, format, volumes, maxAbs };
    state.ones = new Float32Array(input.data.length).fill(1);
  }
  $("layout-note").textContent = LAYOUT_NOTES[rank];
  try {
    const options = { rate, dataFormat: format };
    if (seed !== undefined) options.seed = seed;
    if (name !== undefined) options.name = name;
    state.layer = new state.lib[`SpatialDropout${rank}D`](options);
  } catch (e) {
    showError(`cannot build SpatialDropout${rank}D: ${describeError(e)}`);
  }
  render();
}

// ---------------------------------------------------------------------------------------------
// Running the layer.

/** The layer's map index m = sample·C + c of volume n, channel c at depth z, row y. */
function mapOf(n, c, z, y) {
  return state.input.sampleOf(n, z, y) * CHANNELS + c;
}

/** The mask and scale of the layer's last training call, read from its gradient of ones. */
function readMask() {
  const { input } = state;
  const grad = state.layer.backward(state.ones, input.shape);
  const maps = input.samples * CHANNELS;
  const keep = new Uint8Array(maps);
  let scale = null;
  for (let n = 0; n < state.settings.volumes; n++) {
    for (let c = 0; c < CHANNELS; c++) {
      for (let z = 0; z < EDGE; z++) {
        for (let y = 0; y < EDGE; y++) {
          const m = mapOf(n, c, z, y);
          const g = grad[input.index(n, c, z, y, 0)];
          if (g !== 0) {
            keep[m] = 1;
            scale = g;
          }
        }
      }
    }
  }
  return { keep, scale };
}

function trainingStep() {
  if (state.layer === null) throw new Error("no layer: fix the settings above first");
  clearError();
  state.output = state.layer.call(state.input.data, state.input.shape, true);
  state.draws++;
  state.steps++;
  const { keep, scale } = readMask();
  state.keep = keep;
  state.scale = scale;
  render();
}

function monteCarlo() {
  if (state.layer === null) throw new Error("no layer: fix the settings above first");
  clearError();
  const T = Number($("mc-t").value);
  if (!Number.isInteger(T) || T < 1 || T > 2000) throw new RangeError(`T must be an integer from 1 to 2000, got ${$("mc-t").value}`);
  const { data, shape } = state.input;
  const sum = new Float64Array(data.length);
  const sumSq = new Float64Array(data.length);
  const kept = new Uint32Array(state.input.samples * CHANNELS);
  for (let t = 0; t < T; t++) {
    const y = state.layer.call(data, shape, true);
    state.draws++;
    for (let i = 0; i < y.length; i++) {
      sum[i] += y[i];
      sumSq[i] += y[i] * y[i];
    }
    const { keep } = readMask();
    for (let m = 0; m < keep.length; m++) kept[m] += keep[m];
  }
  const mean = new Float64Array(data.length);
  const std = new Float64Array(data.length);
  let maxStd = 0;
  for (let i = 0; i < data.length; i++) {
    mean[i] = sum[i] / T;
    std[i] = Math.sqrt(Math.max(0, sumSq[i] / T - mean[i] * mean[i]));
    maxStd = Math.max(maxStd, std[i]);
  }
  state.mc = { T, mean, std, kept, maxStd };
  render();
}

// ---------------------------------------------------------------------------------------------
// Drawing.

const GREY_A = [200, 204, 210];
const GREY_B = [186, 190, 197];

/** Blue (−) → white (0) → red (+), clipped at ±range. */
function diverging(v, range) {
  const t = Math.max(-1, Math.min(1, v / range));
  const a = Math.sqrt(Math.abs(t));
  const [r, g, b] = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

/** White (0) → deep teal (range). */
function sequential(v, range) {
  const t = range > 0 ? Math.min(1, v / range) : 0;
  const a = Math.sqrt(t);
  return [255 + (1 - 255) * a, 255 + (90 - 255) * a, 255 + (110 - 255) * a];
}

/** Four decimals, without a "-0.0000" for tiny negative values. */
function fmt(v) {
  const text = v.toFixed(4);
  return text === "-0.0000" ? "0.0000" : text;
}

function drawMap(canvas, n, c, z, kind) {
  const { input, mc, keep, output } = state;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(EDGE, EDGE);
  const range = input.maxAbs;
  let droppedRows = 0;
  for (let y = 0; y < EDGE; y++) {
    const dropped = kind === "output" && keep[mapOf(n, c, z, y)] === 0;
    if (dropped) droppedRows++;
    for (let x = 0; x < EDGE; x++) {
      const i = input.index(n, c, z, y, x);
      let rgb;
      if (dropped) rgb = (x + y) % 2 === 0 ? GREY_A : GREY_B;
      else if (kind === "input") rgb = diverging(input.data[i], range);
      else if (kind === "output") rgb = diverging(output[i], range);
      else if (kind === "mean") rgb = diverging(mc.mean[i], range);
      else rgb = sequential(mc.std[i], mc.maxStd);
      const o = (y * EDGE + x) * 4;
      image.data[o] = rgb[0];
      image.data[o + 1] = rgb[1];
      image.data[o + 2] = rgb[2];
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  if (kind === "output") {
    canvas.dataset.droppedRows = String(droppedRows);
    canvas.classList.toggle("dropped", droppedRows === EDGE);
    canvas.classList.toggle("partly-dropped", droppedRows > 0 && droppedRows < EDGE);
  }
}

const ROW_LABELS = {
  input: "input x",
  output: "output y",
  mean: "MC mean",
  std: "MC std",
};

function renderGrid() {
  const grid = $("grid");
  const z = Number($("slice").value);
  const { volumes } = state.settings;
  const kinds = ["input"];
  if (state.output !== null) kinds.push("output");
  if (state.mc !== null) kinds.push("mean", "std");
  const fragment = document.createDocumentFragment();
  const corner = document.createElement("div");
  corner.className = "corner";
  fragment.append(corner);
  for (let c = 0; c < CHANNELS; c++) {
    const head = document.createElement("div");
    head.className = "col-head";
    head.innerHTML = `<b>ch ${c}</b> <span>${CHANNEL_NAMES[c]}</span>`;
    fragment.append(head);
  }
  for (let n = 0; n < volumes; n++) {
    for (const kind of kinds) {
      const label = document.createElement("div");
      label.className = `row-head ${kind}`;
      const extra = kind === "output" ? ` <small>step ${state.steps}</small>` : kind === "mean" || kind === "std" ? ` <small>T = ${state.mc.T}</small>` : "";
      label.innerHTML = `<span>volume ${n}</span><b>${ROW_LABELS[kind]}</b>${extra}`;
      fragment.append(label);
      for (let c = 0; c < CHANNELS; c++) {
        const canvas = document.createElement("canvas");
        canvas.width = EDGE;
        canvas.height = EDGE;
        canvas.className = `map ${kind}`;
        canvas.dataset.kind = kind;
        canvas.dataset.volume = String(n);
        canvas.dataset.channel = String(c);
        canvas.title = `volume ${n}, channel ${c} (${CHANNEL_NAMES[c]}), ${ROW_LABELS[kind]}`;
        drawMap(canvas, n, c, z, kind);
        fragment.append(canvas);
      }
    }
  }
  grid.replaceChildren(fragment);
  $("slice-title").textContent = String(z);
  $("slice-out").textContent = String(z);
  $("legend-range").textContent = `${fmt(-state.input.maxAbs)} … +${fmt(state.input.maxAbs)} (clipped beyond)`;
  $("legend-std").textContent = state.mc === null ? "MC std" : `MC std 0 … ${fmt(state.mc.maxStd)}`;
}

function probe(event) {
  const canvas = event.target;
  if (!(canvas instanceof HTMLCanvasElement) || state.input === null) return;
  const rect = canvas.getBoundingClientRect();
  const x = Math.min(EDGE - 1, Math.floor(((event.clientX - rect.left) / rect.width) * EDGE));
  const y = Math.min(EDGE - 1, Math.floor(((event.clientY - rect.top) / rect.height) * EDGE));
  const n = Number(canvas.dataset.volume);
  const c = Number(canvas.dataset.channel);
  const z = Number($("slice").value);
  const i = state.input.index(n, c, z, y, x);
  const s = state.input.sampleOf(n, z, y);
  const parts = [`volume ${n}, channel ${c}, voxel (z ${z}, y ${y}, x ${x}) = flat index ${i}, layer sample ${s}`];
  parts.push(`x = ${state.input.data[i]}`);
  if (state.output !== null) {
    parts.push(`y = ${state.output[i]} (${state.keep[s * CHANNELS + c] ? "kept" : "dropped"})`);
  }
  if (state.mc !== null) parts.push(`MC mean = ${fmt(state.mc.mean[i])}, MC std = ${fmt(state.mc.std[i])}`);
  $("probe").textContent = parts.join(" · ");
}

function renderState() {
  const { input, layer, settings } = state;
  const maps = input.samples * CHANNELS;
  $("shape").textContent = `[${input.shape.join(", ")}] ${settings.format}`;
  $("maps").textContent = `${maps} = ${input.samples} samples × ${CHANNELS} channels, ${input.data.length / maps} values each`;
  $("draws").textContent = String(state.draws);
  $("config").textContent = layer === null ? "(no layer)" : layer.getConfigJSON();
  for (const id of ["step", "mc"]) $(id).disabled = layer === null;
  const dropped = $("dropped");
  if (state.keep === null) {
    $("scale").textContent = "—";
    $("counts").textContent = "—";
    dropped.textContent = "press “Training step”";
    $("dropped-note").textContent = "";
    return;
  }
  $("scale").textContent =
    state.scale === null ? "none: every map was dropped" : `${state.scale} (f32 of 1 / (1 − ${settings.rate}))`;
  const z = Number($("slice").value);
  const pairs = [];
  for (let m = 0; m < state.keep.length; m++) {
    if (state.keep[m] === 0) pairs.push([Math.floor(m / CHANNELS), m % CHANNELS]);
  }
  $("counts").textContent = `${maps - pairs.length} kept / ${pairs.length} dropped (step ${state.steps})`;
  const samplesPerVolume = input.samples / settings.volumes;
  const perSlice = samplesPerVolume / EDGE;
  $("dropped-note").textContent =
    settings.rank === 3
      ? "sample = volume"
      : settings.rank === 2
        ? "sample = volume·16 + slice; pairs in the slice shown are highlighted"
        : "sample = (volume·16 + slice)·16 + row; pairs in the slice shown are highlighted";
  const fragment = document.createDocumentFragment();
  for (const [s, c] of pairs) {
    const chip = document.createElement("span");
    chip.className = "chip";
    const sliceOf = settings.rank === 3 ? z : Math.floor((s % samplesPerVolume) / Math.max(1, perSlice));
    if (settings.rank !== 3 && sliceOf === z) chip.classList.add("here");
    chip.textContent = `(${s}, ${c})`;
    fragment.append(chip, " ");
  }
  if (pairs.length === 0) fragment.append("none");
  dropped.replaceChildren(fragment);
}

function renderMc() {
  const table = $("mc-table");
  const { mc, input, settings } = state;
  if (mc === null) {
    table.hidden = true;
    return;
  }
  const z = Number($("slice").value);
  const r = settings.rate;
  const factor = r < 1 ? Math.sqrt(r / (1 - r)) : Number.NaN;
  const body = document.createDocumentFragment();
  for (let n = 0; n < settings.volumes; n++) {
    for (let c = 0; c < CHANNELS; c++) {
      let sx = 0;
      let sMean = 0;
      let sStd = 0;
      let sAbs = 0;
      let kept = 0;
      const counted = new Set();
      for (let y = 0; y < EDGE; y++) {
        const m = mapOf(n, c, z, y);
        if (!counted.has(m)) {
          counted.add(m);
          kept += mc.kept[m];
        }
        for (let x = 0; x < EDGE; x++) {
          const i = input.index(n, c, z, y, x);
          sx += input.data[i];
          sAbs += Math.abs(input.data[i]);
          sMean += mc.mean[i];
          sStd += mc.std[i];
        }
      }
      const count = EDGE * EDGE;
      const row = document.createElement("tr");
      row.dataset.volume = String(n);
      row.dataset.channel = String(c);
      const cells = [
        String(n),
        `${c} ${CHANNEL_NAMES[c]}`,
        `${kept} / ${counted.size * mc.T}`,
        fmt(sx / count),
        fmt(sMean / count),
        fmt(sStd / count),
        Number.isNaN(factor) ? "—" : fmt((sAbs / count) * factor),
      ];
      const keys = ["volume", "channel", "kept", "x", "mean", "std", "predicted"];
      cells.forEach((text, k) => {
        const td = document.createElement("td");
        td.textContent = text;
        td.dataset.key = keys[k];
        row.append(td);
      });
      body.append(row);
    }
  }
  table.tBodies[0].replaceChildren(body);
  table.hidden = false;
  $("mc-summary").textContent =
    `${mc.T} training calls of the layer on the same input, averaged over the ${EDGE}×${EDGE} voxels of depth slice ${z}. ` +
    `"kept" counts kept maps over all T calls (in 1D each slice holds ${EDGE} rows, so ${EDGE}·T maps). ` +
    `Predicted std = mean |x| · √(rate / (1 − rate)).`;
}

function render() {
  renderGrid();
  renderState();
  renderMc();
}

// ---------------------------------------------------------------------------------------------
// Keras model JSON.

function buildModel() {
  clearError();
  for (const layer of state.built) layer.free();
  state.built = [];
  const result = buildFromModelJson(state.lib, $("model-json").value);
  const table = $("model-table");
  const summary = $("model-summary");
  if (result.error !== undefined) {
    table.hidden = true;
    summary.textContent = "";
    summary.className = "note bad";
    summary.textContent = result.error;
    return;
  }
  const { rows, layerCount } = result;
  const built = rows.filter((r) => r.layer !== undefined).length;
  summary.className = rows.length > 0 && built === rows.length ? "note good" : "note";
  summary.textContent =
    `${layerCount} layer entries walked; ${rows.length} SpatialDropout layer${rows.length === 1 ? "" : "s"} found: ` +
    `${built} built, ${rows.length - built} rejected.` +
    (rows.length === 0
      ? ' Layers are recognised by their "class_name" (SpatialDropout1D/2D/3D); a bare config has none: wrap it as {"class_name": "SpatialDropout2D", "config": {…}}.'
      : "");
  const body = document.createDocumentFragment();
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.className = row.layer ? "built" : "rejected";
    const path = document.createElement("td");
    path.textContent = row.path.join(" › ");
    const cls = document.createElement("td");
    cls.textContent = row.className;
    const res = document.createElement("td");
    res.className = "result";
    res.textContent = row.layer ? "built" : row.error;
    const config = document.createElement("td");
    const details = document.createElement("details");
    const summaryEl = document.createElement("summary");
    if (row.layer) {
      state.built.push(row.layer);
      const pre = document.createElement("pre");
      pre.className = "json built-config";
      pre.textContent = row.layer.getConfigJSON();
      config.append(pre);
    }
    summaryEl.textContent = "config read from the model";
    const input = document.createElement("pre");
    input.className = "json";
    input.textContent = showJson(row.input);
    details.append(summaryEl, input);
    config.append(details);
    const use = document.createElement("td");
    if (row.layer) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quiet use";
      button.textContent = "Use in the demo";
      const layer = row.layer;
      button.addEventListener("click", guard(() => useLayer(layer, row.rank)));
      use.append(button);
    }
    tr.append(path, cls, res, config, use);
    body.append(tr);
  }
  table.tBodies[0].replaceChildren(body);
  table.hidden = rows.length === 0;
}

function useLayer(layer, rank) {
  $("rate").value = String(layer.rate);
  $("rate-range").value = String(layer.rate);
  $("rate-out").textContent = layer.rate.toFixed(2);
  $("seed").value = layer.seed === null ? "" : String(layer.seed);
  $("name").value = layer.name;
  document.querySelector(`input[name="rank"][value="${rank}"]`).checked = true;
  $("format").value = layer.dataFormat;
  rebuild();
  $("controls-title").scrollIntoView({ behavior: "smooth" });
}

async function loadExample() {
  clearError();
  const file = $("example").value;
  const url = new URL(`../../tests/fixtures/keras/${file}`, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url.pathname}: ${response.status} ${response.statusText}`);
  $("model-json").value = await response.text();
  buildModel();
}

// ---------------------------------------------------------------------------------------------
// Start.

async function main() {
  const status = $("status");
  try {
    state.lib = await import("../../wasm/index.js");
    await state.lib.ready;
  } catch (e) {
    status.dataset.state = "failed";
    status.textContent = "The package did not load.";
    showError(`cannot load ../../wasm/index.js (build it: cd wasm && npm run build): ${describeError(e)}`);
    return;
  }
  $("rate-range").addEventListener(
    "input",
    guard(() => {
      $("rate").value = $("rate-range").value;
      $("rate-out").textContent = Number($("rate-range").value).toFixed(2);
      rebuild();
    }),
  );
  $("rate").addEventListener(
    "change",
    guard(() => {
      const r = Number($("rate").value);
      if (Number.isFinite(r)) {
        $("rate-range").value = String(r);
        $("rate-out").textContent = r.toFixed(2);
      }
      rebuild();
    }),
  );
  for (const id of ["seed", "name", "format", "volumes"]) $(id).addEventListener("change", guard(rebuild));
  for (const radio of document.querySelectorAll('input[name="rank"]')) radio.addEventListener("change", guard(rebuild));
  $("slice").addEventListener(
    "input",
    guard(() => {
      renderGrid();
      renderState();
      renderMc();
    }),
  );
  $("step").addEventListener("click", guard(trainingStep));
  $("mc").addEventListener("click", guard(monteCarlo));
  $("reset").addEventListener("click", guard(rebuild));
  $("build").addEventListener("click", guard(buildModel));
  $("load-example").addEventListener("click", guard(loadExample));
  $("grid").addEventListener("mousemove", guard(probe));
  try {
    rebuild();
  } catch (e) {
    showError(describeError(e));
  }
  status.dataset.state = "ready";
  status.textContent = `Ready: spatial-dropout running as WebAssembly. With a seed, each step drops the same maps Keras drops with this seed.`;
}

main().catch((e) => showError(describeError(e)));
