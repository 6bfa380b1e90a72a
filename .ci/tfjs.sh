#!/usr/bin/env bash
# The TF.js plugin (issue 10): `spatial-dropout/tfjs` in Node with @tensorflow/tfjs on the CPU
# backend (wasm/test/tfjs.test.mjs), its TypeScript declarations, and its Keras 2 fixture.
. "$(dirname "$0")/lib.sh"

ensure_apt node nodejs npm
ensure_apt python3 python3
ensure_apt chromium chromium chromium-driver
cd "$ROOT/wasm"

# .ci/wasm.sh runs `npm ci` and `npm run build` before this part; do them here when run alone.
if [ ! -d node_modules/@tensorflow/tfjs ] || [ ! -d node_modules/binaryen ] || [ ! -x node_modules/.bin/tsc ]; then
  step "tfjs: npm ci (node_modules is missing)"
  npm ci --no-audit --no-fund
fi
if [ ! -f pkg/spatial_dropout_bg.wasm ] || [ ! -f pkg/spatial_dropout.js ]; then
  step "tfjs: build the npm package (wasm/pkg is missing)"
  ensure_target wasm32-unknown-unknown
  ensure_cargo_bin wasm-bindgen 0.2.130 wasm-bindgen-cli
  npm run build
fi

step "tfjs: node:test on the CPU backend (Keras 2 models, known answers, fit, configs, packed tarball, Chromium)"
npm run --silent test:tfjs

step "tfjs: types (tsc on tfjs/index.d.ts and tfjs/types-check.ts)"
# @tensorflow/tfjs's own .d.ts files do not pass a strict check (skipLibCheck false); only
# errors in this package's files count.
out="$(node_modules/.bin/tsc -p tfjs/tsconfig.json 2>&1 || true)"
own="$(grep -E '^[^ ].*error TS[0-9]+' <<<"$out" | grep -v '^node_modules/' || true)"
if [ -n "$own" ]; then
  printf '%s\n' "$own"
  exit 1
fi
echo "tfjs/index.d.ts: no type errors"

step "tfjs: Keras 2 fixture tests/fixtures/tfjs/k2_conv3d_model.json"
cd "$ROOT"
want="$(python3 -c 'import json; print(json.load(open("tests/fixtures/tfjs/k2_conv3d_model.json"))["tf_keras"])')"
if have="$(TF_CPP_MIN_LOG_LEVEL=3 python3 -c 'import tf_keras; print(tf_keras.__version__)' 2>/dev/null)" \
    && [ "$have" = "$want" ]; then
  regen="$(mktemp)"
  TF_CPP_MIN_LOG_LEVEL=3 python3 tests/fixtures/make_tfjs_fixtures.py --out "$regen" >/dev/null 2>&1
  cmp "$regen" tests/fixtures/tfjs/k2_conv3d_model.json
  rm -f "$regen"
  echo "regenerated with tf-keras $have: byte-identical"
else
  echo "tf-keras $want not installed: fixture used as committed, not regenerated"
fi
