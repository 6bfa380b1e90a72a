// The JavaScript rows of docs/bad-inputs.md: every bad argument of the suite's table, run on the
// built package, with the exact error it throws. The document must show exactly these messages;
// `BLESS=1 node --test test/bad_inputs.test.mjs` rewrites its table after a deliberate change.
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import * as lib from "spatial-dropout";
import { badArguments, knownInput } from "./suite.mjs";

const DOC = new URL("../../docs/bad-inputs.md", import.meta.url);
const BEGIN = "<!-- js-matrix:begin -->";
const END = "<!-- js-matrix:end -->";

function render() {
  const dims = [2, 3, 4, 5];
  const x = knownInput(120);
  const layer = new lib.SpatialDropout2D({ rate: 0.5, seed: 5 });
  const rows = ["| # | JavaScript call | error |", "|---|---|---|"];
  badArguments(lib, { layer, x, dims }).forEach(([fn, type], i) => {
    let error;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Error(`${fn}: did not throw`);
    if (error.constructor !== type) throw new Error(`${fn}: threw ${error.constructor.name}, expected ${type.name}`);
    if (/unreachable|RuntimeError/.test(`${error.name} ${error.message}`)) throw new Error(`${fn}: a wasm trap`);
    const call = String(fn).replace(/^\(\) => /, "").replaceAll("|", "\\|");
    const message = `${error.constructor.name}: ${error.message}`.replaceAll("|", "\\|");
    rows.push(`| J${String(i + 1).padStart(2, "0")} | \`\` ${call} \`\` | \`\` ${message} \`\` |`);
  });
  layer.free();
  return rows.join("\n");
}

test("docs/bad-inputs.md shows every JavaScript bad argument with its exact error", () => {
  const doc = readFileSync(DOC, "utf8");
  const [head, rest] = doc.split(BEGIN);
  if (rest === undefined) throw new Error(`no ${BEGIN} in docs/bad-inputs.md`);
  const [current, tail] = rest.split(END);
  const fresh = render();
  if (process.env.BLESS) {
    writeFileSync(DOC, `${head}${BEGIN}\n${fresh}\n${END}${tail}`);
    return;
  }
  if (current.trim() !== fresh.trim()) {
    throw new Error("docs/bad-inputs.md is stale: run `BLESS=1 node --test test/bad_inputs.test.mjs` in wasm/");
  }
});
