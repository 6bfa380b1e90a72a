#!/usr/bin/env bash
# Keras JSON (issue 3): the fixture manifest against its files, the fixtures against Keras
# when the exact Keras versions are installed, and no_std cross builds with the json feature.
# (`cargo test`, which runs tests/config.rs and the doc tests, is in core.sh.)
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_target thumbv6m-none-eabi thumbv7em-none-eabihf
ensure_apt python3 python3

step "fixture manifest (Python's json module; no TensorFlow needed)"
# Regenerate only with the versions the fixtures were made with; another Keras may differ.
versions="$(python3 -c 'import json; m = json.load(open("tests/fixtures/keras/manifest.json")); print(m["keras"], m["tf_keras"])')"
if have="$(TF_CPP_MIN_LOG_LEVEL=3 python3 -c 'import keras, tf_keras; print(keras.__version__, tf_keras.__version__)' 2>/dev/null)" \
    && [ "$have" = "$versions" ]; then
  TF_CPP_MIN_LOG_LEVEL=3 python3 tests/fixtures/check_keras_fixtures.py --regenerate
else
  python3 tests/fixtures/check_keras_fixtures.py
  echo "Keras $versions not installed: fixtures checked, not regenerated"
fi

step "no_std cross builds with the json feature"
for t in thumbv6m-none-eabi thumbv7em-none-eabihf; do
  cargo build --quiet --target "$t" --no-default-features --features json
  cargo build --quiet --release --target "$t"
  echo "built for $t with json"
done

