# Shared helpers for .ci scripts: install what is missing, skip what is there.
# Source it: `. "$(dirname "$0")/lib.sh"`.
set -euo pipefail

export CARGO_TERM_COLOR=never
# Property tests draw fresh random cases on a developer's `cargo test`; CI pins proptest's seed so
# that a run is reproducible and a stop cannot fail on a case no one has seen (export a different
# PROPTEST_RNG_SEED to explore).
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261125}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

step() { printf '\n==== %s ====\n' "$*"; }

# ensure_target TRIPLE...: rustup targets for the active toolchain.
ensure_target() {
  local have missing=()
  have="$(rustup target list --installed)"
  for t in "$@"; do grep -qx "$t" <<<"$have" || missing+=("$t"); done
  if ((${#missing[@]})); then rustup target add "${missing[@]}"; fi
}

# ensure_component NAME... [--toolchain T]
ensure_component() { rustup component add "$@" >/dev/null; }

APT_UPDATED=""
# ensure_apt CMD PACKAGE...: install PACKAGEs unless CMD is on PATH.
ensure_apt() {
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_cargo_bin BIN VERSION CRATE: `cargo install CRATE --version VERSION` unless
# `BIN --version` already reports VERSION.
ensure_cargo_bin() {
  local bin="$1" version="$2" crate="$3"
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  cargo install "$crate" --version "$version"
}
