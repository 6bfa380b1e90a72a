// The bundler matrix (.ci/bundlers.sh): the packed tarball installed into fresh projects, each
// set up with only what its tool's quick-start shows, built, and run: in Node for the Node and
// TypeScript projects, in headless Chromium for the bundles. Every one must print the output of
// a seeded layer exactly as the package computes it in Node (the node-esm project, run first),
// and a page must log no console error, no page error and no failed request.
//
//   node test/bundlers.mjs TARBALL [WORKDIR] [--only NAME,NAME]
//
// Tool versions are pinned exactly below; npm's cache (~/.npm, or npm_config_cache) makes
// reruns fast (`--prefer-offline`).
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve, sep } from "node:path";
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : undefined;
const positional = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--only");
if (positional.length < 1) throw new Error("usage: node test/bundlers.mjs TARBALL [WORKDIR] [--only NAME,...]");
const tarball = resolve(positional[0]);
const work = positional[1] ? resolve(positional[1]) : mkdtempSync(join(tmpdir(), "spatial-dropout-bundlers-"));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Pinned tool versions: "latest" Vite is the newest release when this list was last updated.
const V = {
  typescript: "5.9.3",
  esbuild: "0.28.2",
  webpack: "5.113.0",
  "webpack-cli": "6.0.1",
  vite5: "5.4.9",
  viteLatest: "8.4.0",
  rollup: "4.68.8",
  "@rollup/plugin-node-resolve": "16.0.3",
};

// The program every project runs: a seeded SpatialDropout3D, two training calls and a backward.
const SHAPE = [2, 3, 2, 2, 4];
const PROGRAM = `
const SHAPE = ${JSON.stringify(SHAPE)};
function compute(lib) {
  const layer = new lib.SpatialDropout3D({ rate: 0.5, seed: 20261130 });
  const n = SHAPE.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (i % 7) - 2.5;
  const first = layer.call(x, SHAPE, true);
  const second = layer.call(x, SHAPE, true);
  const grad = layer.backward(new Float32Array(n).fill(1), SHAPE);
  const op = lib.spatialDropout(x, SHAPE, { rate: 0.25, seed: 9, training: true, dataFormat: "channels_first" });
  layer.free();
  return [first, second, grad, op].map((a) => Array.from(a).join(",")).join(";");
}`;

const PAGE_MAIN = `import * as lib from "spatial-dropout";
${PROGRAM}
lib.ready.then(
  () => {
    document.getElementById("out").textContent = compute(lib);
  },
  (e) => {
    console.error(e);
  },
);
`;

const html = (script) => `<!doctype html>
<html>
<head><meta charset="utf-8"><title>spatial-dropout</title><link rel="icon" href="data:,"></head>
<body>
<pre id="out"></pre>
${script}
</body>
</html>
`;

/** A package.json; `type` undefined leaves the field out, as webpack's guide does. */
function pkgJson(type, devDependencies = {}) {
  return JSON.stringify({ name: "consumer", private: true, version: "0.0.0", type, devDependencies }, null, 2) + "\n";
}

