#!/usr/bin/env bash
# Hardening: the core suite on a 32-bit target, Miri over the kernel and error tests, and a short
# bounded run of every fuzz target (after replaying the inputs of past findings).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

step "32-bit: the whole test suite on i686-unknown-linux-gnu"
ensure_target i686-unknown-linux-gnu
if ! dpkg -s gcc-multilib >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-multilib >/dev/null
fi
cargo test --target i686-unknown-linux-gnu

step "nightly toolchain with Miri, cargo-fuzz"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
rustup component add --toolchain nightly miri rust-src >/dev/null
ensure_cargo_bin cargo-fuzz 0.13.2 cargo-fuzz

step "Miri: kernels through every public path, every error path"
# The map-order, threshold and generator tests run every kernel walk on small tensors; the
# error tests cover every early return. (The full suite under Miri takes over 10 minutes.)
export MIRIFLAGS="-Zmiri-disable-isolation"
cargo +nightly miri test --test known_answers -- map_order threshold_is seed_from all_zero unseeded
cargo +nightly miri test --test errors
step "Miri: the bare-metal loop profile (src/profile.rs) through the same paths"
cargo +nightly miri test --features small-profile --test known_answers -- map_order threshold_is seed_from all_zero unseeded
step "Miri: the Keras scheme (Philox lanes, the layer's replay), both profiles"
cargo +nightly miri test --test keras_masks -- keras_is_the_default
cargo +nightly miri test --features small-profile --test keras_masks -- keras_is_the_default
step "Miri: every unsafe block of the C API (capi/src/miri_tests.rs calls the exports through raw pointers)"
cargo +nightly miri test --manifest-path capi/Cargo.toml
unset MIRIFLAGS

step "fuzz: replay past findings, then a bounded run of each target"
cd fuzz
secs="${FUZZ_SECONDS:-45}"
for target in kernels layer json; do
  corpus="/tmp/spatial-dropout-fuzz-corpus/$target"
  mkdir -p "$corpus"
  extra=()
  [ -d "regressions/$target" ] && extra+=("regressions/$target")
  [ "$target" = json ] && extra+=("../tests/fixtures/keras")
  log="/tmp/spatial-dropout-fuzz-$target.log"
  if ! cargo +nightly fuzz run "$target" "$corpus" "${extra[@]}" -- \
      -max_total_time="$secs" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz target $target failed (a finding or a build error):" >&2
    grep -v '^ *[0-9]*: \|^ *at ' "$log" | tail -60 >&2
    exit 1
  fi
  echo "$target: $(grep -E 'stat::number_of_executed_units' "$log" | tr -s ' ') in ${secs}s"
done
# The kernels target again with the bare-metal loop profile (src/profile.rs) on this host.
corpus="/tmp/spatial-dropout-fuzz-corpus/kernels"
log="/tmp/spatial-dropout-fuzz-kernels-small.log"
if ! cargo +nightly fuzz run --features small-profile kernels "$corpus" -- \
    -max_total_time="$secs" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
  echo "fuzz target kernels (small profile) failed:" >&2
  grep -v '^ *[0-9]*: \|^ *at ' "$log" | tail -60 >&2
  exit 1
fi
echo "kernels (small profile): $(grep -E 'stat::number_of_executed_units' "$log" | tr -s ' ') in ${secs}s"
