#!/usr/bin/env bash
# Throughput benchmark, quick mode: prints the table (both mask schemes, limit ratio and
# ceiling), the draws per map, the tiny-call latency, the worst ratio, the cases below the bar
# split by their ceiling and the worst limit ratio. Then the placement bench (memcpy and the
# scale loop at 16 KiB, four placements of the output) and a static check of the kernel built
# for AVX2 and AVX-512 (no gathers or scatters).
# Timing on shared CI machines is noisy, so the ratio is reported, not enforced; a crash, a
# build failure or a last line other than `worst limit ratio: ...` fails the part.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

step "cargo bench --bench throughput -- --quick"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
cargo bench --bench throughput -- --quick | tee "$out"
last="$(tail -n 1 "$out")"
case "$last" in
  "worst limit ratio: "*) echo "bench ok: $last" ;;
  *) echo "the bench did not end with its 'worst limit ratio:' line" >&2; exit 1 ;;
esac

# Where the 16 KiB out-of-place bar comes from: memcpy and the scale loop with the output at
# four placements relative to the input (docs/speed.md). Informational, like the ratios; the
# part fails only if the bench fails or does not print its four rows.
step "cargo bench --bench placement"
cargo bench --bench placement | tee "$out"
rows="$(grep -cE '^ +[0-9]+ +[0-9]' "$out" || true)"
[ "$rows" = 4 ] || { echo "the placement bench printed $rows rows, not 4" >&2; exit 1; }

step "peer benchmark example builds"
cargo build --quiet --release --example peer_bench

# The kernels' loops are written for SSE2 (x86-64's baseline), where LLVM vectorizes each loop
# body. Built for AVX2 or AVX-512 (`-C target-cpu=native` on a recent x86), LLVM once vectorized
# the select loops across iterations instead, with gathers and scatters, and the kernel ran 5-20x
# slower than the baseline build (docs/speed.md). A static check, so it runs on any x86-64
# machine: the bench binary built for x86-64-v3 and x86-64-v4 has no gather or scatter in the
# kernel. Where this machine runs that level, the tests of the bits run built for it too (each
# walk against a plain reference, TensorFlow's masks, the known answers, the properties): wider
# vectors must give the same bits.
declare -A needs=(
  [x86-64-v3]="avx2 bmi1 bmi2 fma f16c movbe abm"
  [x86-64-v4]="avx2 bmi1 bmi2 fma f16c movbe abm avx512f avx512bw avx512cd avx512dq avx512vl"
)
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
for level in x86-64-v3 x86-64-v4; do
  step "no gathers or scatters in the kernel built for $level"
  dir="$ROOT/target/isa-$level"
  CARGO_TARGET_DIR="$dir" RUSTFLAGS="-C target-cpu=$level" \
    cargo bench --quiet --bench throughput --no-run 2>/dev/null
  bin="$(find "$dir/release/deps" -maxdepth 1 -type f -executable -name 'throughput-*' | head -n 1)"
  [ -n "$bin" ] || { echo "no bench binary under $dir" >&2; exit 1; }
  found="$(objdump -d --no-show-raw-insn -C "$bin" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $0 }
    fn ~ /spatial_dropout::/ && /\t(vp?gather|vp?scatter)/ { n[fn]++ }
    END { for (f in n) print n[f], f }')"
  if [ -n "$found" ]; then
    echo "gathers or scatters in the kernel built for $level:" >&2
    echo "$found" >&2
    exit 1
  fi
  kernels="$(objdump -d -C "$bin" | grep -c '<spatial_dropout::kernel::.*>:$' || true)"
  echo "none in $kernels kernel functions"
  runs=yes
  for f in ${needs[$level]}; do [[ "$flags" == *" $f "* ]] || runs=no; done
  if [ "$runs" = yes ]; then
    step "library tests built for $level"
    CARGO_TARGET_DIR="$dir" RUSTFLAGS="-C target-cpu=$level" cargo test --quiet --release --lib --test keras_masks --test known_answers --test properties
  else
    echo "(this machine does not run $level code: its tests are skipped)"
  fi
done
