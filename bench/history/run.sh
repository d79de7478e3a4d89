#!/usr/bin/env bash
# Builds bench_history with the release preset and runs it, keeping the output next to
# the build (the figures in docs/store.md come from such a run).
#   bench/history/run.sh [bench_history options, e.g. --years 1 --skip-influx]
# BUILD_DIR overrides the build directory (default: build/release, the preset's).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${BUILD_DIR:-build/release}"
command -v influxd >/dev/null || echo "influxd not found: add --skip-influx or install Debian's influxdb" >&2
cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target bench_history
out="$build/bench_history-$(date +%Y%m%d-%H%M%S).txt"
"$build/bench/bench_history" "$@" | tee "$out"
echo "figures saved to $out"
