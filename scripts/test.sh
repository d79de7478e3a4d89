#!/usr/bin/env bash
# Sets everything up and runs every test: unit, integration against the emulator on a
# pseudo-terminal, and the real services the tests start themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci -j "$(nproc)" "$@"
