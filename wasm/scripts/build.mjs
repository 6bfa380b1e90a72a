// `npm run build`: release wasm → wasm-bindgen (--target web) → wasm-opt (npm binaryen) → pkg/.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { printSize } from "./size.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WASM_BINDGEN_VERSION = "0.2.130";

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(" ")}`);
  try {
    execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
  } catch (e) {
    console.error(`build failed: \`${cmd}\` exited with ${e.status ?? e.message}`);
    process.exit(1);
  }
}

function output(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

// The CLI must match the `wasm-bindgen = "=0.2.130"` of Cargo.toml exactly. Installed the way
// .ci/wasm.sh installs it (without `--locked`), the install CI verifies on a fresh machine.
if (!output("wasm-bindgen", ["--version"]).includes(WASM_BINDGEN_VERSION)) {
  run("cargo", ["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]);
}

// Without the `std` feature: the crate is `no_std` with its own panic handler (Cargo.toml).
run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--no-default-features"]);

const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(process.env.CARGO_TARGET_DIR)
  : join(root, "target");
const raw = join(targetDir, "wasm32-unknown-unknown", "release", "spatial_dropout_wasm.wasm");
const pkg = join(root, "pkg");
rmSync(pkg, { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", pkg, "--out-name", "spatial_dropout", raw]);

// wasm-opt must accept the features rustc's wasm32 target enables by default.
const wasm = join(pkg, "spatial_dropout_bg.wasm");
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
if (!existsSync(wasmOpt)) throw new Error("wasm-opt is missing: run `npm ci` first (it comes from the npm package binaryen)");
run(wasmOpt, [
  "-Oz", "--strip-debug", "--strip-producers",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  wasm, "-o", wasm,
]);
printSize(wasm);
