#!/usr/bin/env bash
# The core crate: format, lints, tests (the README's command), doc tests, no_std cross builds.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_component rustfmt clippy
ensure_target thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf wasm32-unknown-unknown

step "fmt"
cargo fmt --all -- --check

step "clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --no-default-features --lib -- -D warnings

step "known-answer vectors match the independent Python model"
python3 tests/vectors/make_known_answers.py --check

step "tests (README: cargo test)"
cargo test

step "tests with the bare-metal loop profile on the host (src/profile.rs, feature small-profile)"
cargo test --features small-profile --lib --test known_answers --test keras_masks --test properties --test torch_ports

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps

step "examples"
cargo run --quiet --example quickstart >/dev/null
cargo run --quiet --release --example mc_dropout >/dev/null

step "MSRV: the library builds with the rust-version of Cargo.toml"
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustup toolchain list | grep -q "^$msrv" || rustup toolchain install "$msrv" --profile minimal
rustup target add --toolchain "$msrv" thumbv7em-none-eabihf >/dev/null
cargo "+$msrv" check --lib
cargo "+$msrv" check --lib --target thumbv7em-none-eabihf

step "no_std cross builds"
for t in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf wasm32-unknown-unknown; do
  cargo build --quiet --no-default-features --target "$t"
  cargo build --quiet --target "$t"
  echo "built for $t"
done

step "no alloc in the core's dependency graph"
if cargo tree -e normal,features --target thumbv7em-none-eabihf | grep -E '\balloc\b|\bstd\b'; then
  echo "the core pulls in alloc or std" >&2
  exit 1
fi
echo "no alloc/std feature in the graph"
