#!/usr/bin/env bash
# Builds the optimised tree and runs every benchmark, printing their figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
cmake --preset release >/dev/null
cmake --build --preset release
for b in build/release/bench/bench_*; do
  [[ -x "$b" ]] || continue
  echo "== $(basename "$b")"
  "$b"
done
echo "== bench_http (the daemon on 3 years of history)"
bench/bench_http.sh build/release
