// Reads a Keras `model.to_json()` (or a single serialized layer) and builds every
// SpatialDropout1D/2D/3D layer in it with the package's `fromConfig`.

const CLASS = /^SpatialDropout([123])D$/;

/**
 * JSON.parse that keeps integers above 2^53 - 1 exact (as bigints), so a seed such as
 * 9223372036854775807 reaches `fromConfig` unrounded. Uses the reviver's source text where the
 * browser has it (JSON.parse source text access); elsewhere such a seed stays a rounded number
 * and `fromConfig` refuses it with a message.
 */
export function parseJson(text) {
  return JSON.parse(text, (_key, value, context) => {
    if (
      typeof value === "number" &&
      Number.isInteger(value) &&
      !Number.isSafeInteger(value) &&
      typeof context?.source === "string" &&
      /^\d+$/.test(context.source)
    ) {
      return BigInt(context.source);
    }
    return value;
  });
}

function nameOf(node, fallback) {
  const name = node?.config?.name ?? node?.name;
  return typeof name === "string" ? name : fallback;
}

/**
 * Every SpatialDropout layer entry in a parsed model: walks `config.layers` of Sequential and
 * Functional models, nested models, and wrappers that hold one `config.layer`. Returns
 * `[{ path, className, rank, entry }]` in model order; `path` names the models on the way.
 */
export function findSpatialDropout(root) {
  const found = [];
  let layerCount = 0;
  const walk = (node, path) => {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    const className = typeof node.class_name === "string" ? node.class_name : "";
    const match = CLASS.exec(className);
    if (match) {
      found.push({ path: [...path, nameOf(node, className)], className, rank: Number(match[1]), entry: node });
      return;
    }
    const config = node.config;
    if (config === null || typeof config !== "object") return;
    const here = [...path, nameOf(node, className || "model")];
    if (Array.isArray(config.layers)) {
      for (const layer of config.layers) {
        layerCount++;
        walk(layer, here);
      }
    } else if (config.layer !== undefined) {
      walk(config.layer, here);
    }
  };
  walk(root, []);
  return { found, layerCount };
}

/**
 * Builds the SpatialDropout layers of a model given as JSON text. Returns
 * `{ error }` when the text is not a JSON object, else `{ layerCount, rows }` with one row per
 * SpatialDropout entry: `{ path, className, rank, input, layer }` or `{ …, error }`.
 * Nothing here throws: every failure becomes a message.
 */
export function buildFromModelJson(lib, text) {
  let root;
  try {
    root = parseJson(text);
  } catch (e) {
    return { error: `not JSON: ${e.message}` };
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    return { error: "expected a JSON object: a Keras model.to_json() or a serialized layer" };
  }
  const { found, layerCount } = findSpatialDropout(root);
  const rows = found.map(({ path, className, rank, entry }) => {
    const input = entry.config;
    try {
      const layer = lib[`SpatialDropout${rank}D`].fromConfig(entry);
      return { path, className, rank, input, layer };
    } catch (e) {
      return { path, className, rank, input, error: `${e.name}: ${e.message}` };
    }
  });
  return { layerCount, rows };
}

/** JSON text of a parsed value, with bigints written as the exact integers they hold. */
export function showJson(value) {
  const marks = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (typeof v !== "bigint") return v;
    marks.push(v);
    return `\u0000${marks.length - 1}`;
  });
  return text.replace(/"\\u0000(\d+)"/g, (_m, i) => String(marks[Number(i)]));
}
