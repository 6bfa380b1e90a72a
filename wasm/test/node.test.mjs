// The shared suite under node:test, on the built package imported by its own name (so the
// `exports` map is what resolves it).
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import * as lib from "spatial-dropout";
import { loadData } from "./data.mjs";
import { defineSuite } from "./suite.mjs";

const repo = new URL("../../", import.meta.url);
const data = await loadData((path) => readFile(new URL(path, repo), "utf8"));

defineSuite({ test, lib, data });

test("the package entry exports exactly the documented API", () => {
  const names = Object.keys(lib).sort().join(",");
  const expected = "SpatialDropout1D,SpatialDropout2D,SpatialDropout3D,WasmBuffer,spatialDropout";
  if (names !== expected) throw new Error(`exports: ${names}, expected ${expected}`);
});

test("the README's examples run", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length < 2) throw new Error(`found ${blocks.length} js examples`);
  const entry = new URL("../index.js", import.meta.url).href;
  for (const code of blocks) {
    const source = code.replaceAll('from "spatial-dropout"', `from ${JSON.stringify(entry)}`);
    await import(`data:text/javascript,${encodeURIComponent(source)}`);
  }
});