/** Each project: its files, its pinned tools, the build commands, and how it is run. */
const PROJECTS = [
  {
    name: "node-esm",
    files: {
      "package.json": pkgJson("module"),
      "main.js": `import * as lib from "spatial-dropout";\n${PROGRAM}\nawait lib.ready;\nconsole.log(compute(lib));\n`,
    },
    node: "main.js",
  },
  {
    name: "node-cjs",
    files: {
      "package.json": pkgJson("commonjs"),
      "main.js": `const lib = require("spatial-dropout");\n${PROGRAM}\nconsole.log(compute(lib));\n`,
    },
    node: "main.js",
  },
  {
    name: "ts-nodenext-esm",
    deps: ["typescript"],
    files: {
      "package.json": pkgJson("module", { typescript: V.typescript }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", target: "es2022", strict: true } }, null, 2),
      "main.ts": `import * as lib from "spatial-dropout";\n${PROGRAM.replace("function compute(lib)", "function compute(lib: typeof import(\"spatial-dropout\"))")}\nawait lib.ready;\nconsole.log(compute(lib));\n`,
    },
    build: [["npx", "tsc"]],
    node: "main.js",
  },
  {
    name: "ts-nodenext-cjs",
    deps: ["typescript"],
    files: {
      "package.json": pkgJson("commonjs", { typescript: V.typescript }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", target: "es2022", strict: true } }, null, 2),
      "main.ts": `import * as lib from "spatial-dropout";\n${PROGRAM.replace("function compute(lib)", "function compute(lib: typeof import(\"spatial-dropout\"))")}\nconsole.log(compute(lib));\n`,
    },
    build: [["npx", "tsc"]],
    node: "main.js",
  },
  {
    // moduleResolution "bundler": a type check (a bundler runs the code: the rows below).
    name: "ts-bundler",
    files: {
      "package.json": pkgJson("module", { typescript: V.typescript }),
      "tsconfig.json": JSON.stringify(
        { compilerOptions: { module: "esnext", moduleResolution: "bundler", target: "es2022", strict: true, noEmit: true, lib: ["es2022", "dom"] } },
        null,
        2,
      ),
      "main.ts": PAGE_MAIN.replace("function compute(lib)", "function compute(lib: typeof import(\"spatial-dropout\"))").replace(
        'document.getElementById("out").textContent',
        'document.getElementById("out")!.textContent',
      ),
    },
    build: [["npx", "tsc"]],
  },
  {
    // esbuild's getting started: `esbuild app.jsx --bundle --outfile=out.js` (default format:
    // an IIFE for the browser), loaded with a plain <script>.
    name: "esbuild-default",
    files: {
      "package.json": pkgJson("commonjs", { esbuild: V.esbuild }),
      "app.js": PAGE_MAIN,
      "www/index.html": html('<script src="out.js"></script>'),
    },
    build: [["npx", "esbuild", "app.js", "--bundle", "--outfile=www/out.js"]],
    serve: "www",
  },
  {
    name: "esbuild-esm",
    files: {
      "package.json": pkgJson("module", { esbuild: V.esbuild }),
      "app.js": PAGE_MAIN,
      "www/index.html": html('<script type="module" src="out.js"></script>'),
    },
    build: [["npx", "esbuild", "app.js", "--bundle", "--format=esm", "--outfile=www/out.js"]],
    serve: "www",
  },
  {
    // webpack's getting started: src/index.js, `npx webpack`, dist/index.html loading main.js.
    name: "webpack5",
    files: {
      "package.json": pkgJson(undefined, { webpack: V.webpack, "webpack-cli": V["webpack-cli"] }),
      "src/index.js": PAGE_MAIN,
      "dist/index.html": html('<script src="main.js"></script>'),
    },
    build: [["npx", "webpack"]],
    serve: "dist",
  },
  {
    // Vite's quick start (vanilla): index.html at the root, `vite build` into dist/.
    name: "vite5",
    files: {
      "package.json": pkgJson("module", { vite: V.vite5 }),
      "main.js": PAGE_MAIN,
      "index.html": html('<script type="module" src="/main.js"></script>'),
    },
    build: [["npx", "vite", "build"]],
    serve: "dist",
  },
  {
    name: "vite-latest",
    files: {
      "package.json": pkgJson("module", { vite: V.viteLatest }),
      "main.js": PAGE_MAIN,
      "index.html": html('<script type="module" src="/main.js"></script>'),
    },
    build: [["npx", "vite", "build"]],
    serve: "dist",
  },
  {
    // @rollup/plugin-node-resolve's README: `plugins: [resolve()]`, ES module output.
    name: "rollup4",
    files: {
      "package.json": pkgJson("module", { rollup: V.rollup, "@rollup/plugin-node-resolve": V["@rollup/plugin-node-resolve"] }),
      "src/main.js": PAGE_MAIN,
      "rollup.config.mjs": `import resolve from "@rollup/plugin-node-resolve";

export default {
  input: "src/main.js",
  output: { file: "dist/bundle.js", format: "es" },
  plugins: [resolve()],
};
`,
      "dist/index.html": html('<script type="module" src="bundle.js"></script>'),
    },
    build: [["npx", "rollup", "-c"]],
    serve: "dist",
  },
];

function sh(cmd, cmdArgs, cwd) {
  try {
    return execFileSync(cmd, cmdArgs, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Error(`\`${cmd} ${cmdArgs.join(" ")}\` failed in ${basename(cwd)}:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

function setUp(project) {
  const dir = join(work, project.name);
  rmSync(dir, { recursive: true, force: true });
  for (const [file, text] of Object.entries(project.files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  // The tools from package.json, then the package from its tarball, as a user would add it.
  const npm = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
  sh("npm", ["install", ...npm], dir);
  sh("npm", ["install", ...npm, tarball], dir);
  for (const [cmd, ...rest] of project.build ?? []) sh(cmd, rest, dir);
  return dir;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

function serve(root) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = resolve(root, "." + path);
    if (!file.startsWith(root + sep) || !(await stat(file).catch(() => null))?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function runPage(browser, root) {
  const server = await serve(root);
  const problems = [];
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.getElementById("out")?.textContent !== "", null, { timeout: 30_000 }).catch(() => {
      problems.push("the page printed nothing within 30 s");
    });
    const out = await page.evaluate(() => document.getElementById("out")?.textContent ?? "");
    return { out, problems };
  } finally {
    await page.close();
    server.close();
  }
}

mkdirSync(work, { recursive: true });
console.log(`work dir: ${work}\ntarball: ${tarball}`);
let expected;
const failures = [];
let browser;
try {
  for (const project of PROJECTS) {
    if (only && !only.includes(project.name) && project.name !== "node-esm") continue;
    const t0 = Date.now();
    let verdict = "ok";
    try {
      const dir = setUp(project);
      let out;
      if (project.node) out = sh(process.execPath, [project.node], dir).trim();
      if (project.serve) {
        browser ??= await chromium.launch({
          executablePath: CHROMIUM,
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        const page = await runPage(browser, join(dir, project.serve));
        if (page.problems.length) throw new Error(page.problems.join("\n"));
        out = page.out;
      }
      if (project.name === "node-esm") {
        if (!/^[-0-9.e,;]+$/.test(out) || out.split(";").length !== 4) throw new Error(`unexpected output: ${out}`);
        expected = out;
      } else if (out !== undefined && out !== expected) {
        throw new Error(`output differs from the package in Node:\n  got      ${out}\n  expected ${expected}`);
      }
      if (out === undefined) verdict = "ok (type check)";
    } catch (e) {
      verdict = "FAILED";
      failures.push(`${project.name}: ${e.message}`);
    }
    console.log(`${project.name.padEnd(16)} ${verdict} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  await browser?.close();
}
if (failures.length) {
  console.error(`\n${failures.join("\n\n")}`);
  process.exit(1);
}
console.log(`\nall ${only ? "selected " : ""}projects print the seeded layer's output the package computes in Node`);
if (!positional[1] && existsSync(work)) rmSync(work, { recursive: true, force: true });
