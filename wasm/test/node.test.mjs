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
  const expected = "SpatialDropout1D,SpatialDropout2D,SpatialDropout3D,WasmBuffer,maskWords,ready,spatialDropout";
  if (names !== expected) throw new Error(`exports: ${names}, expected ${expected}`);
});

test("the README's examples run", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length < 2) throw new Error(`found ${blocks.length} js examples`);
  const entry = new URL("../node.js", import.meta.url).href;
  const plugin = new URL("../tfjs/index.js", import.meta.url).href;
  const tfjs = import.meta.resolve("@tensorflow/tfjs");
  for (const code of blocks) {
    const source = code
      .replaceAll('from "spatial-dropout"', `from ${JSON.stringify(entry)}`)
      .replaceAll('from "spatial-dropout/tfjs"', `from ${JSON.stringify(plugin)}`)
      .replaceAll('from "@tensorflow/tfjs"', `from ${JSON.stringify(tfjs)}`);
    await import(`data:text/javascript,${encodeURIComponent(source)}`);
  }
});

test("the packed tarball works for a consumer (files and exports are complete)", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "spatial-dropout-pack-"));
  try {
    const packageDir = new URL("..", import.meta.url);
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: packageDir, encoding: "utf8" });
    const tarball = join(dir, out.trim().split("\n").pop());
    const installed = join(dir, "node_modules", "spatial-dropout");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    writeFileSync(
      join(dir, "consumer.mjs"),
      `import { SpatialDropout3D } from "spatial-dropout";
       const l = new SpatialDropout3D({ rate: 0.5, seed: 1 });
       const y = l.call(new Float32Array(16).fill(1), [1, 1, 1, 2, 8], true);
       if (!y.every((v) => v === 0 || v === 2)) throw new Error("wrong values " + y);
       console.log("consumer ok");`,
    );
    const result = execFileSync(process.execPath, ["consumer.mjs"], { cwd: dir, encoding: "utf8" });
    if (!result.includes("consumer ok")) throw new Error(result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the browser entry (index.js): a call before `ready` says to await it; after, the same bits as node.js", async () => {
  const { execFileSync } = await import("node:child_process");
  const entry = new URL("../index.js", import.meta.url).href;
  const script = `
    import * as lib from ${JSON.stringify(entry)};
    let early;
    try { new lib.SpatialDropout2D({ rate: 0.5, seed: 1 }); } catch (e) { early = e.message; }
    await lib.ready;
    const y = new lib.SpatialDropout2D({ rate: 0.5, seed: 1 }).call(new Float32Array(24).fill(1), [2, 2, 2, 3], true);
    console.log(JSON.stringify({ early, y: Array.from(y) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
  if (!/still loading; `await ready`/.test(out.early ?? "")) throw new Error(`before ready: ${out.early}`);
  const { SpatialDropout2D } = await import("spatial-dropout");
  const expected = Array.from(new SpatialDropout2D({ rate: 0.5, seed: 1 }).call(new Float32Array(24).fill(1), [2, 2, 2, 3], true));
  if (JSON.stringify(out.y) !== JSON.stringify(expected)) throw new Error(`${out.y} != ${expected}`);
});
