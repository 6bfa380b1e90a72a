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
