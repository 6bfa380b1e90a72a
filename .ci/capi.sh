#!/usr/bin/env bash
# The C ABI (capi/): lints, the static library for the host and thumbv7em-none-eabihf, header vs
# exports, the link-time panic proof, the host C test under ASan/UBSan (error paths, empty
# tensors in bounded time, the XorShift known answers and every (case, call) of the masks
# TensorFlow's Keras drew), the C++ header check, and the C firmware running the known-answer
# vectors in QEMU mps2-an386.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

THUMB=thumbv7em-none-eabihf
ensure_component rustfmt clippy
ensure_target "$THUMB" thumbv6m-none-eabi riscv32imac-unknown-none-elf i686-unknown-linux-gnu
ensure_apt gcc gcc
ensure_apt g++ g++
ensure_apt python3 python3
ensure_apt arm-none-eabi-gcc gcc-arm-none-eabi libnewlib-arm-none-eabi
if ! dpkg -s libnewlib-arm-none-eabi >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnewlib-arm-none-eabi >/dev/null
fi
ensure_apt qemu-system-arm qemu-system-arm
if ! dpkg -s gcc-multilib >/dev/null 2>&1; then  # gcc -m32 for the i686 host test
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-multilib >/dev/null
fi

MANIFEST=capi/Cargo.toml
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/capi/target}"
export CARGO_TARGET_DIR="$TARGET_DIR"
HOST_LIB="$TARGET_DIR/release/libspatial_dropout_c.a"
THUMB_LIB="$TARGET_DIR/$THUMB/release/libspatial_dropout_c.a"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step "capi: fmt, clippy, unit tests"
cargo fmt --manifest-path "$MANIFEST" -- --check
cargo clippy --quiet --manifest-path "$MANIFEST" --all-targets -- -D warnings
cargo clippy --quiet --manifest-path "$MANIFEST" --no-default-features -- -D warnings
cargo clippy --quiet --manifest-path "$MANIFEST" --target "$THUMB" --features link-check -- -D warnings
cargo test --quiet --manifest-path "$MANIFEST"

step "capi: link-time proof that no exported function can panic"
# The panic handler of the `link-check` feature calls a symbol that is defined nowhere: the
# archive needs it only if some exported function can reach a panic.
for t in x86_64-unknown-linux-gnu i686-unknown-linux-gnu "$THUMB" thumbv6m-none-eabi \
  riscv32imac-unknown-none-elf; do
  cargo build --quiet --release --manifest-path "$MANIFEST" --target "$t" \
    --no-default-features --features link-check
  lib="$TARGET_DIR/$t/release/libspatial_dropout_c.a"
  # (Symbol lists in variables: `nm | grep -q` under pipefail fails when grep exits early.)
  defined="$(nm -g --defined-only "$lib" 2>/dev/null)"
  undefined="$(nm -u "$lib" 2>/dev/null)"
  if ! grep -q spatial_dropout_capi_link_check <<<"$defined"; then
    echo "$t: the archive was not built with the link-check panic handler" >&2
    exit 1
  fi
  if grep -q spatial_dropout_capi_can_panic <<<"$undefined"; then
    echo "$t: an exported function of the kernel API can panic" >&2
    exit 1
  fi
  echo "$t, kernel API (no json feature): no panic path"
done
# With JSON: the JSON exports too must be clean, on every target (the crate reads and writes
# numbers with its own exact integer code, not core's float parser and formatter).
for t in x86_64-unknown-linux-gnu "$THUMB" thumbv6m-none-eabi; do
  cargo build --quiet --release --manifest-path "$MANIFEST" --target "$t" --features link-check
  undefined="$(nm -u "$TARGET_DIR/$t/release/libspatial_dropout_c.a" 2>/dev/null)"
  if grep -q spatial_dropout_capi_can_panic <<<"$undefined"; then
    echo "$t: an exported function (JSON included) can panic" >&2
    exit 1
  fi
  echo "$t, every export including JSON: no panic path"
done
# Per export, with the call path to any panic that ever comes back (no export is exempt).
python3 capi/tests/panic_paths.py arm-none-eabi-objdump "$THUMB_LIB"

step "capi: static libraries (host, $THUMB)"
cargo build --quiet --release --manifest-path "$MANIFEST"
cargo build --quiet --release --manifest-path "$MANIFEST" --target "$THUMB"
ls -l "$HOST_LIB" "$THUMB_LIB"

step "capi: header declares exactly the exported functions"
for lib in "$HOST_LIB" "$THUMB_LIB"; do
  nm -g --defined-only "$lib" 2>/dev/null | awk '$2 == "T" && $3 ~ /^spatial_dropout_/ {print $3}' \
    | sort -u >"$WORK/exported"
  python3 - capi/include/spatial_dropout.h "$WORK/exported" <<'PY'
import re, sys
header = open(sys.argv[1]).read()
header = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
declared = set(re.findall(r"\b(spatial_dropout_\w+)\s*\(", header))
exported = set(open(sys.argv[2]).read().split())
missing, extra = sorted(exported - declared), sorted(declared - exported)
if missing or extra or not exported:
    sys.exit(f"exported but not declared: {missing}; declared but not exported: {extra}")
print(f"{len(exported)} functions, header and library agree")
PY
done

