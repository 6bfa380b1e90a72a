#!/usr/bin/env bash
# The npm package `spatial-dropout` (wasm/): build, size, the shared suite in Node and in
# headless Chromium, TypeScript declarations, and the wasm-bindgen-test suite of the bindings.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/wasm"

ensure_component rustfmt clippy
ensure_target wasm32-unknown-unknown
ensure_apt chromium chromium chromium-driver
ensure_apt node nodejs npm
ensure_cargo_bin wasm-bindgen 0.2.130 wasm-bindgen-cli

step "fmt + clippy (the wasm crate)"
cargo fmt --check
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

step "npm ci"
npm ci --no-audit --no-fund

step "build (cargo release → wasm-bindgen → wasm-opt)"
npm run build

step "size"
npm run --silent size -- --check

step "tests: Node"
npm run --silent test:node

step "bad-input matrix: docs/bad-inputs.md shows each JS error exactly"
node --test test/bad_inputs.test.mjs

step "cross-binding errors: Rust's messages and error classes from the package (tests/fixtures/cross_binding_errors.json)"
node --test test/cross_bindings.test.mjs

step "tests: headless Chromium"
npm run --silent test:browser

step "types: tsc --noEmit"
npm run --silent test:types

step "wasm-bindgen-test under Node"
cargo test --target wasm32-unknown-unknown

step "bench smoke run (numbers are not checked)"
node bench.mjs --quick >/dev/null
echo "bench.mjs ran"
