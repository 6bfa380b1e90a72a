#!/usr/bin/env bash
# Throughput benchmark, quick mode: prints the table (both mask schemes), the draws per map, the
# tiny-call latency, the worst ratio and the worst limit ratio.
# Timing on shared CI machines is noisy, so the ratio is reported, not enforced; a crash, a
# build failure or a missing `worst ratio:` line fails the part.
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

step "peer benchmark example builds"
cargo build --quiet --release --example peer_bench
