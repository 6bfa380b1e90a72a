#!/usr/bin/env bash
# The demo page (examples/web/): served by examples/web/serve.mjs on 127.0.0.1, driven in headless
# Chromium by examples/web/test/page.test.mjs and checked against the npm package run in Node.
. "$(dirname "$0")/lib.sh"

ensure_apt chromium chromium chromium-driver
ensure_apt node nodejs npm

# The wasm part builds wasm/pkg before this one; build it here when run alone.
if [ ! -f "$ROOT/wasm/pkg/spatial_dropout_bg.wasm" ] || [ ! -f "$ROOT/wasm/pkg/spatial_dropout.js" ]; then
  step "web: build the npm package (wasm/pkg is missing)"
  ensure_target wasm32-unknown-unknown
  ensure_cargo_bin wasm-bindgen 0.2.130 wasm-bindgen-cli
  cd "$ROOT/wasm"
  [ -d node_modules/binaryen ] || npm ci --no-audit --no-fund
  npm run build
fi

cd "$ROOT/examples/web"
step "web: npm ci (playwright-core)"
npm ci --no-audit --no-fund

step "web: the page in headless Chromium against the package in Node"
SCREENSHOT="${SCREENSHOT:-$ROOT/examples/web/test/screenshot.png}" npm test
echo "screenshot: ${SCREENSHOT:-$ROOT/examples/web/test/screenshot.png}"
