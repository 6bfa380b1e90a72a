// The shared suite in headless Chromium: a tiny static server on localhost serves the
// repository (the package entry, its wasm and the fixtures), playwright-core drives the system
// Chromium, and each browser-side test becomes a node:test test here.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, resolve, sep } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
};
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    const file = resolve(repo, "." + path);
    const type = TYPES[extname(file)];
    if (!file.startsWith(repo + sep) || type === undefined || !(await stat(file).catch(() => null))?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

let server;
let browser;
let results;

before(async () => {
  server = await serve();
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
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const { port } = server.address();
  await page.goto(`http://localhost:${port}/wasm/test/browser.html`);
  try {
    await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 120_000 });
  } catch (e) {
    throw new Error(`the page did not finish: ${errors.join("; ") || e.message}`);
  }
  results = await page.evaluate(() => window.__results);
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("Chromium ran the shared suite", async (t) => {
  if (results.length < 10) throw new Error(`only ${results.length} results: ${JSON.stringify(results)}`);
  for (const r of results) {
    await t.test(`chromium: ${r.name}`, () => {
      if (!r.ok) throw new Error(r.error);
    });
  }
});
