// Serves the demo page on 127.0.0.1 only: the page (examples/web/), the npm package it imports
// (wasm/index.js, wasm/api.js, wasm/checks.js and the built wasm/pkg/) and the Keras model fixtures of its "load example"
// menu (tests/fixtures/keras/). Nothing else of the repository is served.
//
//   node examples/web/serve.mjs [--port 8000]     (or PORT=8000; 0 picks a free port)
//
// The test imports `startServer` from here, so it checks the server users run.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(new URL("../../", import.meta.url)));
export const PAGE_PATH = "/examples/web/";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/** The only repository paths served (relative to the repository root). */
const ALLOWED = [
  /^examples\/web\/(?!node_modules\/|test\/)[^/]+$/,
  /^wasm\/(index|api|checks)\.js$/,
  /^wasm\/pkg\/spatial_dropout(_bg\.wasm|_bg\.wasm\.js|\.js)$/,
  /^tests\/fixtures\/keras\/[^/]+\.json$/,
];

async function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = resolve(REPO, "." + path);
  if (!file.startsWith(REPO + sep)) return null;
  const rel = relative(REPO, file).split(sep).join("/");
  if (!ALLOWED.some((re) => re.test(rel)) || TYPES[extname(file)] === undefined) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? file : null;
}

/** Starts the server; resolves to the `http.Server` once it listens on 127.0.0.1:`port`. */
export function startServer({ port = 8000, log = () => {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (url.pathname === "/" || url.pathname === "/examples/web") {
      res.writeHead(302, { location: PAGE_PATH }).end();
      return;
    }
    const file = await fileFor(url.pathname);
    if (file === null) {
      log(`404 ${url.pathname}`);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)], "cache-control": "no-store" });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      ok(server);
    });
  });
}

function portFromArgs(argv) {
  const i = argv.indexOf("--port");
  const text = i >= 0 ? argv[i + 1] : process.env.PORT ?? "8000";
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port / PORT must be an integer in 0..65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await fileFor("/wasm/pkg/spatial_dropout_bg.wasm");
  if (built === null) {
    console.error("wasm/pkg is not built yet: run `npm --prefix wasm ci && npm --prefix wasm run build` first");
    process.exit(1);
  }
  try {
    const server = await startServer({ port: portFromArgs(process.argv.slice(2)), log: (m) => console.log(m) });
    const { port } = server.address();
    console.log(`spatial-dropout demo: http://127.0.0.1:${port}${PAGE_PATH}  (Ctrl-C to stop)`);
  } catch (e) {
    console.error(`cannot serve: ${e.message}`);
    process.exit(1);
  }
}
