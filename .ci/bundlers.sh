#!/usr/bin/env bash
# The npm package in every kind of project (issue 14): `npm pack`, then fresh projects that
# install the tarball with pinned tools and only their quick-start config: Node ESM and CommonJS,
# TypeScript (nodenext ESM and CJS, moduleResolution bundler), esbuild (default IIFE and ESM),
# webpack 5, Vite 5 and the latest Vite, Rollup 4 with node-resolve. Each bundle is loaded in
# headless Chromium and must print the seeded layer's output the package computes in Node, with
# no console error (wasm/test/bundlers.mjs).
. "$(dirname "$0")/lib.sh"

ensure_apt chromium chromium chromium-driver
ensure_apt node nodejs npm
cd "$ROOT/wasm"

# .ci/wasm.sh runs `npm ci` and `npm run build` before this part; do them here when run alone.
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/esbuild ]; then
  step "bundlers: npm ci (node_modules is missing)"
  npm ci --no-audit --no-fund
fi
if [ ! -f pkg/spatial_dropout_bg.wasm.js ] || [ ! -f pkg/node.cjs ]; then
  step "bundlers: build the npm package (wasm/pkg is missing)"
  ensure_target wasm32-unknown-unknown
  ensure_cargo_bin wasm-bindgen 0.2.130 wasm-bindgen-cli
  npm run build
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/spatial-dropout-bundlers.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step "bundlers: npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
ls -l "$tarball"

step "bundlers: size of the browser download (import { SpatialDropout3D }, minified, gzip -9)"
npm run --silent size -- --check

step "bundlers: the matrix (npm's cache makes reruns fast)"
node test/bundlers.mjs "$tarball" "$work/projects"