step "capi: host C test (C99, -fsanitize=address,undefined)"
python3 capi/tests/gen_known_answers.py tests/vectors/known_answers.json "$WORK/known_answers_data.h"
python3 capi/tests/gen_keras_masks.py tests/fixtures/keras_masks.json "$WORK/keras_masks_data.h"
HOST_C=(capi/tests/host.c capi/tests/known_answers.c capi/tests/keras_masks.c)
gcc -std=c99 -pedantic -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
  -fno-sanitize-recover=all -fno-omit-frame-pointer -Icapi/include -Icapi/tests -I"$WORK" \
  "${HOST_C[@]}" "$HOST_LIB" -lm -o "$WORK/host"
# Bounded: the empty-tensor test must return at once (it also times itself with clock()).
timeout 120 "$WORK/host"

step "capi: cross-binding errors (tests/fixtures/cross_binding_errors.json): C's status codes"
gcc -std=c99 -pedantic -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
  -fno-sanitize-recover=all -Icapi/include capi/tests/cross_bindings.c "$HOST_LIB" -lm \
  -o "$WORK/cross_bindings"
timeout 60 "$WORK/cross_bindings" >"$WORK/cross_bindings.txt"
python3 capi/tests/cross_bindings.py "$WORK/cross_bindings.txt"
# The check carries failures: a wrong status must fail it.
sed '1s/ [0-9]*$/ 99/' "$WORK/cross_bindings.txt" >"$WORK/cross_bindings_corrupt.txt"
if python3 capi/tests/cross_bindings.py "$WORK/cross_bindings_corrupt.txt" >/dev/null; then
  echo "the cross-binding check passed a wrong status" >&2
  exit 1
fi

# The TensorFlow comparison carries failures: the test built from a fixture with one keep bit
# flipped must fail.
python3 - tests/fixtures/keras_masks.json "$WORK/corrupt_keras.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
call = next(c for case in doc["cases"] for c in case["calls"] if c["keep"])
call["keep"] = ("1" if call["keep"][0] == "0" else "0") + call["keep"][1:]
json.dump(doc, open(sys.argv[2], "w"))
PY
mkdir -p "$WORK/corrupt_keras"
cp "$WORK/known_answers_data.h" "$WORK/corrupt_keras/"
python3 capi/tests/gen_keras_masks.py "$WORK/corrupt_keras.json" "$WORK/corrupt_keras/keras_masks_data.h"
gcc -std=c99 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Icapi/include -Icapi/tests -I"$WORK/corrupt_keras" "${HOST_C[@]}" "$HOST_LIB" -lm \
  -o "$WORK/host_corrupt"
status=0
timeout 120 "$WORK/host_corrupt" >"$WORK/host_corrupt.log" || status=$?
if [ "$status" -eq 0 ] || ! grep -q "TensorFlow dropped" "$WORK/host_corrupt.log"; then
  echo "the C test passed on a corrupted TensorFlow fixture: it checks nothing" >&2
  exit 1
fi
echo "corrupted TensorFlow fixture: the C test fails, as it should ($(grep -c '^FAIL' "$WORK/host_corrupt.log") failed checks)"

step "capi: host C test on i686 (32-bit size_t, x87 floats; gcc -m32, same sanitizers)"
cargo build --quiet --release --manifest-path "$MANIFEST" --target i686-unknown-linux-gnu
gcc -m32 -std=c99 -pedantic -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
  -fno-sanitize-recover=all -fno-omit-frame-pointer -Icapi/include -Icapi/tests -I"$WORK" \
  "${HOST_C[@]}" "$TARGET_DIR/i686-unknown-linux-gnu/release/libspatial_dropout_c.a" -lm \
  -o "$WORK/host32"
timeout 120 "$WORK/host32"

step "capi: the header as C++98 and C++17"
for std in c++98 c++17; do
  g++ -std="$std" -pedantic -Wall -Wextra -Werror -Icapi/include capi/tests/header_cpp.cpp \
    "$HOST_LIB" -o "$WORK/header_cpp"
  "$WORK/header_cpp"
done
echo "C++ links and calls the C API"

step "capi: C firmware on QEMU mps2-an386"
make -s -C examples/c-firmware all
status=0
timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
  -kernel examples/c-firmware/build/fw.elf || status=$?
if [ "$status" -ne 0 ]; then
  echo "C firmware exited with status $status (failed checks, or 99: a fault)" >&2
  exit 1
fi
# The exit status carries failures: the firmware built from a vector file with one flipped bit
# must fail.
python3 - tests/vectors/known_answers.json "$WORK/corrupt.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
bits = doc["cases"][0]["calls"][0]["output_bits"]
bits[-1] ^= 1
json.dump(doc, open(sys.argv[2], "w"))
PY
make -s -C examples/c-firmware BUILD="$WORK/corrupt" VECTORS="$WORK/corrupt.json" "$WORK/corrupt/fw.elf"
status=0
timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
  -kernel "$WORK/corrupt/fw.elf" >"$WORK/corrupt.log" || status=$?
if [ "$status" -eq 0 ]; then
  echo "the firmware passed on corrupted vectors: its exit status carries nothing" >&2
  exit 1
fi
echo "corrupted vectors: firmware exits with status $status, as it should"

step "capi: stack depth of each call on the Cortex-M4F (painted stack, QEMU)"
timeout 60 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
  -kernel examples/c-firmware/build/stack.elf

step "capi: flash the library adds to the C firmware"
make -s -C examples/c-firmware size
