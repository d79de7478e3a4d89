#!/usr/bin/env bash
# Sets everything up and runs apsecu against its built-in emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target apsecu webapp
exec build/release/apps/apsecu/apsecu demo "$@"
