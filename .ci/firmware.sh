#!/usr/bin/env bash
# The firmware (examples/firmware): the shared known-answer vectors, a backward pass and a layer
# read from Keras JSON on a Cortex-M4F (QEMU mps2-an386) and a Cortex-M0 build (mps2-an385);
# the link-time proof that kernel, layer and JSON code cannot panic, with its negative control;
# no allocator anywhere; and the footprint table checked against the budgets of docs/semantics.md.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/examples/firmware"

ensure_component rustfmt clippy llvm-tools
ensure_target thumbv7em-none-eabihf thumbv6m-none-eabi
ensure_apt qemu-system-arm qemu-system-arm
ensure_apt python3 python3

step "firmware: fmt, clippy"
cargo fmt -- --check
for t in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  cargo clippy --quiet --release --target "$t" --bins -- -D warnings
done

step "firmware: known answers, backward, Keras JSON in QEMU (Cortex-M4F, then Cortex-M0)"
timeout 300 cargo run --quiet --release </dev/null
timeout 300 cargo run --quiet --release --target thumbv6m-none-eabi </dev/null

step "firmware: TRNG seeding, fallible kernels, rand_core 0.6 adapters in QEMU (src/bin/entropy.rs)"
timeout 300 cargo run --quiet --release --bin entropy </dev/null
timeout 300 cargo run --quiet --release --bin entropy --target thumbv6m-none-eabi </dev/null

step "firmware: the panic proof's negative control must fail to link"
if out=$(cargo build --quiet --release --features panic-never,canary --bin panic_canary 2>&1); then
  echo "panic_canary linked: the panic-never handler proves nothing" >&2
  exit 1
fi
grep -q "undefined symbol: spatial_dropout_firmware_has_a_panic_path" <<<"$out"
echo "panic_canary fails to link, as it must"

step "firmware: no alloc or std in the dependency graph"
if cargo tree -e normal,features --target thumbv7em-none-eabihf | grep -E '\balloc\b|\bstd\b'; then
  echo "the firmware's dependency graph pulls in alloc or std" >&2
  exit 1
fi
echo "no alloc/std in the firmware's dependency graph"

step "firmware: link-time panic proof, footprint and budgets (size-report.py)"
python3 size-report.py

# The guide (docs/firmware.md): its firmware package builds, runs in QEMU on both boards, and
# the guide's code blocks are the package's code, verbatim.
cd "$ROOT/examples/firmware-guide"

step "firmware guide: fmt, clippy"
cargo fmt -- --check
for t in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  cargo clippy --quiet --release --target "$t" --bins -- -D warnings
done

step "firmware guide: TRNG seed, MC dropout, backward, Keras JSON in QEMU (mps2-an386, then mps2-an385)"
for t in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  out=$(timeout 300 cargo run --quiet --release --target "$t" </dev/null)
  echo "$out"
  grep -qx "guide firmware: ok" <<<"$out"
done

step "firmware guide: docs/firmware.md's code blocks are the package's files"
python3 check-guide.py

step "firmware guide: a \`cargo new\` package filled from docs/firmware.md alone runs in QEMU"
scratch=$(mktemp -d)
(cd "$scratch" && cargo new --quiet --vcs none firmware-guide)
python3 check-guide.py --scaffold "$scratch/firmware-guide"
out=$(cd "$scratch/firmware-guide" && CARGO_TARGET_DIR="$scratch/target" timeout 600 cargo run --quiet --release </dev/null)
echo "$out"
grep -qx "guide firmware: ok" <<<"$out"
rm -rf "$scratch"

step "firmware guide: flash of each step over an empty firmware, and of printing an error"
python3 size-table.py
